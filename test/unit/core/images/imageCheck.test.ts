import * as assert from 'node:assert/strict';
import { open, writeFile } from 'node:fs/promises';
import * as path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { checkImageBytes, checkImageFile, IMAGE_MAX_BYTES } from '../../../../src/core/images/imageCheck';
import { gifHeader, jpegHeader, paddedPng, pngBytes } from '../../../helpers/images';
import { removeDir, tempDir } from '../../../helpers/simulatorBed';

describe('image rules at their boundaries', () => {
  it('the short side: 299 px is refused, 300 px is enough (either side, JPEG or PNG)', () => {
    assert.match(problem(pngBytes(299, 400)), /is 299×400; the short side must be at least 300 px/);
    assert.match(problem(pngBytes(400, 299)), /400×299/);
    assert.match(problem(jpegHeader(700, 299)), /700×299/);
    assert.deepEqual(facts(pngBytes(300, 400)), { type: 'png', width: 300, height: 400 });
    assert.deepEqual(facts(jpegHeader(700, 300)), { type: 'jpeg', width: 700, height: 300 });
  });

  it('the aspect: exactly 1:2.5 and 2.5:1 are allowed, one pixel more is not', () => {
    assert.deepEqual(facts(pngBytes(300, 750)), { type: 'png', width: 300, height: 750 });
    assert.deepEqual(facts(jpegHeader(750, 300)), { type: 'jpeg', width: 750, height: 300 });
    assert.deepEqual(facts(jpegHeader(1000, 400)), { type: 'jpeg', width: 1000, height: 400 });
    assert.match(problem(pngBytes(300, 751)), /is 300×751; the aspect must be between 1:2\.5 and 2\.5:1/);
    assert.match(problem(jpegHeader(751, 300)), /751×300; the aspect/);
    assert.match(problem(jpegHeader(1001, 400)), /1001×400; the aspect/);
  });

  it('the type: GIF (which the Files API takes) and anything else are refused as frames', () => {
    assert.match(problem(gifHeader(640, 480)), /is a GIF image; use a JPEG or PNG/);
    assert.match(problem(Buffer.from('not an image at all')), /is not a JPEG or PNG image/);
  });

  it('the size: exactly 10 MB is allowed, one byte more is not, and the message does not round it down', () => {
    assert.deepEqual(facts(paddedPng(640, 480, IMAGE_MAX_BYTES)), { type: 'png', width: 640, height: 480 });
    const over = problem(paddedPng(640, 480, IMAGE_MAX_BYTES + 1));
    assert.match(over, /is 10,485,761 bytes; images are at most 10 MB \(10,485,760 bytes\)/);
  });
});

describe('checkImageFile', () => {
  let dir: string;
  before(async () => {
    dir = await tempDir('image-check');
  });
  after(() => removeDir(dir));

  it('holds files to the same boundaries, and reads only the header of a file within the size limit', async () => {
    const at = async (name: string, bytes: Buffer) => {
      await writeFile(path.join(dir, name), bytes);
      return checkImageFile(path.join(dir, name), name);
    };
    assert.equal((await at('edge.png', pngBytes(300, 750))).ok, true);
    assert.deepEqual(await at('short.png', pngBytes(299, 300)), { ok: false, problem: 'short.png is 299×300; the short side must be at least 300 px' });
    assert.equal((await at('wide.jpg', jpegHeader(751, 300))).ok, false);
    assert.match(((await at('anim.gif', gifHeader(640, 480))) as { problem: string }).problem, /GIF/);
  });

  it('10 MB exactly passes; 10 MB and one byte is refused before its header is read', async () => {
    const make = async (name: string, size: number) => {
      const file = path.join(dir, name);
      await writeFile(file, pngBytes(640, 480));
      const handle = await open(file, 'r+');
      await handle.truncate(size);
      await handle.close();
      return checkImageFile(file, name);
    };
    const exact = await make('exact.png', IMAGE_MAX_BYTES);
    assert.deepEqual(exact, { ok: true, image: { type: 'png', width: 640, height: 480, bytes: IMAGE_MAX_BYTES } });
    const over = await make('over.png', IMAGE_MAX_BYTES + 1);
    assert.equal(over.ok, false);
    assert.match((over as { problem: string }).problem, /10,485,761 bytes/);
  });

  it('names what is missing or not a file', async () => {
    assert.deepEqual(await checkImageFile(path.join(dir, 'nope.png'), 'nope.png'), { ok: false, problem: 'nope.png not found' });
    assert.deepEqual(await checkImageFile(dir, 'the folder'), { ok: false, problem: 'the folder is not a file' });
  });
});

function problem(bytes: Uint8Array): string {
  const checked = checkImageBytes(bytes, 'the image');
  assert.equal(checked.ok, false, 'refused');
  return (checked as { problem: string }).problem;
}

function facts(bytes: Uint8Array): { type: string; width: number; height: number } {
  const checked = checkImageBytes(bytes, 'the image');
  assert.ok(checked.ok, checked.ok ? '' : checked.problem);
  const { type, width, height } = checked.image;
  return { type, width, height };
}
