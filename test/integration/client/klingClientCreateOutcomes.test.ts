import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, afterEach, before, beforeEach, describe, it } from 'node:test';
import { describeRequest, KlingClient } from '../../../src/core/api/klingClient';
import type { Simulator } from '../../../src/core/simulator/simulatorServer';
import { apiErrorOf } from '../../helpers/apiErrors';
import { DISTINCT_KEY, recordingClient, startTestSimulator, type ClientRecord } from '../../helpers/simulatorBed';
import { aVideoRequest } from '../../helpers/taskDrafts';

// docs/service-contract.md, "Create a task": a create costs money and is never sent twice on our own. Only two answers prove
// that nothing was created — a 429, and the service's own refusal (a 4xx in its error envelope) — and only a
// request that never left this machine may go again. Everything else is "outcome unknown". The simulator counts
// the creates and the tasks, so what happened on the service's side is observed, not assumed.

/** A broken client fails its test rather than hanging the run. */
const LIMIT = { timeout: 10_000 };
const GATEWAY_PAGE = '<html><head><title>502 Bad Gateway</title></head><body><center><h1>502 Bad Gateway</h1></center><hr>nginx</body></html>';

function assertOutcomeUnknown(error: { kind: string; message: string; sent?: string | undefined }, sent: string): void {
  assert.equal(error.kind, 'outcome-unknown', error.message);
  assert.equal(error.sent, sent);
  assert.ok(error.message.includes(`Sent: ${sent}.`), error.message);
  assert.match(error.message, /look for it in the service's task list or dashboard/);
  assert.match(error.message, /did not send it again/);
  assert.doesNotMatch(error.message, /try again|retry/i, 'an unknown outcome is never an invitation to pay twice');
}

describe('KlingClient against the simulator: what a create answer proves', () => {
  let sim: Simulator;
  let bed: ClientRecord;
  before(async () => {
    sim = await startTestSimulator();
  });
  after(() => sim.close());
  beforeEach(() => {
    sim.clearFaults();
    bed = recordingClient(sim);
  });
  afterEach(() => bed.client.close());

  const counts = () => ({ creates: sim.stats().creates, tasks: sim.tasks().length });

  it('a gateway answers 502 with an HTML page after the service created the task: outcome unknown, one task, sent once', LIMIT, async () => {
    sim.inject({ on: 'create', kind: 'lose-answer', answer: { status: 502, body: GATEWAY_PAGE } });
    const before = counts();
    const body = aVideoRequest({ prompt: 'A kite over a windy beach' });
    const error = await apiErrorOf(bed.client.createTask(body));
    assertOutcomeUnknown(error, describeRequest(body));
    assert.equal(error.status, 502);
    assert.match(error.message, /HTTP 502 \("502 Bad Gateway"\), which does not say whether a task was created/);
    assert.doesNotMatch(error.message, /<html|<center/, 'the page is quoted by its title, not as markup');
    assert.equal(sim.stats().creates - before.creates, 1, 'sent once');
    assert.equal(sim.tasks().length - before.tasks, 1, 'the service holds exactly one task');
    assert.deepEqual(bed.waits, []);
  });

  it('a 502 page from a gateway that never passed the create on: still unknown, since the client cannot tell', LIMIT, async () => {
    sim.inject({ on: 'create', status: 502, page: GATEWAY_PAGE });
    const before = counts();
    const error = await apiErrorOf(bed.client.createTask(aVideoRequest()));
    assert.equal(error.kind, 'outcome-unknown');
    assert.equal(sim.stats().creates - before.creates, 1);
    assert.equal(sim.tasks().length, before.tasks);
  });

  for (const status of [500, 502, 503]) {
    it(`${status} in the service's own envelope: outcome unknown (a 5xx may come after the work), sent once`, LIMIT, async () => {
      sim.inject({ on: 'create', status });
      const before = counts();
      const body = aVideoRequest();
      const error = await apiErrorOf(bed.client.createTask(body));
      assertOutcomeUnknown(error, describeRequest(body));
      assert.equal(error.status, status);
      assert.match(error.message, new RegExp(`HTTP ${status} \\(".+"\\)`));
      assert.equal(sim.stats().creates - before.creates, 1, 'a create is never sent again after a 5xx');
      assert.deepEqual(bed.waits, []);
    });
  }

  it('400 in the envelope: the service said no, nothing was created, the typed error with its param', LIMIT, async () => {
    const before = counts();
    const error = await apiErrorOf(bed.client.createTask(aVideoRequest({ duration: 20 })));
    assert.equal(error.kind, 'invalid-request');
    assert.equal(error.status, 400);
    assert.equal(error.param, 'duration');
    assert.equal(sim.stats().creates - before.creates, 1);
    assert.equal(sim.tasks().length, before.tasks);
  });

  it('404 with an HTML page (not the envelope) after the service created the task: outcome unknown, one task', LIMIT, async () => {
    sim.inject({ on: 'create', kind: 'lose-answer', answer: { status: 404, body: '<!doctype html><html><body><h1>Not Found</h1><p>The page you asked for is not here.</p></body></html>' } });
    const before = counts();
    const body = aVideoRequest();
    const error = await apiErrorOf(bed.client.createTask(body));
    assertOutcomeUnknown(error, describeRequest(body));
    assert.equal(error.status, 404);
    assert.match(error.message, /HTTP 404 \("Not Found The page you asked for is not here\."\)/);
    assert.equal(sim.tasks().length - before.tasks, 1);
  });

  it('404 in the envelope (an unknown model): the service said no, a typed not-found', LIMIT, async () => {
    const error = await apiErrorOf(bed.client.createTask(aVideoRequest({ model: 'kling-v9-text-to-video' as 'kling-v3-text-to-video' })));
    assert.equal(error.kind, 'not-found');
  });

  it('200 whose body is not a task: outcome unknown, one task', LIMIT, async () => {
    sim.inject({ on: 'create', kind: 'lose-answer', answer: { status: 200, body: 'OK', contentType: 'text/plain' } });
    const before = counts();
    const body = aVideoRequest();
    const error = await apiErrorOf(bed.client.createTask(body));
    assertOutcomeUnknown(error, describeRequest(body));
    assert.match(error.message, /it was accepted \(HTTP 200\) and the answer was not what Kling Studio expects \(it is not JSON\)\. Run it again with --record FILE/);
    assert.equal(sim.tasks().length - before.tasks, 1);
  });

  it('429 (in the envelope, and as a gateway page) is waited out and sent again: exactly one task', LIMIT, async () => {
    sim.inject({ on: 'create', status: 429, retryAfterSeconds: 1 });
    sim.inject({ on: 'create', status: 429, page: '<html><title>429 Too Many Requests</title></html>' });
    const before = counts();
    const task = await bed.client.createTask(aVideoRequest({ prompt: 'A heron on one leg' }));
    assert.equal(sim.stats().creates - before.creates, 3, 'two 429s, then the create that worked');
    const created = sim.tasks().slice(before.tasks);
    assert.deepEqual(
      created.map((t) => t.id),
      [task.id],
      'exactly one task',
    );
    assert.equal(bed.waits.length, 2);
    assert.equal(bed.waits[0], 1000, 'Retry-After first');
  });

  it('a header undici refuses to send: a network error, nothing reached the service, not sent again', LIMIT, async () => {
    const client = new KlingClient({ baseUrl: sim.baseUrl, apiKey: DISTINCT_KEY, userAgent: 'kling-studio\u0001', backoff: { maxAttempts: 3, baseDelayMs: 1 } });
    try {
      const before = counts();
      const error = await apiErrorOf(client.createTask(aVideoRequest()));
      assert.equal(error.kind, 'network', error.message);
      assert.match(error.message, /could not be sent .*nothing was sent/);
      assert.equal(sim.stats().creates, before.creates, 'the simulator received nothing');
    } finally {
      await client.close();
    }
  });
});

describe('KlingClient: a create that never reached a server, or whose answer never came', () => {
  let server: Server | undefined;
  afterEach(async () => {
    await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));
    server = undefined;
  });

  it('connection refused: a network error after the allowed attempts, never outcome-unknown', LIMIT, async () => {
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const { port } = closed.address() as AddressInfo;
    await new Promise<void>((resolve) => closed.close(() => resolve()));
    const waits: number[] = [];
    const client = new KlingClient({
      baseUrl: `http://127.0.0.1:${port}`,
      apiKey: DISTINCT_KEY,
      backoff: { maxAttempts: 3, baseDelayMs: 1, maxDelayMs: 2 },
      sleep: async (ms) => void waits.push(ms),
    });
    try {
      const error = await apiErrorOf(client.createTask(aVideoRequest()));
      assert.equal(error.kind, 'network');
      assert.match(error.message, /connection refused/);
      assert.equal(waits.length, 2, 'nothing left the machine, so the create may go again');
    } finally {
      await client.close();
    }
  });

  it('no answer in time after the create was sent: outcome unknown, sent once', LIMIT, async () => {
    let received = 0;
    server = createServer((req) => {
      received++;
      req.resume();
      // Holds the request open: the create was read, and its answer never comes.
    });
    await new Promise<void>((resolve) => server!.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as AddressInfo;
    const client = new KlingClient({ baseUrl: `http://127.0.0.1:${port}`, apiKey: DISTINCT_KEY, timeouts: { headersMs: 300 }, backoff: { maxAttempts: 3, baseDelayMs: 1 } });
    try {
      const body = aVideoRequest();
      const error = await apiErrorOf(client.createTask(body));
      assertOutcomeUnknown(error, describeRequest(body));
      assert.match(error.message, /its answer was lost \(no answer in time\)/);
      assert.equal(received, 1);
    } finally {
      await client.close();
      server.closeAllConnections();
    }
  });
});
