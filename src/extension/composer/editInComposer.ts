import * as path from 'node:path';
import * as vscode from 'vscode';
import { draftFromRequest } from '../../core/composer/composerForm';
import * as boards from '../../core/composer/composerStoryboard';
import { videoNameRange } from '../../core/storyboard/videoNameRange';
import type { ComposerViewProvider } from './composerView';

const SUFFIX = '.kling.json';

/**
 * `klingStudio.storyboard.editInComposer(uri?, videoName?)`: loads a storyboard video, with the file's defaults
 * applied, into the composer. A CodeLens passes both arguments; the Storyboards view passes its video item
 * (`{ kind: 'video', uri, name }`); the editor's context menu passes the file (the video is the one at the cursor);
 * the explorer's passes the file (the video is picked). Resolves to whether the video was loaded.
 */
export async function editInComposer(composer: ComposerViewProvider, uriArg?: unknown, nameArg?: unknown): Promise<boolean> {
  const item = videoItem(uriArg);
  if (item) {
    uriArg = item.uri;
    nameArg = item.name;
  }
  const uri = storyboardUri(uriArg);
  if (!uri) {
    void vscode.window.showInformationMessage(vscode.l10n.t('Open a storyboard (a .kling.json file) to edit one of its videos in the composer.'));
    return false;
  }
  const document = await vscode.workspace.openTextDocument(uri);
  const text = document.getText();
  const file = vscode.workspace.asRelativePath(uri);
  let name = typeof nameArg === 'string' && nameArg !== '' ? nameArg : undefined;
  const editor = vscode.window.activeTextEditor;
  if (!name && editor?.document.uri.toString() === uri.toString()) {
    name = boards.videoNameAt(text, document.offsetAt(editor.selection.active));
  }
  if (!name) {
    const names = boards.storyboardVideoNames(text);
    if (names.length === 0) {
      void vscode.window.showInformationMessage(vscode.l10n.t('{0} has no named video to edit yet.', file));
      return false;
    }
    name = names.length === 1 ? names[0] : await vscode.window.showQuickPick(names, { title: vscode.l10n.t('Edit in Composer'), placeHolder: vscode.l10n.t('Which video of {0}?', file) });
    if (!name) return false;
  }
  const workspaceRoot = vscode.workspace.getWorkspaceFolder(uri)?.uri.fsPath ?? path.dirname(uri.fsPath);
  const loaded = boards.composerDraftFromStoryboard(text, name, { storyboardPath: uri.fsPath, workspaceRoot });
  if (!loaded.ok) {
    // Not awaited: the command answers at once (a CodeLens waits on it), the message stays until it is dismissed.
    const open = vscode.l10n.t('Open Storyboard');
    void vscode.window.showWarningMessage(vscode.l10n.t('Cannot edit "{0}" in the composer: {1}.', name, loaded.problem), open).then((picked) => {
      if (picked === open) void vscode.window.showTextDocument(document);
    });
    return false;
  }
  revealVideoStart(uri, text, name);
  await composer.load(loaded.draft, `${name} in ${file}`, { uri: uri.toString(), file, video: name }, loaded.notes);
  return true;
}

/**
 * Shows the video's line from its start in the storyboard's editor, when one shows the file: a click far right on a
 * long line (or a cursor at a line's end) left it scrolled sideways, hiding the start of every line beside the composer.
 */
function revealVideoStart(uri: vscode.Uri, text: string, name: string): void {
  const editor = vscode.window.visibleTextEditors.find((e) => e.document.uri.toString() === uri.toString());
  if (!editor) return;
  const range = videoNameRange(text, name);
  const line = range ? editor.document.positionAt(range.offset).line : editor.selection.active.line;
  editor.revealRange(new vscode.Range(line, 0, line, 0), vscode.TextEditorRevealType.InCenterIfOutsideViewport);
}

/**
 * `klingStudio.composer.editRequest({ request, label })`: loads the exact request a video was made with (its
 * sidecar keeps it) into the composer; the preview offers it for videos made outside a storyboard.
 */
export async function editRequestInComposer(composer: ComposerViewProvider, arg?: unknown): Promise<boolean> {
  const given = arg !== null && typeof arg === 'object' ? (arg as { request?: unknown; label?: unknown }) : {};
  const label = typeof given.label === 'string' && given.label.trim() !== '' ? given.label.trim().slice(0, 80) : 'that video';
  const loaded = draftFromRequest(given.request);
  if (!loaded.ok) {
    void vscode.window.showWarningMessage(label === 'that video' ? vscode.l10n.t('Cannot edit that video in the composer: {0}.', loaded.problem) : vscode.l10n.t('Cannot edit "{0}" in the composer: {1}.', label, loaded.problem));
    return false;
  }
  await composer.load(loaded.draft, label === 'that video' ? 'a video' : `the video "${label}"`, undefined, loaded.notes);
  return true;
}

/** A video item of the Storyboards view, by its shape (that view's own type stays its own). */
function videoItem(arg: unknown): { uri: vscode.Uri; name: string } | undefined {
  if (arg === null || typeof arg !== 'object') return undefined;
  const node = arg as { kind?: unknown; uri?: unknown; name?: unknown };
  return node.kind === 'video' && node.uri instanceof vscode.Uri && typeof node.name === 'string' ? { uri: node.uri, name: node.name } : undefined;
}

function storyboardUri(arg: unknown): vscode.Uri | undefined {
  let uri: vscode.Uri | undefined;
  if (arg instanceof vscode.Uri) uri = arg;
  else if (typeof arg === 'string' && arg !== '') {
    try {
      uri = arg.includes(':') && !/^[a-zA-Z]:[\\/]/.test(arg) ? vscode.Uri.parse(arg, true) : vscode.Uri.file(arg);
    } catch {
      uri = undefined;
    }
  } else if (arg === undefined || arg === null) uri = vscode.window.activeTextEditor?.document.uri;
  return uri && uri.path.endsWith(SUFFIX) ? uri : undefined;
}
