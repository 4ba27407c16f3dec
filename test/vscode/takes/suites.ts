/**
 * The takes area's suites: Compare Takes, Use This Take, Kling Preview's takes and Play Storyboard, in a real VS
 * Code with the packaged vsix, in a workspace seeded with takes as the task engine writes them.
 */
import { join } from 'node:path';
import type { Suite } from '../harness/run';
import type { TierContext } from '../tierContext';
import { seedTakes } from './seedTakes';
import { takesTests } from './ui/takes.ui';

export function takesSuites(tier: TierContext): Suite[] {
  const workspace = tier.freshWorkspace('takes-ui');
  // Written while the server starts; each test waits for it. A failure fails the tests that need the files.
  const seeded = seedTakes(workspace, tier.repoRoot);
  seeded.catch(() => undefined);
  return [
    {
      kind: 'api',
      name: 'takes-api',
      extensionDevelopmentPath: tier.repoRoot,
      testsIndex: join(__dirname, 'api', 'index.js'),
      workspace: tier.freshWorkspace('takes-api'),
      settings: tier.simulatorSettings(100),
      timeoutMs: 240_000,
    },
    {
      kind: 'ui',
      name: 'takes-ui',
      extensions: [tier.vsix],
      workspace,
      settings: tier.simulatorSettings(20),
      // One person's session: each test goes on from where the last one left the workspace.
      sharePage: true,
      tests: takesTests(seeded),
    },
  ];
}
