import { randomBytes } from 'node:crypto';
import { DURATION_DEFAULT, type ElementRequest, type VideoRequest } from '../api/apiSchemas';
import { amountFromNumber, parseAmount, ZERO, type Amount } from '../pricing/decimal';
import { priceVideo } from '../pricing/pricing';
import { ELEMENT_PRICE } from '../pricing/priceTable';
import { taskPhase, type SimulatedTask, type TaskPhase } from './taskLifecycle';

/** The tasks and credits of a simulator as a state file keeps them (see {@link SimulatorStateFile}). */
export interface TasksState {
  /** Credits ever granted: remaining = granted − the prices of the tasks that have not failed. */
  granted: Amount;
  /**
   * When the balance was last set on purpose (clock ms), 0 for a starting balance. Of two simulators sharing a state
   * file, the one that set the balance last wins.
   */
  balanceSetAt: number;
  tasks: SimulatedTask[];
}

/** How long tasks take, in simulated seconds. */
export interface TaskTiming {
  /** Time in the queue (`pending`). */
  queueSeconds: number;
  /** Processing time of a video: this much, plus `processingSecondsPerVideoSecond` per second of video. */
  processingSeconds: number;
  processingSecondsPerVideoSecond: number;
  /** Processing time of a custom element. */
  elementProcessingSeconds: number;
  /** Real milliseconds per simulated second. */
  timeScale: number;
}

export type CreateOutcome =
  | { ok: true; task: SimulatedTask }
  | { ok: false; reason: 'insufficient-credits'; price: Amount; remaining: Amount };

const FAIL_MARK = /\[fail:([a-z0-9_]+)\]/i;

/**
 * The tasks of one simulator and the credits they cost. Credits are not a stored balance that tasks debit: the
 * amount used is the sum of the prices of all tasks that have not failed by now, so that a refund happens exactly
 * when a task is seen to fail, however the clock moves (decided: a failed task is refunded in full, as the contract
 * says of elements; the documentation is silent about videos).
 */
export class SimulatorTasks {
  private readonly byId = new Map<string, SimulatedTask>();
  /** Credits ever granted; remaining = granted − used(now). */
  private granted: Amount;
  private balanceSetAt = 0;

  constructor(
    private readonly timing: TaskTiming,
    balanceCredits: number,
  ) {
    this.granted = amountFromNumber(balanceCredits);
  }

  /** Charges and records a task, unless the balance cannot pay for it. */
  create(request: { kind: 'video'; request: VideoRequest } | { kind: 'element'; request: ElementRequest }, nowMs: number): CreateOutcome {
    const price = request.kind === 'video' ? priceVideo(request.request).credits : parseAmount(ELEMENT_PRICE.credits);
    const remaining = this.remaining(nowMs);
    if (remaining < price) return { ok: false, reason: 'insufficient-credits', price, remaining };

    const base = {
      id: this.newId(nowMs),
      model: request.request.model,
      createdMs: nowMs,
      timeScale: this.timing.timeScale,
      queueSeconds: this.timing.queueSeconds,
      credits: price,
    };
    let task: SimulatedTask;
    if (request.kind === 'video') {
      const videoSeconds = videoSecondsOf(request.request);
      const prompts = [request.request.prompt, ...(request.request.model_params?.multi_prompt ?? []).map((shot) => shot.prompt)];
      task = {
        ...base,
        kind: 'video',
        request: structuredClone(request.request),
        videoSeconds,
        processingSeconds: this.timing.processingSeconds + this.timing.processingSecondsPerVideoSecond * videoSeconds,
        failureCode: failureCode(prompts),
      };
    } else {
      const params = request.request.model_params;
      task = {
        ...base,
        kind: 'element',
        request: structuredClone(request.request),
        elementId: `el-${randomId(16)}`,
        processingSeconds: this.timing.elementProcessingSeconds,
        // element_name is at most 20 characters, too short for most codes, so the description counts too.
        failureCode: failureCode([params.element_name, params.element_description]),
      };
    }
    this.byId.set(task.id, task);
    return { ok: true, task };
  }

  get(id: string): SimulatedTask | undefined {
    return this.byId.get(id);
  }

  has(id: string): boolean {
    return this.byId.has(id);
  }

  all(): SimulatedTask[] {
    return [...this.byId.values()];
  }

  phase(task: SimulatedTask, nowMs: number): TaskPhase {
    return taskPhase(task, nowMs);
  }

  used(nowMs: number): Amount {
    let used = ZERO;
    for (const task of this.byId.values()) {
      if (this.phase(task, nowMs).status !== 'failed') used = (used + task.credits) as Amount;
    }
    return used;
  }

  remaining(nowMs: number): Amount {
    return (this.granted - this.used(nowMs)) as Amount;
  }

  /** Sets the remaining credits now; refunds of tasks that fail later come on top, as they would at the service. */
  setRemaining(credits: number, nowMs: number): void {
    this.granted = (amountFromNumber(credits) + this.used(nowMs)) as Amount;
    this.balanceSetAt = nowMs;
  }

  state(): TasksState {
    return { granted: this.granted, balanceSetAt: this.balanceSetAt, tasks: this.all() };
  }

  /** Replaces everything with a state read from a state file at start. */
  restore(state: TasksState): void {
    this.granted = state.granted;
    this.balanceSetAt = state.balanceSetAt;
    this.byId.clear();
    for (const task of state.tasks) this.byId.set(task.id, task);
  }

  /**
   * Takes in what another simulator sharing the state file wrote: its tasks (a task never changes once created, so
   * the union is right whoever wrote last) and its balance if it was set later than this one's.
   */
  merge(state: TasksState): void {
    for (const task of state.tasks) if (!this.byId.has(task.id)) this.byId.set(task.id, task);
    if (state.balanceSetAt > this.balanceSetAt) {
      this.granted = state.granted;
      this.balanceSetAt = state.balanceSetAt;
    }
  }

  private newId(nowMs: number): string {
    for (;;) {
      const id = `task-unified-${Math.floor(nowMs / 1000)}-${randomId(8)}`;
      if (!this.byId.has(id)) return id;
    }
  }
}

/** Seconds of video a request asks for. */
export function videoSecondsOf(request: VideoRequest): number {
  return request.duration ?? DURATION_DEFAULT;
}

/** The code of the first `[fail:CODE]` mark in any of the texts. Any code is taken, so clients can meet unknown ones. */
function failureCode(texts: readonly string[]): string | undefined {
  for (const text of texts) {
    const match = FAIL_MARK.exec(text);
    if (match) return match[1]!.toLowerCase();
  }
  return undefined;
}

const ID_ALPHABET = 'abcdefghijklmnopqrstuvwxyz0123456789';

function randomId(length: number): string {
  // 256 is not a multiple of 36; the slight bias does not matter for ids that only need to be unlikely to repeat.
  return [...randomBytes(length)].map((byte) => ID_ALPHABET[byte % ID_ALPHABET.length]).join('');
}
