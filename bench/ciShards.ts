import { spawn } from 'node:child_process';
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { SIMULATOR_API_KEY, startSimulator } from '../src/core/simulator/simulatorServer';
import { ratioAtMost, type BenchContext, type Benchmark, type Measurement } from './benchmark';
import { builtCli } from './support/builtCli';
import { round } from './support/units';

const VIDEOS = 100;
const SHARDS = 4;
const CONCURRENCY = 4;
/** Ten times the service's speed: real milliseconds per simulated second. */
const TIME_SCALE = 100;

interface ShardRun {
  shard: number;
  code: number | null;
  ms: number;
  videos: number;
  stderr: string;
}

/**
 * 100 videos split over 4 shards, rendered by 4 `kling render --shard K/4` processes at once (as 4 CI runners would),
 * each with a journal of its own, against one simulator at 10× speed that the processes reach as the Kling API. The
 * processes share the output folder, as runners sharing a cache would. The figure is the wall time against the ideal
 * for that many videos: the slowest task (from its create to its video saved, read from the sidecars) times the
 * rounds a perfect split needs, ⌈100 / (4 shards × 4 at once)⌉. The run is only a figure if every video was created
 * exactly once and saved: otherwise the bench fails.
 */
export const ciShards: Benchmark = {
  name: 'ci-shards',
  metric: `wall time of ${VIDEOS} videos over ${SHARDS} shards (s)`,
  target: ratioAtMost(1.3),
  timeoutMs: 10 * 60_000,
  async run(ctx: BenchContext): Promise<Measurement> {
    const cli = builtCli();
    const simulator = await startSimulator({ timeScale: TIME_SCALE, balanceCredits: 100_000 });
    try {
      const names = Array.from({ length: VIDEOS }, (_, i) => `v${String(i).padStart(3, '0')}`);
      writeFileSync(
        path.join(ctx.workDir, 'bench.kling.json'),
        JSON.stringify({ version: 1, output: 'out', videos: names.map((name) => ({ name, prompt: `Shot ${name} of the bench`, duration: 3 })) }, null, 2),
      );
      const started = performance.now();
      const runs = await Promise.all(Array.from({ length: SHARDS }, (_, i) => renderShard(ctx, cli, simulator.baseUrl, i + 1)));
      const wallMs = performance.now() - started;

      const failed = runs.filter((r) => r.code !== 0);
      if (failed.length) throw new Error(`shard ${failed[0]!.shard} exited ${failed[0]!.code}: ${failed[0]!.stderr.slice(-400)}`);
      const creates = simulator.stats().requests.filter((r) => r.method === 'POST' && r.path === '/v1/videos/generations').length;
      const saved = readdirSync(path.join(ctx.workDir, 'out')).filter((f) => f.endsWith('.mp4'));
      if (creates !== VIDEOS || saved.length !== VIDEOS) throw new Error(`${creates} creates and ${saved.length} videos saved; ${VIDEOS} of each expected`);
      const taskMs = saved.map((file) => {
        const sidecar = JSON.parse(readFileSync(path.join(ctx.workDir, 'out', `${file}.json`), 'utf8')) as { createdAt: string; savedAt: string };
        return Date.parse(sidecar.savedAt) - Date.parse(sidecar.createdAt);
      });
      const slowest = Math.max(...taskMs);
      const rounds = Math.ceil(VIDEOS / (SHARDS * CONCURRENCY));
      const ideal = slowest * rounds;
      ctx.log(`wall ${round(wallMs / 1000)} s, slowest task ${round(slowest / 1000)} s × ${rounds} rounds = ${round(ideal / 1000)} s`);
      return {
        measured: wallMs / 1000,
        baseline: ideal / 1000,
        unit: 's',
        baselineIs: `slowest task × ⌈${VIDEOS} / (${SHARDS} × ${CONCURRENCY})⌉`,
        notes: [
          `${creates} creates for ${VIDEOS} videos, ${saved.length} saved; videos per shard: ${runs.map((r) => r.videos).join(', ')} (split by a hash of the name, so not even).`,
          `Each shard's wall time: ${runs.map((r) => `${round(r.ms / 1000)} s`).join(', ')}. Tasks: slowest ${round(slowest / 1000)} s, fastest ${round(Math.min(...taskMs) / 1000)} s (create to saved, from the sidecars; the first poll of a task on the API comes 15 s after its create).`,
          `4 processes, 4 journals, one simulator at ${1000 / TIME_SCALE}× speed reached as the API (KLING_BASE_URL), --concurrency ${CONCURRENCY}.`,
        ],
      };
    } finally {
      await simulator.close();
    }
  },
};

function renderShard(ctx: BenchContext, cli: string, baseUrl: string, shard: number): Promise<ShardRun> {
  const env: NodeJS.ProcessEnv = { ...process.env, KLING_API_KEY: SIMULATOR_API_KEY, KLING_BASE_URL: baseUrl, KLING_STATE_DIR: path.join(ctx.workDir, `state-${shard}`) };
  for (const name of ['HTTP_PROXY', 'HTTPS_PROXY', 'http_proxy', 'https_proxy', 'GITHUB_ACTIONS']) delete env[name];
  const started = performance.now();
  const child = spawn(process.execPath, [cli, 'render', 'bench.kling.json', '--shard', `${shard}/${SHARDS}`, '--concurrency', String(CONCURRENCY), '--yes', '--json'], {
    cwd: ctx.workDir,
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const stop = () => child.kill('SIGKILL');
  ctx.signal.addEventListener('abort', stop, { once: true });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  return new Promise((resolve) =>
    child.on('close', (code) => {
      ctx.signal.removeEventListener('abort', stop);
      let videos = 0;
      try {
        videos = (JSON.parse(stdout) as { videos: unknown[] }).videos.length;
      } catch {
        // The exit code says what went wrong.
      }
      resolve({ shard, code, ms: performance.now() - started, videos, stderr });
    }),
  );
}
