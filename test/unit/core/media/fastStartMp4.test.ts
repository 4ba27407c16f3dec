import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { mkdtemp, open, readFile, readdir, rm, stat, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { FastStartError, isFastStart, makeFastStart, remuxFastStart } from '../../../../src/core/media/fastStartMp4';
import { readTopLevelBoxes } from '../../../../src/core/media/mp4Boxes';
import { findSimulatorClipsDir } from '../../../../src/core/media/simulatedVideo';
import { OutsideWorkspaceError } from '../../../../src/core/fs/workspaceBoundary';
import { mediaFixture } from './mediaFixtures';

const clipsDir = findSimulatorClipsDir(__dirname);
let work: string;

before(async () => {
  work = await mkdtemp(path.join(tmpdir(), 'kling-fast-start-'));
});
after(async () => {
  await rm(work, { recursive: true, force: true });
});

/** Every packet of every track, as the file holds it: what a player gets, whatever the box order. */
async function samplesOf(bytes: Uint8Array): Promise<string[]> {
  const { Input, BufferSource, MP4, EncodedPacketSink } = await import('../../../../src/core/media/mediabunny.mjs');
  const input = new Input({ source: new BufferSource(bytes), formats: [MP4] });
  try {
    const lines: string[] = [];
    for (const track of await input.getTracks()) {
      lines.push(`track ${track.type} ${await track.getCodecParameterString()}`);
      for await (const packet of new EncodedPacketSink(track).packets()) {
        const digest = createHash('sha256').update(packet.data).digest('hex').slice(0, 16);
        lines.push(`${packet.type} ${packet.timestamp.toFixed(6)} ${packet.duration.toFixed(6)} ${digest}`);
      }
    }
    return lines;
  } finally {
    input.dispose();
  }
}

async function boxOrder(file: string): Promise<string[]> {
  const handle = await open(file, 'r');
  try {
    const boxes = await readTopLevelBoxes(handle, (await stat(file)).size);
    assert.ok(boxes.ok, `${file} has readable boxes`);
    return boxes.boxes.map((box) => box.type);
  } finally {
    await handle.close();
  }
}

function assertMoovFirst(types: string[]): void {
  assert.ok(types.includes('moov') && types.includes('mdat'), `moov and mdat in ${types.join(',')}`);
  assert.ok(types.indexOf('moov') < types.indexOf('mdat'), `moov before mdat: ${types.join(',')}`);
}

/** The same tracks and packets written with `moov` last, as an encoder that does not care for the web writes them. */
async function withMoovLast(bytes: Uint8Array): Promise<Uint8Array> {
  const { Input, BufferSource, MP4, EncodedPacketSink } = await import('../../../../src/core/media/mediabunny.mjs');
  const { Output, Mp4OutputFormat, BufferTarget, EncodedVideoPacketSource, EncodedAudioPacketSource } = await import(
    '../../../../src/core/media/mediabunny.mjs'
  );
  const input = new Input({ source: new BufferSource(bytes), formats: [MP4] });
  try {
    const target = new BufferTarget();
    const output = new Output({ format: new Mp4OutputFormat({ fastStart: false }), target });
    const copies: Array<() => Promise<void>> = [];
    for (const track of await input.getTracks()) {
      const copy = async (add: (packet: import('mediabunny', { with: { 'resolution-mode': 'import' } }).EncodedPacket, first: boolean) => Promise<void>) => {
        let first = true;
        for await (const packet of new EncodedPacketSink(track).packets()) {
          await add(packet, first);
          first = false;
        }
      };
      if (track.isVideoTrack()) {
        const decoderConfig = (await track.getDecoderConfig())!;
        const source = new EncodedVideoPacketSource(track.codec!);
        output.addVideoTrack(source);
        copies.push(() => copy((packet, first) => source.add(packet, first ? { decoderConfig } : undefined)));
      } else if (track.isAudioTrack()) {
        const decoderConfig = (await track.getDecoderConfig())!;
        const source = new EncodedAudioPacketSource(track.codec!);
        output.addAudioTrack(source);
        copies.push(() => copy((packet, first) => source.add(packet, first ? { decoderConfig } : undefined)));
      }
    }
    await output.start();
    await Promise.all(copies.map((copy) => copy()));
    await output.finalize();
    return new Uint8Array(target.buffer!);
  } finally {
    input.dispose();
  }
}

describe('makeFastStart', () => {
  it('finds the simulator clips', async () => {
    const clips = (await readdir(clipsDir)).filter((name) => name.endsWith('.mp4'));
    assert.ok(clips.length >= 6, `clips in ${clipsDir}: ${clips.join(', ')}`);
  });

  for (const size of ['1280x720', '720x1280', '720x720', '1920x1080', '1080x1920', '1080x1080']) {
    it(`remuxes the simulator's ${size} clip with moov first and the same samples`, async () => {
      const clip = await readFile(path.join(clipsDir, `clip-${size}.mp4`));
      const remuxed = await remuxFastStart(clip);
      const file = path.join(work, `remuxed-${size}.mp4`);
      await writeFile(file, remuxed);
      assertMoovFirst(await boxOrder(file));
      assert.deepEqual(await samplesOf(remuxed), await samplesOf(clip));
    });

    it(`rewrites the ${size} clip written with moov last, atomically, into a file that plays the same`, async () => {
      const clip = await readFile(path.join(clipsDir, `clip-${size}.mp4`));
      const moovLast = await withMoovLast(clip);
      const file = path.join(work, `moov-last-${size}.mp4`);
      await writeFile(file, moovLast);
      const order = await boxOrder(file);
      assert.ok(order.indexOf('mdat') < order.indexOf('moov'), `the fixture has moov last: ${order.join(',')}`);
      assert.equal(await isFastStart(file), false);

      const outcome = await makeFastStart(file, { root: work });
      assert.equal(outcome.kind, 'remuxed');
      assertMoovFirst(await boxOrder(file));
      assert.equal(await isFastStart(file), true);
      assert.deepEqual(await samplesOf(await readFile(file)), await samplesOf(moovLast));
      assert.deepEqual((await readdir(work)).filter((name) => name.endsWith('.tmp')), [], 'no temporary file left');
    });
  }

  it('copies an AAC audio track with the video (sound is remuxed, not dropped)', async () => {
    const source = await readFile(mediaFixture('aac-64x64.mp4'));
    const moovLast = await withMoovLast(source);
    const file = path.join(work, 'aac-moov-last.mp4');
    await writeFile(file, moovLast);
    assert.equal((await makeFastStart(file, { root: work })).kind, 'remuxed');
    assertMoovFirst(await boxOrder(file));
    const samples = await samplesOf(await readFile(file));
    assert.ok(samples.some((line) => line.startsWith('track audio mp4a.40')), samples.slice(0, 3).join('\n'));
    assert.deepEqual(samples, await samplesOf(moovLast));
  });

  it('leaves a file that is already fast start as it is: not a byte changed', async () => {
    const clip = await readFile(path.join(clipsDir, 'clip-1280x720.mp4'));
    const file = path.join(work, 'already.mp4');
    await writeFile(file, await remuxFastStart(clip));
    const before = await readFile(file);
    const mtime = (await stat(file)).mtimeMs;
    assert.deepEqual(await makeFastStart(file, { root: work }), { kind: 'already' });
    assert.deepEqual(await readFile(file), before);
    assert.equal((await stat(file)).mtimeMs, mtime);
  });

  it('refuses a file that is not an MP4, and leaves it alone', async () => {
    const file = path.join(work, 'not-a-video.mp4');
    await writeFile(file, 'this is text, not a video');
    await assert.rejects(makeFastStart(file, { root: work }), FastStartError);
    assert.equal(await readFile(file, 'utf8'), 'this is text, not a video');
  });

  it('refuses to write outside the workspace through a linked folder', async () => {
    const outside = await mkdtemp(path.join(tmpdir(), 'kling-fast-start-outside-'));
    try {
      const workspace = path.join(work, 'workspace');
      await rm(workspace, { recursive: true, force: true });
      await import('node:fs/promises').then((fs) => fs.mkdir(workspace));
      await symlink(outside, path.join(workspace, 'linked'));
      const clip = await readFile(path.join(clipsDir, 'clip-720x720.mp4'));
      await writeFile(path.join(outside, 'v.mp4'), await withMoovLast(clip));
      await assert.rejects(makeFastStart(path.join(workspace, 'linked', 'v.mp4'), { root: workspace }), OutsideWorkspaceError);
      assert.ok((await boxOrder(path.join(outside, 'v.mp4'))).at(-1) === 'moov', 'the file outside is unchanged');
    } finally {
      await rm(outside, { recursive: true, force: true });
    }
  });
});
