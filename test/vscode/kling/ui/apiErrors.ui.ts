/**
 * The key and the service's errors, against a simulator the test controls (started by the tier, reached as the
 * "Kling API" at klingStudio.baseUrl): 401, 402 and 429 each show their message and their one action.
 */
import * as assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type { Simulator } from '../../../../src/core/simulator/simulatorServer';
import type { UiTest } from '../../harness/run';
import { waitFor } from '../../harness/wait';
import { generateFromPrompt, openKlingView, toastText } from './klingWorkbench';

import { TEST_API_KEY } from '../../tierContext';

/** Every file under `dir` (skipping large binaries) whose text contains `needle`. */
function filesContaining(dir: string, needle: string): string[] {
  const found: string[] = [];
  const walk = (folder: string) => {
    for (const name of readdirSync(folder)) {
      const file = join(folder, name);
      const info = statSync(file);
      if (info.isDirectory()) walk(file);
      else if (info.size < 5_000_000 && readFileSync(file).includes(needle)) found.push(file);
    }
  };
  if (existsSync(dir)) walk(dir);
  return found;
}

export function apiErrorTests(simulator: Simulator): UiTest[] {
  return [
    {
      name: 'Set API Key… keeps the key in secret storage: the service accepts it, and no setting or file holds it',
      async run(workbench, { server, workspace }) {
        await openKlingView(workbench);
        await workbench.runCommand('Kling: Set API Key…', 20_000, { leavesInputOpen: true });
        const input = await workbench.quickInput(/Kling: Set API Key/);
        assert.equal(await input.locator('.quick-input-box input').getAttribute('type'), 'password', 'the key is typed into a password box');
        // A key pasted with a character no HTTP header can carry is refused where it is typed, saying where it is.
        await input.locator('.quick-input-box input').pressSequentially('sk-é…');
        await input.locator('.quick-input-message', { hasText: 'The key has a character that is not printable ASCII at position 4 (U+00E9)' }).waitFor({ state: 'visible', timeout: 10_000 });
        await input.locator('.quick-input-box input').press('Enter');
        await workbench.quickInput(/Kling: Set API Key/, 5_000);
        await workbench.answerQuickInput(/Kling: Set API Key/, TEST_API_KEY);
        await toastText(workbench, /Kling API key saved: 10000 credits left/);
        const settings = join(server.dirs.userData, 'User', 'settings.json');
        assert.ok(existsSync(settings));
        assert.ok(!readFileSync(settings, 'utf8').includes(TEST_API_KEY), 'the key is in settings.json');
        assert.deepEqual(filesContaining(workspace, TEST_API_KEY), [], 'the key is in a workspace file');
        assert.deepEqual(filesContaining(join(server.dirs.userData, 'logs'), TEST_API_KEY), [], 'the key is in a log');
      },
    },
    {
      name: '429: the create waits, says so, and is sent again once',
      timeoutMs: 90_000,
      async run(workbench) {
        await openKlingView(workbench);
        const before = simulator.stats().creates;
        const tasksBefore = simulator.tasks().length;
        simulator.inject({ on: 'create', status: 429, retryAfterSeconds: 3 });
        await generateFromPrompt(workbench, { prompt: 'A hummingbird at a feeder' });
        await toastText(workbench, /limiting requests; waiting 3 s, then trying again/);
        await waitFor(() => (simulator.tasks().length === tasksBefore + 1 ? true : undefined), { timeoutMs: 30_000, what: 'the task to be created after the wait' });
        assert.equal(simulator.stats().creates - before, 2, 'one create turned away with 429, one sent again');
      },
    },
    {
      name: '402: out of credits says so and offers the billing page',
      async run(workbench) {
        await openKlingView(workbench);
        const balance = simulator.balance();
        simulator.setBalance(1);
        try {
          await generateFromPrompt(workbench, { prompt: 'A lighthouse in a storm' });
          const text = await toastText(workbench, /Could not create a 5 s video: Out of credits/);
          assert.match(text, /Open Billing Page/);
        } finally {
          simulator.setBalance(balance);
        }
      },
    },
    {
      name: '401: a refused key says so and offers Set API Key…',
      async run(workbench) {
        await openKlingView(workbench);
        await workbench.runCommand('Kling: Set API Key…', 20_000, { leavesInputOpen: true });
        await workbench.answerQuickInput(/Kling: Set API Key/, 'sk-not-a-valid-key');
        await toastText(workbench, /the service did not accept it/);
        await generateFromPrompt(workbench, { prompt: 'A fox in the snow' });
        const text = await toastText(workbench, /Could not create a 5 s video: The API key was not accepted/);
        assert.match(text, /Set API Key…/);
        await workbench.clickNotificationButton(/Could not create a 5 s video: The API key was not accepted/, 'Set API Key…');
        await workbench.answerQuickInput(/Kling: Set API Key/, TEST_API_KEY);
        await toastText(workbench, /Kling API key saved/);
      },
    },
  ];
}
