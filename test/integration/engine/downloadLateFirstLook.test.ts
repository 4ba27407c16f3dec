import assert from 'node:assert/strict';
import * as path from 'node:path';
import { afterEach, beforeEach, describe, it } from 'node:test';
import type { Simulator } from '../../../src/core/simulator/simulatorServer';
import { entryWhen, startEngine, type EngineBed } from '../../helpers/engineBed';
import { removeDir, startTestSimulator, tempDir } from '../../helpers/simulatorBed';
import { aVideoDraft } from '../../helpers/taskDrafts';
import { FakeClock } from '../../helpers/fakeClock';

// The engine starts a result link's 24 hours when *it* first sees the task completed. A render stopped while its
// task was queued and resumed a day and more later (a laptop closed over the weekend) first sees it completed then:
// the link died long ago. The CDN refuses it, a fresh look at the task hands back the same dead link, and the
// engine still calls the video "download pending, its link works until" tomorrow, retrying for 24 more hours. In
// that time every render plans it "under way" (never priced, --force or not): the video can neither be fetched nor
// made again.

const LIMIT = { timeout: 30_000 };
const HOUR = 3_600_000;

describe('a completed task first seen after its link died', () => {
  let sim: Simulator;
  let dir: string;
  const clock = new FakeClock(Date.UTC(2026, 0, 15, 12));
  const beds: EngineBed[] = [];

  beforeEach(async () => {
    sim = await startTestSimulator({ processingSeconds: 5, now: clock.now });
    dir = await tempDir('late-look');
  });
  afterEach(async () => {
    for (const bed of beds.splice(0)) await bed.close();
    await sim.close();
    await removeDir(dir);
  });

  it('its link refused even after a fresh look at the task: expired, not "download pending" for another day', LIMIT, async () => {
    const journalPath = path.join(dir, 'state', 'journal.json');
    const first = await startEngine(sim, journalPath);
    beds.push(first);
    const outputPath = path.join(dir, 'videos', 'weekend.mp4');
    const submitted = await first.engine.submit({ ...aVideoDraft(outputPath, { duration: 3 }, 'weekend'), workspaceRoot: dir });
    assert.equal(submitted.state.status, 'pending');
    await first.close();

    // Two days pass on the service's clock: the task completed, and its link expired a day ago.
    await clock.advance(48 * HOUR);

    const second = await startEngine(sim, journalPath);
    beds.push(second);
    await second.engine.start();
    const ended = await entryWhen(second.journal, submitted.id, (e) => e.state.status === 'expired' || (e.state.status === 'completed' && e.lastError !== undefined));
    assert.ok(
      second.logs.some((line) => /asked task .* for its link again/.test(line)),
      `the engine asked the task for a fresh link first: ${second.logs.join(' | ')}`,
    );
    assert.equal(
      ended.state.status,
      'expired',
      `refused by the CDN before and after a fresh look, the link is dead; yet the entry says: ${ended.lastError ?? JSON.stringify(ended.state)}`,
    );
    assert.equal(sim.stats().creates, 1);
  });
});
