/**
 * The VS Code tier: sets up (cached), starts one browser, runs each suite against its own fresh VS
 * Code server, prints every result and ends with the line `N passed, N failed` that CI reads. Every
 * process it started is stopped, pass or fail (and on Ctrl-C: see processes.ts).
 *
 * An entry file is three lines: `main([apiSuite, uiSuite])`; see test/vscode/hello/run.ts.
 */
import { mkdirSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser } from 'playwright-core';
import { runApiSuite, type ApiSuite } from './apiTests';
import { launchBrowser, Workbench } from './browser';
import { removeAtExit, removeTempDir } from './processes';
import { failedOutcome, type SuiteResult, type TestOutcome } from './results';
import { startServer, type VsCodeServer } from './server';
import { setup, type ToolPaths } from './setup';
import { packageExtension } from './vsix';
import { seconds, WaitTimeoutError, withTimeout } from './wait';

export type { ApiSuite } from './apiTests';

export interface UiTestContext {
  /** The suite's server: its user-data folder (`dirs`) holds settings.json and the logs. */
  server: VsCodeServer;
  /** The folder open in the workbench. */
  workspace: string;
}

export interface UiTest {
  name: string;
  /** From opening the page to the end of `run`; 60 s unless told. */
  timeoutMs?: number;
  /** Gets a workbench that is drawn already (the folder open, the extensions installed). */
  run(workbench: Workbench, context: UiTestContext): Promise<void>;
}

export interface UiSuite {
  kind: 'ui';
  name: string;
  /** `.vsix` files, or extension folders that are packaged with vsce first; installed as a user would. */
  extensions: string[];
  /** Absolute folder opened as the workspace; a fresh empty one unless told. */
  workspace?: string;
  /** User settings; the server's clean defaults unless told. */
  settings?: Record<string, unknown>;
  /** Default true: every folder trusted. Set false for Restricted Mode tests. */
  disableWorkspaceTrust?: boolean;
  /** VS Code's display language (server.ts `locale`); English unless told. */
  locale?: string;
  /** Each test gets a new page (a new browser context) on the suite's server. */
  tests: UiTest[];
  /**
   * Run every test in one page, one after the other, as one person's session. Needed where state lives in the
   * browser: VS Code for the web keeps SecretStorage there, so a new browser context has no secrets.
   */
  sharePage?: boolean;
}

export type Suite = ApiSuite | UiSuite;

export interface TierOptions {
  /** Where results go; `console.log` unless told. */
  log?: (line: string) => void;
  /** Also relay the workbench's console (not only the extension host's). Also `KLING_TEST_VERBOSE=1`. */
  verbose?: boolean;
  /** The set-up cache folder; see setup.ts. */
  cacheDir?: string;
}

export interface TierResult {
  passed: number;
  failed: number;
  skipped: number;
  suites: SuiteResult[];
}

interface RunContext {
  tools: ToolPaths;
  browser: Browser;
  log: (line: string) => void;
  verbose: boolean;
}

export async function runTier(suites: readonly Suite[], options: TierOptions = {}): Promise<TierResult> {
  const log = options.log ?? ((line: string) => console.log(line));
  const verbose = options.verbose ?? process.env.KLING_TEST_VERBOSE === '1';
  const results: SuiteResult[] = [];
  const started = Date.now();
  let browser: Browser | undefined;
  try {
    const tools = await setup({ log, ...(options.cacheDir ? { cacheDir: options.cacheDir } : {}) });
    browser = await launchBrowser({ executablePath: tools.chromium });
    const context: RunContext = { tools, browser, log, verbose };
    for (const suite of suites) {
      log(`▶ ${suite.name} (${suite.kind})`);
      const result = suite.kind === 'api' ? await runApiSuite(suite, context) : await runUiSuite(suite, context);
      for (const outcome of result.tests) {
        printOutcome(outcome, log);
      }
      log(`  ${suite.name}: ${seconds(result.durationMs)}`);
      results.push(result);
    }
  } catch (error) {
    const outcome = failedOutcome('VS Code tier set-up', error, Date.now() - started);
    printOutcome(outcome, log);
    results.push({ name: 'set-up', kind: 'api', tests: [outcome], durationMs: Date.now() - started });
  } finally {
    await browser?.close().catch(() => undefined);
  }
  const all = results.flatMap((result) => result.tests);
  return {
    passed: all.filter((test) => test.state === 'passed').length,
    failed: all.filter((test) => test.state === 'failed').length,
    skipped: all.filter((test) => test.state === 'skipped').length,
    suites: results,
  };
}

/**
 * The entry point of a tier script: runs the suites, prints `N passed, N failed` as the last line,
 * and sets a non-zero exit code on any failure, or when no test ran at all.
 */
export async function main(suites: readonly Suite[], options: TierOptions = {}): Promise<TierResult> {
  const log = options.log ?? ((line: string) => console.log(line));
  const started = Date.now();
  const result = await runTier(suites, { ...options, log });
  if (result.passed + result.failed === 0) {
    log('no VS Code test ran: that counts as a failure');
  }
  log(`VS Code tier: ${seconds(Date.now() - started)}`);
  log(`${result.passed} passed, ${result.failed} failed${result.skipped > 0 ? `, ${result.skipped} skipped` : ''}`);
  process.exitCode = result.failed > 0 || result.passed === 0 ? 1 : 0;
  return result;
}

export async function runUiSuite(suite: UiSuite, context: RunContext): Promise<SuiteResult> {
  const started = Date.now();
  const tests: TestOutcome[] = [];
  const work = mkdtempSync(join(tmpdir(), 'kling-ui-'));
  removeAtExit(work);
  const workspace = suite.workspace ?? join(work, 'workspace');
  mkdirSync(workspace, { recursive: true });
  let server: Awaited<ReturnType<typeof startServer>> | undefined;
  try {
    const vsixes: string[] = [];
    for (const extension of suite.extensions) {
      vsixes.push(extension.endsWith('.vsix') ? extension : await packageExtension(extension, { outDir: work }));
    }
    server = await startServer({
      tools: context.tools,
      vsixes,
      ...(suite.settings ? { settings: suite.settings } : {}),
      disableWorkspaceTrust: suite.disableWorkspaceTrust ?? true,
      ...(suite.locale ? { locale: suite.locale } : {}),
    });
    const shared: { workbench?: Workbench } | undefined = suite.sharePage ? {} : undefined;
    try {
      for (const test of suite.tests) {
        tests.push(await runUiTest(suite, test, server.workbenchUrl({ folder: workspace }), context, { server, workspace }, shared));
      }
    } finally {
      await shared?.workbench?.close().catch(() => undefined);
    }
  } catch (error) {
    tests.push(failedOutcome(`${suite.name}: set-up`, error));
  } finally {
    await server?.stop();
    removeTempDir(work);
  }
  return { name: suite.name, kind: 'ui', tests, durationMs: Date.now() - started };
}

async function runUiTest(
  suite: UiSuite,
  test: UiTest,
  url: string,
  context: RunContext,
  testContext: UiTestContext,
  shared?: { workbench?: Workbench },
): Promise<TestOutcome> {
  const title = `${suite.name} › ${test.name}`;
  const started = Date.now();
  let workbench: Workbench | undefined = shared?.workbench;
  try {
    const body = async (): Promise<void> => {
      if (!workbench) {
        workbench = await Workbench.open(context.browser, url, {
          ...(context.verbose ? { onConsole: (line: string) => context.log(`  │ ${line}`) } : {}),
        });
        if (shared) shared.workbench = workbench;
      }
      await workbench.waitForReady();
      await test.run(workbench, testContext);
    };
    const running = body();
    let timedOut = false;
    // Past the time limit the body may still be opening its page: close that page when it does. (Only then: on
    // an ordinary failure the page must stay open for the failure screenshot below.)
    void running.catch(() => undefined).then(() => (timedOut ? workbench?.close().catch(() => undefined) : undefined));
    await withTimeout(running, test.timeoutMs ?? 60_000, `UI test "${title}"`).catch((error: unknown) => {
      if (error instanceof WaitTimeoutError) timedOut = true;
      throw error;
    });
    return { title, state: 'passed', durationMs: Date.now() - started };
  } catch (error) {
    let detail = describeError(error);
    if (workbench) {
      const shot = await workbench.screenshot(`${suite.name}-${test.name}-failure`).catch(() => undefined);
      await workbench.consoleSettled();
      // One line per message: the workbench's own stack traces would drown the test's error.
      const recent = workbench.console.slice(-12).map((line) => line.split('\n')[0]);
      detail += `${shot ? `\nscreenshot: ${shot}` : ''}\nlast browser console:\n${recent.join('\n') || '(none)'}`;
    }
    return { title, state: 'failed', durationMs: Date.now() - started, error: detail };
  } finally {
    if (!shared) await workbench?.close().catch(() => undefined);
    // A shared page is dismissed of leftovers (toasts, quick inputs) so the next test starts clean.
    else await workbench?.page.keyboard.press('Escape').catch(() => undefined);
  }
}

/** The message, and the first stack frame in a test rather than in the harness or a library. */
function describeError(error: unknown): string {
  if (!(error instanceof Error)) {
    return String(error);
  }
  const frame = (error.stack ?? '')
    .split('\n')
    .find((line) => /^\s+at /.test(line) && !/node_modules|node:internal|[\\/]harness[\\/]/.test(line));
  return frame ? `${error.message}\n${frame.trim()}` : error.message;
}

function printOutcome(outcome: TestOutcome, log: (line: string) => void): void {
  if (outcome.state === 'skipped') {
    log(`  - ${outcome.title} (skipped)`);
    return;
  }
  log(`  ${outcome.state === 'passed' ? '✓' : '✗'} ${outcome.title} (${seconds(outcome.durationMs)})`);
  if (outcome.error) {
    log(outcome.error.replace(/^/gm, '      '));
  }
}
