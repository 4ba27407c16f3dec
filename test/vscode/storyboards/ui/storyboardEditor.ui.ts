/**
 * A storyboard as a person writes, corrects, prices and renders it in the workbench: the CodeLens clicked, the
 * price dialog answered, completion and a quick fix chosen from their widgets, the Problems panel read.
 */
import * as assert from 'node:assert/strict';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Locator } from 'playwright-core';
import type { Workbench } from '../../harness/browser';
import type { UiTest } from '../../harness/run';
import { waitFor } from '../../harness/wait';
import { answerDialog, toastText } from '../../kling/ui/klingWorkbench';

export const LAUNCH_STORYBOARD = `// Videos for the landing page
{
  "version": 1,
  "output": "media/videos",
  "defaults": { "aspect_ratio": "16:9", "quality": "720p" },
  "videos": [
    { "name": "hero", "duration": 5,
      "prompt": "A golden retriever in a sunlit meadow" },
    { "name": "trailer", "quality": "1080p", "shots": [
      { "prompt": "A hilltop at dawn", "duration": 4 },
      { "prompt": "The city below", "duration": 6 }
    ] },
    { "name": "teaser", "duration": 9, "shots": "auto",
      "sound": "on", "prompt": "Product reveal, three angles" }
  ]
}
`;

const LAST_VIDEO_END = '"Product reveal, three angles" }';
const NEW_VIDEOS = `,
    { "name": "logo-spin", "quality": "", "durration": 5,
      "prompt": "The logo turns slowly" },
    { "name": "outro", "duration": 5,
      "prompt": "The logo fades into the night sky" }`;

/** The simulator's tasks, from the extension's global storage on the server. */
function simulatorTaskCount(userData: string): number {
  const file = join(userData, 'User', 'globalStorage', 'kling-studio.kling-studio', 'simulator.json');
  return existsSync(file) ? ((JSON.parse(readFileSync(file, 'utf8')) as { tasks?: unknown[] }).tasks?.length ?? 0) : 0;
}

/** Puts the cursor at a 1-based line and column with Go to Line (Ctrl+G). */
async function goTo(workbench: Workbench, line: number, column: number): Promise<void> {
  const page = workbench.page;
  await page.keyboard.press('Control+G');
  const input = page.locator('.quick-input-widget .quick-input-box input');
  await input.waitFor({ state: 'visible', timeout: 10_000 });
  // Ctrl+G opens Quick Open on ":" (go to line): keep it in front of the line and column.
  await input.fill(`:${line}:${column}`);
  await input.press('Enter');
  await input.waitFor({ state: 'hidden', timeout: 10_000 });
}

function lineCol(text: string, needle: string, offsetInNeedle = 0): [number, number] {
  const index = text.indexOf(needle);
  assert.ok(index >= 0, `${needle} is in the text`);
  const before = text.slice(0, index + offsetInNeedle).split('\n');
  return [before.length, before[before.length - 1]!.length + 1];
}

/** A CodeLens by its text: a link when it has a command, plain text when it only informs. */
const lens = (workbench: Workbench, text: string | RegExp): Locator => workbench.page.locator('.codelens-decoration > *', { hasText: text }).first();

async function lensTexts(workbench: Workbench): Promise<string[]> {
  return (await workbench.page.locator('.codelens-decoration').allInnerTexts()).map((t) => t.replace(/\s+/g, ' ').trim());
}

async function waitForLens(workbench: Workbench, text: string | RegExp, timeoutMs = 30_000): Promise<void> {
  let seen: string[] = [];
  await waitFor(
    async () => {
      if (await lens(workbench, text).isVisible()) return true;
      seen = await lensTexts(workbench);
      return undefined;
    },
    { timeoutMs, intervalMs: 100, what: `a CodeLens saying ${String(text)}`, detail: () => `lenses: ${JSON.stringify(seen)}` },
  );
}

/**
 * Clicks a CodeLens once and waits for the dialog it opens. Once: the lenses are drawn again only when what they say
 * changes (not on every poll or file event), so a click is not lost under the pointer.
 */
async function clickLensForDialog(workbench: Workbench, text: string, dialogText: RegExp): Promise<void> {
  const dialog = workbench.page.locator('.monaco-dialog-box', { hasText: dialogText });
  await lens(workbench, text).click({ timeout: 10_000 });
  try {
    await dialog.waitFor({ state: 'visible', timeout: 30_000 });
  } catch {
    throw new Error(`no dialog saying ${String(dialogText)} after a click on the "${text}" CodeLens; lenses: ${JSON.stringify(await lensTexts(workbench))}`);
  }
}

/** Shows the top of the editor, the file's CodeLens included (the cursor at line 1 does not reveal what is above it). */
async function scrollToTop(workbench: Workbench): Promise<void> {
  const page = workbench.page;
  await page.keyboard.press('Control+Home');
  const box = await page.locator('.editor-instance .monaco-editor .lines-content').first().boundingBox();
  if (box) {
    await page.mouse.move(box.x + 200, box.y + 100);
    await page.mouse.wheel(0, -2000);
  }
}

async function problemsPanelText(workbench: Workbench): Promise<string> {
  const panel = workbench.page.locator('.markers-panel');
  if (!(await panel.isVisible())) await workbench.page.keyboard.press('Control+Shift+M');
  await panel.waitFor({ state: 'visible', timeout: 10_000 });
  return panel.innerText();
}

export const renderAllFromTheLens: UiTest = {
  name: 'Render all from the CodeLens: the total is asked for, every video lands, and a second render spends nothing',
  timeoutMs: 180_000,
  async run(workbench, { workspace, server }) {
    await workbench.openFile('launch.kling.json');
    await waitForLens(workbench, 'Render all · $2.3875 · 3 videos');
    assert.deepEqual(await lensTexts(workbench), [
      'Render all · $2.3875 · 3 videos',
      'Render · $0.375 · 5 s · 720p',
      'Render · $1.00 · 10 s · 1080p',
      'Render · $1.0125 · 9 s · 720p · sound',
    ]);
    const asked = /Generate 3 videos of launch\.kling\.json for \$2\.3875/;
    await clickLensForDialog(workbench, 'Render all', asked);
    const dialog = await answerDialog(workbench, asked, 'Generate (simulated)');
    assert.match(dialog, /hero: 5 s · 720p · sound off — \$0\.375/);
    assert.match(dialog, /nothing real is generated or spent/);
    await waitForLens(workbench, 'All 3 videos are up to date', 120_000);
    for (const name of ['hero', 'trailer', 'teaser']) {
      assert.ok(existsSync(join(workspace, 'media', 'videos', `${name}.mp4`)), `${name}.mp4`);
      assert.ok(existsSync(join(workspace, 'media', 'videos', `${name}.mp4.json`)), `${name}.mp4.json`);
    }
    assert.equal(simulatorTaskCount(server.dirs.userData), 3);

    // The editor title's button renders the file: everything is up to date, so nothing is created.
    await workbench.page.locator('.editor-actions .action-label[aria-label^="Render Storyboard"]').first().click();
    await toastText(workbench, /Up to date: everything in launch\.kling\.json is already rendered\. Nothing to render, nothing spent\./);
    assert.equal(simulatorTaskCount(server.dirs.userData), 3, 'no new task on the simulator');
  },
};

export const writeAndCorrect: UiTest = {
  name: 'a new video: completion offers the qualities, the Problems panel shows each problem once, a quick fix corrects it',
  timeoutMs: 180_000,
  async run(workbench, { workspace, server }) {
    const page = workbench.page;
    // Two new videos arrive in the file (as from a pull; the editor follows the file while it has no edits of its own).
    const file = join(workspace, 'launch.kling.json');
    const text = LAUNCH_STORYBOARD.replace(LAST_VIDEO_END, `${LAST_VIDEO_END}${NEW_VIDEOS}`);
    writeFileSync(file, text);
    await waitForLens(workbench, /2 problems to fix before rendering/);

    // Ctrl+Space inside "quality": "" offers exactly the two qualities; choose 1080p.
    const [qLine, qColumn] = lineCol(text, '"quality": ""', '"quality": "'.length);
    await goTo(workbench, qLine, qColumn);
    await page.keyboard.press('Control+Space');
    const rows = page.locator('.suggest-widget .monaco-list-row');
    await rows.first().waitFor({ state: 'visible', timeout: 20_000 });
    const offered = (await rows.allInnerTexts()).map((t) => t.replace(/\s+/g, ' ').trim());
    assert.deepEqual(offered.sort(), ['"1080p"', '"720p"']);
    await rows.filter({ hasText: '1080p' }).first().click();
    await waitForLens(workbench, /1 problem to fix before rendering(?! all)/);

    // One problem left, shown once: ours, with its "did you mean"; VS Code's JSON service adds nothing.
    const problems = await problemsPanelText(workbench);
    assert.equal(problems.match(/did you mean "duration"/g)?.length, 1, problems);
    assert.ok(!/not allowed|Incorrect type|Value is not accepted/.test(problems), `no generic duplicate: ${problems}`);
    // The Storyboards view, in the Kling Studio side bar, says the same per video.
    await scrollToTop(workbench);
    // The file lens keeps the price of what can be rendered while a video has a problem.
    await waitForLens(workbench, '1 problem to fix before rendering all · $0.375 for 1 video without problems');
    await waitForLens(workbench, 'Render · $0.375 · 5 s · 720p');
    // Each lens's icon stands apart from its word ("▷ Render", not "▷Render").
    const gaps = await page.locator('.codelens-decoration').evaluateAll((lenses) =>
      lenses.flatMap((lens) =>
        [...lens.querySelectorAll('.codicon')].flatMap((icon) => {
          const next = icon.nextSibling;
          const words = next?.textContent ?? '';
          const first = words.search(/\S/);
          if (!next || next.nodeType !== Node.TEXT_NODE || first < 0) return [];
          const range = document.createRange();
          range.setStart(next, first);
          range.setEnd(next, first + 1);
          return [{ lens: lens.textContent?.trim() ?? '', gap: range.getBoundingClientRect().left - icon.getBoundingClientRect().right }];
        }),
      ),
    );
    assert.ok(gaps.length >= 3, `lenses with icons: ${JSON.stringify(gaps)}`);
    for (const { lens: words, gap } of gaps) assert.ok(gap >= 2.5, `a space between the icon and "${words}": ${gap.toFixed(1)} px`);
    await page.locator('.activitybar [aria-label^="Kling Studio"]').first().click();
    const storyboards = page.locator('.pane', { has: page.locator('.pane-header', { hasText: /Storyboards/i }) }).first();
    const row = storyboards.locator('.monaco-list-row', { hasText: 'logo-spin' }).first();
    await row.waitFor({ state: 'visible', timeout: 20_000 });
    assert.match(await row.innerText(), /logo-spin\s*1 problem/);
    // An error is shown as one (the Problems panel's icon), not as a warning.
    assert.equal(await row.locator('.codicon-error').count(), 1, 'the error icon');
    assert.equal(await row.locator('.codicon-warning').count(), 0, 'no warning triangle');
    // The Tasks view's group for this storyboard: every task in it succeeded, so it is not painted with the file's problems.
    const tasks = page.locator('.pane', { has: page.locator('.pane-header', { hasText: /Tasks/i }) }).first();
    const group = tasks.locator('.monaco-list-row', { hasText: 'launch.kling.json' }).first();
    const done = tasks.locator('.monaco-list-row', { hasText: 'hero' }).first();
    await group.waitFor({ state: 'visible', timeout: 10_000 });
    const colorOf = (row: Locator) => row.locator('.label-name').first().evaluate((el) => getComputedStyle(el).color);
    assert.equal(await colorOf(group), await colorOf(done), 'the group reads in the colour of its succeeded tasks, not in red');
    assert.doesNotMatch((await group.innerText()).trim(), /\d+$/, `no problem count on the group: ${await group.innerText()}`);
    assert.match(await storyboards.locator('.monaco-list-row', { hasText: 'teaser' }).first().innerText(), /up to date/);
    assert.match(await storyboards.locator('.monaco-list-row', { hasText: 'outro' }).first().innerText(), /\$0\.375 · 5 s · 720p/);
    // Give the editor room (the panel's edge dragged down), as a person would to read the file and its problems.
    const panel = await page.locator('.part.panel').boundingBox();
    if (panel) {
      // The sash sits on the border between the editor and the panel.
      await page.mouse.move(panel.x + panel.width / 2, panel.y - 1);
      await page.mouse.down();
      await page.mouse.move(panel.x + panel.width / 2, panel.y + panel.height - 100, { steps: 10 });
      await page.mouse.up();
    }
    await scrollToTop(workbench);
    // The pointer off the text, so that no hover covers the picture (it is the README's).
    await page.mouse.move(900, 620);
    await page.locator('.monaco-hover').first().waitFor({ state: 'hidden', timeout: 5000 }).catch(() => undefined);
    await workbench.screenshot('storyboards-editor');

    // The quick fix, from the light bulb's keyboard shortcut (Ctrl+.).
    const [fLine, fColumn] = lineCol(text, '"durration"', 2);
    await goTo(workbench, fLine, fColumn);
    await page.keyboard.press('Control+.');
    const fix = page.locator('.action-widget .monaco-list-row', { hasText: 'Rename to "duration"' }).first();
    await fix.waitFor({ state: 'visible', timeout: 20_000 });
    await fix.click();
    await scrollToTop(workbench);
    await waitForLens(workbench, 'Render all · $0.875 · 5 videos (3 up to date)');
    assert.ok((await lensTexts(workbench)).includes('Render · $0.50 · 5 s · 1080p'));

    // Two videos to pay for: the total is asked for, even below klingStudio.confirmAboveUsd.
    const askedAgain = /Generate 2 videos of launch\.kling\.json for \$0\.875/;
    await clickLensForDialog(workbench, 'Render all', askedAgain);
    await answerDialog(workbench, askedAgain, 'Generate (simulated)');
    await waitForLens(workbench, 'All 5 videos are up to date', 120_000);
    assert.ok(existsSync(join(workspace, 'media', 'videos', 'logo-spin.mp4')));
    assert.ok(existsSync(join(workspace, 'media', 'videos', 'outro.mp4')));
    assert.equal(simulatorTaskCount(server.dirs.userData), 5);
    const saved = readFileSync(join(workspace, 'launch.kling.json'), 'utf8');
    assert.match(saved, /"name": "logo-spin", "quality": "1080p", "duration": 5,/);
  },
};

export const estimateDialog: UiTest = {
  name: 'Estimate Storyboard lists each price and state, and what rendering now costs',
  timeoutMs: 60_000,
  async run(workbench) {
    await workbench.runCommand('Kling: Estimate Storyboard');
    const dialog = workbench.page.locator('.monaco-dialog-box', { hasText: 'launch.kling.json' });
    await dialog.waitFor({ state: 'visible', timeout: 20_000 });
    const text = await dialog.innerText();
    assert.match(text, /launch\.kling\.json: \$3\.2625 for 5 videos \(34 s of video/);
    assert.match(text, /logo-spin: 5 s · 1080p · sound off — \$0\.50 · up to date/);
    assert.match(text, /Nothing to render now: rendering spends nothing\./);
    await workbench.page.keyboard.press('Escape');
    await dialog.waitFor({ state: 'hidden', timeout: 10_000 });
  },
};
