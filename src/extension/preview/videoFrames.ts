import * as path from 'node:path';
import * as vscode from 'vscode';
import { OutsideWorkspaceError } from '../../core/fs/workspaceBoundary';
import { writeAtomically } from '../../core/fs/writeAtomically';
import { writeFrameFile } from '../../core/render/frameFiles';
import { VideoLocations } from '../../core/records/videoLocations';
import { sidecarPlaceOf } from '../records/videoPlaces';
import type { PageMessage } from '../../webview/preview/protocol';
import { frameIntoStoryboardAtCursor } from './frameIntoStoryboard';

/** The composer's commands that take a frame (registered by the composer: src/extension/composer/registerComposer.ts). */
export const COMPOSER_USE_FRAME = 'klingStudio.composer.useFrame';
export const COMPOSER_CONTINUE_FROM_FRAME = 'klingStudio.composer.continueFromFrame';

type FrameMessage = Extract<PageMessage, { type: 'preview/frame' }>;

/**
 * What becomes of a frame the page decoded. The page does the decoding (a canvas over its <video>: never ffmpeg, never
 * a shell); the host writes only inside the video's workspace folder, atomically:
 * - Save Frame…: where the user says (a save dialog beside the video), PNG or JPEG by the name's extension;
 * - Use as First/Last Frame: beside the video (`hero.2.40s.png`; at 0:00 `hero.first.png`, with its record, the file a
 *   storyboard's `{ "from": "hero", "frame": "first" }` reads), then into the composer, or into the video at the
 *   cursor of a storyboard open beside it (frameIntoStoryboardAtCursor asks which);
 * - Continue from Last Frame: `hero.last.png` and its record beside the video, then a new draft in the composer that
 *   starts from it (its price is shown there; nothing is spent until Generate).
 */
export async function takeVideoFrame(video: vscode.Uri, message: FrameMessage): Promise<void> {
  const root = vscode.workspace.getWorkspaceFolder(video)?.uri.fsPath;
  if (!root) {
    void vscode.window.showWarningMessage(vscode.l10n.t('{0} is outside the workspace: open its folder to take frames from it.', path.basename(video.fsPath)));
    return;
  }
  const png = Buffer.from(message.png, 'base64');
  const size = { width: message.width, height: message.height };
  const stem = path.basename(video.fsPath, path.extname(video.fsPath));
  try {
    switch (message.purpose) {
      case 'save':
        return await saveFrameAs(video, message, root);
      case 'first':
      case 'last': {
        const atStart = message.timeSeconds < 0.001;
        const file = atStart
          ? await writeFrameFile(video.fsPath, 'first', png, size, root, await frameLocationsOf(video.fsPath))
          : path.join(path.dirname(video.fsPath), `${stem}.${message.timeSeconds.toFixed(2)}s.png`);
        if (!atStart) await writeAtomically(file, png, { root });
        const field = message.purpose === 'first' ? 'image' : 'end_image';
        if ((await frameIntoStoryboardAtCursor(file, video, field, atStart)) !== 'composer') return;
        await vscode.commands.executeCommand(COMPOSER_USE_FRAME, vscode.Uri.file(file), field);
        return;
      }
      case 'continue': {
        const file = await writeFrameFile(video.fsPath, 'last', png, size, root, await frameLocationsOf(video.fsPath));
        await vscode.commands.executeCommand(COMPOSER_CONTINUE_FROM_FRAME, vscode.Uri.file(file), `the last frame of ${path.basename(video.fsPath)}`);
        return;
      }
    }
  } catch (error) {
    const why = error instanceof OutsideWorkspaceError ? vscode.l10n.t('it would be written outside the workspace ({0})', error.message) : error instanceof Error ? error.message : String(error);
    void vscode.window.showErrorMessage(vscode.l10n.t('The frame was not saved: {0}.', why));
  }
}

async function saveFrameAs(video: vscode.Uri, message: FrameMessage, root: string): Promise<void> {
  const stem = path.basename(video.fsPath, path.extname(video.fsPath));
  const chosen = await vscode.window.showSaveDialog({
    title: vscode.l10n.t('Save Frame'),
    defaultUri: vscode.Uri.file(path.join(path.dirname(video.fsPath), `${stem}-${message.timeSeconds.toFixed(2)}s.png`)),
    saveLabel: vscode.l10n.t('Save Frame'),
    filters: { [vscode.l10n.t('PNG image')]: ['png'], [vscode.l10n.t('JPEG image')]: ['jpg', 'jpeg'] },
  });
  if (!chosen) return;
  const jpeg = /\.jpe?g$/i.test(chosen.path);
  const file = jpeg || /\.png$/i.test(chosen.path) ? chosen.fsPath : `${chosen.fsPath}.png`;
  await writeAtomically(file, Buffer.from(jpeg ? message.jpeg : message.png, 'base64'), { root });
  void vscode.window.showInformationMessage(vscode.l10n.t('Saved the frame at {0} s ({1}×{2}) as {3}.', message.timeSeconds.toFixed(2), message.width, message.height, path.relative(root, file)));
}

/** The frame's record goes where the video's records are: its storyboard's metadata folder, else beside it. */
async function frameLocationsOf(videoPath: string): Promise<VideoLocations> {
  const place = await sidecarPlaceOf(videoPath);
  return new VideoLocations(path.dirname(place.video), place.recordsDir);
}
