/** The `kling` command as a user runs it: the built dist/cli.js in a child process, with the embedded simulator. */
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { describe, it } from 'node:test';
import { readMp4Info } from '../../../src/core/media/mp4Info';
import { pngBytes } from '../../helpers/images';
import { lineColOf } from '../../helpers/textPositions';

const CLI = path.resolve(__dirname, '..', '..', '..', '..', 'dist', 'cli.js');

interface Run {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

function workspace() {
  const dir = mkdtempSync(path.join(tmpdir(), 'kling-cli-'));
  return { dir, state: path.join(dir, '.state') };
}

function start(args: string[], options: { cwd: string; state: string; env?: Record<string, string> }): { child: ChildProcess; done: Promise<Run>; output: () => string } {
  const env: NodeJS.ProcessEnv = { ...process.env, KLING_STATE_DIR: options.state, KLING_SIMULATOR_TIME_SCALE: '10', ...options.env };
  delete env['KLING_API_KEY'];
  if (options.env?.['KLING_API_KEY']) env['KLING_API_KEY'] = options.env['KLING_API_KEY'];
  const child = spawn(process.execPath, [CLI, ...args], { cwd: options.cwd, env, stdio: ['pipe', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout!.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  child.stdin!.end();
  const done = new Promise<Run>((resolve) => child.on('close', (code, signal) => resolve({ code, signal, stdout, stderr })));
  return { child, done, output: () => stdout + stderr };
}

function kling(args: string[], options: { cwd: string; state: string; env?: Record<string, string> }): Promise<Run> {
  return start(args, options).done;
}

async function until(what: string, check: () => boolean, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

function simulatorTaskCount(state: string): number {
  const file = path.join(state, 'simulator.json');
  return existsSync(file) ? (JSON.parse(readFileSync(file, 'utf8')) as { tasks: unknown[] }).tasks.length : 0;
}

const storyboard = (videos: string) => `{\n  "version": 1,\n  "output": "out",\n  "videos": [\n${videos}\n  ]\n}\n`;

describe('kling validate', () => {
  it('prints each problem as FILE:LINE:COL: message and exits 2 (invalid input)', async () => {
    const ws = workspace();
    const text = storyboard(`    { "name": "hero", "prompt": "A dog", "durration": 5, "duration": 16 }`);
    writeFileSync(path.join(ws.dir, 'bad.kling.json'), text);
    const run = await kling(['validate', 'bad.kling.json'], { cwd: ws.dir, state: ws.state });
    assert.equal(run.code, 2);
    const at = (needle: string) => {
      const p = lineColOf(text, needle);
      return `bad.kling.json:${p.line}:${p.col}: `;
    };
    assert.ok(run.stderr.includes(`${at('"durration"')}unknown field "durration" in a video`), run.stderr);
    assert.ok(run.stderr.includes(`${at('16')}duration must be a whole number of seconds from 3 to 15; got 16`), run.stderr);
    assert.match(run.stderr, /2 problems to fix/);
    assert.ok(!/\n\s+at /.test(run.stderr), 'no stack trace');
  });

  it('says OK and exits 0 for a valid storyboard; a missing file is a clear message', async () => {
    const ws = workspace();
    writeFileSync(path.join(ws.dir, 'ok.kling.json'), storyboard(`    { "name": "hero", "prompt": "A dog" }`));
    const ok = await kling(['validate', 'ok.kling.json'], { cwd: ws.dir, state: ws.state });
    assert.equal(ok.code, 0);
    assert.match(ok.stdout, /^OK ok\.kling\.json: 1 video, no problems$/m);
    const missing = await kling(['validate', 'nope.kling.json'], { cwd: ws.dir, state: ws.state });
    assert.equal(missing.code, 2);
    assert.match(missing.stderr, /nope\.kling\.json: no such file/);
  });
});

describe('kling estimate', () => {
  it('--json prints the contract of the issue, with exact decimals', async () => {
    const ws = workspace();
    writeFileSync(
      path.join(ws.dir, 'a.kling.json'),
      storyboard(`    { "name": "a", "prompt": "x", "duration": 3 },\n    { "name": "b", "prompt": "y", "duration": 10, "quality": "1080p", "sound": "on" }`),
    );
    const run = await kling(['estimate', 'a.kling.json', '--json'], { cwd: ws.dir, state: ws.state });
    assert.equal(run.code, 0, run.stderr);
    const file = (name: string) => path.join('out', `${name}.mp4`);
    assert.deepEqual(JSON.parse(run.stdout), {
      command: 'estimate',
      version: JSON.parse(readFileSync(path.resolve(__dirname, '..', '..', '..', '..', 'package.json'), 'utf8')).version,
      exitCode: 0,
      videos: [
        { storyboard: 'a.kling.json', name: 'a', file: file('a'), state: 'to-render', seconds: 3, quality: '720p', sound: 'off', usd: 0.225, credits: 16.2 },
        { storyboard: 'a.kling.json', name: 'b', file: file('b'), state: 'to-render', seconds: 10, quality: '1080p', sound: 'on', usd: 1.5, credits: 108 },
      ],
      elements: [],
      total: { videos: 2, elements: 0, usd: 1.725, credits: 124.2, seconds: 13 },
      all: { videos: 2, elements: 0, usd: 1.725, credits: 124.2, seconds: 13 },
      problems: [],
    });
    const table = await kling(['estimate', 'a.kling.json'], { cwd: ws.dir, state: ws.state });
    assert.match(table.stdout, /^total\s+13\s+\$1\.725\s+124\.2$/m);
  });
});

describe('kling render', () => {
  it('refuses to spend without a terminal unless --yes, and without a key points at --simulator', async () => {
    const ws = workspace();
    writeFileSync(path.join(ws.dir, 's.kling.json'), storyboard(`    { "name": "a", "prompt": "x" }`));
    const noYes = await kling(['render', 's.kling.json', '--simulator'], { cwd: ws.dir, state: ws.state });
    assert.equal(noYes.code, 3, 'refused: the price was not accepted');
    assert.match(noYes.stderr, /Render 1 video on the simulator \(would cost \$0\.375 \(27 credits\); nothing is spent\)\? Not without a terminal to ask on: add --yes/);
    const noKey = await kling(['render', 's.kling.json', '--yes'], { cwd: ws.dir, state: ws.state });
    assert.equal(noKey.code, 2);
    assert.match(noKey.stderr, /KLING_API_KEY is not set\. Export your API key, or add --simulator/);
    assert.equal(simulatorTaskCount(ws.state), 0, 'nothing was created');
  });

  it('renders on the simulator: prices, progress lines, MP4s with sidecars; again: nothing created', async () => {
    const ws = workspace();
    writeFileSync(
      path.join(ws.dir, 's.kling.json'),
      storyboard(
        `    { "name": "wide", "prompt": "A dog", "duration": 3 },\n    { "name": "tall", "aspect_ratio": "9:16", "shots": [ { "prompt": "one", "duration": 2 }, { "prompt": "two", "duration": 2 } ] }`,
      ),
    );
    const run = await kling(['render', 's.kling.json', '--simulator', '--yes'], { cwd: ws.dir, state: ws.state });
    assert.equal(run.code, 0, run.stderr + run.stdout);
    assert.match(run.stdout, /nothing real is generated or spent/);
    assert.match(run.stdout, /^wide\s+3\s+720p\s+off\s+\$0\.225\s+16\.2\s+to render$/m);
    assert.match(run.stdout, /^tall: processing \d+%/m, 'plain progress lines without a terminal');
    assert.match(run.stdout, /2 rendered, 0 up to date, 0 failed\. Videos are in out\./);
    const tall = await readMp4Info(path.join(ws.dir, 'out', 'tall.mp4'));
    assert.deepEqual([tall.width, tall.height, Math.round(tall.durationSeconds)], [720, 1280, 4]);
    const sidecar = JSON.parse(readFileSync(path.join(ws.dir, 'out', 'tall.mp4.json'), 'utf8'));
    assert.equal(sidecar.storyboard, '../s.kling.json');
    assert.equal(sidecar.request.model_params.multi_prompt[1].duration, '2');
    assert.equal(simulatorTaskCount(ws.state), 2);

    const again = await kling(['render', 's.kling.json', '--simulator', '--yes'], { cwd: ws.dir, state: ws.state });
    assert.equal(again.code, 0);
    assert.match(again.stdout, /Everything is up to date in out: nothing to render, nothing spent\./);
    assert.equal(simulatorTaskCount(ws.state), 2, 'no new task');
  });

  it('uploads local images and creates an element once, then reuses it', async () => {
    const ws = workspace();
    const { mkdirSync } = await import('node:fs');
    mkdirSync(path.join(ws.dir, 'assets'));
    writeFileSync(path.join(ws.dir, 'assets', 'logo.png'), pngBytes(640, 640));
    writeFileSync(path.join(ws.dir, 'assets', 'front.png'), pngBytes(400, 600));
    writeFileSync(path.join(ws.dir, 'assets', 'side.png'), pngBytes(500, 500));
    const board = (extra: string) =>
      `{ "version": 1, "output": "out",
  "videos": [
    { "name": "spin", "prompt": "The logo turns", "image": "assets/logo.png", "duration": 3, "aspect_ratio": "1:1" },
    { "name": "wave", "prompt": "<<<element_1>>> waves${extra}", "elements": ["mascot"], "duration": 3 }
  ],
  "elements": [ { "name": "mascot", "description": "A round robot", "frontal_image": "assets/front.png", "refer_images": ["assets/side.png"] } ] }`;
    writeFileSync(path.join(ws.dir, 's.kling.json'), board(''));
    const run = await kling(['render', 's.kling.json', '--simulator', '--yes'], { cwd: ws.dir, state: ws.state });
    assert.equal(run.code, 0, run.stderr + run.stdout);
    assert.match(run.stdout, /Rendering 2 videos and 1 element on the simulator/);
    const spin = JSON.parse(readFileSync(path.join(ws.dir, 'out', 'spin.mp4.json'), 'utf8'));
    assert.equal(spin.request.model, 'kling-v3-image-to-video');
    assert.match(spin.request.image_start, /^http:\/\/127\.0\.0\.1:\d+\/files\/uploads\//);
    const wave = JSON.parse(readFileSync(path.join(ws.dir, 'out', 'wave.mp4.json'), 'utf8'));
    const elementId = wave.request.model_params.element_list[0].element_id;
    assert.match(elementId, /^el-/);
    assert.equal(simulatorTaskCount(ws.state), 3, 'one element and two videos');

    writeFileSync(path.join(ws.dir, 's.kling.json'), board(' again'));
    const again = await kling(['render', 's.kling.json', '--simulator', '--yes'], { cwd: ws.dir, state: ws.state });
    assert.equal(again.code, 0, again.stderr);
    assert.match(again.stdout, /Rendering 1 video on the simulator/, 'the element is not created again');
    assert.equal(simulatorTaskCount(ws.state), 4);
    const rewave = JSON.parse(readFileSync(path.join(ws.dir, 'out', 'wave.mp4.json'), 'utf8'));
    assert.equal(rewave.request.model_params.element_list[0].element_id, elementId);
  });

  it('exits 1 when a video fails, with the service message verbatim', async () => {
    const ws = workspace();
    writeFileSync(path.join(ws.dir, 's.kling.json'), storyboard(`    { "name": "bad", "prompt": "[fail:generation_timeout] x", "duration": 3 }`));
    const run = await kling(['render', 's.kling.json', '--simulator', '--yes'], { cwd: ws.dir, state: ws.state });
    assert.equal(run.code, 1);
    assert.match(run.stderr, /✗ bad: .+ \(simulated\) · generation_timeout\. Rendering again may help\./);
  });

  it('killed mid-poll, run again: resumes, one task on the simulator, one MP4', async () => {
    const ws = workspace();
    writeFileSync(path.join(ws.dir, 's.kling.json'), storyboard(`    { "name": "slow", "prompt": "A slow pan", "duration": 15 }`));
    const options = { cwd: ws.dir, state: ws.state, env: { KLING_SIMULATOR_TIME_SCALE: '60' } };
    const first = start(['render', 's.kling.json', '--simulator', '--yes'], options);
    await until('the task to be processing', () => /slow: processing/.test(first.output()));
    first.child.kill('SIGKILL');
    const killed = await first.done;
    assert.equal(killed.signal, 'SIGKILL');
    assert.ok(!existsSync(path.join(ws.dir, 'out', 'slow.mp4')), 'not finished before the kill');
    assert.equal(simulatorTaskCount(ws.state), 1);

    const second = await kling(['render', 's.kling.json', '--simulator', '--yes'], options);
    assert.equal(second.code, 0, second.stderr + second.stdout);
    assert.match(second.stdout, /Resuming slow \(already under way; not created again\)/);
    assert.equal(simulatorTaskCount(ws.state), 1, 'one task on the simulator');
    assert.deepEqual(readdirSync(path.join(ws.dir, 'out')).filter((f) => f.endsWith('.mp4')), ['slow.mp4']);
  });

  it('Ctrl-C stops watching, keeps the journal and says how to resume', async () => {
    const ws = workspace();
    writeFileSync(path.join(ws.dir, 's.kling.json'), storyboard(`    { "name": "slow", "prompt": "A slow pan", "duration": 15 }`));
    const run = start(['render', 's.kling.json', '--simulator', '--yes'], { cwd: ws.dir, state: ws.state, env: { KLING_SIMULATOR_TIME_SCALE: '60' } });
    await until('the task to be processing', () => /slow: processing/.test(run.output()));
    run.child.kill('SIGINT');
    const stopped = await run.done;
    assert.equal(stopped.code, 130);
    assert.match(stopped.stderr, /Stopped watching\. 1 task is still under way on the service\. Run the same command again to resume/);
    const journal = JSON.parse(readFileSync(path.join(ws.state, 'journal.json'), 'utf8')) as { entries: Array<{ state: { status: string } }> };
    assert.equal(journal.entries.length, 1);
    assert.match(journal.entries[0]!.state.status, /pending|processing/);
  });

  it('renders against an API at KLING_BASE_URL with KLING_API_KEY (here a separate `kling simulate`)', async () => {
    const ws = workspace();
    writeFileSync(path.join(ws.dir, 's.kling.json'), storyboard(`    { "name": "a", "prompt": "x", "duration": 3 }`));
    const server = start(['simulate', '--time-scale', '10', '--fresh'], { cwd: ws.dir, state: ws.state });
    try {
      await until('the simulator to listen', () => /listening on (http:\/\/127\.0\.0\.1:\d+)/.test(server.output()));
      const baseUrl = /listening on (http:\/\/127\.0\.0\.1:\d+)/.exec(server.output())![1]!;
      const wrongKey = await kling(['render', 's.kling.json', '--yes'], { cwd: ws.dir, state: ws.state, env: { KLING_API_KEY: 'sk-wrong', KLING_BASE_URL: baseUrl } });
      assert.equal(wrongKey.code, 2, 'a key the service does not accept is input to fix');
      assert.match(wrongKey.stderr, /The API key was not accepted/);
      assert.ok(!wrongKey.stderr.includes('sk-wrong') && !wrongKey.stdout.includes('sk-wrong'), 'the key is never printed');
      const credits = await kling(['credits'], { cwd: ws.dir, state: ws.state, env: { KLING_API_KEY: 'kling-simulator', KLING_BASE_URL: baseUrl } });
      assert.match(credits.stdout, /this key: 10000 credits left/);
      const run = await kling(['render', 's.kling.json', '--yes'], { cwd: ws.dir, state: ws.state, env: { KLING_API_KEY: 'kling-simulator', KLING_BASE_URL: baseUrl } });
      assert.equal(run.code, 0, run.stderr);
      assert.match(run.stdout, /Spending \$0\.225 \(16\.2 credits\) on 1 video\./);
      const status = await kling(['status'], { cwd: ws.dir, state: ws.state });
      assert.match(status.stdout, /task-unified-\d+-[a-z0-9]{8}\s+a\s+saved/);
    } finally {
      server.child.kill('SIGINT');
      await server.done;
    }
  });
});

describe('kling (anything else)', () => {
  it('prints the schema, help for every command, and a clear message for an unknown command', async () => {
    const ws = workspace();
    const schema = await kling(['schema'], { cwd: ws.dir, state: ws.state });
    const json = JSON.parse(schema.stdout) as { $schema: string; properties: Record<string, unknown> };
    assert.equal(json.$schema, 'http://json-schema.org/draft-07/schema#');
    assert.ok('videos' in json.properties);
    for (const command of ['validate', 'estimate', 'render', 'status', 'credits', 'schema', 'simulate']) {
      const help = await kling([command, '--help'], { cwd: ws.dir, state: ws.state });
      assert.equal(help.code, 0);
      assert.match(help.stdout, new RegExp(`^Usage: kling ${command}`, 'm'));
    }
    const unknown = await kling(['rendr'], { cwd: ws.dir, state: ws.state });
    assert.equal(unknown.code, 2);
    assert.match(unknown.stderr, /unknown command "rendr"/);
    const badFlag = await kling(['render', 'x.kling.json', '--concurency', '3'], { cwd: ws.dir, state: ws.state });
    assert.equal(badFlag.code, 2);
    assert.match(badFlag.stderr, /kling render: Unknown option '--concurency'/);
  });
});
