import { readFile } from 'node:fs/promises';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { Har, type HarEntry } from '../http/harFile';
import { findSimulatorClipsDir, SIMULATED_FRAME_SIZES, SimulatedVideoRenderer } from '../media/simulatedVideo';
import { errorText } from '../text/errorText';

export interface HarReplay {
  /** `http://127.0.0.1:PORT`: every recorded host (the API, the Files API, the result links) is served here. */
  readonly baseUrl: string;
  /** Requests that matched no recorded exchange, as `METHOD /path`. */
  readonly unmatched: readonly string[];
  close(): Promise<void>;
}

export interface HarReplayOptions {
  port?: number | undefined;
  log?: ((line: string) => void) | undefined;
  clipsDir?: string | undefined;
}

/**
 * Headers that describe the recorded connection or body, not the answer: the replay sets its own. The recorded
 * `Date` is kept: a clock that differs from the service's is something a recording may be sent to show.
 */
const HOP_HEADERS = new Set(['content-length', 'transfer-encoding', 'connection', 'keep-alive', 'content-encoding']);

/**
 * Serves a recorded HAR's answers (`kling simulate --replay FILE`), so that a user's bug report becomes a test: each
 * request gets the next answer recorded for the same method and path (the last one again once they run out, as a
 * task polled more often than when recorded stays in its last state). Every address the recording reached is
 * replaced, in the answers, by the replay's own, so that result links lead back here. A recorded failure with no
 * answer (status 0) is replayed as a dropped connection. Video bytes were left out of the recording: a placeholder
 * video of the recorded request's size and duration is served in their place.
 */
export async function startHarReplay(harFile: string, options: HarReplayOptions = {}): Promise<HarReplay> {
  let json: unknown;
  try {
    json = JSON.parse(await readFile(harFile, 'utf8'));
  } catch (error) {
    throw new Error(`${harFile} is not a HAR file: ${errorText(error)}`);
  }
  const parsed = Har.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw new Error(`${harFile} is not a HAR 1.2 file: ${issue.path.join('.') || 'its top level'}: ${issue.message}`);
  }
  const log = options.log ?? (() => undefined);
  const entries = [...parsed.data.log.entries].sort((a, b) => Date.parse(a.startedDateTime) - Date.parse(b.startedDateTime));
  const origins = [...new Set(entries.map((e) => originOf(e.request.url)).filter((o): o is string => o !== undefined))];
  const queues = new Map<string, HarEntry[]>();
  for (const entry of entries) {
    const key = keyOf(entry.request.method, entry.request.url);
    if (key) queues.set(key, [...(queues.get(key) ?? []), entry]);
  }
  const served = new Map<string, number>();
  const unmatched: string[] = [];
  let renderer: SimulatedVideoRenderer | undefined;

  const server = createServer();
  const sockets = new Set<Socket>();
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.once('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, '127.0.0.1', () => resolve());
  });
  const baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const rewrite = (text: string) => origins.reduce((t, origin) => t.split(origin).join(baseUrl), text);

  server.on('request', (req: IncomingMessage, res: ServerResponse) => {
    req.resume();
    req.once('end', () => {
      void answer(req, res).catch((error: unknown) => {
        log(`replay: ${req.method} ${req.url} failed: ${errorText(error)}`);
        if (!res.headersSent) res.writeHead(500).end();
      });
    });
  });

  async function answer(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const key = `${req.method ?? 'GET'} ${req.url ?? '/'}`;
    const queue = queues.get(key);
    if (!queue?.length) {
      unmatched.push(key);
      log(`replay: ${key} 404 (not in the recording)`);
      const body = JSON.stringify({ error: { code: 404, message: `Not in the recording: ${key}`, type: 'not_found_error' } });
      res.writeHead(404, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) }).end(body);
      return;
    }
    const index = served.get(key) ?? 0;
    served.set(key, index + 1);
    const entry = queue[Math.min(index, queue.length - 1)]!;
    const response = entry.response;
    log(`replay: ${key} ${response.status || 'no answer'}`);
    if (response.status === 0) {
      req.socket.destroy();
      return;
    }
    let body: Buffer;
    let contentType = response.content.mimeType;
    if (response.content.text !== undefined) {
      body = Buffer.from(rewrite(response.content.text), response.content.encoding === 'base64' ? 'base64' : 'utf8');
    } else if (response.content.size > 0 && /video\/mp4/i.test(contentType)) {
      renderer ??= new SimulatedVideoRenderer({ clipsDir: options.clipsDir ?? findSimulatorClipsDir(__dirname) });
      body = Buffer.from(await renderer.render(videoRequestFor(entry.request.url, entries)));
      contentType = 'video/mp4';
    } else {
      body = Buffer.alloc(0);
    }
    const headers: Record<string, string | string[]> = {};
    for (const { name, value } of response.headers) {
      if (HOP_HEADERS.has(name.toLowerCase())) continue;
      const rewritten = rewrite(value);
      const existing = headers[name];
      headers[name] = existing === undefined ? rewritten : [...(Array.isArray(existing) ? existing : [existing]), rewritten];
    }
    headers['content-type'] = contentType;
    headers['content-length'] = String(body.byteLength);
    res.writeHead(response.status, response.statusText || undefined, headers).end(req.method === 'HEAD' ? undefined : body);
  }

  return {
    baseUrl,
    unmatched,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        for (const socket of sockets) socket.destroy();
      }),
  };
}

function originOf(url: string): string | undefined {
  try {
    return new URL(url).origin;
  } catch {
    return undefined;
  }
}

function keyOf(method: string, url: string): string | undefined {
  try {
    const parsed = new URL(url);
    return `${method.toUpperCase()} ${parsed.pathname}${parsed.search}`;
  } catch {
    return undefined;
  }
}

/**
 * The size and length of the video a recorded link gave: from the create whose task's answer named the link (as
 * recorded, before any rewriting). A link the recording cannot tie to a create gets a 5 s 720p 16:9 video.
 */
function videoRequestFor(link: string, entries: readonly HarEntry[]): { durationSeconds: number; width: number; height: number } {
  const taskAnswer = entries.find((e) => /\/v1\/tasks\//.test(e.request.url) && e.response.content.text?.includes(JSON.stringify(link).slice(1, -1)));
  const taskId = taskAnswer ? /\/v1\/tasks\/([^/?]+)/.exec(taskAnswer.request.url)?.[1] : undefined;
  const create = taskId ? entries.find((e) => e.request.method === 'POST' && /\/v1\/videos\/generations$/.test(e.request.url) && e.response.content.text?.includes(taskId)) : undefined;
  let request: { duration?: number; quality?: '720p' | '1080p'; aspect_ratio?: '16:9' | '9:16' | '1:1' } = {};
  try {
    request = JSON.parse(create?.request.postData?.text ?? '{}') as typeof request;
  } catch {
    // A create recorded without its body: the defaults below.
  }
  const size = SIMULATED_FRAME_SIZES[request.quality ?? '720p']?.[request.aspect_ratio ?? '16:9'] ?? SIMULATED_FRAME_SIZES['720p']['16:9'];
  return { durationSeconds: request.duration ?? 5, width: size.width, height: size.height };
}
