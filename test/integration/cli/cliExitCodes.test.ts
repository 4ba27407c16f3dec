/**
 * Exit codes, the same for every command (docs/cli.md, "Exit codes"): one test per code, each against the built CLI
 * and a simulator, and every command's own option set (a flag it does not take is exit 2, never ignored).
 */
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { Simulator } from '../../../src/core/simulator/simulatorServer';
import { until } from '../../helpers/cliProcess';
import { cliWorkspace, runKling } from '../../helpers/cliRun';
import { startCli } from '../../helpers/cliRunner';
import { DISTINCT_KEY, startTestSimulator } from '../../helpers/simulatorBed';

const LIMIT = { timeout: 60_000 };
const ROOT = path.resolve(__dirname, '..', '..', '..', '..');
const one = (prompt = 'A dog', extra = '') => `{ "version": 1, "output": "out", "videos": [ { "name": "a", "prompt": "${prompt}", "duration": 3${extra} } ] }\n`;

function workspace(text = one()) {
  const ws = cliWorkspace('exit');
  writeFileSync(path.join(ws.dir, 's.kling.json'), text);
  return { cwd: ws.dir, state: ws.state };
}

describe('kling: exit codes', { concurrency: true }, () => {
  let sim: Simulator;
  before(async () => {
    sim = await startTestSimulator();
  });
  after(() => sim.close());
  const api = (state: string) => ({ KLING_API_KEY: DISTINCT_KEY, KLING_BASE_URL: sim.baseUrl, KLING_STATE_DIR: state });

  it('0: rendered, then up to date; --version prints the version of package.json', LIMIT, async () => {
    const ws = workspace();
    assert.equal((await runKling(['render', 's.kling.json', '--simulator', '--yes'], ws)).code, 0);
    const again = await runKling(['render', 's.kling.json', '--simulator', '--yes'], ws);
    assert.equal(again.code, 0);
    assert.match(again.stdout, /Everything is up to date/);
    const version = await runKling(['--version'], ws);
    assert.equal(version.code, 0);
    assert.equal(version.stdout, `${(JSON.parse(readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as { version: string }).version}\n`);
  });

  it('1: a video failed', LIMIT, async () => {
    const ws = workspace(one('[fail:content_policy_violation] x'));
    const run = await runKling(['render', 's.kling.json', '--simulator', '--yes'], ws);
    assert.equal(run.code, 1, run.stdout + run.stderr);
    assert.match(run.stderr, /✗ a: .*content_policy_violation/);
  });

  it('2: a storyboard with problems, an unknown command, a flag the command does not take, a bad value', LIMIT, async () => {
    const ws = workspace('{ "version": 1, "videos": [ { "name": "a", "prompt": "x", "duration": 99 } ] }');
    for (const command of ['validate', 'estimate', 'render']) {
      const run = await runKling([command, 's.kling.json', ...(command === 'render' ? ['--simulator', '--yes'] : [])], ws);
      assert.equal(run.code, 2, `${command}: ${run.stderr}`);
    }
    assert.equal((await runKling(['rendr'], ws)).code, 2);
    assert.equal((await runKling(['render', 's.kling.json', '--max-usd', 'lots'], ws)).code, 2);
    assert.equal((await runKling(['render', 's.kling.json', '--shard', '5/4'], ws)).code, 2);
  });

  it('3: refused before spending (no --yes without a terminal; the service out of credits; a key restricted from the model), nothing created', LIMIT, async () => {
    const ws = workspace();
    const noYes = await runKling(['render', 's.kling.json', '--simulator'], ws);
    assert.equal(noYes.code, 3);
    const poor = await startTestSimulator({ balanceCredits: 1 });
    try {
      const run = await runKling(['render', 's.kling.json', '--yes'], { ...ws, env: { KLING_API_KEY: DISTINCT_KEY, KLING_BASE_URL: poor.baseUrl } });
      assert.equal(run.code, 3, run.stdout + run.stderr);
      assert.match(run.stderr, /Out of credits/);
      assert.equal(poor.tasks().length, 0);
      // Restricted: the service will not let this key use the model (403 with its envelope): nothing was created.
      poor.setBalance(10_000);
      poor.inject({ on: 'create', status: 403, message: 'This key may not use kling-v3' });
      const restricted = await runKling(['render', 's.kling.json', '--yes'], { ...ws, env: { KLING_API_KEY: DISTINCT_KEY, KLING_BASE_URL: poor.baseUrl } });
      assert.equal(restricted.code, 3, restricted.stdout + restricted.stderr);
      assert.match(restricted.stderr, /may not use kling-v3/);
      assert.equal(poor.tasks().length, 0);
    } finally {
      await poor.close();
    }
  });

  it('4: the create got no answer; rendering again sends nothing and is still 4', LIMIT, async () => {
    const ws = workspace(one('Lost in transit'));
    sim.inject({ on: 'create', kind: 'lose-answer' });
    const before = sim.tasks().length;
    const run = await runKling(['render', 's.kling.json', '--yes', '--json'], { ...ws, env: api(ws.state) });
    assert.equal(run.code, 4, run.stdout + run.stderr);
    const report = JSON.parse(run.stdout) as { exitCode: number; videos: Array<{ state: string }>; total: { unknown: { usd: number } } };
    assert.equal(report.exitCode, 4);
    assert.equal(report.videos[0]!.state, 'outcome-unknown');
    assert.equal(report.total.unknown.usd, 0.225, 'what may have been charged');
    const again = await runKling(['render', 's.kling.json', '--yes'], { ...ws, env: api(ws.state) });
    assert.equal(again.code, 4, again.stdout + again.stderr);
    assert.match(again.stderr, /Nothing was sent again/);
    assert.equal(sim.tasks().length - before, 1, 'one create, never repeated');
  });
});

describe('kling: each command takes its own options only', { concurrency: true }, () => {
  const cases: Array<[string[], string]> = [
    [['status', '--only', 'a'], '--only'],
    [['credits', '--json'], '--json'],
    [['validate', 's.kling.json', '--simulator'], '--simulator'],
    [['estimate', 's.kling.json', '--yes'], '--yes'],
    [['download', '--max-usd', '3'], '--max-usd'],
    [['schema', '--root', '.'], '--root'],
    [['simulate', '--json'], '--json'],
    [['doctor', '--only', 'x'], '--only'],
    [['render', 's.kling.json', '--port', '1'], '--port'],
  ];
  for (const [args, flag] of cases) {
    it(`kling ${args.join(' ')}: ${flag} is refused, exit 2`, LIMIT, async () => {
      const ws = workspace();
      const run = await runKling(args, ws);
      assert.equal(run.code, 2, run.stdout + run.stderr);
      assert.match(run.stderr, new RegExp(`kling ${args[0]}: Unknown option '${flag}'; ${args[0]} takes .*--help \\(-h\\).* See kling ${args[0]} --help\\.`));
    });
  }

  it('the message names the command\'s own flags: status --jsn lists --json', LIMIT, async () => {
    const ws = workspace();
    const run = await runKling(['status', '--jsn'], ws);
    assert.equal(run.code, 2, run.stdout + run.stderr);
    assert.equal(run.stderr, "kling status: Unknown option '--jsn'; status takes --json, --simulator, --base-url VALUE, --help (-h), --record VALUE, --format VALUE. See kling status --help.\n");
    assert.equal(run.stdout, '', 'nothing was listed');
  });

  it('a flag before any command is refused unless it is --help or --version', LIMIT, async () => {
    const ws = workspace();
    const run = await runKling(['--json', 'status'], ws);
    assert.equal(run.code, 2, run.stdout + run.stderr);
    assert.match(run.stderr, /^kling: Unknown option '--json'; before a command kling takes only --help \(-h\) and --version \(-V\)/);
    const short = await runKling(['-V'], ws);
    assert.equal(short.code, 0);
    assert.equal(short.stdout, `${JSON.parse(readFileSync(path.join(ROOT, 'package.json'), 'utf8')).version}\n`);
  });

  it('status --json is one of status\'s own: a document, exit 0', LIMIT, async () => {
    const ws = workspace();
    const run = await runKling(['status', '--json'], ws);
    assert.equal(run.code, 0, run.stderr);
    assert.deepEqual(JSON.parse(run.stdout), { command: 'status', version: JSON.parse(readFileSync(path.join(ROOT, 'package.json'), 'utf8')).version, exitCode: 0, tasks: [] });
  });

  it('--help of each command lists its options and the exit codes', LIMIT, async () => {
    const ws = workspace();
    const main = await runKling(['--help'], ws);
    for (const code of ['0  done', '1  some videos failed', '2  invalid input or usage', '3  refused', '4  outcome unknown']) assert.ok(main.stdout.includes(code), code);
    const render = await runKling(['render', '--help'], ws);
    for (const option of ['--max-usd AMOUNT', '--shard K/N', '--since REF', '--json', '--record FILE', '--format F']) assert.ok(render.stdout.includes(option), option);
    const simulate = await runKling(['simulate', '--help'], ws);
    assert.match(simulate.stdout, /--speed N {10}run N times faster than the real service/);
    assert.match(simulate.stdout, /KLING_SIMULATOR_TIME_SCALE/);
    const both = await runKling(['simulate', '--speed', '10', '--time-scale', '100'], ws);
    assert.equal(both.code, 2);
    assert.match(both.stderr, /--speed and --time-scale say the same thing: give one/);
  });

  it('simulate --speed N runs the simulator N times faster, and says so', LIMIT, async () => {
    const ws = workspace();
    const server = startCli(['simulate', '--speed', '50', '--fresh'], { cwd: ws.cwd, state: ws.state });
    try {
      // The suite starts a dozen CLI processes at once: on a loaded machine the simulator may take a while to start.
      await until('the simulator to listen', () => /listening on http:\/\/127\.0\.0\.1:\d+ \(50× the real service's speed\)/.test(server.output()), 50_000);
    } finally {
      server.child.kill('SIGINT');
    }
    assert.equal((await server.done).code, 0);
  });

  it('simulate without --speed runs at KLING_SIMULATOR_TIME_SCALE when it is set; --speed wins; a bad value is exit 2', LIMIT, async () => {
    const ws = workspace();
    const server = startCli(['simulate', '--fresh'], { cwd: ws.cwd, state: ws.state, env: { KLING_SIMULATOR_TIME_SCALE: '40' } });
    try {
      await until('the simulator to listen', () => /listening on http:\/\/127\.0\.0\.1:\d+ \(25× the real service's speed\)/.test(server.output()), 50_000);
    } finally {
      server.child.kill('SIGINT');
    }
    assert.equal((await server.done).code, 0);
    const flag = startCli(['simulate', '--fresh', '--speed', '4'], { cwd: ws.cwd, state: ws.state, env: { KLING_SIMULATOR_TIME_SCALE: '40' } });
    try {
      await until('the simulator to listen', () => /listening on http:\/\/127\.0\.0\.1:\d+ \(4× the real service's speed\)/.test(flag.output()), 50_000);
    } finally {
      flag.child.kill('SIGINT');
    }
    assert.equal((await flag.done).code, 0);
    const bad = await runKling(['simulate', '--fresh'], { ...ws, env: { KLING_SIMULATOR_TIME_SCALE: 'fast' } });
    assert.equal(bad.code, 2, bad.stdout + bad.stderr);
    assert.match(bad.stderr, /KLING_SIMULATOR_TIME_SCALE must be a number of at least 1; got fast/);
  });
});
