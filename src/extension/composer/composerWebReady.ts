import * as path from 'node:path';
import * as vscode from 'vscode';
import type { JournalEntry } from '../../core/journal/taskState';
import { makeWebReady } from '../../core/render/makeWebReady';
import type { ExtensionLog } from '../log/extensionLog';
import { webviewPoster } from '../storyboards/storyboardFrames';
import type { TaskService } from '../tasks/taskService';

/**
 * The composer's Web-ready: once each take is saved, its MP4 is made fast start and its poster `<name>.jpg` written
 * beside it, as a storyboard's `"web": true` does (src/core/render/makeWebReady.ts). A take that does not end saved
 * is left as it is; its own notification says why.
 */
export async function makeWebReadyOnceSaved(tasks: Pick<TaskService, 'waitFor'>, entries: readonly JournalEntry[], log: ExtensionLog): Promise<void> {
  const ended = await tasks.waitFor(entries.map((e) => e.id));
  for (const entry of ended) {
    if (entry.state.status !== 'saved') continue;
    const file = entry.state.filePath;
    const result = await makeWebReady(file, { root: entry.workspaceRoot, poster: webviewPoster });
    log.info(`composer: ${path.basename(file)} made web-ready (${result.remuxed ? 'moov moved first' : 'moov already first'}${result.poster ? `, poster ${path.basename(result.poster)}` : ''})`);
    if (result.problem) {
      log.warn(`composer: ${path.basename(file)}: ${result.problem}`);
      void vscode.window.showWarningMessage(vscode.l10n.t('{0}: {1}.', path.basename(file), result.problem));
    }
  }
}
