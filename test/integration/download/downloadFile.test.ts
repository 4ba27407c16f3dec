import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { open, readdir, readFile, writeFile } from 'node:fs/promises';
import * as path from 'node:path';
import { after, afterEach, before, beforeEach, describe, it } from 'node:test';
import { Agent } from 'undici';
import type { KlingClient } from '../../../src/core/api/klingClient';
import { DownloadError, downloadFile, partialPathOf, type DownloadOptions, type DownloadResult } from '../../../src/core/download/downloadFile';
import { readTopLevelBoxes } from '../../../src/core/media/mp4Boxes';
import { readMp4Info } from '../../../src/core/media/mp4Info';
import type { RequestLogEntry, Simulator } from '../../../src/core/simulator/simulatorServer';
import { recordingClient, removeDir, startTestSimulator, tempDir } from '../../helpers/simulatorBed';
import { aVideoRequest } from '../../helpers/taskDrafts';
import { FakeClock } from '../../helpers/fakeClock';

// downloadFile against the simulator's result links over real HTTP: every way a transfer can go wrong ends in the
// same bytes as a clean download, or in a clear error, and never in a partial file at the target path.

/** A broken client, engine or downloader fails its test rather than hanging the run. */
const LIMIT = { timeout: 15_000 };

/** Runs a task to completion on the simulator's hand-moved clock and returns its result link. */
async function completedVideoUrl(clock: FakeClock, client: KlingClient): Promise<string> {
  const task = await client.createTask(aVideoRequest({ duration: 5 }));
  await clock.advance(60_000);
  const done = await client.getTask(task.id);
  assert.equal(done.status, 'completed');
  return done.results![0]!;
}

interface Watched {
  result: DownloadResult;
  /** At every chunk received: was something already at the target path? */
  targetSeenEarly: boolean;
  /** `receivedBytes` at the first progress report of each attempt (the offset it resumed from). */
  attemptStarts: number[];
}

/** Downloads while checking, at every chunk, that nothing is at the target yet. Retries are not slept. */
async function watchedDownload(options: DownloadOptions): Promise<Watched> {
  let targetSeenEarly = false;
  const attemptStarts: number[] = [];
  let last = Infinity;
  const result = await downloadFile({
    sleep: async () => {},
    ...options,
    onProgress: (received) => {
      if (existsSync(options.targetPath)) targetSeenEarly = true;
      // A new attempt reports where it starts before its first chunk: received never goes down within one.
      if (received <= last) attemptStarts.push(received);
      last = received;
    },
  });
  return { result, targetSeenEarly, attemptStarts };
}

/** The request log's entries for one link, from `from` on: [status, fault]. */
function linkRequests(sim: Simulator, url: string, from: number): Array<[number, string]> {
  const linkPath = new URL(url).pathname;
  return sim
    .stats()
    .requests.slice(from)
    .filter((r: RequestLogEntry) => r.path === linkPath && r.method === 'GET')
    .map((r) => [r.status, r.fault ?? '']);
}

describe('downloadFile against the simulator', () => {
  const clock = new FakeClock(Date.UTC(2026, 0, 15, 12));
  let sim: Simulator;
  let client: KlingClient;
  let url: string;
  let reference: Buffer;
  let dir: string;
  let logFrom: number;

  before(async () => {
    // A megabyte of padding after the video makes the transfer span many chunks, as a real result does.
    sim = await startTestSimulator({ now: clock.now, videoPaddingBytes: 1024 * 1024 });
    client = recordingClient(sim).client;
    url = await completedVideoUrl(clock, client);
    const refDir = await tempDir('download-reference');
    const plain = await watchedDownload({ url, targetPath: path.join(refDir, 'reference.mp4') });
    assert.equal(plain.result.requests, 1);
    reference = await readFile(plain.result.filePath);
    await removeDir(refDir);
    assert.ok(reference.length > 1024 * 1024, `${reference.length} bytes`);
  });
  after(async () => {
    await client.close();
    await sim.close();
  });
  beforeEach(async () => {
    sim.clearFaults();
    dir = await tempDir('download');
    logFrom = sim.stats().requests.length;
  });
  afterEach(() => removeDir(dir));

  it('is whole and readable after a clean download', LIMIT, async () => {
    const target = path.join(dir, 'clean.mp4');
    const { result, targetSeenEarly } = await watchedDownload({ url, targetPath: target });
    assert.equal(targetSeenEarly, false);
    assert.deepEqual(await readFile(target), reference);
    assert.equal(result.bytes, reference.length);
    const info = await readMp4Info(target);
    assert.equal(info.durationSeconds, 5);
    assert.deepEqual([info.width, info.height], [1280, 720]);
    assert.deepEqual(await readdir(dir), ['clean.mp4'], 'no partial file is left beside it');
  });

  it('resumes a cut transfer with a Range request from the exact byte it reached', LIMIT, async () => {
    sim.inject({ on: 'download', kind: 'cut', afterBytes: 300_000 });
    const target = path.join(dir, 'cut.mp4');
    const { result, targetSeenEarly, attemptStarts } = await watchedDownload({ url, targetPath: target });
    assert.equal(result.requests, 2);
    assert.deepEqual(linkRequests(sim, url, logFrom), [
      [200, 'cut'],
      [206, ''],
    ]);
    assert.deepEqual(attemptStarts, [0, 300_000], 'the second attempt starts where the first was cut');
    assert.equal(targetSeenEarly, false);
    assert.deepEqual(await readFile(target), reference);
    assert.deepEqual(await readdir(dir), ['cut.mp4']);
  });

  it('resumes after several cuts, each from where the last one stopped', LIMIT, async () => {
    sim.inject({ on: 'download', kind: 'cut', afterBytes: 200_000 });
    sim.inject({ on: 'download', kind: 'cut', afterBytes: 300_000 });
    sim.inject({ on: 'download', kind: 'cut', afterBytes: 1 });
    const target = path.join(dir, 'cuts.mp4');
    const { result, targetSeenEarly, attemptStarts } = await watchedDownload({ url, targetPath: target });
    assert.equal(result.requests, 4);
    assert.deepEqual(linkRequests(sim, url, logFrom), [
      [200, 'cut'],
      [206, 'cut'],
      [206, 'cut'],
      [206, ''],
    ]);
    assert.deepEqual(attemptStarts, [0, 200_000, 500_000, 500_001]);
    assert.equal(targetSeenEarly, false);
    assert.deepEqual(await readFile(target), reference);
  });

  it('detects a clean early end (no Content-Length) by the MP4 structure and completes it', LIMIT, async () => {
    sim.inject({ on: 'download', kind: 'truncate', afterBytes: 400_000 });
    const target = path.join(dir, 'truncated.mp4');
    const logs: string[] = [];
    const { result, targetSeenEarly, attemptStarts } = await watchedDownload({ url, targetPath: target, log: (line) => logs.push(line) });
    assert.equal(result.requests, 2);
    assert.deepEqual(linkRequests(sim, url, logFrom), [
      [200, 'truncate'],
      [206, ''],
    ]);
    assert.deepEqual(attemptStarts, [0, 400_000]);
    assert.ok(logs.some((line) => /incomplete: cut short/.test(line)), logs.join('\n'));
    assert.equal(targetSeenEarly, false);
    assert.deepEqual(await readFile(target), reference);
  });

  it('a clean early end right where the media data would start is cut short too, and completed', LIMIT, async () => {
    const referencePath = path.join(dir, 'reference.mp4');
    await writeFile(referencePath, reference);
    const handle = await open(referencePath, 'r');
    const boxes = await readTopLevelBoxes(handle, reference.length).finally(() => handle.close());
    assert.ok(boxes.ok);
    const mdat = boxes.boxes.find((b) => b.type === 'mdat')!;
    assert.ok(boxes.boxes.findIndex((b) => b.type === 'moov') < boxes.boxes.indexOf(mdat), 'the simulator writes moov first');
    // Every box that arrived is whole (ftyp, moov): only the missing mdat says the file is short.
    sim.inject({ on: 'download', kind: 'truncate', afterBytes: mdat.offset });
    const target = path.join(dir, 'no-media.mp4');
    const { result, targetSeenEarly, attemptStarts } = await watchedDownload({ url, targetPath: target });
    assert.equal(result.requests, 2);
    assert.deepEqual(attemptStarts, [0, mdat.offset]);
    assert.equal(targetSeenEarly, false);
    assert.deepEqual(await readFile(target), reference);
  });

  it('gives up on a stalled transfer after the body timeout and resumes it', LIMIT, async () => {
    sim.inject({ on: 'download', kind: 'stall', afterBytes: 250_000 });
    const target = path.join(dir, 'stalled.mp4');
    const dispatcher = new Agent({ bodyTimeout: 300 });
    const logs: string[] = [];
    try {
      const started = Date.now();
      const { result, targetSeenEarly, attemptStarts } = await watchedDownload({ url, targetPath: target, dispatcher, log: (line) => logs.push(line) });
      assert.ok(Date.now() - started >= 250, 'it waited for the body timeout');
      assert.equal(result.requests, 2);
      // The stalled exchange is logged when its socket closes, which may come after the resumed one ends.
      assert.deepEqual(linkRequests(sim, url, logFrom).sort(), [
        [200, 'stall'],
        [206, ''],
      ]);
      assert.deepEqual(attemptStarts, [0, 250_000]);
      assert.ok(logs.some((line) => line.includes('the transfer stalled')), logs.join('\n'));
      assert.equal(targetSeenEarly, false);
      assert.deepEqual(await readFile(target), reference);
    } finally {
      await dispatcher.close();
    }
  });

  it('gives up after maxAttempts with the partial file kept, hidden, and nothing at the target', LIMIT, async () => {
    sim.inject({ on: 'download', kind: 'cut', afterBytes: 100_000, times: 3 });
    const target = path.join(dir, 'given-up.mp4');
    await assert.rejects(watchedDownload({ url, targetPath: target, maxAttempts: 3 }), (error: unknown) => {
      assert.ok(error instanceof DownloadError);
      assert.equal(error.linkExpired, false);
      assert.equal(error.message, 'The download did not complete after 3 attempts: the connection was cut. The partial file was kept to resume from.');
      return true;
    });
    assert.equal(existsSync(target), false);
    assert.deepEqual(await readdir(dir), [path.basename(partialPathOf(target))]);
    assert.deepEqual(await readFile(partialPathOf(target)), reference.subarray(0, 300_000));

    // A later run picks the partial file up where it stopped.
    const { result, attemptStarts } = await watchedDownload({ url, targetPath: target });
    assert.equal(result.requests, 1);
    assert.deepEqual(attemptStarts, [300_000]);
    assert.deepEqual(await readFile(target), reference);
  });
});

describe('downloadFile: a large video and a stopped download', () => {
  const clock = new FakeClock(Date.UTC(2026, 0, 15, 12));
  // Past the downloader's 32 MiB flush interval, so that a flush happens while the transfer goes on.
  const PADDING = 40 * 1024 * 1024;
  let sim: Simulator;
  let client: KlingClient;
  let url: string;
  let reference: Buffer;
  let dir: string;

  before(async () => {
    sim = await startTestSimulator({ now: clock.now, videoPaddingBytes: PADDING });
    client = recordingClient(sim).client;
    url = await completedVideoUrl(clock, client);
    const refDir = await tempDir('download-large-reference');
    const plain = await watchedDownload({ url, targetPath: path.join(refDir, 'reference.mp4') });
    reference = await readFile(plain.result.filePath);
    await removeDir(refDir);
    assert.ok(reference.length > PADDING, `${reference.length} bytes`);
  });
  after(async () => {
    await client.close();
    await sim.close();
  });
  beforeEach(async () => {
    sim.clearFaults();
    dir = await tempDir('download-large');
  });
  afterEach(() => removeDir(dir));

  it('resumes a cut past the first flush byte-exact', { timeout: 60_000 }, async () => {
    const cutAt = 36 * 1024 * 1024 + 12_345;
    sim.inject({ on: 'download', kind: 'cut', afterBytes: cutAt });
    const target = path.join(dir, 'large.mp4');
    const { result, targetSeenEarly, attemptStarts } = await watchedDownload({ url, targetPath: target });
    assert.equal(result.requests, 2);
    assert.deepEqual(attemptStarts, [0, cutAt]);
    assert.equal(targetSeenEarly, false);
    assert.ok((await readFile(target)).equals(reference), 'the same bytes as a clean download');
    assert.deepEqual(await readdir(dir), ['large.mp4']);
  });

  it('stops on its signal with the signal\'s reason, keeping exactly the bytes received to resume from', LIMIT, async () => {
    const stallAt = 3 * 1024 * 1024 + 7;
    sim.inject({ on: 'download', kind: 'stall', afterBytes: stallAt });
    const target = path.join(dir, 'stopped.mp4');
    const abort = new AbortController();
    const reason = new Error('the user cancelled');
    await assert.rejects(
      downloadFile({
        url,
        targetPath: target,
        signal: abort.signal,
        onProgress: (received) => {
          if (received === stallAt) abort.abort(reason);
        },
      }),
      (error: unknown) => error === reason,
    );
    assert.equal(existsSync(target), false);
    assert.deepEqual(await readdir(dir), [path.basename(partialPathOf(target))]);
    assert.ok((await readFile(partialPathOf(target))).equals(reference.subarray(0, stallAt)), 'the partial file holds what arrived');

    const { result, attemptStarts } = await watchedDownload({ url, targetPath: target });
    assert.equal(result.requests, 1);
    assert.deepEqual(attemptStarts, [stallAt]);
    assert.ok((await readFile(target)).equals(reference));
  });
});

describe('downloadFile: expired result links', () => {
  const clock = new FakeClock(Date.UTC(2026, 0, 15, 12));
  let sim: Simulator;
  let client: KlingClient;
  let dir: string;
  const LINK_TTL_MS = 10 * 60_000;

  beforeEach(async () => {
    sim = await startTestSimulator({ now: clock.now, linkTtlMs: LINK_TTL_MS, videoPaddingBytes: 512 * 1024 });
    client = recordingClient(sim).client;
    dir = await tempDir('download-expired');
  });
  afterEach(async () => {
    await client.close();
    await sim.close();
    await removeDir(dir);
  });

  it('reports an expired link as linkExpired, with no file at the target and none beside it', LIMIT, async () => {
    const url = await completedVideoUrl(clock, client);
    await clock.advance(LINK_TTL_MS);
    const target = path.join(dir, 'late.mp4');
    const from = sim.stats().requests.length;
    await assert.rejects(watchedDownload({ url, targetPath: target }), (error: unknown) => {
      assert.ok(error instanceof DownloadError, String(error));
      assert.equal(error.linkExpired, true);
      assert.equal(error.message, 'The result link is no longer valid (HTTP 403); result links last 24 hours.');
      return true;
    });
    assert.deepEqual(linkRequests(sim, url, from), [[403, '']], 'an expired link is not asked again');
    assert.deepEqual(await readdir(dir), []);
  });

  it('a link that expires between a cut and the resume: linkExpired, the target still absent', LIMIT, async () => {
    const url = await completedVideoUrl(clock, client);
    sim.inject({ on: 'download', kind: 'cut', afterBytes: 100_000 });
    const target = path.join(dir, 'cut-then-late.mp4');
    await assert.rejects(
      downloadFile({
        url,
        targetPath: target,
        // The clock passes the link's end while the downloader waits to try again.
        sleep: async () => await clock.advance(LINK_TTL_MS),
      }),
      (error: unknown) => error instanceof DownloadError && error.linkExpired,
    );
    assert.equal(existsSync(target), false);
    assert.deepEqual(await readdir(dir), [path.basename(partialPathOf(target))], 'only the hidden partial file');
  });
});
