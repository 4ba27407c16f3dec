/**
 * A hero loop for a web page: `"loop": true` and `"web": true` render a faststart MP4 whose request ends on its first
 * frame, with its poster JPEG beside it (decoded in a webview), and the video stays up to date after the rewrite.
 */
import * as assert from 'node:assert/strict';
import { closeSync, existsSync, openSync, readFileSync, readSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type { Workbench } from '../../harness/browser';
import type { UiTest } from '../../harness/run';
import { waitFor } from '../../harness/wait';
import { answerDialog } from '../../kling/ui/klingWorkbench';

export const LOOP_STORYBOARD = `{
  "version": 1,
  "defaults": { "web": true },
  "videos": [
    { "name": "wave", "prompt": "The sea rolls in and out under a lighthouse", "image": "frame.png", "loop": true }
  ]
}
`;


/** The top-level box types of an MP4, in order. */
function topLevelBoxes(file: string): string[] {
  const handle = openSync(file, 'r');
  try {
    const size = statSync(file).size;
    const header = Buffer.alloc(16);
    const types: string[] = [];
    for (let offset = 0; offset < size; ) {
      readSync(handle, header, 0, 16, offset);
      let boxSize = header.readUInt32BE(0);
      if (boxSize === 1) boxSize = Number(header.readBigUInt64BE(8));
      if (boxSize === 0) boxSize = size - offset;
      types.push(header.toString('latin1', 4, 8));
      offset += boxSize;
    }
    return types;
  } finally {
    closeSync(handle);
  }
}

/** Width and height of a baseline or progressive JPEG, from its SOF marker. */
function jpegSize(bytes: Buffer): { width: number; height: number } {
  assert.equal(bytes.readUInt16BE(0), 0xffd8, 'a JPEG file');
  for (let at = 2; at < bytes.length; ) {
    const marker = bytes.readUInt16BE(at);
    const length = bytes.readUInt16BE(at + 2);
    if (marker >= 0xffc0 && marker <= 0xffc2) return { height: bytes.readUInt16BE(at + 5), width: bytes.readUInt16BE(at + 7) };
    at += 2 + length;
  }
  throw new Error('no SOF marker in the JPEG');
}

const lens = (workbench: Workbench, text: string | RegExp) => workbench.page.locator('.codelens-decoration > *', { hasText: text }).first();

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
 * Clicks a CodeLens until the render starts (its output folder appears), answering the price dialog if one is asked
 * (a small simulated render may not ask); a click that lands while the lenses are redrawn is lost, and made again.
 */
async function startRender(workbench: Workbench, text: string | RegExp, outputDir: string): Promise<void> {
  const dialog = workbench.page.locator('.monaco-dialog-box', { hasText: /Generate/ });
  await waitFor(
    async () => {
      if (existsSync(outputDir)) return true;
      if (await dialog.isVisible()) {
        await answerDialog(workbench, /Generate/, 'Generate (simulated)');
        return undefined;
      }
      await lens(workbench, text).click({ timeout: 5000 }).catch(() => undefined);
      await waitFor(async () => (existsSync(outputDir) || (await dialog.isVisible()) ? true : undefined), { timeoutMs: 8000, what: 'the render to start' }).catch(() => undefined);
      return undefined;
    },
    { timeoutMs: 60_000, intervalMs: 0, what: `the render of the "${String(text)}" CodeLens to start` },
  );
}

export const loopAndWeb: UiTest = {
  name: 'a storyboard with "loop" and "web" renders a faststart MP4 that ends on its first frame and a poster JPEG, and stays up to date',
  timeoutMs: 240_000,
  async run(workbench, { workspace }) {
    await workbench.openFile('loop.kling.json');
    await waitForLens(workbench, /Render · \$0\.375 · 5 s · 720p/);
    const out = join(workspace, 'loop');
    const poster = join(out, 'wave.jpg');
    await startRender(workbench, /Render · \$0\.375 · 5 s/, out);
    await waitFor(() => (existsSync(poster) ? true : undefined), { timeoutMs: 120_000, what: 'the poster wave.jpg beside wave.mp4' });

    const video = join(out, 'wave.mp4');
    const boxes = topLevelBoxes(video);
    assert.ok(boxes.indexOf('moov') < boxes.indexOf('mdat'), `moov before mdat: ${boxes.join(', ')}`);
    assert.deepEqual(jpegSize(readFileSync(poster)), { width: 1280, height: 720 }, 'the poster is a frame at the video size');
    const sidecar = JSON.parse(readFileSync(`${video}.json`, 'utf8')) as { bytes: number; request: Record<string, string> };
    assert.equal(sidecar.request['model'], 'kling-v3-image-to-video');
    assert.match(sidecar.request['image_start']!, /^http:\/\/127\.0\.0\.1:\d+\//);
    assert.equal(sidecar.request['image_end'], sidecar.request['image_start'], 'a loop ends on its first frame');
    assert.equal(sidecar.bytes, statSync(video).size, 'the sidecar counts the bytes of the file as it is now');
    await waitForLens(workbench, /up to date/, 60_000);
    await workbench.screenshot('storyboard-web-loop');
  },
};
