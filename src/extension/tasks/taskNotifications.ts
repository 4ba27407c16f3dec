import * as vscode from 'vscode';
import type { JournalEntry, TaskStatus } from '../../core/journal/taskState';
import { savedTakeOf } from '../takes/savedTake';
import { Disposable } from '../util/dispose';
import type { TaskService } from './taskService';
import { failureText } from '../../core/text/failureText';

/**
 * Tells the user when a task ends: "Video ready" with Open and Reveal, or the failure verbatim with the one action
 * that helps. Only transitions seen while running are announced, never what the journal held at start-up.
 */
export class TaskNotifications extends Disposable {
  private readonly last = new Map<string, string>();

  constructor(
    tasks: TaskService,
    private readonly openVideo: (file: vscode.Uri) => Thenable<unknown>,
  ) {
    super();
    for (const entry of tasks.entries()) this.last.set(entry.id, signature(entry));
    this._register(tasks.onDidChange((entry) => entry && this.onChange(entry)));
  }

  private onChange(entry: JournalEntry): void {
    const now = signature(entry);
    const before = this.last.get(entry.id);
    this.last.set(entry.id, now);
    if (before === now) return;
    void this.announce(entry);
  }

  private async announce(entry: JournalEntry): Promise<void> {
    const s = entry.state;
        if (s.status === 'saved') {
      // A take that did not become the video (another is in use) says so, and opens as itself.
      const take = savedTakeOf(entry);
      const file = vscode.Uri.file(take && !take.inUse ? take.path : s.filePath);
      const video = vscode.workspace.asRelativePath(vscode.Uri.file(s.filePath));
      const simulated = entry.backend.kind === 'simulator';
      const message =
        !take || take.inUse
          ? simulated
            ? vscode.l10n.t('Video ready (simulated): {0}', video)
            : vscode.l10n.t('Video ready: {0}', video)
          : simulated
            ? vscode.l10n.t('New take ready (simulated): {0} stays as it is until you use this take', video)
            : vscode.l10n.t('New take ready: {0} stays as it is until you use this take', video);
      const open = vscode.l10n.t('Open');
      const reveal = vscode.l10n.t('Reveal');
      const picked = await vscode.window.showInformationMessage(message, open, reveal);
      if (picked === open) await this.openVideo(file);
      if (picked === reveal) await vscode.commands.executeCommand('revealInExplorer', file);
    } else if (s.status === 'failed') {
      const retry = vscode.l10n.t('Retry');
      const edit = vscode.l10n.t('Edit Prompt…');
      const picked = await vscode.window.showErrorMessage(vscode.l10n.t('"{0}" failed: {1}', entry.label, failureText(s.message, s.code)), s.retryable ? retry : edit);
      if (picked === retry) await vscode.commands.executeCommand('klingStudio.task.retry', entry.id);
      if (picked === edit) await vscode.commands.executeCommand('klingStudio.generateFromPrompt', promptDefaults(entry));
    } else if (s.status === 'expired') {
      const retry = vscode.l10n.t('Retry');
      const picked = await vscode.window.showWarningMessage(vscode.l10n.t('"{0}" can no longer be downloaded: {1}', entry.label, s.reason), retry);
      if (picked === retry) await vscode.commands.executeCommand('klingStudio.task.retry', entry.id);
    } else if (s.status === 'completed' && entry.lastError) {
      const picked = await vscode.window.showWarningMessage(vscode.l10n.t('"{0}" finished, but its download failed: {1}', entry.label, entry.lastError), vscode.l10n.t('Download Again'));
      if (picked) await vscode.commands.executeCommand('klingStudio.task.downloadAgain', entry.id);
    } else if (s.status === 'unknown' && !entry.taskId) {
      const picked = await vscode.window.showWarningMessage(vscode.l10n.t('"{0}": {1}', entry.label, s.reason), vscode.l10n.t('Show Tasks'));
      if (picked) await vscode.commands.executeCommand('klingStudio.tasks.focus');
    }
  }
}

function signature(entry: JournalEntry): string {
  const status: TaskStatus = entry.state.status;
  return `${status}:${entry.lastError && status === 'completed' ? 'error' : ''}`;
}

function promptDefaults(entry: JournalEntry) {
  const r = entry.request as { prompt?: string; negative_prompt?: string; duration?: number; aspect_ratio?: string; quality?: string; sound?: string };
  return { prompt: r.prompt, negative_prompt: r.negative_prompt, duration: r.duration, aspect_ratio: r.aspect_ratio, quality: r.quality, sound: r.sound };
}

export function registerTaskNotifications(context: vscode.ExtensionContext, deps: { tasks: TaskService; openVideo: (file: vscode.Uri) => Thenable<unknown> }): TaskNotifications {
  const notifications = new TaskNotifications(deps.tasks, deps.openVideo);
  context.subscriptions.push(notifications);
  return notifications;
}
