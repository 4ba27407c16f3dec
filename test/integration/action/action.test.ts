/**
 * The GitHub Action as GitHub runs it: its entry (`kling action`, what action.yml's step runs) in a child process with
 * INPUT_* variables, GITHUB_ACTIONS=true, and GITHUB_OUTPUT / GITHUB_STEP_SUMMARY files of its own, against the
 * built-in simulator.
 */
import { validateAction, validateWorkflow } from '@action-validator/core';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { describe, it } from 'node:test';
import { parse as parseYaml } from 'yaml';
import { ACTION_INPUTS } from '../../../src/cli/github/actionInputs';
import { pngBytes } from '../../helpers/images';
import { runAction, workflowCommands } from '../../helpers/actionRunner';
import { DISTINCT_KEY, startTestSimulator } from '../../helpers/simulatorBed';
import { lineColOf } from '../../helpers/textPositions';

const ROOT = path.resolve(__dirname, '..', '..', '..', '..');
const LIMIT = { timeout: 120_000 };

/** A checkout: a git repository with the given files, committed. */
function checkout(files: Record<string, string | Buffer>): { dir: string; state: string } {
  const dir = mkdtempSync(path.join(tmpdir(), 'kling-action-'));
  const repo = path.join(dir, 'repo');
  for (const [name, content] of Object.entries(files)) {
    mkdirSync(path.dirname(path.join(repo, name)), { recursive: true });
    writeFileSync(path.join(repo, name), content);
  }
  git(repo, 'init', '-q', '-b', 'main');
  git(repo, 'add', '-A');
  git(repo, 'commit', '-q', '-m', 'storyboards');
  return { dir: repo, state: path.join(dir, '.state') };
}

function git(cwd: string, ...args: string[]): string {
  return execFileSync('git', ['-c', 'user.name=Test', '-c', 'user.email=test@example.com', '-c', 'commit.gpgsign=false', ...args], { cwd, encoding: 'utf8' }).trim();
}

interface StateTask {
  kind: 'video' | 'element';
  request: { prompt?: string; model_params?: { element_name?: string } };
}

function simulatorTasks(state: string): StateTask[] {
  const file = path.join(state, 'simulator.json');
  return existsSync(file) ? (JSON.parse(readFileSync(file, 'utf8')) as { tasks: StateTask[] }).tasks : [];
}

const board = (videos: string[], extra = '') => `{\n  "version": 1,\n  "output": "out",\n  "videos": [\n${videos.map((v) => `    ${v}`).join(',\n')}\n  ]${extra}\n}\n`;

describe('action.yml', () => {
  it("passes GitHub's documented metadata keys (SchemaStore's github-action schema): name, description, runs; inputs with descriptions", () => {
    const text = readFileSync(path.join(ROOT, 'action.yml'), 'utf8');
    assert.deepEqual(validateAction(text).errors, []);
    // The validator is not vacuous: the same file without a description, or with an input missing one, fails.
    assert.ok(validateAction(text.replace(/^description: .*$/m, '')).errors.some((e) => 'path' in e && e.path === '/description'));
    assert.ok(validateAction(text.replace(/^    description: "What to do.*$/m, '')).errors.some((e) => 'path' in e && e.path === '/inputs/command/description'));
  });

  it('maps every input to the INPUT_* variable the entry reads, and every output to the step that writes it', () => {
    const action = parseYaml(readFileSync(path.join(ROOT, 'action.yml'), 'utf8')) as {
      inputs: Record<string, { description: string }>;
      outputs: Record<string, { value: string }>;
      runs: { using: string; steps: Array<{ id?: string; env?: Record<string, string>; run?: string }> };
    };
    assert.equal(action.runs.using, 'composite');
    const step = action.runs.steps.find((s) => s.id === 'kling')!;
    assert.deepEqual(Object.keys(action.inputs).filter((name) => name !== 'cli'), [...ACTION_INPUTS]);
    for (const name of ACTION_INPUTS) assert.equal(step.env?.[`INPUT_${name.replace(/-/g, '_').toUpperCase()}`], `\${{ inputs.${name} }}`, name);
    assert.match(step.run ?? '', /kling action/);
    for (const [name, output] of Object.entries(action.outputs)) assert.equal(output.value, `\${{ steps.kling.outputs.${name} }}`);
    assert.deepEqual(Object.keys(action.outputs), ['spent-usd', 'rendered', 'failed', 'unknown', 'estimated-usd', 'summary']);
  });
});

describe('the example workflow (docs/examples/kling-videos.yml)', () => {
  it("passes GitHub's workflow schema, and uses the Action as docs/cli.md says: validate, estimate --since, render on 4 shards", () => {
    const text = readFileSync(path.join(ROOT, 'docs', 'examples', 'kling-videos.yml'), 'utf8');
    assert.deepEqual(validateWorkflow(text).errors, []);
    const workflow = parseYaml(text) as { jobs: Record<string, { strategy?: { matrix?: { shard?: number[] } }; steps: Array<{ uses?: string; with?: Record<string, string> }> }> };
    const uses = (job: string) => workflow.jobs[job]!.steps.filter((s) => s.uses?.startsWith('kling-studio/kling-studio@')).map((s) => s.with ?? {});
    assert.deepEqual(uses('check').map((w) => w['command']), ['validate', 'estimate']);
    assert.equal(uses('check')[1]!['since'], '${{ github.event.pull_request.base.sha }}');
    assert.deepEqual(workflow.jobs['render']!.strategy?.matrix?.shard, [1, 2, 3, 4]);
    assert.equal(uses('render')[0]!['shard'], '${{ matrix.shard }}/4');
    for (const w of [...uses('check'), ...uses('render')]) for (const name of Object.keys(w)) assert.ok((ACTION_INPUTS as readonly string[]).includes(name), `${name} is an input`);
  });
});

describe('the Action, run as a runner runs it', { concurrency: true }, () => {
  it('validate: each problem as an annotation at its exact place in the repository, the key masked first, exit 2', LIMIT, async () => {
    const bad = board(['{ "name": "hero", "prompt": "A dog", "durration": 5 }', '{ "name": "tall", "prompt": "A tower", "duration": 16 }']);
    const ws = checkout({ 'boards/bad.kling.json': bad, 'boards/good.kling.json': board(['{ "name": "ok", "prompt": "Fine" }']), 'node_modules/x/x.kling.json': '{' });
    const key = 'sk-action-MASK-ME-0123456789';
    // As action.yml's composite step passes them: every input, defaults included, in the INPUT_API_KEY form.
    const run = await runAction({ command: 'validate', api_key: key, simulator: 'false', max_usd: '', shard: '' }, { workspace: ws.dir, state: ws.state });
    assert.equal(run.code, 2, run.stdout + run.stderr);
    assert.equal(run.stdout.split('\n')[0], `::add-mask::${key}`, 'the key is masked before anything else is printed');
    assert.equal(run.stdout.split(key).length - 1 + run.stderr.split(key).length - 1, 2, 'the key appears only in its masks');
    const errors = workflowCommands(run.stdout).filter((c) => c.name === 'error');
    const at = (needle: string, length: number) => {
      const start = lineColOf(bad, needle);
      return { file: 'boards/bad.kling.json', line: String(start.line), col: String(start.col), endLine: String(start.line), endColumn: String(start.col + length) };
    };
    assert.deepEqual(
      errors.map((e) => ({ ...e.properties, title: undefined, message: e.message })),
      [
        { ...at('"durration"', '"durration"'.length), title: undefined, message: 'unknown field "durration" in a video: did you mean "duration"? Fix: Rename to "duration".' },
        { ...at('16', 2), title: undefined, message: 'duration must be a whole number of seconds from 3 to 15; got 16' },
      ],
    );
    assert.ok(errors.every((e) => e.properties['title']?.startsWith('Kling storyboard: ')));
    assert.doesNotMatch(run.stdout, /node_modules/, 'node_modules is left out of the default glob');
    assert.match(run.summary, /`boards\/bad\.kling\.json`: 2 problems/);
    assert.deepEqual(workflowCommands(run.stdout).filter((c) => c.name === 'warning').map((c) => c.message), ['The input api-key does not apply to validate; it was left out.'], 'defaults are not warned about');
  });

  it("action.yml's own step, run by bash as the runner runs it (the CLI of the action's checkout, no package from npm): validate and render", LIMIT, async () => {
    const action = parseYaml(readFileSync(path.join(ROOT, 'action.yml'), 'utf8')) as { runs: { steps: Array<{ id?: string; run?: string }> } };
    const script = action.runs.steps.find((s) => s.id === 'kling')!.run!;
    const ws = checkout({ 'boards/good.kling.json': board(['{ "name": "ok", "prompt": "Fine", "duration": 3 }']) });
    const inputs = { command: 'validate', api_key: '', simulator: 'false', max_usd: '', shard: '', since: '', base_url: '', storyboards: '' };
    const validate = await runAction(inputs, { workspace: ws.dir, state: ws.state, script, env: { KLING_CLI_PACKAGE: '' } });
    assert.equal(validate.code, 0, validate.stdout + validate.stderr);
    assert.doesNotMatch(validate.stderr, /npm (ERR|error)|npx/, 'nothing fetched from npm');
    const render = await runAction({ ...inputs, command: 'render', simulator: 'true' }, { workspace: ws.dir, state: ws.state, script, env: { KLING_CLI_PACKAGE: '' }, name: 'render' });
    assert.equal(render.code, 0, render.stdout + render.stderr);
    assert.equal(render.outputs['rendered'], '1');
    assert.ok(existsSync(path.join(ws.dir, 'boards', 'out', 'ok.mp4')), 'the video is in the checkout');
  });

  it('estimate --since a commit: only the videos whose request changed (an image included) and new ones are priced', LIMIT, async () => {
    const ws = checkout({
      'boards/s.kling.json': board([
        '{ "name": "same", "prompt": "Unchanged", "duration": 3 }',
        '{ "name": "edited", "prompt": "Before", "duration": 3 }',
        '{ "name": "spin", "prompt": "The logo turns", "image": "../assets/logo.png", "duration": 3, "aspect_ratio": "1:1" }',
      ]),
      'assets/logo.png': pngBytes(640, 640),
    });
    const base = git(ws.dir, 'rev-parse', 'HEAD');
    writeFileSync(
      path.join(ws.dir, 'boards', 's.kling.json'),
      board([
        '{ "name": "same", "prompt": "Unchanged", "duration": 3 }',
        '{ "name": "edited", "prompt": "After", "duration": 5, "quality": "1080p" }',
        '{ "name": "spin", "prompt": "The logo turns", "image": "../assets/logo.png", "duration": 3, "aspect_ratio": "1:1" }',
        '{ "name": "added", "prompt": "New", "duration": 4 }',
      ]),
    );
    writeFileSync(path.join(ws.dir, 'assets', 'logo.png'), pngBytes(700, 700));
    git(ws.dir, 'commit', '-q', '-am', 'change');
    const run = await runAction({ command: 'estimate', since: base, simulator: 'true' }, { workspace: ws.dir, state: ws.state });
    assert.equal(run.code, 0, run.stdout + run.stderr);
    // edited: 5 s of 1080p at $0.10; spin: 3 s at $0.075; added: 4 s at $0.075. Not "same".
    assert.equal(run.outputs['estimated-usd'], '1.025');
    assert.match(run.summary, /\| boards\/s\.kling\.json: edited \| to-render \| 5 \| 1080p \| \$0\.5 \|/);
    assert.match(run.summary, /\| boards\/s\.kling\.json: spin \| to-render \| 3 \|/);
    assert.match(run.summary, /\| boards\/s\.kling\.json: added \| to-render \| 4 \|/);
    assert.doesNotMatch(run.summary, /: same \|/);
    assert.match(run.summary, /1 video unchanged since `[0-9a-f]{40}` left out/);
    assert.equal(run.outputs['summary'], run.summary, 'the summary output is the table of the job summary');
    assert.equal(simulatorTasks(ws.state).length, 0, 'an estimate creates nothing');

    const unknownRef = await runAction({ command: 'estimate', since: 'no-such-branch', simulator: 'true' }, { workspace: ws.dir, state: ws.state, name: 'bad-ref' });
    assert.equal(unknownRef.code, 2);
    assert.match(unknownRef.stderr, /--since: "no-such-branch" is not a commit of the repository/);
  });

  it('render on 2 shards in parallel, each its own checkout: every video created once, the tables and outputs right', LIMIT, async () => {
    const names = ['alpha', 'bravo', 'charlie', 'delta', 'echo', 'foxtrot'];
    const files = {
      'boards/s.kling.json': board(
        names.map((n, i) => (i < 2 ? `{ "name": "${n}", "prompt": "<<<element_1>>> in ${n}", "elements": ["mascot"], "duration": 3 }` : `{ "name": "${n}", "prompt": "Scene ${n}", "duration": 3 }`)),
        ',\n  "elements": [ { "name": "mascot", "description": "A robot", "frontal_image": "../assets/front.png", "refer_images": ["../assets/side.png"] } ]',
      ),
      'assets/front.png': pngBytes(400, 600),
      'assets/side.png': pngBytes(500, 500),
    };
    const runners = [checkout(files), checkout(files)];
    const [one, two] = await Promise.all(runners.map((ws, i) => runAction({ command: 'render', simulator: 'true', shard: `${i + 1}/2`, 'max-usd': '5' }, { workspace: ws.dir, state: ws.state, name: `shard-${i + 1}` })));
    for (const run of [one!, two!]) assert.equal(run.code, 0, run.stdout + run.stderr);

    const videos = runners.flatMap((ws) => simulatorTasks(ws.state).filter((t) => t.kind === 'video').map((t) => /in (\w+)$|Scene (\w+)$/.exec(t.request.prompt ?? '')!.slice(1).find(Boolean)!));
    assert.deepEqual([...videos].sort(), [...names].sort(), 'each video created exactly once over both runners');
    const saved = runners.flatMap((ws) => readdirSync(path.join(ws.dir, 'boards', 'out')).filter((f) => f.endsWith('.mp4')));
    assert.deepEqual(saved.sort(), names.map((n) => `${n}.mp4`).sort());
    const elementsCreated = runners.map((ws) => simulatorTasks(ws.state).filter((t) => t.kind === 'element').length);
    assert.ok(elementsCreated.every((n) => n <= 1), 'at most one element per runner');

    for (const [i, run] of [one!, two!].entries()) {
      const mine = simulatorTasks(runners[i]!.state).filter((t) => t.kind === 'video').length;
      assert.equal(run.outputs['rendered'], String(mine));
      assert.equal(run.outputs['failed'], '0');
      assert.equal(run.outputs['unknown'], '0');
      const spent = mine * 0.225 + elementsCreated[i]! * 0.014;
      assert.equal(Number(run.outputs['spent-usd']), Number(spent.toFixed(4)));
      const rows = run.summary.split('\n').filter((line) => /^\| boards\/s\.kling\.json: /.test(line));
      assert.equal(rows.length, mine, run.summary);
      for (const row of rows) assert.match(row, /^\| boards\/s\.kling\.json: \w+ \| saved \| 3 \| 720p \| \$0\.225 \| \$0\.225 \| `task-unified-\d+-[a-z0-9]{8}` \|$/);
      assert.match(run.summary, new RegExp(`Part ${i + 1} of 2\\.`));
      // One foldable group per video, opened and closed in order.
      const groups = workflowCommands(run.stdout).filter((c) => c.name === 'group' || c.name === 'endgroup').map((c) => c.name);
      assert.deepEqual(groups, Array.from({ length: mine }, () => ['group', 'endgroup']).flat());
    }
  });

  it('render over --max-usd: refused before anything is created, saying by how much, exit 3', LIMIT, async () => {
    const ws = checkout({ 'boards/s.kling.json': board(['{ "name": "a", "prompt": "x", "duration": 10, "quality": "1080p" }', '{ "name": "b", "prompt": "y", "duration": 3 }']) });
    const run = await runAction({ command: 'render', simulator: 'true', 'max-usd': '1' }, { workspace: ws.dir, state: ws.state });
    assert.equal(run.code, 3, run.stdout + run.stderr);
    assert.match(run.stderr, /2 videos would cost \$1\.225, \$0\.225 over --max-usd 1\. Nothing was created\./);
    assert.equal(simulatorTasks(ws.state).length, 0, 'nothing was created');
    assert.equal(run.outputs['spent-usd'], '0');
    assert.equal(run.outputs['rendered'], '0');
    assert.match(run.summary, /\*\*Refused:\*\* 2 videos would cost \$1\.225/);
    assert.match(run.summary, /\| boards\/s\.kling\.json: a \| to-render \| 10 \| 1080p \| \$1 \| \$0 \| {2}\|/);
  });

  it('render with api-key and base-url against a service whose CDN is down, then download: paid once, fetched later, outputs and tables right', LIMIT, async () => {
    const sim = await startTestSimulator();
    try {
      const ws = checkout({ 'boards/s.kling.json': board(['{ "name": "later", "prompt": "Fetched later", "duration": 3 }']) });
      const inputs = { 'api-key': DISTINCT_KEY, 'base-url': sim.baseUrl, 'max-usd': '1' };
      sim.inject({ on: 'download', status: 503, times: 6 });
      const render = await runAction({ command: 'render', ...inputs }, { workspace: ws.dir, state: ws.state, name: 'render' });
      assert.equal(render.code, 1, render.stdout + render.stderr);
      assert.equal(render.stdout.split('\n')[0], `::add-mask::${DISTINCT_KEY}`, 'the key is masked before anything else is printed');
      assert.deepEqual((render.stdout + render.stderr + render.summary).split('\n').filter((line) => line.includes(DISTINCT_KEY)), [`::add-mask::${DISTINCT_KEY}`, `::add-mask::${DISTINCT_KEY}`], 'the key appears only in its masks');
      assert.deepEqual([render.outputs['rendered'], render.outputs['failed'], render.outputs['unknown'], render.outputs['spent-usd']], ['0', '1', '0', '0.225'], 'paid for, not saved');
      assert.match(render.summary, /\| boards\/s\.kling\.json: later \| download-pending \| 3 \| 720p \| \$0\.225 \| \$0\.225 \| `task-unified-/);
      assert.equal(existsSync(path.join(ws.dir, 'boards', 'out', 'later.mp4')), false);

      const download = await runAction({ command: 'download', ...inputs }, { workspace: ws.dir, state: ws.state, name: 'download' });
      assert.equal(download.code, 0, download.stdout + download.stderr);
      assert.deepEqual(workflowCommands(download.stdout).filter((c) => c.name === 'warning').map((c) => c.message), ['The input max-usd does not apply to download; it was left out.']);
      assert.equal(download.outputs['failed'], '0');
      assert.match(download.summary, /^\| later \| saved \| boards\/out\/later\.mp4 \| `task-unified-\d+-[a-z0-9]{8}` \|$/m);
      assert.equal(download.outputs['summary'], download.summary);
      assert.ok(readFileSync(path.join(ws.dir, 'boards', 'out', 'later.mp4')).length > 1000);
      assert.equal(sim.stats().creates, 1, 'created once: the download paid for nothing');
    } finally {
      await sim.close();
    }
  });

  it('inputs that cannot be used: exit 2 with an annotation, nothing run', LIMIT, async () => {
    const ws = checkout({ 'boards/s.kling.json': board(['{ "name": "a", "prompt": "x" }']) });
    const wrong = await runAction({ command: 'publish' }, { workspace: ws.dir, state: ws.state, name: 'wrong' });
    assert.equal(wrong.code, 2);
    assert.match(wrong.stdout, /^::error title=Kling Studio::The input command is "publish"; it must be one of validate, estimate, render, download\.$/m);
    const none = await runAction({ command: 'validate', storyboards: 'videos/**/*.kling.json' }, { workspace: ws.dir, state: ws.state, name: 'none' });
    assert.equal(none.code, 2);
    assert.match(none.stdout, /No storyboard matches videos\/\*\*\/\*\.kling\.json/);
  });
});
