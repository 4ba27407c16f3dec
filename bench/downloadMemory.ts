import { rm } from 'node:fs/promises';
import * as path from 'node:path';
import { excessAtMost, type BenchContext, type Benchmark, type Measurement } from './benchmark';
import type { RssProbeArgs, RssProbeResult } from './processes/rssProbe';
import type { SimulatorProcessMessage } from './processes/simulatorProcess';
import { BenchChild } from './support/benchChild';
import { mib, MiB, round } from './support/units';

const VIDEO_BYTES = 500 * MiB;
const RUNS = 3;
/** One more download, a tenth of the size: whether the growth follows the size or stays put. */
const SMALL_BYTES = 50 * MiB;

/**
 * Peak resident memory of a process that downloads a 500 MiB video with `downloadFile`, against the same process
 * that only samples its memory for as long (same modules, same objects, no download). Each measurement is a fresh
 * process, so that nothing from another figure (or an earlier run) is in its heap; the worst of the runs counts,
 * since a peak is what a user's machine has to hold. The simulator runs in a third process.
 */
export const downloadMemory: Benchmark = {
  name: 'download-memory',
  metric: `peak RSS downloading ${mib(VIDEO_BYTES)} MiB (MiB)`,
  target: excessAtMost(32, 'MiB'),
  timeoutMs: 300_000,
  async run(ctx: BenchContext): Promise<Measurement> {
    const simulator = BenchChild.start('simulatorProcess', { paddingBytes: VIDEO_BYTES }, ctx.signal);
    try {
      const ready = await simulator.next<SimulatorProcessMessage>();
      if (ready.type !== 'ready') throw new Error(`unexpected message from the simulator: ${ready.type}`);
      const downloads: RssProbeResult[] = [];
      const idles: RssProbeResult[] = [];
      for (let run = 1; run <= RUNS; run++) {
        const targetPath = path.join(ctx.workDir, `video-${run}.mp4`);
        const download = await probe({ mode: 'download', url: ready.url, targetPath }, ctx.signal);
        await rm(targetPath, { force: true });
        if (download.bytes !== ready.bytes) throw new Error(`the probe saved ${download.bytes} bytes, not ${ready.bytes}`);
        const idle = await probe({ mode: 'idle', idleMs: Math.round(download.elapsedMs) }, ctx.signal);
        downloads.push(download);
        idles.push(idle);
        ctx.log(`run ${run}/${RUNS}: downloading peak ${round(mib(download.peakRss))} MiB (+${round(mib(download.peakRss - download.startRss))}), idle peak ${round(mib(idle.peakRss))} MiB (+${round(mib(idle.peakRss - idle.startRss))})`);
      }
      // The references, one kind at a time after the figure's own runs: Node's own client piped into a file (the
      // plainest streaming download), and downloadFile with V8's optimizing wasm compiler off (diagnosis only).
      const nodeHttp: RssProbeResult[] = [];
      for (let run = 1; run <= RUNS; run++) {
        const targetPath = path.join(ctx.workDir, `node-http-${run}.mp4`);
        nodeHttp.push(await probe({ mode: 'node-http', url: ready.url, targetPath }, ctx.signal));
        await rm(targetPath, { force: true });
      }
      const liftoffPath = path.join(ctx.workDir, 'liftoff.mp4');
      const liftoff = await probe({ mode: 'download', url: ready.url, targetPath: liftoffPath }, ctx.signal, ['--liftoff-only']);
      await rm(liftoffPath, { force: true });
      const small = await probeSmall(ctx);
      const growth = (r: RssProbeResult) => round(mib(r.peakRss - r.startRss));
      const buffers = (r: RssProbeResult) => round(mib(r.peakArrayBuffers - r.startArrayBuffers));
      const highest = (rs: RssProbeResult[]) => round(Math.max(...rs.map((r) => mib(r.peakRss - r.startRss))));
      return {
        measured: mib(Math.max(...downloads.map((r) => r.peakRss))),
        baseline: mib(Math.max(...idles.map((r) => r.peakRss))),
        unit: 'MiB',
        baselineIs: 'idle probe',
        notes: [
          `${RUNS} runs, each a fresh process; the highest peak of each kind. Peak = max of 5 ms samples and VmHWM` +
            (downloads.every((r) => r.hwmReset) ? ' (reset at the start through /proc/self/clear_refs).' : ' (VmHWM could not be reset: samples only).'),
          `growth from the start, downloading (MiB): ${downloads.map(growth).join(', ')}; idle: ${idles.map(growth).join(', ')}.`,
          `  of which Buffers (process.memoryUsage().arrayBuffers, highest sample): ${downloads.map(buffers).join(', ')}: socket reads not yet collected.`,
          `download times (s): ${downloads.map((r) => (r.elapsedMs / 1000).toFixed(2)).join(', ')}.`,
          `reference, node:http piped into a file, same runs: growth ${nodeHttp.map(growth).join(', ')} (highest ${highest(nodeHttp)}); Buffers ${nodeHttp.map(buffers).join(', ')}.`,
          `diagnosis, downloadFile with --liftoff-only (V8 does not optimize undici's wasm HTTP parser; never in the product): growth ${growth(liftoff)}, Buffers ${buffers(liftoff)}.`,
          `growth downloading ${mib(SMALL_BYTES)} MiB instead (one run): ${growth(small)} MiB.`,
        ],
      };
    } finally {
      await simulator.stop();
    }
  },
};

async function probeSmall(ctx: BenchContext): Promise<RssProbeResult> {
  const simulator = BenchChild.start('simulatorProcess', { paddingBytes: SMALL_BYTES }, ctx.signal);
  try {
    const ready = await simulator.next<SimulatorProcessMessage>();
    if (ready.type !== 'ready') throw new Error(`unexpected message from the simulator: ${ready.type}`);
    const targetPath = path.join(ctx.workDir, 'small.mp4');
    const result = await probe({ mode: 'download', url: ready.url, targetPath }, ctx.signal);
    await rm(targetPath, { force: true });
    return result;
  } finally {
    await simulator.stop();
  }
}

async function probe(args: RssProbeArgs, signal: AbortSignal, execArgv: string[] = []): Promise<RssProbeResult> {
  // --expose-gc: the probe collects garbage before it reads its starting RSS, so every mode starts from the same floor.
  const child = BenchChild.start('rssProbe', args, signal, ['--expose-gc', ...execArgv]);
  try {
    return await child.next<RssProbeResult>();
  } finally {
    await child.stop();
  }
}
