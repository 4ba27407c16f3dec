import * as assert from 'node:assert/strict';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import * as vscode from 'vscode';
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

  // Desktop VS Code moves files to the OS trash; a workspace on code-server's server (as here, and as in any remote
  // workspace) has no trash, so this test sees the second question and the delete for good.
  test('Delete where the file system has no trash: a second question, then it is deleted for good', async () => {
    const keep = statSync(video()).ino;
    const doomed = takeFiles().map((f) => join(takesDir(), f)).find((f) => statSync(f).ino !== keep)!;
    deleteQuestions.length = 0;
    answers = [true, false];
    assert.equal(await vscode.commands.executeCommand('klingStudio.deleteTake', vscode.Uri.file(doomed)), false);
    assert.ok(existsSync(doomed), 'no to "for good": kept');
    deleteQuestions.length = 0;
    answers = [true, true];
    assert.equal(await vscode.commands.executeCommand('klingStudio.deleteTake', vscode.Uri.file(doomed)), true);
    assert.equal(existsSync(doomed), false);
    assert.equal(existsSync(`${doomed}.json`), false, 'its sidecar went with it');
    assert.equal(deleteQuestions.length, 2, deleteQuestions.join(' | '));
    assert.match(deleteQuestions[1]!, /^Take [12] of kite\.mp4 cannot go to the trash\. Delete it for good\?$/);
    await lensesWhen(uri, 'no takes lens for a single take', (t) => !t.some((title) => title.includes('takes')) && t.includes('$(check) Up to date'));
  });
});
