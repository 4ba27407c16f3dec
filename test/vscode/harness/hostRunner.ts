/**
 * A small test runner for inside the VS Code extension host, with explicit imports instead of
 * mocha's globals:
 *
 *     import { suite, test } from '../../harness/hostRunner';
 *     suite('commands', () => { test('runs', async () => { ... }); });
 *
 * and a test index (the module named by `extensionTestsPath`):
 *
 *     export function run(): Promise<void> { return runInHost({ files: testFiles(__dirname) }); }
 *
 * It prints each result to the console (which the workbench relays to the browser), writes a JSON
 * report to `$KLING_TEST_REPORT` (the server passes its environment to the extension host), and
 * rejects when a test failed, which makes VS Code exit with code 1.
 */
import { readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

export type TestBody = () => void | Promise<void>;

export interface TestOptions {
  /** 10 s unless told (or unless `runInHost` was told otherwise). */
  timeoutMs?: number;
  skip?: boolean;
}

export interface TestOutcome {
  /** Suite titles and the test title, joined by ' › '. */
  title: string;
  state: 'passed' | 'failed' | 'skipped';
  durationMs: number;
  /** The failure's message and the top of its stack. */
  error?: string;
}

export interface TestReport {
  passed: number;
  failed: number;
  skipped: number;
  durationMs: number;
  tests: TestOutcome[];
}

/** The environment variable naming the report file. */
export const REPORT_ENV = 'KLING_TEST_REPORT';

/** Starts every line printed in the extension host while tests run. */
export const HOST_MARK = '[ext-host] ';

export interface RunOptions {
  /** Compiled test files, run in this order. */
  files: string[];
  /** Default time limit per test and hook; 10 s unless told. */
  timeoutMs?: number;
  /** Where the JSON report goes; `$KLING_TEST_REPORT` unless told; none if neither. */
  reportPath?: string;
  /** Where result lines go; `console.log` unless told. */
  log?: (line: string) => void;
}

interface TestItem {
  kind: 'test';
  title: string;
  body: TestBody;
  options: TestOptions;
}

interface SuiteItem {
  kind: 'suite';
  title: string;
  items: Array<TestItem | SuiteItem>;
  before: TestBody[];
  after: TestBody[];
}

const SEPARATOR = ' › ';
let root = newSuite('');
let current = root;

/** Groups tests under a title; `body` runs at once and declares them. */
export function suite(title: string, body: () => void): void {
  const child = newSuite(title);
  current.items.push(child);
  const parent = current;
  current = child;
  try {
    body();
  } finally {
    current = parent;
  }
}

export function test(title: string, body: TestBody, options: TestOptions = {}): void {
  current.items.push({ kind: 'test', title, body, options });
}

/** Runs once before the tests of the enclosing suite (or file). A failure fails all of them. */
export function before(hook: TestBody): void {
  current.before.push(hook);
}

/** Runs once after the tests of the enclosing suite (or file), even when they failed. */
export function after(hook: TestBody): void {
  current.after.push(hook);
}

/** The files under `dir` (recursively) whose names end in `suffix`, sorted: the API tests by default. */
export function testFiles(dir: string, suffix = '.api.js'): string[] {
  return readdirSync(dir, { recursive: true, encoding: 'utf8' })
    .filter((name) => name.endsWith(suffix))
    .sort()
    .map((name) => join(dir, name));
}

/** Loads and runs the files, prints each result, writes the report; never rejects for a failed test. */
export async function runTests(options: RunOptions): Promise<TestReport> {
  const log = options.log ?? ((line: string) => console.log(line));
  const started = Date.now();
  const tests: TestOutcome[] = [];
  const record = (outcome: TestOutcome): void => {
    tests.push(outcome);
    const mark = outcome.state === 'passed' ? '✓' : outcome.state === 'failed' ? '✗' : '-';
    log(`  ${mark} ${outcome.title}${outcome.state === 'skipped' ? ' (skipped)' : ` (${outcome.durationMs} ms)`}`);
    if (outcome.error) {
      log(indent(outcome.error, '      '));
    }
  };

  const restoreConsole = markConsole();
  let report: TestReport;
  try {
    await loadAndRun(options, record);
    report = {
      passed: tests.filter((t) => t.state === 'passed').length,
      failed: tests.filter((t) => t.state === 'failed').length,
      skipped: tests.filter((t) => t.state === 'skipped').length,
      durationMs: Date.now() - started,
      tests,
    };
    // Worded so that it does not read as the tier's own closing "N passed, N failed" line.
    log(`in the extension host: ${report.passed} ok, ${report.failed} not ok, ${report.skipped} skipped`);
  } finally {
    restoreConsole();
  }
  const reportPath = options.reportPath ?? process.env[REPORT_ENV];
  if (reportPath) {
    writeFileSync(reportPath, `${JSON.stringify(report, null, 2)}\n`);
  }
  return report;
}

/** For a test index's `run()`: runs the tests and rejects if any failed. */
export async function runInHost(options: RunOptions): Promise<void> {
  const report = await runTests(options);
  if (report.failed > 0) {
    throw new Error(`${report.failed} test(s) failed`);
  }
  if (report.passed === 0) {
    throw new Error(`no test ran (files: ${options.files.join(', ') || 'none'})`);
  }
}

async function loadAndRun(options: RunOptions, record: (outcome: TestOutcome) => void): Promise<void> {
  root = newSuite('');
  for (const file of options.files) {
    const fileSuite = newSuite('');
    root.items.push(fileSuite);
    current = fileSuite;
    try {
      delete require.cache[require.resolve(file)];
      require(file);
    } catch (error) {
      record({ title: `loading ${file}`, state: 'failed', durationMs: 0, error: describe(error) });
    } finally {
      current = root;
    }
  }
  await runSuite(root, [], options.timeoutMs ?? 10_000, record);
}

/**
 * Marks what is printed while tests run with HOST_MARK. The workbench relays the host's console as
 * plain INFO/WARN/ERR log lines, which look like its own; the mark tells them apart (apiTests.ts).
 *
 * VS Code's console forwarder makes `console.log` and co. getters with a no-op setter, so they
 * cannot be reassigned; the global `console` itself can be swapped for the time of the run.
 */
function markConsole(): () => void {
  const descriptor = Object.getOwnPropertyDescriptor(globalThis, 'console');
  if (!descriptor?.configurable) {
    return () => undefined;
  }
  const original = globalThis.console;
  const marked = Object.create(original) as Console;
  for (const method of ['log', 'info', 'warn', 'error', 'debug'] as const) {
    Object.defineProperty(marked, method, {
      configurable: true,
      writable: true,
      value: (...args: unknown[]) =>
        typeof args[0] === 'string' ? original[method](`${HOST_MARK}${args[0]}`, ...args.slice(1)) : original[method](HOST_MARK.trim(), ...args),
    });
  }
  Object.defineProperty(globalThis, 'console', { configurable: true, writable: true, enumerable: false, value: marked });
  return () => Object.defineProperty(globalThis, 'console', descriptor);
}

async function runSuite(
  suiteItem: SuiteItem,
  path: string[],
  timeoutMs: number,
  record: (outcome: TestOutcome) => void,
): Promise<void> {
  const here = suiteItem.title ? [...path, suiteItem.title] : path;
  const name = here.join(SEPARATOR) || 'file';
  for (const hook of suiteItem.before) {
    const failure = await attempt(hook, timeoutMs, `"before" hook of ${name}`);
    if (failure) {
      for (const title of testTitles(suiteItem, path)) {
        record({ title, state: 'failed', durationMs: 0, error: `"before" hook failed: ${failure}` });
      }
      await runAfterHooks(suiteItem, name, timeoutMs, record);
      return;
    }
  }
  for (const item of suiteItem.items) {
    if (item.kind === 'suite') {
      await runSuite(item, here, timeoutMs, record);
      continue;
    }
    const title = [...here, item.title].join(SEPARATOR);
    if (item.options.skip) {
      record({ title, state: 'skipped', durationMs: 0 });
      continue;
    }
    const started = Date.now();
    const failure = await attempt(item.body, item.options.timeoutMs ?? timeoutMs, `test "${title}"`);
    record({ title, state: failure ? 'failed' : 'passed', durationMs: Date.now() - started, ...(failure ? { error: failure } : {}) });
  }
  await runAfterHooks(suiteItem, name, timeoutMs, record);
}

async function runAfterHooks(suiteItem: SuiteItem, name: string, timeoutMs: number, record: (outcome: TestOutcome) => void): Promise<void> {
  for (const hook of suiteItem.after) {
    const failure = await attempt(hook, timeoutMs, `"after" hook of ${name}`);
    if (failure) {
      record({ title: `${name}${SEPARATOR}"after" hook`, state: 'failed', durationMs: 0, error: failure });
    }
  }
}

/** Runs `body` within `timeoutMs`; returns the failure's description, or undefined if it passed. */
async function attempt(body: TestBody, timeoutMs: number, what: string): Promise<string | undefined> {
  let timer: NodeJS.Timeout | undefined;
  try {
    await Promise.race([
      (async () => body())(),
      new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error(`${what} did not finish within ${timeoutMs} ms`)), timeoutMs);
      }),
    ]);
    return undefined;
  } catch (error) {
    return describe(error);
  } finally {
    clearTimeout(timer);
  }
}

function testTitles(suiteItem: SuiteItem, path: string[]): string[] {
  const here = suiteItem.title ? [...path, suiteItem.title] : path;
  return suiteItem.items.flatMap((item) =>
    item.kind === 'suite' ? testTitles(item, here) : [[...here, item.title].join(SEPARATOR)],
  );
}

/** The message and the stack frames that are not Node's or this runner's. */
function describe(error: unknown): string {
  if (!(error instanceof Error)) {
    return String(error);
  }
  const stack = (error.stack ?? '').split('\n');
  const frames = stack.filter((line) => /^\s+at /.test(line));
  const message = error.stack ? stack.filter((line) => !/^\s+at /.test(line)).join('\n') : `${error.name}: ${error.message}`;
  const useful = frames.filter((line) => !line.includes('node:internal') && !line.includes('hostRunner.js')).slice(0, 5);
  return [message, ...useful.map((line) => line.trim())].join('\n');
}

function indent(text: string, prefix: string): string {
  return text
    .split('\n')
    .map((line) => prefix + line)
    .join('\n');
}

function newSuite(title: string): SuiteItem {
  return { kind: 'suite', title, items: [], before: [], after: [] };
}
