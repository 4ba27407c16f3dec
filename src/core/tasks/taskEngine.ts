import { randomBytes } from 'node:crypto';
import { readdir, stat } from 'node:fs/promises';
import * as path from 'node:path';
import type { Dispatcher } from 'undici';
import { isApiError } from '../api/apiError';
import type { CreateRequest, Task } from '../api/apiSchemas';
import { createDispatcher, isLoopback, type KlingClient } from '../api/klingClient';
import { bypassesProxy, type ProxySettings } from '../api/proxySettings';
import { RESULT_LINK_TTL_MS } from '../api/taskResults';
import { CLAIM_HEARTBEAT_MS, ClaimStore, isClaimOwnerGone, listClaims, readClaim, readClaimFile, videoClaimRef, type Claim, type ClaimDecision, type ClaimRef } from '../claims/claimStore';
import { DownloadError, downloadFile } from '../download/downloadFile';
import { assertInsideRoot } from '../fs/workspaceBoundary';
import { readSidecar, relativeFromVideo, writeSidecar } from '../download/sidecar';
import { applyTaskEvent, type TaskEvent } from '../journal/taskEvents';
import { DEFAULT_POLL_POLICY, TaskPoller, isPollable, type PollPolicy } from '../journal/taskPoller';
import type { TaskJournal } from '../journal/taskJournal';
import { hasEnded, isDownloadPending, type Backend, type JournalEntry } from '../journal/taskState';
import { describeOwner, livenessOf, newOwner, releaseOwner, type ProcessOwner } from '../process/processOwner';
import { takePathOf } from '../takes/takeLayout';
import { landTake } from '../takes/takeStore';
import { placeOfEntry, type VideoRef } from '../records/videoLocations';
import { systemClock, type Clock } from '../time/clock';
import { downloadFailureMessage } from './downloadFailure';
import { errorText } from '../text/errorText';


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
  /** Where its claim lives; by default, beside `outputPath` (a video). Elements name theirs. */
  claim?: ClaimRef | undefined;
  /** The local images uploaded for it (kept in the journal and the sidecar, for Regenerate and Retry). */
  uploads?: JournalEntry['uploads'];
  /** The elements it names, with their names (for the sidecar and the preview). */
  elements?: JournalEntry['elements'];
  /** A take made on request (Regenerate): it becomes the video only if there is none (see JournalEntry.keepChosen). */
  keepChosen?: boolean | undefined;
}

export interface SubmitOptions {
  /** Create anew over a saved result or an unknown outcome (never beside a task still under way). */
  force?: boolean | undefined;
  /**
   * False for a video whose price the user was not asked to pay (it looked under way when the plan was made): it is
   * followed or taken over if it still is, and never created (NotCreatedError).
   */
  mayCreate?: boolean | undefined;
  /** The caller's stop (Ctrl-C): it ends a wait to retry a create, where nothing was created; a create in flight finishes. */
  signal?: AbortSignal | undefined;
}

/** A claim file that cannot be read stands beside the result: it may stand for a paid task. Nothing was sent. */
export class ClaimUnreadableError extends Error {
  constructor(label: string, file: string, problem: string) {
    super(
      `${label} was not created: its claim ${file} cannot be read (${problem}). It may stand for a task already paid for: ` +
        "check the service's task list, then render with --force (Create Again in the editor) to make it anew.",
    );
    this.name = 'ClaimUnreadableError';
  }
}

/** A create that was needed but not allowed (its price was not shown). Nothing was sent. */
export class NotCreatedError extends Error {
  constructor(label: string, reason: string) {
    super(`${label} was not created: ${reason}. Render it again to see its price.`);
    this.name = 'NotCreatedError';
  }
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
  /** Who this engine is, in claims and journal entries ("kling render", "VS Code"). */
  tool?: string | undefined;
  /** Its owner identity; by default a new one, released by dispose(). */
  owner?: ProcessOwner | undefined;
  /** How long a result link lasts (24 h; tests shorten it). */
  linkTtlMs?: number | undefined;
  /** How often tasks driven by another process are looked at (their claims, or the shared journal). */
  observeMs?: number | undefined;
  /** The editor's proxy settings now, for result links (the API client gets them from its own options). */
  proxy?: (() => ProxySettings | undefined) | undefined;
}

/**
 * The life of every task, shared by the CLI and the editor: journal and claim before the create, poll until the end,
 * download the result at once (links last 24 hours), write the sidecar. A restarted process calls `start()` and
 * everything unfinished carries on; nothing is created again.
 *
 * Each task is driven by one process, its owner. Others that want the same video find the owner's claim beside the
 * result: they follow it (their journal mirrors the claim) and take it over if its owner is gone. See
 * docs/architecture.md, "Claims".
 */
export class TaskEngine {
  readonly owner: ProcessOwner;
  private readonly ownsOwner: boolean;
  private readonly poller: TaskPoller;
  private readonly clock: Clock;
  private readonly claims: ClaimStore;
  private readonly linkTtlMs: number;
  private readonly downloads = new Map<string, Promise<void>>();
  private readonly downloadTimers = new Map<string, unknown>();
  private readonly waiting: Array<() => void> = [];
  private readonly abort = new AbortController();
  private activeDownloads = 0;
  private readonly downloadQueue: Array<() => void> = [];
  private lastProgressWrite = new Map<string, number>();
  private readonly dispatchers = new Map<string, Dispatcher>();
  /** Entries another process drives: looked at every `observeMs` until they end or are ours. */
  private readonly observed = new Set<string>();
  private observeTimer: unknown;
  private observing: Promise<void> | undefined;
  private heartbeatTimer: unknown;
  private attaching: Promise<unknown> = Promise.resolve();
  /** Changes under way, by entry: a caller told that a task ended must find its claim in its final state too. */
  private readonly applying = new Map<string, Set<Promise<unknown>>>();
  private disposed = false;

  constructor(private readonly deps: TaskEngineDeps) {
    this.clock = deps.clock ?? systemClock;
    this.ownsOwner = deps.owner === undefined;
    this.owner = deps.owner ?? newOwner(deps.tool);
    this.claims = new ClaimStore(this.owner, () => this.clock.now());
    this.linkTtlMs = deps.linkTtlMs ?? RESULT_LINK_TTL_MS;
    this.poller = new TaskPoller({
      journal: deps.journal,
      clock: this.clock,
      policy: deps.pollPolicy,
      random: deps.random,
      log: deps.log,
      getTask: async (entry) => (await deps.clientFor(entry.backend)).getTask(entry.taskId!, this.abort.signal),
      onPolled: (entry) => this.afterPoll(entry),
      apply: (entryId, event) => this.apply(entryId, event),
      drives: (entry) => this.isMine(entry),
    });
    deps.journal.onDidChange(() => this.wake());
  }

  get journal(): TaskJournal {
    return this.deps.journal;
  }

  /** Picks up every unfinished task from the journal: its own, those of gone processes, and those others drive. */
  async start(): Promise<void> {
    for (const entry of this.deps.journal.list()) await this.resume(entry);
    this.armHeartbeat();
  }

  /**
   * Creates one task, or finds that it needs no creating. The claim beside the result is checked first (under its
   * folder's lock): a live process already making the same video is followed; a task whose owner is gone is taken
   * over; an earlier create with an unknown outcome is not sent again unless forced. A create is journaled and
   * claimed before it is sent, so a crash cannot lose a task that was paid for. A create the service refused leaves
   * nothing behind; one whose answer was lost stays as unknown.
   */
  async submit(draft: SubmitDraft, options: SubmitOptions = {}): Promise<JournalEntry> {
    const now = this.clock.now();
    const ref = draft.claim ?? (draft.kind === 'video' && draft.outputPath ? videoClaimRef(draft.outputPath, draft.requestHash, draft.backend) : undefined);
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
      uploads: draft.uploads,
      elements: draft.elements,
      owner: this.owner,
      startedBy: this.owner.tool,
      claim: ref ? { dir: ref.dir, key: ref.key, generation: 0 } : undefined,
      workspaceRoot: draft.workspaceRoot,
      ...(draft.keepChosen ? { keepChosen: true } : {}),
      state: { status: 'submitting' },
      polls: 0,
      createdAt: now,
      updatedAt: now,
    };
    // The claim is written beside the result: that folder must stay inside the workspace (a link in a cloned repo
    // must not lead the claim, or later the video, outside). Checked before anything is recorded or sent.
    if (ref && draft.workspaceRoot) await assertInsideRoot(ref.dir, draft.workspaceRoot, 'the output folder');
    const rootedRef = ref ? { ...ref, root: draft.workspaceRoot } : undefined;
    // Journaled first: a crash before the claim is written leaves an entry that a restart finds unclaimed and drops.
    await this.deps.journal.add(entry);
    this.armHeartbeat();
    if (!ref) return this.send(entry, draft.request, undefined, options.signal);
    let decision: ClaimDecision;
    try {
      decision = await this.claims.acquire(rootedRef!, entry, { force: options.force, mayCreate: options.mayCreate, linkTtlMs: this.linkTtlMs });
    } catch (error) {
      await this.deps.journal.remove(entry.id);
      throw error;
    }
    if (decision.kind === 'create') return this.send(entry, draft.request, decision.claim.generation, options.signal);
    if (decision.kind === 'saved') {
      this.deps.log?.(`${draft.label}: saved meanwhile by another process (task ${decision.taskId}); nothing created`);
      return (await this.deps.journal.update(entry.id, (current) => applyTaskEvent(current, { type: 'found-saved', taskId: decision.taskId, filePath: decision.filePath }, this.clock.now()))) ?? entry;
    }
    await this.deps.journal.remove(entry.id);
    if (decision.kind === 'refused') throw new NotCreatedError(draft.label, decision.reason);
    if (decision.kind === 'unreadable') throw new ClaimUnreadableError(draft.label, decision.file, decision.problem);
    return this.settleDecision(ref, decision, entry);
  }

  /** Asks the service about a task now (the user's Refresh). */
  refresh(entryId: string): void {
    const entry = this.deps.journal.get(entryId);
    if (entry && this.isMine(entry) && isPollable(entry)) this.poller.pollNow(entryId);
  }

  /**
   * Fetches the result again: a fresh look at the task for its link, then the download. A task another live
   * process drives is left to it (it says so); one whose owner is gone is taken over first.
   */
  async downloadAgain(entryId: string): Promise<JournalEntry | undefined> {
    let entry = this.deps.journal.get(entryId);
    if (!entry?.taskId || !entry.outputPath) throw new Error('This task has no result to download.');
    if (!this.isMine(entry)) {
      entry = await this.adoptIfGone(entry, { pendingDownload: true });
      if (!entry || !this.isMine(entry)) {
        throw new Error(`${describeOwner(this.deps.journal.get(entryId)?.owner ?? this.owner)} is downloading this video now; it is saved when that is done.`);
      }
    }
    // A download already under way (with a link that may be dead) ends first; then a fresh look, then ours.
    const running = this.downloads.get(entryId);
    if (running) {
      await running.catch(() => undefined);
      const after = this.deps.journal.get(entryId);
      if (after && (await this.alreadySaved(after, after.outputPath!))) return after;
    }
    const current = this.deps.journal.get(entryId);
    if (!current) return undefined;
    await this.refetch(current);
    const updated = this.deps.journal.get(entryId);
    if (updated && this.needsDownload(updated, true)) await this.startDownload(updated);
    return this.deps.journal.get(entryId);
  }

  /**
   * The user found, in the service's task list, the task a create with an unknown outcome made: the entry takes its
   * id and is driven to its end (polled, downloaded) like any other. Nothing is created. Refused when the service does
   * not know the task, when another entry already has it, or when a live process holds the claim.
   */
  attachTask(entryId: string, taskId: string): Promise<JournalEntry | undefined> {
    // One attach at a time: two clicks at once must not both find the task free and both take it.
    const attach = this.attaching.then(() => this.attachNow(entryId, taskId));
    this.attaching = attach.catch(() => undefined);
    return attach;
  }

  private async attachNow(entryId: string, taskId: string): Promise<JournalEntry | undefined> {
    await this.deps.journal.refresh();
    const entry = this.deps.journal.get(entryId);
    if (!entry || entry.taskId !== undefined || entry.state.status !== 'unknown') {
      throw new Error('Only a create whose outcome is unknown can be given the id of the task it made.');
    }
    const other = this.deps.journal.findByTaskId(taskId);
    if (other) throw new Error(`Task ${taskId} is already known here, as ${other.label}.`);
    const holder = await this.holderInOutputFolder(entry, taskId);
    if (holder) throw new Error(`Task ${taskId} is already the create of ${holder}; a task is the create of one video only.`);
    const client = await this.deps.clientFor(entry.backend);
    let task: Task;
    try {
      task = await client.getTask(taskId, this.abort.signal);
    } catch (error) {
      if (isApiError(error, 'not-found')) throw new Error(`The service does not know task ${taskId}: check the id in its task list.`);
      throw error;
    }
    const mismatch = foundTaskMismatch(entry, task);
    if (mismatch) throw new Error(`Task ${taskId} is not the one this create made: ${mismatch}. Check the id in the service's task list.`);
    if (!this.isMine(entry)) {
      const ref = claimRefOf(entry);
      if (ref) {
        const adopted = await this.claims.adopt(ref, entry.claim!.generation);
        if (!adopted) throw new Error(`${describeOwner(entry.owner ?? this.owner)} still holds this video; try again when it has ended.`);
        await this.apply(entryId, { type: 'taken-over', owner: this.owner, generation: adopted.generation });
      } else {
        await this.apply(entryId, { type: 'taken-over', owner: this.owner });
      }
    }
    const attached = await this.apply(entryId, { type: 'created', task });
    if (attached) {
      this.deps.log?.(`${attached.label}: task ${taskId}, found by the user, is followed to its end`);
      this.drive(attached);
    }
    return this.deps.journal.get(entryId);
  }

  /**
   * Another video in the same output folder that has this task: saved (its sidecar names it) or on its way (its claim
   * does). Another process's journal is not ours to read, but what it writes beside the videos is.
   */
  private async holderInOutputFolder(entry: JournalEntry, taskId: string): Promise<string | undefined> {
    if (!entry.outputPath) return undefined;
    const folder = path.dirname(entry.outputPath);
    const claimDirs = new Set([folder, ...(entry.claim ? [entry.claim.dir] : [])]);
    for (const dir of claimDirs) {
      for (const { claim } of await listClaims(dir)) {
        if (claim.entry.taskId === taskId && claim.entry.id !== entry.id) return claim.entry.outputPath ? path.basename(claim.entry.outputPath) : claim.entry.label;
      }
    }
    let names: string[];
    try {
      names = await readdir(folder);
    } catch {
      return undefined;
    }
    for (const name of names.filter((n) => n.toLowerCase().endsWith('.mp4'))) {
      const video = path.join(folder, name);
      if (video === entry.outputPath) continue;
      if ((await readSidecar(video))?.taskId === taskId) return name;
    }
    return undefined;
  }

  async forget(entryId: string): Promise<void> {
    this.poller.unwatch(entryId);
    this.observed.delete(entryId);
    await this.deps.journal.remove(entryId);
  }

  /** Resolves when every given entry has ended (saved, failed, expired, unknown without a task id, download pending). */
  async waitFor(entryIds: readonly string[], signal?: AbortSignal): Promise<JournalEntry[]> {
    for (;;) {
      const entries = entryIds.map((id) => this.deps.journal.get(id));
      if (entries.every((e) => !e || hasEnded(e))) {
        const pending = entryIds.flatMap((id) => [...(this.applying.get(id) ?? [])]);
        if (pending.length) {
          await Promise.allSettled(pending);
          continue;
        }
        return entryIds.map((id) => this.deps.journal.get(id)).filter((e): e is JournalEntry => e !== undefined);
      }
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

  /** Whether this engine drives the entry (polls, downloads, writes its claim). */
  isMine(entry: JournalEntry): boolean {
    return entry.owner === undefined || entry.owner.token === this.owner.token;
  }

  /** Result links go through the same proxy settings as the API (a corporate proxy), with the stall timeout. */
  private dispatcherFor(url: string): Dispatcher {
    const proxy = this.deps.proxy?.();
    const direct = isLoopback(url) || (proxy?.url !== undefined && proxy.url !== '' && bypassesProxy(new URL(url).hostname, proxy.noProxy));
    const key = direct ? 'direct' : `proxied:${proxy?.url ?? ''}:${proxy?.strictSSL ?? ''}`;
    let dispatcher = this.dispatchers.get(key);
    if (!dispatcher) {
      dispatcher = createDispatcher(url, undefined, proxy);
      this.dispatchers.set(key, dispatcher);
    }
    return dispatcher;
  }

  /**
   * Resolves once the work under way has finished: journal and claim writes, downloads (aborted by dispose()), the
   * look at other processes' claims. A process that is about to exit awaits it after dispose(), so that no claim or
   * lock is left half-written behind it.
   */
  async idle(): Promise<void> {
    for (;;) {
      const pending = [...[...this.applying.values()].flatMap((set) => [...set]), ...this.downloads.values(), ...(this.observing ? [this.observing] : [])];
      if (pending.length === 0) return;
      await Promise.allSettled(pending);
    }
  }

  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    this.abort.abort(new Error('stopped'));
    for (const dispatcher of this.dispatchers.values()) void dispatcher.close().catch(() => undefined);
    this.dispatchers.clear();
    this.poller.stop();
    if (this.observeTimer !== undefined) this.clock.clearTimeout(this.observeTimer);
    if (this.heartbeatTimer !== undefined) this.clock.clearTimeout(this.heartbeatTimer);
    for (const timer of this.downloadTimers.values()) this.clock.clearTimeout(timer);
    this.downloadTimers.clear();
    // From now on this owner counts as gone: another engine (another window, the next run) may take its tasks over.
    if (this.ownsOwner) releaseOwner(this.owner);
    this.wake();
  }

  // ---- creating ----

  private async send(entry: JournalEntry, request: CreateRequest, generation: number | undefined, stop: AbortSignal | undefined): Promise<JournalEntry> {
    const client = await this.deps.clientFor(entry.backend).catch(async (error: unknown) => {
      await this.unclaim(entry, generation);
      throw error;
    });
    try {
      // The caller's stop only ends a wait to retry, where nothing was created; a create in flight finishes.
      const task = await client.createTask(request, this.abort.signal, { stopRetrying: stop });
      const created = await this.apply(entry.id, { type: 'created', task, generation });
      if (created) this.poller.watch(created);
      return created ?? entry;
    } catch (error) {
      if (isApiError(error, 'outcome-unknown') || this.abort.signal.aborted) {
        const reason = errorText(error);
        await this.apply(entry.id, { type: 'create-lost', reason, generation });
      } else {
        await this.unclaim(entry, generation);
      }
      throw error;
    }
  }

  /** The create was refused, so nothing exists: no entry, no claim. */
  private async unclaim(entry: JournalEntry, generation: number | undefined): Promise<void> {
    await this.deps.journal.remove(entry.id);
    if (entry.claim && generation !== undefined) await this.claims.remove(claimRefOf(entry)!, generation).catch(() => undefined);
  }

  /**
   * Turns a claim decision other than "create" into a journal entry, and starts following or driving it. What the
   * task is and how it goes comes from the claim; where its video goes (its path, its workspace, its storyboard) comes
   * from `ours`, the draft this process made: a claim copied from another project, or planted in a repo, never decides
   * where a file is written.
   */
  private async settleDecision(ref: ClaimRef, decision: Exclude<ClaimDecision, { kind: 'create' | 'refused' | 'saved' | 'unreadable' }>, ours: JournalEntry): Promise<JournalEntry> {
    const claim = decision.claim;
    // A journal shared with the claim's owner may hold its entry already, written after we last read it.
    if (!this.entryForClaim(ref, claim, ours)) await this.deps.journal.refresh();
    const existing = this.entryForClaim(ref, claim, ours);
    const entry = existing ?? (await this.deps.journal.add(this.followerOf(ref, claim, ours)));
    switch (decision.kind) {
      case 'follow':
      case 'unknown':
      case 'done': {
        const mirrored = existing && existing.id === claim.entry.id ? existing : await this.apply(entry.id, { type: 'mirrored', from: claim.entry });
        if (decision.kind === 'follow') this.observe(entry.id);
        return mirrored ?? entry;
      }
      case 'take-over': {
        const mine = (await this.apply(entry.id, { type: 'taken-over', owner: this.owner, generation: claim.generation })) ?? entry;
        this.deps.log?.(`took over ${mine.label} (task ${mine.taskId ?? 'not yet created'}): the process that drove it is gone`);
        if (decision.refetch) {
          void this.downloadAgain(mine.id).catch((error: unknown) => this.deps.log?.(`fetching ${mine.label} again failed: ${errorText(error)}`));
        } else {
          this.drive(mine);
        }
        return this.deps.journal.get(mine.id) ?? mine;
      }
    }
  }

  /**
   * Our journal's entry for this claim's task: the owner's own (a journal both share, for the same output) or one
   * that follows it.
   */
  private entryForClaim(ref: ClaimRef, claim: Claim, ours: JournalEntry): JournalEntry | undefined {
    return this.deps.journal
      .list()
      .find(
        (e) =>
          e.outputPath === ours.outputPath &&
          (e.id === claim.entry.id || (e.claim?.dir === ref.dir && e.claim.key === ref.key && e.claim.generation === claim.generation)),
      );
  }

  /**
   * A new entry in our journal for a task another process drives: the task as its claim says (id, state, request
   * sent, times), where it goes as our draft says.
   */
  private followerOf(ref: ClaimRef, claim: Claim, ours: JournalEntry): JournalEntry {
    const now = this.clock.now();
    const task = claim.entry;
    return {
      ...ours,
      id: `job-${now.toString(36)}-${randomBytes(4).toString('hex')}`,
      request: task.request,
      reportedCredits: task.reportedCredits,
      taskId: task.taskId,
      state: task.state,
      polls: task.polls,
      stalled: task.stalled,
      lastError: task.lastError,
      createdAt: task.createdAt,
      updatedAt: now,
      completedAt: task.completedAt,
      finishedAt: task.finishedAt,
      notFound: task.notFound,
      downloadAttempts: task.downloadAttempts,
      nextDownloadAt: task.nextDownloadAt,
      claim: { dir: ref.dir, key: ref.key, generation: claim.generation },
      owner: claim.owner,
      startedBy: task.startedBy ?? claim.owner.tool,
    };
  }

  // ---- picking up, following, taking over ----

  private async resume(entry: JournalEntry): Promise<void> {
    if (this.isMine(entry)) return this.resumeMine(entry);
    const owner = entry.owner!;
    if (livenessOf(owner) === 'gone') {
      await this.adoptIfGone(entry);
      return;
    }
    if (!hasEnded(entry) || isDownloadPending(entry)) this.observe(entry.id);
  }

  private async resumeMine(entry: JournalEntry): Promise<void> {
    if (entry.state.status === 'submitting') {
      // A journal of an older version: nothing says whether the create left, so it may have been charged.
      await this.apply(entry.id, {
        type: 'create-lost',
        reason: 'the program stopped while the create was being sent; a task may have been created and charged',
      });
      return;
    }
    this.drive(entry);
  }

  /** Starts what an entry this engine drives needs next: a poll, or a download. */
  private drive(entry: JournalEntry): void {
    // The heartbeat stops when nothing is live; whatever starts driving a task again restarts it.
    this.armHeartbeat();
    if (isPollable(entry)) this.poller.watch(entry);
    else if (this.needsDownload(entry, true)) void this.startDownload(entry);
  }

  /**
   * An entry whose owner is gone. A create it was sending: unknown if its claim says it was on its way (it may have
   * been charged), dropped if it never got that far. Anything else: taken over through its claim (or directly, when
   * it has none), then driven. Returns the entry as it is after.
   */
  private async adoptIfGone(entry: JournalEntry, options: { pendingDownload?: boolean } = {}): Promise<JournalEntry | undefined> {
    const ref = entry.claim;
    if (entry.state.status === 'submitting') {
      const claim = ref ? await readClaim(ref) : undefined;
      if (ref && claim?.entry.id === entry.id) {
        const lost = await this.claims.markUnknown(claimRefOf(entry)!, claim.generation).catch(() => undefined);
        const reason = lost?.entry.state.status === 'unknown' ? lost.entry.state.reason : `${describeOwner(entry.owner!)} stopped while it was sending the create; a task may have been created and charged`;
        return this.apply(entry.id, { type: 'sender-lost', reason });
      }
      if (ref) {
        // Its claim was never written (or belongs to another attempt): the create never left.
        this.deps.log?.(`dropped ${entry.label}: ${describeOwner(entry.owner!)} stopped before sending its create`);
        await this.deps.journal.remove(entry.id);
        return undefined;
      }
      return this.apply(entry.id, { type: 'sender-lost', reason: `${describeOwner(entry.owner!)} stopped while it was sending the create; a task may have been created and charged` });
    }
    if (!ref) {
      const mine = await this.apply(entry.id, { type: 'taken-over', owner: this.owner });
      if (mine) this.drive(mine);
      return mine;
    }
    // A claims folder that went (deleted, or swapped for a link) adopts nothing: the entry is followed as it is.
    const adopted = await this.claims.adopt(claimRefOf(entry)!, ref.generation, options).catch(() => undefined);
    if (adopted) {
      const mine = await this.apply(entry.id, { type: 'taken-over', owner: this.owner, generation: adopted.generation });
      if (mine) {
        this.deps.log?.(`took over ${mine.label} (task ${mine.taskId}): ${describeOwner(entry.owner!)} is gone`);
        this.drive(mine);
      }
      return mine;
    }
    // Someone else got there first, or the claim moved on: follow whatever it says now.
    const claim = await readClaim(ref);
    if (claim && claim.entry.id !== entry.id) {
      const mirrored = await this.apply(entry.id, { type: 'mirrored', from: claim.entry });
      if (mirrored && !hasEnded(mirrored)) this.observe(entry.id);
      return mirrored;
    }
    if (!claim && entry.taskId !== undefined) {
      // No claim left to share (the video was saved and its claim removed, or the folder was cleared): carry it on here.
      const mine = await this.apply(entry.id, { type: 'taken-over', owner: this.owner, withoutClaim: true });
      if (mine) this.drive(mine);
      return mine;
    }
    this.observe(entry.id);
    return this.deps.journal.get(entry.id);
  }

  /**
   * Every CLAIM_HEARTBEAT_MS, the claims of the tasks this engine drives are written again, news or not: a claim
   * silent for CLAIM_SILENT_MS is taken for a stopped owner's, and another process carries its task on.
   */
  private armHeartbeat(): void {
    if (this.disposed || this.heartbeatTimer !== undefined) return;
    this.heartbeatTimer = this.clock.setTimeout(() => {
      this.heartbeatTimer = undefined;
      const live = this.deps.journal.list().filter((e) => e.claim && this.isMine(e) && e.state.status !== 'submitting' && (!hasEnded(e) || isDownloadPending(e)));
      void Promise.all(live.map((e) => this.recordInClaim(e))).finally(() => {
        if (live.length > 0) this.armHeartbeat();
      });
    }, CLAIM_HEARTBEAT_MS);
  }

  private observe(entryId: string): void {
    if (this.disposed) return;
    this.observed.add(entryId);
    this.armObserver();
  }

  private armObserver(): void {
    if (this.disposed || this.observeTimer !== undefined || this.observing || this.observed.size === 0) return;
    this.observeTimer = this.clock.setTimeout(() => {
      this.observeTimer = undefined;
      this.observing = this.observeOnce()
        .catch((error: unknown) => this.deps.log?.(`following other processes' tasks failed: ${errorText(error)}`))
        .finally(() => {
          this.observing = undefined;
          this.armObserver();
        });
    }, this.deps.observeMs ?? 500);
  }

  /** One look at every entry another process drives: mirror what changed, take over what its owner left. */
  private async observeOnce(): Promise<void> {
    let refreshed = false;
    for (const id of [...this.observed]) {
      if (this.disposed) return;
      const entry = this.deps.journal.get(id);
      if (!entry || this.isMine(entry)) {
        this.observed.delete(id);
        continue;
      }
      const ref = entry.claim;
      const read = ref ? await readClaimFile(ref) : undefined;
      const claim = read?.kind === 'claim' ? read.claim : undefined;
      if (ref && read?.kind === 'none' && (await this.claimGone(entry))) {
        this.observed.delete(id);
        continue;
      }
      if (!claim || claim.entry.id === entry.id) {
        // A journal shared with the owner: what it writes there is the news.
        if (!refreshed) await this.deps.journal.refresh();
        refreshed = true;
      }
      const now = this.clock.now();
      const current = this.deps.journal.get(id);
      if (!current || this.isMine(current)) {
        this.observed.delete(id);
        continue;
      }
      const ownerGone = claim && read?.kind === 'claim' ? isClaimOwnerGone(claim, now, read.writtenAt) : livenessOf(current.owner!) === 'gone';
      if (ownerGone) {
        this.observed.delete(id);
        await this.adoptIfGone(current);
        continue;
      }
      if (claim && claim.entry.id !== current.id && (claim.entry.updatedAt !== current.updatedAt || claim.generation !== current.claim?.generation)) {
        let next = await this.apply(id, { type: 'mirrored', from: claim.entry });
        if (next && claim.generation !== next.claim?.generation) next = await this.apply(id, { type: 'taken-over', owner: claim.owner, generation: claim.generation });
      }
      const after = this.deps.journal.get(id);
      if (!after || (hasEnded(after) && !isDownloadPending(after))) this.observed.delete(id);
    }
  }

  /**
   * The claim an entry followed is gone: its owner saved the video (the sidecar says so), or its create was refused
   * (nothing exists), or the folder was cleared. True when the entry needs no more following.
   */
  private async claimGone(entry: JournalEntry): Promise<boolean> {
    // Its take, or the video itself (the owner may have chosen it, or saved it before takes existed).
    const place = entry.outputPath ? placeOfEntry({ outputPath: entry.outputPath, claim: entry.claim }) : undefined;
    const take = place && entry.taskId ? await readSidecar(takePathOf(place, entry.createdAt, entry.taskId)) : undefined;
    const sidecar = take ?? (place ? await readSidecar(place) : undefined);
    if (sidecar && entry.outputPath && (sidecar.taskId === entry.taskId || (entry.taskId === undefined && sidecar.requestHash === entry.requestHash))) {
      await this.deps.journal.update(entry.id, (current) => applyTaskEvent({ ...current, taskId: current.taskId ?? sidecar.taskId }, { type: 'downloaded', filePath: entry.outputPath! }, this.clock.now()));
      return true;
    }
    if (entry.taskId === undefined) {
      // The create it followed was refused by the service in the other process: nothing was made or paid for.
      this.deps.log?.(`${entry.label}: the create ${describeOwner(entry.owner!)} was sending did not go through; nothing was made`);
      await this.deps.journal.remove(entry.id);
      return true;
    }
    if (entry.owner && livenessOf(entry.owner) !== 'gone') return false;
    // A task with no claim and no result, whose owner is gone: this process carries it on.
    const mine = await this.apply(entry.id, { type: 'taken-over', owner: this.owner, withoutClaim: true });
    if (mine) this.drive(mine);
    return true;
  }

  // ---- polling and downloading ----

  private needsDownload(entry: JournalEntry, now = false): boolean {
    if (!this.isMine(entry) || entry.kind !== 'video' || entry.outputPath === undefined) return false;
    if (entry.state.status === 'downloading') return true;
    if (!isDownloadPending(entry)) return false;
    return now || entry.nextDownloadAt === undefined || entry.nextDownloadAt <= this.clock.now();
  }

  private afterPoll(entry: JournalEntry): void {
    if (this.needsDownload(entry)) void this.startDownload(entry);
  }

  /**
   * Moves an entry through the reducer (the one place its state changes) and, for a task this engine drives under a
   * claim, records the new state in the claim so other processes see it. A claim that is no longer ours (another
   * process judged us gone and took it) makes us stop driving and follow instead.
   */
  private apply(entryId: string, event: TaskEvent): Promise<JournalEntry | undefined> {
    const work = this.applyNow(entryId, event);
    let set = this.applying.get(entryId);
    if (!set) this.applying.set(entryId, (set = new Set()));
    set.add(work);
    const done = () => {
      set.delete(work);
      if (set.size === 0 && this.applying.get(entryId) === set) this.applying.delete(entryId);
    };
    work.then(done, done);
    return work;
  }

  private async applyNow(entryId: string, event: TaskEvent): Promise<JournalEntry | undefined> {
    const now = this.clock.now();
    const updated = await this.deps.journal.update(entryId, (current) => applyTaskEvent(current, event, now));
    if (!updated?.claim || !this.isMine(updated) || updated.state.status === 'submitting' || event.type === 'mirrored') return updated;
    await this.recordInClaim(updated);
    return this.deps.journal.get(entryId) ?? updated;
  }

  private async recordInClaim(entry: JournalEntry): Promise<void> {
    const ref = claimRefOf(entry)!;
    const generation = entry.claim!.generation;
    try {
      if (entry.state.status === 'saved' || entry.state.status === 'failed' || entry.state.status === 'expired') {
        // Nothing more will happen to it: the sidecar (or the journal) says how it ended, and a new render may create
        // anew. A process following the claim finds the sidecar, or asks the service itself.
        await this.claims.remove(ref, generation);
        return;
      }
      if (await this.claims.update(ref, generation, entry)) return;
      this.deps.log?.(`${entry.label}: another process now drives task ${entry.taskId ?? ''}; following it`);
      this.poller.unwatch(entry.id);
      const claim = await readClaim(ref);
      if (claim) {
        await this.deps.journal.update(entry.id, (current) => applyTaskEvent(current, { type: 'mirrored', from: claim.entry }, this.clock.now()));
        this.observe(entry.id);
      }
    } catch (error) {
      // The folder went away (the user deleted the output folder): the journal still has the task.
      this.deps.log?.(`could not record ${entry.label} in its claim: ${errorText(error)}`);
    }
  }

  /** A fresh look at a finished task, for a valid link (links can be refreshed before they are 24 hours old). */
  private async refetch(entry: JournalEntry): Promise<void> {
    const client = await this.deps.clientFor(entry.backend);
    let task: Task;
    try {
      task = await client.getTask(entry.taskId!, this.abort.signal);
    } catch (error) {
      if (isApiError(error, 'not-found')) {
        // The same rule as the poller's: one 404 abandons nothing; only repeated ones over minutes do.
        const policy = this.policyOf(entry);
        const now = this.clock.now();
        const count = (entry.notFound?.count ?? 0) + 1;
        const final = count >= policy.notFoundPolls && now - (entry.notFound?.since ?? now) >= policy.notFoundGraceMs;
        await this.apply(entry.id, {
          type: 'not-found',
          final,
          message: final ? `The service no longer knows task ${entry.taskId}: its video can no longer be fetched.` : `The service did not find task ${entry.taskId} (${errorText(error)}); asking again later`,
        });
      }
      throw error;
    }
    await this.apply(entry.id, { type: 'refetched', task });
  }

  private startDownload(entry: JournalEntry): Promise<void> {
    const running = this.downloads.get(entry.id);
    if (running) return running;
    const timer = this.downloadTimers.get(entry.id);
    if (timer !== undefined) {
      this.clock.clearTimeout(timer);
      this.downloadTimers.delete(entry.id);
    }
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

  private async download(entryId: string, linkRefreshed = false): Promise<void> {
    const entry = this.deps.journal.get(entryId);
    if (!entry || !entry.outputPath || !entry.taskId || !this.isMine(entry)) return;
    const url = entry.state.status === 'completed' || entry.state.status === 'downloading' ? entry.state.videoUrl : undefined;
    if (!url) return;
    const outputPath = entry.outputPath;
    // Its records (sidecar, takes) are where its claim is: beside it, or in its storyboard's metadata folder.
    const place = placeOfEntry({ outputPath, claim: entry.claim });
    // Every video is saved as a take (docs/architecture.md, "Takes"), then becomes the video at `outputPath` unless
    // one of the same request is there already.
    const takePath = takePathOf(place, entry.createdAt, entry.taskId);
    if (await this.alreadySaved(entry, place)) {
      await this.apply(entryId, { type: 'downloaded', filePath: outputPath });
      return;
    }
    const started = await this.apply(entryId, { type: 'download-started', videoUrl: url });
    // Recording the start in the claim can find that another process took the task (a `kling download` beside us):
    // then it downloads, not we.
    if (!started || !this.isMine(started)) return;
    try {
      if (await this.alreadySaved(entry, takePath)) {
        await this.land(entry, place, takePath);
        await this.apply(entryId, { type: 'downloaded', filePath: outputPath });
        return;
      }
      const result = await downloadFile({
        url,
        targetPath: takePath,
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
      await writeSidecar(takePath, {
        kling: 1,
        request: done.request,
        requestHash: done.requestHash,
        taskId: done.taskId!,
        model: String(done.request['model']),
        storyboard: done.storyboardPath ? relativeFromVideo(takePath, done.storyboardPath) : undefined,
        video: done.videoName,
        label: done.label,
        uploads: done.uploads,
        elements: done.elements,
        price: { estimated: done.price, reportedCredits: done.reportedCredits },
        simulated: done.backend.kind === 'simulator',
        bytes: result.bytes,
        createdAt: new Date(done.createdAt).toISOString(),
        completedAt: done.completedAt ? new Date(done.completedAt).toISOString() : undefined,
        savedAt: now,
      }, { root: entry.workspaceRoot });
      this.deps.log?.(`saved ${takePath} (${result.bytes} bytes, ${result.requests} request${result.requests === 1 ? '' : 's'})`);
      await this.land(entry, place, takePath);
      await this.apply(entryId, { type: 'downloaded', filePath: outputPath });
    } catch (error) {
      if (this.abort.signal.aborted) return;
      await this.downloadFailed(entryId, error, linkRefreshed);
    }
  }

  /**
   * After a failed download of a paid video. A link the CDN refuses (401/403/404/410) before its 24 hours are up is
   * asked for again once: the service may hand out a fresh one. Anything else is tried again later, with growing
   * waits, while the link lasts: the task stays "download pending", never "to render".
   */
  private async downloadFailed(entryId: string, error: unknown, linkRefreshed: boolean): Promise<void> {
    const entry = this.deps.journal.get(entryId);
    if (!entry || !this.isMine(entry)) return;
    const now = this.clock.now();
    const linkEnds = (entry.completedAt ?? now) + this.linkTtlMs;
    const refused = error instanceof DownloadError && error.linkExpired;
    // The link's server is not there at all: the simulator that served it has stopped (a new one serves its tasks
    // at another address), or a CDN host moved. A fresh look at the task gives the current link.
    const unreachable = codeIn(error, 'ECONNREFUSED');
    this.deps.log?.(`download of task ${entry.taskId} failed: ${errorText(error)}`);
    if ((refused || unreachable) && !linkRefreshed && now < linkEnds) {
      try {
        const before = entry.state.status === 'completed' || entry.state.status === 'downloading' ? entry.state.videoUrl : undefined;
        await this.refetch(entry);
        const after = this.deps.journal.get(entryId);
        const fresh = after?.state.status === 'completed' ? after.state.videoUrl : undefined;
        this.deps.log?.(`asked task ${entry.taskId} for its link again: ${fresh && fresh !== before ? 'a new link' : 'the same link'}`);
        if (after && this.needsDownload(after, true)) return this.download(entryId, true);
        return;
      } catch (refetchError) {
        if (this.abort.signal.aborted) return;
        this.deps.log?.(`asking task ${entry.taskId} for its link again failed: ${errorText(refetchError)}`);
      }
    }
    const current = this.deps.journal.get(entryId) ?? entry;
    if (current.state.status === 'expired') return;
    if (refused && (linkRefreshed || now >= linkEnds)) {
      // Refused before and after a fresh look at the task (or past its 24 hours): the link is dead, and the service
      // has no other. The video must be made again to be had.
      await this.apply(entryId, {
        type: 'download-failed',
        linkExpired: true,
        message: `Its link expired before the video could be saved: ${errorText(error).replace(/\.$/, '')}${linkRefreshed ? ', also after asking the service for the link again' : ''}. Rendering again makes a new video, paid again.`,
      });
      return;
    }
    const attempts = (current.downloadAttempts ?? 0) + 1;
    const policy = this.policyOf(current);
    const wait = Math.min(policy.intervalMs * 3 * 2 ** (attempts - 1), policy.maxErrorBackoffMs * 15);
    const retryAt = now + wait < linkEnds ? now + wait : undefined;
    const message = downloadFailureMessage(error, linkEnds);
    const failed = await this.apply(entryId, { type: 'download-failed', linkExpired: false, message, retryAt });
    if (!failed) return;
    if (retryAt !== undefined) this.scheduleDownload(entryId, retryAt - now);
    // No more tries before the link ends: at its end, the video is expired, not "pending" for ever.
    else this.scheduleExpiry(entryId, Math.max(0, linkEnds - now));
  }

  private scheduleExpiry(entryId: string, delayMs: number): void {
    this.atDownloadTime(entryId, delayMs, (entry) => {
      if (!this.isMine(entry) || !isDownloadPending(entry)) return;
      void this.apply(entryId, {
        type: 'download-failed',
        linkExpired: true,
        message: `Its link's 24 hours ended before the video could be saved (last try: ${entry.lastError ?? 'failed'}). Rendering again makes a new video, paid again.`,
      });
    });
  }

  private scheduleDownload(entryId: string, delayMs: number): void {
    this.atDownloadTime(entryId, delayMs, (entry) => {
      if (this.needsDownload(entry, true)) void this.startDownload(entry);
    });
  }

  /** One timer per entry for what its download does next (a try, or the end of its link), replacing the last. */
  private atDownloadTime(entryId: string, delayMs: number, then: (entry: JournalEntry) => void): void {
    if (this.disposed) return;
    const previous = this.downloadTimers.get(entryId);
    if (previous !== undefined) this.clock.clearTimeout(previous);
    this.downloadTimers.set(
      entryId,
      this.clock.setTimeout(() => {
        this.downloadTimers.delete(entryId);
        const entry = this.deps.journal.get(entryId);
        if (entry) then(entry);
      }, delayMs),
    );
  }

  /** A saved take becomes the video at `outputPath` unless one of the same request is there already. */
  private async land(entry: JournalEntry, video: VideoRef, takePath: string): Promise<void> {
    const chosen = await landTake(video, takePath, { root: entry.workspaceRoot, owner: this.owner, onlyIfNone: entry.keepChosen });
    if (chosen) this.deps.log?.(`${entry.label}: ${entry.outputPath} is now take ${takePath}`);
  }

  /** The file at `video` is already this task's video (a process saved it and stopped before saying so). */
  private async alreadySaved(entry: JournalEntry, video: VideoRef): Promise<boolean> {
    const sidecar = await readSidecar(video);
    if (!sidecar || sidecar.taskId !== entry.taskId) return false;
    return stat(typeof video === 'string' ? video : video.video).then((s) => s.isFile() && s.size === sidecar.bytes, () => false);
  }

  private policyOf(entry: JournalEntry): PollPolicy {
    const policy = this.deps.pollPolicy;
    return { ...DEFAULT_POLL_POLICY, ...(typeof policy === 'function' ? policy(entry) : policy) };
  }

  private progress(entryId: string, received: number, total: number | undefined): void {
    // The journal is a file: progress reaches it at most twice a second, and always at the end.
    const now = this.clock.now();
    if (received !== total && now - (this.lastProgressWrite.get(entryId) ?? 0) < 500) return;
    this.lastProgressWrite.set(entryId, now);
    void this.apply(entryId, { type: 'download-progress', receivedBytes: received, totalBytes: total });
  }

  private wake(): void {
    for (const resolve of this.waiting.splice(0)) resolve();
  }
}

/** An entry's claim, with the workspace it must stay in. */
function claimRefOf(entry: JournalEntry): ClaimRef | undefined {
  return entry.claim ? { dir: entry.claim.dir, key: entry.claim.key, root: entry.workspaceRoot } : undefined;
}

/** Whether `error`, or an error it was caused by, has this code. */
function codeIn(error: unknown, code: string): boolean {
  for (let e = error as { code?: unknown; cause?: unknown } | undefined, depth = 0; e && depth < 5; e = e.cause as typeof e, depth++) {
    if (e.code === code) return true;
  }
  return false;
}

/** How long before or after our create's first write a task the user found may have been made (clocks differ). */
const FOUND_TASK_WINDOW_MS = 15 * 60_000;

/**
 * Why a task the user found cannot be the one `entry`'s lost create made (another model, another length, made at
 * another time), or undefined when it may be. A wrong id must not put another video under this one's name.
 */
function foundTaskMismatch(entry: JournalEntry, task: Task): string | undefined {
  const request = entry.request as { model?: unknown; duration?: unknown };
  if (entry.kind === 'video' && task.type !== undefined && task.type !== 'video') return `it is not a video task (${task.type})`;
  if (typeof request.model === 'string' && task.model !== undefined && task.model !== request.model) {
    return `it was made by ${task.model}, this create asked ${request.model}`;
  }
  const seconds = task.task_info?.video_duration ?? task.result_data?.[0]?.duration;
  if (seconds !== undefined && request.duration !== undefined && Number(request.duration) !== seconds) {
    return `it is ${seconds} s long, this create asked ${String(request.duration)} s`;
  }
  if (task.created !== undefined && Math.abs(task.created * 1000 - entry.createdAt) > FOUND_TASK_WINDOW_MS) {
    return `it was made at ${new Date(task.created * 1000).toISOString()}, this create was sent at ${new Date(entry.createdAt).toISOString()}`;
  }
  return undefined;
}
