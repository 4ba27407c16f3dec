import * as assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { mkdir, rename, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import * as vscode from 'vscode';
import { formatAmount } from '../../../../src/core/pricing/decimal';
import { priceVideo } from '../../../../src/core/pricing/pricing';
import { buildVideoRequest } from '../../../../src/core/request/buildRequest';
import { requestHash } from '../../../../src/core/request/requestHash';
import { suite, test } from '../../harness/hostRunner';
import { EXTENSION_ID, eventually, klingExtension } from '../../kling/api/klingExtension';
import { bundledMedia } from '../../kling/api/bundledMedia';

const KLING_PREVIEW = 'klingStudio.preview';

function workspaceDir(): string {
  const folder = vscode.workspace.workspaceFolders?.[0];
  assert.ok(folder, 'the API suite opens a workspace folder');
  return folder.uri.fsPath;
}

/** The custom editor (view type) of the active tab, and its file. */
function activeEditor(): { viewType: string; file: string } | undefined {
  const input = vscode.window.tabGroups.activeTabGroup.activeTab?.input;
  return input instanceof vscode.TabInputCustom ? { viewType: input.viewType, file: input.uri.fsPath } : undefined;
}

function previewTabsOf(file: string): vscode.Tab[] {
  return vscode.window.tabGroups.all
    .flatMap((group) => group.tabs)
    .filter((tab) => tab.input instanceof vscode.TabInputCustom && tab.input.viewType === KLING_PREVIEW && tab.input.uri.fsPath === file);
}

async function waitForActive(viewType: string, file: string): Promise<void> {
  await eventually(`${file} in ${viewType}`, () => {
    const active = activeEditor();
    return active?.viewType === viewType && active.file === file ? true : undefined;
  });
}

/** A real, playable simulator video (H.264, no sound) written straight into the workspace, with no sidecar. */
async function plainVideo(name: string, seconds = 3, folder = 'clips'): Promise<string> {
  const extension = vscode.extensions.getExtension(EXTENSION_ID)!;
  const bytes = await bundledMedia().renderSimulatedVideo({ clipsDir: bundledMedia().findSimulatorClipsDir(extension.extensionPath), durationSeconds: seconds, width: 720, height: 720 });
  const file = join(workspaceDir(), folder, name);
  await mkdir(join(workspaceDir(), folder), { recursive: true });
  await writeFile(file, bytes);
  return file;
}

async function savedSimulatorVideo(prompt: string): Promise<{ id: string; file: string }> {
  const api = await klingExtension();
  const request = buildVideoRequest({ prompt, duration: 3, aspect_ratio: '1:1', quality: '720p', sound: 'off' });
  const price = priceVideo({ duration: 3 });
  const slug = prompt.replace(/[^a-z]+/gi, '-').toLowerCase();
  const entry = await api.tasks.submit({
    kind: 'video',
    label: prompt,
    request,
    requestHash: requestHash(request),
    price: { seconds: price.seconds, usd: formatAmount(price.usd), credits: formatAmount(price.credits) },
    backend: { kind: 'simulator' },
    outputPath: join(workspaceDir(), 'kling-videos', `${slug}.mp4`),
  });
  const saved = await eventually('the task to be saved', () => {
    const now = api.tasks.get(entry.id);
    return now?.state.status === 'saved' ? now.state.filePath : undefined;
  }, 60_000);
  return { id: entry.id, file: saved };
}

suite('Kling Preview', () => {
  test('a finished task with a sidecar opens in Kling Preview from the Tasks view', async () => {
    const api = await klingExtension();
    const { id, file } = await savedSimulatorVideo('A paper lantern over a lake');
    assert.ok(existsSync(`${file}.json`), 'the sidecar is beside the video');
    const item = api.tree.getTreeItem({ kind: 'task', id });
    assert.equal(item.command?.command, 'klingStudio.task.open', "a click on the task's row opens it");
    await vscode.commands.executeCommand(item.command.command, ...(item.command.arguments ?? []));
    await waitForActive(KLING_PREVIEW, file);
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
  }, { timeoutMs: 90_000 });

  test("VS Code's own video preview stays the default; a task's video without a sidecar opens there", async () => {
    const { id, file } = await savedSimulatorVideo('A kettle on a stove');
    await vscode.commands.executeCommand('vscode.open', vscode.Uri.file(file));
    await waitForActive('vscode.videoPreview', file);
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');

    await rm(`${file}.json`);
    await vscode.commands.executeCommand('klingStudio.task.open', id);
    await waitForActive('vscode.videoPreview', file);
    assert.deepEqual(previewTabsOf(file), [], 'no Kling Preview for a video without a recipe from the Tasks view');
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
  }, { timeoutMs: 90_000 });

  test('klingStudio.openPreview opens any MP4 in Kling Preview, given a Uri or a path, and nothing else', async () => {
    const file = await plainVideo('no-recipe.mp4');
    await vscode.commands.executeCommand('klingStudio.openPreview', vscode.Uri.file(file));
    await waitForActive(KLING_PREVIEW, file);
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
    await vscode.commands.executeCommand('klingStudio.openPreview', file);
    await waitForActive(KLING_PREVIEW, file);
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');

    const notes = join(workspaceDir(), 'clips', 'notes.txt');
    await writeFile(notes, 'not a video\n');
    // The command has decided once it returns (it awaits what it opens): nothing to wait for after it.
    assert.equal(await vscode.commands.executeCommand('klingStudio.openPreview', vscode.Uri.file(notes)), false, 'the command says it did not open it');
    assert.equal(vscode.window.tabGroups.all.flatMap((group) => group.tabs).length, 0, 'a text file is not opened in Kling Preview');
  }, { timeoutMs: 60_000 });

  test('the preview stays open when a finished download is renamed over its video, and closes when the video is deleted', async () => {
    // In a folder made with its parents at once, as a first download makes one: the workspace's watcher can miss it.
    const file = await plainVideo('doomed.mp4', 3, join('takes', '2026', 'doomed'));
    await vscode.commands.executeCommand('klingStudio.openPreview', vscode.Uri.file(file));
    await waitForActive(KLING_PREVIEW, file);

    // What the downloader does at the end: the whole file under a .part name, renamed over the target.
    const extension = vscode.extensions.getExtension(EXTENSION_ID)!;
    const longer = await bundledMedia().renderSimulatedVideo({ clipsDir: bundledMedia().findSimulatorClipsDir(extension.extensionPath), durationSeconds: 4, width: 720, height: 720 });
    const api = await klingExtension();
    const logged = api.log.recent.length;
    await writeFile(`${file}.part`, longer);
    await rename(`${file}.part`, file);
    // The preview decides once the file's events stop, and says what it did.
    const decided = await eventually('the preview to look at the replaced file', () =>
      api.log.recent.slice(logged).find((line) => line.message.startsWith('Kling Preview: doomed.mp4 changed')),
    );
    assert.equal(decided.message, 'Kling Preview: doomed.mp4 changed; shown again');
    assert.equal(previewTabsOf(file).length, 1, 'the preview is still open after the file was replaced');

    await rm(file);
    await eventually('the preview to close', () => (previewTabsOf(file).length === 0 ? true : undefined), 15_000);
  }, { timeoutMs: 60_000 });

  test('Copy HTML: the <video> element of the video in Kling Preview on the clipboard, src from public/, its size, the poster once hero.jpg is beside it', async () => {
    const file = await plainVideo('hero.mp4', 3, join('site', 'public', 'videos'));
    await vscode.commands.executeCommand('klingStudio.openPreview', vscode.Uri.file(file));
    await waitForActive(KLING_PREVIEW, file);
    await vscode.env.clipboard.writeText('something else');
    const copied = await vscode.commands.executeCommand<string>('klingStudio.copyVideoHtml');
    assert.equal(copied, '<video src="/videos/hero.mp4" width="720" height="720" autoplay muted loop playsinline></video>', 'no poster: hero.jpg is not there');
    assert.equal(await vscode.env.clipboard.readText(), copied);

    await writeFile(join(workspaceDir(), 'site', 'public', 'videos', 'hero.jpg'), Buffer.from([0xff, 0xd8, 0xff, 0xd9]));
    const withPoster = await vscode.commands.executeCommand<string>('klingStudio.copyVideoHtml', vscode.Uri.file(file));
    assert.equal(withPoster, '<video src="/videos/hero.mp4" poster="/videos/hero.jpg" width="720" height="720" autoplay muted loop playsinline></video>');
    assert.equal(await vscode.env.clipboard.readText(), withPoster);

    // Outside a served folder: relative to the workspace.
    const plain = await plainVideo('teaser.mp4', 3, 'kling-videos');
    assert.equal(await vscode.commands.executeCommand<string>('klingStudio.copyVideoHtml', vscode.Uri.file(plain)), '<video src="kling-videos/teaser.mp4" width="720" height="720" autoplay muted loop playsinline></video>');
  }, { timeoutMs: 60_000 });
});
