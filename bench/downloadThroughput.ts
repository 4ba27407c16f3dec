import { spawn } from 'node:child_process';
import { rm, stat } from 'node:fs/promises';
import * as path from 'node:path';
import { Agent } from 'undici';
import { downloadFile } from '../src/core/download/downloadFile';
import { ratioAtLeast, type BenchContext, type Benchmark, type Measurement } from './benchmark';
import type { SimulatorProcessMessage } from './processes/simulatorProcess';
import { BenchChild } from './support/benchChild';
import { median } from './support/median';
import { mib, MiB, round } from './support/units';

const VIDEO_BYTES = 300 * MiB;
/** Timed rounds, each one download by each side; a first, untimed round warms the page cache and the JIT. */
const ROUNDS = 5;
const CURL = '/usr/bin/curl';

/**
 * `downloadFile` against curl on the same URL. The simulator runs in a child process: in the bench's own process
 * its writes would share one event loop (and one core) with `downloadFile`'s reads while curl would face a server
 * with a loop of its own, and the figure would measure that unfairness rather than the downloader. On two cores
 * the server has one and the downloader (ours or curl) the other. The sides alternate which goes first in each
 * round, so that a drift (page cache, disk writeback) falls on both.
 */
export const downloadThroughput: Benchmark = {
  name: 'download-throughput',
  metric: `download throughput, ${mib(VIDEO_BYTES)} MiB video (MiB/s)`,
  target: ratioAtLeast(0.8),
  timeoutMs: 180_000,
  async run(ctx: BenchContext): Promise<Measurement> {
    const simulator = BenchChild.start('simulatorProcess', { paddingBytes: VIDEO_BYTES }, ctx.signal);
    const dispatcher = new Agent();
    try {
      const ready = await simulator.next<SimulatorProcessMessage>();
      if (ready.type !== 'ready') throw new Error(`unexpected message from the simulator: ${ready.type}`);
      const ours: number[] = [];
      const curls: number[] = [];
      const finishes: number[] = [];
      const curlWalls: number[] = [];
      for (let round = 0; round <= ROUNDS; round++) {
        const sides = round % 2 === 0 ? (['ours', 'curl'] as const) : (['curl', 'ours'] as const);
        for (const side of sides) {
          ctx.signal.throwIfAborted();
          const file = path.join(ctx.workDir, `${side}-${round}.mp4`);
          if (side === 'ours') {
            const run = await timeDownloadFile(ready.url, file, dispatcher, ready.bytes);
            if (round > 0) {
              ours.push(run.seconds);
              finishes.push(run.finishSeconds);
            }
          } else {
            const run = await timeCurl(ready.url, file, ready.bytes, ctx.signal);
            if (round > 0) {
              curls.push(run.seconds);
              curlWalls.push(run.wallSeconds);
            }
          }
          await rm(file, { force: true });
        }
        if (round > 0) ctx.log(`round ${round}/${ROUNDS}: ours ${rate(ready.bytes, ours.at(-1)!)} MiB/s, curl ${rate(ready.bytes, curls.at(-1)!)} MiB/s`);
      }
      const measured = mib(ready.bytes) / median(ours);
      const baseline = mib(ready.bytes) / median(curls);
      // curl does not flush to disk; downloadFile does before its rename. This splits the figure to show which part lags.
      const transfer = mib(ready.bytes) / median(ours.map((s, i) => s - finishes[i]!));
      return {
        measured,
        baseline,
        unit: 'MiB/s',
        baselineIs: 'curl',
        notes: [
          `${ROUNDS} alternating rounds of ${round(mib(ready.bytes))} MiB from a simulator in its own process; medians.`,
          `downloadFile (s): ${ours.map((s) => s.toFixed(3)).join(', ')}; of which after the last byte (MP4 check, fsync, rename), median ${(median(finishes) * 1000).toFixed(0)} ms.`,
          `curl time_total (s): ${curls.map((s) => s.toFixed(3)).join(', ')}; wall clock with process start, median ${median(curlWalls).toFixed(3)} s.`,
          `downloadFile up to its last byte only: ${round(transfer)} MiB/s, ${round(transfer / baseline)}× curl (curl does not fsync).`,
        ],
      };
    } finally {
      await dispatcher.close();
      await simulator.stop();
    }
  },
};

function rate(bytes: number, seconds: number): string {
  return round(mib(bytes) / seconds);
}

async function timeDownloadFile(url: string, targetPath: string, dispatcher: Agent, expected: number): Promise<{ seconds: number; finishSeconds: number }> {
  let lastByteAt = Number.NaN;
  const started = performance.now();
  const result = await downloadFile({
    url,
    targetPath,
    dispatcher,
    maxAttempts: 1,
    // The engine always passes one: its cost belongs in the figure.
    onProgress: (received, total) => {
      if (received === total) lastByteAt = performance.now();
    },
  });
  const ended = performance.now();
  if (result.bytes !== expected) throw new Error(`downloadFile saved ${result.bytes} bytes, not ${expected}`);
  return { seconds: (ended - started) / 1000, finishSeconds: (ended - lastByteAt) / 1000 };
}

/**
 * curl's own `time_total` is the baseline: it leaves out curl's process start, which makes the baseline a little
 * stricter than timing the command. `--noproxy '*'`: a proxy from the environment must not see loopback traffic.
 */
function timeCurl(url: string, file: string, expected: number, signal: AbortSignal): Promise<{ seconds: number; wallSeconds: number }> {
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const curl = spawn(CURL, ['-s', '-S', '--noproxy', '*', '-o', file, '-w', '%{http_code} %{size_download} %{time_total}', url], {
      stdio: ['ignore', 'pipe', 'inherit'],
      signal,
    });
    let out = '';
    curl.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
    curl.once('error', reject);
    curl.once('close', (code) => {
      const wallSeconds = (performance.now() - started) / 1000;
      const [status, size, total] = out.trim().split(' ');
      if (code !== 0 || status !== '200' || Number(size) !== expected) {
        reject(new Error(`curl exited ${code} with "${out.trim()}" (expected 200 and ${expected} bytes)`));
        return;
      }
      stat(file).then(
        (s) => (s.size === expected ? resolve({ seconds: Number(total), wallSeconds }) : reject(new Error(`curl wrote ${s.size} bytes`))),
        reject,
      );
    });
  });
}
