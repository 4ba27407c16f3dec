/** What a suite of either kind reports back to the tier. */
import type { TestOutcome } from './hostRunner';

export type { TestOutcome } from './hostRunner';

export interface SuiteResult {
  name: string;
  kind: 'api' | 'ui';
  tests: TestOutcome[];
  durationMs: number;
}

/** A failed outcome for something that is not one of the suite's own tests (start-up, time-out). */
export function failedOutcome(title: string, error: unknown, durationMs = 0): TestOutcome {
  return { title, state: 'failed', durationMs, error: error instanceof Error ? error.message : String(error) };
}
