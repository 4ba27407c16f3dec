import { execFile } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { type BenchContext, type Benchmark, type Measurement, ratioOf } from './benchmark';
import { builtCli } from './support/builtCli';
import { median } from './support/median';
import { round } from './support/units';

const FILES = 50;
const PROBLEMS_PER_FILE = 10;
const RUNS = 3;
const MAX_SECONDS = 2;

/**
 * `kling validate --format github` on 50 storyboards with 500 problems in all (a pull request that breaks many files
 * at once): the wall time of the whole command, a new process each run as on a runner, and every line of its output
 * checked to be a well-formed workflow command (`::error file=…,line=…,col=…,endLine=…,endColumn=…,title=…::…`).
 * The baseline is the same command in text mode (FILE:LINE:COL lines), measured in the same run: the ratio is what
 * GitHub's language costs over plain text.
 */
export const validateGithub: Benchmark = {
  name: 'validate-github',
  metric: `s for validate --format github, ${FILES} files, ${FILES * PROBLEMS_PER_FILE} problems`,
  target: { text: `≤ ${MAX_SECONDS} s`, met: (m) => m.measured <= MAX_SECONDS },
  timeoutMs: 120_000,
  async run(ctx: BenchContext): Promise<Measurement> {
    const cli = builtCli();
    const files = Array.from({ length: FILES }, (_, i) => {
      const name = `board-${String(i).padStart(2, '0')}.kling.json`;
      // Each video has one problem: an unknown field (a typo), at its own line and column.
      const videos = Array.from({ length: PROBLEMS_PER_FILE }, (_, v) => `    { "name": "v${v}", "prompt": "Shot ${v}", "durration": ${3 + (v % 5)} }`);
      writeFileSync(path.join(ctx.workDir, name), `{\n  "version": 1,\n  "videos": [\n${videos.join(',\n')}\n  ]\n}\n`);
      return name;
    });
    const github: number[] = [];
    const text: number[] = [];
    let lines: string[] = [];
    for (let i = 0; i < RUNS; i++) {
      const timedGithub = await timed(cli, ['validate', ...files, '--format', 'github'], ctx);
      const timedText = await timed(cli, ['validate', ...files, '--format', 'text'], ctx);
      github.push(timedGithub.ms);
      text.push(timedText.ms);
      lines = timedGithub.stdout.trimEnd().split('\n');
    }
    const wellFormed = /^::error file=board-\d\d\.kling\.json,line=\d+,col=\d+,endLine=\d+,endColumn=\d+,title=[^,:]+::[^\r\n]+$/;
    const bad = lines.filter((line) => !wellFormed.test(line));
    if (bad.length) throw new Error(`${bad.length} line(s) are not well-formed workflow commands, e.g. ${bad[0]}`);
    if (lines.length !== FILES * PROBLEMS_PER_FILE) throw new Error(`${lines.length} annotations; ${FILES * PROBLEMS_PER_FILE} expected`);
    const measured = median(github) / 1000;
    const baseline = median(text) / 1000;
    ctx.log(`github ${round(measured)} s, text ${round(baseline)} s`);
    return {
      measured,
      baseline,
      unit: 's',
      baselineIs: 'the same in text mode',
      notes: [
        `${lines.length} lines, every one a well-formed ::error command with its file, range and title; median of ${RUNS} runs each (a new process each, as on a runner).`,
        `Ratio to text mode: ${round(ratioOf({ measured, baseline, unit: 's', baselineIs: '' }))}.`,
      ],
    };
  },
};

function timed(cli: string, args: string[], ctx: BenchContext): Promise<{ ms: number; stdout: string }> {
  const env = { ...process.env };
  delete env['GITHUB_ACTIONS'];
  const started = performance.now();
  return new Promise((resolve, reject) => {
    const child = execFile(process.execPath, [cli, ...args], { cwd: ctx.workDir, env, maxBuffer: 64 << 20 }, (error, stdout) => {
      // validate exits 2 for storyboards with problems: that is the case measured.
      if (error && (error as { code?: unknown }).code !== 2) return reject(error);
      resolve({ ms: performance.now() - started, stdout });
    });
    ctx.signal.addEventListener('abort', () => child.kill('SIGKILL'), { once: true });
  });
}
