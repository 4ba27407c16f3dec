import { writeFile } from 'node:fs/promises';
import type { Dispatcher } from 'undici';
import { redact } from '../api/apiError';
import { LEFT_OUT, type Har, type HarEntry, type HarPostData } from './harFile';

export interface HarRecorderOptions {
  /** Texts that must never reach the file (the API key): replaced wherever they appear. Asked at each request. */
  secrets?: (() => ReadonlyArray<string | undefined>) | undefined;
  /** The program that recorded, as HAR's `creator` says it. */
  creator?: { name: string; version: string } | undefined;
  now?: (() => number) | undefined;
  /** Told after each exchange is recorded (the editor writes its file then, a moment later). */
  onRecord?: (() => void) | undefined;
}

/** Answers kept as text up to this size; anything longer is not an API answer worth a bug report. */
const MAX_TEXT_BYTES = 1024 * 1024;
/** Headers whose values are credentials: named in the file, their values left out. */
const SECRET_HEADERS = new Set(['authorization', 'proxy-authorization', 'cookie', 'set-cookie']);

/**
 * Records the HTTP exchanges of every dispatcher it is composed into (`dispatcher.compose(recorder.interceptor)`) as
 * HTTP Archive 1.2, for a bug report (`--record FILE`, the klingStudio.recordHar setting). One place sees every
 * request: the client's calls, uploads, and the downloads of results. Left out on purpose: the API key (and any
 * text that carries it), the bytes of uploaded images, and the bytes of downloaded videos; their sizes are kept.
 */
export class HarRecorder {
  readonly interceptor: Dispatcher.DispatcherComposeInterceptor;
  private readonly entries: Array<{ started: number; entry: HarEntry }> = [];
  private readonly now: () => number;

  constructor(private readonly options: HarRecorderOptions = {}) {
    this.now = options.now ?? Date.now;
    this.interceptor = (dispatch) => (opts, handler) => this.dispatch(dispatch, opts, handler);
  }

  /** How many exchanges were recorded so far. */
  get size(): number {
    return this.entries.length;
  }

  toHar(): Har {
    return {
      log: {
        version: '1.2',
        creator: this.options.creator ?? { name: 'kling-studio', version: 'development' },
        entries: [...this.entries].sort((a, b) => a.started - b.started).map((e) => e.entry),
        comment: 'Recorded by Kling Studio. Left out: the API key, uploaded image bytes, downloaded video bytes.',
      },
    };
  }

  async write(filePath: string): Promise<void> {
    await writeFile(filePath, `${JSON.stringify(this.toHar(), null, 2)}\n`, 'utf8');
  }

  private clean(text: string): string {
    let result = text;
    for (const secret of this.options.secrets?.() ?? []) result = redact(result, secret?.trim());
    return result;
  }

  private dispatch(dispatch: Dispatcher['dispatch'], opts: Dispatcher.DispatchOptions, handler: Dispatcher.DispatchHandler): boolean {
    const started = this.now();
    const url = new URL(opts.path, opts.origin ?? 'http://localhost');
    const request = {
      method: opts.method,
      url: this.clean(url.href),
      httpVersion: 'HTTP/1.1',
      cookies: [],
      headers: this.headerList(opts.headers),
      queryString: [...url.searchParams].map(([name, value]) => ({ name: this.clean(name), value: this.clean(value) })),
      ...this.postDataOf(opts.body),
      headersSize: -1,
    };
    let status = 0;
    let statusText = '';
    let headers: Array<{ name: string; value: string }> = [];
    let mimeType = '';
    let keepText = false;
    let received = 0;
    let answeredAt: number | undefined;
    const chunks: Buffer[] = [];
    const finish = (error?: Error) => {
      const ended = this.now();
      const text = keepText && received <= MAX_TEXT_BYTES ? this.clean(Buffer.concat(chunks).toString('utf8')) : undefined;
      const leftOut = !keepText && received > 0;
      this.entries.push({
        started,
        entry: {
          startedDateTime: new Date(started).toISOString(),
          time: ended - started,
          request,
          response: {
            status,
            statusText,
            httpVersion: 'HTTP/1.1',
            cookies: [],
            headers,
            content: {
              size: received,
              mimeType: mimeType || 'x-unknown',
              ...(text !== undefined ? { text } : {}),
              ...(leftOut ? { comment: `${LEFT_OUT}: ${received} bytes of ${mimeType || 'binary data'}` } : {}),
            },
            redirectURL: headers.find((h) => h.name === 'location')?.value ?? '',
            headersSize: -1,
            bodySize: status === 0 ? -1 : received,
            ...(error ? { _error: this.clean(error.message) } : {}),
          },
          cache: {},
          timings: { send: 0, wait: (answeredAt ?? ended) - started, receive: answeredAt === undefined ? 0 : ended - answeredAt },
        },
      });
      this.options.onRecord?.();
    };
    const recording: Dispatcher.DispatchHandler = {
      onRequestStart: (controller, context) => handler.onRequestStart?.(controller, context),
      onRequestUpgrade: (controller, statusCode, upgradeHeaders, socket) => handler.onRequestUpgrade?.(controller, statusCode, upgradeHeaders, socket),
      onResponseStart: (controller, statusCode, responseHeaders, statusMessage) => {
        answeredAt = this.now();
        status = statusCode;
        statusText = statusMessage ?? '';
        headers = this.headerList(responseHeaders);
        mimeType = headers.find((h) => h.name === 'content-type')?.value ?? '';
        keepText = /json|text|xml|html|javascript|problem/i.test(mimeType);
        return handler.onResponseStart?.(controller, statusCode, responseHeaders, statusMessage);
      },
      onResponseData: (controller, chunk) => {
        received += chunk.length;
        if (keepText && received <= MAX_TEXT_BYTES) chunks.push(Buffer.from(chunk));
        return handler.onResponseData?.(controller, chunk);
      },
      onResponseEnd: (controller, trailers) => {
        finish();
        return handler.onResponseEnd?.(controller, trailers);
      },
      onResponseError: (controller, error) => {
        finish(error);
        return handler.onResponseError?.(controller, error);
      },
    };
    return dispatch(opts, recording);
  }

  private headerList(headers: unknown): Array<{ name: string; value: string }> {
    const pairs: Array<[string, string]> = [];
    const add = (name: unknown, value: unknown) => {
      if (value === undefined || value === null) return;
      for (const one of Array.isArray(value) ? value : [value]) pairs.push([String(name).toLowerCase(), String(one)]);
    };
    if (Array.isArray(headers)) {
      for (let i = 0; i + 1 < headers.length; i += 2) add(headers[i], headers[i + 1]);
    } else if (headers && typeof (headers as Iterable<unknown>)[Symbol.iterator] === 'function') {
      for (const [name, value] of headers as Iterable<[string, string]>) add(name, value);
    } else if (headers && typeof headers === 'object') {
      for (const [name, value] of Object.entries(headers)) add(name, value);
    }
    return pairs.map(([name, value]) => ({ name, value: SECRET_HEADERS.has(name) ? LEFT_OUT : this.clean(value) }));
  }

  /** The request's body: JSON text as sent (the key removed); of a multipart upload, only its parts' names. */
  private postDataOf(body: unknown): { postData?: HarPostData; bodySize: number } {
    if (body === undefined || body === null) return { bodySize: 0 };
    if (typeof body === 'string') return { postData: { mimeType: 'application/json', text: this.clean(body) }, bodySize: Buffer.byteLength(body) };
    const form = body as { entries?: () => Iterable<[string, unknown]> };
    if (typeof form.entries === 'function') {
      let bytes = 0;
      const params: NonNullable<HarPostData['params']> = [];
      for (const [name, value] of form.entries()) {
        if (typeof value === 'string') {
          params.push({ name, value: this.clean(value) });
          bytes += Buffer.byteLength(value);
        } else {
          const file = value as { name?: string; type?: string; size?: number };
          params.push({ name, fileName: file.name ?? '', contentType: file.type ?? '', value: LEFT_OUT });
          bytes += file.size ?? 0;
        }
      }
      return { postData: { mimeType: 'multipart/form-data', params, comment: `${LEFT_OUT}: the uploaded files' bytes` }, bodySize: bytes };
    }
    if (body instanceof Uint8Array) return { postData: { mimeType: 'application/octet-stream', comment: `${LEFT_OUT}: ${body.byteLength} bytes` }, bodySize: body.byteLength };
    return { postData: { mimeType: 'application/octet-stream', comment: LEFT_OUT }, bodySize: -1 };
  }
}
