import type { Task } from '../api/apiSchemas';
import type { Clock } from '../time/clock';
import { applyTaskEvent, type TaskEvent } from './taskEvents';
import type { TaskJournal } from './taskJournal';
import type { JournalEntry } from './taskState';
import { errorText } from '../text/errorText';

export interface PollPolicy {
  /** The service's own client waits about 15 s before the first look at a video (docs/service-contract.md). */
  firstPollMs: number;
  /** Then every 10–15 s: `intervalMs` plus up to `jitterMs`, so that many tasks do not poll in step. */
  intervalMs: number;
  jitterMs: number;
  /** Sooner when the service says fewer seconds are left, but never more often than this. */
  minIntervalMs: number;
  /** How long one second of `estimated_time` lasts (1000 ms, or less against a fast simulator). */
  etaSecondMs: number;
  /** After this long since the create, a task that has not ended is reported as stalled (and still polled). */
  stallAfterMs: number;
  stalledIntervalMs: number;
  /** Longest wait after polls that failed in a row. */
  maxErrorBackoffMs: number;
  /**
   * A task the service says it does not know is given up only after this long and `notFoundPolls` such answers in
   * a row: a paid task is not abandoned over one stray 404 (a gateway, a replica that has not seen it yet).
   */
  notFoundGraceMs: number;
  notFoundPolls: number;
}

export const DEFAULT_POLL_POLICY: PollPolicy = {
  firstPollMs: 15_000,
  intervalMs: 10_000,
  jitterMs: 5_000,
  minIntervalMs: 3_000,
  etaSecondMs: 1_000,
  stallAfterMs: 30 * 60_000,
  stalledIntervalMs: 60_000,
  maxErrorBackoffMs: 120_000,
  notFoundGraceMs: 10 * 60_000,
  notFoundPolls: 4,
};

export interface TaskPollerDeps {
  journal: TaskJournal;
  /** Asks the service (the right backend for the entry) about a task; throws ApiError. */
  getTask: (entry: JournalEntry) => Promise<Task>;
  clock: Clock;
  /** One policy for every task, or one per task (the simulator's tasks run on a faster clock than the API's). */
  policy?: Partial<PollPolicy> | ((entry: JournalEntry) => Partial<PollPolicy>) | undefined;
  random?: (() => number) | undefined;
  /** Polls in flight at once (default 4). */
  concurrency?: number | undefined;
  /** Called with the new entry after every poll that moved it; a video that completed is handed on from here. */
  onPolled?: ((entry: JournalEntry) => void) | undefined;
  /** Whether this process still drives the entry (another may have taken it over); by default always. */
  drives?: ((entry: JournalEntry) => boolean) | undefined;
  /** Records an event (the engine's, which also keeps the task's claim up to date); by default straight to the journal. */
  apply?: ((entryId: string, event: TaskEvent) => Promise<JournalEntry | undefined>) | undefined;
  log?: ((line: string) => void) | undefined;
}

/** Whether the service still has something to tell us about this entry. */
export function isPollable(entry: JournalEntry): boolean {
  return entry.taskId !== undefined && (entry.state.status === 'pending' || entry.state.status === 'processing' || entry.state.status === 'unknown');
}

/**
 * One scheduler for every task in flight: one timer, armed for the earliest due poll, and at most `concurrency`
 * requests at once. Polling ends only when a task ends; a task past its deadline is flagged stalled, never dropped.
 */
export class TaskPoller {
  private readonly due = new Map<string, number>();
  private readonly failures = new Map<string, number>();
  private readonly inFlight = new Set<string>();
  private timer: unknown;
  private timerAt = Infinity;
  private stopped = false;
  private ticking: Promise<void> = Promise.resolve();

  constructor(private readonly deps: TaskPollerDeps) {}

  private policyOf(entry: JournalEntry): PollPolicy {
    const policy = this.deps.policy;
    return { ...DEFAULT_POLL_POLICY, ...(typeof policy === 'function' ? policy(entry) : policy) };
  }

  /** Starts watching an entry: its first poll comes `firstPollMs` after its create (at once if that has passed). */
  watch(entry: JournalEntry): void {
    if (this.stopped || !isPollable(entry)) return;
    const first = entry.polls === 0 ? entry.createdAt + this.policyOf(entry).firstPollMs : this.deps.clock.now();
    this.schedule(entry.id, Math.max(first, this.deps.clock.now()));
  }

  /** Polls an entry as soon as possible (the user asked to refresh). */
  pollNow(entryId: string): void {
    if (!this.stopped) this.schedule(entryId, this.deps.clock.now());
  }

  unwatch(entryId: string): void {
    this.due.delete(entryId);
  }

  /** Resolves when every poll started so far has been answered and recorded (tests wait on it instead of sleeping). */
  async settled(): Promise<void> {
    let current: Promise<void>;
    do {
      current = this.ticking;
      await current;
    } while (current !== this.ticking);
  }

  get watching(): number {
    return this.due.size + this.inFlight.size;
  }

  stop(): void {
    this.stopped = true;
    this.due.clear();
    if (this.timer !== undefined) this.deps.clock.clearTimeout(this.timer);
    this.timer = undefined;
  }

  private schedule(entryId: string, at: number): void {
    this.due.set(entryId, at);
    this.arm();
  }

  private arm(): void {
    if (this.stopped) return;
    const next = Math.min(...this.due.values());
    if (next === Infinity || (this.timer !== undefined && next >= this.timerAt)) return;
    if (this.timer !== undefined) this.deps.clock.clearTimeout(this.timer);
    this.timerAt = next;
    this.timer = this.deps.clock.setTimeout(() => {
      this.timer = undefined;
      this.timerAt = Infinity;
      this.ticking = Promise.all([this.ticking, this.tick()]).then(() => undefined);
    }, Math.max(0, next - this.deps.clock.now()));
  }

  private async tick(): Promise<void> {
    const now = this.deps.clock.now();
    const ready = [...this.due.entries()].filter(([, at]) => at <= now).sort((a, b) => a[1] - b[1]);
    const room = Math.max(0, (this.deps.concurrency ?? 4) - this.inFlight.size);
    const batch = ready.slice(0, room).map(([id]) => id);
    for (const id of batch) {
      this.due.delete(id);
      this.inFlight.add(id);
    }
    // What did not fit waits for a poll in flight to finish.
    for (const [id] of ready.slice(room)) this.due.set(id, now + 50);
    this.arm();
    await Promise.all(batch.map((id) => this.poll(id).finally(() => this.inFlight.delete(id))));
    this.arm();
  }

  private async poll(entryId: string): Promise<void> {
    const entry = this.deps.journal.get(entryId);
    if (!entry || !isPollable(entry) || this.deps.drives?.(entry) === false) return;
    let event: TaskEvent;
    let failed = false;
    try {
      event = { type: 'polled', task: await this.deps.getTask(entry) };
      this.failures.delete(entryId);
    } catch (error) {
      const kind = (error as { kind?: string }).kind;
      const message = errorText(error);
      if (kind === 'not-found') {
        const policy = this.policyOf(entry);
        const now = this.deps.clock.now();
        const count = (entry.notFound?.count ?? 0) + 1;
        const final = count >= policy.notFoundPolls && now - (entry.notFound?.since ?? now) >= policy.notFoundGraceMs;
        event = final
          ? { type: 'not-found', final, message: `The service no longer knows task ${entry.taskId} (${count} answers over ${Math.round((now - (entry.notFound?.since ?? now)) / 60_000)} min): ${message}` }
          : { type: 'not-found', final, message: `The service did not find task ${entry.taskId} (${message}); asking again` };
        failed = !final;
      } else {
        event = { type: 'poll-failed', message };
        failed = true;
      }
      this.deps.log?.(`poll of ${entry.taskId} failed: ${message}`);
    }
    if (this.stopped) return;
    const now = this.deps.clock.now();
    let updated = await this.record(entryId, event, now);
    if (!updated) return;
    const policy = this.policyOf(updated);
    if (isPollable(updated) && !updated.stalled && now - updated.createdAt > policy.stallAfterMs) {
      updated = (await this.record(entryId, { type: 'stalled' }, now)) ?? updated;
      this.deps.log?.(`task ${updated.taskId} has not ended after ${Math.round(policy.stallAfterMs / 60_000)} min: reported as stalled, still watched`);
    }
    this.deps.onPolled?.(updated);
    if (!this.stopped && isPollable(updated) && this.deps.drives?.(updated) !== false) this.schedule(entryId, now + this.nextDelay(updated, failed));
  }

  private record(entryId: string, event: TaskEvent, now: number): Promise<JournalEntry | undefined> {
    if (this.deps.apply) return this.deps.apply(entryId, event);
    return this.deps.journal.update(entryId, (current) => applyTaskEvent(current, event, now));
  }

  private nextDelay(entry: JournalEntry, failed: boolean): number {
    const policy = this.policyOf(entry);
    if (failed) {
      const count = (this.failures.get(entry.id) ?? 0) + 1;
      this.failures.set(entry.id, count);
      return Math.min(policy.maxErrorBackoffMs, policy.intervalMs * 2 ** (count - 1));
    }
    if (entry.stalled) return policy.stalledIntervalMs;
    const regular = policy.intervalMs + Math.round(policy.jitterMs * (this.deps.random ?? Math.random)());
    const eta = entry.state.status === 'processing' ? entry.state.etaSeconds : undefined;
    if (eta === undefined) return regular;
    return Math.min(regular, Math.max(policy.minIntervalMs, eta * policy.etaSecondMs));
  }
}
