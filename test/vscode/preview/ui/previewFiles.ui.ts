/** Kling Preview on files a user already has: a storyboard's video, one with AAC sound, one with no recipe, a broken one. */
import * as assert from 'node:assert/strict';
import { readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import type { Frame } from 'playwright-core';
import type { UiTest } from '../../harness/run';
import { waitFor } from '../../harness/wait';
import { answerDialog, openKlingView, toastText } from '../../kling/ui/klingWorkbench';
import { renderVideo, STORYBOARD_TEXT, TRAILER_SHOTS, type SeededWorkspace } from '../seedWorkspace';
import { openInKlingPreview, previewFrame, recipeText, videoState, waitUntilPlaying, waitUntilPreviewPlays } from './previewWorkbench';

export function previewFileTests(seeded: Promise<SeededWorkspace>, repoRoot: string): UiTest[] {
  const shotsAndSeek: UiTest = {
    name: "a storyboard's video opened with Open With… plays beside its recipe; a click on the second shot seeks to its start",
    timeoutMs: 120_000,
    async run(workbench) {
      await seeded;
      const frame = await openInKlingPreview(workbench, 'trailer.mp4');
      const playing = await waitUntilPlaying(frame);
      assert.ok(Math.abs(playing.duration - 7) < 0.1, `a 7 s video: ${playing.duration}`);
      assert.equal(playing.loop, true, 'loops by default, to judge a short clip');

      const recipe = await recipeText(frame);
      for (const expected of ['trailer', 'Simulated', 'blurry, watermark', '0:00–0:03', '0:03–0:07', TRAILER_SHOTS[0]!.prompt, TRAILER_SHOTS[1]!.prompt, '16:9', '720p', '$0.525', '37.80 credits', 'task-unified-1764064800-tr41l3r7', '../site.kling.json › trailer']) {
        assert.ok(recipe.includes(expected), `the recipe shows "${expected}":\n${recipe}`);
      }
      assert.equal(await frame.locator('#audio-note').isVisible(), false, 'no sound note for a video without sound');
      const actions = await frame.locator('.actions button').allInnerTexts();
      assert.deepEqual(
        actions,
        ['Regenerate · $0.525', 'Edit in Composer', 'Open Storyboard', 'Reveal in Explorer', 'Open in System Player'],
        'Edit in Composer is offered: the composer registers klingStudio.storyboard.editInComposer',
      );

      await frame.locator('.shot', { hasText: TRAILER_SHOTS[1]!.prompt }).click();
      const after = await videoState(frame);
      assert.ok(after.currentTime >= 3 && after.currentTime < 4, `the click sought to the second shot's start (3 s): ${after.currentTime}`);
      await waitFor(async () => ((await frame.locator('li[aria-current="true"]').innerText()).includes(TRAILER_SHOTS[1]!.prompt) ? true : undefined), {
        timeoutMs: 5000,
        what: 'the second shot to be marked as the one playing',
      });
      // For the README (media/readme/preview.png): the second shot playing, its entry marked, the player's controls shown.
      await frame.locator('video').hover();
      await workbench.screenshot('preview-storyboard-video');
    },
  };

  const openStoryboard: UiTest = {
    name: "Open Storyboard opens the storyboard beside the preview with the video's name selected",
    timeoutMs: 90_000,
    async run(workbench) {
      await seeded;
      const frame = await openInKlingPreview(workbench, 'trailer.mp4');
      await frame.locator('#action-openStoryboard').click();
      const tab = workbench.page.locator('.tabs-container .tab.active', { hasText: 'site.kling.json' });
      await tab.waitFor({ state: 'visible', timeout: 20_000 });
      const line = STORYBOARD_TEXT.split('\n').findIndex((text) => text.includes('"name": "trailer"')) + 1;
      // The status bar shows where the cursor is: at the end of the selected name.
      const column = STORYBOARD_TEXT.split('\n')[line - 1]!.indexOf('trailer') + 1 + 'trailer'.length;
      const selection = workbench.page.locator('#status\\.editor\\.selection');
      await waitFor(async () => ((await selection.innerText().catch(() => '')).includes(`Ln ${line}, Col ${column}`) ? true : undefined), {
        timeoutMs: 10_000,
        what: `the cursor on "trailer" at Ln ${line}, Col ${column}`,
        detail: () => 'see the status bar',
      });
      assert.match(await selection.innerText(), /\(7 selected\)/, 'the name is selected');
      assert.equal(await workbench.page.locator('.editor-group-container').count(), 2, 'the storyboard opens beside the preview');
    },
  };

  const aacNote: UiTest = {
    name: 'a video with AAC sound says in one line that it plays silent, and offers Open in System Player',
    timeoutMs: 90_000,
    async run(workbench) {
      await seeded;
      const frame = await openInKlingPreview(workbench, 'drummer.mp4');
      const note = frame.locator('#audio-note');
      await note.waitFor({ state: 'visible', timeout: 20_000 });
      assert.match(await note.innerText(), /^AAC sound: silent in VS Code\./);
      // One line: the words on a single line box, and the button beside them rather than under them. The words are
      // few so that a font that runs wider (CI's did, by a few pixels) still leaves room.
      const words = note.locator('.note-text');
      const lines = (): Promise<number> =>
        words.evaluate((element) => {
          const range = document.createRange();
          range.selectNodeContents(element);
          return new Set([...range.getClientRects()].map((rect) => Math.round(rect.top))).size;
        });
      const buttonBeside = async (where: string): Promise<void> => {
        const [box, button] = [await note.boundingBox(), await note.locator('button').boundingBox()];
        assert.ok(box && button && button.x + button.width <= box.x + box.width && button.y >= box.y && button.y + button.height <= box.y + box.height, `${where}: the button is inside the note: note ${JSON.stringify(box)}, button ${JSON.stringify(button)}`);
        const [wordsEnd, spill] = await words.evaluate((element) => [element.getBoundingClientRect().right, element.parentElement!.scrollWidth - element.parentElement!.clientWidth]);
        assert.ok(wordsEnd <= button.x && spill === 0, `${where}: the words end before the button, and nothing spills out of the note`);
      };
      assert.equal(await lines(), 1, 'the note is one line of text');
      const [box, button] = [await note.boundingBox(), await note.locator('button').boundingBox()];
      assert.ok(box && button && box.height < 2 * button.height, `the button is on that line: note ${JSON.stringify(box)}, button ${JSON.stringify(button)}`);
      await buttonBeside('in this editor');
      // An editor too narrow for both (the page at 640 px leaves the video 260 px) wraps the words, not the button.
      await frame.locator('body').evaluate((body) => (body.style.width = '640px'));
      assert.ok((await lines()) > 1, 'in a narrow editor the words wrap');
      await buttonBeside('in a narrow editor');
      await frame.locator('body').evaluate((body) => (body.style.width = ''));
      assert.equal(await note.locator('button').innerText(), 'Open in System Player');
      assert.match(await recipeText(frame), /Sound\s+on \(AAC: silent in VS Code\)/);
      await workbench.screenshot('preview-aac-note');
      // This window is a browser on a VS Code server: no player of the user's can reach the file, and it says so.
      await note.locator('button').click();
      const text = await toastText(workbench, /drummer\.mp4 is on the machine this workspace runs on/);
      assert.match(text, /Download it \(Explorer: right-click › Download…\) to play it with its sound\./);
      assert.match(text, /Reveal in Explorer/);
    },
  };

  const noSidecar: UiTest = {
    name: "a video without a sidecar, opened from VS Code's own preview, plays with a note that its recipe is unknown",
    timeoutMs: 90_000,
    async run(workbench) {
      await seeded;
      await workbench.openFile('found-footage.mp4');
      const explorerRow = workbench.page.locator('.explorer-folders-view .monaco-list-row', { hasText: 'found-footage.mp4' });
      // VS Code's own preview is the default; its title bar offers Kling Preview.
      await workbench.page.locator('.editor-actions [aria-label^="Open in Kling Preview"]').first().click({ timeout: 20_000 });
      const frame = await previewFrame(workbench, 'found-footage.mp4');
      await waitUntilPlaying(frame);
      await waitFor(async () => ((await workbench.page.locator('.tabs-container .tab', { hasText: 'found-footage.mp4' }).count()) === 1 ? true : undefined), {
        timeoutMs: 10_000,
        what: "Kling Preview to take the place of VS Code's preview: one tab",
      });
      const note = frame.locator('.recipe-note');
      assert.equal(await note.innerText(), 'The recipe of this video is unknown: there is no Kling sidecar (found-footage.mp4.json) beside it.');
      assert.deepEqual(await frame.locator('.actions button').allInnerTexts(), ['Reveal in Explorer', 'Open in System Player'], 'nothing to regenerate without a recipe');
      await workbench.screenshot('preview-no-sidecar');

      // Reveal in Explorer, with the side bar on another view: the Explorer comes back with the file selected.
      await openKlingView(workbench);
      assert.equal(await explorerRow.isVisible(), false, 'the Explorer is hidden');
      await frame.locator('#action-reveal').click();
      await explorerRow.waitFor({ state: 'visible', timeout: 20_000 });
      assert.equal(await explorerRow.getAttribute('aria-selected'), 'true', 'the video is selected in the Explorer');
    },
  };

  const handEdited: UiTest = {
    name: 'a sidecar edited by hand: Regenerate says what to fix and opens it; Open Storyboard says the storyboard is gone',
    timeoutMs: 90_000,
    async run(workbench) {
      await seeded;
      const frame = await openInKlingPreview(workbench, 'hand-edited.mp4');
      await waitUntilPlaying(frame);
      assert.match(await recipeText(frame), /Duration\s+42 s/, 'the recipe shows what the sidecar says');
      const regenerate = frame.locator('#action-regenerate');
      assert.equal(await regenerate.innerText(), 'Regenerate…', 'no price for a request that cannot be sent');
      await regenerate.click();
      const text = await toastText(workbench, /cannot be sent again/);
      assert.match(text, /The recipe in hand-edited\.mp4\.json cannot be sent again: request\.duration: duration must be a whole number of seconds from 3 to 15\./);
      await workbench.clickNotificationButton(/cannot be sent again/, 'Open Sidecar');
      await workbench.page.locator('.tabs-container .tab.active', { hasText: 'hand-edited.mp4.json' }).waitFor({ state: 'visible', timeout: 20_000 });
      assert.equal(await workbench.page.locator('.monaco-dialog-box').count(), 0, 'no price was asked for: nothing was about to be sent');

      // Back to the preview, by its tab.
      await workbench.activateTab('hand-edited.mp4');
      const again = await previewFrame(workbench, 'hand-edited.mp4');
      await again.locator('#action-openStoryboard').click();
      await toastText(workbench, /The storyboard that made this video, \.\.\/gone\.kling\.json, is no longer there\./);
    },
  };

  const loopAndSpeed: UiTest = {
    name: 'loop and speed apply to the video at once and are remembered for the next preview',
    timeoutMs: 90_000,
    async run(workbench) {
      await seeded;
      let frame = await openInKlingPreview(workbench, 'found-footage.mp4');
      await waitUntilPlaying(frame);
      await frame.locator('#rate').selectOption('2');
      await frame.locator('#loop').uncheck();
      let state = await videoState(frame);
      assert.deepEqual([state.playbackRate, state.loop], [2, false]);

      await workbench.runCommand('View: Close All Editors');
      frame = await openInKlingPreview(workbench, 'found-footage.mp4');
      // At 2× without loop the 3 s video is over in 1.5 s: it plays once and stops at its end.
      state = await waitFor(async () => {
        const now = await videoState(frame);
        return now.ended ? now : undefined;
      }, { timeoutMs: 20_000, what: 'the video to play to its end' });
      assert.deepEqual([state.playbackRate, state.loop, state.currentTime], [2, false, 3], 'the next preview plays at 2×, once');
      assert.equal(await frame.locator('#rate').inputValue(), '2');
      assert.equal(await frame.locator('#loop').isChecked(), false);

      // Back to the defaults, for the tests after this one.
      await frame.locator('#rate').selectOption('1');
      await frame.locator('#loop').check();
      await waitFor(async () => ((await videoState(frame)).loop ? true : undefined), { timeoutMs: 5000, what: 'loop on again' });
    },
  };

  const broken: UiTest = {
    name: "a file that is not a video shows the error state, and Open with the default editor reopens it in VS Code's",
    timeoutMs: 90_000,
    async run(workbench) {
      await seeded;
      const frame = await openInKlingPreview(workbench, 'broken.mp4');
      await waitFor(async () => ((await videoState(frame)).bodyClass.includes('error') ? true : undefined), { timeoutMs: 20_000, what: 'the error state' });
      const error = frame.locator('.loading-error');
      assert.match(await error.innerText(), /This video cannot be played here\./);
      await waitFor(async () => (/Not an MP4 file/.test(await frame.locator('#error-detail').innerText()) ? true : undefined), {
        timeoutMs: 10_000,
        what: 'the reason from the file itself',
      });
      assert.match(
        await frame.locator('.recipe-note').innerText(),
        /^The recipe of this video is unknown: its sidecar broken\.mp4\.json cannot be used, it is not valid JSON \(.+\)\.$/,
      );
      await workbench.screenshot('preview-error');
      await frame.locator('#reopen-default').click();
      // VS Code's standard editor, in place of the preview: this file is text, so it shows the text.
      await workbench.page.locator('.monaco-editor .view-lines', { hasText: 'This is a text file someone named .mp4' }).waitFor({ state: 'visible', timeout: 20_000 });
      await waitFor(async () => (await ourFrameGone(workbench, 'broken.mp4')) || undefined, { timeoutMs: 20_000, what: 'Kling Preview to give way' });
      assert.equal(await workbench.page.locator('.tabs-container .tab', { hasText: 'broken.mp4' }).count(), 1, 'one tab: the default editor took the place of the preview');
    },
  };

  const reloadAndDelete: UiTest = {
    name: 'the preview reloads when its file changes and closes when the file is deleted',
    timeoutMs: 90_000,
    async run(workbench) {
      const { changing } = await seeded;
      const frame = await openInKlingPreview(workbench, 'changing.mp4');
      const first = await waitUntilPlaying(frame);
      assert.ok(Math.abs(first.duration - 3) < 0.1, `3 s at first: ${first.duration}`);

      writeFileSync(changing, await renderVideo(repoRoot, 6));
      await waitFor(
        async () => {
          const current = await previewFrame(workbench, 'changing.mp4');
          const state = await videoState(current).catch(() => undefined);
          return state && Math.abs(state.duration - 6) < 0.1 ? current : undefined;
        },
        { timeoutMs: 20_000, what: 'the preview to show the new, 6 s file' },
      );
      await waitUntilPreviewPlays(workbench, 'changing.mp4');

      rmSync(changing);
      await waitFor(async () => ((await workbench.page.locator('.tabs-container .tab', { hasText: 'changing.mp4' }).count()) === 0 ? true : undefined), {
        timeoutMs: 20_000,
        what: 'the editor to close',
      });
      assert.ok(await ourFrameGone(workbench, 'changing.mp4'));
    },
  };

  const regenerateInPlace: UiTest = {
    name: "Regenerate on a storyboard's video shows today's price, makes a new take of it, and leaves the chosen video as it is",
    timeoutMs: 150_000,
    async run(workbench) {
      const { trailer } = await seeded;
      const frame = await openInKlingPreview(workbench, 'trailer.mp4');
      await waitUntilPlaying(frame);
      await frame.locator('#action-regenerate').click();
      const dialog = await answerDialog(workbench, /Generate "trailer" again\?/, 'Generate for $0.525');
      assert.match(dialog, /It costs \$0\.525 \(37\.8 credits\) on the simulator: nothing is spent\./);
      assert.match(dialog, /It is kept as a new take of trailer\.mp4, which stays as it is/);
      await toastText(workbench, /New take ready \(simulated\): videos\/trailer\.mp4 stays as it is until you use this take/, 120_000);
      const chosen = JSON.parse(readFileSync(`${trailer}.json`, 'utf8')) as { taskId: string };
      assert.equal(chosen.taskId, 'task-unified-1764064800-tr41l3r7', 'the chosen video is still the first one');
      const takesDir = path.join(path.dirname(trailer), '.takes', 'trailer');
      const takes = readdirSync(takesDir).filter((f) => f.endsWith('.mp4'));
      const sidecars = takes.map((f) => JSON.parse(readFileSync(path.join(takesDir, `${f}.json`), 'utf8')) as { taskId: string; storyboard: string; video: string });
      const fresh = sidecars.find((s) => s.taskId !== chosen.taskId);
      assert.ok(fresh, `a new task made a take in .takes/trailer: ${takes.join(', ')}`);
      assert.equal(fresh.video, 'trailer', "still the storyboard's video");
      assert.match(fresh.storyboard, /(^|\/)site\.kling\.json$/);
    },
  };

  return [shotsAndSeek, openStoryboard, aacNote, noSidecar, handEdited, loopAndSpeed, broken, reloadAndDelete, regenerateInPlace];
}

async function ourFrameGone(workbench: { page: { frames(): Frame[] } }, fileName: string): Promise<boolean> {
  for (const frame of workbench.page.frames()) {
    if ((await frame.locator(`video.kling-video[aria-label="${fileName}"]`).count().catch(() => 0)) > 0) return false;
  }
  return true;
}
