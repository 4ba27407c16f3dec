import { spawn } from 'node:child_process';
import { createWriteStream } from 'node:fs';
import { rm, stat } from 'node:fs/promises';
import { get } from 'node:http';
import * as path from 'node:path';
import { pipeline } from 'node:stream/promises';
import { Agent } from 'undici';
import { downloadFile } from '../src/core/download/downloadFile';
import { ratioAtLeast, type BenchContext, type Benchmark, type Measurement } from './benchmark';
import type { SimulatorProcessMessage } from './processes/simulatorProcess';
import { BenchChild } from './support/benchChild';
import { median } from './support/median';
import { mib, MiB, round } from './support/units';

const VIDEO_BYTES = 300 * MiB;
/** Timed rounds, each one download by each side; a first, untimed round warms the page cache and the JIT. */
const ROUNDS = 7;
const CURL = '/usr/bin/curl';

/**
 * `downloadFile` against curl on the same URL. The simulator runs in a child process: in the bench's own process
 * its writes would share one event loop (and one core) with `downloadFile`'s reads while curl would face a server
 * with a loop of its own, and the figure would measure that unfairness rather than the downloader. On two cores
 * the server has one and the downloader (whichever side) the other. The sides take turns at going first, so that a
 * drift (page cache, disk writeback, other work on the machine) falls on all of them. A third side, Node's own
 * http client piped into a file, is a reference for what Node does with nothing in between.
 */
export const downloadThroughput: Benchmark = {
  name: 'download-throughput',
  metric: `download throughput, ${mib(VIDEO_BYTES)} MiB video (MiB/s)`,
  target: ratioAtLeast(0.8),
  timeoutMs: 300_000,
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
      const nodeHttps: number[] = [];
      const sideNames = ['ours', 'curl', 'node-http'] as const;
      for (let round = 0; round <= ROUNDS; round++) {
        const sides = sideNames.map((_, i) => sideNames[(i + round) % sideNames.length]!);
        for (const side of sides) {
          ctx.signal.throwIfAborted();
          const file = path.join(ctx.workDir, `${side}-${round}.mp4`);
          if (side === 'ours') {
            const run = await timeDownloadFile(ready.url, file, dispatcher, ready.bytes);
            if (round > 0) {
              ours.push(run.seconds);
              finishes.push(run.finishSeconds);
            }
          } else if (side === 'curl') {
            const run = await timeCurl(ready.url, file, ready.bytes, ctx.signal);
            if (round > 0) {
              curls.push(run.seconds);
              curlWalls.push(run.wallSeconds);
            }
          } else {
            const seconds = await timeNodeHttp(ready.url, file, ready.bytes);
            if (round > 0) nodeHttps.push(seconds);
          }
          await rm(file, { force: true });
        }
        if (round > 0) {
          ctx.log(`round ${round}/${ROUNDS}: ours ${rate(ready.bytes, ours.at(-1)!)} MiB/s, curl ${rate(ready.bytes, curls.at(-1)!)} MiB/s, node:http ${rate(ready.bytes, nodeHttps.at(-1)!)} MiB/s`);
        }
      }
      const measured = mib(ready.bytes) / median(ours);
      const baseline = mib(ready.bytes) / median(curls);
      // curl does not flush to disk; downloadFile does before its rename. This splits the figure to show which part lags.
      const transfer = mib(ready.bytes) / median(ours.map((s, i) => s - finishes[i]!));
      const nodeHttp = mib(ready.bytes) / median(nodeHttps);
      // Each round's sides ran back to back: their ratio is less shaken by load that comes and goes than the medians.
      const paired = median(ours.map((s, i) => curls[i]! / s));
      return {
        measured,
        baseline,
        unit: 'MiB/s',
        baselineIs: 'curl',
        notes: [
          `${ROUNDS} rounds of ${round(mib(ready.bytes))} MiB from a simulator in its own process, the sides taking turns at going first; medians.`,
          `downloadFile (s): ${ours.map((s) => s.toFixed(3)).join(', ')}; of which after the last byte (last flush beside the MP4 check, rename), median ${(median(finishes) * 1000).toFixed(0)} ms.`,
          `curl time_total (s): ${curls.map((s) => s.toFixed(3)).join(', ')}; wall clock with process start, median ${median(curlWalls).toFixed(3)} s.`,
          `downloadFile up to its last byte only: ${round(transfer)} MiB/s, ${round(transfer / baseline)}× curl (curl does not fsync).`,
          `median of each round's ratio (downloadFile / curl, run back to back): ${round(paired)}×.`,
          `reference, node:http piped into a file (no fsync, no checks), same rounds: ${round(nodeHttp)} MiB/s, ${round(nodeHttp / baseline)}× curl; (s) ${nodeHttps.map((s) => s.toFixed(3)).join(', ')}.`,
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

/** Node's own client piped into a file stream: the plainest streaming download in Node, timed from the request. */
function timeNodeHttp(url: string, file: string, expected: number): Promise<number> {
  return new Promise((resolve, reject) => {
    const started = performance.now();
    get(url, (response) => {
      if (response.statusCode !== 200) reject(new Error(`node:http got HTTP ${response.statusCode}`));
      pipeline(response, createWriteStream(file)).then(async () => {
        const seconds = (performance.now() - started) / 1000;
        const size = (await stat(file)).size;
        if (size === expected) resolve(seconds);
        else reject(new Error(`node:http wrote ${size} bytes, not ${expected}`));
      }, reject);
    }).once('error', reject);
  });
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
