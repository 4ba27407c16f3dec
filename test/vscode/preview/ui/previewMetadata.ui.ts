/**
 * Kling Preview on a video whose storyboard keeps its records in a "metadata" folder: the output folder holds only
 * the MP4, and the preview still shows how it was made (docs/storyboard-format.md, "Keeping the records out of the
 * output folder").
 */
import * as assert from 'node:assert/strict';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { UiTest } from '../../harness/run';
import { findSimulatorClipsDir, renderSimulatedVideo } from '../../../../src/core/media/simulatedVideo';
import { buildVideoRequest } from '../../../../src/core/request/buildRequest';
import { requestHash } from '../../../../src/core/request/requestHash';
import type { Sidecar } from '../../../../src/core/download/sidecar';
import { openInKlingPreview, recipeText, waitUntilPlaying } from './previewWorkbench';

const PROMPT = 'A hummingbird hovering over a red flower';
const TASK_ID = 'task-unified-1764066000-hummb1rd';

/** site.kling.json → public/videos/banner.mp4, its sidecar in .kling/ as the task engine writes it there. */
export async function seedMetadataWorkspace(workspace: string, repoRoot: string): Promise<void> {
  writeFileSync(join(workspace, 'site.kling.json'), `{ "version": 1, "output": "public/videos", "metadata": ".kling", "videos": [ { "name": "banner", "prompt": "${PROMPT}", "duration": 3 } ] }\n`);
  mkdirSync(join(workspace, 'public', 'videos'), { recursive: true });
  mkdirSync(join(workspace, '.kling'), { recursive: true });
  const bytes = await renderSimulatedVideo({ clipsDir: findSimulatorClipsDir(repoRoot), durationSeconds: 3, width: 1280, height: 720 });
  writeFileSync(join(workspace, 'public', 'videos', 'banner.mp4'), bytes);
  const request = buildVideoRequest({ prompt: PROMPT, duration: 3, aspect_ratio: '16:9', quality: '720p', sound: 'off' });
  const sidecar: Sidecar = {
    kling: 1,
    request: request as Record<string, unknown>,
    requestHash: requestHash(request),
    taskId: TASK_ID,
    model: request.model,
    storyboard: '../site.kling.json',
    video: 'banner',
    label: 'banner',
    price: { estimated: { seconds: 3, usd: '0.225', credits: '16.2' } },
    simulated: true,
    bytes: bytes.length,
    createdAt: '2026-11-25T09:20:00.000Z',
    savedAt: '2026-11-25T09:21:32.000Z',
  };
  writeFileSync(join(workspace, '.kling', 'banner.mp4.json'), `${JSON.stringify(sidecar, null, 2)}\n`);
}

export function previewMetadataTest(seeded: Promise<void>): UiTest {
  return {
    name: 'a video whose sidecar is in its storyboard\'s metadata folder plays beside its recipe',
    timeoutMs: 120_000,
    async run(workbench) {
      await seeded;
      const frame = await openInKlingPreview(workbench, 'banner.mp4');
      await waitUntilPlaying(frame);
      const recipe = await recipeText(frame);
      for (const expected of [PROMPT, TASK_ID, 'site.kling.json › banner']) {
        assert.ok(recipe.includes(expected), `the recipe shows "${expected}":\n${recipe}`);
      }
      await workbench.screenshot('preview-metadata-folder');
    },
  };
}
