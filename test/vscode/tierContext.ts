/**
 * What every area's suites share in one run of the VS Code tier: the packaged vsix (built once), the repo, fresh
 * workspaces, settings helpers, and a simulator this process controls, reachable as "the Kling API".
 */
import { cpSync, mkdirSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { startSimulator, type Simulator } from '../../src/core/simulator/simulatorServer';
import { exec } from './harness/exec';
import type { UiSuite, UiTest } from './harness/run';
import { CLEAN_SETTINGS } from './harness/server';
import { packageExtension } from './harness/vsix';

export const REPO_ROOT = resolve(__dirname, '..', '..', '..');
export const TEST_API_KEY = 'sk-kling-ui-test-5d2c81f0a7';

export interface TierContext {
  /** The extension packaged as a release would be (vscode:prepublish builds for production). */
  vsix: string;
  repoRoot: string;
  /** The simulator that plays "the Kling API" for tests that need to control it (faults, balance); key TEST_API_KEY. */
  service: Simulator;
  /** A fresh folder to open as the workspace, optionally seeded with a copy of `from`. */
  freshWorkspace(name: string, from?: string): string;
  /** User settings for a suite on the built-in simulator, `speed` times faster than the real service. */
  simulatorSettings(speed: number, extra?: Record<string, unknown>): Record<string, unknown>;
  /** User settings for a suite that talks to `service` as the Kling API. */
  serviceSettings(extra?: Record<string, unknown>): Record<string, unknown>;
  /** A UI suite with the packaged vsix installed, in a fresh workspace unless `extra` says otherwise. */
  uiSuite(name: string, settings: Record<string, unknown>, tests: UiTest[], extra?: Partial<UiSuite>): UiSuite;
}

/** `packageVsix: false` for a run of the API suites only (the desktop tier): no vsix, no release build. */
export async function createTierContext(options: { packageVsix?: boolean } = {}): Promise<{ context: TierContext; close: () => Promise<void> }> {
  let vsix = '';
  if (options.packageVsix !== false) {
    vsix = await packageExtension(REPO_ROOT, { outDir: mkdtempSync(join(tmpdir(), 'kling-vsix-')) });
    // Packaging ran the release build (vscode:prepublish) in the repo's dist/. The API suites run the repo as the
    // extension under development, as `npm run build` leaves it: build that again, so they see the development
    // bundles (the activation test reads their module paths).
    await exec(process.execPath, ['esbuild.js'], { cwd: REPO_ROOT });
  }
  const service = await startSimulator({ apiKeys: [TEST_API_KEY], timeScale: 20 });
  const context: TierContext = {
    vsix,
    repoRoot: REPO_ROOT,
    service,
    freshWorkspace(name, from) {
      const dir = join(mkdtempSync(join(tmpdir(), `kling-${name}-`)), 'workspace');
      mkdirSync(dir, { recursive: true });
      if (from) cpSync(from, dir, { recursive: true });
      return dir;
    },
    simulatorSettings: (speed, extra = {}) => ({ ...CLEAN_SETTINGS, 'klingStudio.backend': 'simulator', 'klingStudio.simulatorSpeed': speed, ...extra }),
    serviceSettings: (extra = {}) => ({ ...CLEAN_SETTINGS, 'klingStudio.backend': 'api', 'klingStudio.baseUrl': service.baseUrl, ...extra }),
    uiSuite: (name, settings, tests, extra = {}) => ({
      kind: 'ui',
      name,
      extensions: [vsix],
      workspace: context.freshWorkspace(name),
      settings,
      tests,
      ...extra,
    }),
  };
  return { context, close: () => service.close() };
}
