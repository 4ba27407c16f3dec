import { open } from 'node:fs/promises';
import type { InputTrack } from 'mediabunny' with { 'resolution-mode': 'import' };
import { avcFrameSize, type FrameSize } from './avcFrameSize';
import { readTopLevelBoxes, type TopLevelBox } from './mp4Boxes';
import { errorText } from '../text/errorText';

export type Mp4TrackKind = 'video' | 'audio' | 'other';

export interface Mp4Track {
  kind: Mp4TrackKind;
  /**
   * The codec as browsers name it (RFC 6381), e.g. `avc1.640028`, `hvc1.1.6.L120.90`, `mp4a.40.2`; the sample
   * entry's four-character code when the codec is not one mediabunny knows; `unknown` when even that is missing.
   */
  codec: string;
  /** Audio tracks only: the codec is AAC (`mp4a.40.*`), which VS Code's bundled player cannot decode. */
  isAac?: boolean;
  /** Video tracks only: frame size from the track's sample entry (`stsd`). */
  width?: number;
  height?: number;
  /** H.264 tracks only: the frame size the decoder will output, from the SPS in `avcC`; should equal width/height. */
  spsFrameSize?: FrameSize;
  durationSeconds: number;
}

export interface Mp4Info {
  /** The end of the longest track, in seconds. */
  durationSeconds: number;
  /** Frame size of the first video track; 0 × 0 when the file has no video track. */
  width: number;
  height: number;
  tracks: Mp4Track[];
  /** Some audio track is AAC: VS Code's player would play the video silently or not at all. */
  hasAacAudio: boolean;
  /** `moov` comes before `mdat`, so a player can start before the whole file has arrived. */
  fastStart: boolean;
}

export type Mp4InfoErrorKind =
  /** The file cannot be opened or read (missing, a folder, no permission). */
  | 'unreadable'
  /** The bytes are not an MP4 (or MOV) file at all. */
  | 'not-mp4'
  /** The file was cut short: a box runs past its end. Usually an interrupted download. */
  | 'truncated'
  /** The box structure is whole but the file cannot be understood (no `moov`, or a malformed one). */
  | 'damaged';

export class Mp4InfoError extends Error {
  override readonly name = 'Mp4InfoError';

  constructor(
    readonly kind: Mp4InfoErrorKind,
    readonly filePath: string,
    readonly detail: string,
  ) {
    super(`${filePath}: ${describeKind(kind)} (${detail})`);
  }
}

/** What a kind of problem means, in words for a user (the preview's error state shows it). */
export function describeKind(kind: Mp4InfoErrorKind): string {
  switch (kind) {
    case 'unreadable':
      return 'cannot read the file';
    case 'not-mp4':
      return 'not an MP4 file';
    case 'truncated':
      return 'the MP4 file is incomplete';
    case 'damaged':
      return 'the MP4 file is damaged';
  }
}

/**
 * Describes an MP4 file: its duration, frame size and tracks, and whether any audio track is AAC.
 *
 * Reads the top-level box headers and then only the `moov` box and what mediabunny needs to find it, wherever it is
 * (files not written for streaming have it after `mdat`); the media data is never read, so a file of any size costs a
 * few small reads. Throws an {@link Mp4InfoError} with a kind for files it cannot describe.
 */
export async function readMp4Info(filePath: string): Promise<Mp4Info> {
  const boxes = await readBoxes(filePath);
  const moovIndex = boxes.findIndex((box) => box.type === 'moov');
  if (moovIndex < 0) {
    throw new Mp4InfoError('damaged', filePath, "no 'moov' box, the index that says what the file holds");
  }
  const mdatIndex = boxes.findIndex((box) => box.type === 'mdat');

  const { Input, FilePathSource, MP4, QTFF } = await import('./mediabunny.mjs');
  const input = new Input({ source: new FilePathSource(filePath), formats: [MP4, QTFF] });
  try {
    const tracks: Mp4Track[] = [];
    for (const track of await input.getTracks()) tracks.push(await describeTrack(track));
    const firstVideo = tracks.find((track) => track.kind === 'video');
    return {
      durationSeconds: Math.max(0, ...tracks.map((track) => track.durationSeconds)),
      width: firstVideo?.width ?? 0,
      height: firstVideo?.height ?? 0,
      tracks,
      hasAacAudio: tracks.some((track) => track.isAac === true),
      fastStart: mdatIndex < 0 || moovIndex < mdatIndex,
    };
  } catch (error) {
    if (error instanceof Mp4InfoError) throw error;
    throw new Mp4InfoError('damaged', filePath, errorText(error));
  } finally {
    input.dispose();
  }
}

async function readBoxes(filePath: string): Promise<TopLevelBox[]> {
  let file;
  try {
    file = await open(filePath, 'r');
  } catch (error) {
    throw new Mp4InfoError('unreadable', filePath, errorCode(error));
  }
  try {
    const stats = await file.stat();
    if (!stats.isFile()) throw new Mp4InfoError('unreadable', filePath, 'not a regular file');
    const result = await readTopLevelBoxes(file, stats.size);
    if (!result.ok) throw new Mp4InfoError(result.problem.kind, filePath, result.problem.detail);
    return result.boxes;
  } catch (error) {
    if (error instanceof Mp4InfoError) throw error;
    throw new Mp4InfoError('unreadable', filePath, errorCode(error));
  } finally {
    await file.close();
  }
}

async function describeTrack(track: InputTrack): Promise<Mp4Track> {
  const codec = (await track.getCodecParameterString()) ?? fourCc(await track.getInternalCodecId()) ?? 'unknown';
  const durationSeconds = await track.computeDuration();
  if (track.isVideoTrack()) {
    const described: Mp4Track = {
      kind: 'video',
      codec,
      width: await track.getCodedWidth(),
      height: await track.getCodedHeight(),
      durationSeconds,
    };
    if (track.codec === 'avc') {
      const description = (await track.getDecoderConfig())?.description;
      const spsFrameSize = description ? avcFrameSize(toBytes(description)) : undefined;
      if (spsFrameSize) described.spsFrameSize = spsFrameSize;
    }
    return described;
  }
  if (track.isAudioTrack()) return { kind: 'audio', codec, isAac: track.codec === 'aac', durationSeconds };
  return { kind: 'other', codec, durationSeconds };
}

function fourCc(id: string | number | Uint8Array | null): string | undefined {
  return typeof id === 'string' && id.length > 0 ? id : undefined;
}

function toBytes(source: AllowSharedBufferSource): Uint8Array {
  return ArrayBuffer.isView(source)
    ? new Uint8Array(source.buffer, source.byteOffset, source.byteLength)
    : new Uint8Array(source);
}

function errorCode(error: unknown): string {
  if (error && typeof error === 'object' && 'code' in error && typeof error.code === 'string') {
    return error.code === 'ENOENT' ? 'no such file' : error.code;
  }
  return errorText(error);
}
