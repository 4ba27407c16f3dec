import assert from 'node:assert/strict';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import type { ApiError } from '../../../src/core/api/apiError';
import { KlingClient, type RetryNotice } from '../../../src/core/api/klingClient';
import { apiErrorOf } from '../../helpers/apiErrors';
import { aVideoRequest } from '../../helpers/taskDrafts';

// Everything the service sends back can reach a message, a log line or a file. A service (or a gateway) that echoes
// the key — in the message, the param, the hint, a header, a page — must not put it in front of the user: it is
// removed in one place, as the answer arrives. This server echoes the key it is sent, in every form an echo takes.

const LIMIT = { timeout: 10_000 };
/** Printable ASCII with the characters that JSON and URLs write differently ('/' and '+'). */
const KEY = 'sk-echo/TEST+5f3a9c21=do-not-show';

type Echo = (key: string, res: ServerResponse, req: IncomingMessage) => void;

const envelope = (status: number, key: string) =>
  JSON.stringify({
    error: {
      code: status,
      message: `Key ${key} is not allowed here`,
      type: `invalid_request_error ${key}`,
      param: `headers.authorization=${key}`,
      fallback_suggestion: `check ${key} in your dashboard`,
    },
  });

/** What the echoing server answers, by path: each answer quotes the key it was sent. */
const ANSWERS: Record<string, Echo> = {
  '/envelope-400': (key, res) => res.writeHead(400, { 'content-type': 'application/json', 'x-request-id': `req-${key}`, 'x-echo': key }).end(envelope(400, key)),
  '/envelope-401': (key, res) => res.writeHead(401, { 'content-type': 'application/json', 'x-request-id': key }).end(envelope(401, key)),
  '/page-500': (key, res) =>
    res
      .writeHead(500, { 'content-type': 'text/html', 'x-request-id': `gw ${key}` })
      .end(`<html><body><h1>Error</h1><p>Authorization: Bearer ${key}</p><p>${encodeURIComponent(key)}</p></body></html>`),
  '/page-502': (key, res) => res.writeHead(502, { 'content-type': 'text/html', 'x-request-id': key }).end(`<html><title>Bad Gateway for ${key}</title></html>`),
  // The key sits near the 120th character, where a snippet is cut: it must go before the text is cut, not after.
  '/long-page-502': (key, res) => res.writeHead(502, { 'content-type': 'text/plain' }).end(`${'x'.repeat(110)} ${key} and more`),
  '/json-escaped-200': (key, res) => res.writeHead(200, { 'content-type': 'application/json', 'x-request-id': key }).end(`{"echo":"${key.replace(/\//g, '\\/')}"}`),
};

describe('KlingClient: what the service echoes never carries the key', () => {
  let server: Server;
  let base: string;
  const logs: string[] = [];
  const notices: RetryNotice[] = [];
  const errors: ApiError[] = [];

  before(async () => {
    server = createServer((req, res) => {
      const key = /^Bearer (.+)$/.exec(req.headers.authorization ?? '')?.[1] ?? '';
      req.resume();
      const answer = ANSWERS[`/${new URL(req.url ?? '/', base).pathname.split('/')[1]}`];
      if (answer) answer(key, res, req);
      else res.writeHead(404).end();
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  after(() => new Promise<void>((resolve) => server.close(() => resolve())));

  /** A client of one echoing answer; `route` picks it (the client's own paths are appended after it). */
  function clientFor(route: string): KlingClient {
    return new KlingClient({
      baseUrl: `${base}${route}`,
      apiKey: KEY,
      backoff: { maxAttempts: 2, baseDelayMs: 1, maxDelayMs: 1 },
      sleep: async () => undefined,
      log: (line) => logs.push(line),
      onRetry: (notice) => notices.push(notice),
    });
  }

  async function failure(route: string, work: (client: KlingClient) => Promise<unknown>): Promise<ApiError> {
    const client = clientFor(route);
    try {
      const error = await apiErrorOf(work(client));
      errors.push(error);
      return error;
    } finally {
      await client.close();
    }
  }

  it('a create refused in the envelope: the param, message, type, hint and request id are all without the key', LIMIT, async () => {
    const error = await failure('/envelope-400', (c) => c.createTask(aVideoRequest()));
    assert.equal(error.kind, 'invalid-request');
    assert.equal(error.param, 'headers.authorization=•••');
    assert.equal(error.fallbackSuggestion, 'check ••• in your dashboard');
    assert.equal(error.type, 'invalid_request_error •••');
    assert.equal(error.requestId, 'req-•••');
    assert.equal(error.message, 'The service rejected the request at headers.authorization=•••: Key ••• is not allowed here (check ••• in your dashboard)');
  });

  it('a GET answered 401 in the envelope, with the key as the request id', LIMIT, async () => {
    const error = await failure('/envelope-401', (c) => c.getCredits());
    assert.equal(error.kind, 'auth');
    assert.equal(error.requestId, '•••');
  });

  it('an HTML error page that quotes the key (and its URL-encoded form), retried then reported', LIMIT, async () => {
    const error = await failure('/page-500', (c) => c.getTask('task-unified-1757169743-abcd1234'));
    assert.equal(error.kind, 'upstream');
    assert.match(error.message, /Authorization: Bearer ••• •••/);
  });

  it('a gateway page on a create: outcome unknown, its title quoted without the key', LIMIT, async () => {
    const error = await failure('/page-502', (c) => c.createTask(aVideoRequest()));
    assert.equal(error.kind, 'outcome-unknown');
    assert.match(error.message, /HTTP 502 \("Bad Gateway for •••"\)/);
  });

  it('a long page whose key sits where the quoted text is cut', LIMIT, async () => {
    const error = await failure('/long-page-502', (c) => c.createTask(aVideoRequest()));
    assert.equal(error.kind, 'outcome-unknown');
    assert.ok(!error.message.includes(KEY.slice(0, 8)), `no piece of the key either: ${error.message}`);
  });

  it('an unreadable 200 that echoes the key JSON-escaped', LIMIT, async () => {
    const created = await failure('/json-escaped-200', (c) => c.createTask(aVideoRequest()));
    assert.equal(created.kind, 'outcome-unknown');
    const read = await failure('/json-escaped-200', (c) => c.getCredits());
    assert.equal(read.kind, 'bad-response');
  });

  it('no error text, field, log line or retry notice carries the key, in any form', () => {
    assert.equal(errors.length, 7);
    const forms = [KEY, encodeURIComponent(KEY), KEY.replace(/\//g, '\\/'), KEY.slice(0, 12)];
    const texts: string[] = [...logs, ...notices.map((n) => JSON.stringify(n))];
    for (const error of errors) {
      texts.push(String(error), JSON.stringify(error), String(error.stack));
      for (const name of Object.getOwnPropertyNames(error)) texts.push(String((error as unknown as Record<string, unknown>)[name]));
      if (error.cause) texts.push(String(error.cause), JSON.stringify(error.cause));
    }
    assert.ok(logs.some((line) => line.includes('[request req-•••]')), 'the request id is logged, without the key');
    assert.ok(notices.length >= 1, 'the 500 was retried');
    for (const text of texts) {
      for (const form of forms) assert.ok(!text.includes(form), `the key leaked (${form}) into: ${text}`);
    }
  });
});
