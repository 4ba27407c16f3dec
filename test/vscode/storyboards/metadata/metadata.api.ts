import * as assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import * as vscode from 'vscode';
import type { RenderResult } from '../../../../src/extension/storyboards/storyboardRenderer';
import type { KlingTestApi } from '../../../../src/extension/extension';
import { after, before, suite, test } from '../../harness/hostRunner';
import { eventually, klingExtension } from '../../kling/api/klingExtension';
import { diagnosticsWhen, lensesWhen, openStoryboard, workspaceDir } from '../storyboardBed';

// A storyboard with a "metadata" folder (docs/storyboard-format.md, "Keeping the records out of the output folder"),
// rendered in the editor: the output folder holds only the video, and the CodeLens, the Storyboards view, Open Result
// and a second render all find its records in the metadata folder.

const SITE = `{
  "version": 1,
  "output": "site/public/videos",
  "metadata": "site/.kling",
  "videos": [ { "name": "banner", "prompt": "A paper boat on a rainy street", "duration": 3 } ]
}
`;

suite('a storyboard with a metadata folder', () => {
  let api: KlingTestApi;
  let uri: vscode.Uri;

  before(async () => {
    api = await klingExtension();
    api.storyboards.renderer.ask = async () => true;
    uri = (await openStoryboard('site.kling.json', SITE)).document.uri;
    await diagnosticsWhen(uri, 'a clean check', (d) => d.length === 0);
  });
  after(() => {
    api.storyboards.renderer.ask = undefined;
  });

  test('renders into the output folder with nothing but the video; the view and the lens say up to date', async () => {
    const sim = await api.backends.startSimulator();
    const creates = sim.stats().creates;
    const result = await vscode.commands.executeCommand<RenderResult>('klingStudio.storyboard.render', uri);
    assert.equal(result.kind, 'rendered', JSON.stringify(result));
    assert.equal(sim.stats().creates - creates, 1);

    const output = join(workspaceDir(), 'site', 'public', 'videos');
    assert.deepEqual(readdirSync(output), ['banner.mp4'], 'no sidecar, claim, lock or takes among the deliverables');
    const sidecar = JSON.parse(readFileSync(join(workspaceDir(), 'site', '.kling', 'banner.mp4.json'), 'utf8')) as { storyboard: string };
    assert.equal(sidecar.storyboard, '../../site.kling.json');
    assert.ok(existsSync(join(workspaceDir(), 'site', '.kling', '.takes', 'banner')));

    await lensesWhen(uri, 'the up-to-date lens', (t) => t[0] === '$(check) The video is up to date');
    const tree = api.storyboards.tree;
    const node = await eventually('the storyboard in the view', async () => (await tree.getChildren()).find((n) => n.uri.fsPath === uri.fsPath));
    const [video] = await tree.getChildren(node);
    const item = await tree.getTreeItem(video!);
    assert.equal(`${item.label}: ${item.description}`, 'banner: up to date');
    assert.equal(item.contextValue, 'storyboardVideo:up-to-date');

    const again = await vscode.commands.executeCommand<RenderResult>('klingStudio.storyboard.render', uri);
    assert.equal(again.kind, 'nothing-to-do', JSON.stringify(again));
    assert.equal(sim.stats().creates - creates, 1, 'nothing created again');
  });

  test('Open Result opens the video in Kling Preview: its recipe is found in the metadata folder', async () => {
    assert.equal(await vscode.commands.executeCommand('klingStudio.storyboard.openResult', uri, 'banner'), true);
    const tab = await eventually('the video tab', () => {
      const input = vscode.window.tabGroups.activeTabGroup.activeTab?.input as { uri?: vscode.Uri } | undefined;
      return input?.uri?.fsPath.endsWith('banner.mp4') ? input : undefined;
    });
    assert.ok(tab instanceof vscode.TabInputCustom && tab.viewType === 'klingStudio.preview', 'the result opens in Kling Preview');
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
  });
});
