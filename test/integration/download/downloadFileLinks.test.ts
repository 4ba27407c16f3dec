import assert from 'node:assert/strict';
import { existsSync, lstatSync } from 'node:fs';
import { mkdir, readdir, readFile, realpath, rm, symlink, writeFile } from 'node:fs/promises';
import * as path from 'node:path';
import { after, afterEach, before, beforeEach, describe, it } from 'node:test';
import type { KlingClient } from '../../../src/core/api/klingClient';
import { DownloadError, downloadFile, partialPathOf } from '../../../src/core/download/downloadFile';
import { writeSidecar } from '../../../src/core/download/sidecar';
import { OutsideWorkspaceError } from '../../../src/core/fs/workspaceBoundary';
import type { Simulator } from '../../../src/core/simulator/simulatorServer';
import { entryWhen, startEngine } from '../../helpers/engineBed';
import { pngBytes } from '../../helpers/images';
import { aSidecar } from '../../helpers/sidecars';
import { recordingClient, removeDir, startTestSimulator, tempDir } from '../../helpers/simulatorBed';
import { aVideoDraft, aVideoRequest } from '../../helpers/taskDrafts';
import { FakeClock } from '../../helpers/fakeClock';

// Symbolic links planted in a workspace (a cloned repo can carry any) never make a download, a sidecar or an
// upload touch a file outside it. Real client, real simulator, real files.

const LIMIT = { timeout: 20_000 };

/** A workspace, a folder beside it with a file that must never change, both by real path. */
async function layout() {
  const top = await realpath(await tempDir('links'));
  const root = path.join(top, 'ws');
  const outside = path.join(top, 'outside');
  await mkdir(root);
  await mkdir(outside);
  const victim = path.join(outside, 'victim.bin');
  const precious = Buffer.from('precious bytes that no download may overwrite\n');
  await writeFile(victim, precious);
  return { top, root, outside, victim, precious };
}

describe('downloads and sidecars with planted links', () => {
  const clock = new FakeClock(Date.UTC(2026, 0, 15, 12));
  let sim: Simulator;
  let client: KlingClient;
  let url: string;
  let reference: Buffer;
  let top: string;

  before(async () => {
    sim = await startTestSimulator({ now: clock.now });
    client = recordingClient(sim).client;
    const task = await client.createTask(aVideoRequest({ duration: 5 }));
    await clock.advance(60_000);
    url = (await client.getTask(task.id)).results![0]!;
    const refDir = await tempDir('links-reference');
    reference = await readFile((await downloadFile({ url, targetPath: path.join(refDir, 'r.mp4') })).filePath);
    await removeDir(refDir);
  });
  after(async () => {
    await client.close();
    await sim.close();
  });
  beforeEach(() => sim.clearFaults());
  afterEach(() => removeDir(top));

  it('a planted .hero.mp4.part link to a file outside: that file is byte-identical afterwards, the video is saved', LIMIT, async () => {
    const ws = await layout();
    top = path.dirname(ws.root);
    const target = path.join(ws.root, 'media', 'hero.mp4');
    await mkdir(path.dirname(target));
    await symlink(ws.victim, partialPathOf(target));
    const logs: string[] = [];
    const result = await downloadFile({ url, targetPath: target, root: ws.root, sleep: async () => {}, log: (line) => logs.push(line) });
    assert.deepEqual(await readFile(ws.victim), ws.precious, 'the file the link pointed to is untouched');
    assert.deepEqual(await readFile(target), reference);
    assert.equal(result.bytes, reference.length);
    assert.equal(lstatSync(target).isFile(), true);
    assert.deepEqual(await readdir(path.dirname(target)), ['hero.mp4'], 'the link was removed, no partial file is left');
    assert.ok(logs.some((line) => /a symbolic link was found in place of the partial download .*removed \(not followed\)/.test(line)), logs.join('\n'));
  });

  it('a planted link in place of the partial file during a resume is not written through either', LIMIT, async () => {
    const ws = await layout();
    top = path.dirname(ws.root);
    const target = path.join(ws.root, 'hero.mp4');
    // A cut leaves a real partial file; the link is planted in its place before the next attempt.
    sim.inject({ on: 'download', kind: 'cut', afterBytes: 1_000 });
    let planted = false;
    await downloadFile({
      url,
      targetPath: target,
      root: ws.root,
      sleep: async () => {
        if (planted) return;
        planted = true;
        const { rm } = await import('node:fs/promises');
        await rm(partialPathOf(target));
        await symlink(ws.victim, partialPathOf(target));
      },
    });
    assert.equal(planted, true);
    assert.deepEqual(await readFile(ws.victim), ws.precious);
    assert.deepEqual(await readFile(target), reference);
  });

  it('a final video path that is a link to a file outside is replaced, not written through', LIMIT, async () => {
    const ws = await layout();
    top = path.dirname(ws.root);
    const target = path.join(ws.root, 'hero.mp4');
    await symlink(ws.victim, target);
    await downloadFile({ url, targetPath: target, root: ws.root, sleep: async () => {} });
    assert.deepEqual(await readFile(ws.victim), ws.precious);
    assert.equal(lstatSync(target).isFile(), true);
    assert.deepEqual(await readFile(target), reference);
  });

  it('an output folder that is a link out of the workspace: refused, naming the link, nothing written outside', LIMIT, async () => {
    const ws = await layout();
    top = path.dirname(ws.root);
    await symlink(ws.outside, path.join(ws.root, 'media'));
    const target = path.join(ws.root, 'media', 'videos', 'hero.mp4');
    const downloads = sim.stats().downloads;
    await assert.rejects(downloadFile({ url, targetPath: target, root: ws.root, sleep: async () => {} }), (error: unknown) => {
      assert.ok(error instanceof DownloadError);
      assert.equal(error.linkExpired, false);
      assert.equal(error.message, `the folder of hero.mp4 leads outside the workspace (${ws.root}): media → ${ws.outside} (a symbolic link). Nothing was written there.`);
      return true;
    });
    assert.deepEqual(await readdir(ws.outside), ['victim.bin'], 'no folder, partial file or video outside');
    assert.equal(sim.stats().downloads, downloads, 'not even a request: the bytes would have nowhere to go');
  });

  it('something other than a file in place of the partial download (a folder) is the user\'s to remove: a clear error', LIMIT, async () => {
    const ws = await layout();
    top = path.dirname(ws.root);
    const target = path.join(ws.root, 'hero.mp4');
    await mkdir(partialPathOf(target));
    await assert.rejects(downloadFile({ url, targetPath: target, root: ws.root, sleep: async () => {} }), {
      name: 'DownloadError',
      message: `${partialPathOf(target)} is a folder, where the partial download is kept: remove it, then download again.`,
    });
    assert.equal(existsSync(target), false);
  });

  it('a sidecar over a link to a file outside replaces the link; a sidecar folder that leads out is refused', LIMIT, async () => {
    const ws = await layout();
    top = path.dirname(ws.root);
    const video = path.join(ws.root, 'hero.mp4');
    await symlink(ws.victim, `${video}.json`);
    await writeSidecar(video, aSidecar({ video: 'hero' }), { root: ws.root });
    assert.deepEqual(await readFile(ws.victim), ws.precious);
    assert.equal(JSON.parse(await readFile(`${video}.json`, 'utf8')).video, 'hero');

    await symlink(ws.outside, path.join(ws.root, 'out'));
    await assert.rejects(writeSidecar(path.join(ws.root, 'out', 'a.mp4'), aSidecar({ video: 'a' }), { root: ws.root }), OutsideWorkspaceError);
    assert.deepEqual(await readdir(ws.outside), ['victim.bin']);
  });

  it('the engine checks the entry\'s workspaceRoot before it creates: a render into a linked folder is refused with the link named, nothing created, nothing outside', LIMIT, async () => {
    const ws = await layout();
    top = path.dirname(ws.root);
    await symlink(ws.outside, path.join(ws.root, 'media'));
    const journalPath = path.join(ws.top, 'journal.json');
    const engineSim = await startTestSimulator();
    const bed = await startEngine(engineSim, journalPath);
    try {
      await assert.rejects(bed.engine.submit({ ...aVideoDraft(path.join(ws.root, 'media', 'hero.mp4'), { duration: 3 }), workspaceRoot: ws.root }), (error: unknown) => {
        assert.match(String(error), /the output folder leads outside the workspace .*: media → .*outside \(a symbolic link\)/);
        return true;
      });
      assert.equal(engineSim.stats().creates, 0, 'nothing is paid for a video that could not be saved');
      assert.deepEqual(bed.journal.list(), []);
      assert.deepEqual(await readdir(ws.outside), ['victim.bin']);
    } finally {
      await bed.close();
      await engineSim.close();
    }
  });
  it('a folder swapped for a link while its task runs: the download is refused with the link named, nothing outside, the video still pending', LIMIT, async () => {
    const ws = await layout();
    top = path.dirname(ws.root);
    await mkdir(path.join(ws.root, 'media'));
    const journalPath = path.join(ws.top, 'journal.json');
    const engineSim = await startTestSimulator({ processingSeconds: 100 });
    const bed = await startEngine(engineSim, journalPath);
    try {
      const entry = await bed.engine.submit({ ...aVideoDraft(path.join(ws.root, 'media', 'hero.mp4'), { duration: 3 }), workspaceRoot: ws.root });
      assert.equal(bed.journal.get(entry.id)?.workspaceRoot, ws.root, 'journaled with the entry');
      await entryWhen(bed.journal, entry.id, (e) => e.state.status === 'processing');
      await rm(path.join(ws.root, 'media'), { recursive: true, maxRetries: 10, retryDelay: 5 });
      await symlink(ws.outside, path.join(ws.root, 'media'));
      const ended = await entryWhen(bed.journal, entry.id, (e) => e.lastError !== undefined);
      assert.match(ended.lastError ?? '', /leads outside the workspace .*: media → .*outside \(a symbolic link\)/);
      assert.equal(ended.state.status, 'completed', 'paid for: still to be fetched once the folder is fixed');
      assert.deepEqual(await readdir(ws.outside), ['victim.bin']);
    } finally {
      await bed.close();
      await engineSim.close();
    }
  });
});

describe('uploads of images that are links', () => {
  let sim: Simulator;
  let client: KlingClient;
  let top: string;
  before(async () => {
    sim = await startTestSimulator();
    client = recordingClient(sim).client;
  });
  after(async () => {
    await client.close();
    await sim.close();
  });
  afterEach(() => removeDir(top));

  it('an image that is a link to a file outside the workspace is refused with the link named, and nothing is uploaded', LIMIT, async () => {
    const ws = await layout();
    top = ws.top;
    await writeFile(path.join(ws.outside, 'secret.png'), pngBytes(640, 360));
    await mkdir(path.join(ws.root, 'assets'));
    await symlink(path.join(ws.outside, 'secret.png'), path.join(ws.root, 'assets', 'logo.png'));
    const before = sim.stats().uploads;
    await assert.rejects(client.uploadFile(path.join(ws.root, 'assets', 'logo.png'), { root: ws.root }), (error: unknown) => {
      assert.ok(error instanceof OutsideWorkspaceError);
      assert.equal(error.message, `the image logo.png leads outside the workspace (${ws.root}): assets/logo.png → ${path.join(ws.outside, 'secret.png')} (a symbolic link)`);
      return true;
    });
    assert.equal(sim.stats().uploads - before, 0, 'the simulator received no upload');
  });

  it('an image linked inside the workspace is uploaded (its real file); without a root a link is still never followed', LIMIT, async () => {
    const ws = await layout();
    top = ws.top;
    const png = pngBytes(400, 400);
    await mkdir(path.join(ws.root, 'assets'));
    await writeFile(path.join(ws.root, 'assets', 'real.png'), png);
    await symlink('real.png', path.join(ws.root, 'assets', 'logo.png'));
    const url = await client.uploadFile(path.join(ws.root, 'assets', 'logo.png'), { root: ws.root });
    const { request } = await import('undici');
    assert.deepEqual(Buffer.from(await (await request(url)).body.arrayBuffer()), png);
    const before = sim.stats().uploads;
    await assert.rejects(client.uploadFile(path.join(ws.root, 'assets', 'logo.png')), { name: 'NotRegularFileError', message: /is a symbolic link, not a regular file/ });
    assert.equal(sim.stats().uploads - before, 0);
  });
});

