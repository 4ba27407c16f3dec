/** One video of the soak's storyboard: its name (the file is `<name>.mp4`) and its prompt, unique to it. */
export interface SoakVideo {
  name: string;
  prompt: string;
  seconds: number;
}

/** Seconds of each video: the shortest the contract allows, so that 100 of them download fast. */
export const SOAK_VIDEO_SECONDS = 3;

/** `count` short text-to-video videos, `v001` …, each with a prompt of its own (the simulator's record is matched by it). */
export function soakVideos(count: number): SoakVideo[] {
  return Array.from({ length: count }, (_, i) => {
    const n = String(i + 1).padStart(3, '0');
    return { name: `v${n}`, prompt: `Soak video ${n}: a paper boat drifts down a rain gutter`, seconds: SOAK_VIDEO_SECONDS };
  });
}

/** The storyboard's text: the videos into `out/`, square 720p without sound (the cheapest frame the simulator renders). */
export function soakStoryboardText(videos: readonly SoakVideo[]): string {
  const body = {
    version: 1,
    output: 'out',
    defaults: { aspect_ratio: '1:1', quality: '720p', sound: 'off' },
    videos: videos.map((v) => ({ name: v.name, prompt: v.prompt, duration: v.seconds })),
  };
  return `${JSON.stringify(body, null, 2)}\n`;
}
