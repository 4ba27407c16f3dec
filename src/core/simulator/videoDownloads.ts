import { createHash } from 'node:crypto';
import type { OutgoingHttpHeaders, ServerResponse } from 'node:http';
import { SIMULATED_FRAME_SIZES, SimulatedVideoError } from '../media/simulatedVideo';
import { parseRange, type ByteRange } from './byteRange';
import type { Exchange } from './exchange';
import { PaddedVideo } from './paddedVideo';
import type { SimulatorContext } from './simulatorContext';
import type { ActiveFault } from './simulatorFaults';

export const VIDEO_PATH_PREFIX = '/files/videos/';
/** `/files/redirects/<redirects left>/<video file name>`: the steps of a redirect fault's chain. */
export const REDIRECT_PATH_PREFIX = '/files/redirects/';
const VIDEO_NAME = /^(task-unified-\d+-[a-z0-9]{8})\.mp4$/;
const CHUNK = 1 << 20;

/**
 * The result link of a completed task. `expires` is informative, like the service's signed links: the simulator
 * judges expiry by the task's completion time, so a link cannot be extended by editing it.
 */
export function videoLink(baseUrl: string, taskId: string, expiresAtMs: number): string {
  return `${baseUrl}${VIDEO_PATH_PREFIX}${taskId}.mp4?expires=${expiresAtMs}`;
}

/** Serves result videos: whole, by range, padded, and damaged on request. */
export class VideoDownloads {
  constructor(private readonly ctx: SimulatorContext) {}

  /** When a link of a task completed at `completedAtMs` stops working. */
  expiresAt(completedAtMs: number): number {
    return Math.ceil(completedAtMs + this.ctx.linkTtlMs);
  }

  async serve(ex: Exchange, fileName: string, fault: ActiveFault | undefined): Promise<void> {
    if (fault?.kind === 'redirect') {
      // Like a CDN in front of the storage: the chain starts before the task is looked at.
      const base = fault.toHost ? this.ctx.baseUrl.replace('//127.0.0.1:', '//localhost:') : this.ctx.baseUrl;
      this.redirect(ex, `${base}${this.nextStep(fault.hops, fileName, ex.url.search)}`);
      return;
    }
    const { ctx } = this;
    const match = VIDEO_NAME.exec(fileName);
    const task = match ? ctx.tasks.get(match[1]!) : undefined;
    if (!task || task.kind !== 'video') {
      ex.error(404, { message: 'File not found' });
      return;
    }
    ex.taskId = task.id;
    const now = ctx.now();
    const phase = ctx.tasks.phase(task, now);
    if (phase.status !== 'completed') {
      const why = phase.status === 'failed' ? 'failed and has no video' : 'has not completed yet';
      ex.error(404, { message: `Task ${task.id} ${why}` });
      return;
    }
    const expiresAt = this.expiresAt(phase.atMs);
    if (now >= expiresAt) {
      ex.text(
        403,
        `This link expired at ${new Date(expiresAt).toISOString()}. Result links stop working ` +
          `${formatDuration(ctx.linkTtlMs)} after the task completes; download videos as soon as they are ready.\n`,
      );
      return;
    }

    const { width, height } = SIMULATED_FRAME_SIZES[task.request.quality ?? '720p'][task.request.aspect_ratio ?? '16:9'];
    let mp4: Uint8Array;
    try {
      mp4 = await ctx.renderer.render({ durationSeconds: task.videoSeconds, width, height });
    } catch (error) {
      const message = error instanceof SimulatedVideoError ? error.message : String(error);
      ctx.log(`simulator: cannot render the video of ${task.id}: ${message}`);
      ex.error(500, { message: `The simulator cannot make this video: ${message}` });
      return;
    }
    const file = new PaddedVideo(mp4, ctx.videoPaddingBytes);
    const etag = `"${createHash('sha1').update(mp4).digest('hex').slice(0, 20)}-${file.size}"`;
    const common: OutgoingHttpHeaders = {
      'Content-Type': 'video/mp4',
      'Accept-Ranges': 'bytes',
      ETag: etag,
      'Last-Modified': new Date(phase.atMs).toUTCString(),
    };
    if (ex.req.headers['if-none-match'] === etag) {
      ex.res.writeHead(304, common).end();
      return;
    }

    // A Range under an If-Range that names another version of the file asks for the whole new file (RFC 9110, 13.1.5).
    const ifRange = ex.req.headers['if-range'];
    const requested = ifRange !== undefined && ifRange !== etag ? { kind: 'whole' as const } : parseRange(ex.req.headers.range, file.size);
    if (requested.kind === 'unsatisfiable') {
      ex.res.writeHead(416, { ...common, 'Content-Range': `bytes */${file.size}`, 'Content-Length': 0 }).end();
      return;
    }
    const range: ByteRange = requested.kind === 'range' ? requested.range : { start: 0, end: file.size };
    const status = requested.kind === 'range' ? 206 : 200;
    const headers: OutgoingHttpHeaders = { ...common };
    if (status === 206) headers['Content-Range'] = `bytes ${range.start}-${range.end - 1}/${file.size}`;

    if (ex.method === 'HEAD') {
      ex.res.writeHead(status, { ...headers, 'Content-Length': range.end - range.start }).end();
      return;
    }
    if (fault?.kind === 'truncate') {
      // No Content-Length: Node sends the body chunked, and a clean last chunk makes the short file look whole.
      ex.res.writeHead(status, headers);
      await writeRange(ex.res, file, range.start, Math.min(range.end, range.start + fault.afterBytes));
      ex.res.end();
      return;
    }
    ex.res.writeHead(status, { ...headers, 'Content-Length': range.end - range.start });
    if (fault?.kind === 'cut') {
      await writeRange(ex.res, file, range.start, Math.min(range.end, range.start + fault.afterBytes));
      ex.destroy();
      return;
    }
    if (fault?.kind === 'stall') {
      // Nothing more is written and nothing ends the response: the socket stays open until the client gives up or
      // close() destroys every connection.
      await writeRange(ex.res, file, range.start, Math.min(range.end, range.start + fault.afterBytes));
      return;
    }
    if (await writeRange(ex.res, file, range.start, range.end)) ex.res.end();
  }

  /** One step of a redirect chain (`<redirects left>/<file name>`), answered with a relative Location. */
  step(ex: Exchange, param: string): void {
    const match = /^(\d+)\/([^/]+)$/.exec(param);
    const left = match ? Number(match[1]) : 0;
    if (!match || left < 1) {
      ex.error(404, { message: 'File not found' });
      return;
    }
    this.redirect(ex, this.nextStep(left, match[2]!, ex.url.search));
  }

  /**
   * Where a request that still has `left` redirects to answer sends the client: the next step, or the video. The
   * video's address is marked (`redirected=1`, ignored when it is served) so that the end of the chain is not the
   * link it started from, which a client rightly takes for a loop.
   */
  private nextStep(left: number, fileName: string, search: string): string {
    if (left > 1) return `${REDIRECT_PATH_PREFIX}${left - 1}/${fileName}${search}`;
    return `${VIDEO_PATH_PREFIX}${fileName}${search ? `${search}&` : '?'}redirected=1`;
  }

  private redirect(ex: Exchange, location: string): void {
    ex.send(302, 'text/plain; charset=utf-8', Buffer.from(`Found: ${location}\n`), { Location: location });
  }
}

/**
 * Writes bytes [start, end) of the file, honouring back-pressure so that a slow client of a padded 500 MB file
 * costs no memory. Resolves once the last byte is handed to the socket (a fault may destroy it right after), or
 * with false if the client went away first.
 */
async function writeRange(res: ServerResponse, file: PaddedVideo, start: number, end: number): Promise<boolean> {
  let offset = start;
  while (offset < end) {
    if (res.destroyed) return false;
    const chunk = file.read(offset, Math.min(CHUNK, end - offset));
    offset += chunk.byteLength;
    if (offset >= end) {
      await settle(res, (done) => res.write(chunk, () => done()));
    } else if (!res.write(chunk)) {
      await settle(res, (done) => res.once('drain', done));
    }
  }
  return !res.destroyed;
}

/** Waits for `start`'s callback, or for the response to close, whichever comes first. */
function settle(res: ServerResponse, start: (done: () => void) => void): Promise<void> {
  return new Promise((resolve) => {
    const done = () => {
      res.off('close', done);
      resolve();
    };
    res.once('close', done);
    start(done);
  });
}

function formatDuration(ms: number): string {
  const plural = (n: number, unit: string) => `${n} ${unit}${n === 1 ? '' : 's'}`;
  if (ms % 3_600_000 === 0) return plural(ms / 3_600_000, 'hour');
  if (ms % 1000 === 0) return plural(ms / 1000, 'second');
  return `${ms} ms`;
}
