import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { FileUpload } from '../../../src/core/api/apiSchemas';
import { SIMULATOR_API_KEY, type Simulator } from '../../../src/core/simulator/simulatorServer';
import { pngBytes } from '../../helpers/images';
import { call, start } from './simulatorHarness';
import { FakeClock } from '../../helpers/fakeClock';

const STREAM = '/api/v1/files/upload/stream';
const BASE64 = '/api/v1/files/upload/base64';
const MAX_UPLOAD = 64 * 1024;

// The simulator sniffs only the first bytes, so a magic number and some filler stand for each type.
const IMAGES = {
  png: { bytes: pngBytes(320, 320), mime: 'image/png' },
  jpg: { bytes: Buffer.concat([Buffer.from([0xff, 0xd8, 0xff, 0xe0]), Buffer.alloc(200, 7)]), mime: 'image/jpeg' },
  gif: { bytes: Buffer.concat([Buffer.from('GIF89a', 'latin1'), Buffer.alloc(200, 7)]), mime: 'image/gif' },
  webp: { bytes: Buffer.concat([Buffer.from('RIFF\x00\x01\x00\x00WEBPVP8 ', 'latin1'), Buffer.alloc(200, 7)]), mime: 'image/webp' },
} as const;

/** A multipart upload as a real client (Node's fetch with FormData) sends it. */
async function uploadForm(sim: Simulator, bytes: Buffer, name: string, key: string | null = SIMULATOR_API_KEY) {
  const form = new FormData();
  form.append('file', new Blob([new Uint8Array(bytes)]), name);
  const response = await fetch(`${sim.filesBaseUrl}${STREAM}`, {
    method: 'POST',
    body: form,
    headers: key === null ? {} : { authorization: `Bearer ${key}` },
  });
  return { status: response.status, json: (await response.json()) as any };
}

describe('simulator: Files API', () => {
  const clock = new FakeClock(Date.UTC(2026, 0, 15, 12));
  let sim: Simulator;
  before(async () => {
    sim = await start({ now: clock.now, maxUploadBytes: MAX_UPLOAD });
  });
  after(() => sim.close());

  for (const [extension, image] of Object.entries(IMAGES)) {
    it(`takes a ${extension.toUpperCase()} by multipart and serves it back at file_url`, async () => {
      const uploaded = await uploadForm(sim, image.bytes, `picture.${extension}`);
      assert.equal(uploaded.status, 200, JSON.stringify(uploaded.json));
      assert.equal(uploaded.json.success, true);
      const url = FileUpload.parse(uploaded.json).data.file_url;
      assert.match(url, new RegExp(`^${sim.filesBaseUrl}/files/uploads/[0-9a-f]{24}\\.${extension}$`));
      assert.equal(uploaded.json.data.mime_type, image.mime);
      assert.equal(uploaded.json.data.file_size, image.bytes.length);
      assert.equal(uploaded.json.data.file_name, `picture.${extension}`);
      const served = await call(url, 'GET', url, { key: null });
      assert.equal(served.status, 200);
      assert.equal(served.headers['content-type'], image.mime);
      assert.ok(served.bytes.equals(image.bytes));
    });
  }

  it('takes base64 JSON, plain or as a data: URL', async () => {
    const png = IMAGES.png.bytes;
    for (const base64_data of [png.toString('base64'), `data:image/png;base64,${png.toString('base64')}`]) {
      const answer = await call(sim.filesBaseUrl, 'POST', BASE64, { body: { base64_data, file_name: 'frame.png' } });
      assert.equal(answer.status, 200, answer.text);
      assert.equal(answer.json.data.file_name, 'frame.png');
      const served = await call(answer.json.data.file_url, 'GET', answer.json.data.file_url);
      assert.ok(served.bytes.equals(png));
    }
  });

  it('refuses what is not JPEG, PNG, GIF or WebP with 400, whatever the file name says', async () => {
    const text = await uploadForm(sim, Buffer.from('just some text, not an image'), 'photo.png');
    assert.equal(text.status, 400);
    assert.equal(text.json.error.type, 'invalid_request_error');
    assert.equal(text.json.error.param, 'file');
    const bmp = await call(sim.filesBaseUrl, 'POST', BASE64, { body: { base64_data: Buffer.from('BM\x00\x00\x00\x00').toString('base64') } });
    assert.equal(bmp.status, 400);
  });

  it('refuses files over the limit with 413 request_too_large_error, by both routes', async () => {
    const big = Buffer.concat([IMAGES.jpg.bytes, Buffer.alloc(MAX_UPLOAD)]);
    const form = await uploadForm(sim, big, 'big.jpg');
    assert.equal(form.status, 413);
    assert.equal(form.json.error.type, 'request_too_large_error');
    const json = await call(sim.filesBaseUrl, 'POST', BASE64, { body: { base64_data: big.toString('base64') } });
    assert.equal(json.status, 413);
    assert.equal(json.json.error.type, 'request_too_large_error');
    const atLimit = await uploadForm(sim, big.subarray(0, MAX_UPLOAD), 'limit.jpg');
    assert.equal(atLimit.status, 200);
  });

  it('refuses bodies it cannot read with 400', async () => {
    for (const body of ['{"base64_data": ', '{}', '{"base64_data": "not base64 !"}']) {
      const answer = await call(sim.filesBaseUrl, 'POST', BASE64, { body });
      assert.equal(answer.status, 400, body);
    }
    const noBoundary = await call(sim.filesBaseUrl, 'POST', STREAM, { body: 'x', headers: { 'content-type': 'multipart/form-data' } });
    assert.equal(noBoundary.status, 400);
  });

  it('needs the key to upload', async () => {
    const answer = await uploadForm(sim, IMAGES.png.bytes, 'a.png', null);
    assert.equal(answer.status, 401);
    assert.equal(answer.json.error.type, 'authentication_error');
  });

  it('forgets files after 72 hours', async () => {
    const uploaded = await uploadForm(sim, IMAGES.gif.bytes, 'a.gif');
    const url: string = uploaded.json.data.file_url;
    await clock.advance(72 * 3_600_000 - 1);
    assert.equal((await call(url, 'GET', url)).status, 200);
    await clock.advance(1);
    assert.equal((await call(url, 'GET', url)).status, 404);
  });

  it('counts uploads', () => {
    assert.ok(sim.stats().uploads >= 10);
  });
});
