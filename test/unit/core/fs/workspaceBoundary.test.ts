import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, realpathSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { describe, it } from 'node:test';
import { assertInsideRoot, checkInsideRoot, isWithin, OutsideWorkspaceError, realPathOf } from '../../../../src/core/fs/workspaceBoundary';

/** A workspace and a folder beside it (outside), both real paths. */
function layout() {
  const top = realpathSync(mkdtempSync(path.join(tmpdir(), 'kling-boundary-')));
  const root = path.join(top, 'ws');
  const outside = path.join(top, 'outside');
  mkdirSync(root);
  mkdirSync(outside);
  return { top, root, outside };
}

describe('isWithin', () => {
  it('POSIX: the root and what is under it, not a sibling with the same prefix, and `..foo` is a name inside', () => {
    const p = path.posix;
    assert.equal(isWithin('/ws', '/ws', p, false), true);
    assert.equal(isWithin('/ws', '/ws/a/b', p, false), true);
    assert.equal(isWithin('/ws', '/ws/..foo', p, false), true);
    assert.equal(isWithin('/ws', '/ws2/a', p, false), false);
    assert.equal(isWithin('/ws', '/', p, false), false);
    assert.equal(isWithin('/ws', '/etc/passwd', p, false), false);
    assert.equal(isWithin('/ws', '/WS/a', p, false), false, 'case counts on a case-sensitive file system');
    assert.equal(isWithin('/ws', '/WS/a', p, true), true, 'not on a case-insensitive one (macOS)');
  });

  it('Windows: without case, across separators, and never on another drive', () => {
    const w = path.win32;
    assert.equal(isWithin('C:\\Work\\Repo', 'c:\\work\\repo\\media\\a.mp4', w), true);
    assert.equal(isWithin('C:\\Work\\Repo', 'C:/Work/Repo/media', w), true);
    assert.equal(isWithin('C:\\Work\\Repo', 'C:\\Work\\Repo2\\x', w), false);
    assert.equal(isWithin('C:\\Work\\Repo', 'C:\\Work', w), false);
    assert.equal(isWithin('C:\\Work\\Repo', 'D:\\Work\\Repo\\x', w), false);
    assert.equal(isWithin('C:\\Work\\Repo', 'C:\\Work\\Repo\\..foo', w), true);
  });
});

describe('realPathOf', () => {
  it('follows links on the way, dangling ones too, and appends what does not exist yet', async () => {
    const { root, outside } = layout();
    symlinkSync(outside, path.join(root, 'media'));
    symlinkSync(path.join(outside, 'not-yet'), path.join(root, 'later'));
    symlinkSync('../outside', path.join(root, 'relative'));
    assert.equal((await realPathOf(path.join(root, 'media', 'videos', 'a.mp4'))).realPath, path.join(outside, 'videos', 'a.mp4'));
    assert.equal((await realPathOf(path.join(root, 'later', 'x'))).realPath, path.join(outside, 'not-yet', 'x'));
    assert.equal((await realPathOf(path.join(root, 'relative', 'x'))).realPath, path.join(outside, 'x'));
    assert.deepEqual((await realPathOf(path.join(root, 'new', 'folder'))).links, []);
  });

  it('refuses a loop of links', async () => {
    const { root } = layout();
    symlinkSync(path.join(root, 'b'), path.join(root, 'a'));
    symlinkSync(path.join(root, 'a'), path.join(root, 'b'));
    await assert.rejects(realPathOf(path.join(root, 'a', 'x')), { code: 'ELOOP' });
  });
});

describe('checkInsideRoot', () => {
  it('accepts plain paths inside (existing or not) and links that stay inside', async () => {
    const { root } = layout();
    mkdirSync(path.join(root, 'assets'));
    writeFileSync(path.join(root, 'assets', 'logo.png'), 'x');
    symlinkSync(path.join(root, 'assets'), path.join(root, 'art'));
    for (const target of ['assets/logo.png', 'media/videos', 'art/logo.png', '.']) {
      const check = await checkInsideRoot(path.join(root, target), root);
      assert.equal(check.inside, true, target);
    }
  });

  it('refuses a link that leads out and names it, with what it points to', async () => {
    const { root, outside } = layout();
    mkdirSync(path.join(root, 'media'));
    symlinkSync(outside, path.join(root, 'media', 'videos'));
    const check = await checkInsideRoot(path.join(root, 'media', 'videos', 'hero.mp4'), root);
    assert.equal(check.inside, false);
    assert.deepEqual(!check.inside && check.link, { path: 'media/videos', target: outside });
    assert.equal(!check.inside && check.reason, `media/videos → ${outside} (a symbolic link)`);
  });

  it('names the last link inside the root when links are chained', async () => {
    const { root, outside } = layout();
    symlinkSync(path.join(root, 'b'), path.join(root, 'a'));
    symlinkSync(outside, path.join(root, 'b'));
    const check = await checkInsideRoot(path.join(root, 'a', 'x'), root);
    assert.equal(!check.inside && check.link?.path, 'b');
  });

  it('reaches the root through a link to it (the workspace opened by a linked path)', async () => {
    const { top, root } = layout();
    symlinkSync(root, path.join(top, 'ws-link'));
    const check = await checkInsideRoot(path.join(top, 'ws-link', 'media'), path.join(top, 'ws-link'));
    assert.equal(check.inside, true);
  });

  it('assertInsideRoot throws an error that says what, where and through which link', async () => {
    const { root, outside } = layout();
    symlinkSync(outside, path.join(root, 'out'));
    await assert.rejects(assertInsideRoot(path.join(root, 'out', 'a.mp4'), root, 'the video "a"'), (error: unknown) => {
      assert.ok(error instanceof OutsideWorkspaceError);
      assert.equal(error.message, `the video "a" leads outside the workspace (${root}): out → ${outside} (a symbolic link)`);
      return true;
    });
    assert.equal(await assertInsideRoot(path.join(root, 'in', 'a.mp4'), root, 'x'), path.join(root, 'in', 'a.mp4'));
  });
});
