/**
 * One row of `npm run soak`: a fault (or a way of running) applied to a render of 100 videos against the simulator,
 * with what came of it counted from the simulator and the disk, and what each count must be. A row never passes on
 * a figure alone: every count has its expectation, computed from the row's definition or measured independently in
 * the same run, and any difference fails the soak.
 */
export interface SoakRow {
  /** The table's first column; the runner's filter (`npm run soak -- 503`) matches it. */
  fault: string;
  /** Longest the row may take before the runner gives up on it (a hang is an error, never a wait without end). */
  timeoutMs: number;
  run(ctx: SoakContext): Promise<RowResult>;
}

export interface SoakContext {
  /** Aborted when the row runs out of time: stop child processes and loops. */
  signal: AbortSignal;
  /** A fresh folder for the row's files, removed after it. */
  workDir: string;
  /** Progress lines, shown as the soak runs (stderr), not in the table. */
  log(line: string): void;
  /** The row's random source (seeded: a run can be repeated with `--seed`). */
  random(): number;
  /**
   * Registers what must be undone after the row, whatever happens to it, even when it hangs (a mount, a child
   * process): run by the runner, last registered first, before the row's folder is removed.
   */
  defer(cleanup: () => Promise<void> | void): void;
}

/** The table's counted columns, for one row. */
export interface SoakCounts {
  /** Tasks the simulator created, from its own record (`tasks()`, or the CLI's simulator state file). */
  creates: number;
  /** Videos whole on disk: the MP4 parses, its size is the one its sidecar records, its task is this video's. */
  saved: number;
  /** Videos on disk that are not whole (or are another video's), and sidecars whose video is missing. */
  corrupt: number;
  /** Files made, changed or removed outside the workspace and the journal's folder. */
  outside: number;
  /** Videos the render reported as "unknown outcome" (a create whose answer the client could not read). */
  unknown: number;
}

export const COUNT_COLUMNS: ReadonlyArray<keyof SoakCounts> = ['creates', 'saved', 'corrupt', 'outside', 'unknown'];

export interface RowResult {
  videos: number;
  measured: SoakCounts;
  expected: SoakCounts;
  /** How each expectation was computed, and what a reader needs to trust the row: faults answered, retries, phases. */
  notes: string[];
  /**
   * What makes the row wrong besides its counts: an injected fault that was never used (the row did not test what
   * it says), a render that ended without an outcome for every video. Each one fails the row.
   */
  problems: string[];
}

/** Thrown by a row that cannot be measured on this machine (no tmpfs, say): the table says so, with why. */
export class NotMeasured extends Error {
  constructor(reason: string) {
    super(reason);
    this.name = 'NotMeasured';
  }
}
