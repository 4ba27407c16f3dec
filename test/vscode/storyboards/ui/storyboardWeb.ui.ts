/**
 * A hero loop for a web page: `"loop": true` and `"web": true` render a faststart MP4 whose request ends on its first
 * frame, with its poster JPEG beside it; a second video continues it from its last frame (`{ "from": …, "frame": "last" }`).
 */
import * as assert from 'node:assert/strict';
import { existsSync, openSync, readFileSync, readSync, closeSync, statSync, writeFileSync } from 'node:fs';
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

const CONTINUED = `{
  "version": 1,
  "defaults": { "web": true },
  "videos": [
    { "name": "wave", "prompt": "The sea rolls in and out under a lighthouse", "image": "frame.png", "loop": true },
    { "name": "wave-on", "prompt": "The beam sweeps out to sea", "image": { "from": "wave", "frame": "last" } }
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

/** Clicks a CodeLens until its dialog shows (a click that lands while the lenses are redrawn is lost). */
async function clickLensUntilDialog(workbench: Workbench, text: string | RegExp, dialogText: RegExp): Promise<void> {
  const dialog = workbench.page.locator('.monaco-dialog-box', { hasText: dialogText });
  await waitFor(
    async () => {
      if (await dialog.isVisible()) return true;
      await lens(workbench, text).click({ timeout: 5000 }).catch(() => undefined);
      return dialog.waitFor({ state: 'visible', timeout: 5000 }).then(() => true, () => undefined);
    },
    { timeoutMs: 30_000, intervalMs: 0, what: `the dialog of the "${String(text)}" CodeLens` },
  );
}

export const loopAndWeb: UiTest = {
  name: 'a storyboard with "loop" and "web" renders a faststart MP4 that ends on its first frame and a poster JPEG, stays up to date, and a video continues it from its last frame',
  timeoutMs: 240_000,
  async run(workbench, { workspace }) {
    await workbench.openFile('loop.kling.json');
    await waitForLens(workbench, /Render · \$0\.375 · 5 s · 720p/);
    await clickLensUntilDialog(workbench, /Render · \$0\.375 · 5 s/, /\$0\.375/);
    await answerDialog(workbench, /\$0\.375/, 'Generate (simulated)');
    const out = join(workspace, 'loop');
    const poster = join(out, 'wave.jpg');
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

    // A second video continues the first from its last frame: the frame is taken in a webview, then sent.
    writeFileSync(join(workspace, 'loop.kling.json'), CONTINUED);
    // As after a pull: the editor (no edits of its own) is told to read the file again rather than wait for its watcher.
    await workbench.runCommand('File: Revert File');
    await waitForLens(workbench, /Render · \$0\.375 · 5 s · 720p/);
    await clickLensUntilDialog(workbench, /Render · \$0\.375 · 5 s/, /\$0\.375/);
    await answerDialog(workbench, /\$0\.375/, 'Generate (simulated)');
    const continued = join(out, 'wave-on.mp4.json');
    await waitFor(() => (existsSync(continued) ? true : undefined), { timeoutMs: 120_000, what: 'wave-on.mp4 and its sidecar' });
    const record = JSON.parse(readFileSync(join(out, 'wave.last.png.json'), 'utf8')) as Record<string, unknown>;
    assert.deepEqual([record['source'], record['frame'], record['width'], record['height']], ['wave.mp4', 'last', 1280, 720]);
    const next = JSON.parse(readFileSync(continued, 'utf8')) as { request: Record<string, string>; uploads?: Array<{ field: string; source: string; url: string }> };
    assert.deepEqual(next.uploads?.map((u) => [u.field, u.source, u.url]), [['image_start', 'loop/wave.last.png', next.request['image_start']]]);
    assert.ok(existsSync(join(out, 'wave-on.jpg')), 'its poster too ("web" is a default)');
  },
};
