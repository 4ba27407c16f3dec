import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import type { EncodedPacket } from 'mediabunny' with { 'resolution-mode': 'import' };
import type { FrameSize } from './avcFrameSize';
import { errorText } from '../text/errorText';

/*
 * The local simulator's "generated" videos: real, playable H.264 MP4 files of the requested length and size, made
 * without an encoder. media/simulator/ holds one 1-second clip per frame size (scripts/make-simulator-clips.sh made
 * them with ffmpeg: one closed GOP opening on an IDR frame, no B-frames, no audio), and a video of N seconds is that
 * clip's samples written N times back to back with shifted timestamps. There is no audio track on purpose: VS Code's
 * bundled player cannot decode AAC, and a simulator video should play where a real one is previewed.
 */

export type SimulatedAspectRatio = '16:9' | '9:16' | '1:1';
export type SimulatedQuality = '720p' | '1080p';

/** Frame sizes of the service's outputs by quality and aspect ratio, the sizes the simulator has clips for. */
export const SIMULATED_FRAME_SIZES: Readonly<Record<SimulatedQuality, Readonly<Record<SimulatedAspectRatio, FrameSize>>>> = {
  '720p': { '16:9': { width: 1280, height: 720 }, '9:16': { width: 720, height: 1280 }, '1:1': { width: 720, height: 720 } },
  '1080p': {
    '16:9': { width: 1920, height: 1080 },
    '9:16': { width: 1080, height: 1920 },
    '1:1': { width: 1080, height: 1080 },
  },
};

export const MIN_SIMULATED_SECONDS = 3;
export const MAX_SIMULATED_SECONDS = 15;

export interface SimulatedVideoRequest {
  /** Whole seconds, 3–15, as the API's `duration`. */
  durationSeconds: number;
  width: number;
  height: number;
}

export type SimulatedVideoErrorKind =
  /** Duration or frame size outside what the service makes. */
  | 'bad-request'
  /** The clip for the size is not in the clips folder. */
  | 'clip-missing'
  /** The clip is there but is not what scripts/make-simulator-clips.sh makes. */
  | 'clip-invalid';

export class SimulatedVideoError extends Error {
  override readonly name = 'SimulatedVideoError';

  constructor(
    readonly kind: SimulatedVideoErrorKind,
    message: string,
  ) {
    super(message);
  }
}

/** File name of the clip for a frame size, inside the clips folder. */
export function simulatorClipFileName(size: FrameSize): string {
  return `clip-${size.width}x${size.height}.mp4`;
}

/**
 * Finds the folder of the simulator's clips (`media/simulator`) from one or more starting folders, looking in each
 * and then in its parents. After bundling, `__dirname` is `dist/` of the repo or of the installed extension; without
 * bundling it is deep in `out/`; the tests run from `out/test/…`. Walking up from any of them finds the package's
 * `media/simulator`, so callers pass `__dirname` (or the extension's path) and need not know the layout.
 */
export function findSimulatorClipsDir(startDirs: string | readonly string[]): string {
  const starts = typeof startDirs === 'string' ? [startDirs] : startDirs;
  const probe = simulatorClipFileName(SIMULATED_FRAME_SIZES['720p']['16:9']);
  const tried: string[] = [];
  for (const start of starts) {
    for (let dir = path.resolve(start); ; dir = path.dirname(dir)) {
      const candidate = path.join(dir, 'media', 'simulator');
      if (existsSync(path.join(candidate, probe))) return candidate;
      tried.push(candidate);
      if (path.dirname(dir) === dir) break;
    }
  }
  throw new SimulatedVideoError('clip-missing', `The simulator's clips were not found; looked in ${tried.join(', ')}`);
}

export interface SimulatedVideoRendererOptions {
  /** The folder holding the clips, e.g. from {@link findSimulatorClipsDir}. */
  clipsDir: string;
  /** How many rendered videos to keep in memory (a 15 s 1080p video is about 220 KB). Default 4. */
  maxCachedVideos?: number;
}

interface Clip {
  packets: EncodedPacket[];
  decoderConfig: VideoDecoderConfig;
  seconds: number;
  frameRate: number;
}

/**
 * Renders simulated videos from the clips in one folder, keeping the last few in memory: a simulator serves the same
 * few videos over and over (each poll's download, a preview reload), and a render, while quick, is not free.
 * A render is deterministic: the same request gives the same bytes in any process, on any day (see
 * {@link MP4_TIME}), so the cache is only a speed-up and may forget a video at any time.
 */
export class SimulatedVideoRenderer {
  private readonly clipsDir: string;
  private readonly maxCachedVideos: number;
  // Insertion order is recency order: a hit is deleted and set again. Promises are cached, not bytes, so concurrent
  // requests for the same video share one render.
  private readonly videos = new Map<string, Promise<Uint8Array>>();
  private readonly clips = new Map<string, Promise<Clip>>();

  constructor(options: SimulatedVideoRendererOptions) {
    this.clipsDir = options.clipsDir;
    this.maxCachedVideos = Math.max(0, Math.floor(options.maxCachedVideos ?? 4));
  }

  /** The MP4 file's bytes: H.264 only, fast start (`moov` before `mdat`). The caller gets its own copy. */
  async render(request: SimulatedVideoRequest): Promise<Uint8Array> {
    checkRequest(request);
    const key = videoKey(request);
    let video = this.videos.get(key);
    if (video) {
      this.videos.delete(key);
    } else {
      video = this.renderUncached(request);
      video.catch(() => this.videos.get(key) === video && this.videos.delete(key));
    }
    this.videos.set(key, video);
    while (this.videos.size > this.maxCachedVideos) this.videos.delete(this.videos.keys().next().value!);
    return (await video).slice();
  }

  /** Whether a render of this request would come from memory (for tests and diagnostics). */
  isCached(request: SimulatedVideoRequest): boolean {
    return this.videos.has(videoKey(request));
  }

  private async renderUncached(request: SimulatedVideoRequest): Promise<Uint8Array> {
    const clip = await this.loadClip(request);
    const repeats = request.durationSeconds / clip.seconds;
    if (!Number.isInteger(repeats)) {
      throw new SimulatedVideoError('clip-invalid', `A ${clip.seconds} s clip cannot make ${request.durationSeconds} s`);
    }
    const { Output, Mp4OutputFormat, BufferTarget, EncodedVideoPacketSource } = await import('./mediabunny.mjs');
    const target = new BufferTarget();
    // 'in-memory' fast start: the whole file is built in memory (a few hundred KB at most) and moov is written first,
    // so a <video> can start playing before the download ends, as with the service's own files.
    const output = new Output({ format: new Mp4OutputFormat({ fastStart: 'in-memory' }), target });
    const source = new EncodedVideoPacketSource('avc');
    output.addVideoTrack(source, { frameRate: clip.frameRate });
    await output.start();
    let first = true;
    for (let repeat = 0; repeat < repeats; repeat++) {
      const offset = repeat * clip.seconds;
      for (const packet of clip.packets) {
        const shifted = packet.clone({ timestamp: packet.timestamp + offset });
        await source.add(shifted, first ? { decoderConfig: clip.decoderConfig } : undefined);
        first = false;
      }
    }
    await output.finalize();
    if (!target.buffer) throw new Error('mediabunny wrote no MP4 data');
    const mp4 = new Uint8Array(target.buffer);
    fixMp4Times(mp4);
    return mp4;
  }

  private loadClip(size: FrameSize): Promise<Clip> {
    const file = path.join(this.clipsDir, simulatorClipFileName(size));
    let clip = this.clips.get(file);
    if (!clip) {
      clip = readClip(file, size);
      clip.catch(() => this.clips.get(file) === clip && this.clips.delete(file));
      this.clips.set(file, clip);
    }
    return clip;
  }
}

const sharedRenderers = new Map<string, SimulatedVideoRenderer>();

/**
 * Renders a simulated video with a renderer shared by all callers that use the same clips folder. The simulator can
 * hold its own {@link SimulatedVideoRenderer} instead, to control the cache.
 */
export function renderSimulatedVideo(request: SimulatedVideoRequest & { clipsDir: string }): Promise<Uint8Array> {
  const clipsDir = path.resolve(request.clipsDir);
  let renderer = sharedRenderers.get(clipsDir);
  if (!renderer) {
    renderer = new SimulatedVideoRenderer({ clipsDir });
    sharedRenderers.set(clipsDir, renderer);
  }
  return renderer.render(request);
}

function checkRequest(request: SimulatedVideoRequest): void {
  const { durationSeconds: seconds, width, height } = request;
  if (!Number.isInteger(seconds) || seconds < MIN_SIMULATED_SECONDS || seconds > MAX_SIMULATED_SECONDS) {
    throw new SimulatedVideoError(
      'bad-request',
      `Duration must be a whole number of seconds from ${MIN_SIMULATED_SECONDS} to ${MAX_SIMULATED_SECONDS}, not ${seconds}`,
    );
  }
  const known = Object.values(SIMULATED_FRAME_SIZES).flatMap((byAspect) => Object.values(byAspect));
  if (!known.some((size) => size.width === width && size.height === height)) {
    const list = known.map((size) => `${size.width}x${size.height}`).join(', ');
    throw new SimulatedVideoError('bad-request', `No simulated video of ${width}x${height}; sizes are ${list}`);
  }
}

function videoKey(request: SimulatedVideoRequest): string {
  return `${request.width}x${request.height}/${request.durationSeconds}`;
}

async function readClip(file: string, size: FrameSize): Promise<Clip> {
  let bytes: Buffer;
  try {
    bytes = await readFile(file);
  } catch (error) {
    const reason = errorText(error);
    throw new SimulatedVideoError('clip-missing', `The simulator clip ${file} cannot be read: ${reason}`);
  }
  const invalid = (why: string) =>
    new SimulatedVideoError('clip-invalid', `The simulator clip ${file} ${why}; remake it with scripts/make-simulator-clips.sh`);

  const { Input, BufferSource, MP4, EncodedPacketSink } = await import('./mediabunny.mjs');
  const input = new Input({ source: new BufferSource(bytes), formats: [MP4] });
  try {
    const tracks = await input.getTracks().catch(() => {
      throw invalid('is not a readable MP4 file');
    });
    const video = tracks.find((track) => track.isVideoTrack());
    if (tracks.length !== 1 || !video?.isVideoTrack() || video.codec !== 'avc') {
      throw invalid('must hold exactly one H.264 video track and nothing else');
    }
    if (video.codedWidth !== size.width || video.codedHeight !== size.height) {
      throw invalid(`is ${video.codedWidth}x${video.codedHeight}, not ${size.width}x${size.height}`);
    }
    const decoderConfig = await video.getDecoderConfig();
    if (!decoderConfig) throw invalid('has no H.264 decoder configuration');
    const packets: EncodedPacket[] = [];
    for await (const packet of new EncodedPacketSink(video).packets()) packets.push(packet);
    const firstPacket = packets[0];
    if (!firstPacket || firstPacket.type !== 'key' || firstPacket.timestamp !== 0) {
      throw invalid('must start with a key frame at time 0');
    }
    // Decode order must be presentation order (no B-frames), or shifted copies would need composition offsets.
    if (packets.some((packet, i) => i > 0 && packet.timestamp <= packets[i - 1]!.timestamp)) {
      throw invalid('has B-frames (its timestamps are not increasing in decode order)');
    }
    const seconds = await video.computeDuration();
    if (Math.abs(seconds - Math.round(seconds)) > 1e-6 || Math.round(seconds) < 1) {
      throw invalid(`lasts ${seconds} s, not a whole number of seconds`);
    }
    return { packets, decoderConfig, seconds: Math.round(seconds), frameRate: packets.length / Math.round(seconds) };
  } finally {
    input.dispose();
  }
}

/**
 * The creation and modification time written in `mvhd`, `tkhd` and `mdhd`, in seconds since 1904: 0, as in the clips
 * themselves (ffmpeg writes 0 unless given `-metadata creation_time`). mediabunny writes the time of the render and
 * has no option to change it, so it is overwritten after the fact. A time that changed from one render to the next
 * would change the bytes and the ETag of a result video whenever a simulator restarts (or forgets a cached video), and
 * a client resuming a cut download with `Range` would get a different file, or start again with `If-Range`.
 */
export const MP4_TIME = 0;

/** Containers on the way from the top of the file to the boxes that hold a time. */
const TIME_PATH_CONTAINERS = new Set(['moov', 'trak', 'mdia']);
const TIMED_BOXES = new Set(['mvhd', 'tkhd', 'mdhd']);

/** Sets every creation and modification time of the movie, its tracks and their media to {@link MP4_TIME}, in place. */
function fixMp4Times(mp4: Uint8Array): void {
  const view = new DataView(mp4.buffer, mp4.byteOffset, mp4.byteLength);
  let fixed = 0;
  const walk = (start: number, end: number): void => {
    for (let offset = start; offset + 8 <= end; ) {
      let size = view.getUint32(offset);
      const type = String.fromCharCode(mp4[offset + 4]!, mp4[offset + 5]!, mp4[offset + 6]!, mp4[offset + 7]!);
      let header = 8;
      if (size === 1) {
        size = Number(view.getBigUint64(offset + 8));
        header = 16;
      } else if (size === 0) {
        size = end - offset;
      }
      if (size < header || offset + size > end) throw new Error(`mediabunny wrote a malformed '${type}' box at byte ${offset}`);
      if (TIME_PATH_CONTAINERS.has(type)) walk(offset + header, offset + size);
      if (TIMED_BOXES.has(type)) {
        // A full box: version (1 byte) and flags (3), then both times, 32-bit in version 0 and 64-bit in version 1.
        const times = offset + header + 4;
        if (mp4[offset + header] === 1) {
          view.setBigUint64(times, BigInt(MP4_TIME));
          view.setBigUint64(times + 8, BigInt(MP4_TIME));
        } else {
          view.setUint32(times, MP4_TIME);
          view.setUint32(times + 4, MP4_TIME);
        }
        fixed += 1;
      }
      offset += size;
    }
  };
  walk(0, mp4.byteLength);
  // mvhd, then tkhd and mdhd for the one track. Fewer means mediabunny changed its layout and a time may be left.
  if (fixed < 3) throw new Error(`Expected the movie, track and media headers in the rendered MP4; found ${fixed}`);
}
