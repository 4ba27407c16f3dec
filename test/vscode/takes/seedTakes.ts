/**
 * A workspace with a storyboard whose videos have takes, written the way the task engine writes them: simulator
 * videos (H.264, no sound: they play in any VS Code) saved as takes with their sidecars under videos/.takes/, the
 * chosen one linked at videos/<name>.mp4. "one" has two takes (an older recipe, 5 s, and the one in use, 3 s); "two"
 * and "three" one each; "four" is not rendered.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { VideoRequest } from '../../../src/core/api/apiSchemas';
import { writeSidecar } from '../../../src/core/download/sidecar';
import { findSimulatorClipsDir, renderSimulatedVideo } from '../../../src/core/media/simulatedVideo';
import { formatAmount } from '../../../src/core/pricing/decimal';
import { priceVideo } from '../../../src/core/pricing/pricing';
import { planStoryboard } from '../../../src/core/render/storyboardPlan';
import { buildVideoRequest, specFromStoryboardVideo } from '../../../src/core/request/buildRequest';
import { requestHash } from '../../../src/core/request/requestHash';
import { checkStoryboardText } from '../../../src/core/storyboard/validateStoryboard';
import { takePathOf } from '../../../src/core/takes/takeLayout';
import { landTake } from '../../../src/core/takes/takeStore';

export const TAKES_STORYBOARD = `{
  // The landing page's cut, in order.
  "version": 1,
  "output": "videos",
  "defaults": { "aspect_ratio": "16:9", "quality": "720p" },
  "videos": [
    { "name": "one", "prompt": "A golden retriever in a snowy meadow", "duration": 3 },
    { "name": "two", "shots": [
      { "prompt": "A hilltop at dawn", "duration": 1 },
      { "prompt": "The city below", "duration": 2 }
    ] },
    { "name": "three", "prompt": "A lighthouse at dusk", "duration": 3 },
    { "name": "four", "prompt": "The logo fades into the night sky", "duration": 4 }
  ]
}
`;

/** The older recipe of "one": its first take. */
export const OLD_PROMPT = 'A golden retriever in a sunlit meadow';

export interface SeededTakes {
  storyboard: string;
  /** videos/one.mp4, and its two takes: the older recipe (take 1) and the one in use (take 2). */
  one: string;
  oneOld: string;
  oneCurrent: string;
}

export async function seedTakes(workspace: string, repoRoot: string): Promise<SeededTakes> {
  const clipsDir = findSimulatorClipsDir(repoRoot);
  const storyboardPath = join(workspace, 'site.kling.json');
  writeFileSync(storyboardPath, TAKES_STORYBOARD);
  const plan = await planStoryboard(checkStoryboardText(TAKES_STORYBOARD).storyboard!, { storyboardPath });
  const video = (name: string) => plan.videos.find((v) => v.name === name)!;
  const save = async (name: string, request: VideoRequest, hash: string, minute: number, id: string) => {
    const created = Date.UTC(2026, 10, 25, 9, minute);
    const taskId = `task-unified-${Math.floor(created / 1000)}-${id}`;
    const take = takePathOf(video(name).outputPath, created, taskId);
    mkdirSync(dirname(take), { recursive: true });
    const bytes = await renderSimulatedVideo({ clipsDir, durationSeconds: request.duration ?? 5, width: 1280, height: 720 });
    writeFileSync(take, bytes);
    const price = priceVideo({ duration: request.duration ?? 5, quality: request.quality, sound: request.sound });
    await writeSidecar(take, {
      kling: 1,
      request: request as Record<string, unknown>,
      requestHash: hash,
      taskId,
      model: request.model,
      storyboard: '../../../site.kling.json',
      video: name,
      label: name,
      price: { estimated: { seconds: price.seconds, usd: formatAmount(price.usd), credits: formatAmount(price.credits) }, reportedCredits: Number(formatAmount(price.credits)) },
      simulated: true,
      bytes: bytes.length,
      createdAt: new Date(created).toISOString(),
      completedAt: new Date(created + 60_000).toISOString(),
      savedAt: new Date(created + 62_000).toISOString(),
    });
    return take;
  };
  const oldSpec = specFromStoryboardVideo({ name: 'one', prompt: OLD_PROMPT, duration: 5 }, { aspect_ratio: '16:9', quality: '720p' });
  const oldRequest = buildVideoRequest(oldSpec);
  const oneOld = await save('one', oldRequest, requestHash(oldRequest), 0, 'old00001');
  const oneCurrent = await save('one', video('one').hashedRequest, video('one').requestHash, 10, 'new00002');
  const root = { root: workspace };
  await landTake(video('one').outputPath, oneOld, root);
  await landTake(video('one').outputPath, oneCurrent, root);
  for (const [name, minute] of [['two', 11], ['three', 12]] as const) {
    const take = await save(name, video(name).hashedRequest, video(name).requestHash, minute, `${name.padEnd(5, '0')}003`);
    await landTake(video(name).outputPath, take, root);
  }
  return { storyboard: storyboardPath, one: video('one').outputPath, oneOld, oneCurrent };
}
