/**
 * One figure of `npm run bench`: something measured beside a baseline measured in the same run, so that the figure
 * is a ratio that means the same on a fast machine and a slow one. Targets live here, never in timed tests.
 */
export interface Benchmark {
  /** Short and unique: the runner's filter (`npm run bench -- download`) matches it. */
  name: string;
  /** What is measured, as the table's first column says it, with its unit. */
  metric: string;
  target: Target;
  /** Longest the run may take before the runner gives up on it (and aborts `ctx.signal`). */
  timeoutMs: number;
  run(ctx: BenchContext): Promise<Measurement>;
}

export interface BenchContext {
  /** Aborted when the benchmark runs out of time: stop child processes and loops. */
  signal: AbortSignal;
  /** A fresh folder for this benchmark's files, removed after it. */
  workDir: string;
  /** Progress lines, shown as the bench runs (stderr), not in the table. */
  log(line: string): void;
}

export interface Measurement {
  measured: number;
  baseline: number;
  /** Unit of `measured` and `baseline`, e.g. `MB/s`. */
  unit: string;
  /** What the baseline is, in a few words, e.g. `curl`. */
  baselineIs: string;
  /** Details printed under the table: the runs, breakdowns, anything a reader needs to trust the figure. */
  notes?: string[];
}

/** `measured / baseline`: every figure is read as this ratio. */
export function ratioOf(m: Measurement): number {
  return m.baseline === 0 ? Number.NaN : m.measured / m.baseline;
}

/** What a figure should be, said in words for the table and checked by `met`. */
export interface Target {
  text: string;
  met(m: Measurement): boolean;
}

/** The ratio measured / baseline is at least `min` (more is better: throughput). */
export function ratioAtLeast(min: number): Target {
  return { text: `ratio ≥ ${min}`, met: (m) => ratioOf(m) >= min };
}

/** The ratio measured / baseline is at most `max` (less is better: requests, time). */
export function ratioAtMost(max: number): Target {
  return { text: `ratio ≤ ${max}`, met: (m) => ratioOf(m) <= max };
}

/** `measured` exceeds the baseline by at most `max` of its unit (memory over an idle process). */
export function excessAtMost(max: number, unit: string): Target {
  return { text: `≤ baseline + ${max} ${unit}`, met: (m) => m.measured - m.baseline <= max };
}
