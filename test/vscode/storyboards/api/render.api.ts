import * as assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, rmSync, unlinkSync } from 'node:fs';
import { join } from 'node:path';
import * as vscode from 'vscode';
import { pngBytes } from '../../../helpers/images';
import type { SpendQuestion } from '../../../../src/extension/generate/moneyGuard';
import type { RenderResult } from '../../../../src/extension/storyboards/storyboardRenderer';
import type { KlingTestApi } from '../../../../src/extension/extension';
import { after, before, suite, test } from '../../harness/hostRunner';
import { eventually, klingExtension } from '../../kling/api/klingExtension';
import { diagnosticsWhen, lenses, lensesWhen, openStoryboard, rangeOf, workspaceDir, write } from '../storyboardBed';
import { bundledMedia } from '../../kling/api/bundledMedia';

// Pricing, rendering and re-rendering a storyboard on the built-in simulator, counting what reaches it: what is
// up to date is never created (or paid for) again.

const LAUNCH = `{
  "version": 1,
  "output": "media/videos",
  "defaults": { "aspect_ratio": "16:9", "quality": "720p" },
  "videos": [
    { "name": "hero", "prompt": "A golden retriever running through a meadow", "duration": 5 },
    { "name": "trailer", "quality": "1080p", "shots": [ { "prompt": "Dawn on a hilltop", "duration": 4 }, { "prompt": "The city below", "duration": 6 } ] },
    { "name": "teaser", "prompt": "Product reveal, three angles", "duration": 9, "shots": "auto", "sound": "on" }
  ]
}
`;

suite('storyboard prices and rendering', () => {
  let api: KlingTestApi;
  let uri: vscode.Uri;
  const questions: SpendQuestion[] = [];

  before(async () => {
    api = await klingExtension();
    // No dialog can show under the test driver: the test answers the money question, and records it.
    api.storyboards.renderer.ask = async (question) => {
      questions.push(question);
      return true;
    };
    uri = (await openStoryboard('launch.kling.json', LAUNCH)).document.uri;
    await diagnosticsWhen(uri, 'a clean check', (d) => d.length === 0);
  });
  after(() => {
    api.storyboards.renderer.ask = undefined;
  });

  const simulator = () => api.backends.startSimulator();

  test('the CodeLens shows the price of each video and of rendering them all', async () => {
    const titles = await lensesWhen(uri, 'priced lenses', (t) => t.length === 4);
    assert.deepEqual(titles, [
      '$(play) Render all · $2.3875 · 3 videos',
      '$(play) Render · $0.375 · 5 s · 720p',
      '$(play) Render · $1.00 · 10 s · 1080p',
      '$(play) Render · $1.0125 · 9 s · 720p · sound',
    ]);
    const all = await lenses(uri);
    assert.deepEqual(
      all.map((l) => l.line),
      [1, 6, 7, 8],
      'the file lens at the top, each video lens on its line',
    );
    assert.equal(all[0]!.command, 'klingStudio.storyboard.render');
    assert.equal(all[1]!.command, 'klingStudio.storyboard.renderVideo');
    assert.deepEqual(all[1]!.args.slice(1), ['hero']);
  });

  test("hovering a video's name shows its price and state", async () => {
    const hovers = await vscode.commands.executeCommand<vscode.Hover[]>('vscode.executeHoverProvider', uri, rangeOf(LAUNCH, '"trailer"').start.translate(0, 3));
    const text = hovers.flatMap((h) => h.contents.map((c) => (typeof c === 'string' ? c : c.value))).join('\n');
    assert.match(text, /\*\*trailer\*\*/);
    assert.match(text, /\$1\.00 · 71\.982 credits — 10 s · 1080p · sound off/);
    assert.match(text, /Not rendered yet/);
  });

  test('Render all: the total is asked for, then every MP4 and its sidecar lands in "output"', async () => {
    const sim = await simulator();
    const before = { creates: sim.stats().creates, balance: sim.balance() };
    const result = await vscode.commands.executeCommand<RenderResult>('klingStudio.storyboard.render', uri);
    assert.equal(result.kind, 'rendered', JSON.stringify(result));
    assert.equal(questions.length, 1, 'one question for the whole storyboard');
    assert.equal(questions[0]!.message, 'Generate 3 videos of launch.kling.json for $2.3875 (171.882 credits)?');
    assert.match(questions[0]!.detail, /hero: 5 s · 720p · sound off — \$0\.375\ntrailer: 10 s · 1080p · sound off — \$1\.00\nteaser: 9 s · 720p · sound on — \$1\.0125/);
    assert.deepEqual(
      result.kind === 'rendered' ? result.outcomes.map((o) => `${o.name} ${o.kind}`) : [],
      ['hero saved', 'trailer saved', 'teaser saved'],
    );
    assert.equal(sim.stats().creates - before.creates, 3, 'three creates');
    assert.ok(sim.balance() < before.balance, 'the simulator charged them');

    const dir = join(workspaceDir(), 'media', 'videos');
    for (const [name, seconds] of [
      ['hero', 5],
      ['trailer', 10],
      ['teaser', 9],
    ] as const) {
      const file = join(dir, `${name}.mp4`);
      const info = await bundledMedia().readMp4Info(file);
      assert.ok(Math.abs(info.durationSeconds - seconds) < 0.1, `${name} lasts ${info.durationSeconds} s`);
      const sidecar = JSON.parse(readFileSync(`${file}.json`, 'utf8'));
      assert.equal(sidecar.storyboard, '../../launch.kling.json', `${name}'s sidecar names its storyboard`);
      assert.ok(sidecar.taskId?.startsWith('task-unified-'));
    }

    const titles = await lensesWhen(uri, 'up-to-date lenses', (t) => t[0]?.includes('up to date') === true);
    assert.deepEqual(titles, ['$(check) All 3 videos are up to date', '$(check) Up to date', 'Open', '$(check) Up to date', 'Open', '$(check) Up to date', 'Open']);

    const group = api.tree.getChildren().find((g) => g.kind === 'group' && g.storyboardPath === uri.fsPath);
    assert.ok(group, 'the Tasks view groups the tasks under their storyboard');
    assert.deepEqual(
      api.tree
        .getChildren(group)
        .map((n) => api.tree.getTreeItem(n).label)
        .sort(),
      ['hero', 'teaser', 'trailer'],
    );
  });

  test('Render all again: nothing is created, nothing is spent, nothing is asked', async () => {
    const sim = await simulator();
    const before = { stats: sim.stats(), balance: sim.balance(), questions: questions.length, tasks: api.tasks.entries().length };
    const result = await vscode.commands.executeCommand<RenderResult>('klingStudio.storyboard.render', uri);
    assert.equal(result.kind, 'nothing-to-do');
    assert.equal(sim.stats().creates, before.stats.creates, 'no create');
    assert.equal(sim.stats().uploads, before.stats.uploads, 'no upload');
    assert.equal(sim.balance(), before.balance, 'nothing spent');
    assert.equal(questions.length, before.questions, 'no price question: there is nothing to pay');
    assert.equal(api.tasks.entries().length, before.tasks, 'no new task in the journal');
  });

  test('an edited video is the only one to render; a double click creates it once, and its lens shows the progress', async () => {
    const sim = await simulator();
    const editor = await vscode.window.showTextDocument(uri);
    await editor.edit((edit) => edit.replace(rangeOf(LAUNCH, 'three angles'), 'four angles'));
    const titles = await lensesWhen(uri, 'the teaser to need rendering', (t) => t.some((x) => x.startsWith('$(play) Render ·')));
    assert.deepEqual(titles, ['$(play) Render all · $1.0125 · 3 videos (2 up to date)', '$(check) Up to date', 'Open', '$(check) Up to date', 'Open', '$(play) Render · $1.0125 · 9 s · 720p · sound']);

    const creates = sim.stats().creates;
    const asked = questions.length;
    const seen = new Set<string>();
    let rendering = true;
    const watching = (async () => {
      while (rendering) {
        for (const lens of await lenses(uri)) if (lens.title.startsWith('$(sync~spin)')) seen.add(`${lens.line === 1 ? 'file' : 'video'}: ${lens.title}`);
        await new Promise((resolve) => setTimeout(resolve, 25));
      }
    })();
    const [first, second] = await Promise.all([
      vscode.commands.executeCommand<RenderResult>('klingStudio.storyboard.renderVideo', uri, 'teaser'),
      vscode.commands.executeCommand<RenderResult>('klingStudio.storyboard.renderVideo', uri, 'teaser'),
    ]);
    rendering = false;
    await watching;
    assert.equal(sim.stats().creates - creates, 1, 'one create for two clicks');
    // $1.0125 is above klingStudio.confirmAboveUsd ($1): asked, once, by the first click; the second found it under way.
    assert.deepEqual(
      questions.slice(asked).map((q) => q.message),
      ['Generate teaser (9 s, 720p) of launch.kling.json for $1.0125 (72.9 credits)?'],
    );
    assert.equal(editor.document.isDirty, false, 'the storyboard was saved before rendering');
    assert.deepEqual([first.kind, second.kind].sort(), ['rendered', 'rendered']);
    const outcomes = [first, second].flatMap((r) => (r.kind === 'rendered' ? r.outcomes : []));
    assert.deepEqual(
      outcomes.map((o) => `${o.name} ${o.kind}`),
      ['teaser saved', 'teaser saved'],
      'the second click waited for the first one’s task',
    );
    const shown = [...seen];
    assert.ok(shown.includes('file: $(sync~spin) Rendering 1 of 3 videos'), `the file lens counted it: ${shown.join(', ')}`);
    const video = shown.filter((t) => t.startsWith('video: '));
    assert.ok(video.length > 0, `the video's lens showed the render under way: ${shown.join(', ')}`);
    assert.ok(
      video.every((t) => /^video: \$\(sync~spin\) (Sending|Queued|Rendering \d+%|Downloading( \d+%)?)$/.test(t)),
      video.join(', '),
    );
    await lensesWhen(uri, 'all up to date again', (t) => t[0] === '$(check) All 3 videos are up to date');
  });

  test('Open Result opens the video; a video not rendered yet says so', async () => {
    assert.equal(await vscode.commands.executeCommand('klingStudio.storyboard.openResult', uri, 'hero'), true);
    const tab = await eventually('the video tab', () => {
      const input = vscode.window.tabGroups.activeTabGroup.activeTab?.input as { uri?: vscode.Uri } | undefined;
      return input?.uri?.fsPath.endsWith('hero.mp4') ? input : undefined;
    });
    assert.equal(tab.uri!.fsPath, join(workspaceDir(), 'media', 'videos', 'hero.mp4'));
    // A rendered video has its sidecar: it opens in Kling Preview, beside the recipe that made it.
    assert.ok(tab instanceof vscode.TabInputCustom && tab.viewType === 'klingStudio.preview', 'the result opens in Kling Preview');
    assert.equal(await vscode.commands.executeCommand('klingStudio.storyboard.openResult', uri, 'nothing-here'), false);

    // From the palette, with no argument: the video at the cursor.
    const editor = await vscode.window.showTextDocument(uri);
    const inTrailer = rangeOf(LAUNCH, 'Dawn on a hilltop').start;
    editor.selection = new vscode.Selection(inTrailer, inTrailer);
    assert.equal(await vscode.commands.executeCommand('klingStudio.storyboard.openResult'), true);
    await eventually('the trailer tab', () => {
      const input = vscode.window.tabGroups.activeTabGroup.activeTab?.input as { uri?: vscode.Uri } | undefined;
      return input?.uri?.fsPath.endsWith('trailer.mp4') ? true : undefined;
    });
  });

  test('a deleted result makes its video "to render" again', async () => {
    const file = join(workspaceDir(), 'media', 'videos', 'hero.mp4');
    unlinkSync(file);
    await lensesWhen(uri, 'hero to render again', (t) => t.includes('$(play) Render · $0.375 · 5 s · 720p')).catch((error: Error) => {
      const seen = api.log.recent.filter((l) => l.message.startsWith('storyboards:') && !l.message.includes('.kling.json')).map((l) => l.message);
      throw new Error(`${error.message}; file events seen: ${seen.slice(-30).join(' | ')}`);
    });
  });

  test('a result deleted from an output folder made with its parents at once is noticed too', async () => {
    // The first render makes the whole of "renders/2026/clips" in one go, which the workspace's recursive watcher
    // can miss (parcel-bundler/watcher#97, a race); the flat watcher on the output folder does not depend on it.
    const text = `{ "version": 1, "output": "renders/2026/clips", "videos": [ { "name": "wave", "prompt": "A wave breaks", "duration": 3 } ] }\n`;
    const board = (await openStoryboard('deep.kling.json', text)).document.uri;
    await lensesWhen(board, 'the video priced', (t) => t.includes('$(play) Render · $0.225 · 3 s · 720p'));
    const result = await vscode.commands.executeCommand<RenderResult>('klingStudio.storyboard.render', board);
    assert.deepEqual(result.kind === 'rendered' ? result.outcomes.map((o) => `${o.name} ${o.kind}`) : result, ['wave saved']);
    await lensesWhen(board, 'the video up to date', (t) => t.some((title) => title.startsWith('$(check) Up to date')));
    unlinkSync(join(workspaceDir(), 'renders', '2026', 'clips', 'wave.mp4'));
    await lensesWhen(board, 'wave to render again', (t) => t.includes('$(play) Render · $0.225 · 3 s · 720p'));
  });

  test('an image-to-video video and an element: the images are uploaded, the element is created first, then the video', async () => {
    const sim = await simulator();
    write('assets/first.png', pngBytes(640, 360));
    write('assets/robot.png', pngBytes(400, 400));
    write('assets/robot-side.png', pngBytes(420, 400));
    const text = `{
  "version": 1,
  "videos": [
    { "name": "wave", "prompt": "<<<element_1>>> waves from the first frame", "image": "assets/first.png", "elements": ["robot"], "duration": 3 }
  ],
  "elements": [ { "name": "robot", "description": "A round orange robot", "frontal_image": "assets/robot.png", "refer_images": ["assets/robot-side.png"] } ]
}
`;
    const board = (await openStoryboard('frames.kling.json', text)).document.uri;
    const titles = await lensesWhen(board, 'the video priced', (t) => t.length === 2);
    assert.deepEqual(titles, ['$(play) Render all · $0.239 · 1 video', '$(play) Render · $0.225 · 3 s · 720p'], 'the element (1 credit, $0.014) is in the total');
    const before = sim.stats();
    const asked = questions.length;
    const result = await vscode.commands.executeCommand<RenderResult>('klingStudio.storyboard.renderVideo', board, 'wave');
    assert.deepEqual(result.kind === 'rendered' ? result.outcomes.map((o) => `${o.name} ${o.kind}`) : result, ['wave saved']);
    assert.equal(questions[asked]?.message, 'Generate wave (3 s, 720p) and 1 element of frames.kling.json for $0.239 (17.2 credits)?', 'a new element is always asked about');
    assert.ok(
      questions[asked]?.detail.includes(
        [
          'Images sent:',
          '· assets/robot.png (uploaded from this machine): front image of element "robot"',
          '· assets/robot-side.png (uploaded from this machine): reference image of element "robot"',
          '· assets/first.png (uploaded from this machine): first frame of wave',
        ].join('\n'),
      ),
      `the question lists the images that will be uploaded: ${questions[asked]?.detail}`,
    );
    assert.equal(sim.stats().uploads - before.uploads, 3, 'three images uploaded, each once');
    assert.equal(sim.stats().creates - before.creates, 2, 'the element, then the video');
    const tasks = sim.tasks().slice(-2);
    assert.deepEqual(
      tasks.map((t) => t.kind),
      ['element', 'video'],
    );
    const request = tasks[1]!.request as { model: string; image_start?: string; model_params?: { element_list?: Array<{ element_id: string }> } };
    assert.equal(request.model, 'kling-v3-image-to-video');
    assert.ok(request.image_start?.startsWith(sim.filesBaseUrl), `the frame is an uploaded file: ${request.image_start}`);
    assert.deepEqual(request.model_params?.element_list, [{ element_id: tasks[0]!.elementId }]);
    await lensesWhen(board, 'up to date', (t) => t[0] === '$(check) The video is up to date');
  });

  test('a video continuing another from its last frame: one render makes the source, takes its frame in a webview, then sends the other with it', async () => {
    const sim = await simulator();
    const text = `{
  "version": 1,
  "output": "continued",
  "videos": [
    { "name": "hero-on", "prompt": "The beam sweeps out to sea", "image": { "from": "hero", "frame": "last" }, "duration": 3 },
    { "name": "hero", "prompt": "A lighthouse at dusk", "duration": 3 }
  ]
}
`;
    const board = (await openStoryboard('continued.kling.json', text)).document.uri;
    await diagnosticsWhen(board, 'a clean check', (d) => d.length === 0);
    const before = sim.stats();
    const asked = questions.length;
    const result = await vscode.commands.executeCommand<RenderResult>('klingStudio.storyboard.render', board);
    assert.deepEqual(result.kind === 'rendered' ? result.outcomes.map((o) => `${o.name} ${o.kind}`) : result, ['hero-on saved', 'hero saved']);
    assert.equal(questions[asked]?.message, 'Generate 2 videos of continued.kling.json for $0.45 (32.4 credits)?', 'both priced before anything was spent');
    assert.equal(sim.stats().creates - before.creates, 2);

    const [hero, next] = sim.tasks().slice(-2) as Array<{ request: { prompt: string; model: string; image_start?: string } }>;
    assert.equal(hero!.request.prompt, 'A lighthouse at dusk', 'the source is created first');
    assert.equal(next!.request.model, 'kling-v3-image-to-video');
    const dir = join(workspaceDir(), 'continued');
    const sidecar = JSON.parse(readFileSync(join(dir, 'hero-on.mp4.json'), 'utf8')) as { request: { image_start?: string }; uploads?: Array<{ field: string; source: string; sha256: string }> };
    assert.equal(sidecar.request.image_start, next!.request.image_start);
    assert.deepEqual(sidecar.uploads?.map((u) => [u.field, u.source]), [['image_start', 'continued/hero.last.png']]);
    // The frame was decoded from the saved hero.mp4: a PNG of its size, recorded against its bytes.
    const png = readFileSync(join(dir, 'hero.last.png'));
    const info = await bundledMedia().readMp4Info(join(dir, 'hero.mp4'));
    assert.deepEqual({ width: png.readUInt32BE(16), height: png.readUInt32BE(20) }, { width: info.width, height: info.height });
    const record = JSON.parse(readFileSync(join(dir, 'hero.last.png.json'), 'utf8')) as { source: string; sourceSha256: string };
    assert.equal(record.source, 'hero.mp4');
    assert.equal(record.sourceSha256, createHash('sha256').update(readFileSync(join(dir, 'hero.mp4'))).digest('hex'));
    assert.equal(sidecar.uploads?.[0]?.sha256, createHash('sha256').update(png).digest('hex'), 'the frame sent is that PNG');
    await lensesWhen(board, 'both up to date', (t) => t[0] === '$(check) All 2 videos are up to date');
  });

  test('the Storyboards view lists the workspace storyboards and each video state, and follows files on disk', async () => {
    const tree = api.storyboards.tree;
    const roots = await tree.getChildren();
    const launch = roots.find((n) => n.uri.fsPath === uri.fsPath);
    assert.ok(launch, `launch.kling.json is listed: ${roots.map((r) => r.uri.fsPath).join(', ')}`);
    const item = await tree.getTreeItem(launch);
    assert.equal(item.label, 'launch.kling.json');
    assert.equal(item.description, '3 videos · $0.375 to render');
    const videos = await tree.getChildren(launch);
    const described = await Promise.all(videos.map(async (v) => `${(await tree.getTreeItem(v)).label}: ${(await tree.getTreeItem(v)).description}`));
    // The teaser was rendered again after its edit: a second take, chosen.
    assert.deepEqual(described, ['hero: $0.375 · 5 s · 720p', 'trailer: up to date', 'teaser: up to date · take 2 of 2']);
    assert.equal((await tree.getTreeItem(videos[1]!)).contextValue, 'storyboardVideo:up-to-date');

    const added = write('new-one.kling.json', '{ "version": 1, "videos": [ { "name": "x", "prompt": "y" } ] }\n');
    await eventually('the new storyboard in the view', async () => ((await tree.getChildren()).some((n) => n.uri.fsPath === added) ? true : undefined));
    rmSync(added);
    await eventually('the deleted storyboard to leave the view', async () => ((await tree.getChildren()).some((n) => n.uri.fsPath === added) ? undefined : true));
  });

  test('New Storyboard writes a scaffold that is valid, priced and ready to render', async () => {
    const target = vscode.Uri.file(join(workspaceDir(), 'scaffold.kling.json'));
    const created = await vscode.commands.executeCommand<vscode.Uri>('klingStudio.storyboard.new', target);
    assert.equal(created?.fsPath, target.fsPath);
    assert.ok(existsSync(target.fsPath));
    assert.equal(vscode.window.activeTextEditor?.document.uri.fsPath, target.fsPath, 'the new storyboard is open');
    await diagnosticsWhen(target, 'a clean scaffold', (d) => d.length === 0);
    const titles = await lensesWhen(target, 'the scaffold priced', (t) => t.length === 4);
    assert.equal(titles[0], '$(play) Render all · $1.80 · 3 videos');
    assert.equal(await vscode.commands.executeCommand('klingStudio.storyboard.new', target), undefined, 'an existing file is left as it is');
  });
});
