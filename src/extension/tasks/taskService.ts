import * as path from 'node:path';
import * as vscode from 'vscode';
import { TaskJournal } from '../../core/journal/taskJournal';
import { RESULT_LINK_TTL_MS } from '../../core/api/taskResults';
import { hasEnded, isDownloadPending, type JournalEntry } from '../../core/journal/taskState';
import type { SubmitDraft, SubmitOptions, TaskEngine } from '../../core/tasks/taskEngine';
import type { BackendManager } from '../backend/backendManager';
import { loadCore } from '../lazyCore';
import { klingSettings } from '../settings/klingSettings';
import type { ExtensionLog } from '../log/extensionLog';
import { Disposable } from '../util/dispose';
import { errorText } from '../../core/text/errorText';

/**
 * The editor's side of the task life cycle. The journal is read while activating (it is small and light), so the
 * Tasks view shows everything at once; the engine that polls and downloads is loaded right after, and only when
 * there is something to resume or to submit.
 */
export class TaskService extends Disposable {
  readonly journal: TaskJournal;
  private engine: Promise<TaskEngine> | undefined;
  private readonly changed = this._register(new vscode.EventEmitter<JournalEntry | undefined>());
  /** Fires with the entry that changed (undefined when one was removed). */
  readonly onDidChange = this.changed.event;

  constructor(
    storage: vscode.Uri,
    private readonly backends: BackendManager,
    private readonly log: ExtensionLog,
  ) {
    super();
    this.journal = new TaskJournal(path.join(storage.fsPath, 'journal.json'));
    const listener = this.journal.onDidChange((entry, id) => {
      if (entry) this.log.info(`task ${entry.taskId ?? id} (${entry.label}): ${entry.state.status}${entry.lastError ? ` — ${entry.lastError}` : ''}`);
      else this.log.info(`task ${id} removed from the journal`);
      this.changed.fire(entry);
    });
    this._register({ dispose: () => listener.dispose() });
    this._register({ dispose: () => void this.engine?.then((engine) => engine.dispose(), () => undefined) });
  }

  async load(): Promise<void> {
    const { problem } = await this.journal.load();
    if (problem) {
      this.log.warn(problem);
      void vscode.window.showWarningMessage(problem);
    }
  }

  entries(): JournalEntry[] {
    return this.journal.list();
  }

  get(id: string): JournalEntry | undefined {
    return this.journal.get(id);
  }

  /** Starts the engine if any task still needs polling or downloading. */
  resumeIfNeeded(): void {
    // A paid video whose download failed is fetched again after a reload too (its link lasts 24 hours).
    const linkValid = (e: JournalEntry) => (e.completedAt ?? Date.now()) + RESULT_LINK_TTL_MS > Date.now();
    if (this.entries().some((e) => !hasEnded(e) || (isDownloadPending(e) && linkValid(e)))) void this.ensureEngine().catch((error) => this.log.error(`could not resume tasks: ${String(error)}`));
  }

  ensureEngine(): Promise<TaskEngine> {
    this.engine ??= (async () => {
      const core = loadCore();
      const simulatorSecond = this.entries().some((e) => e.backend.kind === 'simulator') || this.backends.isSimulated()
        ? await this.backends.secondMs({ kind: 'simulator' })
        : 1000;
      const engine = new core.TaskEngine({
        journal: this.journal,
        clientFor: (backend) => this.backends.clientFor(backend),
        downloadDispatcher: (backend) => this.backends.downloadDispatcher(backend),
        pollPolicy: (entry) => core.pollPolicyFor(entry.backend.kind === 'simulator' ? simulatorSecond : 1000),
        log: (line) => this.log.info(line),
        tool: 'VS Code',
        proxy: () => klingSettings.proxy(),
      });
      await engine.start();
      return engine;
    })();
    return this.engine;
  }

  /** Creates a task (after the money guards), or follows the one another process is making for the same video. */
  async submit(draft: SubmitDraft, options?: SubmitOptions): Promise<JournalEntry> {
    return (await this.ensureEngine()).submit(draft, options);
  }

  /**
   * Shows a task another process (the CLI, another window) is making for a storyboard video, and follows it to its
   * end (or carries it on if that process is gone). Never creates anything.
   */
  async follow(draft: SubmitDraft): Promise<JournalEntry | undefined> {
    const engine = await this.ensureEngine();
    return engine.submit(draft, { mayCreate: false }).catch((error: unknown) => {
      this.log.trace(`not following ${draft.label}: ${errorText(error)}`);
      return undefined;
    });
  }

  async refresh(id?: string): Promise<void> {
    await this.journal.refresh();
    const engine = await this.ensureEngine();
    for (const entry of id ? [this.get(id)] : this.entries()) if (entry) engine.refresh(entry.id);
  }

  async downloadAgain(id: string): Promise<void> {
    await (await this.ensureEngine()).downloadAgain(id);
  }

  async attachTaskId(id: string, taskId: string): Promise<void> {
    await (await this.ensureEngine()).attachTask(id, taskId);
  }

  async forget(id: string): Promise<void> {
    if (this.engine) await (await this.engine).forget(id);
    else await this.journal.remove(id);
  }

  /** Resolves when the entry has ended; for callers that wait on a render. */
  async waitFor(ids: readonly string[]): Promise<JournalEntry[]> {
    return (await this.ensureEngine()).waitFor(ids);
  }
}
