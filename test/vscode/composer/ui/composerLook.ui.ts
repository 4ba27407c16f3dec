/** The composer as it looks in a theme, and as a screen reader hears it: a screenshot, no CSP violation, every control named. */
import * as assert from 'node:assert/strict';
import { join } from 'node:path';
import { RESULTS_DIR } from '../../harness/browser';
import type { UiTest } from '../../harness/run';
import { waitFor } from '../../harness/wait';
import { input, openComposer, waitForText } from './composerWorkbench';

export function composerScreenshot(theme: string): UiTest {
  return {
    name: `the composer in ${theme}: a multi-shot draft, every control named, no CSP violation`,
    timeoutMs: 90_000,
    async run(workbench) {
      const page = workbench.page;
      await page.setViewportSize({ width: 1280, height: 1260 });
      const frame = await openComposer(workbench);
      // A wider side bar, as a person would drag it to write a long prompt.
      const sidebar = await page.locator('.part.sidebar').boundingBox();
      if (sidebar) {
        const edge = { x: sidebar.x + sidebar.width + 1, y: sidebar.y + sidebar.height / 2 };
        await page.mouse.move(edge.x, edge.y);
        await page.mouse.down();
        await page.mouse.move(edge.x + 120, edge.y, { steps: 6 });
        await page.mouse.up();
      }
      // Room for the whole form: the Tasks and Storyboards views folded away, as someone composing might.
      for (const view of [/^Tasks/, /^Storyboards/]) {
        const header = page.locator('.pane-header', { hasText: view }).first();
        if ((await header.getAttribute('aria-expanded')) === 'true') await header.click();
        await waitFor(async () => ((await header.getAttribute('aria-expanded')) === 'false' ? true : undefined), { timeoutMs: 5000, what: 'the view folded' });
      }

      await input(frame, 'prompt').fill('A paper boat drifts down a rain-soaked street at night, neon reflections, cinematic');
      await input(frame, 'negative-prompt').fill('blurry, text');
      await input(frame, 'duration').fill('10');
      await frame.locator('.aspect-choice', { hasText: '9:16' }).click();
      await frame.locator('vscode-radio[value="1080p"]').click();
      await frame.locator('vscode-radio[value=custom]').click();
      await input(frame, 'shot-0-prompt').fill('Close-up: the boat is folded from a newspaper');
      await input(frame, 'shot-0-duration').fill('4');
      await frame.locator('#add-shot').click();
      await input(frame, 'shot-1-prompt').fill('Wide: the boat sails past glowing shop windows');
      await waitForText(frame, '#shot-total', /^Shots: 10 s of 10 s$/);
      await waitForText(frame, '#price', /^\$1\.00 · 71\.98 credits/);
      await input(frame, 'prompt').focus();
      await frame.locator('#composer').evaluate((el) => el.scrollIntoView());
      const shot = `composer-${theme.toLowerCase().replace(/\s+/g, '-')}`;
      await workbench.screenshot(shot);
      // The view alone, for the README.
      const view = await page.locator('.part.sidebar').boundingBox();
      if (view) await page.screenshot({ path: join(RESULTS_DIR, `${shot}-view.png`), clip: view });

      // A screen reader's view: each control that takes input or a press has a name.
      const tree = await frame.locator('body').ariaSnapshot();
      const unnamed = tree
        .split('\n')
        .filter((line) => /^\s*- (textbox|spinbutton|radio|checkbox|button|radiogroup|combobox)\b/.test(line) && !/^\s*- \w+ "[^"]+"/.test(line));
      assert.deepEqual(unnamed, [], `controls without a name:\n${tree}`);
      for (const name of ['Prompt', 'Negative prompt (optional)', 'Shot 1 prompt', 'Seconds of shot 2', 'Move shot 2 up', 'Remove shot 1', '16:9 Landscape', 'Sound (costs half as much again; VS Code plays it silent)']) {
        assert.ok(tree.includes(`"${name}`), `"${name}" is heard:\n${tree}`);
      }

      await workbench.consoleSettled();
      const violations = workbench.console.filter((line) => /Content[- ]Security[- ]Policy|Refused to (load|apply|execute|connect)/i.test(line));
      assert.deepEqual(violations, [], 'CSP violations in the console');
    },
  };
}
