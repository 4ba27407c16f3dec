import * as vscode from 'vscode';
import { locateVideo, storyboardLocationsOf } from '../../core/records/locateVideo';
import { type VideoLocations, type VideoPlace } from '../../core/records/videoLocations';
import { STORYBOARD_SUFFIX } from '../../core/storyboard/storyboardSuffix';
import { chosenPathOf } from '../../core/takes/takeLayout';

// Where the records of a file the editor opened by its path are (locateVideo.ts): the storyboards of the workspace that
// name a "metadata" folder say so for their output folders; any other file has its records beside it.

export async function workspaceLocations(): Promise<VideoLocations[]> {
  const files = await vscode.workspace.findFiles(`**/*${STORYBOARD_SUFFIX}`, '**/node_modules/**', 1000);
  return storyboardLocationsOf(files.map((uri) => uri.fsPath));
}

/** The place whose sidecar describes `file`: a storyboard's video with its metadata folder, or the file itself (a take). */
export async function sidecarPlaceOf(file: string): Promise<VideoPlace> {
  const locations = await workspaceLocations();
  for (const where of locations) {
    const place = where.placeOfFile(file);
    if (place) return place;
  }
  return { video: file, recordsDir: vscodePathDir(file) };
}

/** The video `file` stands for (itself, or the video of a take), with the folder of its records. */
export async function chosenPlaceOf(file: string): Promise<VideoPlace> {
  const located = locateVideo(file, await workspaceLocations());
  if (located.video !== file || located.recordsDir !== vscodePathDir(file)) return located;
  const chosen = chosenPathOf(file);
  return { video: chosen, recordsDir: vscodePathDir(chosen) };
}

function vscodePathDir(file: string): string {
  return vscode.Uri.joinPath(vscode.Uri.file(file), '..').fsPath;
}

/** The video a sidecar describes: in a storyboard's metadata folder, the video of its output folder; else beside it. */
export function videoOfSidecar(sidecar: vscode.Uri, locations: readonly VideoLocations[]): vscode.Uri {
  const folder = vscode.Uri.joinPath(sidecar, '..').fsPath;
  const name = sidecar.path.slice(sidecar.path.lastIndexOf('/') + 1, -'.json'.length);
  const where = locations.find((l) => l.separate && vscode.Uri.file(l.metadataDir).fsPath === folder);
  return where ? vscode.Uri.joinPath(vscode.Uri.file(where.outputDir), name) : sidecar.with({ path: sidecar.path.slice(0, -'.json'.length) });
}
