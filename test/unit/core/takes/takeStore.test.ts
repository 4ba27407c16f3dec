import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { describe, it } from 'node:test';
import { readSidecar, sidecarPathOf, writeSidecar } from '../../../../src/core/download/sidecar';
import { takePathOf, takesDirOf } from '../../../../src/core/takes/takeLayout';
import { chooseTake, findTake, landTake, listTakes } from '../../../../src/core/takes/takeStore';
import { aSidecar } from '../../../helpers/sidecars';

const HASH_A = `sha256:${'a'.repeat(64)}`;
const HASH_B = `sha256:${'b'.repeat(64)}`;

function workspace() {
  const root = mkdtempSync(path.join(tmpdir(), 'kling-takes-'));
  const output = path.join(root, 'videos');
  mkdirSync(output, { recursive: true });
  writeFileSync(path.join(root, 'site.kling.json'), '{}');
  return { root, video: path.join(output, 'hero.mp4') };
}

/** Saves a take as the task engine does: the file, then its sidecar, in the video's takes folder. */
async function saveTake(video: string, options: { minute: number; id: string; hash?: string; content?: string }): Promise<string> {
  const created = Date.UTC(2026, 10, 25, 10, options.minute, 0);
  const taskId = `task-unified-1764064800-${options.id}`;
  const file = takePathOf(video, created, taskId);
  mkdirSync(path.dirname(file), { recursive: true });
  const content = options.content ?? `video ${options.id}`;
  writeFileSync(file, content);
  await writeSidecar(file, aSidecar({
    taskId,
    requestHash: options.hash ?? HASH_A,
    bytes: Buffer.byteLength(content),
    createdAt: new Date(created).toISOString(),
    storyboard: '../../../site.kling.json',
    video: 'hero',
  }));
  return file;
}

const inode = (file: string) => statSync(file).ino;

describe('landTake: the first take of a request to land is chosen', () => {
  it('makes the first take the video (a hard link: no second copy), and keeps it as a take', async () => {
    const { root, video } = workspace();
    const first = await saveTake(video, { minute: 1, id: 'first001' });
    assert.equal(await landTake(video, first, { root }), true);
    assert.equal(readFileSync(video, 'utf8'), 'video first001');
    assert.equal(inode(video), inode(first), 'the chosen file is the take itself');
    const sidecar = await readSidecar(video);
    assert.equal(sidecar?.taskId, 'task-unified-1764064800-first001');
    assert.equal(sidecar?.storyboard, '../site.kling.json', 'the storyboard path is relative to the video\'s own folder');
    assert.deepEqual(readdirSync(path.dirname(video)).sort(), ['.takes', 'hero.mp4', 'hero.mp4.json'], 'a tidy output folder: the video, its sidecar, the hidden takes');
    assert.deepEqual(readdirSync(takesDirOf(video)).sort(), [path.basename(first), `${path.basename(first)}.json`], 'no lock or temporary file is left');
  });

  it('leaves the chosen video alone when a second take of the same request lands', async () => {
    const { root, video } = workspace();
    const first = await saveTake(video, { minute: 1, id: 'first001' });
    const second = await saveTake(video, { minute: 2, id: 'second02' });
    await landTake(video, first, { root });
    assert.equal(await landTake(video, second, { root }), false);
    assert.equal(readFileSync(video, 'utf8'), 'video first001');
    const list = await listTakes(video, { root });
    assert.deepEqual(list.takes.map((t) => [t.index, path.basename(t.path), t.chosen]), [
      [1, path.basename(first), true],
      [2, path.basename(second), false],
    ]);
  });

  it('chooses a take of a changed request over the video of the old one, which stays a take', async () => {
    const { root, video } = workspace();
    const old = await saveTake(video, { minute: 1, id: 'oldrecip', hash: HASH_A });
    await landTake(video, old, { root });
    const changed = await saveTake(video, { minute: 5, id: 'newrecip', hash: HASH_B });
    assert.equal(await landTake(video, changed, { root }), true);
    assert.equal((await readSidecar(video))?.requestHash, HASH_B);
    const list = await listTakes(video, { root });
    assert.deepEqual(list.takes.map((t) => [path.basename(t.path), t.chosen]), [[path.basename(old), false], [path.basename(changed), true]]);
  });

  it('two takes landing at once: exactly one is chosen', async () => {
    const { root, video } = workspace();
    const takes = await Promise.all([1, 2, 3].map((n) => saveTake(video, { minute: n, id: `racer00${n}` })));
    const chosen = await Promise.all(takes.map((take) => landTake(video, take, { root })));
    assert.equal(chosen.filter(Boolean).length, 1, String(chosen));
    const winner = takes[chosen.indexOf(true)]!;
    assert.equal(inode(video), inode(winner));
  });
});

describe('chooseTake', () => {
  it('swaps the chosen take: the video and its sidecar become the other take, the old one stays', async () => {
    const { root, video } = workspace();
    const first = await saveTake(video, { minute: 1, id: 'first001' });
    const second = await saveTake(video, { minute: 2, id: 'second02' });
    await landTake(video, first, { root });
    const after = await chooseTake(video, second, { root });
    assert.equal(readFileSync(video, 'utf8'), 'video second02');
    assert.equal((await readSidecar(video))?.taskId, 'task-unified-1764064800-second02');
    assert.deepEqual(after.takes.map((t) => [t.index, t.chosen]), [[1, false], [2, true]]);
    assert.equal(readFileSync(first, 'utf8'), 'video first001', 'the take that was chosen is still there, whole');
  });

  it('keeps a video made before takes existed as a take before replacing it', async () => {
    const { root, video } = workspace();
    writeFileSync(video, 'legacy video');
    await writeSidecar(video, aSidecar({ taskId: 'task-unified-1764000000-legacy01', bytes: 12, createdAt: '2026-11-24T08:00:00.000Z', storyboard: '../site.kling.json' }));
    const before = await listTakes(video, { root });
    assert.deepEqual(before.takes.map((t) => [t.index, t.chosen, t.kept, t.path]), [[1, true, false, video]], 'the video is its own only take');

    const fresh = await saveTake(video, { minute: 1, id: 'fresh001', hash: HASH_B });
    assert.equal(await landTake(video, fresh, { root }), true);
    const after = await listTakes(video, { root });
    assert.deepEqual(after.takes.map((t) => [path.basename(t.path), t.chosen, t.kept]), [
      ['20261124-080000-legacy01.mp4', false, true],
      [path.basename(fresh), true, true],
    ]);
    const kept = after.takes[0]!;
    assert.equal(readFileSync(kept.path, 'utf8'), 'legacy video');
    assert.equal(kept.sidecar?.storyboard, '../../../site.kling.json', 'its sidecar moved with it, its storyboard path too');
  });

  it('refuses a file that is not a take of the video, and a link planted among the takes', async () => {
    const { root, video } = workspace();
    const first = await saveTake(video, { minute: 1, id: 'first001' });
    await landTake(video, first, { root });
    const stranger = path.join(path.dirname(video), 'other.mp4');
    writeFileSync(stranger, 'not a take');
    await assert.rejects(chooseTake(video, stranger, { root }), /other\.mp4 is not a take of hero\.mp4/);

    const outside = mkdtempSync(path.join(tmpdir(), 'kling-outside-'));
    writeFileSync(path.join(outside, 'secret.mp4'), 'outside the workspace');
    const planted = path.join(takesDirOf(video), '20261125-110000-planted1.mp4');
    symlinkSync(path.join(outside, 'secret.mp4'), planted);
    assert.deepEqual((await listTakes(video, { root })).takes.map((t) => path.basename(t.path)), [path.basename(first)], 'a link is no take');
    await assert.rejects(chooseTake(video, planted, { root }), /symbolic link/);
    assert.equal(readFileSync(video, 'utf8'), 'video first001', 'the video is unchanged');
  });

  it('refuses a takes folder that leads out of the workspace', async () => {
    const { root, video } = workspace();
    const outside = mkdtempSync(path.join(tmpdir(), 'kling-outside-'));
    symlinkSync(outside, path.join(path.dirname(video), '.takes'));
    const list = await listTakes(video, { root });
    assert.match(list.problem ?? '', /leads outside the workspace/);
    assert.deepEqual(list.takes, []);
    await assert.rejects(landTake(video, path.join(takesDirOf(video), 'x.mp4'), { root }), /leads outside the workspace/);
    assert.deepEqual(readdirSync(outside), [], 'nothing was written outside');
  });
});

describe('findTake', () => {
  it('finds a take by its number, its file name or the end of its task id', async () => {
    const { root, video } = workspace();
    const first = await saveTake(video, { minute: 1, id: 'first001' });
    const second = await saveTake(video, { minute: 2, id: 'second02' });
    const list = await listTakes(video, { root });
    assert.equal(findTake(list, '2')?.path, second);
    assert.equal(findTake(list, path.basename(first))?.path, first);
    assert.equal(findTake(list, 'second02')?.path, second);
    assert.equal(findTake(list, 'task-unified-1764064800-first001')?.path, first);
    assert.equal(findTake(list, '3'), undefined);
    assert.equal(findTake(list, 'nothing'), undefined);
  });
});

describe('a chosen video without a sidecar', () => {
  it('choosing a take writes its sidecar; a take without one removes the stale sidecar of the video', async () => {
    const { root, video } = workspace();
    const first = await saveTake(video, { minute: 1, id: 'first001' });
    await landTake(video, first, { root });
    const bare = path.join(takesDirOf(video), '20261125-120000-external.mp4');
    writeFileSync(bare, 'made elsewhere');
    await chooseTake(video, bare, { root });
    assert.equal(readFileSync(video, 'utf8'), 'made elsewhere');
    assert.equal(await readSidecar(video), undefined);
    assert.throws(() => statSync(sidecarPathOf(video)), /ENOENT/);
  });
});
