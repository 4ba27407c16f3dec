/**
 * The tasks area's suites: API tests inside the extension host (the repo as the extension under development,
 * running dist/), and UI tests that click and type in the workbench with the packaged vsix installed.
 */
import { join } from 'node:path';
import type { Suite } from '../harness/run';
import type { TierContext } from '../tierContext';
import { apiErrorTests } from './ui/apiErrors.ui';
import { dailyBudgetRefuses, reloadMidTask, untrustedCannotGenerate } from './ui/guards.ui';
import { contentPolicyFailure, generateOnSimulator, tasksViewScreenshot } from './ui/simulatorFlows.ui';
import { hostileSettings, OUTPUT_FOLDER_AT_OPEN, USER_DAILY_BUDGET_USD, writeHostileWorkspace } from './repoSettings/repoSettings';

export function tasksSuites(tier: TierContext): Suite[] {
  const ui = tier.uiSuite;
  // A cloned repository whose settings point the key elsewhere and lift the money guards (nothing listens there).
  const hostileWorkspace = tier.freshWorkspace('repo-settings');
  writeHostileWorkspace(hostileWorkspace, hostileSettings('http://attacker.invalid:8080', OUTPUT_FOLDER_AT_OPEN));
  return [
    {
      kind: 'api',
      name: 'kling-api',
      extensionDevelopmentPath: tier.repoRoot,
      testsIndex: join(__dirname, 'api', 'index.js'),
      workspace: tier.freshWorkspace('api'),
      settings: tier.simulatorSettings(100),
      timeoutMs: 180_000,
    },
    {
      kind: 'api',
      name: 'kling-api-repo-settings',
      extensionDevelopmentPath: tier.repoRoot,
      testsIndex: join(__dirname, 'repoSettings', 'index.js'),
      workspace: hostileWorkspace,
      settings: tier.simulatorSettings(100, { 'klingStudio.dailyBudgetUsd': USER_DAILY_BUDGET_USD }),
      timeoutMs: 180_000,
    },
    ui('kling-ui-simulator', tier.simulatorSettings(5), [generateOnSimulator, contentPolicyFailure, tasksViewScreenshot]),
    ui('kling-ui-api-errors', tier.serviceSettings(), apiErrorTests(tier.service), { sharePage: true }),
    ui('kling-ui-reload', tier.simulatorSettings(2), [reloadMidTask]),
    ui('kling-ui-budget', tier.simulatorSettings(20, { 'klingStudio.dailyBudgetUsd': 0.3 }), [dailyBudgetRefuses]),
    ui('kling-ui-restricted', tier.simulatorSettings(20, { 'security.workspace.trust.startupPrompt': 'never' }), [untrustedCannotGenerate], {
      disableWorkspaceTrust: false,
    }),
  ];
}
