import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Simulator } from '../../../src/core/simulator/simulatorServer';
import { gifHeader, jpegHeader, paddedPng, pngBytes } from '../../helpers/images';
import { call, createTask, elementRequest, getTask, start, videoRequest } from './simulatorHarness';
import { FakeClock } from '../../helpers/fakeClock';

const CREATE = '/v1/videos/generations';
const I2V = 'kling-v3-image-to-video';

/** Uploads bytes with the base64 route and returns the file_url (the upload itself takes any image type). */
async function upload(sim: Simulator, bytes: Buffer, fileName: string): Promise<string> {
  const answer = await call(sim.baseUrl, 'POST', '/api/v1/files/upload/base64', { body: { base64_data: bytes.toString('base64'), file_name: fileName } });
  assert.equal(answer.status, 200, answer.text);
  return answer.json.data.file_url as string;
}

describe('simulator: what a create refers to (images it holds, elements it made)', () => {
  const clock = new FakeClock(Date.UTC(2026, 0, 15, 12));
  let sim: Simulator;
  before(async () => {
    sim = await start({ now: clock.now, balanceCredits: 1000 });
  });
  after(() => sim.close());

  /** Sends a create; asserts the 400 with its param, and that nothing was charged or created. */
  async function refused(body: unknown, param: string, message: RegExp): Promise<void> {
    const tasks = sim.tasks().length;
    const balance = sim.balance();
    const answer = await call(sim.baseUrl, 'POST', CREATE, { body });
    assert.equal(answer.status, 400, answer.text);
    assert.equal(answer.json.error.type, 'invalid_request_error');
    assert.equal(answer.json.error.param, param);
    assert.match(answer.json.error.message, message);
    assert.equal(sim.tasks().length, tasks, 'no task');
    assert.equal(sim.balance(), balance, 'nothing charged');
  }
  const frame = (image_start: string, fields: Record<string, unknown> = {}) => videoRequest({ model: I2V, image_start, ...fields });

  it('takes a GIF, a 200×200 and a 12 MB image as uploads (the Files API takes them)', async () => {
    for (const [bytes, name] of [[gifHeader(640, 480), 'a.gif'], [pngBytes(200, 200), 'small.png'], [paddedPng(640, 480, 12 * 1024 * 1024), 'big.png']] as const) {
      assert.match(await upload(sim, bytes, name), /\/files\/uploads\//);
    }
  });

  it('refuses a GIF as image_start, with param image_start', async () => {
    await refused(frame(await upload(sim, gifHeader(640, 480), 'anim.gif')), 'image_start', /image_start is a GIF image; use a JPEG or PNG/);
  });

  it('refuses a 200×200 frame, a 299 px short side, and accepts 300 px', async () => {
    await refused(frame(await upload(sim, pngBytes(200, 200), 'small.png')), 'image_start', /200×200; the short side must be at least 300 px/);
    await refused(frame(await upload(sim, pngBytes(299, 600), 'edge.png')), 'image_start', /299×600/);
    assert.equal((await call(sim.baseUrl, 'POST', CREATE, { body: frame(await upload(sim, pngBytes(300, 600), 'ok.png')) })).status, 200);
  });

  it('refuses a 12 MB frame and takes one of exactly 10 MB', async () => {
    await refused(frame(await upload(sim, paddedPng(640, 480, 12 * 1024 * 1024), 'big.png')), 'image_start', /12\.0 MB; images are at most 10 MB/);
    const exact = await upload(sim, paddedPng(640, 480, 10 * 1024 * 1024), 'exact.png');
    assert.equal((await call(sim.baseUrl, 'POST', CREATE, { body: frame(exact) })).status, 200);
  });

  it('refuses a frame whose aspect is beyond 1:2.5, as the last frame too, and takes exactly 2.5:1', async () => {
    const first = await upload(sim, pngBytes(640, 360), 'first.png');
    await refused(frame(first, { image_end: await upload(sim, jpegHeader(751, 300), 'wide.jpg') }), 'image_end', /751×300; the aspect must be between 1:2\.5 and 2\.5:1/);
    await refused(frame(await upload(sim, pngBytes(300, 751), 'tall.png')), 'image_start', /300×751/);
    assert.equal((await call(sim.baseUrl, 'POST', CREATE, { body: frame(first, { image_end: await upload(sim, jpegHeader(750, 300), 'edge.jpg') }) })).status, 200);
  });

  it('refuses an upload that has expired, and a link to this machine that is not one of its uploads', async () => {
    const url = await upload(sim, pngBytes(640, 360), 'soon.png');
    await clock.advance(72 * 3_600_000);
    await refused(frame(url), 'image_start', /cannot be fetched: the uploaded file is not found or has expired/);
    const otherRun = url.replace(/:\d+\//, ':1/');
    await refused(frame(otherRun), 'image_start', /is on the caller's machine, not on the internet/);
  });

  it('takes an external https link unchecked', async () => {
    assert.equal((await call(sim.baseUrl, 'POST', CREATE, { body: frame('https://cdn.example.com/anything.gif') })).status, 200);
  });

  it('holds an element\'s images to the same rules, with the field as param', async () => {
    const good = await upload(sim, pngBytes(640, 640), 'front.png');
    const gif = await upload(sim, gifHeader(640, 640), 'side.gif');
    const body = (frontal_image: string, refer: string) => ({
      ...elementRequest(),
      model_params: { ...(elementRequest().model_params as object), element_image_list: { frontal_image, refer_images: [{ image_url: refer }] } },
    });
    await refused(body(gif, good), 'model_params.element_image_list.frontal_image', /frontal_image is a GIF image/);
    await refused(body(good, gif), 'model_params.element_image_list.refer_images.0.image_url', /refer_images\.0\.image_url is a GIF image/);
    assert.equal((await call(sim.baseUrl, 'POST', CREATE, { body: body(good, good) })).status, 200);
  });

  it('refuses an element_id it never created, and one whose element is not finished yet; takes a finished one', async () => {
    const use = (id: string) => videoRequest({ prompt: '<<<element_1>>> waves', model_params: { element_list: [{ element_id: id }] } });
    await refused(use('el-made-up'), 'model_params.element_list.0.element_id', /Element 'el-made-up' not found/);
    const element = await createTask(sim, elementRequest());
    const finished = async () => (await getTask(sim, element.id)).status === 'completed';
    const id = sim.tasks().find((t) => t.id === element.id)!.elementId!;
    assert.equal(await finished(), false);
    await refused(use(id), 'model_params.element_list.0.element_id', /is not ready: its task is (pending|processing)/);
    await clock.advance(3_600_000);
    assert.equal(await finished(), true);
    assert.equal((await call(sim.baseUrl, 'POST', CREATE, { body: use(id) })).status, 200);
  });
});
