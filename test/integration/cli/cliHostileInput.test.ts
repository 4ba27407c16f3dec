/** Hostile storyboards and signals, as a user meets them: the built dist/cli.js in a child process. */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { Simulator } from '../../../src/core/simulator/simulatorServer';
import { STORYBOARD_MAX_BYTES, STORYBOARD_MAX_DEPTH, STORYBOARD_MAX_PROBLEMS } from '../../../src/core/storyboard/storyboardLimits';
import { hasStackTrace, runCli, simulatorTaskCount, startCli, until } from '../../helpers/cliProcess';
import { DISTINCT_KEY, startTestSimulator } from '../../helpers/simulatorBed';

function workspace() {
  const dir = mkdtempSync(path.join(tmpdir(), 'kling-cli-hostile-'));
  return { dir, state: path.join(dir, '.state') };
}

const one = (videos = `{ "name": "hero", "prompt": "A dog", "duration": 3 }`) => `{ "version": 1, "output": "out", "videos": [ ${videos} ] }\n`;

describe('kling validate: hostile input', () => {
  it('accepts a UTF-8 byte order mark (validate and estimate)', async () => {
    const ws = workspace();
    writeFileSync(path.join(ws.dir, 'bom.kling.json'), Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(one())]));
    const run = await runCli(['validate', 'bom.kling.json'], { cwd: ws.dir, state: ws.state });
    assert.equal(run.code, 0, run.stderr);
    assert.match(run.stdout, /^OK bom\.kling\.json: 1 video, no problems$/m);
    assert.equal((await runCli(['estimate', 'bom.kling.json', '--json'], { cwd: ws.dir, state: ws.state })).code, 0);
  });

  it(`refuses a file of ${STORYBOARD_MAX_BYTES} + 1 bytes at once, saying the limit`, async () => {
    const ws = workspace();
    const text = one();
    writeFileSync(path.join(ws.dir, 'big.kling.json'), text + ' '.repeat(STORYBOARD_MAX_BYTES + 1 - Buffer.byteLength(text)));
    const run = await runCli(['validate', 'big.kling.json'], { cwd: ws.dir, state: ws.state });
    assert.equal(run.code, 2);
    assert.equal(run.stderr, 'big.kling.json: is 5.0 MB (5,242,881 bytes); a storyboard is at most 5 MB (5,242,880 bytes): split it into several files\n');
  });

  it('refuses nesting 3000 deep with a message at the place, without a stack trace', async () => {
    const ws = workspace();
    const text = `{ "version": 1, "videos": [\n  { "name": "a", "prompt": "p", "x": ${'['.repeat(3000)}${']'.repeat(3000)} }\n] }\n`;
    writeFileSync(path.join(ws.dir, 'deep.kling.json'), text);
    const run = await runCli(['validate', 'deep.kling.json'], { cwd: ws.dir, state: ws.state });
    assert.equal(run.code, 2);
    assert.equal(hasStackTrace(run.stderr), false, run.stderr);
    const column = text.split('\n')[1]!.indexOf('[') + 1 + STORYBOARD_MAX_DEPTH - 3;
    assert.match(run.stderr, new RegExp(`^deep\\.kling\\.json:2:${column}: the storyboard nests deeper than ${STORYBOARD_MAX_DEPTH} levels here`, 'm'));
    assert.equal((await runCli(['render', 'deep.kling.json', '--simulator', '--yes'], { cwd: ws.dir, state: ws.state })).code, 2);
  });

  it(`300,000 videos with a typo each (under the size limit): ${STORYBOARD_MAX_PROBLEMS} problems, then "… and N more", no stack trace`, { timeout: 240_000 }, async () => {
    const ws = workspace();
    const text = `{"version":1,"videos":[${Array.from({ length: 300_000 }, () => '{"nme":1}').join(',')}]}`;
    assert.ok(Buffer.byteLength(text) < STORYBOARD_MAX_BYTES, 'the problem limit is tested, not the size limit');
    writeFileSync(path.join(ws.dir, 'many.kling.json'), text);
    const run = await runCli(['validate', 'many.kling.json'], { cwd: ws.dir, state: ws.state, timeoutMs: 200_000 });
    assert.equal(run.timedOut, false);
    assert.equal(run.code, 2);
    assert.equal(hasStackTrace(run.stderr), false, run.stderr.slice(-500));
    const lines = run.stderr.trimEnd().split('\n');
    assert.equal(lines.length, STORYBOARD_MAX_PROBLEMS + 2, 'the problems, the count of the others, the total');
    assert.match(lines[0]!, /^many\.kling\.json:1:\d+: /);
    assert.equal(lines.at(-2), 'many.kling.json: … and 899,800 more problems (only the first 200 are described; fix these first)');
    assert.equal(lines.at(-1), 'many.kling.json: 900,000 problems to fix before this storyboard can be used.');
  });

  it('refuses a FIFO at once ("not a regular file") instead of waiting for a writer forever', async () => {
    const ws = workspace();
    const fifo = path.join(ws.dir, 'pipe.kling.json');
    // Node has no API to make a FIFO; the test makes it with mkfifo(1). The CLI itself runs nothing.
    execFileSync('mkfifo', [fifo]);
    for (const command of [['validate'], ['estimate'], ['render', '--simulator', '--yes']]) {
      const run = await runCli([command[0]!, 'pipe.kling.json', ...command.slice(1)], { cwd: ws.dir, state: ws.state, timeoutMs: 15_000 });
      assert.equal(run.timedOut, false, `${command[0]} hung on a FIFO`);
      assert.equal(run.code, 2);
      assert.equal(run.stderr, 'pipe.kling.json: is a FIFO (named pipe), not a regular file\n');
    }
  });

  it('documents the limits in validate --help', async () => {
    const ws = workspace();
    const run = await runCli(['validate', '--help'], { cwd: ws.dir, state: ws.state });
    assert.match(run.stdout, /at most 5 MB \(5,242,880 bytes\)/);
    assert.match(run.stdout, /nests at most 64 levels/);
    assert.match(run.stdout, /at most 200 problems are printed per file, then "… and N more problems"/);
    assert.match(run.stdout, /never the current folder/);
  });
});

describe('kling render: SIGTERM', () => {
  it('mid-poll: exits 143 with the line that says how to resume, the journal parses, and the rerun resumes without a second create', { timeout: 90_000 }, async () => {
    const ws = workspace();
    writeFileSync(path.join(ws.dir, 's.kling.json'), one(`{ "name": "slow", "prompt": "A slow pan", "duration": 15 }`));
    const options = { cwd: ws.dir, state: ws.state, env: { KLING_SIMULATOR_TIME_SCALE: '60' }, timeoutMs: 30_000 };
    const first = startCli(['render', 's.kling.json', '--simulator', '--yes'], options);
    await until('the task to be processing', () => /slow: processing/.test(first.output()));
    first.child.kill('SIGTERM');
    const stopped = await first.done;
    assert.equal(stopped.timedOut, false, 'SIGTERM ended the render');
    assert.equal(stopped.code, 143, stopped.stderr);
    assert.match(stopped.stderr, /Stopped watching\. 1 task is still under way on the service\. Run the same command again to resume/);
    const journal = JSON.parse(readFileSync(path.join(ws.state, 'journal.json'), 'utf8')) as { entries: Array<{ taskId?: string; state: { status: string } }> };
    assert.equal(journal.entries.length, 1);
    assert.match(journal.entries[0]!.state.status, /pending|processing/);
    assert.equal(simulatorTaskCount(ws.state), 1);

    const again = await runCli(['render', 's.kling.json', '--simulator', '--yes'], { ...options, timeoutMs: 60_000 });
    assert.equal(again.code, 0, again.stderr + again.stdout);
    assert.match(again.stdout, /Resuming slow \(already under way; not created again\)/);
    assert.equal(simulatorTaskCount(ws.state), 1, 'no second create');
    assert.deepEqual(readdirSync(path.join(ws.dir, 'out')).sort(), ['.takes', 'slow.mp4', 'slow.mp4.json']);
  });

  describe('while a create waits out a 429', () => {
    let sim: Simulator;
    before(async () => {
      sim = await startTestSimulator();
    });
    after(() => sim.close());

    it('ends at once with 143, nothing created and nothing left to resume; the rerun creates exactly one task', { timeout: 60_000 }, async () => {
      const ws = workspace();
      writeFileSync(path.join(ws.dir, 's.kling.json'), one());
      // The service asks to wait a minute: the create waits (nothing was created), and the wait must end on SIGTERM.
      sim.inject({ on: 'create', status: 429, retryAfterSeconds: 60 });
      const env = { KLING_BASE_URL: sim.baseUrl, KLING_API_KEY: DISTINCT_KEY };
      const run = startCli(['render', 's.kling.json', '--yes', '--verbose'], { cwd: ws.dir, state: ws.state, env, timeoutMs: 20_000 });
      await until('the wait for the retry', () => /waiting 60 s before trying/.test(run.output()));
      run.child.kill('SIGTERM');
      const stopped = await run.done;
      assert.equal(stopped.timedOut, false, 'SIGTERM ended the wait');
      assert.equal(stopped.code, 143, stopped.stderr);
      assert.match(stopped.stderr, /Run the same command again to resume/);
      assert.deepEqual((JSON.parse(readFileSync(path.join(ws.state, 'journal.json'), 'utf8')) as { entries: unknown[] }).entries, [], 'nothing was created, nothing is unknown');
      assert.equal(sim.tasks().length, 0);

      const again = await runCli(['render', 's.kling.json', '--yes'], { cwd: ws.dir, state: ws.state, env });
      assert.equal(again.code, 0, again.stderr);
      assert.equal(sim.tasks().length, 1);
    });
  });
});
