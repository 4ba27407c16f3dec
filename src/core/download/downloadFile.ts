import { lstat, mkdir, rename, rm, unlink, type FileHandle } from 'node:fs/promises';
import * as path from 'node:path';
import { getGlobalDispatcher, type Dispatcher } from 'undici';
import { backoffDelay, sleep as realSleep } from '../api/backoff';
import { isLoopback } from '../api/klingClient';
import { kindOf, openRegularFile } from '../fs/openRegularFile';
import { assertInsideRoot, OutsideWorkspaceError } from '../fs/workspaceBoundary';
import { syncFolder } from '../fs/writeAtomically';
import { readTopLevelBoxes } from '../media/mp4Boxes';
import { errorText } from '../text/errorText';

/** Redirects followed from a result link to the video (a CDN may send one or two). */
export const MAX_REDIRECTS = 5;

export interface DownloadOptions {
  url: string;
  /** Where the file ends up. It appears there whole or not at all. */
  targetPath: string;
  /**
   * The workspace the target must stay in: its folder is checked by real path before anything is written, and
   * again just before the finished file is renamed into place.
   */
  root?: string | undefined;
  /** One dispatcher for every request (tests, benchmarks); see `dispatcherFor`. */
  dispatcher?: Dispatcher | undefined;
  /**
   * The dispatcher for each address of a redirect chain: a CDN on the internet goes through the proxy, the simulator
   * on loopback does not (see createDispatcher). Wins over `dispatcher`.
   */
  dispatcherFor?: ((url: string) => Dispatcher) | undefined;
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
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'DownloadError';
  }
}

/** The hidden file beside the target that collects the bytes; kept between attempts (and runs) to resume. */
export function partialPathOf(targetPath: string): string {
  return path.join(path.dirname(targetPath), `.${path.basename(targetPath)}.part`);
}

/**
 * Streams a result link to disk: into a partial file beside the target, resumed with `Range` after a cut, checked
 * for length (and MP4 structure), flushed and renamed over the target. What it holds between the socket and the disk
 * is a fixed 1 MiB whatever the size (see WRITE_BUFFER_BYTES). Result links carry their own signature: the API key
 * is never sent to them, nor to any address they redirect to (no Authorization header is ever sent from here).
 * Redirects are followed up to MAX_REDIRECTS, https to https (plain http only to loopback), and a resumed download
 * sends its Range to wherever the chain ends.
 *
 * The partial file is ours and is never a link: one found in its place (planted in a cloned repo, say) is removed
 * and the download starts over, rather than refused, so that a paid video is not kept from its user by a stray
 * hidden file; it is never written through, since the partial file is only opened with O_NOFOLLOW.
 */
export async function downloadFile(options: DownloadOptions): Promise<DownloadResult> {
  const part = partialPathOf(options.targetPath);
  const folder = path.dirname(options.targetPath);
  const name = path.basename(options.targetPath);
  const maxAttempts = options.maxAttempts ?? 6;
  const wait = options.sleep ?? realSleep;
  const contain = async () => {
    if (!options.root) return;
    try {
      await assertInsideRoot(folder, options.root, `the folder of ${name}`);
    } catch (error) {
      throw error instanceof OutsideWorkspaceError ? new DownloadError(`${error.message}. Nothing was written there.`, false) : error;
    }
  };
  // Before mkdir: `mkdir -p` through a link to the outside would make folders there.
  await contain();
  await mkdir(folder, { recursive: true });
  let etag: string | undefined;
  let lastProblem = '';
  /** The last error itself, kept as the final error's cause: its code (ENOSPC, ECONNREFUSED) says what will help. */
  let lastError: unknown;
  for (let attempt = 1; attempt <= maxAttempts; attempt++) {
    if (attempt > 1) await wait(backoffDelay(attempt - 2, { baseDelayMs: 250, maxDelayMs: 5_000 }), options.signal);
    const have = await partialSize(part, options.log);
    let outcome: Attempt;
    try {
      outcome = await fetchInto(options, part, have, etag);
    } catch (error) {
      if (error instanceof DownloadError || options.signal?.aborted) throw error;
      lastProblem = describeNetworkError(error);
      lastError = error;
      options.log?.(`download of ${path.basename(options.targetPath)} interrupted: ${lastProblem} (attempt ${attempt})`);
      continue;
    }
    etag = outcome.etag ?? etag;
    const size = await partialSize(part, options.log);
    if (outcome.total !== undefined && size !== outcome.total) {
      lastProblem = `received ${size} of ${outcome.total} bytes`;
      options.log?.(`download of ${path.basename(options.targetPath)} incomplete: ${lastProblem} (attempt ${attempt})`);
      if (size > outcome.total) await emptyPartial(part);
      continue;
    }
    // fdatasync, not fsync: it writes the data and what is needed to read it back (the size), not the times. It runs
    // beside the MP4 check, which reads a few box headers from the page cache; when the check finds a problem, the
    // flush was spent for nothing, but that is the rare case.
    const handle = await openRegularFile(part, 'update');
    const problem = await Promise.all([handle.datasync(), (options.verifyMp4 ?? true) ? mp4Problem(handle, size) : undefined])
      .then(([, found]) => found)
      .finally(() => handle.close());
    if (problem) {
      lastProblem = problem;
      options.log?.(`download of ${path.basename(options.targetPath)} incomplete: ${problem} (attempt ${attempt})`);
      if (!problem.startsWith('cut short')) await emptyPartial(part);
      continue;
    }
    // Again just before the rename: the folder may have been swapped for a link while the bytes arrived. A link at
    // the target itself is replaced by the rename, not written through.
    await contain();
    await rename(part, options.targetPath);
    // The rename reaches the disk before the caller records the video as saved.
    await syncFolder(folder);
    return { filePath: options.targetPath, bytes: size, requests: attempt };
  }
  throw new DownloadError(`The download did not complete after ${maxAttempts} attempts: ${lastProblem}. The partial file was kept to resume from.`, false, { cause: lastError });
}

interface Attempt {
  total: number | undefined;
  etag: string | undefined;
}

/** One request's outcome: the body is in the partial file, or the answer was a redirect to follow. */
type Answer = ({ kind: 'body' } & Attempt) | { kind: 'redirect'; status: number; location: string };

const REDIRECT_STATUSES = new Set([301, 302, 303, 307, 308]);

/** One attempt: the link, and the redirects it leads to, ending in a body written to the partial file. */
async function fetchInto(options: DownloadOptions, part: string, have: number, etag: string | undefined): Promise<Attempt> {
  let url = new URL(options.url);
  const visited = new Set([url.href]);
  for (let hops = 0; ; ) {
    const answer = await requestOnce(options, url, part, have, etag);
    if (answer.kind === 'body') return { total: answer.total, etag: answer.etag };
    hops += 1;
    const next = redirectTarget(url, answer.location, hops, visited);
    options.log?.(`download of ${path.basename(options.targetPath)} redirected (${answer.status}) to ${next.host}`);
    visited.add(next.href);
    url = next;
  }
}

/**
 * Where a redirect leads, or a DownloadError that says why it is not followed: more than MAX_REDIRECTS, a loop, an
 * address that is not http(s), or plain http anywhere but loopback (a result link redirected to http on the internet
 * would travel in clear and could be changed on the way).
 */
export function redirectTarget(from: URL, location: string, hops: number, visited: ReadonlySet<string>): URL {
  const refuse = (why: string) => new DownloadError(`The result link's redirect was not followed: ${why}.`, false);
  if (hops > MAX_REDIRECTS) return throwing(refuse(`it redirected more than ${MAX_REDIRECTS} times (the ${ordinal(hops)} time to ${hostOf(location, from)})`));
  let next: URL;
  try {
    next = new URL(location, from);
  } catch {
    return throwing(refuse(`its Location ${JSON.stringify(location.slice(0, 100))} is not an address`));
  }
  if (next.protocol !== 'https:' && next.protocol !== 'http:') return throwing(refuse(`it leads to a ${next.protocol.replace(/:$/, '')}: address; only https is followed`));
  if (next.protocol === 'http:' && !isLoopback(next.href)) {
    return throwing(refuse(`it leads to plain http on ${next.host}${from.protocol === 'https:' ? ', down from https' : ''}; only https is followed`));
  }
  if (visited.has(next.href)) return throwing(refuse(`it redirects in a loop (back to ${next.host}${next.pathname})`));
  return next;
}

function throwing(error: Error): never {
  throw error;
}

function hostOf(location: string, from: URL): string {
  try {
    return new URL(location, from).host;
  } catch {
    return 'an address that cannot be read';
  }
}

function ordinal(n: number): string {
  return n === 1 ? '1st' : n === 2 ? '2nd' : n === 3 ? '3rd' : `${n}th`;
}

function requestOnce(options: DownloadOptions, url: URL, part: string, have: number, etag: string | undefined): Promise<Answer> {
  // Never an Authorization header: not to the result link, not to where it redirects.
  const headers: Record<string, string> = { accept: 'video/mp4,*/*' };
  if (have > 0) {
    headers['range'] = `bytes=${have}-`;
    if (etag) headers['if-range'] = etag;
  }
  const dispatcher = options.dispatcherFor?.(url.href) ?? options.dispatcher ?? getGlobalDispatcher();
  return new Promise<Answer>((resolve, reject) => {
    dispatcher.dispatch(
      { origin: url.origin, path: `${url.pathname}${url.search}`, method: 'GET', headers },
      new FileResponseHandler({ part, have, signal: options.signal, onProgress: options.onProgress, resolve, reject }),
    );
  });
}

/**
 * How much of the download the partial file holds: 0 when there is none. Anything in its place that is not a
 * regular file is dealt with first: a symbolic link is removed (unlink removes the link, never what it points to),
 * anything else (a folder, a FIFO) is the user's to remove.
 */
async function partialSize(part: string, log: ((line: string) => void) | undefined): Promise<number> {
  let stats;
  try {
    stats = await lstat(part);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return 0;
    throw error;
  }
  if (stats.isFile()) return stats.size;
  if (stats.isSymbolicLink()) {
    await unlink(part);
    log?.(`a symbolic link was found in place of the partial download ${part}; it was removed (not followed) and the download starts over`);
    return 0;
  }
  throw new DownloadError(`${part} is ${kindOf(stats)}, where the partial download is kept: remove it, then download again.`, false);
}

/** Empties the partial file, through a handle that does not follow a link (truncate(path) would). */
async function emptyPartial(part: string): Promise<void> {
  const handle = await openRegularFile(part, 'update');
  try {
    await handle.truncate(0);
  } finally {
    await handle.close();
  }
}

/**
 * The partial file for writing: a new one is created with O_EXCL, an existing one (ours, from an earlier attempt) is
 * reopened, never through a link; `fresh` empties it (a whole new body, not a resumed range).
 */
async function openPartial(part: string, fresh: boolean): Promise<FileHandle> {
  if (!fresh) return openRegularFile(part, 'update');
  try {
    return await openRegularFile(part, 'create');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
  }
  const handle = await openRegularFile(part, 'update');
  try {
    await handle.truncate(0);
    return handle;
  } catch (error) {
    await handle.close();
    throw error;
  }
}

// Between the socket and the disk, each chunk is copied into one of a few buffers allocated once per attempt, and
// the buffers are written in order, one write at a time. Memory: a socket chunk is garbage as soon as it is copied,
// so V8 frees it at the next young-generation GC; a chunk queued for an asynchronous write lives long enough to be
// promoted, and then waits for a full GC (10–13 of them per 500 MiB download before: bench/README.md). When every buffer
// is full, the socket is paused until a write completes (backpressure), so what is held stays at
// WRITE_BUFFERS × WRITE_BUFFER_BYTES whatever the size of the video. Four 256 KiB buffers keep a write in flight
// while the socket is read.
const WRITE_BUFFER_BYTES = 256 * 1024;
const WRITE_BUFFERS = 4;
// A video is flushed to disk before it is renamed into place (see downloadFile). Flushed only then, the whole file
// is still in the page cache after the last byte, and the flush of 300 MiB took ~150 ms of a ~650 ms download here.
// Flushing every 32 MiB during the transfer, one flush at a time, lets the disk write while the socket is read, and
// the flush at the end has at most a few dozen MiB left (10–40 ms). It also bounds how much of the download sits dirty
// in the page cache. A failed flush fails the attempt and empties the partial file: Linux reports a writeback error
// to one fsync only, and the pages it lost may read back as anything.
const FLUSH_EVERY_BYTES = 32 * 1024 * 1024;
/** How much of a body we do not keep is read before the connection is dropped instead (undici's `dump()` reads 128 KiB). */
const DISCARD_LIMIT_BYTES = 64 * 1024;

type Headers = Record<string, string | string[] | undefined>;

interface HandlerOptions {
  part: string;
  have: number;
  signal: AbortSignal | undefined;
  onProgress: DownloadOptions['onProgress'];
  resolve(answer: Answer): void;
  reject(error: unknown): void;
}

/**
 * Receives one response into the partial file (undici's handler interface, below `request()`: no body stream, no
 * queue of chunks). When the body fails (cut, stalled, aborted), the bytes already received are still written and
 * the file is closed before the error is passed on: the partial file then holds exactly what arrived, and the next
 * attempt resumes from there.
 */
class FileResponseHandler implements Dispatcher.DispatchHandler {
  private controller: Dispatcher.DispatchController | undefined;
  private sink: FileSink | undefined;
  /** Opening the file (and, for a 200, emptying it) while the response is paused. */
  private opening: Promise<void> | undefined;
  /** Decided from the status line: an outcome or an error that does not need the body. */
  private decided: { answer: Answer } | { error: unknown } | undefined;
  private total: number | undefined;
  private etag: string | undefined;
  private received = 0;
  private discarded = 0;
  private settled = false;
  private readonly stopListening: () => void;

  constructor(private readonly o: HandlerOptions) {
    const onAbort = () => this.controller?.abort(o.signal!.reason);
    o.signal?.addEventListener('abort', onAbort, { once: true });
    this.stopListening = () => o.signal?.removeEventListener('abort', onAbort);
  }

  onRequestStart(controller: Dispatcher.DispatchController): void {
    this.controller = controller;
    if (this.o.signal?.aborted) controller.abort(this.o.signal.reason);
  }

  onResponseStart(controller: Dispatcher.DispatchController, status: number, headers: Headers): void {
    const { have, part } = this.o;
    if (status === 416 && have > 0) {
      // We already hold every byte (a previous run finished the transfer but not the rename).
      this.decided = { answer: { kind: 'body', total: contentRangeTotal(header(headers, 'content-range')) ?? have, etag: undefined } };
      return;
    }
    if (REDIRECT_STATUSES.has(status)) {
      const location = header(headers, 'location');
      this.decided = location
        ? { answer: { kind: 'redirect', status, location } }
        : { error: new DownloadError(`The result link answered HTTP ${status}, a redirect without a Location to follow.`, false) };
      return;
    }
    if (status === 401 || status === 403 || status === 404 || status === 410) {
      this.decided = { error: new DownloadError(`The result link is no longer valid (HTTP ${status}); result links last 24 hours.`, true) };
      return;
    }
    if (status !== 200 && status !== 206) {
      this.decided = { error: Object.assign(new Error(`HTTP ${status}`), { code: `HTTP_${status}` }) };
      return;
    }
    let offset = 0;
    if (status === 206) {
      const range = /^bytes (\d+)-(\d+)\/(\d+|\*)$/.exec(header(headers, 'content-range') ?? '');
      if (!range || Number(range[1]) !== have) {
        // The server resumed from somewhere else: start over rather than stitch a corrupt file.
        this.decided = { error: Object.assign(new Error('the server resumed from an unexpected offset'), { code: 'BAD_RANGE' }) };
        this.opening = emptyPartial(part);
        return;
      }
      offset = have;
      this.total = range[3] === '*' ? undefined : Number(range[3]);
    } else {
      const length = header(headers, 'content-length');
      this.total = length !== undefined ? Number(length) : undefined;
    }
    this.etag = header(headers, 'etag');
    this.received = offset;
    this.o.onProgress?.(offset, this.total);
    controller.pause();
    this.opening = openPartial(part, status !== 206).then((file) => {
      // A write or flush that fails while the body still arrives ends the request; after it, settle() reports it.
      const onFailure = (error: unknown) => (this.settled ? undefined : controller.abort(asError(error)));
      this.sink = new FileSink(file, offset, () => controller.resume(), onFailure);
      controller.resume();
    });
    // An error here (the folder is gone, the disk is read-only) ends the request; settle() reports it.
    this.opening.catch((error: unknown) => controller.abort(asError(error)));
  }

  onResponseData(controller: Dispatcher.DispatchController, chunk: Buffer): void {
    // undici can hand over an empty chunk when a connection is cut; it carries nothing to write or report.
    if (chunk.length === 0) return;
    if (this.decided) {
      // A body we do not keep (an error page, the answer to a finished range): a short one is read and dropped, so
      // that the connection can serve the next request; a long one is not worth reading.
      this.discarded += chunk.length;
      if (this.discarded > DISCARD_LIMIT_BYTES) controller.abort(new Error('an unwanted response body'));
      return;
    }
    if (!this.sink) {
      // Cannot happen: the response stays paused until the file is open.
      controller.abort(new Error('the body arrived before the file was open'));
      return;
    }
    this.received += chunk.length;
    this.o.onProgress?.(this.received, this.total);
    if (!this.sink.push(chunk)) controller.pause();
  }

  onResponseEnd(): void {
    void this.settle(undefined);
  }

  onResponseError(_controller: Dispatcher.DispatchController, error: Error): void {
    void this.settle(error);
  }

  private async settle(failure: unknown): Promise<void> {
    if (this.settled) return;
    this.settled = true;
    this.stopListening();
    try {
      await this.opening;
    } catch (error) {
      failure ??= error;
    }
    try {
      await this.sink?.close();
    } catch (error) {
      failure ??= error;
    }
    // After a failed flush the pages that did not reach the disk may read back as anything: start over.
    if (this.sink?.flushFailed) await emptyPartial(this.o.part).catch(() => undefined);
    if (this.decided && 'error' in this.decided) this.o.reject(this.decided.error);
    else if (this.decided) this.o.resolve(this.decided.answer);
    else if (failure !== undefined) this.o.reject(failure);
    else this.o.resolve({ kind: 'body', total: this.total, etag: this.etag });
  }
}

/**
 * Writes the bytes it is given to a file, in order, from a fixed set of buffers (see WRITE_BUFFER_BYTES). `push`
 * copies and returns false when no buffer is left for the next chunk; `onSpace` is called when one is free again.
 * Every FLUSH_EVERY_BYTES it also asks the disk to catch up (see there).
 */
class FileSink {
  private readonly free: Buffer[] = [];
  private current: Buffer | undefined;
  private filled = 0;
  private readonly ready: Array<{ buffer: Buffer; length: number; pooled: boolean }> = [];
  private writing: Promise<void> | undefined;
  private flushing: Promise<void> | undefined;
  private writtenSinceFlush = 0;
  private waitingForSpace = false;
  private failure: unknown;
  /** A flush failed: what the file holds may not be what was written. */
  flushFailed = false;

  constructor(
    private readonly file: FileHandle,
    private position: number,
    private readonly onSpace: () => void,
    private readonly onFailure: (error: unknown) => void,
  ) {
    for (let i = 0; i < WRITE_BUFFERS; i++) this.free.push(Buffer.allocUnsafeSlow(WRITE_BUFFER_BYTES));
  }

  push(chunk: Buffer): boolean {
    if (this.failure !== undefined) return false;
    let copied = 0;
    while (copied < chunk.length) {
      if (!this.current) {
        const buffer = this.free.pop();
        if (!buffer) {
          // Every buffer is taken and a chunk came bigger than the room left: keep a copy of the rest outside the
          // pool. At most one chunk's worth, since the caller pauses the socket now.
          this.ready.push({ buffer: Buffer.from(chunk.subarray(copied)), length: chunk.length - copied, pooled: false });
          break;
        }
        this.current = buffer;
        this.filled = 0;
      }
      const n = chunk.copy(this.current, this.filled, copied);
      copied += n;
      this.filled += n;
      if (this.filled === this.current.length) this.queueCurrent();
    }
    this.pump();
    const room = this.free.length > 0;
    if (!room) this.waitingForSpace = true;
    return room;
  }

  /** Writes what is left, waits for every write and flush, closes the file; throws the first error. */
  async close(): Promise<void> {
    if (this.failure === undefined) this.queueCurrent();
    this.pump();
    while (this.writing) await this.writing;
    await this.flushing;
    await this.file.close();
    if (this.failure !== undefined) throw this.failure;
  }

  private queueCurrent(): void {
    if (this.current && this.filled > 0) this.ready.push({ buffer: this.current, length: this.filled, pooled: true });
    else if (this.current) this.free.push(this.current);
    this.current = undefined;
    this.filled = 0;
  }

  private pump(): void {
    if (this.writing || this.failure !== undefined) return;
    const next = this.ready.shift();
    if (!next) return;
    this.writing = this.write(next.buffer, next.length).then(
      () => {
        this.writing = undefined;
        if (next.pooled) this.free.push(next.buffer);
        this.pump();
        if (this.waitingForSpace && this.free.length > 0) {
          this.waitingForSpace = false;
          this.onSpace();
        }
      },
      (error: unknown) => {
        this.writing = undefined;
        this.fail(error);
      },
    );
  }

  private async write(buffer: Buffer, length: number): Promise<void> {
    let done = 0;
    while (done < length) {
      const { bytesWritten } = await this.file.write(buffer, done, length - done, this.position);
      done += bytesWritten;
      this.position += bytesWritten;
    }
    this.writtenSinceFlush += length;
    if (this.writtenSinceFlush >= FLUSH_EVERY_BYTES && !this.flushing) {
      this.writtenSinceFlush = 0;
      // Not awaited: the socket keeps being read and written while the disk catches up.
      this.flushing = this.file.datasync().then(
        () => (this.flushing = undefined),
        (error: unknown) => {
          this.flushing = undefined;
          this.flushFailed = true;
          this.fail(error);
        },
      );
    }
  }

  private fail(error: unknown): void {
    if (this.failure !== undefined) return;
    this.failure = error;
    this.ready.length = 0;
    this.onFailure(error);
  }
}

async function mp4Problem(handle: FileHandle, size: number): Promise<string | undefined> {
  const boxes = await readTopLevelBoxes(handle, size);
  if (boxes.ok) {
    if (!boxes.boxes.some((b) => b.type === 'moov')) return 'the file has no moov box';
    // A body without Content-Length that ends cleanly just after moov has only whole boxes, but no media at all:
    // it is as cut short as any other, so it is resumed rather than saved as a video without frames.
    if (!boxes.boxes.some((b) => b.type === 'mdat')) return 'cut short: the file ends before its media data (no mdat box)';
    return undefined;
  }
  return boxes.problem.kind === 'truncated' ? `cut short: ${boxes.problem.detail}` : `not an MP4 file: ${boxes.problem.detail}`;
}

/** Removes a partial download (after the user gives up on it). */
export async function discardPartial(targetPath: string): Promise<void> {
  await rm(partialPathOf(targetPath), { force: true });
}

function contentRangeTotal(value: string | undefined): number | undefined {
  const match = /\/(\d+)$/.exec(value ?? '');
  return match ? Number(match[1]) : undefined;
}

function header(headers: Headers, name: string): string | undefined {
  const value = headers[name];
  return Array.isArray(value) ? value[0] : value;
}

function asError(error: unknown): Error {
  return error instanceof Error ? error : new Error(String(error));
}

function describeNetworkError(error: unknown): string {
  const code = (error as { code?: string })?.code;
  if (code === 'UND_ERR_BODY_TIMEOUT') return 'the transfer stalled';
  if (code === 'UND_ERR_SOCKET' || code === 'ECONNRESET') return 'the connection was cut';
  if (code === 'UND_ERR_HEADERS_TIMEOUT') return 'no answer in time';
  return errorText(error);
}
