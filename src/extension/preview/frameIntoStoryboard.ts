import * as path from 'node:path';
import * as vscode from 'vscode';
import { storyboardFrameEdits, storyboardVideoNames, videoNameAt } from '../../core/composer/composerStoryboard';
import type { FrameReference } from '../../core/storyboard/storyboardSchema';
import { storyboardOutputDir } from '../../core/storyboard/storyboardFiles';
import { StoryboardDocument } from '../../core/storyboard/storyboardDocument';

export type FrameDestination = 'composer' | 'storyboard' | 'cancelled';

/**
 * Use as First/Last Frame with a storyboard open beside the preview and its cursor inside a video: asks whether the
 * frame goes into that video or into the composer, and sets the video's `image` or `end_image` when asked (one
 * undoable edit of the open document, nothing saved). Says 'composer' when no such storyboard is in sight.
 *
 * The frame is written as a frame of another video of the file (`{ "from": "hero", "frame": "first" }`) when the
 * preview shows that video's output and the frame is its first: a render then follows the video as it is made again.
 */
export async function frameIntoStoryboardAtCursor(frameFile: string, video: vscode.Uri, field: 'image' | 'end_image', atStart: boolean): Promise<FrameDestination> {
  const editor = vscode.window.visibleTextEditors.find((e) => e.document.uri.scheme === 'file' && e.document.fileName.endsWith('.kling.json'));
  if (!editor) return 'composer';
  const text = editor.document.getText();
  const name = videoNameAt(text, editor.document.offsetAt(editor.selection.active));
  if (name === undefined) return 'composer';
  const storyboard = path.basename(editor.document.fileName);
  const what = field === 'image' ? vscode.l10n.t('first frame') : vscode.l10n.t('last frame');
  const intoVideo = { label: vscode.l10n.t('Into "{0}" in {1}', name, storyboard), description: vscode.l10n.t('as its {0} ({1})', what, field), target: 'storyboard' as const };
  const intoComposer = { label: vscode.l10n.t('Into the Composer'), description: vscode.l10n.t('as its {0}', what), target: 'composer' as const };
  const picked = await vscode.window.showQuickPick([intoVideo, intoComposer], { title: vscode.l10n.t('Use {0}', path.basename(frameFile)), placeHolder: vscode.l10n.t('Where should the frame go?') });
  if (!picked) return 'cancelled';
  if (picked.target === 'composer') return 'composer';

  const value = frameReferenceOf(text, editor.document.fileName, video.fsPath, name, atStart) ?? path.relative(path.dirname(editor.document.fileName), frameFile).split(path.sep).join('/');
  const edits = storyboardFrameEdits(text, name, field, value);
  if (!edits.ok) {
    void vscode.window.showErrorMessage(vscode.l10n.t('The frame was not put into {0}: {1}.', storyboard, edits.problem));
    return 'cancelled';
  }
  const change = new vscode.WorkspaceEdit();
  for (const edit of edits.edits) {
    change.replace(editor.document.uri, new vscode.Range(editor.document.positionAt(edit.offset), editor.document.positionAt(edit.offset + edit.length)), edit.newText);
  }
  if (!(await vscode.workspace.applyEdit(change))) {
    void vscode.window.showErrorMessage(vscode.l10n.t('The frame was not put into {0}: the editor refused the change.', storyboard));
    return 'cancelled';
  }
  const shown = typeof value === 'string' ? value : vscode.l10n.t('the first frame of "{0}"', value.from);
  void vscode.window.setStatusBarMessage(vscode.l10n.t('Kling: the {0} of "{1}" is now {2}', what, name, shown), 5000);
  return 'storyboard';
}

/** `{ "from": …, "frame": "first" }` when the video shown is another video's output in this storyboard and the frame is its first. */
function frameReferenceOf(text: string, storyboardPath: string, videoPath: string, target: string, atStart: boolean): FrameReference | undefined {
  if (!atStart) return undefined;
  const output = new StoryboardDocument(text).valueAt(['output']);
  const outputDir = storyboardOutputDir(storyboardPath, { output: typeof output === 'string' ? output : undefined });
  if (path.dirname(videoPath) !== outputDir || path.extname(videoPath) !== '.mp4') return undefined;
  const from = path.basename(videoPath, '.mp4');
  return from !== target && storyboardVideoNames(text).includes(from) ? { from, frame: 'first' } : undefined;
}
