import assert from 'node:assert/strict';
import { existsSync, statSync } from 'node:fs';
import { readdir, readFile, stat } from 'node:fs/promises';
import * as path from 'node:path';
import { afterEach, beforeEach, describe, it } from 'node:test';
import { Agent } from 'undici';
import { ApiError } from '../../../src/core/api/apiError';
import { TASK_FAILURE_CODES } from '../../../src/core/api/errorTable';
import { partialPathOf } from '../../../src/core/download/downloadFile';
import { readSidecar, sidecarPathOf } from '../../../src/core/download/sidecar';
import { TaskJournal } from '../../../src/core/journal/taskJournal';
import type { JournalEntry, TaskState } from '../../../src/core/journal/taskState';
import { readMp4Info } from '../../../src/core/media/mp4Info';
import type { Simulator } from '../../../src/core/simulator/simulatorServer';
import { takePathOf } from '../../../src/core/takes/takeLayout';
import { entryWhen, startEngine, type EngineBed } from '../../helpers/engineBed';
import { removeDir, startTestSimulator, tempDir } from '../../helpers/simulatorBed';
import { aVideoDraft } from '../../helpers/taskDrafts';

// The whole life of a task through TaskEngine, over real HTTP against the simulator: journal before the create,
// polls on the schedule scaled to the simulator's clock, download, sidecar, and a restart that picks up where the
// last process stopped without creating anything twice.

/** A broken client, engine or downloader fails its test rather than hanging the run. */
const LIMIT = { timeout: 20_000 };

// docs/service-contract.md, "Query a task", word for word: the two lists of task error codes.
const NOT_WORTH_RETRYING = [
  'content_policy_violation',
  'invalid_parameters',
  'image_dimension_mismatch',
  'image_processing_error',
  'request_cancelled',
  'resource_not_found',
  'model_unavailable',
];
const MAY_SUCCEED_AGAIN = [
  'generation_timeout',
  'quota_exceeded',
  'resource_exhausted',
  'generation_failed_no_content',
  'service_error',
  'service_unavailable',
  'upstream_error',
  'rate_limited',
  'unknown_error',
];

/** Statuses in the order the journal went through them, each run of repeats collapsed to one. */
function statusRuns(states: readonly TaskState[]): string[] {
  return states.map((s) => s.status).filter((status, i, all) => i === 0 || all[i - 1] !== status);
}

describe('TaskEngine against the simulator', () => {
  let sim: Simulator;
  let dir: string;
  let journalPath: string;
  const beds: EngineBed[] = [];
  const engineOn = async () => {
    const bed = await startEngine(sim, journalPath);
    beds.push(bed);
    return bed;
  };

  beforeEach(async () => {
    // 60 simulated seconds of processing (plus 2 per second of video) at 5 ms each: several polls see it running.
    sim = await startTestSimulator({ processingSeconds: 60 });
    dir = await tempDir('engine');
    journalPath = path.join(dir, 'state', 'journal.json');
  });
  afterEach(async () => {
    for (const bed of beds.splice(0)) await bed.close();
    await sim.close();
    await removeDir(dir);
  });

  it('takes a video from submit to a saved MP4 with its sidecar', LIMIT, async () => {
    // About a second of processing, some fifteen polls: progress is seen rising even on a machine busy elsewhere.
    await sim.close();
    sim = await startTestSimulator({ processingSeconds: 200 });
    const { engine, journal } = await engineOn();
    const states: TaskState[] = [];
    journal.onDidChange((entry) => entry && states.push(structuredClone(entry.state)));
    const outputPath = path.join(dir, 'videos', 'tower.mp4');
    const draft = aVideoDraft(outputPath, { prompt: 'A clock tower at dusk, pigeons take off', duration: 4, aspect_ratio: '9:16', quality: '1080p' }, 'tower');

    // Whenever the journal moves, whatever is at the target must be the whole file: sizes seen there, checked at the end.
    const seenAtTarget: number[] = [];
    journal.onDidChange(() => {
      if (existsSync(outputPath)) seenAtTarget.push(statSync(outputPath).size);
    });

    const submitted = await engine.submit(draft);
    assert.equal(submitted.state.status, 'pending');
    assert.match(submitted.taskId ?? '', /^task-unified-\d+-[a-z0-9]{8}$/);
    const [done] = await engine.waitFor([submitted.id]);

    assert.deepEqual(statusRuns(states), ['submitting', 'pending', 'processing', 'completed', 'downloading', 'saved']);
    const progress = states.flatMap((s) => (s.status === 'processing' ? [s.progress] : []));
    const distinct = progress.filter((p, i) => i === 0 || progress[i - 1] !== p);
    assert.ok(distinct.length >= 2, `progress was seen only as ${JSON.stringify(progress)}`);
    for (let i = 1; i < distinct.length; i++) assert.ok(distinct[i]! > distinct[i - 1]!, `progress fell: ${JSON.stringify(distinct)}`);
    const downloading = states.filter((s) => s.status === 'downloading');
    const last = downloading.at(-1);
    assert.ok(last?.status === 'downloading' && last.totalBytes !== undefined && last.receivedBytes === last.totalBytes);

    // The journal on disk, as the next process would read it.
    const reread = new TaskJournal(journalPath);
    await reread.load();
    const saved = reread.get(submitted.id)!;
    assert.deepEqual(saved.state, { status: 'saved', filePath: outputPath });
    assert.deepEqual(done, saved);
    assert.equal(saved.reportedCredits, 28.7928);
    assert.ok(saved.finishedAt! >= saved.createdAt);

    const sidecar = await readSidecar(outputPath);
    assert.ok(sidecar, 'the sidecar is there and readable');
    const bytes = (await stat(outputPath)).size;
    assert.deepEqual(sidecar.request, draft.request);
    assert.equal(sidecar.requestHash, draft.requestHash);
    assert.equal(sidecar.taskId, submitted.taskId);
    assert.equal(sidecar.model, 'kling-v3-text-to-video');
    assert.equal(sidecar.video, 'tower');
    assert.equal(sidecar.label, 'tower');
    assert.deepEqual(sidecar.price, { estimated: { seconds: 4, usd: '0.4', credits: '28.7928' }, reportedCredits: 28.7928 });
    assert.equal(sidecar.simulated, true);
    assert.equal(sidecar.bytes, bytes);
    assert.ok(seenAtTarget.length > 0 && seenAtTarget.every((size) => size === bytes), `sizes at the target: ${JSON.stringify(seenAtTarget)} of ${bytes}`);
    const times = [sidecar.createdAt, sidecar.completedAt, sidecar.savedAt].map((t) => Date.parse(t ?? ''));
    assert.ok(times.every(Number.isFinite), JSON.stringify(sidecar));
    assert.ok(times[0]! <= times[1]! && times[1]! <= times[2]!, `times out of order: ${JSON.stringify(times)}`);
    assert.equal(times[0], saved.createdAt);

    const info = await readMp4Info(outputPath);
    assert.equal(info.durationSeconds, 4);
    assert.deepEqual([info.width, info.height], [1080, 1920]);

    // Every render is kept as a take in the hidden .takes folder; the video is that take, linked, not a second copy.
    assert.deepEqual((await readdir(path.dirname(outputPath))).sort(), ['.takes', 'tower.mp4', 'tower.mp4.json']);
    const take = takePathOf(outputPath, saved.createdAt, saved.taskId!);
    assert.deepEqual((await readdir(path.dirname(take))).sort(), [path.basename(take), `${path.basename(take)}.json`]);
    assert.equal((await stat(take)).ino, (await stat(outputPath)).ino);
    assert.equal(sim.stats().creates, 1);
    assert.equal(sim.tasks()[0]!.id, submitted.taskId);
  });

  it('records every task failure code of the contract with its verbatim message and whether to try again', LIMIT, async () => {
    assert.deepEqual([...TASK_FAILURE_CODES].sort(), [...NOT_WORTH_RETRYING, ...MAY_SUCCEED_AGAIN].sort(), 'errorTable.ts drifted from the contract');
    const { engine, client } = await engineOn();
    const codes = [...NOT_WORTH_RETRYING, ...MAY_SUCCEED_AGAIN];
    const entries = await Promise.all(
      codes.map((code) => engine.submit(aVideoDraft(path.join(dir, 'videos', `${code}.mp4`), { prompt: `A fox [fail:${code}]`, duration: 3 }, code))),
    );
    const ended = await engine.waitFor(entries.map((e) => e.id));
    assert.equal(ended.length, codes.length);
    for (const [i, code] of codes.entries()) {
      const entry = ended[i]!;
      const served = await client.getTask(entry.taskId!);
      assert.equal(served.status, 'failed');
      assert.deepEqual(
        entry.state,
        { status: 'failed', code, message: served.error!.message, retryable: MAY_SUCCEED_AGAIN.includes(code) },
        `task failing with ${code}`,
      );
      assert.ok(entry.state.status === 'failed' && entry.state.message.length > 0);
    }
    assert.deepEqual(await readdir(path.join(dir, 'videos')).catch(() => []), [], 'nothing is downloaded for a failed task, and no claim is left');
    assert.equal(sim.stats().creates, codes.length);
    assert.equal(sim.stats().downloads, 0);
  });

  it('a restarted process finishes the task the stopped one created, without creating it again', LIMIT, async () => {
    const a = await engineOn();
    const outputPath = path.join(dir, 'videos', 'restart.mp4');
    const submitted = await a.engine.submit(aVideoDraft(outputPath, { prompt: 'Waves break on a basalt beach' }, 'restart'));
    const running = await entryWhen(a.journal, submitted.id, (e) => e.state.status === 'processing');
    const pollsBefore = running.polls;
    await a.close();

    const stopped = new TaskJournal(journalPath);
    await stopped.load();
    const left = stopped.get(submitted.id)!;
    assert.equal(left.state.status, 'processing', 'process A stopped while the task was running');
    assert.ok(left.polls >= pollsBefore);
    await assert.rejects(stat(outputPath), { code: 'ENOENT' });
    const taskGetsA = sim.stats().taskGets;

    const b = await engineOn();
    await b.engine.start();
    const [done] = await b.engine.waitFor([submitted.id]);
    assert.deepEqual(done!.state, { status: 'saved', filePath: outputPath });
    assert.equal(done!.taskId, submitted.taskId);
    assert.ok(sim.stats().taskGets > taskGetsA, 'process B polled the task');
    assert.equal(sim.stats().creates, 1, 'the task was created once, by process A');
    assert.equal(sim.tasks().length, 1);
    assert.deepEqual((await readdir(path.dirname(outputPath))).sort(), ['.takes', 'restart.mp4', 'restart.mp4.json']);
    assert.equal((await readSidecar(outputPath))?.taskId, submitted.taskId);
    const info = await readMp4Info(outputPath);
    assert.equal(info.durationSeconds, 5);
  });

  it('a create whose answer was lost stays unknown in the journal and is never sent again', LIMIT, async () => {
    sim.inject({ on: 'create', kind: 'lose-answer' });
    const a = await engineOn();
    const outputPath = path.join(dir, 'videos', 'lost.mp4');
    let thrown: unknown;
    await a.engine.submit(aVideoDraft(outputPath, { prompt: 'A kite tangled in a tree' }, 'lost')).catch((error: unknown) => (thrown = error));
    assert.ok(thrown instanceof ApiError && thrown.kind === 'outcome-unknown', String(thrown));

    const [entry] = a.journal.list();
    assert.equal(a.journal.list().length, 1);
    assert.deepEqual(entry!.state, { status: 'unknown', reason: thrown.message });
    assert.equal(entry!.taskId, undefined);
    assert.deepEqual(await a.engine.waitFor([entry!.id]), [entry], 'an unknown create without a task id has ended: nothing to wait for');
    await a.close();

    // A restart does not send it either; the simulator's task runs to completion unclaimed.
    const b = await engineOn();
    await b.engine.start();
    while (sim.tasks()[0]!.status !== 'completed') await new Promise((resolve) => setTimeout(resolve, 20));
    assert.equal(sim.stats().creates, 1);
    assert.equal(sim.tasks().length, 1, 'the lost create did make (and charge for) one task');
    assert.equal(b.journal.get(entry!.id)?.state.status, 'unknown');
    assert.equal(sim.stats().taskGets, 0, 'there is no task id to poll');
    await assert.rejects(stat(outputPath), { code: 'ENOENT' });
  });

  it('a create interrupted by the end of the process becomes unknown at the next start, not a second create', LIMIT, async () => {
    const a = await engineOn();
    const draft = aVideoDraft(path.join(dir, 'videos', 'crashed.mp4'), {}, 'crashed');
    const now = Date.now();
    const entry: JournalEntry = {
      id: 'job-crashed-1',
      kind: draft.kind,
      label: draft.label,
      request: draft.request,
      requestHash: draft.requestHash,
      price: draft.price,
      backend: draft.backend,
      outputPath: draft.outputPath,
      state: { status: 'submitting' },
      polls: 0,
      createdAt: now,
      updatedAt: now,
    };
    await a.journal.add(entry);
    await a.engine.start();
    const after = a.journal.get(entry.id)!;
    assert.equal(after.state.status, 'unknown');
    assert.match(after.state.status === 'unknown' ? after.state.reason : '', /may have been created and charged/);
    assert.equal(sim.stats().creates, 0);
  });

  it('a result link that expired before the download ends the task as expired, with nothing at the target', LIMIT, async () => {
    await sim.close();
    sim = await startTestSimulator({ processingSeconds: 10, linkTtlMs: 1 });
    const bed = await startEngine(sim, journalPath, { linkTtlMs: 1 });
    beds.push(bed);
    const outputPath = path.join(dir, 'videos', 'late.mp4');
    const submitted = await bed.engine.submit(aVideoDraft(outputPath, { duration: 3 }, 'late'));
    const [ended] = await bed.engine.waitFor([submitted.id]);
    assert.equal(ended!.state.status, 'expired');
    assert.match(ended!.state.status === 'expired' ? ended!.state.reason : '', /link expired .*no longer valid \(HTTP 403\).*paid again/);
    assert.equal(sim.stats().creates, 1);
    const files = await readdir(path.dirname(outputPath), { recursive: true, withFileTypes: true }).catch(() => []);
    assert.deepEqual(files.filter((f) => !f.isDirectory()).map((f) => f.name), [], 'no video, no partial file, no claim');
  });

  it('a stalled download through the engine: the bytes so far wait in the hidden partial file, then it resumes', LIMIT, async () => {
    await sim.close();
    sim = await startTestSimulator({ processingSeconds: 10, videoPaddingBytes: 256 * 1024 });
    sim.inject({ on: 'download', kind: 'stall', afterBytes: 100_000 });
    const agent = new Agent({ bodyTimeout: 1000 });
    try {
      const bed = await startEngine(sim, journalPath, { downloadDispatcher: () => agent });
      beds.push(bed);
      const outputPath = path.join(dir, 'videos', 'stalled.mp4');
      const submitted = await bed.engine.submit(aVideoDraft(outputPath, { duration: 3 }, 'stalled'));
      await entryWhen(bed.journal, submitted.id, (e) => e.state.status === 'downloading');
      // The transfer is stalled for a second: the bytes that came are on disk beside the take, never at the video.
      const part = partialPathOf(takePathOf(outputPath, submitted.createdAt, submitted.taskId!));
      while ((await stat(part).then((s) => s.size, () => 0)) < 100_000) await new Promise((resolve) => setTimeout(resolve, 5));
      assert.equal(existsSync(outputPath), false, 'a partial file at the target');
      assert.equal(bed.journal.get(submitted.id)?.state.status, 'downloading');

      const [ended] = await bed.engine.waitFor([submitted.id]);
      assert.deepEqual(ended!.state, { status: 'saved', filePath: outputPath });
      const gets = sim.stats().requests.filter((r) => r.path.startsWith('/files/videos/'));
      assert.deepEqual(gets.map((r) => [r.status, r.fault ?? '']).sort(), [
        [200, 'stall'],
        [206, ''],
      ]);
      assert.equal(existsSync(part), false);
      assert.equal((await readMp4Info(outputPath)).durationSeconds, 3);
    } finally {
      await agent.close();
    }
  });

  it('a download cut twice through the engine is resumed and saved whole', LIMIT, async () => {
    await sim.close();
    sim = await startTestSimulator({ processingSeconds: 10, videoPaddingBytes: 256 * 1024 });
    sim.inject({ on: 'download', kind: 'cut', afterBytes: 50_000 });
    sim.inject({ on: 'download', kind: 'cut', afterBytes: 50_000 });
    const { engine, logs } = await engineOn();
    const outputPath = path.join(dir, 'videos', 'cut.mp4');
    const submitted = await engine.submit(aVideoDraft(outputPath, { duration: 3 }, 'cut'));
    const [ended] = await engine.waitFor([submitted.id]);
    assert.deepEqual(ended!.state, { status: 'saved', filePath: outputPath });
    const gets = sim.stats().requests.filter((r) => r.path.startsWith('/files/videos/'));
    assert.deepEqual(
      gets.map((r) => [r.status, r.fault ?? '']),
      [
        [200, 'cut'],
        [206, 'cut'],
        [206, ''],
      ],
    );
    const whole = await readFile(outputPath);
    assert.equal(whole.length, (await readSidecar(outputPath))!.bytes);
    assert.ok(logs.some((line) => line.includes('3 requests')), logs.join('\n'));
    assert.equal((await readMp4Info(outputPath)).durationSeconds, 3);
    assert.ok(await stat(sidecarPathOf(outputPath)));
  });
  it('a poll answered with a 200 whose body is not JSON is asked again later, and the video is saved', LIMIT, async () => {
    sim.inject({ on: 'task', kind: 'not-json', times: 2 });
    const { engine, logs } = await engineOn();
    const outputPath = path.join(dir, 'videos', 'garbled.mp4');
    const submitted = await engine.submit(aVideoDraft(outputPath, { duration: 3 }, 'garbled'));
    const [ended] = await engine.waitFor([submitted.id]);
    assert.deepEqual(ended!.state, { status: 'saved', filePath: outputPath });
    const polls = sim.stats().requests.filter((r) => r.path.startsWith('/v1/tasks/'));
    assert.deepEqual(polls.slice(0, 2).map((r) => [r.status, r.fault]), [[200, 'not-json'], [200, 'not-json']]);
    assert.ok(polls.length > 2, 'asked again after the garbled answers');
    assert.ok(logs.some((line) => /poll of .* failed: .*was not what Kling Studio expects: it is not JSON\. Run it again with --record FILE/.test(line)), logs.join('\n'));
    assert.equal(sim.stats().creates, 1);
  });
});
