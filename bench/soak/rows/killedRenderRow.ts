import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, readdir, readFile, writeFile } from 'node:fs/promises';
import * as path from 'node:path';
import { listClaims } from '../../../src/core/claims/claimStore';
import type { RowResult, SoakContext, SoakRow } from '../soakRow';
import { inspectOutput, type RecordedTask } from '../support/outputInspection';
import { OutsideWatch } from '../support/outsideWatch';
import { soakStoryboardText, soakVideos } from '../support/soakStoryboard';
import { diskLines } from './faultRow';

/** The built CLI, as `npm run build` leaves it (`npm run soak` builds it first). */
const CLI = path.resolve(__dirname, '..', '..', '..', '..', 'dist', 'cli.js');
const KILLS = 20;
/** A kill lands this long after the process starts: from its start-up (planning) to well into its creates. */
const KILL_AFTER_MS = { min: 300, max: 3000 };
/** Runs after the kills, to finish what is left; each must end on its own. */
const FINISHING_RUNS = 3;
const RUN_LIMIT_MS = 120_000;
/** The embedded simulator's clock: 100× the service's pace (a 3 s video lives about 300 ms). */
const TIME_SCALE = '10';

interface CliRun {
  code: number | null;
  signal: NodeJS.Signals | null;
  output: string;
  pid: number;
}

/**
 * `kling render --simulator` (the built CLI, a child process) killed with SIGKILL at 20 random moments, each time
 * started again on the same journal, then run until it has nothing left to do. The embedded simulator dies with it
 * and keeps its tasks in its state file, as a service would. A create under way at a kill may or may not have reached
 * the simulator: the client cannot know, and must report the video unknown (never create it again on its own).
 */
export const killedRender: SoakRow = {
  fault: `SIGKILL ×${KILLS}, resumed (CLI)`,
  timeoutMs: 900_000,
  async run(ctx: SoakContext): Promise<RowResult> {
    if (!existsSync(CLI)) throw new Error(`${CLI} is missing: run npm run build (npm run soak builds it)`);
    const videos = soakVideos(100);
    const workspace = path.join(ctx.workDir, 'workspace');
    const state = path.join(ctx.workDir, 'state');
    const outside = path.join(ctx.workDir, 'outside');
    const outputDir = path.join(workspace, 'out');
    const storyboard = path.join(workspace, 'soak.kling.json');
    for (const folder of [workspace, state, path.join(outside, 'home'), path.join(outside, 'tmp'), path.join(outside, 'out')]) await mkdir(folder, { recursive: true });
    await writeFile(path.join(outside, 'out', 'v001.mp4'), 'not a video: a file the soak watches\n');
    await writeFile(storyboard, soakStoryboardText(videos));
    const watch = await OutsideWatch.start(ctx.workDir, [workspace, state]);
    const env: NodeJS.ProcessEnv = Object.fromEntries(Object.entries(process.env).filter(([name]) => !name.startsWith('KLING_')));
    Object.assign(env, { KLING_STATE_DIR: state, KLING_SIMULATOR_TIME_SCALE: TIME_SCALE, HOME: path.join(outside, 'home'), TMPDIR: path.join(outside, 'tmp') });
    // Started from the outside folder: the CLI's workspace is the storyboard's folder, never the current one.
    const render = (killAfterMs?: number) => runCli(['render', storyboard, '--simulator', '--yes', '--concurrency', '8'], { cwd: outside, env, killAfterMs, ctx });

    const cutCreates = new Set<string>();
    const kills: string[] = [];
    let finishedEarly = 0;
    for (let i = 0; i < KILLS; i++) {
      const after = Math.round(KILL_AFTER_MS.min + ctx.random() * (KILL_AFTER_MS.max - KILL_AFTER_MS.min));
      const run = await render(after);
      if (run.signal !== 'SIGKILL') {
        finishedEarly++;
        break;
      }
      const cut = await createsCutBy(run.pid, outputDir, path.join(state, 'journal.json'));
      for (const name of cut) cutCreates.add(name);
      kills.push(`${after}${cut.length ? ` (${cut.join(' ')})` : ''}`);
      ctx.log(`kill ${i + 1} at ${after} ms: ${(await savedCount(outputDir))} videos on disk${cut.length ? `, a create cut: ${cut.join(', ')}` : ''}`);
    }

    const finishing: CliRun[] = [];
    for (let i = 0; i < FINISHING_RUNS; i++) {
      const run = await render();
      finishing.push(run);
      ctx.log(`run to the end ${i + 1}: exit ${run.code ?? run.signal}`);
      if (run.code === 0 || !/^[↓✗] /m.test(run.output)) break;
    }
    const last = finishing.at(-1)!;
    const reportedUnknown = new Set([...last.output.matchAll(/^\? (v\d{3}): /gm)].map((m) => m[1]!));

    const tasks = await simulatorTasks(path.join(state, 'simulator.json'));
    const inspection = await inspectOutput(outputDir, new Map(videos.map((v) => [v.name, v])), tasks);
    const outsideChanges = await watch.changes();
    const promptOf = new Map(videos.map((v) => [v.name, v.prompt]));
    // Of the creates cut by a kill, those the simulator had received and made: paid for, their answer never delivered.
    const madeForCut = [...cutCreates].filter((name) => tasks.some((t) => t.prompt === promptOf.get(name)));
    const strangers = tasks.filter((t) => !videos.some((v) => v.prompt === t.prompt));
    const problems: string[] = [];
    if (kills.length < KILLS) problems.push(`only ${kills.length} of ${KILLS} kills landed: the render finished first`);
    if (last.code !== 0 && /^[↓✗] /m.test(last.output)) {
      const stuck = last.output.split('\n').filter((line) => /^[↓✗] /.test(line));
      problems.push(`after ${FINISHING_RUNS} runs to the end, ${stuck.length} videos are still failed or waiting for their download, e.g.:\n${stuck.slice(0, 3).map((line) => `    ${line}`).join('\n')}`);
    }
    if (strangers.length) problems.push(`${strangers.length} simulator tasks belong to no video of the storyboard`);
    const saved = videos.length - cutCreates.size;
    return {
      videos: videos.length,
      measured: { creates: tasks.length, saved: inspection.saved.size, corrupt: inspection.corrupt.length, outside: outsideChanges.length, unknown: reportedUnknown.size },
      expected: { creates: saved + madeForCut.length, saved, corrupt: 0, outside: 0, unknown: cutCreates.size },
      notes: [
        `kills after (ms): ${kills.join(', ') || 'none'}${finishedEarly ? '; then the render finished before its kill' : ''}.`,
        `then ${finishing.length} run(s) to the end, exits ${finishing.map((r) => r.code ?? r.signal).join(', ')}.`,
        `creates cut by a kill (claim "submitting" by the killed process, no task id in the journal): ${cutCreates.size}${cutCreates.size ? ` (${[...cutCreates].join(', ')})` : ''}; the simulator had made ${madeForCut.length} of them.`,
        `expected: every video saved but those whose create a kill cut (${cutCreates.size}), which are reported unknown; creates = those saved + the cut creates the simulator made (its state file).`,
        ...diskLines(inspection, outsideChanges),
      ],
      problems,
    };
  },
};

/** Starts the CLI; with `killAfterMs`, kills it with SIGKILL that long after it started (if it is still running). */
function runCli(args: string[], options: { cwd: string; env: NodeJS.ProcessEnv; killAfterMs?: number | undefined; ctx: SoakContext }): Promise<CliRun> {
  const child = spawn(process.execPath, [CLI, ...args], { cwd: options.cwd, env: options.env, stdio: ['ignore', 'pipe', 'pipe'] });
  options.ctx.defer(() => void child.kill('SIGKILL'));
  let output = '';
  child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const kill = setTimeout(() => child.kill('SIGKILL'), options.killAfterMs ?? RUN_LIMIT_MS);
  return new Promise((resolve, reject) => {
    child.once('error', reject);
    child.once('close', (code, signal) => {
      clearTimeout(kill);
      if (options.killAfterMs === undefined && signal === 'SIGKILL') reject(new Error(`a run to the end did not end within ${RUN_LIMIT_MS / 1000} s (a hang?):\n${tailOf(output)}`));
      else resolve({ code, signal, output, pid: child.pid! });
    });
  });
}

/**
 * The videos whose create the killed process had on its way: its claim says `submitting`, in the killed process's
 * name, and the journal entry it names has no task id. A create journaled but not yet claimed never left (the next
 * run drops it); one whose answer was journaled is known. Read from the disk right after the kill, before anything
 * else runs.
 */
async function createsCutBy(pid: number, outputDir: string, journalPath: string): Promise<string[]> {
  const journal = await readFile(journalPath, 'utf8').then(
    (text) => (JSON.parse(text) as { entries: Array<{ id: string; taskId?: string }> }).entries,
    () => [],
  );
  const known = new Set(journal.filter((e) => e.taskId !== undefined).map((e) => e.id));
  const cut: string[] = [];
  for (const { claim } of await listClaims(outputDir)) {
    if (claim.owner.pid === pid && claim.entry.state.status === 'submitting' && !known.has(claim.entry.id)) cut.push(claim.entry.videoName ?? claim.entry.label);
  }
  return cut.sort();
}

/** The embedded simulator's tasks, from its state file: what it created, whatever the CLI knew of it. */
async function simulatorTasks(stateFile: string): Promise<RecordedTask[]> {
  const text = await readFile(stateFile, 'utf8').catch(() => undefined);
  if (text === undefined) return [];
  const tasks = (JSON.parse(text) as { tasks: Array<{ id: string; request?: { prompt?: string } }> }).tasks;
  return tasks.map((t) => ({ id: t.id, prompt: t.request?.prompt ?? '' }));
}

async function savedCount(outputDir: string): Promise<number> {
  return (await readdir(outputDir).catch(() => [])).filter((name) => name.endsWith('.mp4') && !name.startsWith('.')).length;
}

function tailOf(output: string): string {
  return output.trimEnd().split('\n').slice(-8).map((line) => `    ${line}`).join('\n');
}
