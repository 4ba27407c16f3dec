import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { KlingClient } from '../../../src/core/api/klingClient';
import type { Simulator } from '../../../src/core/simulator/simulatorServer';
import { apiErrorOf } from '../../helpers/apiErrors';
import { DISTINCT_KEY, startTestSimulator } from '../../helpers/simulatorBed';
import { aVideoRequest } from '../../helpers/taskDrafts';

// The key is checked where it enters the client, before anything is sent: a key that is not printable ASCII could
// only fail in undici (which used to be reported as "a task may have been created") or reach the service mangled.
// And the key travels in clear only to this machine: http:// elsewhere is refused before a connection is made.

const LIMIT = { timeout: 10_000 };

/** Builds a client and creates one video with it, the way the engine does; closes the client either way. */
async function createWith(options: ConstructorParameters<typeof KlingClient>[0]): Promise<unknown> {
  const client = new KlingClient({ backoff: { maxAttempts: 3, baseDelayMs: 1 }, ...options });
  try {
    return await client.createTask(aVideoRequest());
  } finally {
    await client.close();
  }
}

describe('KlingClient: the key and the address are checked before anything is sent', () => {
  let sim: Simulator;
  before(async () => {
    sim = await startTestSimulator();
  });
  after(() => sim.close());

  for (const [name, key, position, unicode] of [
    ['an accented letter and an ellipsis', 'sk-é…', 4, 'U+00E9'],
    ['an ellipsis', `${DISTINCT_KEY.slice(0, 10)}\u2026`, 11, 'U+2026'],
    ['a space inside', 'sk-kling TEST', 9, undefined],
  ] as const) {
    it(`a key with ${name}: an auth error that names the problem, not outcome-unknown, and no request at all`, LIMIT, async () => {
      const before = sim.stats();
      const error = await apiErrorOf(createWith({ baseUrl: sim.baseUrl, apiKey: key }));
      assert.notEqual(error.kind, 'outcome-unknown');
      assert.equal(error.kind, 'auth');
      assert.ok(error.message.includes(`at position ${position}`), error.message);
      if (unicode) assert.ok(error.message.includes(`not printable ASCII at position ${position} (${unicode})`), error.message);
      assert.ok(!error.message.includes(key.trim()), 'the key is not quoted');
      const now = sim.stats();
      assert.equal(now.creates, before.creates, 'no create reached the simulator');
      assert.equal(now.requests.length, before.requests.length, 'no request of any kind');
    });
  }

  it('a key with whitespace around it is trimmed and works', LIMIT, async () => {
    const task = (await createWith({ baseUrl: sim.baseUrl, apiKey: `  ${DISTINCT_KEY}\n` })) as { id: string };
    assert.match(task.id, /^task-unified-/);
  });

  it('an empty key is refused as auth, before any request', LIMIT, async () => {
    const before = sim.stats().requests.length;
    const error = await apiErrorOf(createWith({ baseUrl: sim.baseUrl, apiKey: ' ' }));
    assert.equal(error.kind, 'auth');
    assert.match(error.message, /The key is empty/);
    assert.equal(sim.stats().requests.length, before);
  });

  it('http:// on a host that is not this machine: a config error that says why, for the API and the Files API', LIMIT, async () => {
    const error = await apiErrorOf(createWith({ baseUrl: 'http://api.evolink.ai', apiKey: DISTINCT_KEY }));
    assert.equal(error.kind, 'config');
    assert.match(error.message, /^The API base URL http:\/\/api\.evolink\.ai uses http:\/\/, which would send your API key unencrypted/);
    const files = await apiErrorOf(createWith({ baseUrl: sim.baseUrl, filesBaseUrl: 'http://files.example.com', apiKey: DISTINCT_KEY }));
    assert.equal(files.kind, 'config');
    assert.match(files.message, /files\.example\.com/);
  });

  it('http:// on loopback works (the simulator)', LIMIT, async () => {
    const task = (await createWith({ baseUrl: sim.baseUrl, apiKey: DISTINCT_KEY })) as { id: string };
    assert.match(task.id, /^task-unified-/);
  });
});
