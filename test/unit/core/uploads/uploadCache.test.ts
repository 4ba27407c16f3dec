import * as assert from 'node:assert/strict';
import { readFile, writeFile } from 'node:fs/promises';
import * as path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { sharedStateDir, UPLOAD_REUSE_MARGIN_MS, UPLOAD_VALIDITY_MS, UploadCache } from '../../../../src/core/uploads/uploadCache';
import { ImageUploads, type UploadClient } from '../../../../src/core/uploads/imageUploads';
import { pngBytes } from '../../../helpers/images';
import { removeDir, tempDir } from '../../../helpers/simulatorBed';

const T0 = Date.UTC(2026, 0, 15, 12);
const SHA = 'a'.repeat(64);

/** A Files API stand-in that counts what it receives. */
function fakeClient(uploadedTo: string, expiresAt?: (now: number) => number, now = () => T0): UploadClient & { sent: string[] } {
  const sent: string[] = [];
  return {
    uploadedTo,
    sent,
    async uploadBytes(_bytes, fileName) {
      sent.push(fileName);
      return { url: `https://files.example/${sent.length}/${fileName}`, expiresAt: expiresAt?.(now()) };
    },
  };
}

describe('UploadCache', () => {
  let dir: string;
  before(async () => {
    dir = await tempDir('upload-cache');
  });
  after(() => removeDir(dir));

  it('reuses an upload by content hash, on the same Files API only', async () => {
    let now = T0;
    const cache = new UploadCache(path.join(dir, 'a', 'uploads.json'), () => now);
    let uploads = 0;
    const upload = async () => ({ url: `https://files.example/${++uploads}.png`, expiresAt: undefined });
    const first = await cache.reuseOr('https://files-api.example', SHA, upload);
    assert.deepEqual([first.reused, first.url, first.expiresAt], [false, 'https://files.example/1.png', T0 + UPLOAD_VALIDITY_MS], '72 h when the service does not say');
    now += 3_600_000;
    const again = await cache.reuseOr('https://files-api.example', SHA, upload);
    assert.deepEqual([again.reused, again.url, uploads], [true, 'https://files.example/1.png', 1]);
    const other = await cache.reuseOr('http://127.0.0.1:4000#run-2', SHA, upload);
    assert.deepEqual([other.reused, other.url, uploads], [false, 'https://files.example/2.png', 2], 'another backend has its own uploads');
    const otherBytes = await cache.reuseOr('https://files-api.example', 'b'.repeat(64), upload);
    assert.equal(otherBytes.reused, false);
    assert.equal(uploads, 3);
  });

  it('uploads again once the link is within the reuse margin of its expiry, and keeps the service\'s expiry', async () => {
    let now = T0;
    const cache = new UploadCache(path.join(dir, 'b', 'uploads.json'), () => now);
    let uploads = 0;
    const expiresAt = T0 + 10 * 3_600_000;
    const upload = async () => ({ url: `https://files.example/${++uploads}.png`, expiresAt });
    assert.equal((await cache.reuseOr('f', SHA, upload)).expiresAt, expiresAt, 'the service\'s expires_at');
    now = expiresAt - UPLOAD_REUSE_MARGIN_MS - 1;
    assert.equal((await cache.reuseOr('f', SHA, upload)).reused, true, 'just over the margin left: reused');
    now = expiresAt - UPLOAD_REUSE_MARGIN_MS;
    const renewed = await cache.reuseOr('f', SHA, upload);
    assert.deepEqual([renewed.reused, uploads], [false, 2], 'only the margin left: uploaded again');
    assert.equal(await cache.find('f', SHA), undefined, 'the new link expires at the same time here, so it is not reused either');
  });

  it('drops expired entries when it writes, and is shared by every cache object on the same file', async () => {
    let now = T0;
    const file = path.join(dir, 'c', 'uploads.json');
    const one = new UploadCache(file, () => now);
    const two = new UploadCache(file, () => now);
    await one.remember({ uploadedTo: 'f', sha256: SHA, url: 'u1', expiresAt: T0 + 1000, uploadedAt: T0 });
    now = T0 + 2000;
    await two.remember({ uploadedTo: 'f', sha256: 'b'.repeat(64), url: 'u2', expiresAt: now + UPLOAD_VALIDITY_MS, uploadedAt: now });
    const saved = JSON.parse(await readFile(file, 'utf8')) as { uploads: Array<{ url: string }> };
    assert.deepEqual(saved.uploads.map((u) => u.url), ['u2']);
    assert.equal((await one.find('f', 'b'.repeat(64)))?.url, 'u2');
  });

  it('uploads the same bytes once when two callers want them at the same time', async () => {
    const file = path.join(dir, 'd', 'uploads.json');
    const caches = [new UploadCache(file), new UploadCache(file)];
    let uploads = 0;
    const slowUpload = async () => {
      uploads++;
      await new Promise((resolve) => setTimeout(resolve, 50));
      return { url: `https://files.example/${uploads}.png`, expiresAt: undefined };
    };
    const results = await Promise.all(caches.map((cache) => cache.reuseOr('f', SHA, slowUpload)));
    assert.equal(uploads, 1);
    assert.deepEqual(results.map((r) => r.url), ['https://files.example/1.png', 'https://files.example/1.png']);
    assert.deepEqual(results.map((r) => r.reused).sort(), [false, true]);
  });

  it('takes an unreadable file for an empty cache', async () => {
    const file = path.join(dir, 'e', 'uploads.json');
    const cache = new UploadCache(file);
    await cache.remember({ uploadedTo: 'f', sha256: SHA, url: 'u', expiresAt: Date.now() + UPLOAD_VALIDITY_MS, uploadedAt: Date.now() });
    await writeFile(file, '{ not json');
    assert.equal(await cache.find('f', SHA), undefined);
  });

  it('lives in KLING_STATE_DIR, else the XDG state folder', () => {
    assert.equal(sharedStateDir({ KLING_STATE_DIR: 'state' }, '/work'), path.resolve('/work', 'state'));
    assert.equal(sharedStateDir({ XDG_STATE_HOME: '/x' }, '/work'), path.join('/x', 'kling-studio'));
  });
});

describe('ImageUploads', () => {
  let dir: string;
  before(async () => {
    dir = await tempDir('image-uploads');
    await writeFile(path.join(dir, 'logo.png'), pngBytes(320, 320));
    await writeFile(path.join(dir, 'copy.png'), pngBytes(320, 320));
  });
  after(() => removeDir(dir));

  it('records the source, its hash and the link; the same bytes under another name are not sent again', async () => {
    const client = fakeClient('https://files-api.example', () => Date.now() + 1000 * 3_600_000);
    const cache = new UploadCache(path.join(dir, 'state', 'uploads.json'));
    const uploads = new ImageUploads({ client: async () => client, workspaceRoot: dir, cache });
    const first = await uploads.upload(path.join(dir, 'logo.png'), 'image_start');
    assert.equal(first.source, 'logo.png');
    assert.equal(first.field, 'image_start');
    assert.match(first.sha256, /^[0-9a-f]{64}$/);
    assert.equal(first.uploadedTo, 'https://files-api.example');
    assert.equal(first.reused, false);
    const copy = await uploads.upload(path.join(dir, 'copy.png'), 'image_end');
    assert.deepEqual([copy.reused, copy.url, copy.source, client.sent], [true, first.url, 'copy.png', ['logo.png']]);
  });

  it('refuses an image outside the workspace before anything is read or sent', async () => {
    const client = fakeClient('f');
    const uploads = new ImageUploads({ client: async () => client, workspaceRoot: path.join(dir, 'state') });
    await assert.rejects(uploads.upload(path.join(dir, 'logo.png'), 'image_start'), /leads outside the workspace/);
    assert.deepEqual(client.sent, []);
  });
});
