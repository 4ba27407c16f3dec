import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { formatClock, SyncedPlayback, type MediaLike } from '../../../../src/webview/takes/syncedPlayback';

const FRAME = 1 / 24;

/** A media element that seeks asynchronously (the 'seeked' event comes later), as a browser's does. */
class FakeVideo implements MediaLike {
  private time = 0;
  seeking = false;
  paused = true;
  ended = false;
  playbackRate = 1;
  defaultPlaybackRate = 1;
  loop = true;
  private readonly listeners = new Map<string, Array<{ fn: () => void; once: boolean }>>();

  constructor(readonly duration: number) {}

  get currentTime(): number {
    return this.time;
  }

  set currentTime(value: number) {
    this.time = value;
    this.seeking = true;
    setTimeout(() => {
      this.seeking = false;
      this.emit('seeked');
    }, 1);
  }

  /** Time passing while it plays (what the browser does between frames). */
  advance(seconds: number): void {
    if (!this.paused) this.time = Math.min(this.duration, this.time + seconds * this.playbackRate);
  }

  play(): Promise<void> {
    this.paused = false;
    return Promise.resolve();
  }

  pause(): void {
    this.paused = true;
  }

  addEventListener(type: string, fn: () => void, options?: { once?: boolean }): void {
    this.listeners.set(type, [...(this.listeners.get(type) ?? []), { fn, once: options?.once === true }]);
  }

  removeEventListener(type: string, fn: () => void): void {
    this.listeners.set(type, (this.listeners.get(type) ?? []).filter((l) => l.fn !== fn));
  }

  emit(type: string): void {
    const all = this.listeners.get(type) ?? [];
    this.listeners.set(type, all.filter((l) => !l.once));
    for (const listener of all) listener.fn();
  }
}

function transport(...durations: number[]) {
  const videos = durations.map((d) => new FakeVideo(d));
  const ticks: Array<() => void> = [];
  const playback = new SyncedPlayback(videos, { frameSeconds: FRAME, onChange: () => undefined, schedule: (tick) => ticks.push(tick) });
  const frame = (seconds: number, [a, b]: number[] = [1, 1]) => {
    videos.forEach((v, i) => v.advance(seconds * ([a, b][i] ?? 1)));
    ticks.splice(0).forEach((tick) => tick());
  };
  return { videos, playback, frame };
}

describe('SyncedPlayback: one transport for several takes', () => {
  it('takes the looping from each video and plays them together from the same time', async () => {
    const { videos, playback } = transport(5, 5);
    assert.deepEqual(videos.map((v) => v.loop), [false, false]);
    await playback.play();
    assert.deepEqual(videos.map((v) => v.paused), [false, false]);
    assert.equal(playback.isPlaying, true);
  });

  it('a seek moves every video to the same time, and playing goes on', async () => {
    const { videos, playback, frame } = transport(5, 5);
    await playback.play();
    frame(0.5);
    await playback.seek(2);
    assert.deepEqual(videos.map((v) => v.currentTime), [2, 2]);
    assert.deepEqual(videos.map((v) => [v.seeking, v.paused]), [[false, false], [false, false]], 'each has settled on the frame, and plays on');
  });

  it('steps one frame, paused, and never past either end', async () => {
    const { videos, playback } = transport(5, 5);
    await playback.seek(1);
    await playback.step(1);
    assert.deepEqual(videos.map((v) => v.currentTime), [1 + FRAME, 1 + FRAME]);
    await playback.seek(0);
    await playback.step(-1);
    assert.deepEqual(videos.map((v) => v.currentTime), [0, 0]);
    assert.equal(playback.isPlaying, false);
  });

  it('follows the longest take: a shorter one stops at its own end', async () => {
    const { videos, playback } = transport(3, 5);
    assert.equal(playback.duration, 5);
    await playback.seek(4);
    assert.deepEqual(videos.map((v) => v.currentTime), [3, 4]);
    assert.equal(playback.time, 4, 'the time is the longest one\'s');
  });

  it('takes up a small drift with the speed and a large one with a seek', async () => {
    const { videos, playback, frame } = transport(5, 5);
    await playback.play();
    frame(0.1, [1, 1.4]); // the follower ran ahead by 0.04 s
    frame(0);
    assert.ok(videos[1]!.playbackRate < 1, `it slows down: ${videos[1]!.playbackRate}`);
    for (let i = 0; i < 20; i++) frame(1 / 60);
    assert.ok(Math.abs(videos[1]!.currentTime - videos[0]!.currentTime) < FRAME, 'back within a frame');
    videos[1]!.currentTime = 4;
    videos[1]!.seeking = false;
    frame(0);
    assert.equal(videos[1]!.currentTime, videos[0]!.currentTime, 'a drift of seconds is a seek');
  });

  it('loops all of them at the end of the longest, or stops there', async () => {
    const { videos, playback } = transport(2, 2);
    await playback.play();
    videos.forEach((v) => v.advance(2));
    videos[0]!.emit('ended');
    await playback.settled();
    assert.deepEqual(videos.map((v) => v.currentTime), [0, 0]);
    assert.equal(playback.isPlaying, true);
    playback.setLoop(false);
    videos[0]!.emit('ended');
    assert.equal(playback.isPlaying, false);
  });

  it('writes time to the hundredth', () => {
    assert.equal(formatClock(0), '0:00.00');
    assert.equal(formatClock(4.256), '0:04.25');
    assert.equal(formatClock(61.5), '1:01.50');
  });
});
