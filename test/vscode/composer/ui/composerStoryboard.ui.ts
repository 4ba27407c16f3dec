/** Between the composer and a `.kling.json`: Edit in Composer loads a video, Save as Storyboard… writes one. */
import * as assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Locator } from 'playwright-core';
import { checkStoryboardText } from '../../../../src/core/storyboard/validateStoryboard';
import { exactly, type Workbench } from '../../harness/browser';
import type { UiTest } from '../../harness/run';
import { waitFor } from '../../harness/wait';
import { openKlingView } from '../../kling/ui/klingWorkbench';
import { composerFrame, input, openComposer, text, waitForText } from './composerWorkbench';

const BOARD = join('boards', 'launch.kling.json');

/** Opens a workspace file as a person would, and returns its editor. */
async function openFile(workbench: Workbench, name: string): Promise<Locator> {
  await workbench.openFile(name);
  const editor = workbench.page.locator('.editor-instance .monaco-editor').first();
  await editor.waitFor({ state: 'visible', timeout: 20_000 });
  return editor;
}

/** The storyboard on disk, parsed with the core's own checks (which must find nothing wrong). */
function board(workspace: string, file = BOARD) {
  const textOnDisk = readFileSync(join(workspace, file), 'utf8');
  const check = checkStoryboardText(textOnDisk);
  assert.deepEqual(check.problems.map((p) => p.message), [], `${file} validates`);
  return { text: textOnDisk, storyboard: check.storyboard! };
}

/** Clicks the quick pick entry whose label (not its description) is `item`. */
async function pick(workbench: Workbench, title: RegExp, item: string): Promise<void> {
  const widget = await workbench.quickInput(title);
  const row = widget
    .locator('.quick-input-list .monaco-list-row')
    .filter({ has: workbench.page.locator('.label-name', { hasText: exactly(item) }) })
    .first();
  await row.waitFor({ state: 'visible', timeout: 10_000 });
  await row.click();
}

export const editAndSaveStoryboard: UiTest = {
  name: 'Edit in Composer loads a storyboard video with its defaults; Save as Storyboard… updates it, adds to the file and makes a new one, keeping comments',
  timeoutMs: 180_000,
  async run(workbench, { workspace }) {
    const page = workbench.page;
    await openComposer(workbench);

    // From the editor's context menu, with the cursor in the "teaser" video.
    const editor = await openFile(workbench, 'launch.kling.json');
    await editor.locator('.view-line', { hasText: 'Product reveal' }).first().click();
    await editor.locator('.view-line', { hasText: 'Product reveal' }).first().click({ button: 'right' });
    await workbench.chooseFromContextMenu('Edit in Composer');
    let frame = await composerFrame(workbench);
    await waitForText(frame, '.banner', /Loaded from teaser in boards\/launch\.kling\.json/);
    assert.equal(await input(frame, 'prompt').inputValue(), 'Product reveal, three dramatic angles');
    assert.equal(await input(frame, 'negative-prompt').inputValue(), 'blurry, watermark', 'the file\'s default negative prompt');
    assert.equal(await input(frame, 'duration').inputValue(), '9');
    assert.equal(await frame.locator('vscode-radio[value="1080p"]').evaluate((r) => (r as unknown as { checked: boolean }).checked), true, 'the file\'s default quality');
    assert.equal(await frame.locator('vscode-radio[value=auto]').evaluate((r) => (r as unknown as { checked: boolean }).checked), true);
    await waitForText(frame, '#price', /^\$0\.90 · 64\.78/);
    // The editor beside it shows the lines from their start (the click far right on a long line scrolled it sideways).
    await waitFor(
      async () => ((await editor.locator('.lines-content').first().evaluate((el) => parseFloat((el as HTMLElement).style.left || '0'))) === 0 ? true : undefined),
      { timeoutMs: 5000, what: 'the storyboard editor to be scrolled back to the start of its lines' },
    );
    // "Loaded from …" once: in the banner, not again in the status line.
    assert.equal((await frame.locator('body').innerText()).match(/Loaded from/g)?.length, 1);
    await workbench.screenshot('composer-edit-in-composer');

    // Update it in place.
    await input(frame, 'duration').fill('12');
    await frame.locator('#save').click();
    await pick(workbench, /Save as Storyboard/, 'Update "teaser"');
    await waitForText(frame, '.status', /Saved as "teaser" in boards\/launch\.kling\.json/, 20_000);
    let saved = board(workspace);
    assert.equal(saved.storyboard.videos.find((v) => v.name === 'teaser')?.duration, 12);
    assert.match(saved.text, /\/\/ Launch videos\. This comment must survive the composer's edits\./);
    assert.match(saved.text, /\/\/ the opener/);

    // Add the form to the same file as a new video: the name is asked for, and a taken one refused.
    await input(frame, 'prompt').fill('Product close-up on a turntable');
    await frame.locator('#save').click();
    await pick(workbench, /Save as Storyboard/, 'boards/launch.kling.json');
    const nameBox = await workbench.quickInput(/Video Name in boards\/launch\.kling\.json/);
    assert.equal(await nameBox.locator('.quick-input-box input').inputValue(), 'product-close-up-on');
    await nameBox.locator('.quick-input-box input').fill('hero');
    await nameBox.getByText('This storyboard already has a video named "hero".').waitFor({ state: 'visible', timeout: 10_000 });
    await workbench.answerQuickInput(/Video Name/, 'turntable');
    await waitForText(frame, '.status', /Saved as "turntable" in boards\/launch\.kling\.json/, 20_000);
    saved = board(workspace);
    assert.deepEqual(saved.storyboard.videos.map((v) => v.name), ['hero', 'teaser', 'turntable']);
    assert.deepEqual(saved.storyboard.videos[2], {
      name: 'turntable',
      prompt: 'Product close-up on a turntable',
      duration: 12,
      shots: 'auto',
    }, 'only what the defaults do not already say');
    assert.match(saved.text, /\/\/ the opener/);

    // And a new storyboard file.
    await frame.locator('#save').click();
    await pick(workbench, /Save as Storyboard/, 'New Storyboard File…');
    const dialog = await workbench.quickInput(/Save as Storyboard: New Storyboard File/);
    const pathBox = dialog.locator('.quick-input-box input');
    // The dialog fills in its suggestion a moment after it opens.
    await waitFor(async () => (/\/workspace\/videos\.kling\.json$/.test(await pathBox.inputValue()) ? true : undefined), {
      timeoutMs: 10_000,
      what: 'the save dialog to suggest videos.kling.json in the workspace',
    });
    // Typed without the suffix, as a person might: the storyboard still gets its .kling.json. OK, not Enter: Enter
    // would take the dialog's highlighted entry if its list has not caught up with the typing yet.
    await pathBox.fill(join(workspace, 'fresh'));
    await waitFor(async () => ((await pathBox.inputValue()) === join(workspace, 'fresh') ? true : undefined), { timeoutMs: 5000, what: 'the path to be typed' });
    await dialog.locator('.monaco-button', { hasText: /^OK$/ }).first().click();
    await workbench.answerQuickInput(/Video Name in fresh\.kling\.json/, undefined);
    frame = await composerFrame(workbench);
    await waitForText(frame, '.status', /Saved as "product-close-up-on" in fresh\.kling\.json\.$/, 20_000);
    assert.ok(existsSync(join(workspace, 'fresh.kling.json')));
    const fresh = board(workspace, 'fresh.kling.json');
    assert.deepEqual(fresh.storyboard.videos, [
      { name: 'product-close-up-on', prompt: 'Product close-up on a turntable', negative_prompt: 'blurry, watermark', duration: 12, shots: 'auto', quality: '1080p' },
    ]);

    // From the explorer's context menu: the file's videos to choose from.
    await workbench.runCommand('View: Show Explorer');
    const row = page.locator('.explorer-folders-view .monaco-list-row', { hasText: 'boards' }).first();
    await row.waitFor({ state: 'visible', timeout: 10_000 });
    if ((await row.getAttribute('aria-expanded')) !== 'true') await row.click();
    await page.locator('.explorer-folders-view .monaco-list-row', { hasText: 'launch.kling.json' }).first().click({ button: 'right' });
    await workbench.chooseFromContextMenu('Edit in Composer');
    await pick(workbench, /Edit in Composer/, 'hero');
    frame = await composerFrame(workbench);
    await waitForText(frame, '.banner', /Loaded from hero in boards\/launch\.kling\.json/);
    assert.equal(await input(frame, 'prompt').inputValue(), 'A golden retriever running through a sunlit meadow');
    assert.ok(await frame.locator('#restore').isVisible(), 'the replaced draft can be restored');
    await frame.locator('#restore').click();
    await waitFor(async () => ((await input(frame, 'prompt').inputValue()) === 'Product close-up on a turntable' ? true : undefined), {
      timeoutMs: 5000,
      what: 'the previous draft to come back',
    });
    assert.match(await text(frame, '.status'), /The previous draft is back/);

    // From the Storyboards view: a video's context menu.
    await openKlingView(workbench);
    const storyboards = page.locator('.pane', { has: page.locator('.pane-header', { hasText: /Storyboards/i }) }).first();
    const header = storyboards.locator('.pane-header').first();
    if ((await header.getAttribute('aria-expanded')) !== 'true') await header.click();
    const videoRow = storyboards.locator('.monaco-list-row', { hasText: /^\s*teaser/ }).first();
    await videoRow.waitFor({ state: 'visible', timeout: 20_000 });
    await videoRow.click({ button: 'right' });
    await workbench.chooseFromContextMenu('Edit in Composer');
    frame = await composerFrame(workbench);
    await waitForText(frame, '.banner', /Loaded from teaser in boards\/launch\.kling\.json/);
    assert.equal(await input(frame, 'duration').inputValue(), '12', 'the teaser as saved above');
  },
};
