/** kling doctor: what can be checked without spending, one line each, and --spend's test video step by step. */
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import * as path from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { Simulator } from '../../../src/core/simulator/simulatorServer';
import { startHarReplay } from '../../../src/core/simulator/harReplay';
import { cliWorkspace, runKling } from '../../helpers/cliRun';
import { writeHar } from '../../helpers/harBuilder';
import { DISTINCT_KEY, startTestSimulator, tempDir } from '../../helpers/simulatorBed';

const LIMIT = { timeout: 60_000 };

describe('kling doctor', { concurrency: true }, () => {
  let sim: Simulator;
  before(async () => {
    sim = await startTestSimulator();
  });
  after(() => sim.close());

  it('against the API at KLING_BASE_URL with a key it accepts: every check passes, the key is never shown', LIMIT, async () => {
    const ws = cliWorkspace('doctor-ok');
    const before = sim.tasks().length;
    const run = await runKling(['doctor'], { cwd: ws.dir, state: ws.state, env: { KLING_API_KEY: DISTINCT_KEY, KLING_BASE_URL: sim.baseUrl } });
    assert.equal(run.code, 0, run.stdout + run.stderr);
    const lines = run.stdout.trimEnd().split('\n');
    assert.deepEqual(
      lines.map((line) => /^✓ (\w+):/.exec(line)?.[1]),
      ['key', 'address', 'proxy', 'service', 'credits', 'clock', undefined],
    );
    assert.match(run.stdout, new RegExp(`^✓ key: KLING_API_KEY is set \\(${DISTINCT_KEY.length} characters; never shown\\)$`, 'm'));
    assert.match(run.stdout, /^✓ address: http:\/\/127\.0\.0\.1:\d+ \(KLING_BASE_URL\)$/m);
    assert.match(run.stdout, /^✓ proxy: none: this machine is reached directly$/m);
    assert.match(run.stdout, /^✓ credits: [\d.]+ left on the account, this key: [\d.]+ left$/m);
    assert.match(run.stdout, /^✓ clock: within 0 s of the service's$/m);
    assert.ok(!(run.stdout + run.stderr).includes(DISTINCT_KEY));
    assert.equal(sim.tasks().length, before, 'nothing created');
  });

  it('a key the service refuses, or none: exit 2, saying which', LIMIT, async () => {
    const ws = cliWorkspace('doctor-key');
    const wrong = await runKling(['doctor'], { cwd: ws.dir, state: ws.state, env: { KLING_API_KEY: 'sk-not-this-one', KLING_BASE_URL: sim.baseUrl } });
    assert.equal(wrong.code, 2, wrong.stdout + wrong.stderr);
    assert.match(wrong.stderr, /^✗ service: The API key was not accepted: Invalid API key$/m);
    const none = await runKling(['doctor'], { cwd: ws.dir, state: ws.state, env: { KLING_BASE_URL: sim.baseUrl } });
    assert.equal(none.code, 2);
    assert.match(none.stderr, /^✗ key: KLING_API_KEY is not set: export the key from your dashboard\.$/m);
  });

  it('names the proxy the service is reached through (its password hidden) and a service it cannot reach: exit 1', LIMIT, async () => {
    const ws = cliWorkspace('doctor-proxy');
    // A proxy address where nothing listens, on this machine: nothing leaves it.
    const port = await new Promise<number>((resolve) => {
      const probe = createServer().listen(0, '127.0.0.1', () => {
        const { port: free } = probe.address() as { port: number };
        probe.close(() => resolve(free));
      });
    });
    const run = await runKling(['doctor'], {
      cwd: ws.dir,
      state: ws.state,
      env: { KLING_API_KEY: DISTINCT_KEY, KLING_BASE_URL: 'https://api.evolink.ai', HTTPS_PROXY: `http://me:secret@127.0.0.1:${port}` },
    });
    assert.equal(run.code, 1, run.stdout + run.stderr);
    assert.match(run.stdout, new RegExp(`^✓ proxy: http://•••@127\\.0\\.0\\.1:${port} \\(from HTTPS_PROXY\\)$`, 'm'));
    assert.match(run.stderr, /^✗ service: Could not reach api\.evolink\.ai: /m);
    assert.ok(!run.stdout.includes('secret'));
  });

  it("a clock ten minutes off the service's Date (a recorded answer, replayed): exit 1, saying by how much", LIMIT, async () => {
    const dir = await tempDir('doctor-clock');
    const file = path.join(dir, 'credits.har');
    writeHar(file, [{ method: 'GET', url: 'https://api.evolink.ai/v1/credits', status: 200, body: { success: true, data: { user: { remaining_credits: 5, used_credits: 0 } } } }]);
    const har = JSON.parse(readFileSync(file, 'utf8')) as { log: { entries: Array<{ response: { headers: Array<{ name: string; value: string }> } }> } };
    har.log.entries[0]!.response.headers.push({ name: 'date', value: new Date(Date.now() - 10 * 60_000).toUTCString() });
    writeFileSync(file, JSON.stringify(har));
    const replay = await startHarReplay(file);
    try {
      const ws = cliWorkspace('doctor-clock-run');
      const run = await runKling(['doctor'], { cwd: ws.dir, state: ws.state, env: { KLING_API_KEY: DISTINCT_KEY, KLING_BASE_URL: replay.baseUrl } });
      assert.equal(run.code, 1, run.stdout + run.stderr);
      assert.match(run.stderr, /^✗ clock: this machine is 10 min ahead of the service: set the clock \(NTP\)\./m);
    } finally {
      await replay.close();
    }
  });

  it('--spend on the simulator: asks (refused without a terminal, exit 3), then with --yes reports every step and the file', LIMIT, async () => {
    const ws = cliWorkspace('doctor-spend');
    const refused = await runKling(['doctor', '--simulator', '--spend'], { cwd: ws.dir, state: ws.state });
    assert.equal(refused.code, 3, refused.stdout + refused.stderr);
    assert.match(refused.stderr, /Make a test video on the simulator \(would cost \$0\.225 \(16\.2 credits\); nothing is spent\)\? Not without a terminal to ask on: add --yes\./);
    const run = await runKling(['doctor', '--simulator', '--spend', '--yes'], { cwd: ws.dir, state: ws.state });
    assert.equal(run.code, 0, run.stdout + run.stderr);
    const steps = run.stdout.split('\n').filter((line) => /^\s+\d+\.\d s {2}/.test(line)).map((line) => line.replace(/^\s+\d+\.\d s {2}/, ''));
    assert.match(steps[0]!, /^sending the create: kling-v3-text-to-video, 3 s, 720p, sound off$/);
    assert.ok(steps.some((s) => /^created task task-unified-\d+-[a-z0-9]{8}$/.test(s)), steps.join('\n'));
    // The task's states as the polls saw them: which ones a poll catches depends on timing (a 3 s video on a fast
    // simulator may go from queued to finished between two polls), so any state between the create and the file.
    const created = steps.findIndex((s) => /^created task /.test(s));
    assert.ok(steps.slice(created + 1, -1).some((s) => /^(queued|processing|finished)/.test(s)), steps.join('\n'));
    assert.match(steps.at(-1)!, /^saved .*doctor\.mp4$/);
    assert.match(run.stdout, /^✓ test video: .*doctor\.mp4 \(1280×720, 3\.0 s\), with its sidecar beside it$/m);
  });
});
