import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, it } from 'node:test';
import { loadSidecar, readSidecar, writeSidecar } from '../../../../src/core/download/sidecar';
import { aSidecar } from '../../../helpers/sidecars';

const folder = () => mkdtempSync(path.join(tmpdir(), 'kling-sidecar-'));

describe('loadSidecar', () => {
  it('reads back what writeSidecar wrote', async () => {
    const video = path.join(folder(), 'hero.mp4');
    await writeSidecar(video, aSidecar({ video: 'hero' }));
    const read = await loadSidecar(video);
    assert.equal(read.kind, 'found');
    assert.equal(read.kind === 'found' && read.sidecar.video, 'hero');
    assert.equal((await readSidecar(video))?.taskId, 'task-unified-1764000000-abcd1234');
  });

  it('tells a video with no sidecar', async () => {
    assert.deepEqual(await loadSidecar(path.join(folder(), 'plain.mp4')), { kind: 'missing' });
  });

  it('says why a sidecar that is not JSON cannot be used', async () => {
    const video = path.join(folder(), 'a.mp4');
    writeFileSync(`${video}.json`, '{ "kling": 1, ');
    const read = await loadSidecar(video);
    assert.equal(read.kind, 'invalid');
    assert.match(read.kind === 'invalid' ? read.problem : '', /^it is not valid JSON \(/);
    assert.equal(await readSidecar(video), undefined);
  });

  it('names the field of a sidecar that does not fit the schema', async () => {
    const video = path.join(folder(), 'b.mp4');
    const { taskId: _dropped, ...withoutTaskId } = aSidecar();
    writeFileSync(`${video}.json`, JSON.stringify(withoutTaskId));
    const read = await loadSidecar(video);
    assert.equal(read.kind, 'invalid');
    assert.match(read.kind === 'invalid' ? read.problem : '', /^"taskId": /);
  });

  it('does not read a sidecar through a link, nor one that is a FIFO (it would never end)', async () => {
    const dir = folder();
    const elsewhere = path.join(folder(), 'secret.json');
    writeFileSync(elsewhere, JSON.stringify(aSidecar()));
    symlinkSync(elsewhere, path.join(dir, 'linked.mp4.json'));
    assert.deepEqual(await loadSidecar(path.join(dir, 'linked.mp4')), { kind: 'invalid', problem: 'it is a symbolic link, not a regular file' });
    // Node has no API to make a FIFO: the test makes it with mkfifo(1).
    execFileSync('mkfifo', [path.join(dir, 'pipe.mp4.json')]);
    assert.deepEqual(await loadSidecar(path.join(dir, 'pipe.mp4')), { kind: 'invalid', problem: 'it is a FIFO (named pipe), not a regular file' });
  });
});
