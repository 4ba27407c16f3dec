import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { describe, it } from 'node:test';
import { writeSidecar } from '../../../../src/core/download/sidecar';
import { findSimulatorClipsDir, renderSimulatedVideo } from '../../../../src/core/media/simulatedVideo';
import { readStoryboardTimeline } from '../../../../src/core/player/readStoryboardTimeline';
import { buildTimeline, itemAt, shotsFromDurations, type TimelineSource } from '../../../../src/core/player/storyboardTimeline';
import { planStoryboard } from '../../../../src/core/render/storyboardPlan';
import { checkStoryboardText } from '../../../../src/core/storyboard/validateStoryboard';
import { aSidecar, TWO_SHOT_REQUEST } from '../../../helpers/sidecars';

const SOURCES: TimelineSource[] = [
  { name: 'intro', plannedSeconds: 3, plannedShots: [], chosen: { path: '/o/intro.mp4', seconds: 3, shots: [], upToDate: true } },
  {
    name: 'trailer',
    plannedSeconds: 3,
    plannedShots: shotsFromDurations([{ prompt: 'a hilltop', duration: 1 }, { prompt: 'the city', duration: 2 }]),
    chosen: { path: '/o/trailer.mp4', seconds: 3, shots: shotsFromDurations([{ prompt: 'a hilltop', duration: 1 }, { prompt: 'the city', duration: 2 }]), upToDate: true },
  },
  { name: 'missing', plannedSeconds: 5, plannedShots: shotsFromDurations([{ prompt: 'rain', duration: 2 }, { prompt: 'sun', duration: 3 }]) },
  {
    name: 'outro',
    plannedSeconds: 5,
    plannedShots: [],
    // A file a little shorter than asked for, of an older recipe whose shots ran 3 + 2 s.
    chosen: { path: '/o/outro.mp4', seconds: 4.5, shots: shotsFromDurations([{ prompt: 'wave', duration: 3 }, { prompt: 'bow', duration: 2 }]), upToDate: false },
  },
];

describe('the timeline of a storyboard', () => {
  it('lays the chosen takes end to end in file order, with a video not rendered yet as a gap of its planned length', () => {
    const timeline = buildTimeline(SOURCES);
    assert.deepEqual(
      timeline.items.map((item) => [item.name, item.kind, item.start, item.end]),
      [
        ['intro', 'video', 0, 3],
        ['trailer', 'video', 3, 6],
        ['missing', 'gap', 6, 11],
        ['outro', 'video', 11, 15.5],
      ],
    );
    assert.equal(timeline.total, 15.5);
    assert.equal(timeline.missing, 1);
    const outro = timeline.items[3]!;
    assert.equal(outro.kind === 'video' && outro.upToDate, false, 'a chosen take of an older recipe still plays, marked');
  });

  it('marks a chapter per video and per shot; a gap keeps the shots the storyboard plans', () => {
    assert.deepEqual(
      buildTimeline(SOURCES).chapters.map((c) => [c.kind, c.time, c.item, c.label]),
      [
        ['video', 0, 0, 'intro'],
        ['video', 3, 1, 'trailer'],
        ['shot', 4, 1, 'trailer · shot 2'],
        ['video', 6, 2, 'missing (not rendered yet)'],
        ['shot', 8, 2, 'missing · shot 2'],
        ['video', 11, 3, 'outro'],
        ['shot', 14, 3, 'outro · shot 2'],
      ],
    );
  });

  it('clips shots to a file shorter than its recipe', () => {
    const outro = buildTimeline(SOURCES).items[3]!;
    assert.deepEqual(outro.shots.map((s) => [s.start, s.end]), [[0, 3], [3, 4.5]]);
  });

  it('finds what plays at a time: at a cut the next video, inside a gap the gap, the end the last item', () => {
    const timeline = buildTimeline(SOURCES);
    assert.deepEqual(itemAt(timeline, 0), { item: 0, offset: 0 });
    assert.deepEqual(itemAt(timeline, 3), { item: 1, offset: 0 });
    assert.deepEqual(itemAt(timeline, 7.5), { item: 2, offset: 1.5 });
    assert.deepEqual(itemAt(timeline, 15.5), { item: 3, offset: 4.5 });
    assert.deepEqual(itemAt(timeline, -2), { item: 0, offset: 0 });
    assert.equal(itemAt(buildTimeline([]), 1), undefined);
  });

  it('reads a storyboard on disk: files for the rendered videos, their sidecars\' shots, gaps for the rest', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'kling-timeline-'));
    const text = `{ "version": 1, "output": "out", "videos": [
      { "name": "one", "prompt": "A", "duration": 3 },
      { "name": "two", "shots": [ { "prompt": "A person on a hilltop at dawn", "duration": 4 }, { "prompt": "The camera pulls back to reveal the city", "duration": 6 } ] },
      { "name": "three", "prompt": "C", "duration": 4 } ] }`;
    const storyboardPath = path.join(dir, 's.kling.json');
    writeFileSync(storyboardPath, text);
    const plan = await planStoryboard(checkStoryboardText(text).storyboard!, { storyboardPath });
    mkdirSync(path.join(dir, 'out'));
    const clipsDir = findSimulatorClipsDir(process.cwd());
    const one = await renderSimulatedVideo({ clipsDir, durationSeconds: 3, width: 1280, height: 720 });
    writeFileSync(path.join(dir, 'out', 'one.mp4'), one);
    await writeSidecar(path.join(dir, 'out', 'one.mp4'), aSidecar({ requestHash: plan.videos[0]!.requestHash, bytes: one.length }));
    const two = await renderSimulatedVideo({ clipsDir, durationSeconds: 10, width: 1280, height: 720 });
    writeFileSync(path.join(dir, 'out', 'two.mp4'), two);
    await writeSidecar(path.join(dir, 'out', 'two.mp4'), aSidecar({ request: TWO_SHOT_REQUEST, requestHash: `sha256:${'0'.repeat(64)}`, bytes: two.length }));

    const timeline = await readStoryboardTimeline(plan);
    assert.deepEqual(
      timeline.items.map((item) => [item.name, item.kind, item.start, item.end, item.kind === 'video' ? item.upToDate : null]),
      [
        ['one', 'video', 0, 3, true],
        ['two', 'video', 3, 13, false],
        ['three', 'gap', 13, 17, null],
      ],
    );
    assert.deepEqual(timeline.items[1]!.shots.map((s) => [s.start, s.end]), [[0, 4], [4, 10]]);
  });
});
