import { once } from 'node:events';
import { createWriteStream, type WriteStream } from 'node:fs';
import { mkdir, open, rename, rm, stat, truncate } from 'node:fs/promises';
import * as path from 'node:path';
import { finished } from 'node:stream/promises';
import { request, type Dispatcher } from 'undici';
import { backoffDelay, sleep as realSleep } from '../api/backoff';
import { readTopLevelBoxes } from '../media/mp4Boxes';

export interface DownloadOptions {
  url: string;
  /** Where the file ends up. It appears there whole or not at all. */
  targetPath: string;
  dispatcher?: Dispatcher | undefined;
  /** Checks that the top-level MP4 boxes add up to the file's size: a body cut short without an error shows here. */
  verifyMp4?: boolean | undefined;
  maxAttempts?: number | undefined;
  onProgress?: ((receivedBytes: number, totalBytes: number | undefined) => void) | undefined;
  signal?: AbortSignal | undefined;
  sleep?: ((ms: number, signal?: AbortSignal) => Promise<void>) | undefined;
  log?: ((line: string) => void) | undefined;
}

export interface DownloadResult {
  filePath: string;
  bytes: number;
  /** How many requests it took (more than one after a cut). */
  requests: number;
}

/** Why a download cannot succeed by trying again; `linkExpired` when the 24-hour link is no longer valid. */
export class DownloadError extends Error {
  constructor(
    message: string,
    readonly linkExpired: boolean,
  ) {
    super(message);
    this.name = 'DownloadError';
  }
}

/** The hidden file beside the target that collects the bytes; kept between attempts (and runs) to resume. */
export function partialPathOf(targetPath: string): string {
  return path.join(path.dirname(targetPath), `.${path.basename(targetPath)}.part`);
}

/**
 * Streams a result link to disk: into a partial file beside the target, resumed with `Range` after a cut, checked
 * for length (and MP4 structure), flushed and renamed over the target. Memory stays bounded by the stream's buffers
 * whatever the size. Result links carry their own signature: the API key is never sent to them.
 */
export async function downloadFile(options: DownloadOptions): Promise<DownloadResult> {
  const part = partialPathOf(options.targetPath);
  const maxAttempts = options.maxAttempts ?? 6;
  const wait = options.sleep ?? realSleep;
  await mkdir(path.dirname(options.targetPath), { recursive: true });
  let etag: string | undefined;
  let lastProblem = '';
  for (let attempt = 1; attempt <= maxAttempts; attempt++) {
    if (attempt > 1) await wait(backoffDelay(attempt - 2, { baseDelayMs: 250, maxDelayMs: 5_000 }), options.signal);
    const have = await stat(part).then((s) => s.size, () => 0);
    let outcome: Attempt;
    try {
      outcome = await fetchInto(options, part, have, etag);
    } catch (error) {
      if (error instanceof DownloadError || options.signal?.aborted) throw error;
      lastProblem = describeNetworkError(error);
      options.log?.(`download of ${path.basename(options.targetPath)} interrupted: ${lastProblem} (attempt ${attempt})`);
      continue;
    }
    etag = outcome.etag ?? etag;
    const size = await stat(part).then((s) => s.size);
    if (outcome.total !== undefined && size !== outcome.total) {
      lastProblem = `received ${size} of ${outcome.total} bytes`;
      options.log?.(`download of ${path.basename(options.targetPath)} incomplete: ${lastProblem} (attempt ${attempt})`);
      if (size > outcome.total) await truncate(part, 0);
      continue;
    }
    if (options.verifyMp4 ?? true) {
      const problem = await mp4Problem(part, size);
      if (problem) {
        lastProblem = problem;
        options.log?.(`download of ${path.basename(options.targetPath)} incomplete: ${problem} (attempt ${attempt})`);
        if (!problem.startsWith('cut short')) await truncate(part, 0);
        continue;
      }
    }
    const handle = await open(part, 'r+');
    await handle.sync().finally(() => handle.close());
    await rename(part, options.targetPath);
    return { filePath: options.targetPath, bytes: size, requests: attempt };
  }
  throw new DownloadError(`The download did not complete after ${maxAttempts} attempts: ${lastProblem}. The partial file was kept to resume from.`, false);
}

// The file stream's buffer, 1 MiB instead of Node's 16 KiB. With 16 KiB, each chunk from the socket (up to 64 KiB)
// fills the buffer at once, so the socket is paused until that one chunk is on disk: reading and writing take turns,
// and a 300 MiB download over loopback ran at half curl's speed (bench: download-throughput). With 1 MiB the socket
// keeps being read while a write is under way, and the chunks that queue meanwhile go to disk in one writev.
const WRITE_BUFFER_BYTES = 1 << 20;

interface Attempt {
  total: number | undefined;
  etag: string | undefined;
}

async function fetchInto(options: DownloadOptions, part: string, have: number, etag: string | undefined): Promise<Attempt> {
  const headers: Record<string, string> = { accept: 'video/mp4,*/*' };
  if (have > 0) {
    headers['range'] = `bytes=${have}-`;
    if (etag) headers['if-range'] = etag;
  }
  const response = await request(options.url, { method: 'GET', headers, dispatcher: options.dispatcher, signal: options.signal });
  const status = response.statusCode;
  if (status === 416 && have > 0) {
    // We already hold every byte (a previous run finished the transfer but not the rename).
    await response.body.dump();
    const total = contentRangeTotal(header(response.headers, 'content-range'));
    return { total: total ?? have, etag };
  }
  if (status === 401 || status === 403 || status === 404 || status === 410) {
    await response.body.dump();
    throw new DownloadError(`The result link is no longer valid (HTTP ${status}); result links last 24 hours.`, true);
  }
  if (status !== 200 && status !== 206) {
    await response.body.dump();
    throw Object.assign(new Error(`HTTP ${status}`), { code: `HTTP_${status}` });
  }
  let offset = 0;
  let total: number | undefined;
  if (status === 206) {
    const range = /^bytes (\d+)-(\d+)\/(\d+|\*)$/.exec(header(response.headers, 'content-range') ?? '');
    if (!range || Number(range[1]) !== have) {
      // The server resumed from somewhere else: start over rather than stitch a corrupt file.
      await response.body.dump();
      await truncate(part, 0);
      throw Object.assign(new Error('the server resumed from an unexpected offset'), { code: 'BAD_RANGE' });
    }
    offset = have;
    total = range[3] === '*' ? undefined : Number(range[3]);
  } else {
    const length = header(response.headers, 'content-length');
    total = length !== undefined ? Number(length) : undefined;
  }
  let received = offset;
  options.onProgress?.(received, total);
  const file = createWriteStream(part, { flags: status === 206 ? 'a' : 'w', highWaterMark: WRITE_BUFFER_BYTES });
  await writeBody(response.body, file, (bytes) => {
    received += bytes;
    options.onProgress?.(received, total);
  });
  return { total, etag: header(response.headers, 'etag') };
}

/**
 * Streams a body into a file. When the body fails (cut, stalled, aborted), the bytes already received are still
 * written and the file is closed before the error is passed on: the partial file then holds exactly what arrived,
 * and the next attempt resumes from there. stream.pipeline would destroy the file stream at once, discarding up to
 * a buffer's worth of received bytes, and reject while a write may still be in flight, so that the next attempt
 * could read its resume offset before that write lands.
 */
async function writeBody(body: AsyncIterable<Buffer>, file: WriteStream, onChunk: (bytes: number) => void): Promise<void> {
  // Waits for 'close' (the descriptor is released); listening now also catches a write error while the body runs.
  const closed = finished(file);
  closed.catch(() => undefined);
  let failure: unknown;
  try {
    for await (const chunk of body) {
      onChunk(chunk.length);
      if (!file.write(chunk)) await Promise.race([once(file, 'drain'), closed]);
    }
  } catch (error) {
    failure = error;
  }
  file.end();
  try {
    await closed;
  } catch (error) {
    failure ??= error;
  }
  if (failure !== undefined) throw failure;
}

async function mp4Problem(filePath: string, size: number): Promise<string | undefined> {
  const handle = await open(filePath, 'r');
  try {
    const boxes = await readTopLevelBoxes(handle, size);
    if (boxes.ok) {
      if (!boxes.boxes.some((b) => b.type === 'moov')) return 'the file has no moov box';
      // A body without Content-Length that ends cleanly just after moov has only whole boxes, but no media at all:
      // it is as cut short as any other, so it is resumed rather than saved as a video without frames.
      if (!boxes.boxes.some((b) => b.type === 'mdat')) return 'cut short: the file ends before its media data (no mdat box)';
      return undefined;
    }
    return boxes.problem.kind === 'truncated' ? `cut short: ${boxes.problem.detail}` : `not an MP4 file: ${boxes.problem.detail}`;
  } finally {
    await handle.close();
  }
}

/** Removes a partial download (after the user gives up on it). */
export async function discardPartial(targetPath: string): Promise<void> {
  await rm(partialPathOf(targetPath), { force: true });
}

function contentRangeTotal(value: string | undefined): number | undefined {
  const match = /\/(\d+)$/.exec(value ?? '');
  return match ? Number(match[1]) : undefined;
}

function header(headers: Record<string, string | string[] | undefined>, name: string): string | undefined {
  const value = headers[name];
  return Array.isArray(value) ? value[0] : value;
}

function describeNetworkError(error: unknown): string {
  const code = (error as { code?: string })?.code;
  if (code === 'UND_ERR_BODY_TIMEOUT') return 'the transfer stalled';
  if (code === 'UND_ERR_SOCKET' || code === 'ECONNRESET') return 'the connection was cut';
  if (code === 'UND_ERR_HEADERS_TIMEOUT') return 'no answer in time';
  return error instanceof Error ? error.message : String(error);
}
