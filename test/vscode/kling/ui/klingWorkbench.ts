/** What a person does with Kling Studio in the workbench, as steps the UI tests share. */
import type { Locator } from 'playwright-core';
import type { Workbench } from '../../harness/browser';
import { waitFor } from '../../harness/wait';

/** Opens the Kling Studio view from the activity bar and returns its Tasks pane. */
export async function openKlingView(workbench: Workbench): Promise<Locator> {
  const page = workbench.page;
  const pane = page.locator('.pane', { has: page.locator('.pane-header', { hasText: /Tasks/i }) }).first();
  const item = page.locator('.activitybar .action-item', { has: page.locator('[aria-label^="Kling Studio"]') }).first();
  // Clicked only while it is not the open container: a click on the open one closes the side bar, which is what
  // happened when a window still restoring its layout after a reload was clicked too early.
  await waitFor(
    async () => {
      if (await pane.isVisible().catch(() => false)) return true;
      if (!((await item.getAttribute('class').catch(() => '')) ?? '').split(/\s+/).includes('checked')) await item.click().catch(() => undefined);
      return undefined;
    },
    { timeoutMs: 30_000, intervalMs: 1000, what: 'the Kling Studio view to open' },
  );
  // The Composer above the Tasks view is a webview: opening the container focuses it, and it takes the keyboard
  // focus when its page has loaded. Wait for that, as a person waits for the view to appear, so that what is typed
  // next (F1 and a command) is not cut in half by it.
  const composer = page.locator('.pane', { has: page.locator('.pane-header', { hasText: /Composer/i }) }).first();
  if ((await composer.getAttribute('class').catch(() => ''))?.includes('expanded')) {
    // Not caught: an expanded composer that never draws its form is a failure to see, not a step to skip.
    await workbench.webviewFrame({ selector: '#composer #prompt' }, 30_000);
  }
  return pane;
}

/** The row of the Tasks view whose text contains `label`. */
export function taskRow(pane: Locator, label: string | RegExp): Locator {
  return pane.locator('.monaco-list-row', { hasText: label }).first();
}

export interface PromptAnswers {
  prompt: string;
  /** The negative prompt; none when left out. */
  negative?: string;
  /** A first frame: the absolute path typed into the file dialog; text-to-video when left out. */
  image?: string;
  /** Quick-pick entries to choose by typing their label; the preselected default when left out. */
  duration?: string;
  aspect?: string;
  quality?: string;
  sound?: string;
}

/** Kling: Generate from Prompt… answered step by step, ending on the step that shows the price. Returns that step's text. */
export async function generateFromPrompt(workbench: Workbench, answers: PromptAnswers, options: { confirm?: boolean } = {}): Promise<string> {
  await workbench.runCommand('Kling: Generate from Prompt…', 20_000, { leavesInputOpen: true });
  await workbench.answerQuickInput(/Generate from Prompt \(1\/8\)/, answers.prompt);
  await workbench.answerQuickInput(/Generate from Prompt \(2\/8\)/, answers.negative);
  if (answers.image === undefined) await workbench.answerQuickInput(/Generate from Prompt \(3\/8\)/, undefined);
  else {
    await workbench.answerQuickInput(/Generate from Prompt \(3\/8\)/, 'Start from an image');
    const dialog = await workbench.quickInput(/Generate from Prompt: the first frame/);
    const box = dialog.locator('.quick-input-box input');
    const heading = dialog.locator('.quick-input-title', { hasText: /Generate from Prompt: the first frame/ });
    // The dialog fills in its folder a moment after it opens: wait for it, then type the path and accept (again, if
    // the dialog put its folder back before the click).
    await waitFor(async () => (/\/$/.test(await box.inputValue()) ? true : undefined), { timeoutMs: 10_000, what: 'the file dialog to fill in its folder' });
    await waitFor(
      async () => {
        if (!(await heading.isVisible())) return true;
        await box.fill(answers.image!);
        if ((await box.inputValue()) !== answers.image) return undefined;
        await dialog.locator('.monaco-button', { hasText: /^(OK|Use Image)$/ }).first().click({ timeout: 2000 }).catch(() => undefined);
        return heading.waitFor({ state: 'hidden', timeout: 3000 }).then(() => true, () => undefined);
      },
      { timeoutMs: 20_000, intervalMs: 200, what: 'the file dialog to take the image' },
    );
  }
  await workbench.answerQuickInput(/Generate from Prompt \(4\/8\)/, answers.duration);
  await workbench.answerQuickInput(/Generate from Prompt \(5\/8\)/, answers.aspect);
  await workbench.answerQuickInput(/Generate from Prompt \(6\/8\)/, answers.quality);
  await workbench.answerQuickInput(/Generate from Prompt \(7\/8\)/, answers.sound);
  const last = await workbench.quickInput(/Generate from Prompt \(8\/8\)/);
  const text = await last.innerText();
  if (options.confirm ?? true) await last.locator('.quick-input-box input').press('Enter');
  return text;
}

/** Waits for a notification toast and returns its whole text (message and buttons). */
export async function toastText(workbench: Workbench, text: string | RegExp, timeoutMs = 30_000): Promise<string> {
  const toast = await workbench.waitForNotification(text, timeoutMs);
  return (await toast.innerText()).trim();
}

/** Waits for a modal dialog whose text matches, clicks `button`, and returns the dialog's text. */
export async function answerDialog(workbench: Workbench, text: string | RegExp, button: string, timeoutMs = 20_000): Promise<string> {
  const dialog = workbench.page.locator('.monaco-dialog-box', { hasText: text });
  await dialog.waitFor({ state: 'visible', timeout: timeoutMs });
  const content = (await dialog.innerText()).trim();
  await dialog.locator('.monaco-button', { hasText: button }).first().click();
  await dialog.waitFor({ state: 'hidden', timeout: timeoutMs });
  return content;
}
