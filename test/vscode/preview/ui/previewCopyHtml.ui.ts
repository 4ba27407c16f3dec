/**
 * Kling Preview's File section and Copy HTML, as a person uses them: the size and frame of the file, the <video>
 * element shown, a click that puts it on the clipboard (read back from the browser's clipboard), and the poster
 * named once `<name>.jpg` appears beside the video.
 */
import * as assert from 'node:assert/strict';
import { statSync, writeFileSync } from 'node:fs';
import type { UiTest } from '../../harness/run';
import { waitFor } from '../../harness/wait';
import { seedWorkspace } from '../seedWorkspace';
import { openInKlingPreview } from './previewWorkbench';

export function copyHtmlTest(repoRoot: string): UiTest {
  return {
    name: 'the File section shows the size and frame and the <video> element; Copy HTML puts it on the clipboard; the poster appears once trailer.jpg is there',
    timeoutMs: 120_000,
    async run(workbench, { workspace }) {
      const { trailer } = await seedWorkspace(workspace, repoRoot);
      await workbench.page.context().grantPermissions(['clipboard-read', 'clipboard-write']);
      const frame = await openInKlingPreview(workbench, 'trailer.mp4');
      const bytes = statSync(trailer).size;
      const snippet = frame.locator('#video-html');
      await snippet.waitFor({ state: 'visible', timeout: 20_000 });
      assert.equal(await snippet.innerText(), '<video src="videos/trailer.mp4" width="1280" height="720" autoplay muted loop playsinline></video>');
      const facts = (await frame.locator('.recipe-section', { has: frame.locator('#video-html') }).innerText()).replace(/\s+/g, ' ');
      assert.ok(facts.includes(`(${bytes.toLocaleString('en-US')} bytes)`), `the exact size: ${facts}`);
      assert.ok(facts.includes('Frame 1280×720'), `the frame: ${facts}`);

      await frame.locator('#action-copyHtml').click();
      await workbench.waitForNotification(/Copied the <video> element of trailer\.mp4: src relative to the workspace folder, no poster \(trailer\.jpg is not beside it\)\./);
      const copied = await waitFor(
        async () => {
          const text = await workbench.page.evaluate(() => navigator.clipboard.readText()).catch(() => '');
          return text.startsWith('<video') ? text : undefined;
        },
        { timeoutMs: 10_000, what: 'the clipboard to hold the <video> element' },
      );
      assert.equal(copied, '<video src="videos/trailer.mp4" width="1280" height="720" autoplay muted loop playsinline></video>');
      await frame.locator('#video-html').scrollIntoViewIfNeeded();
      await workbench.screenshot('preview-copy-html');

      // A poster written beside the video (as the "web" option does): the element names it without a reopen.
      writeFileSync(trailer.replace(/\.mp4$/, '.jpg'), Buffer.from([0xff, 0xd8, 0xff, 0xd9]));
      await waitFor(async () => ((await snippet.innerText()).includes('poster="videos/trailer.jpg"') ? true : undefined), { timeoutMs: 15_000, what: 'the poster to be named' });
    },
  };
}
