import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import type { Benchmark } from './benchmark';
import { BENCHMARKS } from './benchmarks';
import { resultTable, type Outcome } from './resultTable';

/**
 * `npm run bench [-- NAME…]`: runs every benchmark (or those whose name contains one of the NAMEs) one after the
 * other, then prints the table. A missed target is marked, not fatal: the bench reports, it does not fail a build.
 * It exits 1 only when a benchmark could not produce a figure (it threw or ran out of time), since then the bench
 * itself is broken.
 */
async function main(argv: string[]): Promise<number> {
  if (argv.includes('--help') || argv.includes('-h')) {
    process.stdout.write(`Usage: npm run bench [-- NAME…]\n\nBenchmarks:\n${BENCHMARKS.map((b) => `  ${b.name.padEnd(22)} ${b.metric}; ${b.target.text}`).join('\n')}\n`);
    return 0;
  }
  const filters = argv.filter((arg) => !arg.startsWith('-'));
  const chosen = filters.length ? BENCHMARKS.filter((b) => filters.some((f) => b.name.includes(f))) : BENCHMARKS;
  if (chosen.length === 0) {
    process.stderr.write(`No benchmark matches ${filters.join(', ')}; there are: ${BENCHMARKS.map((b) => b.name).join(', ')}\n`);
    return 2;
  }
  const results: Array<{ benchmark: Benchmark; outcome: Outcome }> = [];
  for (const benchmark of chosen) {
    process.stderr.write(`▶ ${benchmark.name}\n`);
    results.push({ benchmark, outcome: await runOne(benchmark) });
  }
  process.stdout.write(`\n${resultTable(results)}\n`);
  return results.some((r) => r.outcome.kind === 'error') ? 1 : 0;
}

async function runOne(benchmark: Benchmark): Promise<Outcome> {
  const workDir = await mkdtemp(path.join(tmpdir(), `kling-bench-${benchmark.name}-`));
  const abort = new AbortController();
  const started = performance.now();
  const seconds = () => (performance.now() - started) / 1000;
  let timer: NodeJS.Timeout | undefined;
  // The runner does not wait on a benchmark past its time, even one that ignores its signal.
  const timedOut = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      const error = new Error(`ran out of time after ${benchmark.timeoutMs / 1000} s`);
      abort.abort(error);
      reject(error);
    }, benchmark.timeoutMs);
  });
  try {
    const measurement = await Promise.race([
      benchmark.run({ signal: abort.signal, workDir, log: (line) => process.stderr.write(`  ${line}\n`) }),
      timedOut,
    ]);
    return { kind: 'measured', measurement, seconds: seconds() };
  } catch (error) {
    abort.abort(error);
    return { kind: 'error', message: error instanceof Error ? error.message : String(error), seconds: seconds() };
  } finally {
    clearTimeout(timer);
    await rm(workDir, { recursive: true, force: true });
  }
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (error: unknown) => {
    process.stderr.write(`bench: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    process.exit(1);
  },
);
