import assert from 'node:assert/strict';
import { lstatSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, realpathSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { describe, it } from 'node:test';
import { OutsideWorkspaceError } from '../../../../src/core/fs/workspaceBoundary';
import { writeAtomically } from '../../../../src/core/fs/writeAtomically';

function layout() {
  const top = realpathSync(mkdtempSync(path.join(tmpdir(), 'kling-atomic-')));
  const root = path.join(top, 'ws');
  const outside = path.join(top, 'outside');
  mkdirSync(root);
  mkdirSync(outside);
  return { root, outside };
}

describe('writeAtomically', () => {
  it('writes the whole content and leaves no temporary file', async () => {
    const { root } = layout();
    const file = path.join(root, 'a', 'b.json');
    await writeAtomically(file, '{"x":1}\n', { root });
    assert.equal(readFileSync(file, 'utf8'), '{"x":1}\n');
    assert.deepEqual(readdirSync(path.dirname(file)), ['b.json']);
  });

  it('replaces a link at the target instead of writing through it', async () => {
    const { root, outside } = layout();
    const victim = path.join(outside, 'victim.txt');
    writeFileSync(victim, 'precious');
    symlinkSync(victim, path.join(root, 'b.json'));
    await writeAtomically(path.join(root, 'b.json'), 'new', { root });
    assert.equal(readFileSync(victim, 'utf8'), 'precious');
    assert.equal(lstatSync(path.join(root, 'b.json')).isFile(), true);
    assert.equal(readFileSync(path.join(root, 'b.json'), 'utf8'), 'new');
  });

  it('refuses a folder that leads outside the root, before making anything there', async () => {
    const { root, outside } = layout();
    symlinkSync(outside, path.join(root, 'media'));
    await assert.rejects(writeAtomically(path.join(root, 'media', 'videos', 'a.json'), 'x', { root }), (error: unknown) => {
      assert.ok(error instanceof OutsideWorkspaceError);
      assert.match(error.message, /the folder of a\.json leads outside the workspace .*: media → .*outside \(a symbolic link\)/);
      return true;
    });
    assert.deepEqual(readdirSync(outside), [], 'no folder or file was made outside');
  });
});
