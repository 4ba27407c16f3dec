import * as path from 'node:path';
import { Agent, EnvHttpProxyAgent, FormData, ProxyAgent, request, type Dispatcher } from 'undici';
import type { z } from 'zod';
import { openRegularFile } from '../fs/openRegularFile';
import { assertInsideRoot } from '../fs/workspaceBoundary';
import { bypassesProxy, type ProxySettings } from './proxySettings';
import { ApiError, redact, type ApiErrorDetails } from './apiError';
import { answerShapeProblem, RECORD_HINT } from './answerShapeProblem';
import { apiKeyProblem } from './apiKeyProblem';
import { ApiErrorBody, Credits, FileUpload, Task, type CreateRequest } from './apiSchemas';
import { baseUrlProblem, isLoopbackHost } from './baseUrlProblem';
import { backoffDelay, DEFAULT_BACKOFF, parseRetryAfter, sleep as realSleep, type BackoffPolicy } from './backoff';
import { errorRowForStatus } from './errorTable';
import { errorText } from '../text/errorText';

export const DEFAULT_BASE_URL = 'https://api.evolink.ai';
export const DEFAULT_FILES_BASE_URL = 'https://files-api.evolink.ai';
/** The Files API's limit (contract.md, "Files"). */
const UPLOAD_MAX_BYTES = 100 * 1024 * 1024;

export interface Timeouts {
  connectMs: number;
  /** Until the status line and headers arrive. */
  headersMs: number;
  /** Between two chunks of a body: a stalled body fails after this long without data. */
  bodyMs: number;
}

export const DEFAULT_TIMEOUTS: Timeouts = { connectMs: 10_000, headersMs: 60_000, bodyMs: 30_000 };

export interface KlingClientOptions {
  baseUrl?: string | undefined;
  /** The Files API's base; by default the service's own files host, or `baseUrl` for any other (e.g. the simulator). */
  filesBaseUrl?: string | undefined;
  /**
   * What tells this Files API from another at the same address: a simulator's run (its uploads end with it, and the
   * next one may listen on the same port). Part of `uploadedTo`.
   */
  filesInstance?: string | undefined;
  apiKey: string;
  timeouts?: Partial<Timeouts> | undefined;
  backoff?: Partial<BackoffPolicy> | undefined;
  /** For tests; by default an Agent that honours `proxy`, else HTTP(S)_PROXY and NO_PROXY, or a direct one for loopback. */
  dispatcher?: Dispatcher | undefined;
  /** The editor's proxy settings (VS Code's `http.proxy`…); without them, the environment's. */
  proxy?: ProxySettings | undefined;
  sleep?: ((ms: number, signal?: AbortSignal) => Promise<void>) | undefined;
  random?: (() => number) | undefined;
  log?: ((line: string) => void) | undefined;
  /** Told before each wait for a retry, so an editor can show "waiting 5 s (rate limited)". */
  onRetry?: ((retry: RetryNotice) => void) | undefined;
  userAgent?: string | undefined;
}

export interface RetryNotice {
  what: string;
  /** The HTTP status that caused the wait, or undefined for a network error. */
  status: number | undefined;
  /** For a network error: what went wrong ("connection refused"). */
  reason?: string | undefined;
  waitMs: number;
  attempt: number;
}

interface Call<T> {
  method: 'GET' | 'POST';
  url: string;
  schema: z.ZodType<T>;
  body?: string | FormData | undefined;
  /** A create: never sent again once its body may have reached the service. */
  spends: boolean;
  describe: string;
  signal?: AbortSignal | undefined;
  /** Ends the waits between attempts (not a request in flight): see createTask. */
  stopRetrying?: AbortSignal | undefined;
}

// Failures that prove a request never left this machine, so that even a create may go again: no connection was
// made (refused, no such host, no route, the connect timed out).
const NOT_CONNECTED_CODES = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH', 'ENETUNREACH', 'UND_ERR_CONNECT_TIMEOUT']);
// undici (or Node under it) refused to build the request at all, before any connection: a header value it cannot
// send, a bad argument. Sending the same request again would fail the same way, so these are not retried. A bare
// TypeError without a code is not among them: it cannot be placed before or after the body left.
const REFUSED_BEFORE_SENDING_CODES = new Set(['UND_ERR_INVALID_ARG', 'ERR_INVALID_CHAR', 'ERR_INVALID_HTTP_TOKEN', 'ERR_INVALID_ARG_VALUE', 'ERR_INVALID_ARG_TYPE']);

/**
 * The Kling API over undici (docs/service-contract.md). GETs are retried on 429, 5xx and network errors with capped, jittered
 * backoff that honours Retry-After. A create costs money, so it goes again only when nothing can have been created:
 * a 429, or a request that provably never left this machine. A 4xx in the service's own error envelope is the
 * service saying no (nothing created). Anything else — a 5xx, a page from a gateway, a lost or unreadable answer —
 * becomes an `outcome-unknown` error that says what was sent and where to look for it.
 * The key goes only to the configured hosts (https, or http on loopback), and never into a message or a log line:
 * whatever the service sends back passes through `redact` as it arrives.
 */
export class KlingClient {
  readonly baseUrl: string;
  readonly filesBaseUrl: string;
  /** Which Files API an upload by this client lands in: uploads are reused only there (src/core/uploads). */
  readonly uploadedTo: string;
  private readonly apiKey: string;
  private readonly dispatcher: Dispatcher;
  private readonly ownsDispatcher: boolean;
  private readonly backoff: BackoffPolicy;
  private readonly sleep: (ms: number, signal?: AbortSignal) => Promise<void>;
  private readonly random: () => number;
  private readonly log: (line: string) => void;
  private readonly onRetry: (retry: RetryNotice) => void;
  private readonly userAgent: string;

  /**
   * Throws an ApiError before anything is sent: kind `config` for a base URL that would carry the key in clear,
   * kind `auth` for a key that cannot be one (see apiKeyProblem).
   */
  constructor(options: KlingClientOptions) {
    this.baseUrl = trimSlash(options.baseUrl ?? DEFAULT_BASE_URL);
    this.filesBaseUrl = trimSlash(options.filesBaseUrl ?? (this.baseUrl === DEFAULT_BASE_URL ? DEFAULT_FILES_BASE_URL : this.baseUrl));
    for (const url of new Set([this.baseUrl, this.filesBaseUrl])) {
      const problem = baseUrlProblem(url);
      if (problem) throw new ApiError({ kind: 'config', message: problem });
    }
    this.uploadedTo = options.filesInstance ? `${this.filesBaseUrl}#${options.filesInstance}` : this.filesBaseUrl;
    const keyProblem = apiKeyProblem(options.apiKey);
    if (keyProblem) throw new ApiError({ kind: 'auth', message: `The API key cannot be used. ${keyProblem} Nothing was sent; set the key again from your dashboard.` });
    this.apiKey = options.apiKey.trim();
    this.backoff = { ...DEFAULT_BACKOFF, ...options.backoff };
    this.sleep = options.sleep ?? realSleep;
    this.random = options.random ?? Math.random;
    this.log = options.log ?? (() => {});
    this.onRetry = options.onRetry ?? (() => {});
    this.userAgent = options.userAgent ?? 'kling-studio';
    this.ownsDispatcher = !options.dispatcher;
    this.dispatcher = options.dispatcher ?? createDispatcher(this.baseUrl, { ...DEFAULT_TIMEOUTS, ...options.timeouts }, options.proxy);
  }

  /**
   * Creates a task. Costs money: never called twice for one request by this client. `stopRetrying` (Ctrl-C, SIGTERM)
   * ends a wait before trying again, which happens only when the service proved that nothing was created (a 429, a
   * connection never made): the create then fails as not sent. A request in flight is left to finish, so that its
   * answer (a task that is paid for) is not lost.
   */
  createTask(body: CreateRequest, signal?: AbortSignal, options: { stopRetrying?: AbortSignal | undefined } = {}): Promise<Task> {
    return this.call({
      method: 'POST',
      url: `${this.baseUrl}/v1/videos/generations`,
      schema: Task,
      body: JSON.stringify(body),
      spends: true,
      describe: describeRequest(body),
      signal,
      stopRetrying: options.stopRetrying,
    });
  }

  getTask(taskId: string, signal?: AbortSignal): Promise<Task> {
    return this.call({
      method: 'GET',
      url: `${this.baseUrl}/v1/tasks/${encodeURIComponent(taskId)}`,
      schema: Task,
      spends: false,
      describe: `task ${taskId}`,
      signal,
    });
  }

  getCredits(signal?: AbortSignal): Promise<Credits> {
    return this.call({ method: 'GET', url: `${this.baseUrl}/v1/credits`, schema: Credits, spends: false, describe: 'credits', signal });
  }

  /**
   * Uploads a local image with the Files API and returns its URL, usable as image_start/image_end. With `root`, the
   * image must resolve inside that workspace (by real path: a link to a file outside is refused, and named), and
   * its real path is read through a handle opened with O_NOFOLLOW, so that nothing swapped in after the check is
   * sent either. Only a regular file is read, at most the Files API's 100 MB.
   */
  async uploadFile(filePath: string, options: { root?: string | undefined; signal?: AbortSignal | undefined } = {}): Promise<string> {
    const bytes = await readUploadable(filePath, options.root);
    return (await this.uploadBytes(bytes, path.basename(filePath), options.signal)).url;
  }

  /**
   * Uploads bytes already read (and hashed) by the caller, so that what was hashed is what is sent. `expiresAt` is
   * the service's `expires_at` when it says one (clock ms).
   */
  async uploadBytes(bytes: Uint8Array, fileName: string, signal?: AbortSignal): Promise<{ url: string; expiresAt: number | undefined }> {
    if (bytes.byteLength > UPLOAD_MAX_BYTES) throw new Error(`${fileName} is ${Math.round(bytes.byteLength / 1024 / 1024)} MB; the Files API takes at most 100 MB.`);
    const blob = new Blob([bytes as Uint8Array<ArrayBuffer>], { type: contentTypeOf(fileName) });
    const upload = await this.call({
      method: 'POST',
      url: `${this.filesBaseUrl}/api/v1/files/upload/stream`,
      schema: FileUpload,
      body: () => {
        const form = new FormData();
        form.set('file', blob, fileName);
        return form;
      },
      spends: false,
      describe: `upload of ${fileName}`,
      signal,
    });
    const expires = upload.data.expires_at === undefined ? NaN : Date.parse(upload.data.expires_at);
    return { url: upload.data.file_url, expiresAt: Number.isFinite(expires) ? expires : undefined };
  }

  async close(): Promise<void> {
    if (this.ownsDispatcher) await this.dispatcher.close();
  }

  /** The one door for text that came from the service or the network: the key never gets past it. */
  private received(text: string): string {
    return redact(text, this.apiKey);
  }

  private async call<T>(call: Omit<Call<T>, 'body'> & { body?: string | (() => FormData) | undefined }): Promise<T> {
    const started = Date.now();
    for (let attempt = 1; ; attempt++) {
      const body = typeof call.body === 'function' ? call.body() : call.body;
      let status: number | undefined;
      let headers: Record<string, string | string[] | undefined> = {};
      let text: string;
      try {
        const response = await request(call.url, {
          method: call.method,
          dispatcher: this.dispatcher,
          headers: {
            authorization: `Bearer ${this.apiKey}`,
            accept: 'application/json',
            'user-agent': this.userAgent,
            ...(typeof body === 'string' ? { 'content-type': 'application/json' } : {}),
          },
          body,
          signal: call.signal,
        });
        status = response.statusCode;
        headers = response.headers;
        text = this.received(await response.body.text());
      } catch (error) {
        if (call.signal?.aborted) throw error;
        const code = errorCode(error);
        // Once a status line has arrived the request was read, whatever then happened to the body of the answer.
        const refusedBeforeSending = status === undefined && REFUSED_BEFORE_SENDING_CODES.has(code);
        const notSent = refusedBeforeSending || (status === undefined && NOT_CONNECTED_CODES.has(code));
        const reason = this.received(networkReason(error));
        this.log(`${call.method} ${pathOf(call.url)} failed: ${reason} (attempt ${attempt})`);
        if (call.spends && !notSent) {
          const what = status === undefined ? `its answer was lost (${reason})` : `the answer (HTTP ${status}) was cut off (${reason})`;
          throw this.outcomeUnknown(call, what, { status, requestId: this.requestIdOf(headers) }, error);
        }
        if (refusedBeforeSending) {
          throw new ApiError({ kind: 'network', message: `The request for ${call.describe} could not be sent (${reason}); nothing was sent.` }, { cause: error });
        }
        // A client that was closed will not open again: trying again would only repeat the same error.
        if (attempt < this.backoff.maxAttempts && code !== 'UND_ERR_CLOSED' && code !== 'UND_ERR_DESTROYED') {
          const waitMs = backoffDelay(attempt - 1, this.backoff, this.random);
          this.onRetry({ what: call.describe, status: undefined, reason, waitMs, attempt });
          await this.waitToRetry(waitMs, call);
          continue;
        }
        throw new ApiError({ kind: 'network', message: `Could not reach ${hostOf(call.url)}: ${reason}.` }, { cause: error });
      }

      const requestId = this.requestIdOf(headers);
      this.log(`${call.method} ${pathOf(call.url)} → ${status} in ${Date.now() - started} ms${requestId ? ` [request ${requestId}]` : ''}`);
      if (status >= 200 && status < 300) return this.parse(call, text, status, requestId);

      const envelope = errorEnvelope(text);
      // Only two answers prove that a create made nothing: a 429 (the service turned it away before doing anything)
      // and the service's own refusal, a 4xx in its error envelope. A 5xx, or a page some gateway wrote, may come
      // after the service created (and charged for) the task.
      if (call.spends && status !== 429 && !(status >= 400 && status < 500 && envelope)) {
        const said = envelope?.message || bodySnippet(text);
        throw this.outcomeUnknown(call, `the answer was HTTP ${status}${said ? ` (${JSON.stringify(said)})` : ''}, which does not say whether a task was created`, { status, requestId });
      }
      const error = this.errorFromAnswer(status, text, envelope, headers, requestId);
      const retryable = call.spends ? status === 429 : errorRowForStatus(status)?.retryGet ?? status >= 500;
      const wait = error.retryAfterMs ?? backoffDelay(attempt - 1, this.backoff, this.random);
      if (retryable && attempt < this.backoff.maxAttempts && wait <= this.backoff.maxRetryAfterMs) {
        this.log(`waiting ${Math.round(wait / 100) / 10} s before trying ${call.describe} again (${status})`);
        this.onRetry({ what: call.describe, status, waitMs: wait, attempt });
        await this.waitToRetry(wait, call);
        continue;
      }
      throw error;
    }
  }

  private requestIdOf(headers: Record<string, string | string[] | undefined>): string | undefined {
    const value = header(headers, 'x-request-id');
    return value === undefined ? undefined : this.received(value);
  }

  /**
   * A create that may or may not have made a task. The message says what was sent and where to look; it never
   * suggests sending it again, which could pay twice.
   */
  private outcomeUnknown(
    call: Pick<Call<unknown>, 'describe' | 'url'>,
    what: string,
    answer: { status?: number | undefined; requestId?: string | undefined },
    cause?: unknown,
  ): ApiError {
    return new ApiError(
      {
        kind: 'outcome-unknown',
        message:
          `The create request was sent to ${hostOf(call.url)}, but ${what}. ` +
          "A task may have been created and charged: look for it in the service's task list or dashboard. " +
          `Kling Studio did not send it again. Sent: ${call.describe}.`,
        status: answer.status,
        requestId: answer.requestId,
        sent: call.describe,
      },
      cause === undefined ? undefined : { cause },
    );
  }

  /** The wait before another attempt; a call told to stop retrying stops here, where nothing has been created. */
  private async waitToRetry(ms: number, call: Pick<Call<unknown>, 'signal' | 'stopRetrying' | 'describe'>): Promise<void> {
    const stop = call.stopRetrying;
    if (!stop) return this.sleep(ms, call.signal);
    try {
      await this.sleep(ms, call.signal ? AbortSignal.any([call.signal, stop]) : stop);
    } catch (error) {
      if (!stop.aborted || call.signal?.aborted) throw error;
      throw new ApiError(
        { kind: 'network', message: `Stopped before ${call.describe} was sent again; the service had turned it away, so nothing was created.` },
        { cause: error },
      );
    }
  }

  private parse<T>(call: Pick<Call<T>, 'schema' | 'describe' | 'spends' | 'url'>, text: string, status: number, requestId: string | undefined): T {
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch {
      json = undefined;
    }
    const parsed = call.schema.safeParse(json);
    if (parsed.success) return parsed.data;
    // Named field by field, with the way to send it to us: the first real user is the service's first real test.
    const problem = this.received(answerShapeProblem(json, parsed.error));
    if (call.spends) {
      throw this.outcomeUnknown(call, `it was accepted (HTTP ${status}) and the answer was not what Kling Studio expects (${problem}). ${RECORD_HINT}`, { status, requestId });
    }
    throw new ApiError({ kind: 'bad-response', message: `The service's answer about ${call.describe} was not what Kling Studio expects: ${problem}. ${RECORD_HINT}`, status, requestId });
  }

  private errorFromAnswer(
    status: number,
    text: string,
    envelope: ApiErrorBody['error'] | undefined,
    headers: Record<string, string | string[] | undefined>,
    requestId: string | undefined,
  ): ApiError {
    const row = errorRowForStatus(status);
    const serviceMessage = envelope?.message || bodySnippet(text) || `HTTP ${status}`;
    const details: ApiErrorDetails = {
      kind: row?.kind ?? (status >= 500 ? 'upstream' : 'invalid-request'),
      message: '',
      status,
      type: envelope?.type ?? row?.type,
      param: envelope?.param,
      fallbackSuggestion: envelope?.fallback_suggestion,
      retryAfterMs: parseRetryAfter(header(headers, 'retry-after')),
      requestId,
    };
    details.message = messageFor(details, serviceMessage);
    return new ApiError(details);
  }
}

/** The service's own error envelope (docs/service-contract.md, "Errors"), or undefined for anything else. */
function errorEnvelope(text: string): ApiErrorBody['error'] | undefined {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    return undefined;
  }
  const body = ApiErrorBody.safeParse(json);
  return body.success ? body.data.error : undefined;
}

/** A few readable words from an answer that is not the service's JSON: a page's title, else its text. */
function bodySnippet(text: string): string {
  const title = /<title[^>]*>([\s\S]*?)<\/title>/i.exec(text)?.[1];
  const words = (title ?? text.replace(/<(script|style)[\s\S]*?<\/\1>/gi, ' ').replace(/<[^>]*>/g, ' ')).replace(/\s+/g, ' ').trim();
  return words.length > 120 ? `${words.slice(0, 119)}…` : words;
}

function messageFor(details: ApiErrorDetails, serviceMessage: string): string {
  const hint = details.fallbackSuggestion ? ` (${details.fallbackSuggestion})` : '';
  switch (details.kind) {
    case 'invalid-request':
      return `The service rejected the request${details.param ? ` at ${details.param}` : ''}: ${serviceMessage}${hint}`;
    case 'auth':
      return `The API key was not accepted: ${serviceMessage}`;
    case 'quota':
      return `Out of credits: ${serviceMessage}${hint}`;
    case 'permission':
      return `This API key may not use this model: ${serviceMessage}`;
    case 'not-found':
      return `Not found: ${serviceMessage}`;
    case 'too-large':
      return `Too large for the service: ${serviceMessage}${hint}`;
    case 'rate-limited':
      return `The service is limiting the request rate: ${serviceMessage}${details.retryAfterMs !== undefined ? ` (it asked to wait ${Math.ceil(details.retryAfterMs / 1000)} s)` : ''}`;
    default:
      return `The service had a problem (HTTP ${details.status}): ${serviceMessage}`;
  }
}

/** What a create asked for, in words a user can match against the service's task list. */
export function describeRequest(body: CreateRequest): string {
  if (body.model === 'kling-custom-element') return `custom element "${body.model_params.element_name}"`;
  const prompt = body.prompt || body.model_params?.multi_prompt?.[0]?.prompt || '';
  const shortPrompt = prompt.length > 60 ? `${prompt.slice(0, 57)}…` : prompt;
  return `${body.model}, ${body.duration ?? 5} s, ${body.quality ?? '720p'}, ${body.aspect_ratio ?? '16:9'}, sound ${body.sound ?? 'off'}, prompt "${shortPrompt}"`;
}

/**
 * An undici dispatcher for `url`: direct for loopback; through the editor's proxy when one is set (`proxy`, unless
 * its `noProxy` names the host); else through HTTP(S)_PROXY unless NO_PROXY says otherwise.
 */
export function createDispatcher(baseUrl: string, timeouts: Timeouts = DEFAULT_TIMEOUTS, proxy?: ProxySettings): Dispatcher {
  const tls = proxy?.strictSSL === false ? { rejectUnauthorized: false } : undefined;
  const options = { connect: { timeout: timeouts.connectMs, ...tls }, headersTimeout: timeouts.headersMs, bodyTimeout: timeouts.bodyMs };
  // The embedded simulator is on loopback: a corporate proxy must not see (or break) that traffic.
  if (isLoopback(baseUrl)) return new Agent(options);
  if (proxy?.url) {
    if (bypassesProxy(new URL(baseUrl).hostname, proxy.noProxy)) return new Agent(options);
    return new ProxyAgent({ ...options, uri: proxy.url, ...(tls ? { requestTls: tls, proxyTls: tls } : {}) });
  }
  return new EnvHttpProxyAgent({ ...options, ...(tls ? { requestTls: tls } : {}) });
}

export function isLoopback(url: string): boolean {
  return isLoopbackHost(new URL(url).hostname);
}

function errorCode(error: unknown): string {
  const e = error as { code?: string; cause?: { code?: string } };
  return e?.cause?.code ?? e?.code ?? '';
}

function networkReason(error: unknown): string {
  const code = errorCode(error);
  const reasons: Record<string, string> = {
    ECONNREFUSED: 'connection refused',
    ECONNRESET: 'connection reset',
    ENOTFOUND: 'host not found',
    EAI_AGAIN: 'DNS lookup failed',
    UND_ERR_CONNECT_TIMEOUT: 'connection timed out',
    UND_ERR_HEADERS_TIMEOUT: 'no answer in time',
    UND_ERR_BODY_TIMEOUT: 'the answer stalled',
    UND_ERR_SOCKET: 'connection closed',
  };
  return reasons[code] ?? (errorText(error));
}

function header(headers: Record<string, string | string[] | undefined>, name: string): string | undefined {
  const value = headers[name];
  return Array.isArray(value) ? value[0] : value;
}

function contentTypeOf(filePath: string): string {
  const ext = path.extname(filePath).toLowerCase();
  return { '.png': 'image/png', '.jpg': 'image/jpeg', '.jpeg': 'image/jpeg', '.gif': 'image/gif', '.webp': 'image/webp' }[ext] ?? 'application/octet-stream';
}

const trimSlash = (url: string) => url.replace(/\/+$/, '');
const hostOf = (url: string) => new URL(url).host;
const pathOf = (url: string) => new URL(url).pathname;

/**
 * A local image's bytes for an upload: with `root`, its real path must be inside that workspace (a link to a file
 * outside is refused, and named), and it is read through a handle opened with O_NOFOLLOW, so that nothing swapped in
 * after the check is read instead. Only a regular file, at most the Files API's 100 MB.
 */
export async function readUploadable(filePath: string, root: string | undefined): Promise<Uint8Array> {
  const realPath = root ? await assertInsideRoot(filePath, root, `the image ${path.basename(filePath)}`) : filePath;
  const handle = await openRegularFile(realPath, 'read');
  try {
    const { size } = await handle.stat();
    if (size > UPLOAD_MAX_BYTES) throw new Error(`${path.basename(filePath)} is ${Math.round(size / 1024 / 1024)} MB; the Files API takes at most 100 MB.`);
    const bytes = new Uint8Array(size);
    let filled = 0;
    while (filled < size) {
      const { bytesRead } = await handle.read(bytes, filled, size - filled, filled);
      if (bytesRead === 0) break;
      filled += bytesRead;
    }
    return bytes.subarray(0, filled);
  } finally {
    await handle.close();
  }
}
