/**
 * Takes as a person uses them in the workbench: Compare Takes from the CodeLens, one transport for both takes, Use
 * This Take, and the storyboard played as one cut. The workspace is seeded with takes (../seedTakes.ts).
 */
import * as assert from 'node:assert/strict';
import { copyFileSync, existsSync, readdirSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { Frame, Locator } from 'playwright-core';
import type { Workbench } from '../../harness/browser';
import type { UiTest } from '../../harness/run';
import { waitFor } from '../../harness/wait';
import { answerDialog, toastText } from '../../kling/ui/klingWorkbench';
import { input, openComposer, waitForText } from '../../composer/ui/composerWorkbench';
import type { SeededTakes } from '../seedTakes';

/** One frame of the simulator's (and Kling's) 24 fps videos. */
const FRAME = 1 / 24;

interface TakeVideo {
  take: string;
  currentTime: number;
  paused: boolean;
  seeking: boolean;
  readyState: number;
}

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

/** The Compare Takes page, found by its videos. */
function compareFrame(workbench: Workbench, timeoutMs = 30_000): Promise<Frame> {
  return workbench.webviewFrame({ selector: 'video.take-video' }, timeoutMs);
}

/** Every take's video, read in one go (the same instant, as far as a page can tell). */
function takeVideos(frame: Frame): Promise<TakeVideo[]> {
  return frame.evaluate(() =>
    [...document.querySelectorAll<HTMLVideoElement>('video.take-video')].map((v) => ({
      take: v.dataset.take ?? '',
      currentTime: v.currentTime,
      paused: v.paused,
      seeking: v.seeking,
      readyState: v.readyState,
    })),
  );
}

/** The Storyboards view's row of a video. */
async function storyboardRow(workbench: Workbench, name: string): Promise<Locator> {
  const page = workbench.page;
  const pane = page.locator('.pane', { has: page.locator('.pane-header', { hasText: /Storyboards/i }) }).first();
  if (!(await pane.isVisible().catch(() => false))) await page.locator('.activitybar [aria-label^="Kling Studio"]').first().click();
  const row = pane.locator('.monaco-list-row', { has: page.locator('.label-name', { hasText: new RegExp(`^${name}$`) }) }).first();
  await row.waitFor({ state: 'visible', timeout: 30_000 });
  return row;
}

async function waitForRow(workbench: Workbench, name: string, text: RegExp): Promise<void> {
  let seen = '';
  await waitFor(
    async () => {
      seen = await (await storyboardRow(workbench, name)).innerText().catch(() => '');
      return text.test(seen) ? true : undefined;
    },
    { timeoutMs: 30_000, intervalMs: 200, what: `the Storyboards view's ${name} to say ${String(text)}`, detail: () => `it says: ${seen}` },
  );
}

export function takesTests(seeded: Promise<SeededTakes>): UiTest[] {
  const compareAndSeek: UiTest = {
    name: 'Compare Takes from the CodeLens "2 takes" plays both takes, and a seek moves both to the same time within a frame',
    timeoutMs: 150_000,
    async run(workbench) {
      await seeded;
      await workbench.openFile('site.kling.json');
      await waitForLens(workbench, '2 takes');
      await waitForLens(workbench, 'Up to date');
      await lens(workbench, '2 takes').click();
      const frame = await compareFrame(workbench);
      await frame.locator('body.ready').waitFor({ state: 'attached', timeout: 30_000 });
      assert.deepEqual(await frame.locator('.take h2').allInnerTexts(), ['Take 1', 'Take 2']);
      assert.equal(await frame.locator('.take.chosen h2').innerText(), 'Take 2', 'the take in use is marked');
      // The recipe fields that differ are marked: the prompt and the duration of the older recipe.
      const differing = await frame.locator('.take').first().locator('dt.differs').allInnerTexts();
      for (const label of ['Prompt', 'Duration', 'Price', 'Created', 'Task']) assert.ok(differing.includes(label), `${label} is marked: ${differing.join(', ')}`);
      assert.ok(!differing.includes('Quality'), 'the same quality is not marked');

      await frame.locator('#play').click();
      let last: TakeVideo[] = [];
      await waitFor(
        async () => {
          const before = await takeVideos(frame);
          await new Promise((resolve) => setTimeout(resolve, 300));
          const after = await takeVideos(frame);
          last = after;
          return after.length === 2 && after.every((v, i) => !v.paused && v.currentTime > before[i]!.currentTime) ? true : undefined;
        },
        { timeoutMs: 30_000, intervalMs: 100, what: 'both takes to play', detail: () => JSON.stringify(last) },
      );

      // The one transport's scrubber, moved to 2 s while they play.
      await frame.locator('#scrubber').fill('2');
      const sought = await waitFor(
        async () => {
          const videos = await takeVideos(frame);
          last = videos;
          return videos.every((v) => !v.seeking && v.readyState >= 2 && v.currentTime >= 2 - FRAME) ? videos : undefined;
        },
        { timeoutMs: 20_000, intervalMs: 20, what: 'both takes to have sought to 2 s', detail: () => JSON.stringify(last) },
      );
      const [a, b] = sought as [TakeVideo, TakeVideo];
      assert.ok(Math.abs(a.currentTime - b.currentTime) <= FRAME, `within one frame (${FRAME.toFixed(4)} s): ${a.currentTime} and ${b.currentTime}`);
      assert.ok(a.currentTime < 3, `near 2 s: ${a.currentTime}`);
      // Still together a moment later, playing on.
      await waitFor(
        async () => {
          const videos = await takeVideos(frame);
          last = videos;
          return videos.every((v) => !v.paused && v.currentTime > 2.3) ? videos : undefined;
        },
        { timeoutMs: 10_000, intervalMs: 50, what: 'both to play on past 2.3 s', detail: () => JSON.stringify(last) },
      ).then(([x, y]) => assert.ok(Math.abs(x!.currentTime - y!.currentTime) <= 2 * FRAME, `still together: ${x!.currentTime} and ${y!.currentTime}`));

      await frame.locator('#play').click(); // pause, for a steady picture
      await frame.locator('body[data-playing="false"]').waitFor({ state: 'attached', timeout: 10_000 });
      const paused = await takeVideos(frame);
      assert.ok(Math.abs(paused[0]!.currentTime - paused[1]!.currentTime) <= FRAME / 2, `paused on the same frame: ${JSON.stringify(paused)}`);
      await frame.locator('#frame-forward').click();
      const stepped = await waitFor(async () => {
        const videos = await takeVideos(frame);
        return videos.every((v, i) => !v.seeking && Math.abs(v.currentTime - (paused[i]!.currentTime + FRAME)) < 0.002) ? videos : undefined;
      }, { timeoutMs: 10_000, intervalMs: 50, what: 'one frame forward in both takes' });
      assert.equal(stepped.length, 2);
      // For the README (media/readme/compare-takes.png).
      await workbench.screenshot('takes-compare');
    },
  };

  const useThisTake: UiTest = {
    name: 'Use This Take makes the other take the video: the CodeLens and the Storyboards view follow, and back again',
    timeoutMs: 150_000,
    async run(workbench) {
      const { one, oneOld, oneCurrent } = await seeded;
      // No Compare Takes left open by the test before: the page found below is the one this lens opens.
      await workbench.runCommand('View: Close All Editors');
      await waitFor(async () => ((await workbench.page.locator('.tabs-container .tab').count()) === 0 ? true : undefined), { timeoutMs: 10_000, what: 'no editor open' });
      await workbench.openFile('site.kling.json');
      await waitForLens(workbench, 'Up to date');
      await waitForRow(workbench, 'one', /up to date · take 2 of 2/);
      await lens(workbench, '2 takes').click();
      const frame = await compareFrame(workbench);
      const first = frame.locator('.take').first();
      await first.locator('button.use').click();
      await toastText(workbench, /one\.mp4 is now take 1 of 2\. Take 2 stays a take\./);
      assert.equal(statSync(one).ino, statSync(oneOld).ino, 'videos/one.mp4 is take 1 now');
      await waitFor(async () => ((await frame.locator('.take.chosen h2').innerText().catch(() => '')) === 'Take 1' ? true : undefined), {
        timeoutMs: 10_000,
        what: 'Compare Takes to mark take 1 as the one in use',
      });
      // Take 1 is of an older recipe: the storyboard now asks for a render of "one", and says which take is used.
      await workbench.activateTab('site.kling.json');
      await waitForLens(workbench, 'Render · $0.225 · 3 s · 720p');
      await waitForRow(workbench, 'one', /\$0\.225 · 3 s · 720p · take 1 of 2/);
      await workbench.screenshot('takes-used');

      await workbench.activateTab('Takes: one.mp4');
      await frame.locator('.take').nth(1).locator('button.use').click();
      await toastText(workbench, /one\.mp4 is now take 2 of 2\./);
      assert.equal(statSync(one).ino, statSync(oneCurrent).ino);
      await workbench.activateTab('site.kling.json');
      await waitForLens(workbench, 'Up to date');
      await waitForRow(workbench, 'one', /up to date · take 2 of 2/);
    },
  };

  const previewTakes: UiTest = {
    name: 'Kling Preview says "Take 2 of 2"; Previous shows take 1, which offers Use This Take; its title bar opens Compare Takes',
    timeoutMs: 150_000,
    async run(workbench) {
      await seeded;
      // No Compare Takes left open from before: the one found at the end is the one the title bar opened.
      await workbench.runCommand('View: Close All Editors');
      await waitFor(async () => ((await workbench.page.locator('.tabs-container .tab').count()) === 0 ? true : undefined), { timeoutMs: 10_000, what: 'no editor open' });
      await workbench.openFile('one.mp4');
      await workbench.runCommand('Kling: Open in Kling Preview');
      const frame = await workbench.webviewFrame({ selector: 'video.kling-video[aria-label="one.mp4"]' }, 30_000);
      const position = frame.locator('#take-position');
      await waitFor(async () => ((await position.innerText().catch(() => '')) === 'Take 2 of 2' ? true : undefined), { timeoutMs: 20_000, what: '"Take 2 of 2"' });
      assert.equal(await frame.locator('.takes-bar .badge').innerText(), 'In use');
      await frame.locator('#action-previousTake').click();
      const previous = await workbench.webviewFrame({ selector: 'video.kling-video[aria-label$="old00001.mp4"]' }, 30_000);
      await waitFor(async () => ((await previous.locator('#take-position').innerText().catch(() => '')) === 'Take 1 of 2' ? true : undefined), { timeoutMs: 20_000, what: '"Take 1 of 2"' });
      assert.equal(await previous.locator('#action-useTake').isVisible(), true);
      assert.equal(await previous.locator('#action-previousTake').isDisabled(), true, 'no take before the first');

      // The preview's title bar offers Compare Takes for a video with takes.
      const compare = workbench.page.locator('.editor-actions .action-label[aria-label^="Compare Takes"]').first();
      await compare.waitFor({ state: 'visible', timeout: 20_000 });
      await compare.click();
      const compared = await compareFrame(workbench);
      await compared.locator('body.ready').waitFor({ state: 'attached', timeout: 30_000 });
      assert.deepEqual(await compared.locator('.take h2').allInnerTexts(), ['Take 1', 'Take 2']);
    },
  };

  const playStoryboard: UiTest = {
    name: 'Play Storyboard plays across the cut into the next video, its scrubber seeks into the third, and a missing video is a titled gap',
    timeoutMs: 150_000,
    async run(workbench) {
      await seeded;
      await workbench.openFile('site.kling.json');
      await waitForLens(workbench, 'Up to date');
      await workbench.runCommand('Kling: Play Storyboard');
      const frame = await workbench.webviewFrame({ selector: 'video.cut-video' }, 30_000);
      const items = frame.locator('#chapters > li');
      await waitFor(async () => ((await items.count()) === 4 ? true : undefined), { timeoutMs: 20_000, what: 'four videos in the list' });
      assert.match(await items.nth(3).innerText(), /four[\s\S]*not rendered yet/);
      assert.match(await frame.locator('#time').innerText(), /0:00\.00 \/ 0:13\.00/, '3 + 3 + 3 s of video and a gap of 4 s');
      assert.equal(await frame.locator('.marks .mark-shot').count(), 1, 'a mark for the second shot of "two"');
      assert.equal(await frame.locator('.marks .mark-video').count(), 4, 'a mark for each video');

      const state = () =>
        frame.evaluate(() => {
          const active = document.querySelector<HTMLVideoElement>('video.cut-video.active')!;
          return { item: document.body.dataset.item, kind: document.body.dataset.kind, name: active.dataset.name, time: active.currentTime, paused: active.paused, total: Number(document.body.dataset.time) };
        });
      let seen: Awaited<ReturnType<typeof state>> | undefined;
      await frame.locator('#play').click();
      // Across the cut: "one" ends at 3 s and "two", loaded in the other slot meanwhile, plays on.
      await waitFor(
        async () => {
          const now = await state();
          seen = now;
          if (now.item !== 'two' || now.name !== 'two' || now.paused) return undefined;
          await new Promise((resolve) => setTimeout(resolve, 300));
          const later = await state();
          seen = later;
          return later.name === 'two' && later.time > now.time ? later : undefined;
        },
        { timeoutMs: 30_000, intervalMs: 100, what: '"two" to play after "one"', detail: () => JSON.stringify(seen) },
      );

      // The scrubber into the third video: 7 s of the cut is 1 s into "three".
      await frame.locator('#scrubber').fill('7');
      const third = await waitFor(
        async () => {
          const now = await state();
          seen = now;
          return now.item === 'three' && now.name === 'three' && now.time >= 0.9 && !now.paused ? now : undefined;
        },
        { timeoutMs: 20_000, intervalMs: 50, what: 'the third video to play from 1 s', detail: () => JSON.stringify(seen) },
      );
      assert.ok(third.time < 2.5, `it sought to about 1 s of "three": ${third.time}`);
      assert.match(await frame.locator('#chapters > li.current').innerText(), /three/);
      await frame.locator('#play').click();
      await workbench.screenshot('play-storyboard');

      // Into the gap of "four", not rendered yet.
      await frame.locator('#scrubber').fill('10.5');
      await frame.locator('body.in-gap').waitFor({ state: 'attached', timeout: 10_000 });
      assert.equal(await frame.locator('#gap-title').innerText(), 'four');
      assert.equal(await frame.locator('#gap-text').innerText(), 'Not rendered yet · 0:04 of the cut');
      assert.equal(await frame.locator('#gap').isVisible(), true);
      await workbench.screenshot('play-storyboard-gap');
    },
  };

  const explorerMenu: UiTest = {
    name: 'The Explorer offers Compare Takes on an MP4 with a sidecar, and not on one without',
    timeoutMs: 120_000,
    async run(workbench) {
      const { one } = await seeded;
      // A video from elsewhere: no sidecar, so no takes to compare. Written now, while the watcher runs.
      copyFileSync(one, join(dirname(one), 'loose.mp4'));
      const page = workbench.page;
      const menuEntries = async (file: string): Promise<string[]> => {
        await page.keyboard.press('Escape');
        const row = page.locator('.explorer-folders-view .monaco-list-row', { hasText: new RegExp(`^${file.replace('.', '\\.')}\\s*$`) }).first();
        await row.waitFor({ state: 'visible', timeout: 15_000 });
        await row.click({ button: 'right' });
        const items = page.locator('.monaco-menu .action-item .action-label');
        await items.first().waitFor({ state: 'visible', timeout: 10_000 });
        return (await items.allInnerTexts()).map((t) => t.trim());
      };
      await workbench.runCommand('View: Show Explorer');
      const folder = page.locator('.explorer-folders-view .monaco-list-row', { hasText: /^videos$/ }).first();
      await folder.waitFor({ state: 'visible', timeout: 10_000 });
      if ((await folder.getAttribute('aria-expanded')) !== 'true') await folder.click();
      let seen: string[] = [];
      // The context key follows the sidecars a moment after they are found: ask again until it has.
      await waitFor(async () => ((seen = await menuEntries('one.mp4')).includes('Compare Takes') ? true : undefined), {
        timeoutMs: 20_000,
        what: 'Compare Takes in the context menu of one.mp4',
        detail: () => seen.join(' | '),
      });
      const loose = await menuEntries('loose.mp4');
      assert.ok(loose.length > 0 && !loose.includes('Compare Takes'), loose.join(' | '));
      await page.keyboard.press('Escape');
    },
  };

  const composerVariants: UiTest = {
    name: 'The composer\'s Variants: three takes priced as three, asked for as three, and all three kept',
    timeoutMs: 180_000,
    async run(workbench) {
      const { storyboard } = await seeded;
      const frame = await openComposer(workbench);
      await input(frame, 'prompt').fill('A paper boat on a puddle');
      await waitForText(frame, '#price', /^\$0\.375 · 27\.00 credits for 5 s at 720p/);
      assert.equal(await frame.locator('#variants-fewer').getAttribute('aria-disabled'), 'true', 'not fewer than one take');
      await frame.locator('#variants-more').click();
      await frame.locator('#variants-more').click();
      assert.equal(await frame.locator('#variants-count').innerText(), '3');
      await waitForText(frame, '#price', /^\$1\.125 · 81\.00 credits for 3 takes of 5 s at 720p/);
      await frame.locator('#variants-more').click();
      await waitForText(frame, '#variants-count', /^4$/);
      assert.equal(await frame.locator('#variants-more').getAttribute('aria-disabled'), 'true', 'not more than four takes');
      await frame.locator('#variants-fewer').click();
      await waitForText(frame, '#price', /^\$1\.125 · 81\.00 credits/);
      await workbench.screenshot('composer-variants');

      await frame.locator('#generate').click();
      const question = await answerDialog(workbench, 'Generate 3 takes of a 5 s video for $1.125 (81 credits)?', 'Generate (simulated)');
      assert.match(question, /3 tasks of the same request, each a take/);
      await waitForText(frame, '.status', /Task created: "A paper boat on a puddle \(take 1\)"/, 30_000);

      const videos = join(dirname(storyboard), 'kling-videos');
      let found: string[] = [];
      await waitFor(
        () => {
          const stems = existsSync(join(videos, '.takes')) ? readdirSync(join(videos, '.takes')).filter((d) => d.startsWith('a-paper-boat-on-a-puddle-')) : [];
          found = stems.flatMap((stem) => readdirSync(join(videos, '.takes', stem)).filter((f) => f.endsWith('.mp4')).map((f) => join(stem, f)));
          return stems.length === 1 && found.length === 3 && existsSync(join(videos, `${stems[0]}.mp4`)) ? true : undefined;
        },
        { timeoutMs: 120_000, what: 'three takes of the composed video, one of them the video', detail: () => found.join(', ') },
      );
    },
  };

  return [compareAndSeek, useThisTake, previewTakes, playStoryboard, explorerMenu, composerVariants];
}
