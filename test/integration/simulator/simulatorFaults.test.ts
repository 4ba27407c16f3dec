import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { request } from 'undici';
import { errorRowForStatus } from '../../../src/core/api/errorTable';
import { Mp4InfoError, readMp4Info } from '../../../src/core/media/mp4Info';
import type { Simulator, SimulatorFault } from '../../../src/core/simulator/simulatorServer';
import { call, createTask, getTask, start, videoRequest } from './simulatorHarness';
import { FakeClock } from '../../helpers/fakeClock';

const TIME_SCALE = 10;
const CREATE = '/v1/videos/generations';

let work: string;
before(async () => {
  work = await mkdtemp(path.join(tmpdir(), 'kling-simulator-faults-'));
});
after(() => rm(work, { recursive: true, force: true }));

/** Reads a response body as far as it goes: the bytes that arrived, and the error that ended it, if any. */
async function readAll(body: AsyncIterable<Buffer>, onBytes?: (received: number) => void): Promise<{ bytes: Buffer; error: unknown }> {
  const chunks: Buffer[] = [];
  let received = 0;
  try {
    for await (const chunk of body) {
      chunks.push(chunk);
      received += chunk.length;
      onBytes?.(received);
    }
    return { bytes: Buffer.concat(chunks), error: undefined };
  } catch (error) {
    return { bytes: Buffer.concat(chunks), error };
  }
}

describe('simulator: faults', () => {
  const clock = new FakeClock(Date.UTC(2026, 0, 15, 12));
  let sim: Simulator;
  let videoUrl: string;
  let videoSize: number;
  before(async () => {
    sim = await start({ now: clock.now, timeScale: TIME_SCALE });
    const created = await createTask(sim, videoRequest({ duration: 5 }));
    await clock.advance(100 * TIME_SCALE);
    videoUrl = (await getTask(sim, created.id)).results[0];
    videoSize = (await call(videoUrl, 'GET', videoUrl)).bytes.length;
  });
  after(() => sim.close());

  it('answers a status with the error table type and Retry-After, for the next `times` requests only', async () => {
    const tasksBefore = sim.tasks().length;
    sim.inject({ on: 'create', status: 429, retryAfterSeconds: 7 });
    const limited = await call(sim.baseUrl, 'POST', CREATE, { body: videoRequest() });
    assert.equal(limited.status, 429);
    assert.equal(limited.headers['retry-after'], '7');
    assert.deepEqual(limited.json.error, { code: 429, message: 'Rate limit exceeded, please retry later', type: 'rate_limit_error' });
    assert.equal(sim.tasks().length, tasksBefore, 'a 429 creates nothing');
    assert.equal((await call(sim.baseUrl, 'POST', CREATE, { body: videoRequest() })).status, 200);

    const id = sim.tasks()[0]!.id;
    for (const status of [500, 502, 503]) sim.inject({ on: 'task', status, times: 2 });
    for (const status of [500, 500, 502, 502, 503, 503]) {
      const answer = await call(sim.baseUrl, 'GET', `/v1/tasks/${id}`);
      assert.equal(answer.status, status);
      assert.equal(answer.json.error.type, errorRowForStatus(status)!.type);
      assert.equal(answer.headers['retry-after'], undefined);
    }
    assert.equal((await call(sim.baseUrl, 'GET', `/v1/tasks/${id}`)).status, 200);
  });

  it('applies status faults to every route, before the key is checked', async () => {
    const faults: Array<[SimulatorFault, string, string, unknown]> = [
      [{ on: 'credits', status: 503 }, 'GET', '/v1/credits', undefined],
      [{ on: 'download', status: 403, message: 'Not yours' }, 'GET', videoUrl, undefined],
      [{ on: 'upload', status: 413 }, 'POST', '/api/v1/files/upload/base64', { base64_data: 'R0lGODlh' }],
    ];
    for (const [fault, method, where, body] of faults) {
      sim.inject(fault);
      const answer = await call(sim.baseUrl, method, where, { body, key: 'not-checked' });
      const status = (fault as { status: number }).status;
      assert.equal(answer.status, status);
      assert.equal(answer.json.error.type, errorRowForStatus(status)!.type);
    }
    assert.equal(sim.stats().requests.at(-2)!.fault, 'status 403');
  });

  it('lose-answer: the task is created and charged, and the client gets no answer', async () => {
    const tasksBefore = sim.tasks().length;
    const balance = sim.balance();
    sim.inject({ on: 'create', kind: 'lose-answer' });
    await assert.rejects(call(sim.baseUrl, 'POST', CREATE, { body: videoRequest({ duration: 5 }) }), /other side closed|socket|ECONNRESET/i);
    assert.equal(sim.tasks().length, tasksBefore + 1);
    assert.equal(sim.balance(), balance - 27);
    const entry = sim.stats().requests.at(-1)!;
    assert.equal(entry.status, 0);
    assert.equal(entry.fault, 'lose-answer');
    assert.equal(entry.taskId, sim.tasks().at(-1)!.id);
  });

  it('lose-answer with an answer: the task is created and charged, and the client gets the gateway page instead', async () => {
    const tasksBefore = sim.tasks().length;
    const balance = sim.balance();
    sim.inject({ on: 'create', kind: 'lose-answer', answer: { status: 502, body: '<html><title>502 Bad Gateway</title></html>', headers: { 'X-Request-Id': 'gw-1' } } });
    const answer = await call(sim.baseUrl, 'POST', CREATE, { body: videoRequest({ duration: 5 }) });
    assert.equal(answer.status, 502);
    assert.equal(answer.text, '<html><title>502 Bad Gateway</title></html>');
    assert.equal(answer.headers['content-type'], 'text/html; charset=utf-8');
    assert.equal(answer.headers['x-request-id'], 'gw-1');
    assert.equal(sim.tasks().length, tasksBefore + 1);
    assert.equal(sim.balance(), balance - 27);
    const entry = sim.stats().requests.at(-1)!;
    assert.equal(entry.status, 502);
    assert.equal(entry.fault, 'lose-answer 502');
    assert.equal(entry.taskId, sim.tasks().at(-1)!.id);
  });

  it('lose-answer with a 200 whose body is not a task, and with a plain-text body of the caller\'s type', async () => {
    const tasksBefore = sim.tasks().length;
    sim.inject({ on: 'create', kind: 'lose-answer', answer: { status: 200, body: 'OK', contentType: 'text/plain' } });
    const answer = await call(sim.baseUrl, 'POST', CREATE, { body: videoRequest() });
    assert.deepEqual([answer.status, answer.text, answer.headers['content-type']], [200, 'OK', 'text/plain']);
    assert.equal(sim.tasks().length, tasksBefore + 1);
  });

  it('a status fault with a page answers that page as HTML, and a create it hits creates nothing', async () => {
    const tasksBefore = sim.tasks().length;
    sim.inject({ on: 'create', status: 429, page: '<html><title>Too Many Requests</title></html>', retryAfterSeconds: 1 });
    const answer = await call(sim.baseUrl, 'POST', CREATE, { body: videoRequest() });
    assert.deepEqual([answer.status, answer.text, answer.headers['content-type'], answer.headers['retry-after']], [
      429,
      '<html><title>Too Many Requests</title></html>',
      'text/html; charset=utf-8',
      '1',
    ]);
    assert.equal(sim.tasks().length, tasksBefore);
  });

  it('reset: task queries, credits and creates get no answer, and nothing happens', async () => {
    const tasksBefore = sim.tasks().length;
    for (const on of ['task', 'credits', 'create'] as const) sim.inject({ on, kind: 'reset' });
    const id = sim.tasks()[0]!.id;
    await assert.rejects(call(sim.baseUrl, 'GET', `/v1/tasks/${id}`));
    await assert.rejects(call(sim.baseUrl, 'GET', '/v1/credits'));
    await assert.rejects(call(sim.baseUrl, 'POST', CREATE, { body: videoRequest() }));
    assert.equal(sim.tasks().length, tasksBefore);
    assert.equal((await call(sim.baseUrl, 'GET', '/v1/credits')).status, 200);
  });

  it('cut: the full Content-Length, then afterBytes, then the connection drops', async () => {
    sim.inject({ on: 'download', kind: 'cut', afterBytes: 10_000 });
    const response = await request(videoUrl);
    assert.equal(response.statusCode, 200);
    assert.equal(Number(response.headers['content-length']), videoSize);
    const { bytes, error } = await readAll(response.body);
    assert.ok(error, 'the body ends in an error');
    assert.equal(bytes.length, 10_000);
  });

  it('cut applies to a range request too', async () => {
    sim.inject({ on: 'download', kind: 'cut', afterBytes: 100 });
    const response = await request(videoUrl, { headers: { range: 'bytes=5000-' } });
    assert.equal(response.statusCode, 206);
    assert.equal(Number(response.headers['content-length']), videoSize - 5000);
    const { bytes, error } = await readAll(response.body);
    assert.ok(error);
    assert.equal(bytes.length, 100);
  });

  it('truncate: a clean chunked 200 that only the MP4 structure shows to be short', async () => {
    sim.inject({ on: 'download', kind: 'truncate', afterBytes: Math.floor(videoSize / 2) });
    const response = await request(videoUrl);
    assert.equal(response.statusCode, 200);
    assert.equal(response.headers['content-length'], undefined);
    assert.equal(response.headers['transfer-encoding'], 'chunked');
    const { bytes, error } = await readAll(response.body);
    assert.equal(error, undefined, 'the body ends cleanly');
    assert.equal(bytes.length, Math.floor(videoSize / 2));
    const file = path.join(work, 'truncated.mp4');
    await writeFile(file, bytes);
    await assert.rejects(readMp4Info(file), (e: unknown) => e instanceof Mp4InfoError && e.kind === 'truncated');
  });

  it('stall: afterBytes, then silence until the client gives up', async () => {
    sim.inject({ on: 'download', kind: 'stall', afterBytes: 2048 });
    const started = Date.now();
    const response = await request(videoUrl, { bodyTimeout: 300 });
    assert.equal(Number(response.headers['content-length']), videoSize);
    const { bytes, error } = await readAll(response.body);
    assert.equal((error as { code?: string }).code, 'UND_ERR_BODY_TIMEOUT');
    assert.equal(bytes.length, 2048);
    assert.ok(Date.now() - started >= 250);
  });

  it('a HEAD does not use up a body fault meant for the download', async () => {
    sim.inject({ on: 'download', kind: 'cut', afterBytes: 10 });
    const head = await call(videoUrl, 'HEAD', videoUrl);
    assert.equal(head.status, 200);
    const response = await request(videoUrl);
    const { bytes, error } = await readAll(response.body);
    assert.ok(error);
    assert.equal(bytes.length, 10);
  });

  it('redirect: a chain of 302s, the first absolute (on localhost with toHost), the others relative, ending at the video', async () => {
    sim.inject({ on: 'download', kind: 'redirect', hops: 3, toHost: 'localhost' });
    const head = await call(videoUrl, 'HEAD', videoUrl);
    assert.equal(head.status, 200, 'a HEAD does not use up a redirect meant for the download');
    const locations: string[] = [];
    let next = videoUrl;
    for (let i = 0; i < 3; i++) {
      const response = await request(next);
      await response.body.dump();
      assert.equal(response.statusCode, 302);
      const location = String(response.headers['location']);
      locations.push(location);
      next = new URL(location, next).href;
    }
    const port = new URL(videoUrl).port;
    const query = new URL(videoUrl).search;
    assert.deepEqual(locations, [
      `http://localhost:${port}/files/redirects/2/${path.basename(new URL(videoUrl).pathname)}${query}`,
      `/files/redirects/1/${path.basename(new URL(videoUrl).pathname)}${query}`,
      `${new URL(videoUrl).pathname}${query}&redirected=1`,
    ]);
    const video = await request(next);
    assert.equal(video.statusCode, 200);
    assert.equal((await video.body.arrayBuffer()).byteLength, videoSize);
  });

  it('not-json: a 200 whose body is not JSON, on a task query or credits, then the real answers again', async () => {
    const id = sim.tasks()[0]!.id;
    sim.inject({ on: 'task', kind: 'not-json' });
    sim.inject({ on: 'credits', kind: 'not-json', body: '<html><title>Sign in to the Wi-Fi</title></html>' });
    const garbled = await call(sim.baseUrl, 'GET', `/v1/tasks/${id}`);
    assert.deepEqual([garbled.status, garbled.headers['content-type']], [200, 'application/json; charset=utf-8']);
    assert.equal(garbled.text, '{"id":"task-unified-1757169743-7cvnl5zw","object":"video.generation.task","status":"proc');
    assert.throws(() => JSON.parse(garbled.text), SyntaxError);
    assert.equal(sim.stats().requests.at(-1)!.fault, 'not-json');
    const page = await call(sim.baseUrl, 'GET', '/v1/credits');
    assert.deepEqual([page.status, page.text], [200, '<html><title>Sign in to the Wi-Fi</title></html>']);
    const task = await call(sim.baseUrl, 'GET', `/v1/tasks/${id}`);
    assert.equal(task.status, 200);
    assert.equal(task.json.id, id);
  });

  it('after: lets that many requests of the route through first, and faults queued behind it wait their turn', async () => {
    const id = sim.tasks()[0]!.id;
    sim.inject({ on: 'task', status: 503, after: 2 });
    sim.inject({ on: 'task', status: 500, after: 1, times: 2 });
    sim.inject({ on: 'credits', status: 502 });
    assert.equal((await call(sim.baseUrl, 'GET', '/v1/credits')).status, 502, 'another route is not held back');
    const statuses: number[] = [];
    for (let i = 0; i < 7; i++) statuses.push((await call(sim.baseUrl, 'GET', `/v1/tasks/${id}`)).status);
    assert.deepEqual(statuses, [200, 200, 503, 200, 500, 500, 200]);
  });

  it('after on a download fault: a HEAD is not one of the requests it lets through', async () => {
    sim.inject({ on: 'download', kind: 'cut', afterBytes: 10, after: 1 });
    assert.equal((await call(videoUrl, 'HEAD', videoUrl)).status, 200);
    assert.equal((await call(videoUrl, 'GET', videoUrl)).bytes.length, videoSize, 'the one GET let through');
    const { bytes, error } = await readAll((await request(videoUrl)).body);
    assert.ok(error);
    assert.equal(bytes.length, 10);
  });

  it('refuses faults that cannot apply', () => {
    assert.throws(() => sim.inject({ on: 'task', kind: 'redirect', hops: 1 } as never), TypeError);
    assert.throws(() => sim.inject({ on: 'download', kind: 'redirect', hops: 0 }), TypeError);
    assert.throws(() => sim.inject({ on: 'download', kind: 'redirect', hops: 2, toHost: 'example.com' } as never), TypeError);
    assert.throws(() => sim.inject({ on: 'task', kind: 'cut', afterBytes: 1 } as never), TypeError);
    assert.throws(() => sim.inject({ on: 'credits', kind: 'lose-answer' } as never), TypeError);
    assert.throws(() => sim.inject({ on: 'create', kind: 'not-json' } as never), TypeError);
    assert.throws(() => sim.inject({ on: 'download', kind: 'not-json' } as never), TypeError);
    assert.throws(() => sim.inject({ on: 'task', kind: 'not-json', body: 7 as never }), TypeError);
    assert.throws(() => sim.inject({ on: 'create', kind: 'lose-answer', answer: { status: 99 } }), TypeError);
    assert.throws(() => sim.inject({ on: 'create', kind: 'lose-answer', answer: { status: 502, headers: { 'X-A': 1 as never } } }), TypeError);
    assert.throws(() => sim.inject({ on: 'create', status: 200 }), TypeError);
    assert.throws(() => sim.inject({ on: 'create', status: 500, times: 0 }), TypeError);
    assert.throws(() => sim.inject({ on: 'create', status: 500, after: -1 }), TypeError);
    assert.throws(() => sim.inject({ on: 'create', status: 500, after: 1.5 }), TypeError);
    assert.throws(() => sim.inject({ on: 'everything', status: 500 } as never), TypeError);
  });

  it('clearFaults drops faults not yet used', async () => {
    sim.inject({ on: 'credits', status: 500, times: 5 });
    sim.clearFaults();
    assert.equal((await call(sim.baseUrl, 'GET', '/v1/credits')).status, 200);
  });
});

describe('simulator: close with a stalled download', () => {
  it('destroys the stalled connection, and the client sees the body end in an error', async () => {
    const clock = new FakeClock(Date.UTC(2026, 0, 15, 12));
    const sim = await start({ now: clock.now, timeScale: TIME_SCALE });
    const created = await createTask(sim, videoRequest());
    await clock.advance(100 * TIME_SCALE);
    const url: string = (await getTask(sim, created.id)).results[0];
    sim.inject({ on: 'download', kind: 'stall', afterBytes: 1000 });
    const response = await request(url, { bodyTimeout: 0 });
    // Closed once the client holds the bytes sent before the stall: the connection is then open and silent.
    let stalled!: () => void;
    const atStall = new Promise<void>((resolve) => (stalled = resolve));
    const reading = readAll(response.body, (received) => received >= 1000 && stalled());
    await atStall;
    const started = Date.now();
    await sim.close();
    assert.ok(Date.now() - started < 1000, 'close does not wait for the stalled client');
    const { bytes, error } = await reading;
    assert.ok(error);
    assert.equal(bytes.length, 1000);
  });
});
