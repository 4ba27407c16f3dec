import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { constants } from 'node:fs';
import { mkdir, open, rename, writeFile } from 'node:fs/promises';
import * as path from 'node:path';
import { afterEach, beforeEach, describe, it } from 'node:test';
import { claimFile, videoClaimRef } from '../../../src/core/claims/claimStore';
import { readKnownElements } from '../../../src/core/render/renderStoryboard';
import type { Simulator } from '../../../src/core/simulator/simulatorServer';
import { startEngine, type EngineBed } from '../../helpers/engineBed';
import { goneOwner } from '../../helpers/owners';
import { removeDir, startTestSimulator, tempDir } from '../../helpers/simulatorBed';
import { aVideoDraft, SIMULATOR_BACKEND } from '../../helpers/taskDrafts';
import { errorText } from '../../../src/core/text/errorText';

// What sits where a claim or the claims lock should be is not always a file: a cloned repo, a sync tool or a user
// can leave a FIFO (or a link to one) there. Reading it must not wait for a writer that never comes: the submit must
// end, with a message that says what to remove, and nothing created.

const LIMIT = { timeout: 20_000 };
/** Far longer than a submit takes here (tens of milliseconds); a submit still running then is stuck. */
const STUCK_MS = 5_000;

describe('a claim or claims lock that is not a regular file', () => {
  let sim: Simulator;
  let dir: string;
  const beds: EngineBed[] = [];
  const fifos: string[] = [];

  /** Makes a FIFO (Node has no API for it: mkfifo(1), in the test only). */
  const fifoAt = async (file: string) => {
    await mkdir(path.dirname(file), { recursive: true });
    execFileSync('mkfifo', [file]);
    fifos.push(file);
  };

  beforeEach(async () => {
    sim = await startTestSimulator({ processingSeconds: 5 });
    dir = await tempDir('claim-kinds');
  });
  afterEach(async () => {
    // A read stuck on a FIFO holds one of libuv's threads until a writer comes, and keeps this process alive. Each
    // FIFO is opened as a writer (O_RDWR never blocks), replaced by a regular file so that the next look finds one
    // (a lock of a holder that is gone, which is taken over), and closed: the stuck read gets its end of file.
    for (const fifo of fifos.splice(0)) {
      const writer = await open(fifo, constants.O_RDWR);
      const replacement = `${fifo}.replacement`;
      await writeFile(replacement, JSON.stringify({ owner: goneOwner(), lock: 'left-by-the-test' }));
      await rename(replacement, fifo);
      await writer.close();
    }
    for (const bed of beds.splice(0)) await bed.close();
    await sim.close();
    await removeDir(dir);
  });

  /** The submit's outcome, or "stuck" when it has not settled after STUCK_MS. */
  const settleOf = async (work: Promise<unknown>) => {
    let timer: NodeJS.Timeout | undefined;
    const stuck = new Promise<'stuck'>((resolve) => (timer = setTimeout(() => resolve('stuck'), STUCK_MS)));
    const settled = work.then(
      () => 'created' as const,
      (error: unknown) => (errorText(error)),
    );
    try {
      return await Promise.race([settled, stuck]);
    } finally {
      clearTimeout(timer);
    }
  };

  it('a FIFO in place of the claim: the submit ends, refuses, and creates nothing', LIMIT, async () => {
    const bed = await startEngine(sim, path.join(dir, 'state', 'journal.json'));
    beds.push(bed);
    const outputPath = path.join(dir, 'videos', 'hero.mp4');
    const draft = aVideoDraft(outputPath, {}, 'hero');
    await fifoAt(claimFile(videoClaimRef(outputPath, draft.requestHash, SIMULATOR_BACKEND)));

    const outcome = await settleOf(bed.engine.submit({ ...draft, workspaceRoot: dir }));
    assert.notEqual(outcome, 'stuck', 'the submit never ended: it is reading the FIFO');
    assert.match(String(outcome), /not a regular file/);
    assert.equal(sim.stats().creates, 0);
  });

  it('a FIFO in place of the claims folder\'s lock: the submit ends, says what to remove, and creates nothing', LIMIT, async () => {
    const bed = await startEngine(sim, path.join(dir, 'state', 'journal.json'));
    beds.push(bed);
    const outputPath = path.join(dir, 'videos', 'hero.mp4');
    await fifoAt(path.join(dir, 'videos', '.kling-claims.lock'));

    const outcome = await settleOf(bed.engine.submit({ ...aVideoDraft(outputPath, {}, 'hero'), workspaceRoot: dir }));
    assert.notEqual(outcome, 'stuck', 'the submit never ended: it is reading the lock, a FIFO');
    assert.match(String(outcome), /\.kling-claims\.lock/);
    assert.equal(sim.stats().creates, 0);
  });
});

describe('the element ids file that is not a regular file', () => {
  it('a FIFO as .kling-elements.json: reading the known elements (the first thing render and the editor\'s analysis do) ends', LIMIT, async () => {
    const dir = await tempDir('elements-fifo');
    const fifo = path.join(dir, 'out', '.kling-elements.json');
    try {
      await mkdir(path.dirname(fifo), { recursive: true });
      execFileSync('mkfifo', [fifo]);
      let timer: NodeJS.Timeout | undefined;
      const outcome = await Promise.race([
        readKnownElements(path.dirname(fifo), SIMULATOR_BACKEND).then(() => 'read', () => 'refused'),
        new Promise<string>((resolve) => (timer = setTimeout(() => resolve('stuck'), STUCK_MS))),
      ]).finally(() => clearTimeout(timer));
      assert.notEqual(outcome, 'stuck', 'reading .kling-elements.json never ended: it is a FIFO');
    } finally {
      const handle = await open(fifo, constants.O_WRONLY | constants.O_NONBLOCK).catch(() => undefined);
      await handle?.close();
      await removeDir(dir);
    }
  });
});
