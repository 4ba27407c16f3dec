import type { Clock } from '../../src/core/time/clock';

/**
 * The tests' one clock: time moves only when a test says so, and timers fire in order as it passes them. Give the
 * engine the whole clock, or the simulator its `now` (bound, so it can be passed on its own): tasks complete and
 * links expire without sleeping.
 */
export class FakeClock implements Clock {
  private time: number;
  private nextId = 1;
  private readonly timers = new Map<number, { at: number; callback: () => void }>();

  constructor(start = 1_700_000_000_000) {
    this.time = start;
  }

  readonly now = (): number => this.time;

  /** Milliseconds since the epoch; setting it jumps there without firing timers (a clock set by hand). */
  get ms(): number {
    return this.time;
  }

  set ms(value: number) {
    this.time = value;
  }

  setTimeout(callback: () => void, ms: number): unknown {
    const id = this.nextId++;
    this.timers.set(id, { at: this.time + Math.max(0, ms), callback });
    return id;
  }

  clearTimeout(handle: unknown): void {
    this.timers.delete(handle as number);
  }

  get pendingTimers(): number {
    return this.timers.size;
  }

  /**
   * Moves time forward by `ms`, firing each timer due on the way; after each, `settle` (by default a few turns of
   * the event loop) lets the work it started finish before time moves on.
   */
  async advance(ms: number, afterEach: () => Promise<void> = settle): Promise<void> {
    const end = this.time + ms;
    for (;;) {
      const next = [...this.timers.entries()].filter(([, t]) => t.at <= end).sort((a, b) => a[1].at - b[1].at)[0];
      if (!next) break;
      this.timers.delete(next[0]);
      this.time = Math.max(this.time, next[1].at);
      next[1].callback();
      await afterEach();
    }
    this.time = end;
    await afterEach();
  }
}

/** Lets pending promise callbacks and short I/O run (journal writes go to a temp folder). */
export async function settle(): Promise<void> {
  for (let i = 0; i < 20; i++) await new Promise((resolve) => setImmediate(resolve));
}
