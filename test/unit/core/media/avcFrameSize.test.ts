import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, it } from 'node:test';
import { avcFrameSize } from '../../../../src/core/media/avcFrameSize';
import { findSimulatorClipsDir } from '../../../../src/core/media/simulatedVideo';

async function avcCOf(file: string): Promise<Uint8Array> {
  const { Input, BufferSource, MP4 } = await import('../../../../src/core/media/mediabunny.mjs');
  const input = new Input({ source: new BufferSource(await readFile(file)), formats: [MP4] });
  try {
    const track = await input.getPrimaryVideoTrack();
    const description = (await track?.getDecoderConfig())?.description;
    assert.ok(description && ArrayBuffer.isView(description));
    return new Uint8Array(description.buffer, description.byteOffset, description.byteLength);
  } finally {
    input.dispose();
  }
}

describe('avcFrameSize', () => {
  it('reads the size from the SPS, cropping 1088 coded lines to 1080', async () => {
    const clips = findSimulatorClipsDir(__dirname);
    for (const [width, height] of [[1920, 1080], [1080, 1920], [1080, 1080], [1280, 720]] as const) {
      const avcC = await avcCOf(path.join(clips, `clip-${width}x${height}.mp4`));
      assert.deepEqual(avcFrameSize(avcC), { width, height });
    }
  });

  it('reads a Baseline SPS with emulation-prevention bytes and cropping on both axes', () => {
    // SPS of a 1366x766 Constrained Baseline stream from x264 (86x48 macroblocks, cropped 10 columns and 2 lines),
    // with an avcC header around it. Its VUI holds 00 00 03 sequences that must be unescaped before reading.
    const sps = Buffer.from('6742c020d90056061e6ac044000003000400000300c83c60c920', 'hex');
    const avcC = Buffer.concat([Buffer.from([1, 0x42, 0xc0, 0x20, 0xff, 0xe1, 0, sps.length]), sps]);
    assert.deepEqual(avcFrameSize(avcC), { width: 1366, height: 766 });
  });

  it('gives up quietly on records it cannot read', () => {
    assert.equal(avcFrameSize(new Uint8Array(0)), undefined);
    assert.equal(avcFrameSize(Uint8Array.from([1, 0x64, 0, 0x28, 0xff, 0xe0, 0, 0])), undefined, 'no SPS');
    assert.equal(avcFrameSize(Uint8Array.from([1, 0x64, 0, 0x28, 0xff, 0xe1, 0, 40, 0x67])), undefined, 'cut short');
    assert.equal(avcFrameSize(Uint8Array.from([1, 0x64, 0, 0x28, 0xff, 0xe1, 0, 5, 0x67, 0x64, 0, 0x28, 0])), undefined);
  });
});
