import assert from 'node:assert/strict';
import { writeFile } from 'node:fs/promises';
import * as path from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { ApiError } from '../../../src/core/api/apiError';
import type { CreateRequest } from '../../../src/core/api/apiSchemas';
import { BILLING_URL, type Simulator } from '../../../src/core/simulator/simulatorServer';
import { apiErrorOf } from '../../helpers/apiErrors';
import { pngBytes } from '../../helpers/images';
import { DISTINCT_KEY, recordingClient, removeDir, startTestSimulator, tempDir, type ClientRecord } from '../../helpers/simulatorBed';
import { aVideoRequest } from '../../helpers/taskDrafts';

// docs/service-contract.md, "Errors": every row of the table, met over real HTTP, becomes the ApiError the editor maps
// to one message and one action. The expectations are written out from the contract, not read from errorTable.ts, so
// that a drift between the two fails here.

/** A broken client, engine or downloader fails its test rather than hanging the run. */
const LIMIT = { timeout: 10_000 };

interface Expected {
  kind: ApiError['kind'];
  status: number;
  type: string;
  param?: string | undefined;
  fallbackSuggestion?: string | undefined;
  retryAfterMs?: number | undefined;
}

function assertError(error: ApiError, expected: Expected): void {
  assert.deepEqual(
    {
      kind: error.kind,
      status: error.status,
      type: error.type,
      param: error.param,
      fallbackSuggestion: error.fallbackSuggestion,
      retryAfterMs: error.retryAfterMs,
    },
    { param: undefined, fallbackSuggestion: undefined, retryAfterMs: undefined, ...expected },
  );
  assert.equal(error.name, 'ApiError');
  assert.ok(!error.message.includes(DISTINCT_KEY), `the key leaked into: ${error.message}`);
}

describe('KlingClient against the simulator: the contract error table', () => {
  let sim: Simulator;
  let bed: ClientRecord;
  let dir: string;
  /** Every message of every error met in this suite, searched for the key at the end. */
  const seen: ApiError[] = [];
  const fail = async (work: Promise<unknown>) => {
    const error = await apiErrorOf(work);
    seen.push(error);
    return error;
  };

  before(async () => {
    sim = await startTestSimulator();
    bed = recordingClient(sim);
    dir = await tempDir('client-errors');
  });
  after(async () => {
    await bed.client.close();
    await sim.close();
    await removeDir(dir);
  });

  it('400 from a real invalid request: the param and the service suggestion, nothing created, not retried', LIMIT, async () => {
    const before = sim.stats().creates;
    const error = await fail(bed.client.createTask(aVideoRequest({ duration: 20 })));
    assertError(error, {
      kind: 'invalid-request',
      status: 400,
      type: 'invalid_request_error',
      param: 'duration',
      fallbackSuggestion: 'use duration between 3-15 seconds',
    });
    assert.match(error.message, /^The service rejected the request at duration: .*duration/);
    assert.equal(sim.stats().creates - before, 1);
    assert.equal(sim.tasks().length, 0);
  });

  it('400 for an unknown field names the field as the param', LIMIT, async () => {
    const body = { ...aVideoRequest(), durration: 5 } as unknown as CreateRequest;
    const error = await fail(bed.client.createTask(body));
    assertError(error, {
      kind: 'invalid-request',
      status: 400,
      type: 'invalid_request_error',
      param: 'durration',
      fallbackSuggestion: 'remove the field; the API rejects fields it does not know',
    });
  });

  it('400 for a malformed task id, with the service message exactly', LIMIT, async () => {
    const before = sim.stats().taskGets;
    const error = await fail(bed.client.getTask('not-a-task'));
    assertError(error, { kind: 'invalid-request', status: 400, type: 'invalid_request_error', param: 'task_id' });
    assert.equal(error.message, "The service rejected the request at task_id: Invalid task ID format, must start with 'task-unified-'");
    assert.equal(sim.stats().taskGets - before, 1, 'a 400 is never retried');
  });

  it('401 for a wrong key, which is never echoed', LIMIT, async () => {
    const wrongKey = `${DISTINCT_KEY}-revoked`;
    const other = recordingClient(sim, { apiKey: wrongKey });
    try {
      const before = sim.stats().credits;
      const error = await fail(other.client.getCredits());
      assertError(error, {
        kind: 'auth',
        status: 401,
        type: 'authentication_error',
        fallbackSuggestion: 'check the API key in your dashboard',
      });
      assert.equal(error.message, 'The API key was not accepted: Invalid API key');
      assert.equal(sim.stats().credits - before, 1, 'a 401 is never retried');
      assert.deepEqual(other.waits, []);
      for (const text of [error.message, JSON.stringify(error), ...other.logs]) assert.ok(!text.includes(wrongKey));
    } finally {
      await other.client.close();
    }
  });

  it('a service message that quotes the key reaches the user with the key blanked out', LIMIT, async () => {
    sim.inject({ on: 'credits', status: 401, message: `Key ${DISTINCT_KEY} has expired` });
    const error = await fail(bed.client.getCredits());
    assertError(error, { kind: 'auth', status: 401, type: 'authentication_error' });
    assert.equal(error.message, 'The API key was not accepted: Key ••• has expired');
  });

  it('402 when the balance cannot pay: the billing link as the suggestion, nothing created', LIMIT, async () => {
    sim.setBalance(10);
    try {
      const error = await fail(bed.client.createTask(aVideoRequest({ duration: 5, quality: '1080p', sound: 'on' })));
      assertError(error, {
        kind: 'quota',
        status: 402,
        type: 'insufficient_quota_error',
        fallbackSuggestion: `top up your credits at ${BILLING_URL}`,
      });
      assert.match(error.message, /^Out of credits: Insufficient credits: this task costs 54 credits and 10 remain/);
      assert.equal(sim.tasks().length, 0);
      assert.equal(sim.balance(), 10);
    } finally {
      sim.setBalance(10_000);
    }
  });

  it('403 when the model is not enabled for the key', LIMIT, async () => {
    sim.inject({ on: 'create', status: 403 });
    const before = sim.stats().creates;
    const error = await fail(bed.client.createTask(aVideoRequest()));
    assertError(error, { kind: 'permission', status: 403, type: 'permission_error' });
    assert.equal(error.message, 'This API key may not use this model: This API key is not allowed to use this resource');
    assert.equal(sim.stats().creates - before, 1);
  });

  it('404 for a task the service does not know, not retried', LIMIT, async () => {
    const before = sim.stats().taskGets;
    const error = await fail(bed.client.getTask('task-unified-1757169743-zz99zz99'));
    assertError(error, { kind: 'not-found', status: 404, type: 'not_found_error' });
    assert.equal(error.message, 'Not found: Task not found: task-unified-1757169743-zz99zz99');
    assert.equal(sim.stats().taskGets - before, 1);
  });

  it('404 for an unknown model', LIMIT, async () => {
    const body = aVideoRequest({ model: 'kling-v9-text-to-video' as 'kling-v3-text-to-video' });
    const error = await fail(bed.client.createTask(body));
    assert.equal(error.kind, 'not-found');
    assert.equal(error.status, 404);
    assert.equal(error.param, 'model');
  });

  it('413 when an upload is too large, not retried', LIMIT, async () => {
    const image = path.join(dir, 'frame.png');
    await writeFile(image, pngBytes(640, 360));
    sim.inject({ on: 'upload', status: 413 });
    const before = sim.stats().uploads;
    const error = await fail(bed.client.uploadFile(image));
    assertError(error, { kind: 'too-large', status: 413, type: 'request_too_large_error' });
    assert.equal(error.message, 'Too large for the service: Request entity too large');
    assert.equal(sim.stats().uploads - before, 1);
  });

  it('429 with Retry-After: the wait in ms, after the retries the policy allows', LIMIT, async () => {
    sim.inject({ on: 'credits', status: 429, retryAfterSeconds: 7, times: 3 });
    const before = sim.stats().credits;
    const waitsBefore = bed.waits.length;
    const error = await fail(bed.client.getCredits());
    assertError(error, { kind: 'rate-limited', status: 429, type: 'rate_limit_error', retryAfterMs: 7000 });
    assert.equal(error.message, 'The service is limiting the request rate: Rate limit exceeded, please retry later (it asked to wait 7 s)');
    assert.equal(sim.stats().credits - before, 3, 'three attempts in all (maxAttempts 3)');
    assert.deepEqual(bed.waits.slice(waitsBefore), [7000, 7000], 'Retry-After is waited out before each retry');
  });

  for (const [status, type, message] of [
    [500, 'internal_server_error', 'Internal server error'],
    [502, 'upstream_error', 'Upstream service error'],
    [503, 'service_unavailable_error', 'Service temporarily unavailable'],
  ] as const) {
    it(`${status} on a create: outcome unknown (a 5xx may come after the work), sent once`, LIMIT, async () => {
      sim.inject({ on: 'create', status });
      const before = sim.stats().creates;
      const tasksBefore = sim.tasks().length;
      const error = await fail(bed.client.createTask(aVideoRequest()));
      assert.equal(error.kind, 'outcome-unknown');
      assert.equal(error.status, status);
      assert.ok(error.message.includes(`the answer was HTTP ${status} ("${message}"), which does not say whether a task was created`), error.message);
      assert.equal(sim.stats().creates - before, 1, 'a create is never sent again after a 5xx');
      assert.equal(sim.tasks().length, tasksBefore);
    });

    it(`${status} on a GET that keeps failing: upstream after every allowed attempt`, LIMIT, async () => {
      sim.inject({ on: 'credits', status, times: 3 });
      const before = sim.stats().credits;
      const error = await fail(bed.client.getCredits());
      assertError(error, { kind: 'upstream', status, type });
      assert.equal(sim.stats().credits - before, 3);
    });
  }

  it('never puts the key in any message, suggestion or log line', () => {
    assert.ok(seen.length >= 15, `only ${seen.length} errors were seen`);
    for (const error of seen) {
      for (const text of [error.message, error.fallbackSuggestion ?? '', error.sent ?? '', JSON.stringify(error), String(error.stack)]) {
        assert.ok(!text.includes(DISTINCT_KEY), `the key leaked into: ${text}`);
      }
    }
    assert.ok(bed.logs.length > 0);
    for (const line of bed.logs) assert.ok(!line.includes(DISTINCT_KEY), `the key leaked into the log: ${line}`);
  });
});
