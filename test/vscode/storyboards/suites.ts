/**
 * The storyboards area's suites: `*.kling.json` in a real VS Code. API tests inside the extension host (the repo as
 * the extension under development, running dist/), in a trusted and an untrusted workspace; UI tests that type and
 * click in the workbench with the packaged vsix installed.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Suite } from '../harness/run';
import type { TierContext } from '../tierContext';
import { estimateDialog, LAUNCH_STORYBOARD, renderAllFromTheLens, writeAndCorrect } from './ui/storyboardEditor.ui';
import { LOOP_STORYBOARD, loopAndWeb } from './ui/storyboardWeb.ui';
import { pngBytes } from '../../helpers/images';

export function storyboardsSuites(tier: TierContext): Suite[] {
  const uiWorkspace = tier.freshWorkspace('storyboards-ui');
  writeFileSync(join(uiWorkspace, 'launch.kling.json'), LAUNCH_STORYBOARD);
  const webWorkspace = tier.freshWorkspace('storyboards-web');
  writeFileSync(join(webWorkspace, 'loop.kling.json'), LOOP_STORYBOARD);
  writeFileSync(join(webWorkspace, 'frame.png'), pngBytes(1280, 720));
  return [
    {
      kind: 'ui',
      name: 'storyboards-ui-web',
      extensions: [tier.vsix],
      workspace: webWorkspace,
      settings: tier.simulatorSettings(20),
      tests: [loopAndWeb],
    },
    {
      kind: 'api',
      name: 'storyboards-api',
      extensionDevelopmentPath: tier.repoRoot,
      testsIndex: join(__dirname, 'api', 'index.js'),
      workspace: tier.freshWorkspace('storyboards-api'),
      settings: tier.simulatorSettings(50),
      timeoutMs: 240_000,
    },
    {
      kind: 'api',
      name: 'storyboards-api-metadata',
      extensionDevelopmentPath: tier.repoRoot,
      testsIndex: join(__dirname, 'metadata', 'index.js'),
      workspace: tier.freshWorkspace('storyboards-metadata'),
      settings: tier.simulatorSettings(50),
      timeoutMs: 120_000,
    },
    {
      kind: 'api',
      name: 'storyboards-api-restricted',
      extensionDevelopmentPath: tier.repoRoot,
      testsIndex: join(__dirname, 'restricted', 'index.js'),
      workspace: tier.freshWorkspace('storyboards-restricted'),
      settings: tier.simulatorSettings(50, { 'security.workspace.trust.startupPrompt': 'never' }),
      disableWorkspaceTrust: false,
      timeoutMs: 120_000,
    },
    {
      kind: 'ui',
      name: 'storyboards-ui',
      extensions: [tier.vsix],
      workspace: uiWorkspace,
      settings: tier.simulatorSettings(20),
      // One person's session: each test goes on from where the last one left the storyboard.
      sharePage: true,
      tests: [renderAllFromTheLens, writeAndCorrect, estimateDialog],
    },
  ];
}
