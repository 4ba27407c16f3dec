import { mkdir } from 'node:fs/promises';
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { JournalEntry } from '../../core/journal/taskState';
import { parseAmount } from '../../core/pricing/decimal';
import { outgoingOfRequest } from '../../core/request/outgoingData';
import { outgoingLines } from '../../core/request/outgoingLines';
import type { SubmitDraft } from '../../core/tasks/taskEngine';
import type { BackendManager } from '../backend/backendManager';
import { showError } from '../errors/showError';
import type { TaskService } from '../tasks/taskService';
import { passMoneyGuards } from './moneyGuard';

export interface GenerationServices {
  tasks: TaskService;
  backends: BackendManager;
}

/**
 * Sends one create after the money guards, with a progress notification that shows any wait for a retry (a 429
 * is waited out and retried, visibly). Errors are shown with their one helpful action. The task appears in the
 * Tasks view as soon as it is journaled, before the service answers.
 */
export async function submitGeneration(
  services: GenerationServices,
  draft: SubmitDraft,
  options: { what: string; alreadyConfirmed?: boolean; retry?: () => unknown; force?: boolean } = { what: vscode.l10n.t('this video') },
): Promise<JournalEntry | undefined> {
  const usd = parseAmount(draft.price.usd);
  const allowed = await passMoneyGuards(
    { usd, credits: draft.price.credits, what: options.what, backend: draft.backend, detail: outgoingDetail(draft) },
    services.tasks.entries(),
    { alreadyConfirmed: options.alreadyConfirmed },
  );
  if (!allowed) return undefined;
  const workspaceRoot = draft.workspaceRoot ?? workspaceRootOf(draft.outputPath, services.backends.storagePath);
  try {
    // The storage folder may not exist yet, and a root that cannot be found refuses every write.
    if (workspaceRoot === services.backends.storagePath) await mkdir(workspaceRoot, { recursive: true });
    return await vscode.window.withProgress(
      { location: vscode.ProgressLocation.Notification, title: vscode.l10n.t('Kling: creating {0}', options.what) },
      async (progress) => {
        const listener = services.backends.onDidRetry((notice) => {
          const why = notice.status === 429 ? vscode.l10n.t('the service is limiting requests') : notice.status ? vscode.l10n.t('the service answered {0}', notice.status) : vscode.l10n.t('the connection failed');
          progress.report({ message: vscode.l10n.t('{0}; waiting {1} s, then trying again (attempt {2})', why, Math.ceil(notice.waitMs / 1000), notice.attempt + 1) });
        });
        try {
          return await services.tasks.submit({ ...draft, workspaceRoot }, { force: options.force });
        } finally {
          listener.dispose();
        }
      },
    );
  } catch (error) {
    void showError(error, { context: vscode.l10n.t('Could not create {0}', options.what), retry: options.retry });
    return undefined;
  }
}

/** The images and callback URL a draft sends, as the lines under a confirmation; undefined when it sends none. */
export function outgoingDetail(draft: Pick<SubmitDraft, 'request'>): string | undefined {
  return outgoingLines(outgoingOfRequest(draft.request)).join('\n') || undefined;
}

/**
 * The workspace a draft made elsewhere (Regenerate, Generate Again) writes into: the workspace folder that holds its
 * output, else the extension's storage when the output is there; otherwise none, and only links at the files
 * themselves are refused.
 */
function workspaceRootOf(outputPath: string | undefined, storagePath: string): string | undefined {
  if (!outputPath) return undefined;
  const folder = vscode.workspace.getWorkspaceFolder(vscode.Uri.file(outputPath));
  if (folder) return folder.uri.fsPath;
  const relative = path.relative(storagePath, outputPath);
  return relative && !relative.startsWith('..') && !path.isAbsolute(relative) ? storagePath : undefined;
}
