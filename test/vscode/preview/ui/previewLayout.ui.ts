/**
 * Kling Preview's layout at a 900 px editor: the actions on one row, the "Simulated" badge on the title's line, one
 * "Open in System Player", a small video scaled up to the stage, credits with two places (exact in the tooltip).
 */
import * as assert from 'node:assert/strict';
import type { Frame, Page } from 'playwright-core';
import type { UiTest } from '../../harness/run';
import { waitFor } from '../../harness/wait';
import type { SeededWorkspace } from '../seedWorkspace';
import { openInKlingPreview, recipeText, waitUntilPlaying } from './previewWorkbench';

/** Resizes the window until the preview's page is `width` px wide. */
async function previewWidth(page: Page, frame: Frame, width: number): Promise<void> {
  await waitFor(
    async () => {
      const now = await frame.evaluate(() => document.body.clientWidth);
      if (Math.abs(now - width) <= 2) return true;
      const viewport = page.viewportSize() ?? { width: 1280, height: 800 };
      await page.setViewportSize({ width: viewport.width + (width - now), height: viewport.height });
      return undefined;
    },
    { timeoutMs: 15_000, intervalMs: 400, what: `the preview to be ${width} px wide` },
  );
}

export function previewLayoutTest(seeded: Promise<SeededWorkspace>): UiTest {
  return {
    name: 'at 900 px: the actions on one row, "Simulated" on the title line, one Open in System Player, a small video scaled up, credits to two places',
    timeoutMs: 120_000,
    async run(workbench) {
      await seeded;
      const page = workbench.page;
      await page.setViewportSize({ width: 1280, height: 800 });
      const frame = await openInKlingPreview(workbench, 'drummer.mp4');
      const playing = await waitUntilPlaying(frame);
      await previewWidth(page, frame, 900);

      // The actions: one row.
      const tops = await frame.locator('.actions button').evaluateAll((buttons) => buttons.map((b) => Math.round(b.getBoundingClientRect().top)));
      assert.ok(tops.length >= 3, `the actions: ${tops.length}`);
      assert.equal(new Set(tops).size, 1, `the actions sit on one row: tops ${JSON.stringify(tops)}`);

      // The badge on the title's last line, not on one of its own.
      const [badgeMiddle, lastLine] = await frame.evaluate(() => {
        const h1 = document.querySelector('.recipe h1')!;
        const range = document.createRange();
        range.selectNodeContents(h1.querySelector('.title-last') ?? h1.firstChild!);
        const rects = [...range.getClientRects()];
        const badge = h1.querySelector('.badge')!.getBoundingClientRect();
        const last = rects[rects.length - 1]!;
        return [badge.top + badge.height / 2, { top: last.top, bottom: last.bottom }];
      });
      assert.ok(badgeMiddle > lastLine.top && badgeMiddle < lastLine.bottom, `"Simulated" is on the title's line: ${badgeMiddle} in ${JSON.stringify(lastLine)}`);

      // One "Open in System Player": in the sound note, beside its reason.
      assert.equal(await frame.getByText('Open in System Player', { exact: true }).count(), 1);
      assert.equal(await frame.locator('#audio-note button').innerText(), 'Open in System Player');

      // A small video fills the stage: as large as the stage's width or the page's height allows.
      const fit = await frame.evaluate(() => {
        const video = document.querySelector('video')!;
        const stage = document.querySelector('.stage')!;
        const box = video.getBoundingClientRect();
        const style = getComputedStyle(stage);
        const room = stage.clientWidth - parseFloat(style.paddingLeft) - parseFloat(style.paddingRight);
        return { shown: box.width, shownHeight: box.height, natural: video.videoWidth, room, maxHeight: parseFloat(getComputedStyle(video).maxHeight) };
      });
      assert.ok(fit.natural < 200 && playing.duration > 0, `the fixture is a small video: ${fit.natural} px`);
      assert.ok(fit.shown >= 2 * fit.natural, `scaled up: ${fit.shown} px for a ${fit.natural} px video`);
      assert.ok(Math.abs(fit.shown - Math.min(fit.room, fit.maxHeight)) <= 2, `to fit: ${JSON.stringify(fit)}`);
      assert.ok(Math.abs(fit.shown - fit.shownHeight) <= 2, 'a square video stays square (no bars)');

      // Credits: two places where they are read, exact in the tooltip.
      const recipe = await recipeText(frame);
      assert.match(recipe, /Estimated\s+\$0\.3375 · 24\.30 credits/);
      const estimated = frame.locator('.facts dd', { hasText: '24.30 credits' }).first();
      assert.equal(await estimated.getAttribute('title'), '24.3 credits');
      await workbench.screenshot('preview-900');
    },
  };
}
