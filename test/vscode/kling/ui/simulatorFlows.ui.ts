/** Generating on the built-in simulator, as a newcomer with no key would. */
import * as assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { UiTest } from '../../harness/run';
import { waitFor } from '../../harness/wait';
import { answerDialog, generateFromPrompt, openKlingView, taskRow, toastText } from './klingWorkbench';

const videosIn = (workspace: string) => {
  const dir = join(workspace, 'kling-videos');
  return existsSync(dir) ? readdirSync(dir).filter((f) => f.endsWith('.mp4')) : [];
};

export const generateOnSimulator: UiTest = {
  name: 'Generate from Prompt shows the price, then the task appears, progresses and is saved with its sidecar',
  timeoutMs: 120_000,
  async run(workbench, { workspace }) {
    const pane = await openKlingView(workbench);
    const priceStep = await generateFromPrompt(workbench, { prompt: 'A red kite over green hills at noon' }, { confirm: false });
    assert.match(priceStep, /Generate — \$0\.375 · 27 credits/, 'the last step shows the price before anything is spent');
    assert.match(priceStep, /simulated: nothing is spent/);
    await workbench.screenshot('kling-generate-price');
    await (await workbench.quickInput(/Generate from Prompt \(8\/8\)/)).locator('.quick-input-box input').press('Enter');

    const row = taskRow(pane, 'A red kite over green hills at noon');
    await row.waitFor({ state: 'visible', timeout: 20_000 });
    await waitFor(async () => (/\d+%/.test(await row.innerText()) ? true : undefined), { timeoutMs: 30_000, intervalMs: 100, what: 'the task to show its progress' });
    // At the side bar's default width the progress is in sight: it leads the label, which the row cuts at its end.
    const sideBar = await workbench.page.locator('.part.sidebar').boundingBox();
    assert.ok(sideBar && sideBar.width <= 310, `the side bar at its default width: ${sideBar?.width}`);
    const label = row.locator('.label-name').first();
    assert.match(await label.innerText(), /^\d+% · A red kite/);
    const [rowBox, labelBox] = [await row.boundingBox(), await label.boundingBox()];
    assert.ok(rowBox && labelBox && labelBox.x + 30 < rowBox.x + rowBox.width, 'the label (and its percent) starts well inside the row');
    await workbench.screenshot('kling-task-running');
    await toastText(workbench, /Video ready \(simulated\)/, 60_000);
    await waitFor(async () => (/\.mp4/.test(await row.innerText()) ? true : undefined), { timeoutMs: 10_000, what: 'the row to name its file' });

    const videos = videosIn(workspace);
    assert.equal(videos.length, 1, `one MP4 in kling-videos: ${videos.join(', ')}`);
    assert.match(videos[0]!, /^a-red-kite-over-green-hills-at-noon-\d{8}-\d{6}\.mp4$/);
    const sidecar = JSON.parse(readFileSync(join(workspace, 'kling-videos', `${videos[0]}.json`), 'utf8'));
    assert.equal(sidecar.request.prompt, 'A red kite over green hills at noon');
    assert.equal(sidecar.simulated, true);
    assert.match(sidecar.taskId, /^task-unified-\d+-[a-z0-9]{8}$/);
  },
};

export const contentPolicyFailure: UiTest = {
  name: 'a content_policy_violation failure shows the service message and offers to edit the prompt',
  timeoutMs: 120_000,
  async run(workbench) {
    await openKlingView(workbench);
    await generateFromPrompt(workbench, { prompt: '[fail:content_policy_violation] A forbidden scene' });
    const text = await toastText(workbench, /failed:.*content_policy_violation/, 60_000);
    // One parenthesis: the simulator's "(simulated)" and the code together.
    assert.match(text, /"\[fail:content_policy_violation\] A f…" failed: The content was flagged [^()]+ \(simulated\) · content_policy_violation/);
    assert.match(text, /Edit Prompt…/);
    await workbench.clickNotificationButton(/content_policy_violation/, 'Edit Prompt…');
    const input = await workbench.quickInput(/Generate from Prompt \(1\/8\)/);
    assert.equal(await input.locator('.quick-input-box input').inputValue(), '[fail:content_policy_violation] A forbidden scene', 'the prompt comes back to edit');
    await input.locator('.quick-input-box input').press('Escape');
  },
};

export const tasksViewScreenshot: UiTest = {
  name: 'the Tasks view shows running, finished and failed tasks',
  timeoutMs: 120_000,
  async run(workbench) {
    const pane = await openKlingView(workbench);
    await generateFromPrompt(workbench, { prompt: 'A slow pan across a night market', duration: '15 s' });
    // $1.125 is above klingStudio.confirmAboveUsd ($1 by default): the price is asked about once more.
    const dialog = await answerDialog(workbench, /Generate a 15 s video for \$1\.125/, 'Generate (simulated)');
    assert.match(dialog, /\(81 credits\)/);
    const running = taskRow(pane, 'A slow pan across a night market');
    await waitFor(async () => (/\d+%/.test(await running.innerText()) ? true : undefined), { timeoutMs: 30_000, intervalMs: 100, what: 'a running task' });
    assert.ok(await taskRow(pane, 'A red kite over green hills').isVisible(), 'the finished task is listed');
    const failed = taskRow(pane, '[fail:content_policy_violation] A f');
    assert.ok(await failed.isVisible(), 'the failed task is listed');
    assert.match(await failed.innerText(), /content policy violation/);
    // As a person would to read the progress: widen the side bar.
    const sidebar = await workbench.page.locator('.part.sidebar').boundingBox();
    if (sidebar) {
      const edge = { x: sidebar.x + sidebar.width + 1, y: sidebar.y + sidebar.height / 2 };
      await workbench.page.mouse.move(edge.x, edge.y);
      await workbench.page.mouse.down();
      await workbench.page.mouse.move(edge.x + 260, edge.y, { steps: 8 });
      await workbench.page.mouse.up();
    }
    await workbench.screenshot('kling-tasks-view');
    // Then the failed task's details, on one hover. A poll redraws the running task's own row only; the end of a
    // task redraws its group (its running count), which closes any hover in it, as it would for a person: the hover
    // is read once the slow task has ended.
    await waitFor(async () => (/a-slow-pan-across-a-night-market-\d{8}/.test(await running.innerText()) ? true : undefined), { timeoutMs: 60_000, intervalMs: 200, what: 'the slow task saved' });
    await failed.hover();
    await workbench.page.locator('.monaco-hover, .workbench-hover', { hasText: 'flagged' }).first().waitFor({ state: 'visible', timeout: 10_000 });
    await workbench.screenshot('kling-tasks-view-failure-details');
  },
};
