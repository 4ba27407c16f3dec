/**
 * Images and elements in the composer, as a person uses them: a frame picked through the file dialog (the drop from
 * the Explorer needs Shift held over a webview, which playwright's synthetic drag cannot do across the workbench's
 * frames), Animate Image… from the Explorer, an element defined in the composer and named in the prompt, and Edit in
 * Composer + Save on a video with images and elements. The built-in simulator checks every frame it is sent.
 */
import * as assert from 'node:assert/strict';
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Frame } from 'playwright-core';
import { pngBytes } from '../../../helpers/images';
import { exactly, type Workbench } from '../../harness/browser';
import type { UiTest } from '../../harness/run';
import { waitFor } from '../../harness/wait';
import { answerDialog, generateFromPrompt } from '../../kling/ui/klingWorkbench';
import { openInKlingPreview } from '../../preview/ui/previewWorkbench';
import { composerFrame, generateDisabled, input, openComposer, text, waitForText } from './composerWorkbench';

export const CAST_BOARD = `{
  // A cast for the images test: this comment and the layout must survive Save.
  "version": 1,
  "output": "out",
  "videos": [
    { "name": "wave", "prompt": "<<<element_1>>> waves from the lighthouse", "image": "../frame.png", "end_image": "../last.png", "elements": ["mia"],
      "callback_url": "https://example.com/kling", "watermark": true }
  ],
  "elements": [
    { "name": "mia", "description": "A girl in a yellow raincoat", "frontal_image": "../mia-front.png", "refer_images": ["../mia-side.png"] }
  ]
}
`;

/** A workspace with images the video models take, and a storyboard that uses them. */
export function writeImagesWorkspace(dir: string): string {
  mkdirSync(join(dir, 'boards'), { recursive: true });
  writeFileSync(join(dir, 'frame.png'), pngBytes(640, 640));
  writeFileSync(join(dir, 'last.png'), pngBytes(640, 640));
  writeFileSync(join(dir, 'mia-front.png'), pngBytes(400, 600));
  writeFileSync(join(dir, 'mia-side.png'), pngBytes(400, 600));
  writeFileSync(join(dir, 'tiny.png'), pngBytes(200, 200));
  writeFileSync(join(dir, 'boards', 'cast.kling.json'), CAST_BOARD);
  // Beside the workspace, not in it.
  writeFileSync(join(dir, '..', 'outside.png'), pngBytes(640, 360));
  return dir;
}

/** Answers the file dialog (code-server's own, a quick input) with a path. */
async function answerFileDialog(workbench: Workbench, title: RegExp, path: string): Promise<void> {
  const dialog = await workbench.quickInput(title);
  const box = dialog.locator('.quick-input-box input');
  const heading = dialog.locator('.quick-input-title', { hasText: title });
  // The dialog fills in its folder a moment after it opens (and may do it again): wait for the folder, then type the
  // path and accept, again if the dialog put its folder back before the click.
  await waitFor(async () => (/\/$/.test(await box.inputValue()) ? true : undefined), { timeoutMs: 10_000, what: 'the file dialog to fill in its folder' });
  await waitFor(
    async () => {
      if (!(await heading.isVisible())) return true;
      await box.fill(path);
      if ((await box.inputValue()) !== path) return undefined;
      await dialog.locator('.monaco-button', { hasText: /^(OK|Use Image)$/ }).first().click({ timeout: 2000 }).catch(() => undefined);
      return heading.waitFor({ state: 'hidden', timeout: 3000 }).then(() => true, () => undefined);
    },
    { timeoutMs: 20_000, intervalMs: 200, what: `the file dialog to take ${path}` },
  );
}

/** Whether the thumbnail `id` loaded (the CSP let it through, and it is the image). */
async function thumbnailLoaded(frame: Frame, id: string): Promise<{ width: number; src: string }> {
  const thumb = frame.locator(`#${id}`);
  await thumb.waitFor({ state: 'visible', timeout: 20_000 });
  return waitFor(
    () => thumb.evaluate((img) => ((img as HTMLImageElement).complete && (img as HTMLImageElement).naturalWidth > 0 ? { width: (img as HTMLImageElement).naturalWidth, src: (img as HTMLImageElement).src } : undefined)),
    { timeoutMs: 10_000, what: `the thumbnail ${id} to load` },
  );
}

async function savedVideo(workspace: string, folder: string, slug: string, timeoutMs = 90_000): Promise<{ file: string; sidecar: Record<string, any> }> {
  const dir = join(workspace, folder);
  const file = await waitFor(
    () => (existsSync(dir) ? readdirSync(dir).find((f) => f.startsWith(slug) && f.endsWith('.mp4') && existsSync(join(dir, `${f}.json`))) : undefined),
    { timeoutMs, what: `an MP4 named ${slug}-… and its sidecar in ${folder}` },
  );
  return { file, sidecar: JSON.parse(readFileSync(join(dir, `${file}.json`), 'utf8')) as Record<string, any> };
}

/** Room for the composer in screenshots: the Tasks and Storyboards views folded (the next test opens what it needs). */
async function foldOtherViews(workbench: Workbench): Promise<void> {
  for (const name of ['Tasks', 'Storyboards']) {
    const header = workbench.page.locator('.pane-header', { hasText: exactly(name) }).first();
    if ((await header.getAttribute('aria-expanded', { timeout: 2000 }).catch(() => null)) === 'true') await header.click();
  }
}

async function clearForm(frame: Frame): Promise<void> {
  await frame.locator('#clear').click();
  await waitForText(frame, '.status', /The form is cleared/);
}

export const animateFromExplorer: UiTest = {
  name: 'Animate Image… from the Explorer puts the image into the composer as its first frame, with its thumbnail and size',
  timeoutMs: 120_000,
  async run(workbench) {
    const page = workbench.page;
    await openComposer(workbench);
    await workbench.runCommand('View: Show Explorer');
    const row = page.locator('.explorer-folders-view .monaco-list-row', { hasText: exactly('frame.png') }).first();
    await row.waitFor({ state: 'visible', timeout: 10_000 });
    await row.click({ button: 'right' });
    await workbench.chooseFromContextMenu('Animate Image…');
    const frame = await composerFrame(workbench);
    await waitForText(frame, '#image-card', /frame\.png/, 20_000);
    await waitForText(frame, '#image-summary', /^640×640 · PNG · /);
    const thumb = await thumbnailLoaded(frame, 'image-thumb');
    assert.equal(thumb.width, 640, 'the thumbnail is the image itself');
    assert.doesNotMatch(thumb.src, /^(file|data):/, 'the thumbnail comes through asWebviewUri');
    await waitForText(frame, '#price', /image-to-video/);
    await workbench.screenshot('composer-animate-image');
  },
};

export const outsideImageRefused: UiTest = {
  name: 'an image from outside the workspace: refused with a message at the field unless the user agrees to copy it in, then used from kling-images/',
  timeoutMs: 150_000,
  async run(workbench, { workspace }) {
    const frame = await openComposer(workbench);
    await clearForm(frame);
    const outside = join(workspace, '..', 'outside.png');
    await frame.locator('#image-choose').click();
    await answerFileDialog(workbench, /Choose the first frame/, outside);
    const asked = await answerDialog(workbench, /outside this workspace/, 'Cancel');
    assert.match(asked, /outside\.png is outside this workspace\. Copy it into kling-images\/outside\.png to use it as the first frame\?/);
    await waitForText(frame, '#image-message', /^Not used: outside\.png is outside the workspace \(it can be copied in when you choose it again\)\.$/, 20_000);
    assert.equal(await frame.locator('#image-card').count(), 0, 'no first frame was set');
    assert.equal(existsSync(join(workspace, 'kling-images')), false, 'nothing was copied');

    await frame.locator('#image-choose').click();
    await answerFileDialog(workbench, /Choose the first frame/, outside);
    await answerDialog(workbench, /outside this workspace/, 'Copy Into Workspace');
    await waitForText(frame, '#image-card', /kling-images\/outside\.png/, 20_000);
    await waitForText(frame, '#image-summary', /^640×360 · PNG · /);
    assert.ok(existsSync(join(workspace, 'kling-images', 'outside.png')), 'copied into the workspace');
  },
};

export const pickFrameAndGenerate: UiTest = {
  name: 'a first frame picked in the composer and a last frame dropped on it: rules at the field (a small image, an http link), image-to-video price, and the MP4 whose sidecar has image_start and image_end',
  timeoutMs: 180_000,
  async run(workbench, { workspace }) {
    const frame = await openComposer(workbench);
    await clearForm(frame);
    await input(frame, 'prompt').fill('The lighthouse beam sweeps across the sea');

    // A link that is not https is refused at the field.
    await input(frame, 'end_image-url').fill('http://example.com/x.png');
    await input(frame, 'end_image-url').press('Enter');
    await waitForText(frame, '#end_image-message', /starts with https:\/\//);

    // An image too small for the video models: the rule's message at the field, and Generate is blocked.
    await frame.locator('#image-choose').click();
    await answerFileDialog(workbench, /Choose the first frame/, join(workspace, 'tiny.png'));
    await waitForText(frame, '#image-message', /200×200; the short side must be at least 300 px/, 20_000);
    assert.ok(await generateDisabled(frame), 'Generate is blocked by the small frame');
    await frame.locator('#image-remove').click();

    await frame.locator('#image-choose').click();
    await answerFileDialog(workbench, /Choose the first frame/, join(workspace, 'frame.png'));
    await waitForText(frame, '#image-summary', /^640×640 · PNG · /, 20_000);
    await thumbnailLoaded(frame, 'image-thumb');
    await waitForText(frame, '#price', /for 5 s image-to-video at 720p/);
    assert.equal(await text(frame, '#image-message'), '');

    // A drop on the last frame, as the Explorer gives it (its URI list). Playwright cannot drag across the
    // workbench's frames, so the drop event is dispatched in the page: what the page and the host do with it is real.
    const lastUri = `file://${join(workspace, 'last.png')}`;
    await frame.evaluate((uri) => {
      const data = new DataTransfer();
      data.setData('text/uri-list', uri);
      const slot = document.getElementById('end_image-slot')!;
      slot.dispatchEvent(new DragEvent('dragover', { dataTransfer: data, bubbles: true, cancelable: true }));
      slot.dispatchEvent(new DragEvent('drop', { dataTransfer: data, bubbles: true, cancelable: true }));
    }, lastUri);
    await waitForText(frame, '#end_image-summary', /^640×640 · PNG · /, 20_000);
    await foldOtherViews(workbench);
    await frame.locator('#frames').scrollIntoViewIfNeeded();
    await workbench.screenshot('composer-frames');

    await waitFor(async () => ((await generateDisabled(frame)) ? undefined : true), { timeoutMs: 10_000, what: 'Generate to be enabled' });
    await frame.locator('#generate').click();
    await waitForText(frame, '.status', /Task created/, 30_000);
    const { file, sidecar } = await savedVideo(workspace, 'kling-videos', 'the-lighthouse-beam');
    assert.equal(sidecar.request.model, 'kling-v3-image-to-video');
    assert.match(sidecar.request.image_start, /^http:\/\/127\.0\.0\.1:\d+\//, 'the frame was uploaded to the simulator and sent as image_start');
    assert.match(sidecar.request.image_end, /^http:\/\/127\.0\.0\.1:\d+\//, 'the dropped last frame was uploaded and sent as image_end');
    assert.deepEqual(
      sidecar.uploads?.map((u: { field: string; source: string; url: string }) => [u.field, u.source, u.url]),
      [
        ['image_start', 'frame.png', sidecar.request.image_start],
        ['image_end', 'last.png', sidecar.request.image_end],
      ],
    );

    // Kling Preview's recipe shows the frame, with a thumbnail of the workspace file it came from.
    const preview = await openInKlingPreview(workbench, file);
    await waitForText(preview, '#recipe-first-frame', /First frame frame\.png uploaded from the workspace/, 20_000);
    await thumbnailLoaded(preview, 'recipe-first-frame-thumb');
    await workbench.screenshot('preview-recipe-frames');
  },
};

export const elementInThePrompt: UiTest = {
  name: 'an element defined in the composer and put in the prompt: the price counts it, the confirmation names it, the element is made and the video names it',
  timeoutMs: 180_000,
  async run(workbench, { workspace }) {
    const frame = await openComposer(workbench);
    await clearForm(frame);
    await input(frame, 'prompt').fill('A girl waves at the camera:');
    await frame.locator('#new-element').click();
    await input(frame, 'element-0-name').fill('Mia');
    await input(frame, 'element-0-description').fill('A girl in a yellow raincoat');
    await frame.locator('#element-0-frontal-choose').click();
    await answerFileDialog(workbench, /Choose the front view of element 1/, join(workspace, 'mia-front.png'));
    await frame.locator('#element-0-refer-choose').click();
    await answerFileDialog(workbench, /Choose the reference view of element 1/, join(workspace, 'mia-side.png'));
    await waitForText(frame, '#element-0-frontal-summary', /^400×600 · PNG/, 20_000);
    await waitForText(frame, '#element-0-refer-0-summary', /^400×600 · PNG/, 20_000);
    await frame.locator('#element-0-insert').click();
    assert.equal(await input(frame, 'prompt').inputValue(), 'A girl waves at the camera: <<<element_1>>>');
    await waitForText(frame, '#price', /and 1 new element/, 20_000);
    await waitForText(frame, '#element-0-about', /made with the video: 1 credit/);
    await foldOtherViews(workbench);
    await frame.locator('#element-0').scrollIntoViewIfNeeded();
    const sideways = await frame.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
    assert.equal(sideways, 0, 'the form fits the side bar: nothing scrolls sideways');
    const cut = await frame.evaluate(() => {
      const box = document.getElementById('elements')!.getBoundingClientRect();
      return ['new-element', 'add-elements', 'element-0-remove', 'element-0-name', 'element-0-refer-choose'].filter((id) => {
        const r = document.getElementById(id)!.getBoundingClientRect();
        return r.left < box.left || r.right > box.right;
      });
    });
    assert.deepEqual(cut, [], 'every button and field of the elements is inside its section');
    await workbench.screenshot('composer-element');

    await waitFor(async () => ((await generateDisabled(frame)) ? undefined : true), { timeoutMs: 10_000, what: 'Generate to be enabled' });
    await frame.locator('#generate').click();
    const asked = await answerDialog(workbench, /new element/, 'Generate');
    assert.match(asked, /1 new element/);
    await waitForText(frame, '.status', /Task created/, 60_000);
    const { file, sidecar } = await savedVideo(workspace, 'kling-videos', 'a-girl-waves');
    assert.equal(sidecar.request.model_params?.element_list?.length, 1, 'the video names one element');
    assert.equal(sidecar.elements?.[0]?.name, 'Mia');
    assert.equal(sidecar.elements[0].element_id, sidecar.request.model_params.element_list[0].element_id);
    assert.equal(sidecar.elements[0].frontal_image, 'mia-front.png', 'the sidecar says which workspace file the element was made from');
    const preview = await openInKlingPreview(workbench, file);
    await waitForText(preview, '#recipe-element-0', /<<<element_1>>> Mia A girl in a yellow raincoat/, 20_000);
    const thumb = await thumbnailLoaded(preview, 'recipe-element-0-thumb');
    assert.equal(thumb.width, 400, "the element's thumbnail is its front view");
    await workbench.screenshot('preview-recipe-element');
  },
};

export const editAndSaveKeepsImages: UiTest = {
  name: 'Edit in Composer + Save on a video with frames, an element, a callback and a watermark leaves the storyboard byte-identical',
  timeoutMs: 150_000,
  async run(workbench, { workspace }) {
    const page = workbench.page;
    await openComposer(workbench);
    await workbench.runCommand('View: Show Explorer');
    const boards = page.locator('.explorer-folders-view .monaco-list-row', { hasText: exactly('boards') }).first();
    await boards.waitFor({ state: 'visible', timeout: 10_000 });
    const castRow = page.locator('.explorer-folders-view .monaco-list-row', { hasText: 'cast.kling.json' }).first();
    if (!(await castRow.isVisible())) await boards.click();
    await castRow.waitFor({ state: 'visible', timeout: 10_000 });
    await castRow.click({ button: 'right' });
    await workbench.chooseFromContextMenu('Edit in Composer');
    const frame = await composerFrame(workbench);
    await waitForText(frame, '.banner', /Loaded from wave in boards\/cast\.kling\.json/, 20_000);
    await waitForText(frame, '#image-card', /frame\.png/);
    await waitForText(frame, '#end_image-card', /last\.png/);
    await waitForText(frame, '#element-0', /mia/);
    assert.equal(await input(frame, 'callback-url').inputValue(), 'https://example.com/kling');
    await thumbnailLoaded(frame, 'image-thumb');
    await foldOtherViews(workbench);
    await workbench.screenshot('composer-edit-images');

    await frame.locator('#save').click();
    const widget = await workbench.quickInput(/Save as Storyboard/);
    const row = widget.locator('.quick-input-list .monaco-list-row').filter({ has: page.locator('.label-name', { hasText: exactly('Update "wave"') }) }).first();
    await row.waitFor({ state: 'visible', timeout: 10_000 });
    await row.click();
    await waitForText(frame, '.status', /Saved as "wave" in boards\/cast\.kling\.json/, 20_000);
    assert.equal(readFileSync(join(workspace, 'boards', 'cast.kling.json'), 'utf8'), CAST_BOARD, 'the file is byte-identical');
  },
};

export const promptFromImage: UiTest = {
  name: 'Generate from Prompt… with a negative prompt and "Start from an image…": the price step says image-to-video, and the sidecar has image_start and the negative prompt',
  timeoutMs: 150_000,
  async run(workbench, { workspace }) {
    const priceStep = await generateFromPrompt(workbench, { prompt: 'Waves roll under the lighthouse', negative: 'blurry', image: join(workspace, 'last.png') });
    assert.match(priceStep, /image-to-video from last\.png/);
    const { sidecar } = await savedVideo(workspace, 'kling-videos', 'waves-roll-under');
    assert.equal(sidecar.request.model, 'kling-v3-image-to-video');
    assert.equal(sidecar.request.negative_prompt, 'blurry');
    assert.equal(sidecar.uploads?.[0]?.source, 'last.png');
    assert.equal(sidecar.uploads[0].url, sidecar.request.image_start);
  },
};
