import * as assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import * as vscode from 'vscode';
import type { RenderResult } from '../../../../src/extension/storyboards/storyboardRenderer';
import { suite, test } from '../../harness/hostRunner';
import { klingExtension } from '../../kling/api/klingExtension';
import { diagnosticsWhen, lensesWhen, openStoryboard, workspaceDir } from '../storyboardBed';

// In Restricted Mode (a cloned repo not trusted yet) a storyboard is checked and priced like anywhere else, but
// nothing is rendered, so nothing can be spent from it.

const TEXT = `{
  "version": 1,
  "videos": [
    { "name": "hero", "prompt": "A dog", "duration": 5 },
    { "name": "broken", "prompt": "A cat", "duration": 99 }
  ]
}
`;

suite('storyboards in Restricted Mode', () => {
  test('a storyboard shows its diagnostics and prices, but cannot render', async () => {
    const api = await klingExtension();
    assert.equal(vscode.workspace.isTrusted, false, 'the suite opens an untrusted workspace');
    const uri = (await openStoryboard('untrusted.kling.json', TEXT)).document.uri;
    const [problem] = await diagnosticsWhen(uri, 'the duration problem', (d) => d.length === 1);
    assert.match(problem!.message, /got 99/);
    await lensesWhen(uri, 'the valid video priced', (t) => t.includes('$(play) Render · $0.375 · 5 s · 720p'));

    const sim = await api.backends.startSimulator();
    const creates = sim.stats().creates;
    for (const [command, args] of [
      ['klingStudio.storyboard.render', [uri]],
      ['klingStudio.storyboard.renderVideo', [uri, 'hero']],
    ] as const) {
      const result = await vscode.commands.executeCommand<RenderResult>(command, ...args);
      assert.deepEqual(result, { kind: 'refused', reason: 'Restricted Mode' }, command);
    }
    assert.equal(sim.stats().creates, creates, 'nothing reached the service');
    assert.deepEqual(api.tasks.entries(), [], 'nothing in the journal');
    assert.ok(!existsSync(join(workspaceDir(), 'untrusted')), 'no output folder');
  });
});
