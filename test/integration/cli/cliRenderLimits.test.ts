/**
 * What limits a render's spending, against the built CLI and its simulator: `--since REF` creates only the videos
 * whose request changed since a commit and new ones (a fresh checkout, where no video is up to date, so nothing but
 * the selection stands between a video and its create), and `--max-usd` counts the elements a run must create as
 * well as its videos.
 */
import Ajv from 'ajv';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { describe, it } from 'node:test';
import { cliWorkspace, runKling } from '../../helpers/cliRun';
import { pngBytes } from '../../helpers/images';

const ROOT = path.resolve(__dirname, '..', '..', '..', '..');
const LIMIT = { timeout: 90_000 };

function git(cwd: string, ...args: string[]): string {
  return execFileSync('git', ['-c', 'user.name=Test', '-c', 'user.email=test@example.com', '-c', 'commit.gpgsign=false', ...args], { cwd, encoding: 'utf8' }).trim();
}

/** The requests the built-in simulator (kept in the state folder) was sent: what was created, and so paid. */
function created(state: string): Array<{ kind: 'video' | 'element'; request: { prompt?: string } }> {
  const file = path.join(state, 'simulator.json');
  return existsSync(file) ? (JSON.parse(readFileSync(file, 'utf8')) as { tasks: Array<{ kind: 'video' | 'element'; request: { prompt?: string } }> }).tasks : [];
}

const board = (videos: string[], extra = '') => `{ "version": 1, "output": "out", "videos": [\n  ${videos.join(',\n  ')}\n]${extra} }\n`;

describe('kling render: what limits the spending', { concurrency: true }, () => {
  it('--since REF: only the changed and the new videos are created, the unchanged one is named in the document', LIMIT, async () => {
    const ws = cliWorkspace('render-since');
    writeFileSync(
      path.join(ws.dir, 's.kling.json'),
      board(['{ "name": "same", "prompt": "Unchanged", "duration": 3 }', '{ "name": "edited", "prompt": "Before", "duration": 3 }']),
    );
    git(ws.dir, 'init', '-q', '-b', 'main');
    git(ws.dir, 'add', 's.kling.json');
    git(ws.dir, 'commit', '-q', '-m', 'storyboard');
    const base = git(ws.dir, 'rev-parse', 'HEAD');
    writeFileSync(
      path.join(ws.dir, 's.kling.json'),
      board([
        '{ "name": "same", "prompt": "Unchanged", "duration": 3 }',
        '{ "name": "edited", "prompt": "After", "duration": 3 }',
        '{ "name": "added", "prompt": "New", "duration": 3 }',
      ]),
    );

    const run = await runKling(['render', 's.kling.json', '--since', base, '--simulator', '--yes', '--json'], { cwd: ws.dir, state: ws.state });
    assert.equal(run.code, 0, run.stdout + run.stderr);
    assert.deepEqual(created(ws.state).map((t) => t.request.prompt).sort(), ['After', 'New']);
    const document = JSON.parse(run.stdout) as { videos: Array<{ name: string; state: string }>; since?: { ref: string; unchanged: Array<{ name: string }> } };
    const schema = JSON.parse(readFileSync(path.join(ROOT, 'schemas', 'kling-render.schema.json'), 'utf8')) as Record<string, unknown>;
    const valid = new Ajv({ strict: false, allErrors: true }).compile(schema);
    assert.ok(valid(document), JSON.stringify(valid.errors));
    assert.deepEqual(document.videos.map((v) => [v.name, v.state]), [['edited', 'saved'], ['added', 'saved']]);
    assert.equal(document.since?.ref, base);
    assert.deepEqual(document.since?.unchanged.map((v) => v.name), ['same']);
    assert.equal(existsSync(path.join(ws.dir, 'out', 'same.mp4')), false);

    // Against HEAD the edits are not committed yet: edited and added are still selected, and now up to date.
    const head = await runKling(['render', 's.kling.json', '--since', 'HEAD', '--simulator', '--yes'], { cwd: ws.dir, state: ws.state });
    assert.equal(head.code, 0, head.stdout + head.stderr);
    assert.match(head.stdout, /^edited .* up to date$/m);
    assert.match(head.stdout, /^added .* up to date$/m);
    assert.doesNotMatch(head.stdout, /^same /m);
    assert.match(head.stdout, /Everything is up to date in out: nothing to render, nothing spent\./);
    assert.equal(created(ws.state).length, 2, 'nothing created again');
  });

  it('--max-usd counts the elements to create: refused by the element\'s price alone, nothing created; accepted at the exact total', LIMIT, async () => {
    const ws = cliWorkspace('render-max-usd-elements');
    mkdirSync(path.join(ws.dir, 'assets'));
    writeFileSync(path.join(ws.dir, 'assets', 'front.png'), pngBytes(400, 600));
    writeFileSync(path.join(ws.dir, 'assets', 'side.png'), pngBytes(500, 500));
    writeFileSync(
      path.join(ws.dir, 's.kling.json'),
      board(
        ['{ "name": "wave", "prompt": "<<<element_1>>> waves", "elements": ["mascot"], "duration": 3 }'],
        ', "elements": [ { "name": "mascot", "description": "A robot", "frontal_image": "assets/front.png", "refer_images": ["assets/side.png"] } ]',
      ),
    );
    const at = { cwd: ws.dir, state: ws.state };
    // The video alone is $0.225 (3 s of 720p): under the cap. With its element ($0.014), $0.239: over it.
    const refused = await runKling(['render', 's.kling.json', '--simulator', '--yes', '--max-usd', '0.23', '--json'], at);
    assert.equal(refused.code, 3, refused.stdout + refused.stderr);
    assert.match(refused.stderr, /1 video and 1 element would cost \$0\.239, \$0\.009 over --max-usd 0\.23\. Nothing was created\./);
    const document = JSON.parse(refused.stdout) as { refused?: { reason: string; overByUsd?: number }; total: { spent: { usd: number } } };
    assert.deepEqual(document.refused && [document.refused.reason, document.refused.overByUsd], ['max-usd', 0.009]);
    assert.equal(document.total.spent.usd, 0);
    assert.deepEqual(created(ws.state), [], 'nothing was created, not even the element');

    const accepted = await runKling(['render', 's.kling.json', '--simulator', '--yes', '--max-usd', '0.239'], at);
    assert.equal(accepted.code, 0, accepted.stdout + accepted.stderr);
    assert.deepEqual(created(ws.state).map((t) => t.kind).sort(), ['element', 'video']);
  });
});
