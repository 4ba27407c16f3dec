/** What a person does with the composer, as steps the composer's UI tests share. */
import type { Frame, Locator } from 'playwright-core';
import type { Workbench } from '../../harness/browser';
import { waitFor } from '../../harness/wait';

/** Opens the composer from the palette and returns its page (the webview's inner frame), once the form is drawn. */
export async function openComposer(workbench: Workbench): Promise<Frame> {
  await workbench.runCommand('Kling: Open Composer');
  return composerFrame(workbench);
}

export async function composerFrame(workbench: Workbench, timeoutMs = 30_000): Promise<Frame> {
  const frame = await workbench.webviewFrame({ selector: '#composer #prompt' }, timeoutMs);
  // The host's context arrives after 'ready': the balance line says so.
  await waitFor(async () => ((await frame.locator('#balance').innerText()) !== 'Balance: …' ? true : undefined), {
    timeoutMs,
    what: 'the composer to hear from the host',
  });
  return frame;
}

/** The text field inside a vscode-textarea or vscode-textfield (playwright's CSS pierces their shadow roots). */
export function input(frame: Frame, id: string): Locator {
  return frame.locator(`#${id} textarea, #${id} input`).first();
}

export async function text(frame: Frame, selector: string): Promise<string> {
  return (await frame.locator(selector).innerText()).replace(/\s+/g, ' ').trim();
}

/** Waits until `selector`'s text matches, and returns it. */
export async function waitForText(frame: Frame, selector: string, pattern: RegExp, timeoutMs = 10_000): Promise<string> {
  let last = '';
  return waitFor(
    async () => {
      last = await text(frame, selector).catch(() => '');
      return pattern.test(last) ? last : undefined;
    },
    { timeoutMs, what: `${selector} to say ${pattern}`, detail: () => `it says: ${JSON.stringify(last)}` },
  );
}

/** The element that has the keyboard focus in the page, as "#id" or its tag. */
export async function focused(frame: Frame): Promise<string> {
  return frame.evaluate(() => {
    const el = document.activeElement;
    return el ? (el.id ? `#${el.id}` : el.tagName.toLowerCase() + (el.getAttribute('value') ? `[value=${el.getAttribute('value')}]` : '')) : '';
  });
}

/** Whether Generate is disabled (as a screen reader would hear it too). */
export async function generateDisabled(frame: Frame): Promise<boolean> {
  const button = frame.locator('#generate');
  return (await button.getAttribute('aria-disabled')) === 'true' && (await button.evaluate((b) => b.hasAttribute('disabled')));
}
