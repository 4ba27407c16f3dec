/**
 * The composer at the side bar's default width (300 px): a footer of two lines that never covers a message, the File
 * name field, and the same page in an editor tab with the one draft handed over and back.
 */
import * as assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Frame, Page } from 'playwright-core';
import type { Workbench } from '../../harness/browser';
import type { UiTest } from '../../harness/run';
import { waitFor } from '../../harness/wait';
import { composerFrame, generateDisabled, input, openComposer, text, waitForText } from './composerWorkbench';

/** Drags the side bar's edge until it is `width` px wide, as a person would. */
export async function setSideBarWidth(page: Page, width: number): Promise<void> {
  await waitFor(
    async () => {
      const box = await page.locator('.part.sidebar').boundingBox();
      if (!box) return undefined;
      if (Math.abs(box.width - width) <= 1) return true;
      const edge = { x: box.x + box.width + 1, y: box.y + box.height / 2 };
      await page.mouse.move(edge.x, edge.y);
      await page.mouse.down();
      await page.mouse.move(edge.x + (width - box.width), edge.y, { steps: 6 });
      await page.mouse.up();
      return undefined;
    },
    { timeoutMs: 15_000, intervalMs: 300, what: `the side bar to be ${width} px wide` },
  );
}

interface Box {
  top: number;
  bottom: number;
  left: number;
  right: number;
  height: number;
}

/** Boxes of the page's elements, in the page's own coordinates (the composer's frame). */
async function boxes(frame: Frame, selectors: string[]): Promise<Record<string, Box | null>> {
  return frame.evaluate((list) => {
    const out: Record<string, Box | null> = {};
    for (const selector of list) {
      const el = document.querySelector(selector);
      const r = el?.getBoundingClientRect();
      out[selector] = r && r.height > 0 ? { top: r.top, bottom: r.bottom, left: r.left, right: r.right, height: r.height } : null;
    }
    return out;
  }, selectors);
}

/** How many lines the footer's price, balance and Generate sit on (boxes whose tops differ by more than a few px). */
function lineCount(list: Box[]): number {
  const tops: number[] = [];
  for (const box of [...list].sort((a, b) => a.top - b.top)) {
    if (!tops.some((top) => Math.abs(box.top - top) < box.height / 2 && Math.abs(box.top - top) < 14)) tops.push(box.top);
  }
  return tops.length;
}

async function footerLines(frame: Frame): Promise<{ lines: number; footer: Box }> {
  const b = await boxes(frame, ['.footer', '#price .price', '.balance-short', '#generate']);
  for (const [selector, box] of Object.entries(b)) assert.ok(box, `${selector} is shown`);
  return { lines: lineCount([b['#price .price']!, b['.balance-short']!, b['#generate']!]), footer: b['.footer']! };
}

export const roomAt300: UiTest = {
  name: 'at 300 px the footer holds price, balance and Generate on two lines, and the shot-sum message is never under it',
  timeoutMs: 120_000,
  async run(workbench) {
    const page = workbench.page;
    await page.setViewportSize({ width: 1280, height: 800 });
    const frame = await openComposer(workbench);
    await setSideBarWidth(page, 300);
    await input(frame, 'prompt').fill('Launch trailer for a paper boat company, rain, neon, cinematic');
    await waitForText(frame, '#price', /^\$0\.375 · 27\.00 credits for 5 s at 720p/);

    const calm = await footerLines(frame);
    assert.ok(calm.lines <= 2, `price, balance and Generate on ${calm.lines} lines`);
    // Two lines of controls: well under the half of the view it took before (a 22 px line and a 26 px button, padding).
    assert.ok(calm.footer.height <= 72, `the footer is ${calm.footer.height} px high`);
    const title = await frame.locator('#price').getAttribute('title');
    assert.match(title ?? '', /^\$0\.375 · 27 credits for 5 s at 720p/, 'the exact credits and what they pay for are in the tooltip');
    await workbench.screenshot('composer-300');

    await frame.locator('vscode-radio[value=custom]').click();
    await input(frame, 'shot-0-prompt').fill('A paper boat on a puddle');
    await frame.locator('#add-shot').click();
    await input(frame, 'shot-1-prompt').fill('The boat sails under a neon sign');
    await input(frame, 'shot-1-duration').fill('3');
    await waitForText(frame, '#shots-message', /^The shots add up to 8 s but the video is 5 s/);
    // The message is scrolled clear of the footer, whole, inside the view.
    await waitFor(
      async () => {
        const b = await boxes(frame, ['#shots-message', '.footer']);
        const message = b['#shots-message'];
        const footer = b['.footer'];
        return message && footer && message.top >= 0 && message.bottom <= footer.top ? true : undefined;
      },
      {
        timeoutMs: 5000,
        what: 'the shot-sum message to be in sight above the footer',
      },
    );
    await workbench.screenshot('composer-300-shot-total');

    // Ctrl+Enter takes the user to the problem: its message is in sight too, not under the footer.
    await frame.locator('#composer').evaluate(() => window.scrollTo(0, 0));
    await input(frame, 'prompt').focus();
    await page.keyboard.press('Control+Enter');
    await waitFor(
      async () => {
        const b = await boxes(frame, ['#shots-message', '.footer']);
        return b['#shots-message'] && b['.footer'] && b['#shots-message'].top >= 0 && b['#shots-message'].bottom <= b['.footer'].top ? true : undefined;
      },
      { timeoutMs: 5000, what: 'Ctrl+Enter to bring the shot-sum message into sight above the footer' },
    );
    await frame.locator('#set-duration').click();
    await waitForText(frame, '#price', /^\$0\.60 · 43\.20 credits for 8 s/);
    const fixed = await footerLines(frame);
    assert.ok(fixed.lines <= 2 && fixed.footer.height <= 72, `after the fix, the footer is ${fixed.lines} lines and ${fixed.footer.height} px`);
  },
};

export const fileNameField: UiTest = {
  name: 'the File name field: the name from the prompt as its placeholder, the storyboard rule at the field, and the MP4 saved under the typed name',
  timeoutMs: 150_000,
  async run(workbench, { workspace }) {
    const page = workbench.page;
    await page.setViewportSize({ width: 1280, height: 800 });
    const frame = await openComposer(workbench);
    await setSideBarWidth(page, 300);
    await input(frame, 'prompt').fill('A red kite over the dunes');
    assert.equal(await input(frame, 'file-name').getAttribute('placeholder'), 'a-red-kite-over-the-dunes');
    assert.match(await text(frame, '#file-name-help'), /^a-red-kite-over-the-dunes-<date>-<time>\.mp4/);

    await input(frame, 'file-name').fill('Hero Loop');
    await waitForText(frame, '#file-name-message', /^Use only lowercase letters, digits, "-" and "_" in the file name \(not "H", spaces, "L"\)\.$/);
    assert.ok(await generateDisabled(frame), 'Generate waits for a usable name');
    const b = await boxes(frame, ['#file-name-message', '.footer']);
    assert.ok(b['#file-name-message'] && b['.footer'] && b['#file-name-message'].bottom <= b['.footer'].top, 'the message is in sight above the footer');
    await workbench.screenshot('composer-file-name-error');

    await input(frame, 'file-name').fill('hero-loop');
    await waitFor(async () => ((await text(frame, '#file-name-message')) === '' ? true : undefined), { timeoutMs: 5000, what: 'the message to go' });
    assert.equal(await generateDisabled(frame), false);
    await frame.locator('#generate').click();
    await waitForText(frame, '.status', /Task created: "A red kite over the dunes"/, 30_000);
    const file = join(workspace, 'kling-videos', 'hero-loop.mp4');
    await waitFor(() => (existsSync(file) && existsSync(`${file}.json`) ? true : undefined), { timeoutMs: 90_000, what: 'kling-videos/hero-loop.mp4 and its sidecar' });
    const sidecar = JSON.parse(readFileSync(`${file}.json`, 'utf8')) as { request: { prompt: string } };
    assert.equal(sidecar.request.prompt, 'A red kite over the dunes');
  },
};

/** The composer's page in the side bar's view, or in the editor tab. */
function surfaceFrame(workbench: Workbench, surface: 'view' | 'editor', selector = '#prompt'): Promise<Frame> {
  return workbench.webviewFrame({ selector: `body[data-surface=${surface}] ${selector}` }, 30_000);
}

export const openInEditor: UiTest = {
  name: 'Open Composer in Editor: the draft moves to an editor tab, the side bar says where it is, and closing the tab brings it back',
  timeoutMs: 120_000,
  async run(workbench) {
    const page = workbench.page;
    await page.setViewportSize({ width: 1280, height: 800 });
    const side = await openComposer(workbench);
    await input(side, 'prompt').fill('A lighthouse at dusk');
    await input(side, 'duration').fill('8');
    await waitForText(side, '#price', /^\$0\.60 · 43\.20 credits/);

    await workbench.runCommand('Kling: Open Composer in Editor');
    const editor = await surfaceFrame(workbench, 'editor');
    await waitFor(async () => ((await input(editor, 'prompt').inputValue()) === 'A lighthouse at dusk' ? true : undefined), {
      timeoutMs: 10_000,
      what: 'the editor tab to have the side bar’s draft',
    });
    assert.equal(await input(editor, 'duration').inputValue(), '8');
    await waitForText(editor, '#price', /^\$0\.60 · 43\.20 credits/);
    const sideNow = await surfaceFrame(workbench, 'view', '#show-editor');
    assert.match(await text(sideNow, '.banner.elsewhere'), /The composer is open in an editor tab/);
    assert.equal(await sideNow.locator('#prompt').count(), 0, 'the side bar holds no second copy of the draft');
    // Roomier there: the form is wider than the side bar's.
    const width = await editor.evaluate(() => document.querySelector('#prompt')!.getBoundingClientRect().width);
    assert.ok(width > 500, `the prompt is ${width} px wide in the editor tab`);
    await workbench.screenshot('composer-in-editor');

    await input(editor, 'prompt').fill('A lighthouse at dusk, waves crashing below');
    await input(editor, 'file-name').fill('lighthouse');
    await workbench.runCommand('View: Close Editor');
    const back = await composerFrame(workbench);
    await waitFor(async () => ((await input(back, 'prompt').inputValue()) === 'A lighthouse at dusk, waves crashing below' ? true : undefined), {
      timeoutMs: 10_000,
      what: 'the side bar to get the draft back from the closed tab',
    });
    assert.equal(await input(back, 'file-name').inputValue(), 'lighthouse');
  },
};
