/**
 * Real files for Kling Preview's UI tests, written by the test runner before the workbench needs them: simulator
 * videos made by the core's renderer (H.264, no sound: they play in any VS Code), the committed AAC fixture, and
 * sidecars as the task engine writes them, for a storyboard's multi-shot video and a video with sound.
 */
import { copyFileSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { findSimulatorClipsDir, renderSimulatedVideo } from '../../../src/core/media/simulatedVideo';
import { formatAmount } from '../../../src/core/pricing/decimal';
import { priceVideo } from '../../../src/core/pricing/pricing';
import { buildVideoRequest, specFromStoryboardVideo } from '../../../src/core/request/buildRequest';
import { requestHash } from '../../../src/core/request/requestHash';
import type { Sidecar } from '../../../src/core/download/sidecar';
import type { VideoRequest } from '../../../src/core/api/apiSchemas';

/** The storyboard, as a person would write it (comments, and the trailer's shots: 3 s + 4 s). */
export const STORYBOARD_TEXT = `{
  // The site's videos: rendered into videos/
  "version": 1,
  "output": "videos",
  "defaults": { "aspect_ratio": "16:9", "quality": "720p" },
  "videos": [
    { "name": "hero", "prompt": "A golden retriever running through a sunlit meadow", "duration": 5 },
    {
      "name": "trailer",
      "negative_prompt": "blurry, watermark",
      "shots": [
        { "prompt": "A person on a hilltop at dawn, wind in the grass", "duration": 3 },
        { "prompt": "The camera pulls back to reveal a glowing city below", "duration": 4 }
      ]
    }
  ]
}
`;

export const TRAILER_SHOTS = [
  { start: 0, end: 3, prompt: 'A person on a hilltop at dawn, wind in the grass' },
  { start: 3, end: 7, prompt: 'The camera pulls back to reveal a glowing city below' },
];

export interface SeededWorkspace {
  /** videos/trailer.mp4: a storyboard's two-shot video, with its sidecar. */
  trailer: string;
  /** clips/drummer.mp4: the AAC fixture, with a sidecar that says sound on. */
  withSound: string;
  /** clips/found-footage.mp4: a simulator video with no sidecar. */
  noSidecar: string;
  /** clips/broken.mp4: not a video at all, and its sidecar is not JSON. */
  broken: string;
  /** clips/hand-edited.mp4: a sidecar edited into a request the API refuses, naming a storyboard that is gone. */
  handEdited: string;
  /** clips/changing.mp4: no sidecar; a test rewrites it, then deletes it. */
  changing: string;
}

export async function seedWorkspace(workspace: string, repoRoot: string): Promise<SeededWorkspace> {
  const clipsDir = findSimulatorClipsDir(repoRoot);
  mkdirSync(join(workspace, 'videos'), { recursive: true });
  mkdirSync(join(workspace, 'clips'), { recursive: true });
  writeFileSync(join(workspace, 'site.kling.json'), STORYBOARD_TEXT);

  const trailer = join(workspace, 'videos', 'trailer.mp4');
  const spec = specFromStoryboardVideo(
    {
      name: 'trailer',
      negative_prompt: 'blurry, watermark',
      shots: TRAILER_SHOTS.map((shot) => ({ prompt: shot.prompt, duration: shot.end - shot.start })),
    },
    { aspect_ratio: '16:9', quality: '720p' },
  );
  const trailerBytes = await renderSimulatedVideo({ clipsDir, durationSeconds: spec.duration, width: 1280, height: 720 });
  writeFileSync(trailer, trailerBytes);
  writeSidecarFor(trailer, buildVideoRequest(spec), trailerBytes.length, { storyboard: '../site.kling.json', video: 'trailer', label: 'trailer', taskId: 'task-unified-1764064800-tr41l3r7' });

  const withSound = join(workspace, 'clips', 'drummer.mp4');
  copyFileSync(join(repoRoot, 'test', 'fixtures', 'media', 'aac-64x64.mp4'), withSound);
  const soundRequest = buildVideoRequest({ prompt: 'A drummer on a rooftop at sunset', duration: 3, aspect_ratio: '1:1', quality: '720p', sound: 'on' });
  writeSidecarFor(withSound, soundRequest, 4717, { label: 'A drummer on a rooftop at sunset', taskId: 'task-unified-1764064900-drumm3r5' });

  const noSidecar = join(workspace, 'clips', 'found-footage.mp4');
  writeFileSync(noSidecar, await renderSimulatedVideo({ clipsDir, durationSeconds: 3, width: 720, height: 720 }));
  const broken = join(workspace, 'clips', 'broken.mp4');
  writeFileSync(broken, 'This is a text file someone named .mp4\n');
  writeFileSync(`${broken}.json`, '{ "kling": 1, "request": ');
  const handEdited = join(workspace, 'clips', 'hand-edited.mp4');
  const handEditedBytes = await renderSimulatedVideo({ clipsDir, durationSeconds: 3, width: 720, height: 720 });
  writeFileSync(handEdited, handEditedBytes);
  const edited = { ...buildVideoRequest({ prompt: 'A lighthouse in a storm', duration: 3, aspect_ratio: '1:1', quality: '720p', sound: 'off' }), duration: 42 };
  writeSidecarFor(handEdited, edited as VideoRequest, handEditedBytes.length, { label: 'lighthouse', storyboard: '../gone.kling.json', video: 'lighthouse', taskId: 'task-unified-1764065000-l1ghth0u' });
  const changing = join(workspace, 'clips', 'changing.mp4');
  writeFileSync(changing, await renderSimulatedVideo({ clipsDir, durationSeconds: 3, width: 720, height: 720 }));
  return { trailer, withSound, noSidecar, broken, handEdited, changing };
}

/** Another simulator video, for a test that replaces a file the preview shows. */
export async function renderVideo(repoRoot: string, seconds: number): Promise<Uint8Array> {
  return renderSimulatedVideo({ clipsDir: findSimulatorClipsDir(repoRoot), durationSeconds: seconds, width: 720, height: 720 });
}

function writeSidecarFor(video: string, request: VideoRequest, bytes: number, extra: Partial<Sidecar> & { taskId: string }): void {
  const price = priceVideo({ duration: Math.min(request.duration ?? 5, 15), quality: request.quality, sound: request.sound });
  const sidecar: Sidecar = {
    kling: 1,
    request: request as Record<string, unknown>,
    requestHash: requestHash(request),
    model: request.model,
    price: { estimated: { seconds: price.seconds, usd: formatAmount(price.usd), credits: formatAmount(price.credits) }, reportedCredits: Number(formatAmount(price.credits)) },
    simulated: true,
    bytes,
    createdAt: '2026-11-25T09:20:00.000Z',
    completedAt: '2026-11-25T09:21:30.000Z',
    savedAt: '2026-11-25T09:21:32.000Z',
    ...extra,
  };
  writeFileSync(`${video}.json`, `${JSON.stringify(sidecar, null, 2)}\n`);
}
