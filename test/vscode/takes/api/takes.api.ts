import * as assert from 'node:assert/strict';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { basename, join } from 'node:path';
import * as vscode from 'vscode';
import { emptyDraft } from '../../../../src/core/composer/composerForm';
import { takesDirOf } from '../../../../src/core/takes/takeLayout';
import type { KlingTestApi } from '../../../../src/extension/extension';
import type { SpendQuestion } from '../../../../src/extension/generate/moneyGuard';
import type { RenderResult } from '../../../../src/extension/storyboards/storyboardRenderer';
import { after, before, suite, test } from '../../harness/hostRunner';
import { eventually, klingExtension } from '../../kling/api/klingExtension';
import { diagnosticsWhen, lensesWhen, openStoryboard, workspaceDir } from '../../storyboards/storyboardBed';

// Takes in the editor, through its commands: "takes": 2 renders two tasks once each and keeps both; the CodeLens
// and the Storyboards view count them; Use This Take and Delete Take act on the files, and Delete asks first.

const BOARD = `{
  "version": 1,
  "output": "clips",
  "videos": [ { "name": "kite", "prompt": "A red kite over green hills", "duration": 3, "takes": 2 } ]
}
`;

suite('takes', () => {
  let api: KlingTestApi;
  let uri: vscode.Uri;
  const questions: SpendQuestion[] = [];
  const deleteQuestions: string[] = [];
  let answers: boolean[] = [];
  const video = () => join(workspaceDir(), 'clips', 'kite.mp4');
  const takesDir = () => join(workspaceDir(), 'clips', '.takes', 'kite');
  const takeFiles = () => (existsSync(takesDir()) ? readdirSync(takesDir()).filter((f) => f.endsWith('.mp4')).sort() : []);

  before(async () => {
    api = await klingExtension();
    api.storyboards.renderer.ask = async (question) => {
      questions.push(question);
      return true;
    };
    api.takes.confirmDelete = async (message) => {
      deleteQuestions.push(message);
      return answers.shift() ?? false;
    };
    uri = (await openStoryboard('takes.kling.json', BOARD)).document.uri;
    await diagnosticsWhen(uri, 'a clean check', (d) => d.length === 0);
  });
  after(() => {
    api.storyboards.renderer.ask = undefined;
    api.takes.confirmDelete = undefined;
  });

  test('"takes": 2 is priced twice and asked for, then two tasks are created once each and both are kept', async () => {
    await lensesWhen(uri, 'the price of two takes', (t) => t.includes('$(play) Render · 2 takes · $0.45 · 3 s · 720p'));
    const sim = await api.backends.startSimulator();
    const creates = sim.stats().creates;
    const result = await vscode.commands.executeCommand<RenderResult>('klingStudio.storyboard.render', uri);
    assert.equal(result.kind, 'rendered');
    assert.equal(questions.length, 1, 'asked once, even for one video: two takes are paid for');
    assert.match(questions[0]!.message, /kite \(2 takes, 3 s, 720p\)/);
    assert.match(questions[0]!.detail ?? '', /^kite: 2 takes × 3 s · 720p · sound off — \$0\.45$/m);
    assert.equal(sim.stats().creates - creates, 2, 'two creates reached the simulator');
    assert.deepEqual(result.kind === 'rendered' && result.outcomes.map((o) => [o.name, o.kind, o.take]), [['kite', 'saved', 1], ['kite', 'saved', 2]]);
    assert.equal(takeFiles().length, 2);
    assert.ok(takeFiles().some((f) => statSync(join(takesDir(), f)).ino === statSync(video()).ino), 'kite.mp4 is one of them');

    // Rendering again spends nothing: the video is up to date.
    const again = await vscode.commands.executeCommand<RenderResult>('klingStudio.storyboard.render', uri);
    assert.equal(again.kind, 'nothing-to-do');
    assert.equal(sim.stats().creates - creates, 2);
  });

  test('the CodeLens offers "2 takes" and the Storyboards view says which is in use', async () => {
    const titles = await lensesWhen(uri, 'the takes lens', (t) => t.includes('$(versions) 2 takes'));
    assert.ok(titles.includes('$(check) Up to date'), titles.join(' | '));
    const tree = api.storyboards.tree;
    const item = await eventually('the view to count the takes', async () => {
      const [file] = await tree.getChildren();
      const videos = await tree.getChildren(file);
      const treeItem = videos[0] ? await tree.getTreeItem(videos[0]) : undefined;
      return typeof treeItem?.description === 'string' && /take \d of 2/.test(treeItem.description) ? treeItem : undefined;
    });
    assert.match(String(item.description), /^up to date · take [12] of 2$/);
    assert.equal(item.contextValue, 'storyboardVideo:up-to-date:takes', 'the view offers Compare Takes');
  });

  test('Compare Takes opens from the Storyboards view, the CodeLens, the Explorer and the preview, on the same panel', async () => {
    const compareTabs = () =>
      vscode.window.tabGroups.all.flatMap((g) => g.tabs).filter((t) => t.input instanceof vscode.TabInputWebview && t.input.viewType.endsWith('klingStudio.compareTakes'));
    const [file] = await api.storyboards.tree.getChildren();
    const [node] = await api.storyboards.tree.getChildren(file);
    assert.ok(node, 'the view lists the video');
    const fromView = await vscode.commands.executeCommand<{ videoPath?: string } | undefined>('klingStudio.compareTakes', node);
    assert.equal(fromView?.videoPath, video(), 'the view item\'s video');
    await eventually('the Compare Takes tab', () => (compareTabs().length === 1 ? true : undefined));
    assert.equal(compareTabs()[0]!.label, 'Takes: kite.mp4');

    // The CodeLens passes the storyboard and the video's name; the Explorer and the preview's title bar the MP4.
    assert.equal((await vscode.commands.executeCommand<{ videoPath?: string }>('klingStudio.compareTakes', uri, 'kite'))?.videoPath, video());
    assert.equal((await vscode.commands.executeCommand<{ videoPath?: string }>('klingStudio.compareTakes', vscode.Uri.file(video())))?.videoPath, video());
    const aTake = vscode.Uri.file(join(takesDir(), takeFiles()[0]!));
    assert.equal((await vscode.commands.executeCommand<{ videoPath?: string }>('klingStudio.compareTakes', aTake))?.videoPath, video(), 'a take: its video');
    assert.equal(compareTabs().length, 1, 'one panel per video');

    // The Explorer's menu shows it on an MP4 with a sidecar: the context key names the video and its takes.
    const withSidecars = await eventually('the Explorer\'s context key to list the video and its takes', () => {
      const known = api.takes.videosWithSidecars();
      return known.includes(vscode.Uri.file(video()).path) && known.includes(aTake.path) ? known : undefined;
    });
    assert.ok(!withSidecars.some((p) => !p.endsWith('.mp4')), withSidecars.join(', '));
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
  });

  test('Use This Take swaps the video; Delete refuses the take in use, asks before the other, and keeps it when told no', async () => {
    const [first, second] = takeFiles().map((f) => join(takesDir(), f)) as [string, string];
    const inUse = statSync(video()).ino === statSync(first).ino ? first : second;
    const other = inUse === first ? second : first;
    assert.equal(await vscode.commands.executeCommand('klingStudio.useTake', vscode.Uri.file(other)), true);
    assert.equal(statSync(video()).ino, statSync(other).ino);
    assert.ok(existsSync(inUse), 'the take it replaced stays');

    assert.equal(await vscode.commands.executeCommand('klingStudio.deleteTake', vscode.Uri.file(other)), false, 'the take in use is not deleted');
    assert.deepEqual(deleteQuestions, [], 'nor asked about');
    answers = [false];
    assert.equal(await vscode.commands.executeCommand('klingStudio.deleteTake', vscode.Uri.file(inUse)), false);
    assert.equal(deleteQuestions.length, 1);
    assert.match(deleteQuestions[0]!, /^Delete take [12] of kite\.mp4\?$/);
    assert.ok(existsSync(inUse), 'told no: kept');
  });

  // Desktop VS Code moves files to the OS trash; a workspace on code-server's server (as in this tier, and any remote
  // workspace) has no trash. The file system is asked which it is first, and the test checks what Delete must do there.
  test('Delete moves a take to the trash after one question; where there is no trash, it asks again before deleting for good', async () => {
    const probe = vscode.Uri.file(join(workspaceDir(), 'trash-probe.txt'));
    await vscode.workspace.fs.writeFile(probe, new Uint8Array([1]));
    const hasTrash = await vscode.workspace.fs.delete(probe, { useTrash: true }).then(
      () => true,
      async () => (await vscode.workspace.fs.delete(probe), false),
    );
    const keep = statSync(video()).ino;
    const doomed = takeFiles().map((f) => join(takesDir(), f)).find((f) => statSync(f).ino !== keep)!;
    deleteQuestions.length = 0;
    if (hasTrash) {
      answers = [true];
      assert.equal(await vscode.commands.executeCommand('klingStudio.deleteTake', vscode.Uri.file(doomed)), true);
      assert.equal(deleteQuestions.length, 1, deleteQuestions.join(' | '));
    } else {
      answers = [true, false];
      assert.equal(await vscode.commands.executeCommand('klingStudio.deleteTake', vscode.Uri.file(doomed)), false);
      assert.ok(existsSync(doomed), 'no to "for good": kept');
      deleteQuestions.length = 0;
      answers = [true, true];
      assert.equal(await vscode.commands.executeCommand('klingStudio.deleteTake', vscode.Uri.file(doomed)), true);
      assert.equal(deleteQuestions.length, 2, deleteQuestions.join(' | '));
      assert.match(deleteQuestions[1]!, /^Take [12] of kite\.mp4 cannot go to the trash\. Delete it for good\?$/);
    }
    assert.equal(existsSync(doomed), false);
    assert.equal(existsSync(`${doomed}.json`), false, 'its sidecar went with it');
    await lensesWhen(uri, 'no takes lens for a single take', (t) => !t.some((title) => title.includes('takes')) && t.includes('$(check) Up to date'));
  });
});

// The composer's Variants: N takes from one Generate, priced and asked for as N, each created once under its own claim.
suite('the composer\'s Variants', () => {
  test('three takes are asked for at three times the price, then created once each under their own claims, and all kept', async () => {
    const api = await klingExtension();
    const sim = await api.backends.startSimulator();
    const creates = sim.stats().creates;
    const asked: SpendQuestion[] = [];
    const replies = [false, true];
    api.composer.view.askSpend = async (question) => {
      asked.push(question);
      return replies.shift() ?? false;
    };
    try {
      const before = new Set(api.tasks.entries().map((e) => e.id));
      const added = () => api.tasks.entries().filter((e) => !before.has(e.id));
      const message = { type: 'composer/generate', draft: { ...emptyDraft(), prompt: 'A paper boat on a puddle', duration: '3', takes: 3 } };

      await api.composer.view.receive(message);
      assert.equal(asked.length, 1, 'asked, whatever klingStudio.confirmAboveUsd says: several takes are paid for');
      assert.equal(asked[0]!.message, 'Generate 3 takes of a 3 s video for $0.675 (48.6 credits)?');
      assert.match(asked[0]!.detail, /^3 tasks of the same request, each a take/);
      assert.equal(asked[0]!.go, 'Generate (simulated)');
      assert.deepEqual(added(), [], 'told no: nothing journaled');
      assert.equal(sim.stats().creates, creates, 'told no: nothing created');

      // A double Ctrl+Enter: the second is ignored while the first is under way.
      await Promise.all([api.composer.view.receive(message), api.composer.view.receive(message)]);
      assert.equal(asked.length, 2, 'one question for the three takes');
      const entries = added();
      assert.equal(entries.length, 3);
      assert.equal(sim.stats().creates - creates, 3, 'three creates reached the simulator, once each');
      assert.deepEqual(entries.map((e) => e.label).sort(), ['A paper boat on a puddle (take 1)', 'A paper boat on a puddle (take 2)', 'A paper boat on a puddle (take 3)']);
      assert.equal(new Set(entries.map((e) => e.claim?.key)).size, 3, 'each take under its own claim');
      assert.equal(new Set(entries.map((e) => e.requestHash)).size, 1, 'the same request');
      assert.equal(new Set(entries.map((e) => e.outputPath)).size, 1, 'takes of the same video');
      for (const entry of entries) assert.deepEqual(entry.price, { seconds: 3, usd: '0.225', credits: '16.2' }, 'each journaled at one take\'s price');

      for (const entry of entries) await eventually(`${entry.label} to be saved`, () => (api.tasks.get(entry.id)?.state.status === 'saved' ? true : undefined), 90_000);
      const video = entries[0]!.outputPath!;
      const takes = readdirSync(takesDirOf(video)).filter((f) => f.endsWith('.mp4'));
      assert.equal(takes.length, 3, takes.join(', '));
      assert.ok(takes.some((f) => statSync(join(takesDirOf(video), f)).ino === statSync(video).ino), `${basename(video)} is one of the takes`);
      assert.equal(sim.stats().creates - creates, 3, 'nothing created again while saving');
    } finally {
      api.composer.view.askSpend = undefined;
    }
  });
});
