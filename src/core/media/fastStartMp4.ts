import { open, readFile, stat } from 'node:fs/promises';
import { writeAtomically } from '../fs/writeAtomically';
import { readTopLevelBoxes } from './mp4Boxes';

/** What {@link makeFastStart} did to a file. */
export type FastStartOutcome =
  /** `moov` already came before `mdat`: the file was left as it is (not a byte changed). */
  | { kind: 'already' }
  /** The file was rewritten with `moov` first; the same packets, in the same order, with the same times. */
  | { kind: 'remuxed'; bytesBefore: number; bytesAfter: number };

export class FastStartError extends Error {
  override readonly name = 'FastStartError';
}

/**
 * Rewrites an MP4 so that `moov` (the index) comes before `mdat` (the media), as a browser needs to start playing a
 * file before it has all of it ("web-ready", docs/storyboard-format.md, "web"). A remux, never a re-encode: every
 * packet is copied as it is, so the picture and sound are the very bytes the service made. The new file replaces the
 * old one atomically, inside `root`. A file that is already fast start is not touched, so a second call changes
 * nothing (and the up-to-date check, which reads the sidecar's request, never sees a change either way).
 */
export async function makeFastStart(filePath: string, options: { root?: string | undefined } = {}): Promise<FastStartOutcome> {
  if (await isFastStart(filePath)) return { kind: 'already' };
  const before = await readFile(filePath);
  const after = await remuxFastStart(before);
  await writeAtomically(filePath, after, { root: options.root });
  return { kind: 'remuxed', bytesBefore: before.length, bytesAfter: after.length };
}

/** `moov` comes before the first `mdat` (or there is no `mdat`). Throws a FastStartError when the file is not an MP4. */
export async function isFastStart(filePath: string): Promise<boolean> {
  const handle = await open(filePath, 'r');
  try {
    const boxes = await readTopLevelBoxes(handle, (await stat(filePath)).size);
    if (!boxes.ok) throw new FastStartError(`${filePath} cannot be made web-ready: ${boxes.problem.detail}`);
    const moov = boxes.boxes.findIndex((box) => box.type === 'moov');
    const mdat = boxes.boxes.findIndex((box) => box.type === 'mdat');
    if (moov < 0) throw new FastStartError(`${filePath} cannot be made web-ready: it has no 'moov' box`);
    return mdat < 0 || moov < mdat;
  } finally {
    await handle.close();
  }
}

/** The same tracks and packets, written again by mediabunny with `moov` first. */
export async function remuxFastStart(bytes: Uint8Array): Promise<Uint8Array> {
  const { Input, BufferSource, MP4, QTFF, EncodedPacketSink, Output, Mp4OutputFormat, BufferTarget, EncodedVideoPacketSource, EncodedAudioPacketSource } = await import('./mediabunny.mjs');
  const input = new Input({ source: new BufferSource(bytes), formats: [MP4, QTFF] });
  try {
    const target = new BufferTarget();
    // 'in-memory': the file is built in memory, then written with moov first (our videos are megabytes, not gigabytes).
    const output = new Output({ format: new Mp4OutputFormat({ fastStart: 'in-memory' }), target });
    const copies: Array<() => Promise<void>> = [];
    for (const track of await input.getTracks()) {
      if (track.isVideoTrack()) {
        const codec = track.codec;
        const decoderConfig = await track.getDecoderConfig();
        if (!codec || !decoderConfig) throw new FastStartError(`its video track's codec (${await track.getCodecParameterString() ?? 'unknown'}) cannot be copied`);
        const source = new EncodedVideoPacketSource(codec);
        output.addVideoTrack(source, { rotation: track.rotation });
        copies.push(async () => {
          let first = true;
          for await (const packet of new EncodedPacketSink(track).packets()) {
            await source.add(packet, first ? { decoderConfig } : undefined);
            first = false;
          }
        });
      } else if (track.isAudioTrack()) {
        const codec = track.codec;
        const decoderConfig = await track.getDecoderConfig();
        if (!codec || !decoderConfig) throw new FastStartError(`its audio track's codec (${await track.getCodecParameterString() ?? 'unknown'}) cannot be copied`);
        const source = new EncodedAudioPacketSource(codec);
        output.addAudioTrack(source);
        copies.push(async () => {
          let first = true;
          for await (const packet of new EncodedPacketSink(track).packets()) {
            await source.add(packet, first ? { decoderConfig } : undefined);
            first = false;
          }
        });
      } else {
        throw new FastStartError('it holds a track that is neither video nor audio, which a remux would drop');
      }
    }
    if (copies.length === 0) throw new FastStartError('it has no tracks');
    await output.start();
    // All tracks at once: the muxer interleaves them by time and holds one track back until the others catch up.
    await Promise.all(copies.map((copy) => copy()));
    await output.finalize();
    if (!target.buffer) throw new FastStartError('mediabunny wrote no MP4 data');
    return new Uint8Array(target.buffer);
  } finally {
    input.dispose();
  }
}
