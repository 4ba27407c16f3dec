import assert from 'node:assert/strict';
import { writeFile } from 'node:fs/promises';
import * as path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { request } from 'undici';
import { amountToNumber } from '../../../src/core/pricing/decimal';
import { priceVideo } from '../../../src/core/pricing/pricing';
import type { Simulator } from '../../../src/core/simulator/simulatorServer';
import { pngBytes } from '../../helpers/images';
import { recordingClient, removeDir, startTestSimulator, tempDir, type ClientRecord } from '../../helpers/simulatorBed';
import { aVideoRequest } from '../../helpers/taskDrafts';

/** A broken client, engine or downloader fails its test rather than hanging the run. */
const LIMIT = { timeout: 10_000 };

describe('KlingClient against the simulator: credits and uploads', () => {
  let sim: Simulator;
  let bed: ClientRecord;
  let dir: string;
  before(async () => {
    sim = await startTestSimulator({ balanceCredits: 500 });
    bed = recordingClient(sim);
    dir = await tempDir('client-uploads');
  });
  after(async () => {
    await bed.client.close();
    await sim.close();
    await removeDir(dir);
  });

  it('credits drop by the price of each create, as the contract prices it', LIMIT, async () => {
    const start = (await bed.client.getCredits()).data;
    assert.equal(start.user!.remaining_credits, 500);
    assert.equal(start.user!.used_credits, 0);

    const videos = [
      aVideoRequest({ duration: 5, quality: '1080p', sound: 'on' }), // 10.8 × 5 = 54
      aVideoRequest({ duration: 7, quality: '1080p', sound: 'off' }), // 7.1982 × 7 = 50.3874
      aVideoRequest({ duration: 3, quality: '720p', sound: 'on' }), // 8.1 × 3 = 24.3
    ];
    const expected = [54, 50.3874, 24.3];
    let remaining = 500;
    for (const [i, body] of videos.entries()) {
      assert.equal(amountToNumber(priceVideo(body).credits), expected[i]);
      const task = await bed.client.createTask(body);
      assert.equal(task.usage?.credits_reserved, expected[i]);
      const credits = (await bed.client.getCredits()).data;
      remaining = Math.round((remaining - expected[i]!) * 1e4) / 1e4;
      assert.equal(credits.user!.remaining_credits, remaining);
      assert.equal(credits.token!.remaining_credits, remaining);
    }
    assert.equal(remaining, 371.3126);
    assert.equal((await bed.client.getCredits()).data.user!.used_credits, 128.6874);
  });

  it('uploads a PNG and creates an image-to-video task from its URL', LIMIT, async () => {
    const png = pngBytes(640, 360);
    const file = path.join(dir, 'first frame.png');
    await writeFile(file, png);
    const before = sim.stats().uploads;

    const url = await bed.client.uploadFile(file);
    assert.equal(sim.stats().uploads - before, 1);
    assert.ok(url.startsWith(`${sim.filesBaseUrl}/`), url);
    assert.match(url, /\.png$/);
    // The link is fetched without a key, as the service fetches it.
    const served = await request(url);
    assert.equal(served.statusCode, 200);
    assert.equal(served.headers['content-type'], 'image/png');
    assert.deepEqual(Buffer.from(await served.body.arrayBuffer()), png);

    const task = await bed.client.createTask({
      model: 'kling-v3-image-to-video',
      prompt: 'The boat sails out of the frame',
      image_start: url,
      duration: 5,
    });
    assert.equal(task.status, 'pending');
    assert.equal(task.model, 'kling-v3-image-to-video');
    const onSimulator = sim.tasks().find((t) => t.id === task.id);
    assert.equal(onSimulator?.model, 'kling-v3-image-to-video');
    assert.equal(onSimulator?.request.model === 'kling-v3-image-to-video' && onSimulator.request.image_start, url);
  });

  it('a dropped upload is retried (an upload costs nothing) and succeeds', LIMIT, async () => {
    const file = path.join(dir, 'retry.png');
    await writeFile(file, pngBytes(400, 400));
    sim.inject({ on: 'upload', kind: 'reset' });
    sim.inject({ on: 'upload', status: 503 });
    const before = sim.stats().uploads;
    const waits = bed.waits.length;
    const url = await bed.client.uploadFile(file);
    assert.equal(sim.stats().uploads - before, 3);
    assert.equal(bed.waits.length - waits, 2);
    assert.equal((await request(url)).statusCode, 200);
  });
});
