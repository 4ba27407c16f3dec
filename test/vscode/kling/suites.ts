/**
 * Kling Studio's suites for the VS Code tier: API tests inside the extension host (the repo as the extension under
 * development, running dist/), and UI tests that click and type in the workbench with the packaged vsix installed.
 */
import { mkdirSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { startSimulator } from '../../../src/core/simulator/simulatorServer';
import type { Suite, UiSuite, UiTest } from '../harness/run';
import { CLEAN_SETTINGS } from '../harness/server';
import { packageExtension } from '../harness/vsix';
import { apiErrorTests, TEST_API_KEY } from './ui/apiErrors.ui';
import { dailyBudgetRefuses, reloadMidTask, untrustedCannotGenerate } from './ui/guards.ui';
import { contentPolicyFailure, generateOnSimulator, tasksViewScreenshot } from './ui/simulatorFlows.ui';

export const REPO_ROOT = resolve(__dirname, '..', '..', '..', '..');

/** A fresh folder to open as the workspace. */
export function freshWorkspace(name: string): string {
  const dir = join(mkdtempSync(join(tmpdir(), `kling-${name}-`)), 'workspace');
  mkdirSync(dir, { recursive: true });
  return dir;
}

/** Settings for a suite on the built-in simulator, `speed` times faster than the real service. */
export function simulatorSettings(speed: number, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return { ...CLEAN_SETTINGS, 'klingStudio.backend': 'simulator', 'klingStudio.simulatorSpeed': speed, ...extra };
}

/** Every suite, and what to stop when they are done. */
export async function klingSuites(): Promise<{ suites: Suite[]; close: () => Promise<void> }> {
  // One vsix for every UI suite, packaged as a release would be (vscode:prepublish builds for production).
  const vsix = await packageExtension(REPO_ROOT, { outDir: mkdtempSync(join(tmpdir(), 'kling-vsix-')) });
  // The "Kling API" of the error tests: a simulator this process controls (faults, balance), on loopback.
  const service = await startSimulator({ apiKeys: [TEST_API_KEY], timeScale: 20 });
  const ui = (name: string, settings: Record<string, unknown>, tests: UiTest[], extra: Partial<UiSuite> = {}): UiSuite => ({
    kind: 'ui',
    name,
    extensions: [vsix],
    workspace: freshWorkspace(name),
    settings,
    tests,
    ...extra,
  });
  const suites: Suite[] = [
    ...klingApiSuites(),
    ui('kling-ui-simulator', simulatorSettings(5), [generateOnSimulator, contentPolicyFailure, tasksViewScreenshot]),
    ui('kling-ui-api-errors', { ...CLEAN_SETTINGS, 'klingStudio.backend': 'api', 'klingStudio.baseUrl': service.baseUrl }, apiErrorTests(service), {
      sharePage: true,
    }),
    ui('kling-ui-reload', simulatorSettings(2), [reloadMidTask]),
    ui('kling-ui-budget', simulatorSettings(20, { 'klingStudio.dailyBudgetUsd': 0.3 }), [dailyBudgetRefuses]),
    ui('kling-ui-restricted', simulatorSettings(20, { 'security.workspace.trust.startupPrompt': 'never' }), [untrustedCannotGenerate], {
      disableWorkspaceTrust: false,
    }),
  ];
  return { suites, close: () => service.close() };
}

export function klingApiSuites(): Suite[] {
  return [
    {
      kind: 'api',
      name: 'kling-api',
      extensionDevelopmentPath: REPO_ROOT,
      testsIndex: join(__dirname, 'api', 'index.js'),
      workspace: freshWorkspace('api'),
      settings: simulatorSettings(100),
      timeoutMs: 180_000,
    },
  ];
}
