import * as assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import * as vscode from 'vscode';
import { formatAmount } from '../../../../src/core/pricing/decimal';
import { priceVideo } from '../../../../src/core/pricing/pricing';
import { buildVideoRequest } from '../../../../src/core/request/buildRequest';
import { requestHash } from '../../../../src/core/request/requestHash';
import type { SubmitDraft } from '../../../../src/core/tasks/taskEngine';
import { suite, test } from '../../harness/hostRunner';
import { eventually, klingExtension } from './klingExtension';
import { bundledMedia } from './bundledMedia';

function workspaceDir(): string {
  const folder = vscode.workspace.workspaceFolders?.[0];
  assert.ok(folder, 'the API suite opens a workspace folder');
  return folder.uri.fsPath;
}

function draft(prompt: string, changes: Partial<SubmitDraft> = {}): SubmitDraft {
  const request = buildVideoRequest({ prompt, duration: 3, aspect_ratio: '9:16', quality: '720p', sound: 'off' });
  const price = priceVideo({ duration: 3 });
  const slug = prompt.replace(/[^a-z]+/gi, '-').toLowerCase().slice(0, 20);
  return {
    kind: 'video',
    label: prompt,
    request,
    requestHash: requestHash(request),
    price: { seconds: price.seconds, usd: formatAmount(price.usd), credits: formatAmount(price.credits) },
    backend: { kind: 'simulator' },
    outputPath: join(workspaceDir(), 'kling-videos', `${slug}.mp4`),
    ...changes,
  };
}

suite('tasks on the built-in simulator', () => {
  test('a generation is journaled, shown in the Tasks view, polled, downloaded and saved with its sidecar', async () => {
    const api = await klingExtension();
    const entry = await api.tasks.submit(draft('A paper boat on a rainy street'));
    assert.ok(entry.taskId?.startsWith('task-unified-'), 'the service gave a task id');

    const groups = api.tree.getChildren();
    const adHoc = groups.find((g) => g.kind === 'group' && g.label === 'Ad hoc');
    assert.ok(adHoc, 'an "Ad hoc" group');
    const items = api.tree.getChildren(adHoc).map((node) => api.tree.getTreeItem(node));
    const item = items.find((i) => String(i.label).endsWith('A paper boat on a rainy street'));
    assert.ok(item, 'the task is in the Tasks view at once');
    // The progress leads the label: a narrow side bar cuts the description after it first.
    assert.match(String(item.label), /^(sending…|queued|\d+%|downloading( \d+%)?) · A paper boat on a rainy street$/);
    assert.equal(item.contextValue, 'task:running');

    const saved = await eventually('the task to be saved', () => {
      const now = api.tasks.get(entry.id);
      return now?.state.status === 'saved' ? now : undefined;
    });
    const done = api.tree.getTreeItem({ kind: 'task', id: entry.id });
    assert.equal(done.contextValue, 'task:saved');
    assert.match(String(done.description), /paper-boat.*\.mp4/);
    assert.equal(done.command?.command, 'klingStudio.task.open');

    const file = saved.state.status === 'saved' ? saved.state.filePath : '';
    assert.ok(file.startsWith(join(workspaceDir(), 'kling-videos')), `saved in the workspace's output folder: ${file}`);
    const info = await bundledMedia().readMp4Info(file);
    assert.ok(Math.abs(info.durationSeconds - 3) < 0.1, `duration ${info.durationSeconds}`);
    assert.deepEqual([info.width, info.height], [720, 1280]);
    const sidecar = JSON.parse(readFileSync(`${file}.json`, 'utf8'));
    assert.equal(sidecar.taskId, entry.taskId);
    assert.equal(sidecar.requestHash, entry.requestHash);
    assert.equal(sidecar.simulated, true);
    assert.deepEqual(readdirSync(join(workspaceDir(), 'kling-videos')).filter((f) => f.endsWith('.part')), [], 'no partial file left');
  });

  test("a task's progress redraws its own row only, never the other rows (a hover or menu on them stays open)", async () => {
    const api = await klingExtension();
    const earlier = await api.tasks.submit(draft('A quiet harbour at dawn'));
    await eventually('the first task to be saved', () => (api.tasks.get(earlier.id)?.state.status === 'saved' ? true : undefined));
    // The view draws the rows, as VS Code does when it shows them: the nodes it will be told about are these.
    const draw = () => api.tree.getChildren().forEach((group) => [group, ...api.tree.getChildren(group)].forEach((node) => api.tree.getTreeItem(node)));
    draw();
    const events: Array<unknown> = [];
    const listener = api.tree.onDidChangeTreeData((changed) => {
      events.push(changed);
      draw();
    });
    try {
      const moving = await api.tasks.submit(draft('A tram through falling snow'));
      await eventually('the second task to be saved', () => (api.tasks.get(moving.id)?.state.status === 'saved' ? true : undefined));
      const rowsRedrawn = events.filter((e): e is Array<{ kind: string; id?: string }> => Array.isArray(e));
      assert.ok(rowsRedrawn.length >= 2, `the moving task redrew its row as it went (${events.length} changes)`);
      const others = rowsRedrawn.flat().filter((node) => node.kind === 'task' && node.id !== moving.id);
      assert.deepEqual(others, [], 'rows of tasks that did not change were redrawn');
      // Only its arrival redraws the whole tree (a row comes); the polls and the end redraw rows.
      assert.ok(events.filter((e) => e === undefined).length <= 1, `the whole tree was redrawn ${events.filter((e) => e === undefined).length} times`);
    } finally {
      listener.dispose();
    }
  });

  test('a failed task shows as failed, with the service message verbatim in its tooltip', async () => {
    const api = await klingExtension();
    const entry = await api.tasks.submit(draft('[fail:content_policy_violation] A forbidden scene'));
    await eventually('the task to fail', () => (api.tasks.get(entry.id)?.state.status === 'failed' ? true : undefined));
    const item = api.tree.getTreeItem({ kind: 'task', id: entry.id });
    assert.equal(item.contextValue, 'task:failed');
    assert.equal(item.description, 'content policy violation');
    const state = api.tasks.get(entry.id)!.state;
    assert.ok(state.status === 'failed' && state.retryable === false);
    const tooltip = (item.tooltip as vscode.MarkdownString).value.replace(/\\(.)/g, '$1');
    assert.ok(tooltip.includes(state.message), `the verbatim message is in the tooltip: ${tooltip}`);
    assert.ok(!existsSync(entry.outputPath!), 'no video for a failed task');
  });

  test('tasks from a storyboard are grouped under it', async () => {
    const api = await klingExtension();
    const storyboardPath = join(workspaceDir(), 'boards', 'launch.kling.json');
    const entry = await api.tasks.submit(draft('A lighthouse at dusk', { storyboardPath, videoName: 'lighthouse' }));
    const group = api.tree.getChildren().find((g) => g.kind === 'group' && g.storyboardPath === storyboardPath);
    assert.ok(group && group.kind === 'group', 'a group for the storyboard');
    assert.equal(group.label, join('boards', 'launch.kling.json'));
    assert.deepEqual(api.tree.getChildren(group), [{ kind: 'task', id: entry.id }]);
    await eventually('the storyboard task to end', () => (api.tasks.get(entry.id)?.state.status === 'saved' ? true : undefined));
  });

  test('the API key goes to secret storage, never to settings', async () => {
    const api = await klingExtension();
    const key = 'sk-test-never-in-settings-7f3a9c';
    await api.keys.set(key);
    try {
      assert.equal(api.keys.get(), key);
      const settingsFile = join(api.storagePath, '..', '..', 'settings.json');
      const settings = existsSync(settingsFile) ? readFileSync(settingsFile, 'utf8') : '';
      assert.ok(!settings.includes(key), 'the key is in the user settings');
      const inspected = JSON.stringify(vscode.workspace.getConfiguration('klingStudio'));
      assert.ok(!inspected.includes(key), 'the key is in a klingStudio setting');
      assert.ok(!api.log.recent.some((line) => line.message.includes(key)), 'the key is in the log');
    } finally {
      await api.keys.clear();
    }
    assert.equal(api.keys.get(), undefined);
  });

  test('klingStudio.recordHar records the exchanges (create, polls, the download) as HAR, without the key or the video bytes', async () => {
    const api = await klingExtension();
    const file = join(api.storagePath, 'recorded.har');
    const settings = vscode.workspace.getConfiguration('klingStudio');
    await settings.update('recordHar', file, vscode.ConfigurationTarget.Global);
    try {
      const entry = await api.tasks.submit(draft('A kite over the dunes'));
      const saved = await eventually('the recorded task to be saved', () => (api.tasks.get(entry.id)?.state.status === 'saved' ? api.tasks.get(entry.id) : undefined));
      type Har = { log: { version: string; entries: Array<{ request: { method: string; url: string; headers: Array<{ name: string; value: string }> }; response: { status: number; content: { size: number; text?: string } } }> } };
      const har = await eventually('the HAR file to hold the download', () => {
        if (!existsSync(file)) return undefined;
        const read = JSON.parse(readFileSync(file, 'utf8')) as Har;
        return read.log.entries.some((e) => /\.mp4(\?|$)/.test(e.request.url)) ? read : undefined;
      });
      assert.equal(har.log.version, '1.2');
      const paths = har.log.entries.map((e) => `${e.request.method} ${new URL(e.request.url).pathname}`);
      assert.ok(paths.includes('POST /v1/videos/generations'), paths.join('\n'));
      assert.ok(paths.includes(`GET /v1/tasks/${saved!.taskId}`), paths.join('\n'));
      const video = har.log.entries.find((e) => /\.mp4(\?|$)/.test(e.request.url))!;
      assert.equal(video.response.status, 200);
      assert.equal(video.response.content.text, undefined, 'no video bytes');
      assert.ok(video.response.content.size > 1000);
      for (const e of har.log.entries) {
        const auth = e.request.headers.find((h) => h.name === 'authorization');
        if (auth) assert.equal(auth.value, '[left out]');
      }
      assert.ok(!readFileSync(file, 'utf8').includes('Bearer'), 'no key in any form');
    } finally {
      await settings.update('recordHar', undefined, vscode.ConfigurationTarget.Global);
    }
  });
});
