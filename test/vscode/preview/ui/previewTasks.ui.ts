/** From a finished task to a playing preview: the completion notification, the Tasks view, and Regenerate. */
import * as assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { UiTest } from '../../harness/run';
import { answerDialog, generateFromPrompt, openKlingView, taskRow, toastText } from '../../kling/ui/klingWorkbench';
import { recipeText, waitUntilPreviewPlays } from './previewWorkbench';

const PROMPT = 'A paper lantern drifting over a still lake at night';
const LABEL = 'A paper lantern drifting over a sti…';

const videosIn = (workspace: string) => {
  const dir = join(workspace, 'kling-videos');
  return existsSync(dir) ? readdirSync(dir).filter((f) => f.endsWith('.mp4')).sort() : [];
};

export const openFromNotification: UiTest = {
  name: 'a finished task opens from its notification in Kling Preview, playing, beside the recipe that made it',
  timeoutMs: 150_000,
  async run(workbench, { workspace }) {
    await openKlingView(workbench);
    await generateFromPrompt(workbench, { prompt: PROMPT, duration: '3 s' });
    await toastText(workbench, /Video ready \(simulated\)/, 120_000);
    await workbench.clickNotificationButton(/Video ready \(simulated\)/, 'Open');
    const [video] = videosIn(workspace);
    assert.ok(video, 'the video is on disk');
    const frame = await waitUntilPreviewPlays(workbench, video);
    const recipe = await recipeText(frame);
    const sidecar = JSON.parse(readFileSync(join(workspace, 'kling-videos', `${video}.json`), 'utf8')) as { taskId: string };
    for (const expected of [LABEL, 'Simulated', PROMPT, '3 s', '16:9', '720p', '$0.225 · 16.20 credits', sidecar.taskId]) {
      assert.ok(recipe.includes(expected), `the recipe shows "${expected}":\n${recipe}`);
    }
    await workbench.screenshot('preview-from-notification');
  },
};

export const openFromTasksView: UiTest = {
  name: "a click on a finished task in the Tasks view opens Kling Preview, playing",
  timeoutMs: 90_000,
  async run(workbench, { workspace }) {
    const pane = await openKlingView(workbench);
    const [video] = videosIn(workspace);
    assert.ok(video, 'the task of the test before is saved');
    await taskRow(pane, LABEL).click();
    const frame = await waitUntilPreviewPlays(workbench, video);
    assert.match(await recipeText(frame), new RegExp(PROMPT));
  },
};

export const regenerateNewTake: UiTest = {
  name: 'Regenerate on a video made from a prompt shows the price, then makes a new take beside it with the same request',
  timeoutMs: 150_000,
  async run(workbench, { workspace }) {
    const pane = await openKlingView(workbench);
    const [first] = videosIn(workspace);
    assert.ok(first, 'the task of the first test is saved');
    await taskRow(pane, LABEL).click();
    const frame = await waitUntilPreviewPlays(workbench, first);
    await frame.locator('#action-regenerate').click();
    const dialog = await answerDialog(workbench, /again\?/, 'Generate for $0.225');
    assert.match(dialog, new RegExp(`Generate "${LABEL.replace('…', '.')}" again\\? It costs \\$0\\.225 \\(16\\.2 credits\\) on the simulator: nothing is spent\\.`));
    assert.match(dialog, new RegExp(`It is kept as a new take of ${first.replace(/[.]/g, '\\.')}, which stays as it is`));
    await toastText(workbench, /New take ready \(simulated\)/, 120_000);
    const takesDir = join(workspace, 'kling-videos', '.takes', first.replace(/\.mp4$/, ''));
    const takes = readdirSync(takesDir).filter((f) => f.endsWith('.mp4'));
    const read = (file: string) => JSON.parse(readFileSync(file, 'utf8')) as { request: unknown; requestHash: string; taskId: string };
    const one = read(join(workspace, 'kling-videos', `${first}.json`));
    const two = takes.map((f) => read(join(takesDir, `${f}.json`))).find((s) => s.taskId !== one.taskId);
    assert.ok(two, `a second take beside the first: ${takes.join(', ')}`);
    assert.deepEqual(videosIn(workspace), [first], 'the chosen video stays; the new take is in its takes folder');
    assert.deepEqual(two.request, one.request, 'the same request');
    assert.equal(two.requestHash, one.requestHash);
    assert.notEqual(two.taskId, one.taskId, 'a new task');
  },
};
