/**
 * The composer's suites: a UI suite that writes, prices and submits from the webview as a person would (the packaged
 * vsix, the built-in simulator), one per theme for the screenshots, and an API suite for what only the host can show.
 */
import { join } from 'node:path';
import type { Suite } from '../harness/run';
import type { TierContext } from '../tierContext';
import { draftSurvives, editFromPreview, forgedMessagesRefused, keyboardGenerate, setUpFromTheComposer, shotTotalBlocks } from './ui/composerFlows.ui';
import { framingGuard } from './ui/composerFraming.ui';
import { composerScreenshot } from './ui/composerLook.ui';
import { fileNameField, openInEditor, roomAt300 } from './ui/composerRoom.ui';
import { editAndSaveStoryboard } from './ui/composerStoryboard.ui';
import { animateFromExplorer, editAndSaveKeepsImages, elementInThePrompt, outsideImageRefused, pickFrameAndGenerate, promptFromImage, writeImagesWorkspace } from './ui/composerImages.ui';

export function composerSuites(tier: TierContext): Suite[] {
  const ui = tier.uiSuite;
  return [
    {
      kind: 'api',
      name: 'composer-api',
      extensionDevelopmentPath: tier.repoRoot,
      testsIndex: join(__dirname, 'api', 'index.js'),
      workspace: tier.freshWorkspace('composer-api', join(tier.repoRoot, 'test', 'vscode', 'fixtures', 'composer-workspace')),
      settings: tier.simulatorSettings(100),
      timeoutMs: 180_000,
    },
    ui('composer-ui-simulator', tier.simulatorSettings(20), [keyboardGenerate, shotTotalBlocks, forgedMessagesRefused, editFromPreview]),
    ui('composer-ui-room', tier.simulatorSettings(20), [roomAt300, fileNameField, openInEditor]),
    ui('composer-ui-reload', tier.simulatorSettings(20), [draftSurvives]),
    ui('composer-ui-setup', tier.serviceSettings({ 'klingStudio.simulatorSpeed': 20 }), [setUpFromTheComposer]),
    ui('composer-ui-storyboard', tier.simulatorSettings(20), [editAndSaveStoryboard], {
      workspace: tier.freshWorkspace('composer-ui-storyboard', join(tier.repoRoot, 'test', 'vscode', 'fixtures', 'composer-workspace')),
    }),
    ui('composer-ui-images', tier.simulatorSettings(20), [animateFromExplorer, outsideImageRefused, pickFrameAndGenerate, elementInThePrompt, editAndSaveKeepsImages, promptFromImage], {
      workspace: writeImagesWorkspace(tier.freshWorkspace('composer-ui-images')),
    }),
    ui('composer-ui-framing', tier.simulatorSettings(20), [framingGuard], { workspace: tier.freshWorkspace('composer-ui-framing') }),
    ui('composer-ui-light', tier.simulatorSettings(20, { 'workbench.colorTheme': 'Default Light Modern' }), [composerScreenshot('Default Light Modern')]),
    ui('composer-ui-dark', tier.simulatorSettings(20, { 'workbench.colorTheme': 'Default Dark Modern' }), [composerScreenshot('Default Dark Modern')]),
    ui('composer-ui-contrast', tier.simulatorSettings(20, { 'workbench.colorTheme': 'Default High Contrast' }), [composerScreenshot('Default High Contrast')]),
  ];
}
