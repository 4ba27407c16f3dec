import * as assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as vscode from 'vscode';
import type { KlingTestApi } from '../../../../src/extension/extension';
import type { SpendQuestion } from '../../../../src/extension/generate/moneyGuard';
import type { RenderResult } from '../../../../src/extension/storyboards/storyboardRenderer';
import { after, before, suite, test } from '../../harness/hostRunner';
import { EXTENSION_ID, eventually, klingExtension } from '../../kling/api/klingExtension';
import { diagnosticsWhen, openStoryboard, workspaceDir } from '../storyboardBed';

// A terminal and the editor on one storyboard: `kling render` runs while the storyboard is open in VS Code. The
// editor sees the CLI's tasks through their claims beside the results, shows them in the Tasks view, and a Render
// click creates nothing (both would otherwise pay for the same videos).

const BESIDE = `{
  "version": 1,
  "output": "videos",
  "videos": [
    { "name": "tide", "prompt": "The tide comes in over black sand", "duration": 5 },
    { "name": "kelp", "prompt": "Kelp sways in green water", "duration": 5 }
  ]
}
`;

suite('the CLI renders a storyboard the editor has open', () => {
  let api: KlingTestApi;
  const questions: SpendQuestion[] = [];

  before(async () => {
    api = await klingExtension();
    api.storyboards.renderer.ask = async (question) => {
      questions.push(question);
      return true;
    };
  });
  after(() => {
    api.storyboards.renderer.ask = undefined;
  });

  test("the Tasks view shows the CLI's tasks, and Render creates nothing while they run", async () => {
    const uri = (await openStoryboard('beside/beside.kling.json', BESIDE)).document.uri;
    await diagnosticsWhen(uri, 'a clean check', (d) => d.length === 0);
    const cli = join(vscode.extensions.getExtension(EXTENSION_ID)!.extensionPath, 'dist', 'cli.js');
    const state = mkdtempSync(join(tmpdir(), 'kling-cli-beside-'));
    const child = spawn(process.execPath, [cli, 'render', 'beside.kling.json', '--simulator', '--yes'], {
      cwd: join(workspaceDir(), 'beside'),
      // Slow enough (250 ms a simulated second: some ten seconds a video) that they still run when Render is clicked.
      env: { ...process.env, KLING_STATE_DIR: state, KLING_SIMULATOR_TIME_SCALE: '250' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    const exited = new Promise<number | null>((resolve) => child.on('close', resolve));
    try {
      const simulator = await api.backends.startSimulator();
      const createsBefore = simulator.stats().creates;

      const followed = await eventually(
        "the CLI's two tasks in the Tasks view",
        () => {
          const fromCli = api.tasks.entries().filter((e) => e.startedBy === 'kling render' && e.storyboardPath === uri.fsPath);
          return fromCli.length === 2 ? fromCli : undefined;
        },
        30_000,
      );
      assert.deepEqual(followed.map((e) => e.videoName).sort(), ['kelp', 'tide']);
      const shown = api.tree.getTreeItem({ kind: 'task', id: followed[0]!.id });
      assert.match(String(shown.description), /kling render/, `the Tasks view says where it came from: ${String(shown.description)}`);
      assert.notEqual(followed[0]!.state.status, 'saved', `still running when Render is clicked (CLI: ${output})`);

      const result = await vscode.commands.executeCommand<RenderResult>('klingStudio.storyboard.render', uri);
      assert.equal(simulator.stats().creates, createsBefore, "the editor's simulator got no create");
      assert.deepEqual(questions, [], 'no price was asked: nothing was to be paid');
      assert.ok(result.kind === 'rendered' || result.kind === 'nothing-to-do', `render: ${result.kind}`);
      if (result.kind === 'rendered') assert.deepEqual(result.outcomes.map((o) => o.kind).sort(), ['saved', 'saved']);

      assert.equal(await exited, 0, output);
      const cliTasks = (JSON.parse(readFileSync(join(state, 'simulator.json'), 'utf8')) as { tasks: unknown[] }).tasks.length;
      assert.equal(cliTasks, 2, 'the CLI created each video once');
      const videos = join(workspaceDir(), 'beside', 'videos');
      // Each video once, with its sidecar; every render is also kept as a take in .takes.
      assert.deepEqual(readdirSync(videos).sort(), ['.takes', 'kelp.mp4', 'kelp.mp4.json', 'tide.mp4', 'tide.mp4.json']);
      for (const name of ['kelp', 'tide']) {
        assert.equal(readdirSync(join(videos, '.takes', name)).filter((f) => f.endsWith('.mp4')).length, 1, `one take of ${name}`);
      }
      await eventually('both tasks saved in the Tasks view', () =>
        followed.every((e) => api.tasks.get(e.id)?.state.status === 'saved') ? true : undefined,
      );
    } finally {
      if (child.exitCode === null) child.kill('SIGKILL');
      assert.ok(existsSync(state));
    }
  });
});
