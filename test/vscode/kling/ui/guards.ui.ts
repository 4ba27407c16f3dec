/** What must stop a generation before anything is spent, and what must survive a window reload. */
import * as assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { UiTest } from '../../harness/run';
import { waitFor } from '../../harness/wait';
import { answerDialog, generateFromPrompt, openKlingView, taskRow, toastText } from './klingWorkbench';

export const untrustedCannotGenerate: UiTest = {
  name: 'in Restricted Mode the view is there, but Generate refuses before asking anything',
  async run(workbench, { workspace, server }) {
    await openKlingView(workbench);
    await workbench.runCommand('Kling: Generate from Prompt…');
    const text = await toastText(workbench, /does not generate in Restricted Mode/);
    assert.match(text, /Manage Workspace Trust/);
    assert.deepEqual(simulatorTasks(server.dirs.userData), [], 'the simulator made no task');
    assert.ok(!existsSync(join(workspace, 'kling-videos')), 'nothing was generated');
  },
};

export const dailyBudgetRefuses: UiTest = {
  name: 'past the daily budget a generation is refused with what was spent and how to raise the limit',
  async run(workbench, { workspace, server }) {
    await openKlingView(workbench);
    await generateFromPrompt(workbench, { prompt: 'A cable car over a valley' });
    const text = await toastText(workbench, /Daily budget reached/);
    assert.match(text, /\$0\.00 of \$0\.30 spent today on the simulator, and a 5 s video costs \$0\.375/);
    assert.match(text, /klingStudio\.dailyBudgetUsd/);
    assert.match(text, /Open Settings/);
    assert.deepEqual(simulatorTasks(server.dirs.userData), [], 'the simulator made no task');
    assert.ok(!existsSync(join(workspace, 'kling-videos')), 'nothing was generated');
  },
};

/** The simulator's saved tasks, from the extension's global storage on the server. */
function simulatorTasks(userData: string): unknown[] {
  const file = join(userData, 'User', 'globalStorage', 'kling-studio.kling-studio', 'simulator.json');
  if (!existsSync(file)) return [];
  const state = JSON.parse(readFileSync(file, 'utf8')) as { tasks?: unknown[] };
  return state.tasks ?? [];
}

export const reloadMidTask: UiTest = {
  name: 'a window reload mid-task: the task is still there, polling resumes, one task on the simulator, one MP4',
  timeoutMs: 180_000,
  async run(workbench, { server, workspace }) {
    let pane = await openKlingView(workbench);
    await generateFromPrompt(workbench, { prompt: 'A train crossing a long bridge', duration: '15 s' });
    await answerDialog(workbench, /Generate a 15 s video for \$1\.125/, 'Generate (simulated)');
    let row = taskRow(pane, 'A train crossing a long bridge');
    await waitFor(async () => (/\d+%/.test(await row.innerText()) ? true : undefined), { timeoutMs: 60_000, intervalMs: 100, what: 'the task to be processing' });
    assert.equal(simulatorTasks(server.dirs.userData).length, 1, 'one task on the simulator before the reload');

    await workbench.runCommand('Developer: Reload Window');
    await workbench.waitForReady(60_000);
    pane = await openKlingView(workbench);
    row = taskRow(pane, 'A train crossing a long bridge');
    await row.waitFor({ state: 'visible', timeout: 30_000 });
    assert.ok(!/\.mp4/.test(await row.innerText()), 'the task was still running at the reload');
    await waitFor(async () => (/\.mp4/.test(await row.innerText()) ? true : undefined), { timeoutMs: 120_000, intervalMs: 250, what: 'the resumed task to be saved' });

    assert.equal(simulatorTasks(server.dirs.userData).length, 1, 'still one task on the simulator: nothing was created again');
    const videos = readdirSync(join(workspace, 'kling-videos')).filter((f) => f.endsWith('.mp4'));
    assert.equal(videos.length, 1, `one MP4: ${videos.join(', ')}`);
  },
};
