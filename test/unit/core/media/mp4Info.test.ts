import assert from 'node:assert/strict';
import { mkdir, mkdtemp, open, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { Mp4InfoError, readMp4Info } from '../../../../src/core/media/mp4Info';
import { SimulatedVideoRenderer, findSimulatorClipsDir } from '../../../../src/core/media/simulatedVideo';
import { mediaFixture } from './mediaFixtures';

let work: string;
before(async () => {
  work = await mkdtemp(path.join(tmpdir(), 'kling-mp4-info-'));
});
after(async () => {
  await rm(work, { recursive: true, force: true });
});

function isKind(kind: string, file?: string) {
  return (error: unknown) => {
    assert.ok(error instanceof Mp4InfoError, `expected an Mp4InfoError, got ${String(error)}`);
    assert.equal(error.kind, kind, error.message);
    if (file) assert.ok(error.message.startsWith(`${file}: `), error.message);
    return true;
  };
}

async function simulatedVideo(durationSeconds: number): Promise<Uint8Array> {
  const renderer = new SimulatedVideoRenderer({ clipsDir: findSimulatorClipsDir(__dirname) });
  return renderer.render({ durationSeconds, width: 1280, height: 720 });
}

describe('readMp4Info', () => {
  it('finds the AAC track of a file whose moov comes after mdat', async () => {
    const info = await readMp4Info(mediaFixture('aac-64x64.mp4'));
    assert.equal(info.hasAacAudio, true);
    assert.equal(info.fastStart, false);
    assert.deepEqual([info.width, info.height], [64, 64]);
    assert.ok(Math.abs(info.durationSeconds - 0.5) < 0.05, `duration ${info.durationSeconds}`);
    assert.deepEqual(
      info.tracks.map((track) => [track.kind, track.isAac]),
      [
        ['video', undefined],
        ['audio', true],
      ],
    );
    assert.match(info.tracks[0]!.codec, /^avc1\.64/);
    assert.equal(info.tracks[1]!.codec, 'mp4a.40.2');
    assert.deepEqual(info.tracks[0]!.spsFrameSize, { width: 64, height: 64 });
  });

  it('does not call other audio AAC', async () => {
    const info = await readMp4Info(mediaFixture('mp3-64x64.mp4'));
    assert.equal(info.hasAacAudio, false);
    const audio = info.tracks.find((track) => track.kind === 'audio');
    assert.ok(audio);
    assert.equal(audio.isAac, false);
    assert.doesNotMatch(audio.codec, /^mp4a\.40\./);
  });

  it('reads only the boxes it needs: a moov behind 8 GiB of other data costs nothing', async () => {
    // ftyp, free, mdat and moov of the fixture, with a sparse 8 GiB 'free' box (64-bit size) put before moov.
    // Reading the file through would take minutes and fill the memory; reading box headers takes milliseconds.
    const original = await readFile(mediaFixture('aac-64x64.mp4'));
    const moovAt = original.indexOf('moov') - 4;
    assert.ok(moovAt > 0);
    const gap = 8 * 1024 ** 3;
    const header = Buffer.alloc(16);
    header.writeUInt32BE(1, 0);
    header.write('free', 4, 'latin1');
    header.writeBigUInt64BE(BigInt(gap), 8);
    const file = path.join(work, 'sparse.mp4');
    const handle = await open(file, 'w');
    try {
      await handle.write(original, 0, moovAt, 0);
      await handle.write(header, 0, 16, moovAt);
      await handle.write(original, moovAt, original.length - moovAt, moovAt + gap);
    } finally {
      await handle.close();
    }
    const started = performance.now();
    const info = await readMp4Info(file);
    assert.equal(info.hasAacAudio, true);
    assert.ok(Math.abs(info.durationSeconds - 0.5) < 0.05);
    assert.ok(performance.now() - started < 5_000, 'took too long: it read the gap');
  });

  it('says a file cut short is incomplete, whether moov comes first or last', async () => {
    const fastStart = await simulatedVideo(5);
    const cutFastStart = path.join(work, 'cut-fast-start.mp4');
    await writeFile(cutFastStart, fastStart.subarray(0, Math.floor(fastStart.length / 2)));
    await assert.rejects(readMp4Info(cutFastStart), isKind('truncated', cutFastStart));

    const moovLast = await readFile(mediaFixture('aac-64x64.mp4'));
    const cutMoovLast = path.join(work, 'cut-moov-last.mp4');
    await writeFile(cutMoovLast, moovLast.subarray(0, moovLast.length - 100));
    await assert.rejects(readMp4Info(cutMoovLast), isKind('truncated', cutMoovLast));
  });

  it('says a file that is not an MP4 is not one', async () => {
    const random = Buffer.alloc(4096);
    for (let i = 0; i < random.length; i++) random[i] = (i * 7919 + 13) % 251;
    const cases: Array<[string, string | Buffer]> = [
      ['garbage.mp4', random],
      ['empty.mp4', Buffer.alloc(0)],
      ['text.mp4', 'This is a text file, not a video.\n'],
      ['png.mp4', Buffer.from('89504e470d0a1a0a0000000d49484452', 'hex')],
    ];
    for (const [name, content] of cases) {
      const file = path.join(work, name);
      await writeFile(file, content);
      await assert.rejects(readMp4Info(file), isKind('not-mp4', file));
    }
  });

  it('says an MP4 without its moov box is damaged', async () => {
    const file = path.join(work, 'no-moov.mp4');
    const ftyp = Buffer.from('00000010667479706973366d00000200', 'hex'); // 'ftyp' isom, 16 bytes
    const mdat = Buffer.concat([Buffer.from('0000000c6d646174', 'hex'), Buffer.alloc(4)]);
    await writeFile(file, Buffer.concat([ftyp, mdat]));
    await assert.rejects(readMp4Info(file), isKind('damaged', file));
  });

  it('says a missing file or a folder cannot be read', async () => {
    const missing = path.join(work, 'missing.mp4');
    await assert.rejects(readMp4Info(missing), isKind('unreadable', missing));
    const folder = path.join(work, 'folder.mp4');
    await mkdir(folder);
    await assert.rejects(readMp4Info(folder), isKind('unreadable', folder));
  });
});
