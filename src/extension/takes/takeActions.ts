import * as path from 'node:path';
import * as vscode from 'vscode';
import { chosenPlaceOf } from '../records/videoPlaces';
import { chooseTake, listTakes, type Take, type TakeList } from '../../core/takes/takeStore';
import type { ExtensionLog } from '../log/extensionLog';
import { errorText } from '../../core/text/errorText';

// Use This Take and Delete Take, wherever they are asked for (Compare Takes, Kling Preview, the palette). Both act on
// files only: nothing is generated or spent. Everything that shows state follows from the files: the storyboard's
// analyzer watches videos and sidecars, the preview its folder, Compare Takes the takes folder.

/** The workspace a video and its takes must stay in: its workspace folder, else its own folder. */
export function takesRootOf(videoPath: string): string {
  return vscode.workspace.getWorkspaceFolder(vscode.Uri.file(videoPath))?.uri.fsPath ?? path.dirname(videoPath);
}

/** The takes of the video a file stands for (the video itself, or one of its takes). */
export async function takesOf(file: string): Promise<TakeList> {
  const place = await chosenPlaceOf(file);
  return listTakes(place, { root: takesRootOf(place.video) });
}

/** Makes the take at `takePath` the video. True when it is the video afterwards. */
export async function useTake(takePath: string, log: ExtensionLog): Promise<boolean> {
  const place = await chosenPlaceOf(takePath);
  const videoPath = place.video;
  const videoName = path.basename(videoPath);
  const before = await takesOf(takePath);
  const take = before.takes.find((t) => path.resolve(t.path) === path.resolve(takePath));
  if (!take) {
    void vscode.window.showWarningMessage(vscode.l10n.t('{0} is not among the takes of {1} any more.', path.basename(takePath), videoName));
    return false;
  }
  if (take.chosen) {
    void vscode.window.showInformationMessage(vscode.l10n.t('Take {0} is already the one in use as {1}.', take.index, videoName));
    return true;
  }
  const after = await chooseTake(place, take.path, { root: takesRootOf(videoPath) });
  const chosen = after.chosen;
  const ok = chosen !== undefined && path.resolve(chosen.path) === path.resolve(take.path);
  log.info(`takes: ${videoPath} is ${ok ? 'now' : 'not'} take ${take.index} (${take.path})`);
  if (!ok) {
    void vscode.window.showErrorMessage(vscode.l10n.t('{0} did not become take {1}. Compare its takes again to see where things stand.', videoName, take.index));
    return false;
  }
  void vscode.window.showInformationMessage(
    before.chosen
      ? vscode.l10n.t('{0} is now take {1} of {2}. Take {3} stays a take.', videoName, chosen.index, after.takes.length, before.chosen.index)
      : vscode.l10n.t('{0} is now take {1} of {2}.', videoName, chosen.index, after.takes.length),
  );
  return true;
}

export interface DeleteTakeOptions {
  /** The question's answer; a modal dialog unless set (API tests answer it: no dialog shows there). */
  confirm?: ((message: string, detail: string, action: string) => Promise<boolean>) | undefined;
}

/**
 * Moves a take and its sidecar to the trash, after asking. The take in use is not deleted (another is used first).
 * Where the file system has no trash (a remote workspace, a browser), it is deleted for good only after a second,
 * plain question: never silently.
 */
export async function deleteTake(takePath: string, log: ExtensionLog, options: DeleteTakeOptions = {}): Promise<boolean> {
  const list = await takesOf(takePath);
  const videoName = path.basename(list.videoPath);
  const take = list.takes.find((t) => path.resolve(t.path) === path.resolve(takePath));
  if (!take || !take.kept) {
    void vscode.window.showWarningMessage(vscode.l10n.t('{0} is not a take of {1} that can be deleted.', path.basename(takePath), videoName));
    return false;
  }
  if (take.chosen) {
    void vscode.window.showWarningMessage(vscode.l10n.t('Take {0} is in use as {1}: use another take first, then delete this one.', take.index, videoName));
    return false;
  }
  const ask = options.confirm ?? modal;
  const what = describeTake(take);
  if (!(await ask(vscode.l10n.t('Delete take {0} of {1}?', take.index, videoName), vscode.l10n.t('{0}\nIt goes to the trash, with its sidecar.', what), vscode.l10n.t('Move to Trash')))) return false;
  const files = [take.path, `${take.path}.json`].map((file) => vscode.Uri.file(file));
  try {
    for (const file of files) await deleteIfThere(file, true);
  } catch (error) {
    log.warn(`takes: could not move ${take.path} to the trash: ${errorText(error)}`);
    const forGood = vscode.l10n.t('Delete for Good');
    const detail = vscode.l10n.t('There is no trash here ({0}). Deleting it for good cannot be undone.', errorText(error));
    if (!(await ask(vscode.l10n.t('Take {0} of {1} cannot go to the trash. Delete it for good?', take.index, videoName), detail, forGood))) return false;
    for (const file of files) await deleteIfThere(file, false);
  }
  log.info(`takes: deleted take ${take.index} of ${list.videoPath} (${take.path})`);
  return true;
}

async function deleteIfThere(file: vscode.Uri, useTrash: boolean): Promise<void> {
  const exists = await vscode.workspace.fs.stat(file).then(
    () => true,
    () => false,
  );
  if (exists) await vscode.workspace.fs.delete(file, { useTrash });
}

function describeTake(take: Take): string {
  const s = take.sidecar;
  const when = new Date(take.createdAt).toLocaleString();
  return s ? vscode.l10n.t('Made {0} (task {1}, {2} s).', when, s.taskId, s.price.estimated.seconds) : vscode.l10n.t('Saved {0}; its recipe is unknown.', when);
}

async function modal(message: string, detail: string, action: string): Promise<boolean> {
  return (await vscode.window.showWarningMessage(message, { modal: true, detail }, action)) === action;
}
