import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdir, readdir, stat, writeFile } from 'node:fs/promises';
import * as path from 'node:path';
import { afterEach, beforeEach, describe, it } from 'node:test';
import { downloadFile } from '../../../src/core/download/downloadFile';
import { FileLock } from '../../../src/core/fs/fileLock';
import { newOwner } from '../../../src/core/process/processOwner';
import { renderStoryboard, type VideoOutcome } from '../../../src/core/render/renderStoryboard';
import { planStoryboard } from '../../../src/core/render/storyboardPlan';
import type { Simulator } from '../../../src/core/simulator/simulatorServer';
import { validateStoryboard } from '../../../src/core/storyboard/validateStoryboard';
import { downloadFailureMessage } from '../../../src/core/tasks/downloadFailure';
import { startEngine, type EngineBed } from '../../helpers/engineBed';
import { recordingClient, removeDir, startTestSimulator, tempDir } from '../../helpers/simulatorBed';
import { aStoryboardText, aVideoRequest, SIMULATOR_BACKEND } from '../../helpers/taskDrafts';
import { FakeClock } from '../../helpers/fakeClock';

// A disk that fills up during a render, made real: the output folder is a small tmpfs (this needs root, or
// CAP_SYS_ADMIN, to mount). Found by `npm run soak` ("disk full, then freed"):
// - the render hung until space was freed. A claim's lock is created, then its record cannot be written (ENOSPC):
//   the empty lock file stays, and every later claim operation in the folder waits on it (2 s as "being written",
//   then a take-over whose own guard file cannot be written either, 5 s each), with a new waiter at each journal
//   event, so the render never ends on a full disk. (Removing the file whose record could not be written makes both
//   of the first two tests pass, and the soak's row too.)
// - a video whose bytes did not fit is "download pending" with "The download did not complete after 6 attempts:
//   ENOSPC…", not "The disk is full… free some disk space, then run `kling download`": downloadFile wraps the write
//   error in a DownloadError without its code, so downloadFailureMessage cannot tell a full disk.

const PAGE = 4096;
/** A 3 s square 720p simulator video is 21,817 bytes: 6 pages, and its sidecar one more. */
const FOUR_VIDEOS = (4 * 7 + 4) * PAGE;

function mountTmpfs(folder: string, bytes: number): void {
  try {
    execFileSync('mount', ['-t', 'tmpfs', '-o', `size=${bytes}`, 'tmpfs', folder], { stdio: 'pipe' });
  } catch (error) {
    throw new Error(`this test mounts a tmpfs to fill a disk for real, which needs root: ${String((error as { stderr?: Buffer }).stderr ?? error)}`);
  }
}

async function fill(folder: string): Promise<void> {
  const chunk = Buffer.alloc(PAGE, 1);
  for (let i = 0; ; i++) {
    try {
      await writeFile(path.join(folder, `filler-${i}`), chunk);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOSPC') return;
      throw error;
    }
  }
}

describe('a disk that fills up', () => {
  let dir: string;
  let out: string;
  let mounted = false;
  let sim: Simulator | undefined;
  const beds: EngineBed[] = [];

  beforeEach(async () => {
    dir = await tempDir('disk-full');
    out = path.join(dir, 'videos');
    await mkdir(out);
  });
  afterEach(async () => {
    // Room again, so that anything still waiting on the full disk can finish before the folder goes.
    if (mounted) execFileSync('mount', ['-o', 'remount,size=64m', out]);
    for (const bed of beds.splice(0)) await bed.close();
    await sim?.close();
    if (mounted) execFileSync('umount', ['-l', out]);
    mounted = false;
    await removeDir(dir);
  });

  it('a lock whose record cannot be written (ENOSPC) leaves no lock file behind', { timeout: 20_000 }, async () => {
    mountTmpfs(out, 4 * PAGE);
    mounted = true;
    await fill(out);
    const lock = new FileLock(path.join(out, '.kling-claims.lock'), { owner: newOwner('test'), createFolder: false });
    await assert.rejects(lock.acquire(), (error: NodeJS.ErrnoException) => error.code === 'ENOSPC');
    const left = (await readdir(out)).filter((name) => name.startsWith('.kling-claims.lock'));
    assert.deepEqual(left, [], `left behind: ${await Promise.all(left.map(async (n) => `${n} (${(await stat(path.join(out, n))).size} bytes)`))}`);
  });

  it('a render whose output folder fills up ends: each video saved, waiting for its download, or failed unsent', { timeout: 60_000 }, async () => {
    sim = await startTestSimulator({ processingSeconds: 10 });
    mountTmpfs(out, FOUR_VIDEOS);
    mounted = true;
    const storyboardPath = path.join(dir, 'full.kling.json');
    const text = aStoryboardText(16, 'videos');
    await writeFile(storyboardPath, text);
    const { storyboard } = await validateStoryboard(text, { storyboardPath, workspaceRoot: dir });
    const bed = await startEngine(sim, path.join(dir, '.state', 'journal.json'));
    beds.push(bed);
    await bed.engine.start();
    const plan = await planStoryboard(storyboard!, { storyboardPath, workspaceRoot: dir, journal: bed.journal.list(), backend: SIMULATOR_BACKEND });
    const rendering = renderStoryboard(plan, { engine: bed.engine, backend: SIMULATOR_BACKEND, concurrency: 4, upload: () => assert.fail('no images') });
    let timer: NodeJS.Timeout | undefined;
    const ended = await Promise.race([rendering, new Promise<'still rendering'>((resolve) => (timer = setTimeout(() => resolve('still rendering'), 30_000)))]);
    clearTimeout(timer);
    const hidden = (await readdir(out)).filter((name) => name.startsWith('.kling-claims.lock'));
    assert.notEqual(ended, 'still rendering', `the render had not ended 30 s after it started on a disk that holds 4 of its 16 videos (in the output folder: ${hidden.join(', ')})`);
    const kinds = (ended as VideoOutcome[]).map((o) => o.kind);
    assert.equal(kinds.length, 16);
    assert.ok(kinds.every((kind) => kind === 'saved' || kind === 'download-pending' || kind === 'failed'), kinds.join(', '));
    assert.equal(sim.stats().creates, kinds.filter((kind) => kind !== 'failed').length, 'created: the saved and the pending, nothing for a video that failed unsent');
  });

  it('a video that does not fit on the disk is reported as a full disk, with what to do', { timeout: 20_000 }, async () => {
    const clock = new FakeClock(Date.UTC(2026, 0, 15, 12));
    sim = await startTestSimulator({ now: clock.now });
    const { client } = recordingClient(sim);
    const task = await client.createTask(aVideoRequest({ duration: 3, aspect_ratio: '1:1' }));
    await clock.advance(60_000);
    const url = (await client.getTask(task.id)).results![0]!;
    await client.close();
    mountTmpfs(out, 2 * PAGE);
    mounted = true;
    const error: unknown = await downloadFile({ url, targetPath: path.join(out, 'big.mp4'), sleep: async () => {} }).then(
      () => assert.fail('a 21,817-byte video was saved on an 8 KiB disk'),
      (e: unknown) => e,
    );
    const message = downloadFailureMessage(error, Date.now() + 3_600_000);
    assert.match(message, /^The disk is full\. .*free some disk space, then run `kling download`/, message);
  });
});
