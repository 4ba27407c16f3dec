/**
 * The framing guard in the composer: a 1920×1080 photo as the first frame of a 9:16 video gets the storyboard's
 * warning at its field and the part the video keeps drawn over its thumbnail; a 16:9 video takes it as it is.
 */
import * as assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Frame } from 'playwright-core';
import { pngBytes } from '../../../helpers/images';
import { exactly, RESULTS_DIR } from '../../harness/browser';
import type { UiTest } from '../../harness/run';
import { waitFor } from '../../harness/wait';
import { openComposer, text, waitForText } from './composerWorkbench';

/** Where the crop's edge is drawn, as a fraction of the image drawn in the thumbnail (object-fit: contain). */
async function drawnCrop(frame: Frame): Promise<{ x: number; y: number; width: number; height: number }> {
  return frame.evaluate(() => {
    const img = document.getElementById('image-thumb') as HTMLImageElement;
    const edge = document.querySelector('#image-crop .crop-edge')!.getBoundingClientRect();
    const box = img.getBoundingClientRect();
    // The image as contain draws it inside the thumbnail's content box (1px border).
    const inner = { left: box.left + 1, top: box.top + 1, width: box.width - 2, height: box.height - 2 };
    const scale = Math.min(inner.width / img.naturalWidth, inner.height / img.naturalHeight);
    const drawn = { width: img.naturalWidth * scale, height: img.naturalHeight * scale };
    const left = inner.left + (inner.width - drawn.width) / 2;
    const top = inner.top + (inner.height - drawn.height) / 2;
    return { x: (edge.left - left) / drawn.width, y: (edge.top - top) / drawn.height, width: edge.width / drawn.width, height: edge.height / drawn.height };
  });
}

async function chooseAspect(frame: Frame, value: string): Promise<void> {
  await frame.locator(`input[name="aspect_ratio"][value="${value}"]`).check({ force: true });
}

export const framingGuard: UiTest = {
  name: 'a 16:9 photo as the first frame of a 9:16 video: a warning at the field saying by how much and that it is cropped, the kept part drawn on the thumbnail; gone at 16:9',
  timeoutMs: 120_000,
  async run(workbench, { workspace }) {
    writeFileSync(join(workspace, 'wide-photo.png'), pngBytes(1920, 1080));
    const frame = await openComposer(workbench);
    await frame.locator('#clear').click();
    await waitForText(frame, '.status', /The form is cleared/);
    await frame.locator('#prompt textarea').first().fill('A city street at dusk, for a phone screen');
    // A drop from the Explorer, as its URI list (playwright cannot drag across the workbench's frames).
    await frame.evaluate((uri) => {
      const data = new DataTransfer();
      data.setData('text/uri-list', uri);
      const slot = document.getElementById('image-slot')!;
      slot.dispatchEvent(new DragEvent('drop', { dataTransfer: data, bubbles: true, cancelable: true }));
    }, `file://${join(workspace, 'wide-photo.png')}`);
    await waitForText(frame, '#image-summary', /^1920×1080 · PNG · /, 20_000);
    await chooseAspect(frame, '16:9');
    await waitFor(async () => ((await frame.locator('#image-thumb').evaluate((img) => (img as HTMLImageElement).naturalWidth)) === 1920 ? true : undefined), {
      timeoutMs: 10_000,
      what: 'the thumbnail to load',
    });
    assert.equal(await text(frame, '#image-framing'), '', '16:9 in a 16:9 video: nothing to say');
    assert.equal(await frame.locator('#image-crop').count(), 0, 'and nothing drawn');

    await chooseAspect(frame, '9:16');
    await waitForText(
      frame,
      '#image-framing',
      /^The first frame is 1920×1080, 216 % wider than the video's 9:16: the service will crop it, keeping about 32 % of its width \(its sides are cut\)\. Use an image of the video's shape, or change the aspect ratio\.$/,
    );
    assert.equal(await frame.locator('#image-framing .codicon-warning').count(), 1, 'a warning, not an error');
    assert.equal(await text(frame, '#image-message'), '', 'no error at the field');
    assert.equal(await frame.locator('#image-crop').getAttribute('data-crop'), '656,0,608,1080', 'the middle 9:16 of the image, in its pixels');
    const drawn = await drawnCrop(frame);
    const near = (a: number, b: number) => Math.abs(a - b) < 0.04;
    assert.ok(near(drawn.width, 0.3164) && near(drawn.height, 1) && near(drawn.x, 0.3418) && near(drawn.y, 0), `drawn over the image where the video's frame falls: ${JSON.stringify(drawn)}`);
    // Room for the composer in the screenshot: the Tasks and Storyboards views folded, the first frame at the top.
    for (const name of ['Tasks', 'Storyboards']) {
      const header = workbench.page.locator('.pane-header', { hasText: exactly(name) }).first();
      if ((await header.getAttribute('aria-expanded', { timeout: 2000 }).catch(() => null)) === 'true') await header.click();
    }
    await frame.locator('#image-slot').evaluate((slot) => slot.scrollIntoView({ block: 'start' }));
    await workbench.screenshot('composer-framing-crop');
    await frame.locator('#image-card').screenshot({ path: join(RESULTS_DIR, 'composer-framing-crop-card.png') });

    await chooseAspect(frame, '16:9');
    await waitFor(async () => ((await frame.locator('#image-crop').count()) === 0 ? true : undefined), { timeoutMs: 10_000, what: 'the crop to go at 16:9' });
    assert.equal(await text(frame, '#image-framing'), '');
  },
};
