/**
 * Kling Preview's suites: API tests inside the extension host (which editor opens, from where; close on delete), and
 * UI tests that watch the page play in the workbench, with workspaces seeded with real videos and sidecars.
 */
import { join } from 'node:path';
import type { Suite } from '../harness/run';
import type { TierContext } from '../tierContext';
import { seedWorkspace } from './seedWorkspace';
import { copyHtmlTest } from './ui/previewCopyHtml.ui';
import { previewFileTests } from './ui/previewFiles.ui';
import { previewFrameTests } from './ui/previewFrames.ui';
import { previewLayoutTest } from './ui/previewLayout.ui';
import { previewMetadataTest, seedMetadataWorkspace } from './ui/previewMetadata.ui';
import { openFromNotification, openFromTasksView, regenerateNewTake } from './ui/previewTasks.ui';

export function previewSuites(tier: TierContext): Suite[] {
  const filesWorkspace = tier.freshWorkspace('preview-files');
  // Written while the server starts; each test waits for it. A failure fails the tests that need the files.
  const seeded = seedWorkspace(filesWorkspace, tier.repoRoot);
  seeded.catch(() => undefined);
  const framesWorkspace = tier.freshWorkspace('preview-frames');
  const framesSeeded = seedWorkspace(framesWorkspace, tier.repoRoot);
  framesSeeded.catch(() => undefined);
  const metadataWorkspace = tier.freshWorkspace('preview-metadata');
  const metadataSeeded = seedMetadataWorkspace(metadataWorkspace, tier.repoRoot);
  metadataSeeded.catch(() => undefined);
  return [
    {
      kind: 'api',
      name: 'preview-api',
      extensionDevelopmentPath: tier.repoRoot,
      testsIndex: join(__dirname, 'api', 'index.js'),
      workspace: tier.freshWorkspace('preview-api'),
      settings: tier.simulatorSettings(100),
      timeoutMs: 300_000,
    },
    {
      kind: 'ui',
      name: 'preview-ui-files',
      extensions: [tier.vsix],
      workspace: filesWorkspace,
      settings: tier.simulatorSettings(20),
      tests: [...previewFileTests(seeded, tier.repoRoot), previewLayoutTest(seeded)],
    },
    {
      kind: 'ui',
      name: 'preview-ui-copy-html',
      extensions: [tier.vsix],
      workspace: tier.freshWorkspace('preview-copy-html'),
      settings: tier.simulatorSettings(20),
      tests: [copyHtmlTest(tier.repoRoot)],
    },
    {
      kind: 'ui',
      name: 'preview-ui-frames',
      extensions: [tier.vsix],
      workspace: framesWorkspace,
      settings: tier.simulatorSettings(20),
      tests: previewFrameTests(framesSeeded),
    },
    {
      kind: 'ui',
      name: 'preview-ui-tasks',
      extensions: [tier.vsix],
      workspace: tier.freshWorkspace('preview-tasks'),
      settings: tier.simulatorSettings(20),
      tests: [openFromNotification, openFromTasksView, regenerateNewTake],
    },
    {
      kind: 'ui',
      name: 'preview-ui-metadata',
      extensions: [tier.vsix],
      workspace: metadataWorkspace,
      settings: tier.simulatorSettings(20),
      tests: [previewMetadataTest(metadataSeeded)],
    },
  ];
}
