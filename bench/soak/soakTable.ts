import { COUNT_COLUMNS, type RowResult, type SoakCounts } from './soakRow';

export type RowOutcome =
  | { kind: 'done'; result: RowResult; seconds: number }
  /** The row threw or ran out of time: the soak itself, or the product, is broken. */
  | { kind: 'error'; message: string; seconds: number }
  /** The row cannot be measured on this machine (see NotMeasured); said in the table, never passed off as a pass. */
  | { kind: 'not-measured'; reason: string; seconds: number };

export interface TableRow {
  fault: string;
  outcome: RowOutcome;
}

/** The columns whose measured value differs from its expectation. */
export function mismatchesOf(result: RowResult): Array<keyof SoakCounts> {
  return COUNT_COLUMNS.filter((column) => result.measured[column] !== result.expected[column]);
}

/** A row fails when it could not finish, when a count differs from its expectation, or when it has a problem. */
export function rowFailed(outcome: RowOutcome): boolean {
  if (outcome.kind === 'error') return true;
  if (outcome.kind === 'not-measured') return false;
  return mismatchesOf(outcome.result).length > 0 || outcome.result.problems.length > 0;
}

/** The soak passes when no row fails and at least one was measured. */
export function soakPassed(rows: readonly TableRow[]): boolean {
  return rows.some((row) => row.outcome.kind === 'done') && !rows.some((row) => rowFailed(row.outcome));
}

function verdict(outcome: RowOutcome): string {
  if (outcome.kind === 'error') return 'ERROR ✗';
  if (outcome.kind === 'not-measured') return 'not measured';
  if (mismatchesOf(outcome.result).length > 0) return 'MISMATCH ✗';
  return outcome.result.problems.length > 0 ? 'PROBLEM ✗' : 'ok';
}

/**
 * The soak's one table: a row per fault, each count as `measured (expected)`, a count that differs from its
 * expectation marked ✗ in its cell and the row marked in the last column; then a line for the whole, and each row's
 * time, what failed it, and its notes.
 */
export function soakTable(rows: readonly TableRow[]): string {
  const header = ['fault', 'videos', ...COUNT_COLUMNS.map((c) => `${c} (exp)`), 'result'];
  const body = rows.map(({ fault, outcome }) => {
    if (outcome.kind !== 'done') return [fault, '—', ...COUNT_COLUMNS.map(() => '—'), verdict(outcome)];
    const { result } = outcome;
    const wrong = new Set(mismatchesOf(result));
    const cells = COUNT_COLUMNS.map((c) => `${result.measured[c]} (${result.expected[c]})${wrong.has(c) ? ' ✗' : ''}`);
    return [fault, String(result.videos), ...cells, verdict(outcome)];
  });
  const widths = header.map((_, i) => Math.max(...[header, ...body].map((row) => row[i]!.length)));
  // Numbers line up on the right, words on the left.
  const numeric = (i: number) => i > 0 && i < header.length - 1;
  const line = (row: string[]) => row.map((cell, i) => (numeric(i) ? cell.padStart(widths[i]!) : cell.padEnd(widths[i]!))).join('  ').trimEnd();
  const out = [line(header), widths.map((w) => '-'.repeat(w)).join('  '), ...body.map(line), ''];
  const failed = rows.filter((row) => rowFailed(row.outcome)).length;
  const unmeasured = rows.filter((row) => row.outcome.kind === 'not-measured').length;
  const whole = failed === 0 ? `${rows.length} rows: every count as expected` : `${failed} of ${rows.length} rows failed (✗): see below`;
  out.push(`${whole}${unmeasured ? `; ${unmeasured} not measured on this machine` : ''}.`, '');
  for (const { fault, outcome } of rows) {
    out.push(`${fault} (${outcome.seconds.toFixed(1)} s)`);
    if (outcome.kind === 'error') out.push(`  ✗ ERROR: ${outcome.message}`);
    if (outcome.kind === 'not-measured') out.push(`  not measured: ${outcome.reason}`);
    if (outcome.kind !== 'done') continue;
    const { result } = outcome;
    for (const column of mismatchesOf(result)) out.push(`  ✗ ${column}: measured ${result.measured[column]}, expected ${result.expected[column]}`);
    for (const problem of result.problems) out.push(`  ✗ ${problem}`);
    for (const note of result.notes) out.push(`  ${note}`);
  }
  return out.join('\n');
}
