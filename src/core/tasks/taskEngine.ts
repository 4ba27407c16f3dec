import { randomBytes } from 'node:crypto';
import type { Dispatcher } from 'undici';
import { isApiError } from '../api/apiError';
import type { CreateRequest } from '../api/apiSchemas';
import { createDispatcher, isLoopback, type KlingClient } from '../api/klingClient';
import { DownloadError, downloadFile } from '../download/downloadFile';
import { relativeFromVideo, writeSidecar } from '../download/sidecar';
import { applyTaskEvent, type TaskEvent } from '../journal/taskEvents';
import { TaskPoller, isPollable, type PollPolicy } from '../journal/taskPoller';
import type { TaskJournal } from '../journal/taskJournal';
import { hasEnded, type JournalEntry } from '../journal/taskState';
import { systemClock, type Clock } from '../time/clock';

export type Backend = JournalEntry['backend'];

/** Everything about a create except what the service will tell us. */
export interface SubmitDraft {
  kind: JournalEntry['kind'];
  label: string;
  request: CreateRequest;
  requestHash: string;
  price: JournalEntry['price'];
  backend: Backend;
  storyboardPath?: string | undefined;
  videoName?: string | undefined;
  elementName?: string | undefined;
  outputPath?: string | undefined;
  /** The workspace the result must stay in: the storyboard's root, the open folder, or the extension's storage. */
  workspaceRoot?: string | undefined;
}

export interface TaskEngineDeps {
  journal: TaskJournal;
  /** The client for the backend a task was created on (the simulator is started on demand). */
  clientFor: (backend: Backend) => Promise<KlingClient>;
  /** The dispatcher for result links, which never get the API key. */
  downloadDispatcher?: ((backend: Backend) => Dispatcher | undefined) | undefined;
  clock?: Clock | undefined;
  pollPolicy?: Partial<PollPolicy> | ((entry: JournalEntry) => Partial<PollPolicy>) | undefined;
  random?: (() => number) | undefined;
  downloadConcurrency?: number | undefined;
  downloadSleep?: ((ms: number, signal?: AbortSignal) => Promise<void>) | undefined;
  log?: ((line: string) => void) | undefined;
}

/**
 * The life of every task, shared by the CLI and the editor: journal before the create, poll until the end,
 * download the result at once (links last 24 hours), write the sidecar. A restarted process calls `start()` and
 * everything unfinished carries on; nothing is created again.
 */
export class TaskEngine {
  private readonly poller: TaskPoller;
  private readonly clock: Clock;
  private readonly downloads = new Map<string, Promise<void>>();
  private readonly waiting: Array<() => void> = [];
  private readonly abort = new AbortController();
  private activeDownloads = 0;
  private readonly downloadQueue: Array<() => void> = [];
  private lastProgressWrite = new Map<string, number>();
  private readonly dispatchers = new Map<string, Dispatcher>();

  constructor(private readonly deps: TaskEngineDeps) {
    this.clock = deps.clock ?? systemClock;
    this.poller = new TaskPoller({
      journal: deps.journal,
      clock: this.clock,
      policy: deps.pollPolicy,
      random: deps.random,
      log: deps.log,
      getTask: async (entry) => (await deps.clientFor(entry.backend)).getTask(entry.taskId!, this.abort.signal),
      onPolled: (entry) => this.afterPoll(entry),
    });
    deps.journal.onDidChange(() => this.wake());
  }

  get journal(): TaskJournal {
    return this.deps.journal;
  }

  /** Picks up every unfinished task from the journal. */
  async start(): Promise<void> {
    for (const entry of this.deps.journal.list()) {
      if (entry.state.status === 'submitting') {
        await this.apply(entry.id, {
          type: 'create-lost',
          reason: 'the program stopped while the create was being sent; a task may have been created and charged',
        });
      } else if (isPollable(entry)) {
        this.poller.watch(entry);
      } else if (this.needsDownload(entry)) {
        this.startDownload(entry);
      }
    }
  }

  /**
   * Sends one create. It is journaled before it is sent, so a crash cannot lose a task that was paid for. A create
   * the service rejected leaves nothing behind; one whose answer was lost stays in the journal as unknown.
   */
  async submit(draft: SubmitDraft, options: { signal?: AbortSignal | undefined } = {}): Promise<JournalEntry> {
    const now = this.clock.now();
    const entry: JournalEntry = {
      id: `job-${now.toString(36)}-${randomBytes(4).toString('hex')}`,
      kind: draft.kind,
      label: draft.label,
      request: draft.request as Record<string, unknown>,
      requestHash: draft.requestHash,
      price: draft.price,
      backend: draft.backend,
      storyboardPath: draft.storyboardPath,
      videoName: draft.videoName,
      elementName: draft.elementName,
      outputPath: draft.outputPath,
      workspaceRoot: draft.workspaceRoot,
      state: { status: 'submitting' },
      polls: 0,
      createdAt: now,
      updatedAt: now,
    };
    await this.deps.journal.add(entry);
    const client = await this.deps.clientFor(draft.backend);
    try {
      // The caller's signal (Ctrl-C) only ends a wait to retry, where nothing was created; a create in flight finishes.
      const task = await client.createTask(draft.request, this.abort.signal, { stopRetrying: options.signal });
      const created = await this.apply(entry.id, { type: 'created', task });
      if (created) this.poller.watch(created);
      return created ?? entry;
    } catch (error) {
      if (isApiError(error, 'outcome-unknown') || this.abort.signal.aborted) {
        const reason = error instanceof Error ? error.message : String(error);
        await this.apply(entry.id, { type: 'create-lost', reason });
      } else {
        await this.deps.journal.remove(entry.id);
      }
      throw error;
    }
  }

  /** Asks the service about a task now (the user's Refresh). */
  refresh(entryId: string): void {
    const entry = this.deps.journal.get(entryId);
    if (entry && isPollable(entry)) this.poller.pollNow(entryId);
  }

  /** Fetches the result again: a fresh look at the task for its link, then the download. */
  async downloadAgain(entryId: string): Promise<void> {
    const entry = this.deps.journal.get(entryId);
    if (!entry?.taskId || !entry.outputPath) throw new Error('This task has no result to download.');
    const client = await this.deps.clientFor(entry.backend);
    let task;
    try {
      task = await client.getTask(entry.taskId, this.abort.signal);
    } catch (error) {
      if (isApiError(error, 'not-found')) {
        await this.apply(entryId, { type: 'not-found', message: `The service no longer knows task ${entry.taskId}.` });
      }
      throw error;
    }
    // Forget the saved state so the poll result (completed, with its link) takes effect, then download.
    await this.deps.journal.update(entryId, (current) => ({ ...current, state: { status: 'pending' } }));
    const updated = await this.apply(entryId, { type: 'polled', task });
    if (updated && this.needsDownload(updated)) await this.startDownload(updated);
  }

  async forget(entryId: string): Promise<void> {
    this.poller.unwatch(entryId);
    await this.deps.journal.remove(entryId);
  }

  /** Resolves when every given entry has ended (saved, failed, expired, or unknown without a task id). */
  async waitFor(entryIds: readonly string[], signal?: AbortSignal): Promise<JournalEntry[]> {
    for (;;) {
      const entries = entryIds.map((id) => this.deps.journal.get(id));
      if (entries.every((e) => !e || hasEnded(e))) return entries.filter((e): e is JournalEntry => e !== undefined);
      await new Promise<void>((resolve, reject) => {
        if (signal?.aborted) return reject(signal.reason);
        const onAbort = () => reject(signal!.reason);
        // Each wake-up removes its own listener, or a long wait would pile them up on the caller's signal.
        this.waiting.push(() => {
          signal?.removeEventListener('abort', onAbort);
          resolve();
        });
        signal?.addEventListener('abort', onAbort, { once: true });
      });
    }
  }

  /** Result links go through the same proxy settings as the API (a corporate proxy), with the stall timeout. */
  private dispatcherFor(url: string): Dispatcher {
    const key = isLoopback(url) ? 'direct' : 'proxied';
    let dispatcher = this.dispatchers.get(key);
    if (!dispatcher) {
      dispatcher = createDispatcher(url);
      this.dispatchers.set(key, dispatcher);
    }
    return dispatcher;
  }

  dispose(): void {
    this.abort.abort(new Error('stopped'));
    for (const dispatcher of this.dispatchers.values()) void dispatcher.close().catch(() => undefined);
    this.dispatchers.clear();
    this.poller.stop();
    this.wake();
  }

  private wake(): void {
    for (const resolve of this.waiting.splice(0)) resolve();
  }

  private needsDownload(entry: JournalEntry): boolean {
    return (
      entry.kind === 'video' &&
      entry.outputPath !== undefined &&
      ((entry.state.status === 'completed' && entry.state.videoUrl !== undefined && entry.lastError === undefined) ||
        entry.state.status === 'downloading')
    );
  }

  private afterPoll(entry: JournalEntry): void {
    if (this.needsDownload(entry)) void this.startDownload(entry);
  }

  private apply(entryId: string, event: TaskEvent): Promise<JournalEntry | undefined> {
    const now = this.clock.now();
    return this.deps.journal.update(entryId, (current) => applyTaskEvent(current, event, now));
  }

  private startDownload(entry: JournalEntry): Promise<void> {
    const running = this.downloads.get(entry.id);
    if (running) return running;
    const job = this.queueDownload(() => this.download(entry.id)).finally(() => this.downloads.delete(entry.id));
    this.downloads.set(entry.id, job);
    return job;
  }

  private async queueDownload(work: () => Promise<void>): Promise<void> {
    const limit = this.deps.downloadConcurrency ?? 3;
    if (this.activeDownloads >= limit) await new Promise<void>((resolve) => this.downloadQueue.push(resolve));
    this.activeDownloads++;
    try {
      await work();
    } finally {
      this.activeDownloads--;
      this.downloadQueue.shift()?.();
    }
  }

  private async download(entryId: string): Promise<void> {
    const entry = this.deps.journal.get(entryId);
    if (!entry || !entry.outputPath || !entry.taskId) return;
    const url = entry.state.status === 'completed' || entry.state.status === 'downloading' ? entry.state.videoUrl : undefined;
    if (!url) return;
    await this.apply(entryId, { type: 'download-started', videoUrl: url });
    const outputPath = entry.outputPath;
    try {
      const result = await downloadFile({
        url,
        targetPath: outputPath,
        root: entry.workspaceRoot,
        // Each address of a redirect chain gets the dispatcher for its kind of host (direct to loopback, else proxied).
        dispatcherFor: (address) => this.deps.downloadDispatcher?.(entry.backend) ?? this.dispatcherFor(address),
        signal: this.abort.signal,
        sleep: this.deps.downloadSleep,
        log: this.deps.log,
        onProgress: (received, total) => this.progress(entryId, received, total),
      });
      const done = this.deps.journal.get(entryId) ?? entry;
      const now = new Date(this.clock.now()).toISOString();
      await writeSidecar(outputPath, {
        kling: 1,
        request: done.request,
        requestHash: done.requestHash,
        taskId: done.taskId!,
        model: String(done.request['model']),
        storyboard: done.storyboardPath ? relativeFromVideo(outputPath, done.storyboardPath) : undefined,
        video: done.videoName,
        label: done.label,
        price: { estimated: done.price, reportedCredits: done.reportedCredits },
        simulated: done.backend.kind === 'simulator',
        bytes: result.bytes,
        createdAt: new Date(done.createdAt).toISOString(),
        completedAt: done.completedAt ? new Date(done.completedAt).toISOString() : undefined,
        savedAt: now,
      }, { root: entry.workspaceRoot });
      await this.apply(entryId, { type: 'downloaded', filePath: outputPath });
      this.deps.log?.(`saved ${outputPath} (${result.bytes} bytes, ${result.requests} request${result.requests === 1 ? '' : 's'})`);
    } catch (error) {
      if (this.abort.signal.aborted) return;
      const message = error instanceof Error ? error.message : String(error);
      this.deps.log?.(`download of task ${entry.taskId} failed: ${message}`);
      await this.apply(entryId, { type: 'download-failed', message, linkExpired: error instanceof DownloadError && error.linkExpired });
    }
  }

  private progress(entryId: string, received: number, total: number | undefined): void {
    // The journal is a file: progress reaches it at most twice a second, and always at the end.
    const now = this.clock.now();
    if (received !== total && now - (this.lastProgressWrite.get(entryId) ?? 0) < 500) return;
    this.lastProgressWrite.set(entryId, now);
    void this.apply(entryId, { type: 'download-progress', receivedBytes: received, totalBytes: total });
  }
}

