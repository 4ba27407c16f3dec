/**
 * Debian's chromium driven by playwright-core, and a `Workbench` page object with what a UI test does
 * as a person would: the command palette, notification toasts, webviews, screenshots.
 */
import { mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { format, inspect } from 'node:util';
import { chromium, type Browser, type BrowserContext, type ConsoleMessage, type Frame, type Locator, type Page } from 'playwright-core';
import { CHROMIUM_PATH } from './setup';
import { waitFor } from './wait';

/**
 * Playwright adds `--headless` and a fresh temporary `--user-data-dir` itself. The networking flags
 * stop chromium from trying hosts this machine cannot reach (component updates, sync, QUIC probes).
 */
export const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
] as const;

/** Screenshots go to `<repo>/test-results/` (ignored by git), or `$KLING_TEST_RESULTS`. */
export const RESULTS_DIR = process.env.KLING_TEST_RESULTS ?? resolve(__dirname, '..', '..', '..', '..', 'test-results');

export async function launchBrowser(options: { executablePath?: string; headless?: boolean } = {}): Promise<Browser> {
  return chromium.launch({
    executablePath: options.executablePath ?? CHROMIUM_PATH,
    headless: options.headless ?? true,
    args: [...CHROMIUM_ARGS],
  });
}

export interface WorkbenchOptions {
  /** Each browser console message, formatted (`%s`, `%d`, `%c` expanded), in order. */
  onConsole?: (line: string) => void;
  /** Runs after the page exists and before it loads the workbench: `exposeFunction` goes here. */
  beforeLoad?: (page: Page) => Promise<unknown>;
  viewport?: { width: number; height: number };
}

export class Workbench {
  /** Every console message and page error seen so far, formatted. */
  readonly console: string[] = [];
  private consoleQueue: Promise<void> = Promise.resolve();

  private constructor(
    readonly context: BrowserContext,
    readonly page: Page,
  ) {}

  /** Opens `url` (see `VsCodeServer.workbenchUrl`) in a fresh browser context. Does not wait for it. */
  static async open(browser: Browser, url: string, options: WorkbenchOptions = {}): Promise<Workbench> {
    const context = await browser.newContext({ viewport: options.viewport ?? { width: 1280, height: 800 } });
    try {
      const page = await context.newPage();
      const workbench = new Workbench(context, page);
      const record = (line: string): void => {
        workbench.console.push(line);
        options.onConsole?.(line);
      };
      page.on('console', (message) => {
        // Formatting reads the arguments back from the page, which is async: queue to keep order.
        workbench.consoleQueue = workbench.consoleQueue.then(async () => record(await formatConsoleMessage(message)));
      });
      page.on('pageerror', (error) => {
        workbench.consoleQueue = workbench.consoleQueue.then(() => record(`[pageerror] ${error.stack ?? error.message}`));
      });
      await options.beforeLoad?.(page);
      await page.goto(url, { waitUntil: 'domcontentloaded' });
      return workbench;
    } catch (error) {
      await context.close();
      throw error;
    }
  }

  /** Waits until the workbench is drawn. */
  async waitForReady(timeoutMs = 30_000): Promise<void> {
    await this.page.locator('.monaco-workbench').waitFor({ state: 'visible', timeout: timeoutMs });
  }

  /**
   * Waits until the window knows its extensions' contributions. Before that, on a fresh profile, VS Code opens a file
   * in the text editor, because no custom editor (its own video preview, Kling Preview) is known yet: it waits for the
   * extensions only for files it remembers a custom editor for. The sign is Kling Studio's view container in the
   * activity bar, which the same pass over the contributions adds.
   */
  async waitForExtensionsRegistered(timeoutMs = 30_000): Promise<void> {
    await this.page.locator('.activitybar .action-item [aria-label^="Kling Studio"]').first().waitFor({ state: 'attached', timeout: timeoutMs });
  }

  /**
   * Runs a command as a person would: F1, type its title, Enter on the matching entry. The entry is
   * clicked instead when fuzzy matching puts another one first.
   */
  async runCommand(title: string, timeoutMs = 20_000, options: { leavesInputOpen?: boolean } = {}): Promise<void> {
    const widget = this.page.locator('.quick-input-widget');
    const input = widget.locator('.quick-input-box input');
    // A key pressed while the workbench is still wiring its keybindings is lost: press until it opens.
    await waitFor(
      async () => {
        await this.page.keyboard.press('F1');
        return (await input.waitFor({ state: 'visible', timeout: 1000 }).then(() => true, () => undefined));
      },
      { timeoutMs, intervalMs: 0, what: 'F1 to open the command palette' },
    );
    await input.pressSequentially(title);
    const rows = widget.locator('.quick-input-list .monaco-list-row');
    const match = rows.filter({ has: this.page.locator('.label-name', { hasText: exactly(title) }) }).first();
    let offered: string[] = [];
    await waitFor(
      async () => {
        if (await match.isVisible()) {
          return true;
        }
        offered = await rows.allInnerTexts();
        // On a busy machine the palette can close under us (a webview that finishes loading takes the
        // focus) or lose keys typed while it settled: open it again, or put the whole text back.
        if (!(await input.isVisible())) {
          await this.page.keyboard.press('F1');
          await input.waitFor({ state: 'visible', timeout: 2000 }).catch(() => undefined);
        }
        if ((await input.inputValue({ timeout: 2000 }).catch(() => '')) !== `>${title}`) {
          await input.fill(`>${title}`, { timeout: 2000 }).catch(() => undefined);
          return undefined;
        }
        // The palette lists the commands known when its text last changed, and an extension's
        // commands arrive seconds after the workbench is drawn: retype the last letter to ask again.
        await input.press('Backspace');
        await input.pressSequentially(title.slice(-1));
        return undefined;
      },
      {
        timeoutMs,
        intervalMs: 250,
        what: `the command palette to offer "${title}"`,
        detail: () => `it offers: ${JSON.stringify(offered.slice(0, 10))}`,
      },
    );
    if ((await match.getAttribute('class'))?.split(/\s+/).includes('focused')) {
      await this.page.keyboard.press('Enter');
    } else {
      await match.click();
    }
    // A command that asks for input (a quick pick, an input box) keeps the widget open with its own title.
    if (!options.leavesInputOpen) await widget.waitFor({ state: 'hidden', timeout: timeoutMs });
  }

  /**
   * Opens a workspace file in its default editor as a person who knows its name would: Go to File…, the name, a click
   * on the file of exactly that name (not "name.json", which may be listed first), until its tab is the active one.
   * The list fills in two steps (recent files, then the search), so a click can land on a row that just moved: then
   * it is done again, as a person would.
   */
  async openFile(name: string, timeoutMs = 30_000): Promise<void> {
    await this.waitForExtensionsRegistered(timeoutMs);
    const widget = this.page.locator('.quick-input-widget');
    const activeTab = this.tab(name, '.active');
    const row = widget.locator('.quick-input-list .monaco-list-row').filter({ has: this.page.locator('.label-name', { hasText: exactly(name) }) }).first();
    let lastError = '';
    await waitFor(
      async () => {
        try {
          await this.runCommand('Go to File...', 10_000, { leavesInputOpen: true });
          await widget.locator('.quick-input-box input').pressSequentially(name);
          await row.waitFor({ state: 'visible', timeout: 10_000 });
          await row.click({ timeout: 5000 });
          await activeTab.waitFor({ state: 'visible', timeout: 5000 });
          return true;
        } catch (error) {
          lastError = error instanceof Error ? error.message.split('\n')[0]! : String(error);
          if (await widget.isVisible()) await this.page.keyboard.press('Escape');
          return undefined;
        }
      },
      { timeoutMs, intervalMs: 0, what: `${name} open in the active tab`, detail: () => lastError },
    );
  }

  /** Clicks the tab of an editor already open (by its whole name) and waits until it is the active one. */
  async activateTab(name: string, timeoutMs = 20_000): Promise<void> {
    await this.tab(name).first().click({ timeout: timeoutMs });
    await this.tab(name, '.active').waitFor({ state: 'visible', timeout: timeoutMs });
  }

  /** An editor tab by its whole name. (A tab may show its name in two parts, name and suffix: its text is the name.) */
  private tab(name: string, state: '' | '.active' = ''): Locator {
    return this.page.locator(`.tabs-container .tab${state}`, { hasText: exactly(name) });
  }

  /**
   * Picks `label` from the context menu on screen. A busy workbench sometimes lets a click on a menu
   * entry go by (the menu stays open, the entry highlighted): click again until the menu has closed.
   */
  async chooseFromContextMenu(label: string, timeoutMs = 15_000): Promise<void> {
    const item = this.page.locator('.monaco-menu .action-item .action-label', { hasText: exactly(label) }).first();
    await item.waitFor({ state: 'visible', timeout: 10_000 });
    await waitFor(
      async () => {
        if (!(await item.isVisible())) return true;
        await item.click({ timeout: 2000 }).catch(() => undefined);
        return item.waitFor({ state: 'hidden', timeout: 2000 }).then(() => true, () => undefined);
      },
      { timeoutMs, intervalMs: 0, what: `the context menu entry "${label}" to be chosen` },
    );
  }

  /** Waits for the quick input (input box or quick pick) whose title matches, and returns it. */
  async quickInput(title: string | RegExp, timeoutMs = 20_000): Promise<Locator> {
    const widget = this.page.locator('.quick-input-widget');
    await widget.locator('.quick-input-title', { hasText: title }).waitFor({ state: 'visible', timeout: timeoutMs });
    return widget;
  }

  /** Types into the open quick input (replacing what is there) and presses Enter. */
  async answerQuickInput(title: string | RegExp, text: string | undefined, timeoutMs = 20_000): Promise<void> {
    const widget = await this.quickInput(title, timeoutMs);
    const input = widget.locator('.quick-input-box input');
    if (text !== undefined) {
      await input.fill('');
      await input.pressSequentially(text);
    }
    await input.press('Enter');
  }

  /** The messages of the notification toasts on screen now. */
  async notifications(): Promise<string[]> {
    const messages = await this.toasts().locator('.notification-list-item-message').allInnerTexts();
    return messages.map((text) => text.trim());
  }

  /** Waits for a toast whose message contains `text` (or matches it) and returns the toast. */
  async waitForNotification(text: string | RegExp, timeoutMs = 20_000): Promise<Locator> {
    const toast = this.toasts().filter({ has: this.page.locator('.notification-list-item-message', { hasText: text }) }).first();
    try {
      await toast.waitFor({ state: 'visible', timeout: timeoutMs });
    } catch {
      throw new Error(`no notification saying ${String(text)} within ${timeoutMs / 1000} s; on screen: ${JSON.stringify(await this.notifications())}`);
    }
    return toast;
  }

  /** Clicks the button labelled `button` on the toast that says `text`. */
  async clickNotificationButton(text: string | RegExp, button: string, timeoutMs = 20_000): Promise<void> {
    const toast = await this.waitForNotification(text, timeoutMs);
    await toast.locator('.notification-list-item-buttons-container .monaco-button', { hasText: exactly(button) }).click({ timeout: timeoutMs });
  }

  /**
   * The inner frame of the webview whose document has `selector` or shows `text`. A webview is an
   * iframe (VS Code's host page) holding the extension's iframe, so we look at frames two deep.
   */
  async webviewFrame(match: { text?: string | RegExp; selector?: string }, timeoutMs = 20_000): Promise<Frame> {
    if (match.text === undefined && match.selector === undefined) {
      throw new Error('webviewFrame needs a text or a selector');
    }
    return waitFor(
      async () => {
        for (const frame of this.page.frames()) {
          if (!frame.parentFrame()?.parentFrame()) {
            continue;
          }
          try {
            if (match.selector !== undefined && (await frame.locator(match.selector).count()) === 0) {
              continue;
            }
            if (match.text !== undefined && (await frame.getByText(match.text).count()) === 0) {
              continue;
            }
            return frame;
          } catch {
            // The frame went away while we looked at it.
          }
        }
        return undefined;
      },
      {
        timeoutMs,
        intervalMs: 250,
        what: `a webview with ${match.selector ? `"${match.selector}"` : ''}${match.selector && match.text ? ' and ' : ''}${match.text ? `text ${String(match.text)}` : ''}`,
        detail: () => `frames now: ${this.page.frames().map((frame) => frame.url()).join(', ')}`,
      },
    );
  }

  /** Saves a screenshot of the page as `test-results/<name>.png` and returns its path. */
  async screenshot(name: string): Promise<string> {
    mkdirSync(RESULTS_DIR, { recursive: true });
    const path = join(RESULTS_DIR, `${name.replace(/[^\w.-]+/g, '-')}.png`);
    await this.page.screenshot({ path });
    return path;
  }

  /** Resolves once every console message received so far has been formatted and recorded. */
  async consoleSettled(): Promise<void> {
    await this.consoleQueue;
  }

  async close(): Promise<void> {
    await this.consoleSettled();
    await this.context.close();
  }

  private toasts(): Locator {
    return this.page.locator('.notifications-toasts .notification-toast');
  }
}

/**
 * A console message as text: format directives applied, CSS dropped. The workbench logs what the
 * extension host prints as `console.log('%c INFO', css, ...hostArgs)`, so the host's own format
 * string comes after the first one's arguments: each string left over is expanded in turn.
 */
export async function formatConsoleMessage(message: ConsoleMessage): Promise<string> {
  const prefix = message.type() === 'log' ? '' : `[${message.type()}] `;
  // An argument that cannot be read back (page gone, not serialisable) keeps playwright's preview.
  const values = await Promise.all(message.args().map((arg) => arg.jsonValue().catch(() => arg.toString())));
  if (values.length === 0) {
    return prefix + message.text();
  }
  return prefix + expandFormat(values);
}

export function expandFormat(values: readonly unknown[]): string {
  const [first, ...rest] = values;
  if (typeof first !== 'string') {
    return values.map((value) => (typeof value === 'string' ? value : inspect(value))).join(' ');
  }
  const consumed = (first.match(/%[sdifjoOc]/g) ?? []).length;
  const head = format(first, ...rest.slice(0, consumed));
  const left = rest.slice(consumed);
  return left.length === 0 ? head : `${head} ${expandFormat(left)}`;
}

/** A regexp matching exactly `text`, for locators' `hasText`. */
export function exactly(text: string): RegExp {
  return new RegExp(`^\\s*${text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}\\s*$`);
}
