/** Frames out of a video in Kling Preview: Save Frame… writes a PNG of the video's size; Continue from Last Frame makes an image-to-video. */
import * as assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Workbench } from '../../harness/browser';
import type { UiTest } from '../../harness/run';
import { waitFor } from '../../harness/wait';
import { composerFrame, input, waitForText } from '../../composer/ui/composerWorkbench';
import type { SeededWorkspace } from '../seedWorkspace';
import { openInKlingPreview, waitUntilPlaying } from './previewWorkbench';

/** Width and height from a PNG's IHDR chunk (after the 8-byte signature and the chunk's length and type). */
function pngSize(bytes: Buffer): { width: number; height: number } {
  assert.equal(bytes.subarray(0, 8).toString('hex'), '89504e470d0a1a0a', 'a PNG file');
  assert.equal(bytes.toString('latin1', 12, 16), 'IHDR');
  return { width: bytes.readUInt32BE(16), height: bytes.readUInt32BE(20) };
}

/** Answers the save dialog (code-server's own, a quick input) with a path. */
async function answerSaveDialog(workbench: Workbench, title: RegExp, path: string): Promise<void> {
  const dialog = await workbench.quickInput(title);
  const box = dialog.locator('.quick-input-box input');
  const heading = dialog.locator('.quick-input-title', { hasText: title });
  // The dialog fills in its suggestion a moment after it opens: wait for it, then type the path and accept with the
  // button (Enter could take a highlighted entry of a list that has not caught up with the typing).
  await waitFor(async () => (/\.png$/.test(await box.inputValue()) ? true : undefined), { timeoutMs: 10_000, what: 'the save dialog to suggest a .png beside the video' });
  await waitFor(
    async () => {
      if (!(await heading.isVisible())) return true;
      await box.fill(path);
      if ((await box.inputValue()) !== path) return undefined;
      await dialog.locator('.monaco-button', { hasText: /^(OK|Save Frame)$/ }).first().click({ timeout: 2000 }).catch(() => undefined);
      return heading.waitFor({ state: 'hidden', timeout: 3000 }).then(() => true, () => undefined);
    },
    { timeoutMs: 20_000, intervalMs: 200, what: `the save dialog to take ${path}` },
  );
}

export function previewFrameTests(seeded: Promise<SeededWorkspace>): UiTest[] {
  const saveFrame: UiTest = {
    name: "Save Frame… writes the frame on screen as a PNG at the video's own size, where the user says",
    timeoutMs: 120_000,
    async run(workbench, { workspace }) {
      await seeded;
      const frame = await openInKlingPreview(workbench, 'trailer.mp4');
      const playing = await waitUntilPlaying(frame);
      const size = await frame.locator('video').evaluate((v) => ({ width: (v as HTMLVideoElement).videoWidth, height: (v as HTMLVideoElement).videoHeight }));
      assert.deepEqual(size, { width: 1280, height: 720 }, `the trailer is 16:9 720p (${playing.duration} s)`);
      await frame.locator('#frame-save').click();
      const target = join(workspace, 'videos', 'still.png');
      await answerSaveDialog(workbench, /Save Frame/, target);
      const bytes = await waitFor(() => (existsSync(target) ? readFileSync(target) : undefined), { timeoutMs: 20_000, what: 'still.png to be written' });
      assert.deepEqual(pngSize(bytes), size, "the PNG has the video's own size");
      assert.deepEqual(readdirSync(join(workspace, 'videos')).filter((f) => f.endsWith('.tmp')), [], 'no temporary file left');
      await workbench.screenshot('preview-save-frame');
    },
  };

  const continueFromLast: UiTest = {
    name: "Continue from Last Frame saves the last frame beside the video and opens a new draft on it; Generate makes an image-to-video whose image_start is that frame's upload",
    timeoutMs: 180_000,
    async run(workbench, { workspace }) {
      await seeded;
      const preview = await openInKlingPreview(workbench, 'trailer.mp4');
      await waitUntilPlaying(preview);
      await preview.locator('#frame-continue').click();
      const last = join(workspace, 'videos', 'trailer.last.png');
      const bytes = await waitFor(() => (existsSync(`${last}.json`) ? readFileSync(last) : undefined), { timeoutMs: 20_000, what: 'trailer.last.png and its record' });
      assert.deepEqual(pngSize(bytes), { width: 1280, height: 720 });
      const record = JSON.parse(readFileSync(`${last}.json`, 'utf8')) as Record<string, unknown>;
      assert.equal(record['source'], 'trailer.mp4');
      assert.equal(record['frame'], 'last');
      assert.match(String(record['sourceSha256']), /^[0-9a-f]{64}$/);
      const timeShown = await preview.locator('video').evaluate((v) => [(v as HTMLVideoElement).currentTime, (v as HTMLVideoElement).duration]);
      assert.ok(Math.abs(timeShown[0]! - timeShown[1]!) < 0.1, `the preview shows the last frame: ${timeShown.join(' of ')}`);

      const composer = await composerFrame(workbench);
      await waitForText(composer, '#image-summary', /^1280×720 · PNG · /, 20_000);
      // Nothing is spent before the user has seen the price and pressed Generate.
      await waitForText(composer, '#price', /image-to-video/, 20_000);
      assert.equal(readdirSync(workspace).includes('kling-videos'), false, 'no video made before Generate');
      await input(composer, 'prompt').fill('The camera keeps going into the city');
      await workbench.screenshot('preview-continue-from-last-frame');
      await composer.locator('#generate').click();
      await waitForText(composer, '.status', /Task created/, 30_000);
      const dir = join(workspace, 'kling-videos');
      const file = await waitFor(
        () => (existsSync(dir) ? readdirSync(dir).find((f) => f.startsWith('the-camera-keeps') && f.endsWith('.mp4') && existsSync(join(dir, `${f}.json`))) : undefined),
        { timeoutMs: 90_000, what: 'the continued video and its sidecar in kling-videos' },
      );
      const sidecar = JSON.parse(readFileSync(join(dir, `${file}.json`), 'utf8')) as { request: Record<string, string>; uploads?: Array<{ field: string; source: string; url: string; sha256?: string }> };
      assert.equal(sidecar.request['model'], 'kling-v3-image-to-video');
      assert.deepEqual(sidecar.uploads?.map((u) => [u.field, u.source, u.url]), [['image_start', 'videos/trailer.last.png', sidecar.request['image_start']]]);
    },
  };

  const intoStoryboardAtCursor: UiTest = {
    name: 'Use as First Frame with a storyboard open beside the preview and its cursor in a video: the frame goes into that video, as a frame of the video shown, in one undoable edit',
    timeoutMs: 120_000,
    async run(workbench) {
      await seeded;
      await workbench.openFile('site.kling.json');
      const editorLines = workbench.page.locator('.editor-group-container .monaco-editor .view-lines').first();
      // The cursor inside "hero", as a person clicks into its prompt.
      await editorLines.locator('.view-line', { hasText: 'golden retriever' }).first().click();
      await workbench.runCommand('View: Split Editor Right');
      const preview = await openInKlingPreview(workbench, 'trailer.mp4');
      await waitUntilPlaying(preview);
      await preview.locator('video').evaluate(
        (v) =>
          new Promise<void>((resolve) => {
            const video = v as HTMLVideoElement;
            video.pause();
            video.addEventListener('seeked', () => resolve(), { once: true });
            video.currentTime = 0;
          }),
      );
      await preview.locator('#frame-first').click();
      const pick = await workbench.quickInput(/Use trailer\.first\.png/);
      await workbench.screenshot('preview-frame-into-storyboard');
      await pick.locator('.quick-input-list .monaco-list-row', { hasText: 'Into "hero" in site.kling.json' }).first().click();
      await pick.waitFor({ state: 'hidden', timeout: 10_000 });

      // The edit is in the storyboard's editor (not saved): hero now starts from the trailer's first frame.
      let seen = '';
      const text = async () => (seen = (await editorLines.allInnerTexts()).join('\n').replace(/\s+/g, ' '));
      await waitFor(async () => (/"name": "hero", "prompt": "A golden retriever running through a sunlit meadow", "duration": 5, "image": \{ "from": "trailer", "frame": "first" \}/.test(await text()) ? true : undefined), {
        timeoutMs: 10_000,
        what: 'hero\'s image to be the first frame of "trailer"',
        detail: () => seen,
      });
      await workbench.screenshot('preview-frame-in-storyboard');
      // One edit, undone as one.
      await editorLines.locator('.view-line', { hasText: 'golden retriever' }).first().click();
      await workbench.page.keyboard.press('Control+z');
      await waitFor(async () => (/"from": "trailer"/.test(await text()) ? undefined : true), { timeoutMs: 10_000, what: 'Undo to take the frame out again', detail: () => seen });
    },
  };

  return [saveFrame, continueFromLast, intoStoryboardAtCursor];
}
