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
    const simulated = entry.backend.kind === 'simulator' ? ' (simulated)' : '';
    if (s.status === 'saved') {
      // A take that did not become the video (another is in use) says so, and opens as itself.
      const take = savedTakeOf(entry);
      const file = vscode.Uri.file(take && !take.inUse ? take.path : s.filePath);
      const video = vscode.workspace.asRelativePath(vscode.Uri.file(s.filePath));
      const message = !take || take.inUse ? `Video ready${simulated}: ${video}` : `New take ready${simulated}: ${video} stays as it is until you use this take`;
      const picked = await vscode.window.showInformationMessage(message, 'Open', 'Reveal');
      if (picked === 'Open') await this.openVideo(file);
      if (picked === 'Reveal') await vscode.commands.executeCommand('revealInExplorer', file);
    } else if (s.status === 'failed') {
      const action = s.retryable ? 'Retry' : 'Edit Prompt…';
      const picked = await vscode.window.showErrorMessage(`"${entry.label}" failed: ${failureText(s.message, s.code)}`, action);
      if (picked === 'Retry') await vscode.commands.executeCommand('klingStudio.task.retry', entry.id);
      if (picked === 'Edit Prompt…') await vscode.commands.executeCommand('klingStudio.generateFromPrompt', promptDefaults(entry));
    } else if (s.status === 'expired') {
      const picked = await vscode.window.showWarningMessage(`"${entry.label}" can no longer be downloaded: ${s.reason}`, 'Retry');
      if (picked === 'Retry') await vscode.commands.executeCommand('klingStudio.task.retry', entry.id);
    } else if (s.status === 'completed' && entry.lastError) {
      const picked = await vscode.window.showWarningMessage(`"${entry.label}" finished, but its download failed: ${entry.lastError}`, 'Download Again');
      if (picked) await vscode.commands.executeCommand('klingStudio.task.downloadAgain', entry.id);
    } else if (s.status === 'unknown' && !entry.taskId) {
      const picked = await vscode.window.showWarningMessage(`"${entry.label}": ${s.reason}`, 'Show Tasks');
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
