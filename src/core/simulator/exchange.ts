import type { IncomingMessage, OutgoingHttpHeaders, ServerResponse } from 'node:http';
import { apiErrorBody, type ApiErrorInit } from './simulatorErrors';

/** The routes the simulator counts and faults can target, plus those it serves without counting. */
export type RouteName = 'create' | 'task' | 'credits' | 'download' | 'upload' | 'file' | 'redirect' | 'other';

export type BodyResult = { ok: true; bytes: Buffer } | { ok: false; reason: 'too-large' | 'aborted' };

/**
 * One request and its response, with what the log needs to say about it (route, task id, fault). Handlers answer
 * through it so that every answer has the same headers and every error the contract's body.
 */
export class Exchange {
  readonly url: URL;
  route: RouteName = 'other';
  taskId: string | undefined;
  fault: string | undefined;
  /** The request body was left unread: the connection must not be reused for another request. */
  private bodyLeftUnread = false;

  constructor(
    readonly req: IncomingMessage,
    readonly res: ServerResponse,
    baseUrl: string,
  ) {
    this.url = new URL(req.url ?? '/', baseUrl);
  }

  get method(): string {
    return this.req.method ?? 'GET';
  }

  get path(): string {
    return this.url.pathname;
  }

  get answered(): boolean {
    return this.res.headersSent || this.res.destroyed;
  }

  json(status: number, body: unknown, headers: OutgoingHttpHeaders = {}): void {
    const text = JSON.stringify(body);
    this.send(status, 'application/json; charset=utf-8', Buffer.from(text), headers);
  }

  error(status: number, init: ApiErrorInit, headers: OutgoingHttpHeaders = {}): void {
    this.json(status, apiErrorBody(status, init), headers);
  }

  text(status: number, text: string, headers: OutgoingHttpHeaders = {}): void {
    this.send(status, 'text/plain; charset=utf-8', Buffer.from(text), headers);
  }

  send(status: number, contentType: string, body: Uint8Array, headers: OutgoingHttpHeaders = {}): void {
    if (this.answered) return;
    this.res.writeHead(status, {
      'Content-Type': contentType,
      'Content-Length': body.byteLength,
      ...(this.bodyLeftUnread ? { Connection: 'close' } : {}),
      ...headers,
    });
    this.res.end(this.method === 'HEAD' ? undefined : body);
  }

  /** Ends the connection without an answer: the client sees a reset, or a response cut short. */
  destroy(): void {
    this.req.socket.destroy();
  }

  /**
   * The request body, or why there is none. A body over `limit` bytes is not kept: what the client still sends is
   * discarded, and the answer closes the connection so that the client stops sending.
   */
  readBody(limit: number): Promise<BodyResult> {
    const { req } = this;
    const declared = Number(req.headers['content-length']);
    if (Number.isFinite(declared) && declared > limit) {
      this.bodyLeftUnread = true;
      req.resume();
      return Promise.resolve({ ok: false, reason: 'too-large' });
    }
    return new Promise((resolve) => {
      const chunks: Buffer[] = [];
      let size = 0;
      const onData = (chunk: Buffer) => {
        size += chunk.length;
        if (size > limit) {
          this.bodyLeftUnread = true;
          req.off('data', onData);
          req.resume();
          resolve({ ok: false, reason: 'too-large' });
          return;
        }
        chunks.push(chunk);
      };
      req.on('data', onData);
      req.on('end', () => resolve({ ok: true, bytes: Buffer.concat(chunks, size) }));
      req.on('error', () => resolve({ ok: false, reason: 'aborted' }));
      req.on('close', () => {
        if (!req.complete) resolve({ ok: false, reason: 'aborted' });
      });
    });
  }
}
