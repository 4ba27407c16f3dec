import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { readMp4Info } from '../../../src/core/media/mp4Info';
import type { Simulator } from '../../../src/core/simulator/simulatorServer';
import { call, createTask, getTask, start, videoRequest } from './simulatorHarness';
import { FakeClock } from '../../helpers/fakeClock';

const TIME_SCALE = 10;
const LINK_TTL_MS = 60_000;
const FRAME = 1 / 24;

let work: string;
before(async () => {
  work = await mkdtemp(path.join(tmpdir(), 'kling-simulator-downloads-'));
});
after(() => rm(work, { recursive: true, force: true }));

/** Creates a task, moves the clock to its end, and returns its result link. */
async function completedVideo(sim: Simulator, clock: FakeClock, fields: Record<string, unknown> = {}): Promise<{ id: string; url: string }> {
  const created = await createTask(sim, videoRequest(fields));
  await clock.advance(100 * TIME_SCALE); // longer than any task (15 s of video: 3 + 20 + 30 s)
  const task = await getTask(sim, created.id);
  assert.equal(task.status, 'completed');
  return { id: created.id, url: task.results[0] };
}

async function saved(name: string, bytes: Buffer): Promise<string> {
  const file = path.join(work, name);
  await writeFile(file, bytes);
  return file;
}

describe('simulator: result videos', () => {
  const clock = new FakeClock(Date.UTC(2026, 0, 15, 12));
  let sim: Simulator;
  before(async () => {
    sim = await start({ now: clock.now, timeScale: TIME_SCALE, linkTtlMs: LINK_TTL_MS });
  });
  after(() => sim.close());

  const cases = [
    ['720p', '16:9', 1280, 720, 5],
    ['720p', '9:16', 720, 1280, 3],
    ['720p', '1:1', 720, 720, 15],
    ['1080p', '16:9', 1920, 1080, 4],
    ['1080p', '9:16', 1080, 1920, 10],
    ['1080p', '1:1', 1080, 1080, 6],
  ] as const;
  for (const [quality, aspect, width, height, duration] of cases) {
    it(`serves a ${duration} s ${quality} ${aspect} MP4 of ${width}x${height}, without a key`, async () => {
      const { id, url } = await completedVideo(sim, clock, { quality, aspect_ratio: aspect, duration });
      const answer = await call(url, 'GET', url, { key: null });
      assert.equal(answer.status, 200);
      assert.equal(answer.headers['content-type'], 'video/mp4');
      assert.equal(Number(answer.headers['content-length']), answer.bytes.length);
      assert.equal(answer.headers['accept-ranges'], 'bytes');
      assert.match(String(answer.headers['etag']), /^".+"$/);
      const info = await readMp4Info(await saved(`${id}.mp4`, answer.bytes));
      assert.ok(Math.abs(info.durationSeconds - duration) <= FRAME, `duration ${info.durationSeconds}`);
      assert.deepEqual([info.width, info.height], [width, height]);
      assert.equal(info.fastStart, true);
    });
  }

  it('answers HEAD with the same headers and no body', async () => {
    const { url } = await completedVideo(sim, clock);
    const whole = await call(url, 'GET', url);
    const head = await call(url, 'HEAD', url);
    assert.equal(head.status, 200);
    assert.equal(head.bytes.length, 0);
    for (const name of ['content-length', 'content-type', 'etag', 'accept-ranges']) assert.equal(head.headers[name], whole.headers[name], name);
  });

  it('serves ranges: N-, N-M, -S, and 416 past the end', async () => {
    const { url } = await completedVideo(sim, clock);
    const whole = (await call(url, 'GET', url)).bytes;
    const size = whole.length;
    for (const [range, start, end] of [
      ['bytes=1000-', 1000, size],
      ['bytes=0-99', 0, 100],
      ['bytes=500-999999999', 500, size],
      ['bytes=-64', size - 64, size],
    ] as const) {
      const answer = await call(url, 'GET', url, { headers: { range } });
      assert.equal(answer.status, 206, range);
      assert.equal(answer.headers['content-range'], `bytes ${start}-${end - 1}/${size}`);
      assert.equal(Number(answer.headers['content-length']), end - start);
      assert.ok(answer.bytes.equals(whole.subarray(start, end)), range);
    }
    const beyond = await call(url, 'GET', url, { headers: { range: `bytes=${size}-` } });
    assert.equal(beyond.status, 416);
    assert.equal(beyond.headers['content-range'], `bytes */${size}`);
  });

  it('honours If-Range and If-None-Match with the ETag', async () => {
    const { url } = await completedVideo(sim, clock);
    const whole = await call(url, 'GET', url);
    const etag = String(whole.headers['etag']);
    assert.equal((await call(url, 'GET', url, { headers: { range: 'bytes=10-', 'if-range': etag } })).status, 206);
    const stale = await call(url, 'GET', url, { headers: { range: 'bytes=10-', 'if-range': '"another"' } });
    assert.equal(stale.status, 200);
    assert.equal(stale.bytes.length, whole.bytes.length);
    assert.equal((await call(url, 'GET', url, { headers: { 'if-none-match': etag } })).status, 304);
  });

  it('answers 403 with a plain explanation once the link has expired', async () => {
    const { url } = await completedVideo(sim, clock);
    const expires = Number(new URL(url).searchParams.get('expires'));
    const completedAt = expires - LINK_TTL_MS;
    clock.ms = completedAt + LINK_TTL_MS - 1;
    assert.equal((await call(url, 'GET', url)).status, 200);
    clock.ms = completedAt + LINK_TTL_MS;
    const expired = await call(url, 'GET', url);
    assert.equal(expired.status, 403);
    assert.match(String(expired.headers['content-type']), /^text\/plain/);
    assert.match(expired.text, /expired/);
    assert.match(expired.text, /60 seconds/);
    // Editing the link does not extend it: expiry is judged by the task's completion time.
    const edited = url.replace(/expires=\d+/, `expires=${expires + 10 * LINK_TTL_MS}`);
    assert.equal((await call(edited, 'GET', edited)).status, 403);
  });

  it('answers 404 for a video not ready, failed, or of no task', async () => {
    const running = await createTask(sim, videoRequest());
    const failing = await createTask(sim, videoRequest({ prompt: '[fail:service_error]' }));
    const link = (id: string) => `${sim.baseUrl}/files/videos/${id}.mp4`;
    assert.equal((await call(sim.baseUrl, 'GET', link(running.id))).status, 404);
    await clock.advance(20 * TIME_SCALE);
    assert.equal((await getTask(sim, failing.id)).status, 'failed');
    assert.equal((await call(sim.baseUrl, 'GET', link(failing.id))).status, 404);
    const none = await call(sim.baseUrl, 'GET', link('task-unified-1-aaaaaaaa'));
    assert.equal(none.status, 404);
    assert.equal(none.json.error.type, 'not_found_error');
  });
});

describe('simulator: padded videos', () => {
  const PADDING = 3 * 1024 * 1024 + 5;
  const clock = new FakeClock(Date.UTC(2026, 0, 15, 12));
  let plain: Simulator;
  let padded: Simulator;
  before(async () => {
    plain = await start({ now: clock.now, timeScale: TIME_SCALE });
    padded = await start({ now: clock.now, timeScale: TIME_SCALE, videoPaddingBytes: PADDING });
  });
  after(async () => {
    await plain.close();
    await padded.close();
  });

  it('adds a free box of exactly the padding, shown by HEAD, streamed as zeros, still a valid MP4', async () => {
    const { url: plainUrl } = await completedVideo(plain, clock, { duration: 4 });
    const { url } = await completedVideo(padded, clock, { duration: 4 });
    const video = (await call(plainUrl, 'GET', plainUrl)).bytes;

    const head = await call(url, 'HEAD', url);
    assert.equal(Number(head.headers['content-length']), video.length + PADDING);

    const whole = (await call(url, 'GET', url)).bytes;
    assert.equal(whole.length, video.length + PADDING);
    // Each simulator renders its own copy, and renders are deterministic.
    assert.ok(whole.subarray(0, video.length).equals(video), 'the video comes first, whole');
    assert.equal(whole.readUInt32BE(video.length), PADDING);
    assert.equal(whole.toString('latin1', video.length + 4, video.length + 8), 'free');
    assert.ok(whole.subarray(video.length + 8).every((byte) => byte === 0));

    const info = await readMp4Info(await saved('padded.mp4', whole));
    assert.ok(Math.abs(info.durationSeconds - 4) <= FRAME);

    const tail = await call(url, 'GET', url, { headers: { range: `bytes=${whole.length - 1000}-` } });
    assert.equal(tail.status, 206);
    assert.ok(tail.bytes.equals(Buffer.alloc(1000)));
  });
});
