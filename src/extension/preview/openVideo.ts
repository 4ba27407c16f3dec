import * as vscode from 'vscode';
import { besideSidecarPathOf, sidecarPathOf } from '../../core/records/videoLocations';
import { sidecarPlaceOf } from '../records/videoPlaces';

/** The custom editor's view type (package.json `customEditors`), "Kling Preview". */
export const KLING_PREVIEW = 'klingStudio.preview';

/** Opens a video in Kling Preview, whatever it is (a video without a sidecar plays with a note). */
export function openInPreview(file: vscode.Uri, viewColumn?: vscode.ViewColumn): Thenable<unknown> {
  return vscode.commands.executeCommand('vscode.openWith', file, KLING_PREVIEW, viewColumn);
}

/**
 * Opens a finished task's video: in Kling Preview when it has a Kling sidecar (it was made here, so there is a
 * recipe to show), else in the editor the user has chosen for videos.
 */
export async function openVideo(file: vscode.Uri): Promise<void> {
  // Beside it, or in the metadata folder of the storyboard that made it (videoPlaces.ts).
  const place = await sidecarPlaceOf(file.fsPath);
  const exists = (sidecar: string) => vscode.workspace.fs.stat(vscode.Uri.file(sidecar)).then(() => true, () => false);
  const hasSidecar = (await exists(sidecarPathOf(place))) || (await exists(besideSidecarPathOf(place)));
  await (hasSidecar ? openInPreview(file) : vscode.commands.executeCommand('vscode.open', file));
}
