import { existsSync, watch, type FSWatcher } from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';

/** A watch on the entries of one folder. */
export interface FolderWatch extends vscode.Disposable {
  /** The watch has stopped (the folder was deleted or moved) or could not start: watch again once the folder is there. */
  readonly closed: boolean;
}

/**
 * Watches the entries of one folder (not below it) and calls `onChange` with each entry created, changed or deleted,
 * or with `undefined` when it cannot say which: the folder itself was deleted or moved (the watch then stops: see
 * `closed`), or the system did not name the entry.
 *
 * A folder on this machine's disk is watched with Node's `fs.watch`, not VS Code's `createFileSystemWatcher`: for a
 * `RelativePattern` of a folder inside the workspace, VS Code starts no watcher of its own but filters the
 * workspace's recursive one, and that one can miss a folder made together with its parent (`mkdir -p`, as a first
 * download makes `media/videos`: parcel-bundler/watcher#97). `fs.watch` is watching when it returns. Other schemes
 * have only VS Code's watcher.
 */
export function watchFolder(folder: vscode.Uri, onChange: (entry: vscode.Uri | undefined) => void): FolderWatch {
  if (folder.scheme !== 'file') return watchWithVsCode(folder, onChange);
  const folderPath = folder.fsPath;
  let watcher: FSWatcher | undefined;
  const stop = (): void => {
    if (!watcher) return;
    watcher.close();
    watcher = undefined;
    onChange(undefined);
  };
  try {
    watcher = watch(folderPath, { persistent: false }, (_event, name) => {
      // Linux reports the folder's own deletion as an event named after it, then reports nothing more.
      if ((!name || name === path.basename(folderPath)) && !existsSync(folderPath)) return stop();
      onChange(name ? vscode.Uri.joinPath(folder, name) : undefined);
    });
    watcher.on('error', stop);
  } catch {
    watcher = undefined; // Gone already: closed from the start.
  }
  return {
    get closed() {
      return !watcher;
    },
    dispose: () => {
      watcher?.close();
      watcher = undefined;
    },
  };
}

function watchWithVsCode(folder: vscode.Uri, onChange: (entry: vscode.Uri | undefined) => void): FolderWatch {
  const watcher = vscode.workspace.createFileSystemWatcher(new vscode.RelativePattern(folder, '*'));
  const subscriptions = [watcher, watcher.onDidCreate(onChange), watcher.onDidChange(onChange), watcher.onDidDelete(onChange)];
  return { closed: false, dispose: () => subscriptions.forEach((s) => s.dispose()) };
}
