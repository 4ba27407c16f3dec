/**
 * API tests inside a real extension host, the equivalent of @vscode/test-electron's runTests: a VS
 * Code server with the smoke-test driver, and a workbench page whose URL names the extension under
 * development and the test index. The workbench calls `window.codeAutomationExit(code)` once the
 * index's `run()` settles; the runner in the host (hostRunner.ts) writes the per-test report.
 */
import { existsSync, mkdirSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { isAbsolute, join } from 'node:path';
import type { Browser } from 'playwright-core';
import { Workbench } from './browser';
import { HOST_MARK, REPORT_ENV, type TestReport } from './hostRunner';
import { removeAtExit, removeTempDir } from './processes';
import { failedOutcome, type SuiteResult } from './results';
import { startServer } from './server';
import type { ToolPaths } from './setup';
import { seconds, withTimeout } from './wait';

export interface ApiSuite {
  kind: 'api';
  name: string;
  /** Absolute folder of the extension under test (its package.json). */
  extensionDevelopmentPath: string;
  /** Absolute path of the compiled test index (`.js` optional), whose `run()` returns a promise. */
  testsIndex: string;
  /** Absolute folder opened as the workspace; a fresh empty one unless told. */
  workspace?: string;
  /** Time limit for the whole suite, from server start to exit; 120 s unless told. */
  timeoutMs?: number;
  /** User settings; the server's clean defaults unless told. */
  settings?: Record<string, unknown>;
  /** Default true: every folder trusted. */
  disableWorkspaceTrust?: boolean;
  /** Extra environment for the server and so for the extension host. */
  env?: Record<string, string>;
}

export interface ApiRunContext {
  tools: ToolPaths;
  browser: Browser;
  /** Where the extension host's output is relayed, line by line. */
  log: (line: string) => void;
  /** Relay the workbench's own console too, not only the extension host's. */
  verbose?: boolean;
}

/**
 * The workbench logs the extension host's console as its own INFO/WARN/ERR lines; hostRunner marks
 * the host's lines with HOST_MARK so they can be told apart: `[warning]  WARN [ext-host] text`.
 */
const HOST_LINE = new RegExp(`^(\\[\\w+\\] )?\\s*(?:INFO|WARN|ERR|DEBUG|TRACE)?\\s*${escape(HOST_MARK)}`);

export async function runApiSuite(suite: ApiSuite, context: ApiRunContext): Promise<SuiteResult> {
  const started = Date.now();
  const result = (tests: SuiteResult['tests']): SuiteResult => ({ name: suite.name, kind: 'api', tests, durationMs: Date.now() - started });
  for (const [what, path] of [
    ['extensionDevelopmentPath', suite.extensionDevelopmentPath],
    ['testsIndex', suite.testsIndex],
  ] as const) {
    if (!isAbsolute(path)) {
      return result([failedOutcome(`${suite.name}: set-up`, `${what} must be absolute: ${path}`)]);
    }
  }
  const indexFile = suite.testsIndex.endsWith('.js') ? suite.testsIndex : `${suite.testsIndex}.js`;
  if (!existsSync(indexFile)) {
    return result([failedOutcome(`${suite.name}: set-up`, `the test index ${indexFile} does not exist (compiled with tsc -p .?)`)]);
  }

  const work = mkdtempSync(join(tmpdir(), 'kling-api-'));
  removeAtExit(work);
  const reportPath = join(work, 'report.json');
  const workspace = suite.workspace ?? join(work, 'workspace');
  mkdirSync(workspace, { recursive: true });
  const timeoutMs = suite.timeoutMs ?? 120_000;
  const hostOutput: string[] = [];
  let workbench: Workbench | undefined;
  let server: Awaited<ReturnType<typeof startServer>> | undefined;
  try {
    server = await startServer({
      tools: context.tools,
      smokeTestDriver: true,
      ...(suite.settings ? { settings: suite.settings } : {}),
      disableWorkspaceTrust: suite.disableWorkspaceTrust ?? true,
      // The server's environment reaches the extension host it forks: that is how the runner
      // there learns where to write its report.
      env: { ...suite.env, [REPORT_ENV]: reportPath },
    });
    const url = server.workbenchUrl({
      folder: workspace,
      payload: [
        ['extensionDevelopmentPath', server.remoteUri(suite.extensionDevelopmentPath)],
        ['extensionTestsPath', server.remoteUri(indexFile.slice(0, -'.js'.length))],
      ],
    });
    let exit: (code: number) => void = () => undefined;
    const exited = new Promise<number>((resolve) => (exit = resolve));
    workbench = await Workbench.open(context.browser, url, {
      beforeLoad: (page) => page.exposeFunction('codeAutomationExit', (code: unknown) => exit(Number(code))),
      onConsole: (line) => {
        const host = HOST_LINE.exec(line);
        const text = host ? `${host[1] ?? ''}${line.slice(host[0].length)}` : line;
        if (host) {
          hostOutput.push(text);
        }
        if (host || context.verbose) {
          context.log(text.replace(/^/gm, '  │ '));
        }
      },
    });
    const remaining = timeoutMs - (Date.now() - started);
    let code: number;
    try {
      code = await withTimeout(exited, remaining, `the API tests of ${suite.name}`);
    } catch {
      await workbench.consoleSettled();
      return result([
        failedOutcome(
          `${suite.name}: time limit`,
          `the API tests did not finish within ${seconds(timeoutMs)}; last extension host output:\n${tail(hostOutput)}\n` +
            `last browser console:\n${consoleTail(workbench.console)}\nserver log:\n${server.logTail(20)}`,
          Date.now() - started,
        ),
      ]);
    }
    await workbench.consoleSettled();
    if (!existsSync(reportPath)) {
      return result([
        failedOutcome(
          `${suite.name}: report`,
          `the extension host exited with code ${code} and wrote no report (does the index use hostRunner's runInHost?); ` +
            `its output:\n${tail(hostOutput)}\nbrowser console:\n${consoleTail(workbench.console)}`,
        ),
      ]);
    }
    const report = JSON.parse(readFileSync(reportPath, 'utf8')) as TestReport;
    const tests = [...report.tests];
    if (code !== 0 && report.failed === 0) {
      tests.push(failedOutcome(`${suite.name}: exit code`, `the extension host exited with code ${code}; its output:\n${tail(hostOutput)}`));
    }
    return result(tests);
  } catch (error) {
    return result([failedOutcome(`${suite.name}: set-up`, error)]);
  } finally {
    await workbench?.close().catch(() => undefined);
    await server?.stop();
    removeTempDir(work);
  }
}

function tail(lines: string[], count = 30): string {
  return lines.slice(-count).join('\n') || '(none)';
}

/** The workbench's recent console, one line per message: its own stack traces would drown the rest. */
function consoleTail(lines: string[]): string {
  return tail(lines.slice(-15).map((line) => line.split('\n')[0] ?? ''));
}

function escape(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
