import assert from 'node:assert/strict';
import { mkdtemp, readdir, readFile, stat, utimes, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { describe, it } from 'node:test';
import { FileLock, LockTimeoutError } from '../../../../src/core/fs/fileLock';
import { newOwner, releaseOwner } from '../../../../src/core/process/processOwner';
import { goneOwner, remoteOwner } from '../../../helpers/owners';

const lockIn = async () => path.join(await mkdtemp(path.join(tmpdir(), 'kling-lock-')), 'journal.json.lock');

describe('FileLock', () => {
  it('lets one holder in at a time, and leaves nothing behind', async () => {
    const file = await lockIn();
    let inside = 0;
    let most = 0;
    const work = (lock: FileLock) =>
      lock.with(async () => {
        inside++;
        most = Math.max(most, inside);
        await new Promise((resolve) => setImmediate(resolve));
        inside--;
      });
    const a = new FileLock(file, { owner: newOwner() });
    const b = new FileLock(file, { owner: newOwner() });
    await Promise.all(Array.from({ length: 20 }, (_, i) => work(i % 2 ? a : b)));
    assert.equal(most, 1);
    assert.deepEqual(await readdir(path.dirname(file)), []);
  });

  it('records its holder and a token in the lock file', async () => {
    const file = await lockIn();
    const owner = newOwner('kling render');
    const held = await new FileLock(file, { owner }).acquire();
    const content = JSON.parse(await readFile(file, 'utf8'));
    assert.equal(content.owner.pid, process.pid);
    assert.equal(content.owner.token, owner.token);
    assert.match(content.lock, /^[0-9a-f]{16}$/);
    await held.release();
  });

  it('takes over a lock whose holder has ended, and only that one', async () => {
    const file = await lockIn();
    await writeFile(file, JSON.stringify({ owner: goneOwner(), lock: 'aaaaaaaaaaaaaaaa' }));
    const held = await new FileLock(file, { owner: newOwner() }).acquire();
    assert.notEqual(JSON.parse(await readFile(file, 'utf8')).lock, 'aaaaaaaaaaaaaaaa');
    await held.release();
  });

  it('waits for a live holder, however old its lock file looks, and gives up with a clear error after its time-out', async () => {
    const file = await lockIn();
    const holder = newOwner('kling render');
    await writeFile(file, JSON.stringify({ owner: holder, lock: 'bbbbbbbbbbbbbbbb' }));
    // An hour old by its time stamp: the old lock took a lock over by its age alone, whoever held it.
    const anHourAgo = new Date(Date.now() - 3_600_000);
    await utimes(file, anHourAgo, anHourAgo);
    await assert.rejects(new FileLock(file, { owner: newOwner(), timeoutMs: 200 }).acquire(), (error: unknown) => {
      assert.ok(error instanceof LockTimeoutError);
      assert.match(error.message, new RegExp(`held by process ${process.pid}`));
      return true;
    });
    assert.equal(JSON.parse(await readFile(file, 'utf8')).lock, 'bbbbbbbbbbbbbbbb', 'the live holder keeps its lock');
    releaseOwner(holder);
    const held = await new FileLock(file, { owner: newOwner() }).acquire();
    await held.release();
  });

  it('takes a lock of another machine over only once it has gone silent', async () => {
    const file = await lockIn();
    await writeFile(file, JSON.stringify({ owner: remoteOwner(), lock: 'cccccccccccccccc' }));
    await assert.rejects(new FileLock(file, { owner: newOwner(), silentMs: 60_000, timeoutMs: 100 }).acquire(), LockTimeoutError);
    const old = new Date(Date.now() - 120_000);
    await utimes(file, old, old);
    const held = await new FileLock(file, { owner: newOwner(), silentMs: 60_000 }).acquire();
    await held.release();
  });

  it('never removes a lock that is no longer its own', async () => {
    const file = await lockIn();
    const held = await new FileLock(file, { owner: newOwner() }).acquire();
    // Another process judged us gone and took it over meanwhile.
    const thief = newOwner();
    await writeFile(file, JSON.stringify({ owner: thief, lock: 'dddddddddddddddd' }));
    await held.release();
    assert.equal(JSON.parse(await readFile(file, 'utf8')).lock, 'dddddddddddddddd');
  });

  it('keeps its lock fresh while it holds it', async () => {
    const file = await lockIn();
    const held = await new FileLock(file, { owner: newOwner(), refreshMs: 20 }).acquire();
    const old = new Date(Date.now() - 600_000);
    await utimes(file, old, old);
    const before = (await stat(file)).mtimeMs;
    const deadline = Date.now() + 5_000;
    while ((await stat(file)).mtimeMs === before && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 10));
    assert.ok((await stat(file)).mtimeMs > before + 500_000, 'the holder touched its lock again');
    await held.release();
  });
});
