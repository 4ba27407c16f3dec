// One transport for several videos: play, pause, seek, frame step, speed and loop act on all of them, and while they
// play the others follow the longest one (the leader) within a frame: a small drift is taken up by playing a little
// faster or slower, a large one by a seek. No DOM beyond what a media element offers, so it can run on stand-ins.

/** The part of an HTMLMediaElement this needs. */
export interface MediaLike {
  currentTime: number;
  readonly duration: number;
  readonly paused: boolean;
  readonly ended: boolean;
  readonly seeking: boolean;
  playbackRate: number;
  defaultPlaybackRate: number;
  loop: boolean;
  play(): Promise<void>;
  pause(): void;
  addEventListener(type: string, listener: () => void, options?: { once?: boolean }): void;
  removeEventListener(type: string, listener: () => void): void;
}

export interface SyncedPlaybackOptions {
  /** One frame, in seconds (frame steps, and the drift that counts as "in sync"). */
  frameSeconds: number;
  /** Called after anything a transport shows may have changed (time, playing, speed, loop). */
  onChange: () => void;
  /** Runs `tick` at the next frame; requestAnimationFrame in a page. */
  schedule: (tick: () => void) => void;
}

/** Drift above this is taken up by a seek; below it, by the playback rate. */
const SEEK_DRIFT_SECONDS = 0.25;

export class SyncedPlayback {
  private rate = 1;
  private looping = true;
  private playing = false;
  private ticking = false;
  private operation: Promise<void> = Promise.resolve();

  constructor(
    private readonly videos: readonly MediaLike[],
    private readonly options: SyncedPlaybackOptions,
  ) {
    for (const video of videos) {
      // Looping is done here, for all at once: a video that looped on its own would leave the others behind.
      video.loop = false;
      video.addEventListener('ended', () => this.onEnded(video));
      video.addEventListener('timeupdate', () => options.onChange());
      video.addEventListener('loadedmetadata', () => options.onChange());
    }
  }

  /** The longest video: its time is the transport's time. */
  private get leader(): MediaLike {
    return this.videos.reduce((best, v) => (length(v) > length(best) ? v : best), this.videos[0]!);
  }

  get time(): number {
    return this.videos.length ? this.leader.currentTime : 0;
  }

  get duration(): number {
    return Math.max(0, ...this.videos.map(length));
  }

  get isPlaying(): boolean {
    return this.playing;
  }

  get speed(): number {
    return this.rate;
  }

  get loop(): boolean {
    return this.looping;
  }

  play(): Promise<void> {
    return this.queue(async () => {
      if (this.playing) return;
      // Start together, from the leader's time (the end of the whole, when it was reached: from the start).
      const from = this.time >= this.duration - this.options.frameSeconds / 2 ? 0 : this.time;
      await this.seekAll(from);
      this.playing = true;
      for (const video of this.videos) video.playbackRate = this.rate;
      await Promise.all(this.videos.filter((v) => from < length(v)).map((v) => v.play().catch(() => undefined)));
      this.startTicking();
      this.options.onChange();
    });
  }

  pause(): Promise<void> {
    return this.queue(async () => {
      this.stop();
      await this.seekAll(this.time);
      this.options.onChange();
    });
  }

  toggle(): Promise<void> {
    return this.playing ? this.pause() : this.play();
  }

  /** Moves every video to `seconds` and waits until each shows that frame; playing goes on if it was. */
  seek(seconds: number): Promise<void> {
    return this.queue(async () => {
      const wasPlaying = this.playing;
      this.stop();
      await this.seekAll(Math.min(Math.max(0, seconds), this.duration));
      if (wasPlaying) {
        this.playing = true;
        await Promise.all(this.videos.filter((v) => v.currentTime < length(v)).map((v) => v.play().catch(() => undefined)));
        this.startTicking();
      }
      this.options.onChange();
    });
  }

  /** One frame forward (1) or back (-1), paused. */
  step(frames: 1 | -1): Promise<void> {
    return this.queue(async () => {
      this.stop();
      await this.seekAll(Math.min(Math.max(0, this.time + frames * this.options.frameSeconds), this.duration));
      this.options.onChange();
    });
  }

  setSpeed(rate: number): void {
    this.rate = rate;
    for (const video of this.videos) {
      video.defaultPlaybackRate = rate;
      video.playbackRate = rate;
    }
    this.options.onChange();
  }

  setLoop(loop: boolean): void {
    this.looping = loop;
    this.options.onChange();
  }

  /** Resolves when every operation asked for so far (and a loop at the end) has settled. */
  settled(): Promise<void> {
    return this.operation;
  }

  /** Operations run one after another: a seek never starts while another is settling. */
  private queue(work: () => Promise<void>): Promise<void> {
    this.operation = this.operation.then(work, work);
    return this.operation;
  }

  private stop(): void {
    this.playing = false;
    for (const video of this.videos) video.pause();
  }

  private async seekAll(seconds: number): Promise<void> {
    await Promise.all(
      this.videos.map((video) => {
        const target = Math.min(seconds, length(video) || seconds);
        if (Math.abs(video.currentTime - target) < 1e-6 && !video.seeking) return undefined;
        const seeked = new Promise<void>((resolve) => video.addEventListener('seeked', () => resolve(), { once: true }));
        video.currentTime = target;
        return seeked;
      }),
    );
  }

  private onEnded(video: MediaLike): void {
    if (!this.playing || video !== this.leader) return;
    if (this.looping) {
      void this.queue(async () => {
        await this.seekAll(0);
        await Promise.all(this.videos.map((v) => v.play().catch(() => undefined)));
      });
    } else {
      this.stop();
      this.options.onChange();
    }
  }

  private startTicking(): void {
    if (this.ticking) return;
    this.ticking = true;
    const tick = () => {
      if (!this.playing) {
        this.ticking = false;
        for (const video of this.videos) video.playbackRate = this.rate;
        return;
      }
      this.follow();
      this.options.schedule(tick);
    };
    this.options.schedule(tick);
  }

  /** Keeps every other video on the leader's time. */
  private follow(): void {
    const leader = this.leader;
    const at = leader.currentTime;
    for (const video of this.videos) {
      if (video === leader || video.seeking || at >= length(video)) continue;
      if (video.paused && !video.ended) void video.play().catch(() => undefined);
      const drift = video.currentTime - at;
      if (Math.abs(drift) > SEEK_DRIFT_SECONDS) video.currentTime = at;
      else if (Math.abs(drift) > this.options.frameSeconds / 4) video.playbackRate = this.rate * clamp(1 - drift * 4, 0.5, 1.5);
      else video.playbackRate = this.rate;
    }
  }
}

function length(video: MediaLike): number {
  return Number.isFinite(video.duration) ? video.duration : 0;
}

function clamp(value: number, min: number, max: number): number {
  return Math.min(max, Math.max(min, value));
}

/** `0:04.25`: seconds with hundredths, as a frame-accurate transport shows them. */
export function formatClock(seconds: number): string {
  const safe = Math.max(0, Number.isFinite(seconds) ? seconds : 0);
  const whole = Math.floor(safe);
  const hundredths = Math.floor((safe - whole) * 100);
  return `${Math.floor(whole / 60)}:${String(whole % 60).padStart(2, '0')}.${String(hundredths).padStart(2, '0')}`;
}
