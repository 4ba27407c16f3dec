/** Writing, pricing and generating from the composer, as a newcomer would: on the built-in simulator. */
import * as assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { UiTest } from '../../harness/run';
import { waitFor } from '../../harness/wait';
import { openKlingView, taskRow } from '../../kling/ui/klingWorkbench';
import { openInKlingPreview } from '../../preview/ui/previewWorkbench';
import { composerFrame, focused, generateDisabled, input, openComposer, text, waitForText } from './composerWorkbench';

const videosIn = (workspace: string) => {
  const dir = join(workspace, 'kling-videos');
  return existsSync(dir) ? readdirSync(dir).filter((f) => f.endsWith('.mp4')) : [];
};

/** Waits for the MP4 whose name starts with `slug`, and returns its sidecar. */
async function savedVideo(workspace: string, slug: string, timeoutMs = 60_000): Promise<{ file: string; sidecar: Record<string, any> }> {
  // The sidecar is written just after the video: wait for both.
  const file = await waitFor(
    () => videosIn(workspace).find((f) => f.startsWith(slug) && existsSync(join(workspace, 'kling-videos', `${f}.json`))),
    { timeoutMs, what: `an MP4 named ${slug}-… and its sidecar in kling-videos` },
  );
  const sidecar = JSON.parse(readFileSync(join(workspace, 'kling-videos', `${file}.json`), 'utf8')) as Record<string, any>;
  return { file, sidecar };
}

export const keyboardGenerate: UiTest = {
  name: 'fills the form with the keyboard, the price follows duration and quality, Ctrl+Enter submits, the task and its MP4 appear',
  timeoutMs: 150_000,
  async run(workbench, { workspace }) {
    const page = workbench.page;
    const frame = await openComposer(workbench);
    // The side bar as a newcomer first sees it (Composer, Tasks and Storyboards open): the prompt, the price and
    // Generate are all in sight without scrolling or resizing anything.
    const inSight = await frame.evaluate(() =>
      ['#prompt', '#price', '#generate'].filter((selector) => {
        const box = document.querySelector(selector)!.getBoundingClientRect();
        return box.height > 0 && box.top >= 0 && box.bottom <= window.innerHeight;
      }),
    );
    assert.deepEqual(inSight, ['#prompt', '#price', '#generate'], 'the prompt, the price and Generate are in sight when the composer first opens');
    // Into the page and onto its first field with the keyboard alone.
    await waitFor(
      async () => {
        if ((await focused(frame)) === '#prompt') return true;
        await page.keyboard.press('Tab');
        return undefined;
      },
      { timeoutMs: 10_000, intervalMs: 200, what: 'Tab to reach the prompt' },
    );
    await page.keyboard.type('A lighthouse on a cliff at dusk, waves below');
    assert.equal(await text(frame, '.count'), '44 / 2500', 'the character count follows the prompt');
    await page.keyboard.press('Tab');
    assert.equal(await focused(frame), '#negative-prompt');
    await page.keyboard.type('blurry, text');
    await page.keyboard.press('Tab');
    assert.equal(await focused(frame), '#duration');
    assert.match(await text(frame, '#price'), /^\$0\.375 · 27\.00 credits for 5 s at 720p/);
    // Tab selected the field's text, as it does in any form: typing replaces it.
    await page.keyboard.type('10');
    assert.equal(await input(frame, 'duration').inputValue(), '10');
    await waitForText(frame, '#price', /^\$0\.75 · 54\.00 credits for 10 s at 720p/);
    await page.keyboard.press('Tab');
    assert.equal(await focused(frame), 'input[value=16:9]', 'the aspect ratio is next');
    await page.keyboard.press('ArrowRight');
    assert.equal(await frame.locator('input[name=aspect_ratio]:checked').getAttribute('value'), '9:16');
    await page.keyboard.press('Tab');
    assert.equal(await focused(frame), 'vscode-radio[value=720p]', 'then the quality');
    await page.keyboard.press('ArrowRight');
    await waitForText(frame, '#price', /^\$1\.00 · 71\.98 credits for 10 s at 1080p/);
    await page.keyboard.press('Tab');
    assert.equal(await focused(frame), '#sound');
    await page.keyboard.press('Tab');
    assert.equal(await focused(frame), '#watermark');
    const hidden = await frame.evaluate(() => {
      const field = document.activeElement!.getBoundingClientRect();
      return field.bottom > document.querySelector('.footer')!.getBoundingClientRect().top;
    });
    assert.equal(hidden, false, 'the focused field is scrolled clear of the sticky price footer');
    await workbench.screenshot('composer-before-generate');

    assert.equal(await generateDisabled(frame), false);
    await page.keyboard.press('Control+Enter');
    await waitForText(frame, '.status', /Task created: "A lighthouse on a cliff at dusk, wa…" is in the Tasks view/, 30_000);

    const pane = await openKlingView(workbench);
    const row = taskRow(pane, 'A lighthouse on a cliff at dusk');
    await row.waitFor({ state: 'visible', timeout: 20_000 });
    await waitFor(async () => (/\.mp4/.test(await row.innerText()) ? true : undefined), { timeoutMs: 90_000, intervalMs: 250, what: 'the task to be saved' });
    const { sidecar } = await savedVideo(workspace, 'a-lighthouse-on-a-cliff-at-dusk-waves');
    assert.deepEqual(sidecar.request, {
      model: 'kling-v3-text-to-video',
      prompt: 'A lighthouse on a cliff at dusk, waves below',
      negative_prompt: 'blurry, text',
      duration: 10,
      aspect_ratio: '9:16',
      quality: '1080p',
      sound: 'off',
      model_params: { watermark_info: { enabled: false } },
    });
    assert.equal(sidecar.simulated, true);
  },
};

export const shotTotalBlocks: UiTest = {
  name: 'my shots: a total that is not the duration shows its message and blocks Generate; "Set Duration" fixes it, a shot moves up, and the multi-shot video is made',
  timeoutMs: 150_000,
  async run(workbench, { workspace }) {
    const frame = await openComposer(workbench);
    await input(frame, 'prompt').fill('Launch trailer');
    await frame.locator('vscode-radio[value=custom]').click();
    await input(frame, 'shot-0-prompt').waitFor({ state: 'visible' });
    assert.equal(await input(frame, 'shot-0-duration').inputValue(), '5', 'the first shot fills the video');
    await input(frame, 'shot-0-prompt').fill('A person on a hilltop at dawn');
    await frame.locator('#add-shot').click();
    await input(frame, 'shot-1-prompt').fill('The camera pulls back to reveal the city');
    await input(frame, 'shot-1-duration').fill('2');
    await waitForText(frame, '#shots-message', /^The shots add up to 7 s but the video is 5 s: set the duration to 7 s, or change the shots\.$/);
    assert.equal(await text(frame, '#shot-total'), 'Shots: 7 s of 5 s');
    assert.ok(await generateDisabled(frame), 'Generate is disabled while the total is wrong');
    assert.match(await text(frame, '#generate-hint'), /The shots add up to 7 s/);

    // Ctrl+Enter does not get past it either: it takes the user to the problem, and nothing is sent.
    await input(frame, 'shot-1-prompt').focus();
    await workbench.page.keyboard.press('Control+Enter');
    await waitFor(async () => ((await focused(frame)) === '#add-shot' ? true : undefined), { timeoutMs: 5000, what: 'focus to move to the shots' });
    assert.doesNotMatch(await text(frame, '.status').catch(() => ''), /Creating|Task created/);
    await workbench.screenshot('composer-shot-total');

    await frame.locator('#set-duration').click();
    assert.equal(await input(frame, 'duration').inputValue(), '7');
    await waitForText(frame, '#price', /^\$0\.525 · 37\.80 credits for 7 s/);
    assert.equal(await text(frame, '#shots-message'), '');
    assert.equal(await generateDisabled(frame), false);
    assert.deepEqual(videosIn(workspace).filter((f) => f.startsWith('launch-trailer')), [], 'nothing was generated while it was blocked');

    // Reorder from the keyboard: the shot moves up, and the focus goes with it.
    await frame.locator('#shot-1-up').focus();
    await workbench.page.keyboard.press('Enter');
    await waitFor(async () => ((await input(frame, 'shot-0-prompt').inputValue()) === 'The camera pulls back to reveal the city' ? true : undefined), {
      timeoutMs: 5000,
      what: 'shot 2 to become shot 1',
    });
    // At the top its "up" is disabled: the focus goes to the shot's other arrow.
    await waitFor(async () => ((await focused(frame)) === '#shot-0-down' ? true : undefined), { timeoutMs: 5000, what: 'the focus to follow the moved shot' });
    assert.deepEqual(await frame.locator('.shot-range').allInnerTexts(), ['0–2 s', '2–7 s'], 'the time ranges follow the new order');

    await frame.locator('#generate').click();
    await waitForText(frame, '.status', /Task created: "Launch trailer"/, 30_000);
    const { sidecar } = await savedVideo(workspace, 'launch-trailer', 90_000);
    assert.deepEqual(sidecar.request.model_params, {
      multi_shot: true,
      shot_type: 'customize',
      multi_prompt: [
        { index: 1, prompt: 'The camera pulls back to reveal the city', duration: '2' },
        { index: 2, prompt: 'A person on a hilltop at dawn', duration: '5' },
      ],
      watermark_info: { enabled: false },
    });
    assert.equal(sidecar.request.duration, 7);
  },
};

export const draftSurvives: UiTest = {
  name: 'the draft survives hiding the view and reloading the window',
  timeoutMs: 150_000,
  async run(workbench) {
    let frame = await openComposer(workbench);
    await frame.locator('#clear').click();
    await input(frame, 'prompt').fill('A draft that must survive');
    await input(frame, 'duration').fill('12');
    await frame.locator('.aspect-choice', { hasText: '1:1' }).click();
    await frame.locator('vscode-radio[value=auto]').click();
    await waitForText(frame, '#price', /^\$0\.90 · 64\.80 credits for 12 s/);

    const check = async (when: string) => {
      assert.equal(await input(frame, 'prompt').inputValue(), 'A draft that must survive', `prompt ${when}`);
      assert.equal(await input(frame, 'duration').inputValue(), '12', `duration ${when}`);
      assert.equal(await frame.locator('input[name=aspect_ratio]:checked').getAttribute('value'), '1:1', `aspect ratio ${when}`);
      assert.equal(await frame.locator('vscode-radio[value=auto]').evaluate((r) => (r as unknown as { checked: boolean }).checked), true, `multi-shot ${when}`);
      assert.match(await text(frame, '#price'), /^\$0\.90/, `price ${when}`);
    };

    // Hidden: another container takes the side bar, and the page is unloaded (no retainContextWhenHidden).
    await workbench.runCommand('View: Show Explorer');
    await waitFor(async () => ((await frame.isDetached()) || !(await frame.locator('#prompt').isVisible().catch(() => false)) ? true : undefined), {
      timeoutMs: 10_000,
      what: 'the composer to be hidden',
    });
    frame = await openComposer(workbench);
    await check('after hiding the view');

    await workbench.runCommand('Developer: Reload Window');
    await workbench.waitForReady(60_000);
    frame = await openComposer(workbench);
    await check('after reloading the window');
  },
};

export const forgedMessagesRefused: UiTest = {
  name: 'messages of a forged shape from the page are ignored by the host, with a log line, and spend nothing',
  timeoutMs: 120_000,
  async run(workbench) {
    const frame = await openComposer(workbench);
    const host = frame.parentFrame();
    assert.ok(host, 'the composer page sits in VS Code\'s webview host frame');
    // What a compromised page could do: talk to VS Code through the same channel acquireVsCodeApi uses.
    const forged = [
      { type: 'composer/generate', draft: { prompt: 42 } },
      { type: 'composer/runCommand', command: 'workbench.action.terminal.new' },
      { type: 'composer/setUp', action: 'workbench.action.terminal.new' },
      { type: 'composer/generate', draft: { prompt: 'Forged but well formed', negative_prompt: '', duration: '99', aspect_ratio: '16:9', quality: '720p', sound: 'off', watermark: false, multi_shot: 'off', shots: [] } },
    ];
    for (const message of forged) {
      await host.evaluate((m) => (window as unknown as Record<string, (c: string, d: unknown) => void>)['__vscode_post_message__']!('onmessage', { message: m }), message);
    }
    await workbench.runCommand('Kling: Show Log');
    // The output view wraps long lines wherever it likes: compare without the whitespace.
    const squeeze = (line: string) => line.replace(/\s+/g, '');
    const expected = [
      'composer: ignored a message from the page that does not fit the protocol: "composer/generate": Invalid input: expected string, received number at draft.prompt',
      'composer: ignored a message from the page that does not fit the protocol: "composer/runCommand": not a message of this protocol at type',
      'composer: ignored a message from the page that does not fit the protocol: "composer/setUp": Invalid option: expected one of "setApiKey"|"useSimulator" at action',
      'composer: refused to generate from a form that is not valid (duration: duration must be a whole number of seconds from 3 to 15; got 99)',
    ];
    const output = workbench.page.locator('.part.panel .view-lines');
    let shown = '';
    await waitFor(
      async () => {
        shown = squeeze(await output.innerText().catch(() => ''));
        return expected.every((line) => shown.includes(squeeze(line))) ? true : undefined;
      },
      { timeoutMs: 20_000, what: 'the refusals in the Kling Studio log', detail: () => `the log shows: ${shown.slice(-600)}` },
    );
    await workbench.screenshot('composer-forged-log');
    assert.equal(await workbench.page.locator('.terminal-wrapper').count(), 0, 'no terminal was opened');
    const pane = await openKlingView(workbench);
    assert.equal(await taskRow(pane, 'Forged').count(), 0, 'no task was created');
  },
};

export const setUpFromTheComposer: UiTest = {
  name: 'with no key, the composer says how to start; "Try the Simulator" switches and the balance follows',
  timeoutMs: 90_000,
  async run(workbench) {
    const frame = await openComposer(workbench);
    await waitForText(frame, '.banner.setup', /To generate, set your Kling API key, or try the built-in simulator/);
    assert.equal(await text(frame, '#balance'), 'Balance: set an API key to see it');
    await workbench.screenshot('composer-no-key');
    await frame.locator('#use-simulator').click();
    await waitForText(frame, '#balance', /^Balance: [\d,]+ credits \(simulator\)$/, 20_000);
    assert.equal(await frame.locator('.banner.setup').count(), 0, 'the set-up banner is gone');
    await input(frame, 'prompt').fill('A first video, on the simulator');
    await waitForText(frame, '#price', /simulated/);
  },
};

export const editFromPreview: UiTest = {
  name: 'a composed video\'s Kling Preview offers Edit in Composer, which brings its exact settings back into the form',
  timeoutMs: 150_000,
  async run(workbench, { workspace }) {
    let frame = await openComposer(workbench);
    await frame.locator('#clear').click();
    await input(frame, 'prompt').fill('A night train through the snow');
    await input(frame, 'duration').fill('6');
    await frame.locator('.aspect-choice', { hasText: '1:1' }).click();
    await frame.locator('vscode-radio[value=auto]').click();
    await frame.locator('#watermark').click();
    await frame.locator('#generate').click();
    await waitForText(frame, '.status', /Task created: "A night train through the snow"/, 30_000);
    const { file } = await savedVideo(workspace, 'a-night-train-through-the-snow', 90_000);
    // Another draft in the form meanwhile: the load keeps it to restore.
    await input(frame, 'prompt').fill('Something else entirely');

    const preview = await openInKlingPreview(workbench, file);
    const edit = preview.locator('#action-editInComposer');
    await edit.waitFor({ state: 'visible', timeout: 20_000 });
    await edit.click();
    frame = await composerFrame(workbench);
    await waitForText(frame, '.banner', /Loaded from the video "/);
    assert.equal(await input(frame, 'prompt').inputValue(), 'A night train through the snow');
    assert.equal(await input(frame, 'duration').inputValue(), '6');
    assert.equal(await frame.locator('input[name=aspect_ratio]:checked').getAttribute('value'), '1:1');
    assert.equal(await frame.locator('vscode-radio[value=auto]').evaluate((r) => (r as unknown as { checked: boolean }).checked), true);
    assert.equal(await frame.locator('#watermark').evaluate((c) => (c as unknown as { checked: boolean }).checked), true);
    await waitForText(frame, '#price', /^\$0\.45 · 32\.40 credits for 6 s/);
    await frame.locator('#restore').click();
    await waitFor(async () => ((await input(frame, 'prompt').inputValue()) === 'Something else entirely' ? true : undefined), {
      timeoutMs: 5000,
      what: 'the draft the load replaced to come back',
    });
  },
};
