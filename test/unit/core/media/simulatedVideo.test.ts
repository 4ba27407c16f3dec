import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { copyFile, mkdtemp, open, readdir, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { after, before, describe, it } from 'node:test';
import { readTopLevelBoxes } from '../../../../src/core/media/mp4Boxes';
import { readMp4Info } from '../../../../src/core/media/mp4Info';
import {
  SIMULATED_FRAME_SIZES,
  SimulatedVideoError,
  SimulatedVideoRenderer,
  findSimulatorClipsDir,
  MP4_TIME,
  renderSimulatedVideo,
  simulatorClipFileName,
  type SimulatedAspectRatio,
  type SimulatedQuality,
} from '../../../../src/core/media/simulatedVideo';
import { mediaFixture } from './mediaFixtures';

const FRAME_RATE = 24;
const clipsDir = findSimulatorClipsDir(__dirname);
let work: string;

before(async () => {
  work = await mkdtemp(path.join(tmpdir(), 'kling-simulated-video-'));
});
after(async () => {
  await rm(work, { recursive: true, force: true });
});

function isKind(kind: string) {
  return (error: unknown) => {
    assert.ok(error instanceof SimulatedVideoError, `expected a SimulatedVideoError, got ${String(error)}`);
    assert.equal(error.kind, kind, error.message);
    return true;
  };
}

describe('renderSimulatedVideo', () => {
  const renderer = new SimulatedVideoRenderer({ clipsDir, maxCachedVideos: 0 });

  for (const quality of Object.keys(SIMULATED_FRAME_SIZES) as SimulatedQuality[]) {
    for (const aspect of Object.keys(SIMULATED_FRAME_SIZES[quality]) as SimulatedAspectRatio[]) {
      const { width, height } = SIMULATED_FRAME_SIZES[quality][aspect];
      for (const durationSeconds of [3, 5, 15]) {
        it(`makes a ${durationSeconds} s ${quality} ${aspect} (${width}x${height}) H.264 MP4 with no audio`, async () => {
          const bytes = await renderer.render({ durationSeconds, width, height });
          const file = path.join(work, `${width}x${height}-${durationSeconds}.mp4`);
          await writeFile(file, bytes);

          const info = await readMp4Info(file);
          assert.ok(Math.abs(info.durationSeconds - durationSeconds) <= 1 / FRAME_RATE, `duration ${info.durationSeconds}`);
          assert.deepEqual([info.width, info.height], [width, height]);
          assert.equal(info.tracks.length, 1);
          const [video] = info.tracks;
          assert.equal(video!.kind, 'video');
          assert.match(video!.codec, /^avc1\.[0-9a-f]{6}$/);
          assert.deepEqual(video!.spsFrameSize, { width, height }, 'the SPS agrees with the track header');
          assert.equal(info.hasAacAudio, false);
          assert.equal(info.fastStart, true);
        });
      }
    }
  }

  it('repeats the clip whole: 24 frames a second, a key frame at the start of each second, moov before mdat', async () => {
    const durationSeconds = 5;
    const bytes = await renderer.render({ durationSeconds, width: 720, height: 720 });
    const file = path.join(work, 'structure.mp4');
    await writeFile(file, bytes);

    const handle = await open(file);
    try {
      const boxes = await readTopLevelBoxes(handle, bytes.length);
      assert.ok(boxes.ok);
      assert.deepEqual(
        boxes.boxes.map((box) => box.type),
        ['ftyp', 'moov', 'mdat'],
      );
    } finally {
      await handle.close();
    }

    const { Input, BufferSource, MP4, EncodedPacketSink } = await import('../../../../src/core/media/mediabunny.mjs');
    const input = new Input({ source: new BufferSource(bytes), formats: [MP4] });
    const track = await input.getPrimaryVideoTrack();
    assert.ok(track);
    const packets = [];
    for await (const packet of new EncodedPacketSink(track).packets(undefined, undefined, { metadataOnly: true })) {
      packets.push(packet);
    }
    input.dispose();
    assert.equal(packets.length, durationSeconds * FRAME_RATE);
    packets.forEach((packet, i) => {
      assert.ok(Math.abs(packet.timestamp - i / FRAME_RATE) < 1e-3, `frame ${i} at ${packet.timestamp}`);
      assert.equal(packet.type, i % FRAME_RATE === 0 ? 'key' : 'delta', `frame ${i}`);
    });
  });

  it('works through the shared renderer of a clips folder', async () => {
    const first = await renderSimulatedVideo({ clipsDir, durationSeconds: 3, width: 1280, height: 720 });
    const again = await renderSimulatedVideo({ clipsDir, durationSeconds: 3, width: 1280, height: 720 });
    assert.deepEqual(again, first);
    assert.notEqual(again, first, 'each caller gets its own copy');
  });

  it('refuses durations and sizes the service does not make', async () => {
    for (const durationSeconds of [0, 2, 16, 4.5, Number.NaN]) {
      await assert.rejects(renderer.render({ durationSeconds, width: 1280, height: 720 }), isKind('bad-request'));
    }
    await assert.rejects(renderer.render({ durationSeconds: 5, width: 640, height: 480 }), isKind('bad-request'));
    await assert.rejects(renderer.render({ durationSeconds: 5, width: 720, height: 1080 }), isKind('bad-request'));
  });
});

describe('simulated videos are deterministic', () => {
  const request = { durationSeconds: 5, width: 1280, height: 720 };
  const sha256 = (bytes: Uint8Array) => createHash('sha256').update(bytes).digest('hex');

  /** Renders in a fresh Node process whose clock is `shiftMs` off, and returns the SHA-256 of the bytes. */
  async function renderElsewhere(shiftMs: number): Promise<string> {
    const script = `
      const realNow = Date.now;
      Date.now = () => realNow() + Number(process.argv[1]);
      const { SimulatedVideoRenderer } = require(${JSON.stringify(require.resolve('../../../../src/core/media/simulatedVideo'))});
      new SimulatedVideoRenderer({ clipsDir: ${JSON.stringify(clipsDir)} })
        .render(${JSON.stringify(request)})
        .then((bytes) => process.stdout.write(require('node:crypto').createHash('sha256').update(bytes).digest('hex')));`;
    const { stdout } = await promisify(execFile)(process.execPath, ['-e', script, String(shiftMs)]);
    return stdout;
  }

  it('gives the same bytes in other processes, on other days', async () => {
    // A day and a year apart: a render that wrote its own time in the MP4 header would differ.
    const [here, tomorrow, nextYear] = await Promise.all([
      new SimulatedVideoRenderer({ clipsDir, maxCachedVideos: 0 }).render(request).then(sha256),
      renderElsewhere(86_400_000),
      renderElsewhere(366 * 86_400_000),
    ]);
    assert.equal(tomorrow, here);
    assert.equal(nextYear, here);
  });

  it('writes the clips\' own time, 0, as the creation and modification time of the movie, track and media', async () => {
    const bytes = Buffer.from(await new SimulatedVideoRenderer({ clipsDir, maxCachedVideos: 0 }).render(request));
    for (const type of ['mvhd', 'tkhd', 'mdhd']) {
      const at = bytes.indexOf(type, 0, 'latin1');
      assert.ok(at > 0, type);
      assert.equal(bytes[at + 4], 0, `${type} is version 0 (32-bit times)`);
      assert.equal(bytes.readUInt32BE(at + 8), MP4_TIME, `${type} creation time`);
      assert.equal(bytes.readUInt32BE(at + 12), MP4_TIME, `${type} modification time`);
    }
  });
});

describe('SimulatedVideoRenderer cache', () => {
  it('keeps the most recently used videos, up to the limit', async () => {
    const renderer = new SimulatedVideoRenderer({ clipsDir, maxCachedVideos: 2 });
    const a = { durationSeconds: 3, width: 720, height: 720 };
    const b = { durationSeconds: 4, width: 720, height: 720 };
    const c = { durationSeconds: 5, width: 720, height: 720 };
    const d = { durationSeconds: 6, width: 720, height: 720 };
    await renderer.render(a);
    await renderer.render(b);
    await renderer.render(c);
    assert.deepEqual([a, b, c].map((r) => renderer.isCached(r)), [false, true, true]);
    await renderer.render(b); // b becomes the most recent, so c goes first
    await renderer.render(d);
    assert.deepEqual([b, c, d].map((r) => renderer.isCached(r)), [true, false, true]);
  });

  it('gives out copies, so a caller that changes its bytes does not change the next answer', async () => {
    const renderer = new SimulatedVideoRenderer({ clipsDir });
    const request = { durationSeconds: 3, width: 720, height: 1280 };
    const first = await renderer.render(request);
    const pristine = first.slice();
    first.fill(0);
    assert.deepEqual(await renderer.render(request), pristine);
  });

  it('shares one render between concurrent requests for the same video', async () => {
    const renderer = new SimulatedVideoRenderer({ clipsDir });
    const request = { durationSeconds: 7, width: 1080, height: 1080 };
    const [one, two] = await Promise.all([renderer.render(request), renderer.render(request)]);
    assert.deepEqual(one, two);
    assert.ok(renderer.isCached(request));
  });
});

describe('simulator clips', () => {
  it('says which clip is missing when the folder lacks it', async () => {
    const empty = await mkdtemp(path.join(work, 'empty-'));
    const renderer = new SimulatedVideoRenderer({ clipsDir: empty });
    await assert.rejects(renderer.render({ durationSeconds: 3, width: 1920, height: 1080 }), (error: unknown) => {
      isKind('clip-missing')(error);
      assert.match((error as Error).message, /clip-1920x1080\.mp4/);
      return true;
    });
  });

  it('refuses a clip that is not what the script makes', async () => {
    const dir = await mkdtemp(path.join(work, 'bad-clips-'));
    // A clip of the wrong size under the right name.
    await copyFile(path.join(clipsDir, 'clip-720x720.mp4'), path.join(dir, 'clip-1280x720.mp4'));
    // A clip with audio.
    await copyFile(mediaFixture('aac-64x64.mp4'), path.join(dir, 'clip-720x1280.mp4'));
    // Not an MP4.
    await writeFile(path.join(dir, 'clip-1080x1080.mp4'), 'not a video');
    const renderer = new SimulatedVideoRenderer({ clipsDir: dir });
    for (const [width, height] of [[1280, 720], [720, 1280], [1080, 1080]] as const) {
      await assert.rejects(renderer.render({ durationSeconds: 3, width, height }), isKind('clip-invalid'));
    }
  });

  it('are found by walking up from a folder inside the package', async () => {
    assert.equal(findSimulatorClipsDir([path.join(work, 'nowhere'), __dirname]), clipsDir);
    const dir = await mkdtemp(path.join(work, 'unrelated-'));
    assert.throws(() => findSimulatorClipsDir(dir), isKind('clip-missing'));
  });

  it('exist for every size and stay small enough to ship in the vsix', async () => {
    const expected = Object.values(SIMULATED_FRAME_SIZES)
      .flatMap((byAspect) => Object.values(byAspect))
      .map(simulatorClipFileName)
      .sort();
    const present = (await readdir(clipsDir)).filter((name) => name.endsWith('.mp4')).sort();
    assert.deepEqual(present, expected);
    let total = 0;
    for (const name of present) total += (await stat(path.join(clipsDir, name))).size;
    assert.ok(total < 250_000, `the clips weigh ${total} bytes; the whole vsix must stay under 1 MB`);
  });
});
