import * as path from 'node:path';
import * as vscode from 'vscode';
import { readMp4Info } from '../../core/media/mp4Info';
import { posterPathOf, videoSnippet, type VideoSnippet } from '../../core/preview/videoSnippet';

/**
 * The `<video>` element for a saved clip (videoSnippet.ts), from what is on disk now: its frame size from the file's
 * own track, a poster only when `<name>.jpg` is beside it. `width` and `height` are left out of a file whose tracks
 * cannot be read.
 */
export async function videoSnippetFor(video: vscode.Uri, frame?: { width: number; height: number }): Promise<VideoSnippet> {
  const size = frame ?? (await readMp4Info(video.fsPath).then((info) => ({ width: info.width, height: info.height }), () => ({ width: 0, height: 0 })));
  const hasPoster = await vscode.workspace.fs.stat(vscode.Uri.file(posterPathOf(video.fsPath))).then((s) => (s.type & vscode.FileType.File) !== 0, () => false);
  return videoSnippet({ videoPath: video.fsPath, workspaceRoot: vscode.workspace.getWorkspaceFolder(video)?.uri.fsPath, ...size, hasPoster });
}

/** Kling Preview's Copy HTML (and `klingStudio.copyVideoHtml`): the element to the clipboard, and what was copied. */
export async function copyVideoHtml(video: vscode.Uri): Promise<string> {
  const snippet = await videoSnippetFor(video);
  await vscode.env.clipboard.writeText(snippet.html);
  const name = path.basename(video.fsPath);
  const from =
    snippet.base.kind === 'public'
      ? vscode.l10n.t("src from the site's root ({0}/ is served there)", snippet.base.folder)
      : snippet.base.kind === 'workspace'
        ? vscode.l10n.t('src relative to the workspace folder')
        : vscode.l10n.t('src is the file name: it is outside the workspace');
  const poster = snippet.poster ? vscode.l10n.t('with its poster') : vscode.l10n.t('no poster ({0} is not beside it)', path.basename(posterPathOf(video.fsPath)));
  void vscode.window.showInformationMessage(vscode.l10n.t('Copied the <video> element of {0}: {1}, {2}.', name, from, poster));
  return snippet.html;
}
