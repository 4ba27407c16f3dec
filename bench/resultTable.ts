import { ratioOf, type Benchmark, type Measurement } from './benchmark';
import { round } from './support/units';

export type Outcome = { kind: 'measured'; measurement: Measurement; seconds: number } | { kind: 'error'; message: string; seconds: number };

/** The figures as a plain-text table, then each figure's notes; misses and errors stand out in capitals. */
export function resultTable(results: ReadonlyArray<{ benchmark: Benchmark; outcome: Outcome }>): string {
  const header = ['metric', 'measured', 'baseline', 'ratio', 'target', 'result'];
  const rows = results.map(({ benchmark, outcome }) => {
    if (outcome.kind === 'error') return [benchmark.metric, '—', '—', '—', benchmark.target.text, 'ERROR'];
    const m = outcome.measurement;
    return [
      benchmark.metric,
      `${round(m.measured)} ${m.unit}`,
      `${round(m.baseline)} ${m.unit} (${m.baselineIs})`,
      `${round(ratioOf(m))}×`,
      benchmark.target.text,
      benchmark.target.met(m) ? 'pass' : 'MISS ✗',
    ];
  });
  const widths = header.map((_, i) => Math.max(...[header, ...rows].map((row) => row[i]!.length)));
  const line = (row: string[]) => row.map((cell, i) => cell.padEnd(widths[i]!)).join('  ').trimEnd();
  const out = [line(header), widths.map((w) => '-'.repeat(w)).join('  '), ...rows.map(line), ''];
  for (const { benchmark, outcome } of results) {
    out.push(`${benchmark.name} (${outcome.seconds.toFixed(1)} s)`);
    const notes = outcome.kind === 'error' ? [`ERROR: ${outcome.message}`] : (outcome.measurement.notes ?? []);
    for (const note of notes) out.push(`  ${note}`);
  }
  return out.join('\n');
}
