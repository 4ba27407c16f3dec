import * as assert from 'node:assert/strict';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import * as vscode from 'vscode';
import { emptyDraft, type ComposerDraft } from '../../../../src/core/composer/composerForm';
import { buildVideoRequest } from '../../../../src/core/request/buildRequest';
import { suite, test } from '../../harness/hostRunner';
import { bundledMedia } from '../../kling/api/bundledMedia';
import { eventually, klingExtension } from '../../kling/api/klingExtension';

const draft = (change: Partial<ComposerDraft> = {}): ComposerDraft => ({ ...emptyDraft(), prompt: 'A heron lifts off a misty lake', duration: '3', ...change });

function workspaceDir(): string {
  const folder = vscode.workspace.workspaceFolders?.[0];
  assert.ok(folder, 'the API suite opens a workspace folder');
  return folder.uri.fsPath;
}

suite('the composer\'s host', () => {
  test('ignores messages of a forged shape with a log line, and an invalid form without sending anything', async () => {
    const api = await klingExtension();
    const before = api.tasks.entries().length;
    const logged = api.log.recent.length;
    const forged: unknown[] = [
      undefined,
      'composer/generate',
      { type: 'composer/generate' },
      { type: 'composer/generate', draft: { ...draft(), quality: '4k' } },
      { type: 'composer/generate', draft: draft(), request: { model: 'kling-v3-text-to-video', prompt: 'free', duration: 15 } },
      { type: 'composer/setUp', action: 'workbench.action.terminal.new' },
      { type: 'composer/openFile', path: '/etc/passwd' },
    ];
    for (const message of forged) await api.composer.view.receive(message);
    await api.composer.view.receive({ type: 'composer/generate', draft: draft({ prompt: '', multi_shot: 'auto' }) });
    await api.composer.view.receive({ type: 'composer/generate', draft: draft({ multi_shot: 'custom', shots: [{ prompt: 'a', duration: '2' }] }) });

    const lines = api.log.recent.slice(logged).filter((l) => l.level === 'warn').map((l) => l.message);
    assert.equal(lines.filter((l) => l.startsWith('composer: ignored a message from the page that does not fit the protocol')).length, forged.length, lines.join('\n'));
    assert.ok(lines.some((l) => /"composer\/generate": .* at draft\.quality/.test(l)), lines.join('\n'));
    assert.ok(lines.some((l) => /"composer\/openFile"/.test(l)), lines.join('\n'));
    assert.ok(lines.includes('composer: refused to generate from a form that is not valid (prompt: Describe the video: the model plans its shots from this prompt.)'), lines.join('\n'));
    assert.ok(lines.some((l) => /refused to generate .*shots: The shots add up to 2 s; a video is 3 to 15 s: change the shots/.test(l)), lines.join('\n'));
    assert.equal(api.tasks.entries().length, before, 'nothing was submitted');
  });

  test('a valid form goes through the money guards and the journal, once, however often it is sent', async () => {
    const api = await klingExtension();
    const before = new Set(api.tasks.entries().map((e) => e.id));
    const message = { type: 'composer/generate', draft: draft({ aspect_ratio: '9:16', negative_prompt: 'fog' }) };
    // A double Ctrl+Enter: the second arrives while the first is being sent.
    await Promise.all([api.composer.view.receive(message), api.composer.view.receive(message)]);
    const added = api.tasks.entries().filter((e) => !before.has(e.id));
    assert.equal(added.length, 1, 'one task for two sends');
    const entry = added[0]!;
    assert.equal(entry.label, 'A heron lifts off a misty lake');
    assert.deepEqual(entry.request, buildVideoRequest({ prompt: 'A heron lifts off a misty lake', negative_prompt: 'fog', duration: 3, aspect_ratio: '9:16', quality: '720p', sound: 'off' }));
    assert.deepEqual(entry.price, { seconds: 3, usd: '0.225', credits: '16.2' });
    assert.equal(entry.backend.kind, 'simulator');
    assert.ok(entry.outputPath?.startsWith(join(workspaceDir(), 'kling-videos', 'a-heron-lifts-off-a-misty-lake-')), entry.outputPath);
    assert.ok(api.log.recent.some((l) => l.message === 'composer: a Generate is already under way; ignored another'));
    await eventually('the composed task to be saved', () => (api.tasks.get(entry.id)?.state.status === 'saved' ? true : undefined), 60_000);
  });

  test('Web-ready: the composed video is saved fast start (moov before mdat) with its poster <name>.jpg beside it, decoded in a webview', async () => {
    const api = await klingExtension();
    const before = new Set(api.tasks.entries().map((e) => e.id));
    await api.composer.view.receive({ type: 'composer/generate', draft: draft({ prompt: 'A paper boat drifts across a pond', file_name: 'paper-boat', web: true }) });
    const entry = api.tasks.entries().find((e) => !before.has(e.id));
    assert.ok(entry, 'a task was created');
    const file = join(workspaceDir(), 'kling-videos', 'paper-boat.mp4');
    assert.equal(entry.outputPath, file);
    const poster = join(workspaceDir(), 'kling-videos', 'paper-boat.jpg');
    await eventually('the poster paper-boat.jpg beside the saved video', () => (existsSync(poster) ? true : undefined), 90_000);
    const jpeg = readFileSync(poster);
    assert.equal(jpeg.readUInt16BE(0), 0xffd8, 'a JPEG');
    const info = await bundledMedia().readMp4Info(file);
    assert.equal(info.fastStart, true, 'moov before mdat');
    const sidecar = JSON.parse(readFileSync(`${file}.json`, 'utf8')) as { bytes: number };
    assert.equal(sidecar.bytes, statSync(file).size, 'the sidecar counts the file as it is now');
    assert.ok(api.log.recent.some((l) => l.message.startsWith('composer: paper-boat.mp4 made web-ready (') && l.message.includes('poster paper-boat.jpg')), 'the log says what was done');
  });

  test('Edit in Composer takes a storyboard and a video name, shows the composer, and refuses what it cannot load', async () => {
    const api = await klingExtension();
    const board = vscode.Uri.file(join(workspaceDir(), 'boards', 'launch.kling.json'));
    assert.equal(await vscode.commands.executeCommand('klingStudio.storyboard.editInComposer', board, 'teaser'), true);
    await eventually('the composer page to load and say ready', () => (api.composer.view.isPageReady() ? true : undefined), 30_000);
    assert.equal(await vscode.commands.executeCommand('klingStudio.storyboard.editInComposer', board.toString(), 'hero'), true, 'a URI as text works too');
    assert.equal(
      await vscode.commands.executeCommand('klingStudio.storyboard.editInComposer', { kind: 'video', uri: board, name: 'teaser', index: 1 }),
      true,
      'a video item of the Storyboards view',
    );
    assert.equal(await vscode.commands.executeCommand('klingStudio.storyboard.editInComposer', board, 'missing'), false);
    assert.equal(await vscode.commands.executeCommand('klingStudio.storyboard.editInComposer', vscode.Uri.file(join(workspaceDir(), 'notes.txt')), 'hero'), false);
    assert.equal(await vscode.commands.executeCommand('klingStudio.storyboard.editInComposer', 42, {}), false);
  });

  test('Edit in Composer for a request (the preview calls it for a video made from a prompt) takes the request, and refuses others', async () => {
    await klingExtension();
    const request = buildVideoRequest({ prompt: 'A kite', duration: 4, aspect_ratio: '1:1', quality: '720p', sound: 'off', shots: 'auto' });
    assert.equal(await vscode.commands.executeCommand('klingStudio.composer.editRequest', { request, label: 'A kite' }), true);
    assert.equal(await vscode.commands.executeCommand('klingStudio.composer.editRequest', { request: { model: 'kling-custom-element' } }), false);
    assert.equal(await vscode.commands.executeCommand('klingStudio.composer.editRequest'), false);
  });
});
