import assert from 'node:assert/strict';
import { after, afterEach, before, beforeEach, describe, it } from 'node:test';
import { DEFAULT_BACKOFF } from '../../../src/core/api/backoff';
import { describeRequest } from '../../../src/core/api/klingClient';
import type { Simulator } from '../../../src/core/simulator/simulatorServer';
import { apiErrorOf } from '../../helpers/apiErrors';
import { DISTINCT_KEY, recordingClient, startTestSimulator, type ClientRecord } from '../../helpers/simulatorBed';
import { aVideoRequest } from '../../helpers/taskDrafts';

// docs/service-contract.md: GETs are retried on 429 and 5xx (and a dropped connection) with backoff that honours
// Retry-After; a create costs money and goes again only when the answer proves nothing was created. The simulator
// counts every request that reaches it, so "sent once" is observed, not assumed.

/** A broken client, engine or downloader fails its test rather than hanging the run. */
const LIMIT = { timeout: 10_000 };

describe('KlingClient against the simulator: retries', () => {
  let sim: Simulator;
  let taskId: string;
  before(async () => {
    sim = await startTestSimulator();
    const setup = recordingClient(sim);
    taskId = (await setup.client.createTask(aVideoRequest())).id;
    await setup.client.close();
  });
  after(() => sim.close());

  let bed: ClientRecord;
  beforeEach(async () => {
    sim.clearFaults();
    // The real policy (500 ms base, 15 s cap, 5 attempts); random() = 1 makes the full-jitter delay its ceiling.
    bed = recordingClient(sim, { backoff: DEFAULT_BACKOFF, random: () => 1 });
  });
  afterEach(() => bed.client.close());

  for (const status of [500, 502, 503]) {
    it(`a task query answered ${status} twice is retried with exponential backoff and succeeds`, LIMIT, async () => {
      sim.inject({ on: 'task', status, times: 2 });
      const before = sim.stats().taskGets;
      const task = await bed.client.getTask(taskId);
      assert.equal(task.id, taskId);
      assert.equal(sim.stats().taskGets - before, 3);
      assert.deepEqual(bed.waits, [500, 1000]);
    });
  }

  it('a task query answered 429 with Retry-After waits exactly that long, then succeeds', LIMIT, async () => {
    sim.inject({ on: 'task', status: 429, retryAfterSeconds: 3 });
    sim.inject({ on: 'task', status: 429 });
    const before = sim.stats().taskGets;
    const task = await bed.client.getTask(taskId);
    assert.equal(task.id, taskId);
    assert.equal(sim.stats().taskGets - before, 3);
    assert.deepEqual(bed.waits, [3000, 1000], 'Retry-After first, then the backoff of the second retry');
  });

  it('a Retry-After longer than the policy allows is reported at once, not waited out', LIMIT, async () => {
    sim.inject({ on: 'credits', status: 429, retryAfterSeconds: 600 });
    const before = sim.stats().credits;
    const error = await apiErrorOf(bed.client.getCredits());
    assert.equal(error.kind, 'rate-limited');
    assert.equal(error.retryAfterMs, 600_000);
    assert.equal(sim.stats().credits - before, 1);
    assert.deepEqual(bed.waits, []);
  });

  it('a connection reset on a task query and on credits is retried and succeeds', LIMIT, async () => {
    sim.inject({ on: 'task', kind: 'reset', times: 2 });
    sim.inject({ on: 'credits', kind: 'reset' });
    const before = sim.stats();
    assert.equal((await bed.client.getTask(taskId)).id, taskId);
    assert.ok((await bed.client.getCredits()).data.user!.remaining_credits > 0);
    const now = sim.stats();
    assert.equal(now.taskGets - before.taskGets, 3);
    assert.equal(now.credits - before.credits, 2);
    assert.deepEqual(bed.waits, [500, 1000, 500]);
    const resets = now.requests.slice(before.requests.length).filter((r) => r.fault === 'reset');
    assert.equal(resets.length, 3);
    assert.ok(resets.every((r) => r.status === 0), 'a reset answers nothing');
  });

  it('a GET that keeps failing stops after maxAttempts, the waits capped by maxDelayMs', LIMIT, async () => {
    const capped = recordingClient(sim, { backoff: { maxAttempts: 6, baseDelayMs: 500, maxDelayMs: 3000 }, random: () => 1 });
    sim.inject({ on: 'task', status: 502, times: 6 });
    const before = sim.stats().taskGets;
    const error = await apiErrorOf(capped.client.getTask(taskId));
    assert.equal(error.kind, 'upstream');
    assert.equal(error.status, 502);
    assert.equal(sim.stats().taskGets - before, 6);
    assert.deepEqual(capped.waits, [500, 1000, 2000, 3000, 3000]);
    await capped.client.close();
  });

  it('a create answered 429 is sent again, and exactly one task exists', LIMIT, async () => {
    sim.inject({ on: 'create', status: 429, retryAfterSeconds: 2 });
    const tasksBefore = sim.tasks().length;
    const before = sim.stats().creates;
    const task = await bed.client.createTask(aVideoRequest({ prompt: 'A heron lands on a frozen pond' }));
    assert.equal(sim.stats().creates - before, 2);
    assert.deepEqual(bed.waits, [2000]);
    const created = sim.tasks().slice(tasksBefore);
    assert.equal(created.length, 1);
    assert.equal(created[0]!.id, task.id);
    assert.equal((created[0]!.request as { prompt?: string }).prompt, 'A heron lands on a frozen pond');
  });

  it('a create answered 500 is not sent again: its outcome is unknown to the client (the simulator created nothing)', LIMIT, async () => {
    sim.inject({ on: 'create', status: 500 });
    const tasksBefore = sim.tasks().length;
    const before = sim.stats().creates;
    const error = await apiErrorOf(bed.client.createTask(aVideoRequest()));
    assert.equal(error.kind, 'outcome-unknown');
    assert.equal(error.status, 500);
    assert.equal(sim.stats().creates - before, 1);
    assert.equal(sim.tasks().length, tasksBefore, 'the simulator fails a create before creating anything');
    assert.deepEqual(bed.waits, []);
  });

  it('a create whose answer is lost is outcome-unknown, says what was sent, and is never sent again', LIMIT, async () => {
    sim.inject({ on: 'create', kind: 'lose-answer' });
    const tasksBefore = sim.tasks().length;
    const before = sim.stats().creates;
    const body = aVideoRequest({ prompt: 'A lighthouse beam sweeps over a stormy sea', duration: 7, quality: '1080p' });
    const error = await apiErrorOf(bed.client.createTask(body));
    assert.equal(error.kind, 'outcome-unknown');
    assert.equal(error.sent, describeRequest(body));
    assert.equal(error.sent, 'kling-v3-text-to-video, 7 s, 1080p, 16:9, sound off, prompt "A lighthouse beam sweeps over a stormy sea"');
    assert.ok(error.message.includes(`Sent: ${error.sent}.`), error.message);
    assert.match(error.message, /did not send it again/);
    assert.ok(!error.message.includes(DISTINCT_KEY));
    assert.ok(!JSON.stringify(error).includes(DISTINCT_KEY));
    assert.ok(bed.logs.every((line) => !line.includes(DISTINCT_KEY)));

    assert.equal(sim.stats().creates - before, 1, 'exactly one create request');
    const created = sim.tasks().slice(tasksBefore);
    assert.equal(created.length, 1, 'the service did create (and charge for) the task');
    assert.equal((created[0]!.request as { prompt?: string }).prompt, body.prompt);
    assert.deepEqual(bed.waits, []);
  });

  it('a create whose connection is reset is also outcome-unknown: the client cannot tell it was not read', LIMIT, async () => {
    sim.inject({ on: 'create', kind: 'reset' });
    const tasksBefore = sim.tasks().length;
    const before = sim.stats().creates;
    const error = await apiErrorOf(bed.client.createTask(aVideoRequest()));
    assert.equal(error.kind, 'outcome-unknown');
    assert.equal(sim.stats().creates - before, 1);
    assert.equal(sim.tasks().length, tasksBefore);
  });
});
