import { setMaxListeners } from 'node:events';
import { constants } from 'node:fs';
import { access, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { NotMeasured, type SoakRow } from './soakRow';
import { SOAK_ROWS } from './soakRows';
import { soakPassed, soakTable, type RowOutcome, type TableRow } from './soakTable';
import { seededRandom } from './support/seededRandom';

/**
 * `npm run soak [-- FILTER…] [--seed N]`: every row of the fault matrix (or those whose fault contains a FILTER), one
 * after the other, then the table. Exits 1 when any count differs from its expectation, a row has a problem, or a
 * row could not finish (it threw or ran out of time); 0 only when every row is as expected.
 */
async function main(argv: string[]): Promise<number> {
  if (argv.includes('--help') || argv.includes('-h')) {
    process.stdout.write(`Usage: npm run soak [-- FILTER…] [--seed N]\n\nRows:\n${SOAK_ROWS.map((r) => `  ${r.fault}`).join('\n')}\n`);
    return 0;
  }
  const seedAt = argv.indexOf('--seed');
  const seed = seedAt >= 0 ? Number(argv[seedAt + 1]) : Date.now() % 2 ** 31;
  if (!Number.isInteger(seed)) {
    process.stderr.write('--seed takes a whole number\n');
    return 2;
  }
  const filters = argv.filter((arg, i) => !arg.startsWith('-') && argv[i - 1] !== '--seed');
  const chosen = filters.length ? SOAK_ROWS.filter((r) => filters.some((f) => r.fault.includes(f))) : SOAK_ROWS;
  if (chosen.length === 0) {
    process.stderr.write(`No row matches ${filters.join(', ')}; there are:\n${SOAK_ROWS.map((r) => `  ${r.fault}`).join('\n')}\n`);
    return 2;
  }
  process.stderr.write(`soak: ${chosen.length} rows in ${await soakFolder()}, seed ${seed} (repeat with --seed ${seed})\n`);
  const started = performance.now();
  const rows: TableRow[] = [];
  for (const [index, row] of chosen.entries()) {
    process.stderr.write(`▶ ${row.fault}\n`);
    const outcome = await runOne(row, seededRandom(seed + index));
    process.stderr.write(`  ${outcome.kind} in ${outcome.seconds.toFixed(1)} s\n`);
    rows.push({ fault: row.fault, outcome });
  }
  process.stdout.write(`\n${soakTable(rows)}\n\nseed ${seed}; ${((performance.now() - started) / 1000).toFixed(0)} s in all.\n`);
  return soakPassed(rows) ? 0 : 1;
}

async function runOne(row: SoakRow, random: () => number): Promise<RowOutcome> {
  const workDir = await mkdtemp(path.join(await soakFolder(), 'kling-soak-'));
  const abort = new AbortController();
  // Every worker of a render waits on this one signal, and a row may run two renders: more than Node's default ten.
  setMaxListeners(64, abort.signal);
  const cleanups: Array<() => Promise<void> | void> = [];
  const started = performance.now();
  const seconds = () => (performance.now() - started) / 1000;
  let timer: NodeJS.Timeout | undefined;
  // A row that hangs is an error of its own, never a wait without end.
  const timedOut = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      const error = new Error(`ran out of time after ${row.timeoutMs / 1000} s (a hang?)`);
      abort.abort(error);
      reject(error);
    }, row.timeoutMs);
  });
  const running = row.run({
    signal: abort.signal,
    workDir,
    random,
    log: (line) => process.stderr.write(`  ${line}\n`),
    defer: (cleanup) => void cleanups.push(cleanup),
  });
  try {
    const result = await Promise.race([running, timedOut]);
    return { kind: 'done', result, seconds: seconds() };
  } catch (error) {
    abort.abort(error);
    if (error instanceof NotMeasured) return { kind: 'not-measured', reason: error.message, seconds: seconds() };
    return { kind: 'error', message: error instanceof Error ? (error.stack ?? error.message) : String(error), seconds: seconds() };
  } finally {
    clearTimeout(timer);
    // A row told to stop gets a moment to undo its own work; what it registered is undone in any case.
    await Promise.race([running.catch(() => undefined), new Promise((resolve) => setTimeout(resolve, 15_000).unref())]);
    for (const cleanup of cleanups.reverse()) {
      await Promise.resolve()
        .then(cleanup)
        .catch((error: unknown) => process.stderr.write(`  cleanup failed: ${String(error)}\n`));
    }
    await rm(workDir, { recursive: true, force: true }).catch((error: unknown) => process.stderr.write(`  could not remove ${workDir}: ${String(error)}\n`));
  }
}

/**
 * Where the rows' folders go: SOAK_DIR if set, else /dev/shm (a RAM file system: the journal's and claims' flushes
 * cost nothing there, and the soak counts outcomes, not disk time), else the system's temporary folder.
 */
async function soakFolder(): Promise<string> {
  const chosen = process.env['SOAK_DIR'];
  if (chosen) return chosen;
  const ram = '/dev/shm';
  return (await access(ram, constants.W_OK).then(() => true, () => false)) ? ram : tmpdir();
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (error: unknown) => {
    process.stderr.write(`soak: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    process.exit(1);
  },
);
