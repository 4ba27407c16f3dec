import { createWriteStream, readFileSync, statSync, writeFileSync } from 'node:fs';
import { get } from 'node:http';
import { pipeline } from 'node:stream/promises';
import { setTimeout as sleep } from 'node:timers/promises';
import { Agent } from 'undici';
import { downloadFile } from '../../src/core/download/downloadFile';

// A child process of the bench that measures its own peak resident memory while it downloads one file, or, as the
// baseline, while it does nothing but the same sampling for as long. Both modes load the same modules and make
// the same objects, so the difference between them is what the download itself costs. A third mode downloads with
// nothing but node:http piped into a file, as a reference for what Node itself holds.

export interface RssProbeArgs {
  /** `download`: with downloadFile; `node-http`: http.get piped into fs.createWriteStream; `idle`: neither. */
  mode: 'download' | 'idle' | 'node-http';
  url?: string;
  targetPath?: string;
  /** Idle mode: how long to sample for (the download's time, measured by a run before). */
  idleMs?: number;
}

export interface RssProbeResult {
  mode: RssProbeArgs['mode'];
  /** RSS when the measurement began, after a GC. */
  startRss: number;
  /** Highest RSS seen: samples every 5 ms, and the kernel's high-water mark (VmHWM) when it could be reset. */
  peakRss: number;
  /** Whether /proc/self/clear_refs reset VmHWM at the start, so that it counts only the measured span. */
  hwmReset: boolean;
  /** Memory of ArrayBuffers (Buffers' memory, outside V8's heap) at the start and at its highest sample. */
  startArrayBuffers: number;
  peakArrayBuffers: number;
  elapsedMs: number;
  bytes: number;
}

async function main(): Promise<void> {
  const args = JSON.parse(process.argv[2] ?? '{}') as RssProbeArgs;
  const dispatcher = new Agent();
  await sleep(200);
  (globalThis as { gc?: () => void }).gc?.();
  await sleep(50);

  const start = process.memoryUsage();
  const startRss = start.rss;
  const hwmReset = resetHighWaterMark();
  let peakRss = startRss;
  let peakArrayBuffers = start.arrayBuffers;
  const timer = setInterval(() => {
    const now = process.memoryUsage();
    peakRss = Math.max(peakRss, now.rss);
    peakArrayBuffers = Math.max(peakArrayBuffers, now.arrayBuffers);
  }, 5);
  const started = performance.now();
  let bytes = 0;
  if (args.mode === 'download') {
    // The engine passes a progress callback too: it is part of the cost.
    const result = await downloadFile({ url: args.url!, targetPath: args.targetPath!, dispatcher, onProgress: () => undefined });
    bytes = result.bytes;
  } else if (args.mode === 'node-http') {
    bytes = await nodeHttpDownload(args.url!, args.targetPath!);
  } else {
    await sleep(args.idleMs ?? 1_000);
  }
  const elapsedMs = performance.now() - started;
  clearInterval(timer);
  peakRss = Math.max(peakRss, process.memoryUsage.rss());
  const hwm = highWaterMark();
  if (hwmReset && hwm !== undefined) peakRss = Math.max(peakRss, hwm);

  const result: RssProbeResult = { mode: args.mode, startRss, peakRss, hwmReset, startArrayBuffers: start.arrayBuffers, peakArrayBuffers, elapsedMs, bytes };
  process.send?.(result);
  await dispatcher.close();
  process.disconnect?.();
}

/** The plainest streaming download Node has: its own HTTP client (a C++ parser) piped into a file stream. */
function nodeHttpDownload(url: string, targetPath: string): Promise<number> {
  return new Promise((resolve, reject) => {
    get(url, (response) => {
      if (response.statusCode !== 200) reject(new Error(`HTTP ${response.statusCode}`));
      pipeline(response, createWriteStream(targetPath)).then(() => resolve(statSync(targetPath).size), reject);
    }).once('error', reject);
  });
}

/** Linux ≥ 4.0: writing 5 to clear_refs sets the peak RSS back to the current RSS. */
function resetHighWaterMark(): boolean {
  try {
    writeFileSync('/proc/self/clear_refs', '5');
    return true;
  } catch {
    return false;
  }
}

function highWaterMark(): number | undefined {
  try {
    const match = /^VmHWM:\s+(\d+) kB$/m.exec(readFileSync('/proc/self/status', 'utf8'));
    return match ? Number(match[1]) * 1024 : undefined;
  } catch {
    return undefined;
  }
}

main().catch((error: unknown) => {
  console.error(`rss probe: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
  process.exit(1);
});
