import * as vscode from 'vscode';
import { TASK_ID_PATTERN } from '../../core/api/taskId';
import type { JournalEntry } from '../../core/journal/taskState';
import { showError } from '../errors/showError';
import { money } from '../generate/moneyGuard';
import { loadFeatures } from '../lazyFeatures';
import { submitGeneration, type GenerationServices } from '../generate/submitGeneration';
import type { RefreshedRequest } from '../../core/uploads/refreshUploads';
import { savedTakeOf } from '../takes/savedTake';
import { Disposable } from '../util/dispose';
import { isRunning } from './taskPresentation';
import type { TaskTreeNode } from './taskTree';
import { errorText } from '../../core/text/errorText';

type TaskArg = TaskTreeNode | { id: string } | string | undefined;

/** The commands on a task (its context menu and inline buttons), plus Refresh Tasks. */
export class TaskCommands extends Disposable {
  constructor(
    private readonly services: GenerationServices,
    private readonly openVideo: (file: vscode.Uri) => Thenable<unknown>,
  ) {
    super();
    const register = (id: string, run: (entry: JournalEntry) => unknown) =>
      this._register(
        vscode.commands.registerCommand(id, async (arg: TaskArg) => {
          const entry = this.entryOf(arg);
          if (!entry) return void vscode.window.showWarningMessage(vscode.l10n.t('That task is no longer in the journal.'));
          try {
            await run(entry);
          } catch (error) {
            await showError(error);
          }
        }),
      );
    this._register(vscode.commands.registerCommand('klingStudio.refreshTasks', () => this.services.tasks.refresh().catch((e) => showError(e))));
    register('klingStudio.task.refresh', (entry) => this.services.tasks.refresh(entry.id));
    register('klingStudio.task.open', (entry) => this.open(entry));
    register('klingStudio.task.retry', (entry) => this.retry(entry));
    // The same, for a create that got no answer: its dialog says first that it may pay twice.
    register('klingStudio.task.createAgain', (entry) => this.retry(entry));
    register('klingStudio.task.downloadAgain', (entry) => this.downloadAgain(entry));
    // A create with no answer whose task the user then found in the service's list: fetched, never paid again.
    register('klingStudio.task.attachTaskId', (entry) => this.attachTaskId(entry));
    register('klingStudio.task.reveal', (entry) => {
      const file = savedFile(entry);
      return file ? vscode.commands.executeCommand('revealInExplorer', file) : undefined;
    });
    register('klingStudio.task.copyId', async (entry) => {
      if (!entry.taskId) return void vscode.window.showInformationMessage(vscode.l10n.t('This task has no id: the service never answered its create.'));
      await vscode.env.clipboard.writeText(entry.taskId);
      void vscode.window.setStatusBarMessage(vscode.l10n.t('Copied {0}', entry.taskId), 3000);
    });
    register('klingStudio.task.forget', (entry) => this.forget(entry));
  }

  private entryOf(arg: TaskArg): JournalEntry | undefined {
    const id = typeof arg === 'string' ? arg : arg && 'id' in arg ? arg.id : undefined;
    return id ? this.services.tasks.get(id) : undefined;
  }

  private async open(entry: JournalEntry): Promise<void> {
    const file = savedFile(entry);
    if (!file) return void vscode.window.showInformationMessage(vscode.l10n.t('This video has not been saved yet.'));
    try {
      await vscode.workspace.fs.stat(file);
    } catch {
      const again = vscode.l10n.t('Download Again');
      const picked = await vscode.window.showWarningMessage(vscode.l10n.t('{0} is no longer on disk.', file.fsPath), again);
      if (picked === again) await this.downloadAgain(entry);
      return;
    }
    await this.openVideo(file);
  }

  /** The same request again, as a new task: the price is shown and the money guards apply. */
  private async retry(entry: JournalEntry): Promise<void> {
    if (entry.kind !== 'video') return void vscode.window.showInformationMessage(vscode.l10n.t('Elements are created again by rendering their storyboard.'));
    const draft = {
      kind: entry.kind,
      label: entry.label,
      request: entry.request as never,
      requestHash: entry.requestHash,
      price: entry.price,
      backend: entry.backend,
      storyboardPath: entry.storyboardPath,
      videoName: entry.videoName,
      outputPath: entry.outputPath,
      workspaceRoot: entry.workspaceRoot,
      uploads: entry.uploads,
      elements: entry.elements,
    };
    // Its frames first: an expired upload is sent again from its unchanged source, a changed one is the user's to pick.
    const frames = await loadFeatures().framesToSend(draft, this.services, entry.backend, entry.workspaceRoot);
    if (!frames) return;
    const what = vscode.l10n.t('"{0}" again', entry.label);
    const price = money(entry.price.usd);
    const simulated = entry.backend.kind === 'simulator' ? vscode.l10n.t(' on the simulator: nothing is spent') : '';
    // A create that got no answer may have made (and charged) a task: creating again may pay twice, and says so.
    const unknown = entry.state.status === 'unknown' && entry.taskId === undefined;
    const go = unknown ? vscode.l10n.t('Create Again for {0} (May Pay Twice)', price) : vscode.l10n.t('Generate for {0}', price);
    const question = unknown
      ? vscode.l10n.t(
          'Create "{0}" again? Its earlier create got no answer, so a task may already exist and be charged: check the service\'s task list first. Creating again costs {1} ({2} credits){3}, and may pay twice.',
          entry.label,
          price,
          entry.price.credits,
          simulated,
        )
      : vscode.l10n.t('Generate {0}? It costs {1} ({2} credits){3}.', what, price, entry.price.credits, simulated);
    const options = { modal: true, detail: frames.detail };
    const picked = unknown ? await vscode.window.showWarningMessage(question, options, go) : await vscode.window.showInformationMessage(question, options, go);
    if (picked !== go) return;
    let refreshed: RefreshedRequest;
    try {
      refreshed = await frames.apply();
    } catch (error) {
      void vscode.window.showErrorMessage(vscode.l10n.t('Not generated: {0}', errorText(error)));
      return;
    }
    await submitGeneration(
      this.services,
      { ...draft, request: refreshed.request as never, uploads: refreshed.uploads, requestHash: refreshed.requestHash },
      { what, alreadyConfirmed: true, force: unknown },
    );
  }

  private async downloadAgain(entry: JournalEntry): Promise<void> {
    await vscode.window.withProgress({ location: vscode.ProgressLocation.Notification, title: vscode.l10n.t('Kling: downloading {0}', entry.label) }, () =>
      this.services.tasks.downloadAgain(entry.id),
    );
  }

  private async attachTaskId(entry: JournalEntry): Promise<void> {
    if (entry.state.status !== 'unknown' || entry.taskId) return void vscode.window.showInformationMessage(vscode.l10n.t('"{0}" already has its task.', entry.label));
    const taskId = await vscode.window.showInputBox({
      title: vscode.l10n.t('Kling: the task "{0}" made', entry.label),
      prompt: vscode.l10n.t('The id of the task, as the service\'s task list shows it. Kling Studio follows it and saves its video; nothing is created.'),
      placeHolder: 'task-unified-…',
      ignoreFocusOut: true,
      validateInput: (value) => (TASK_ID_PATTERN.test(value.trim()) ? undefined : vscode.l10n.t('A task id looks like {0}.', 'task-unified-1757169743-ab12cd34')),
    });
    if (!taskId) return;
    await vscode.window.withProgress({ location: vscode.ProgressLocation.Notification, title: vscode.l10n.t('Kling: looking up {0}', taskId.trim()) }, () =>
      this.services.tasks.attachTaskId(entry.id, taskId.trim()),
    );
  }

  private async forget(entry: JournalEntry): Promise<void> {
    if (isRunning(entry) || entry.state.status === 'unknown') {
      const forget = vscode.l10n.t('Forget');
      const picked = await vscode.window.showWarningMessage(
        vscode.l10n.t('Forget "{0}"? Kling Studio will stop watching it; the service may still finish (and charge) it, and its video will not be downloaded.', entry.label),
        { modal: true },
        forget,
      );
      if (picked !== forget) return;
    }
    await this.services.tasks.forget(entry.id);
  }
}

/**
 * What a saved task made: the video itself while its take is the one in use (the path its storyboard names), else its
 * own take (Kling Preview says which take it is).
 */
function savedFile(entry: JournalEntry): vscode.Uri | undefined {
  if (entry.state.status !== 'saved') return undefined;
  const take = savedTakeOf(entry);
  return vscode.Uri.file(take && !take.inUse ? take.path : entry.state.filePath);
}

export function registerTaskCommands(context: vscode.ExtensionContext, deps: GenerationServices & { openVideo: (file: vscode.Uri) => Thenable<unknown> }): TaskCommands {
  const commands = new TaskCommands({ tasks: deps.tasks, backends: deps.backends }, deps.openVideo);
  context.subscriptions.push(commands);
  return commands;
}
