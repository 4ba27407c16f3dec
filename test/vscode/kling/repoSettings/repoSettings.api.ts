import * as assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import * as vscode from 'vscode';
import type { KlingTestApi } from '../../../../src/extension/extension';
import type { SpendQuestion } from '../../../../src/extension/generate/moneyGuard';
import { klingSettings } from '../../../../src/extension/settings/klingSettings';
import type { RenderResult } from '../../../../src/extension/storyboards/storyboardRenderer';
import { after, before, suite, test } from '../../harness/hostRunner';
import { diagnosticsWhen, openStoryboard, workspaceDir } from '../../storyboards/storyboardBed';
import { eventually, klingExtension } from '../api/klingExtension';
import { hostileSettings, OUTPUT_FOLDER_AT_OPEN, USER_DAILY_BUDGET_USD, writeHostileWorkspace } from './repoSettings';

// issue 10, item 7: a trusted repository must not be able to send the key elsewhere or lift the money guards.
// klingStudio.baseUrl, backend, confirmAboveUsd and dailyBudgetUsd are application-scoped, so VS Code ignores them
// in workspace settings; klingStudio.outputFolder is resource-scoped, so the same file does set it, which is how
// these tests know VS Code has read the file before they look at the rest.

/** What the user's settings (and the defaults) say, whatever the workspace's file says. */
const USER_VALUES = { backend: 'simulator', baseUrl: 'https://api.evolink.ai', confirmAboveUsd: 1, dailyBudgetUsd: USER_DAILY_BUDGET_USD };

function effective() {
  const config = vscode.workspace.getConfiguration('klingStudio');
  return {
    // As VS Code gives them to any reader…
    raw: { backend: config.get('backend'), baseUrl: config.get('baseUrl'), confirmAboveUsd: config.get('confirmAboveUsd'), dailyBudgetUsd: config.get('dailyBudgetUsd') },
    // …and as the extension's own settings module reads them.
    extension: {
      backend: klingSettings.backend(),
      baseUrl: klingSettings.baseUrl(),
      confirmAboveUsd: klingSettings.confirmAboveUsd(),
      dailyBudgetUsd: klingSettings.dailyBudgetUsd(),
    },
  };
}

function outputFolderIs(folder: string): Promise<true> {
  return eventually(`VS Code to read the workspace's settings (outputFolder ${folder})`, () =>
    vscode.workspace.getConfiguration('klingStudio').get('outputFolder') === folder ? true : undefined,
  );
}

/** One video of 10 s at 1080p with sound: $1.50, above the default confirmation threshold of $1. */
const storyboard = (name: string, prompt: string) =>
  `{ "version": 1, "output": "media", "videos": [ { "name": "${name}", "prompt": "${prompt}", "duration": 10, "quality": "1080p", "sound": "on" } ] }\n`;

suite('settings a repository cannot set', () => {
  let api: KlingTestApi;
  let attacker: Server;
  const attackerSaw: string[] = [];
  const questions: SpendQuestion[] = [];

  before(async () => {
    api = await klingExtension();
    api.storyboards.renderer.ask = async (question) => {
      questions.push(question);
      return true;
    };
    attacker = createServer((req, res) => {
      attackerSaw.push(`${req.method} ${req.url} ${req.headers.authorization ? '(with a key)' : ''}`);
      req.resume();
      res.writeHead(500).end();
    });
    await new Promise<void>((resolve) => attacker.listen(0, '127.0.0.1', resolve));
  });
  after(async () => {
    api.storyboards.renderer.ask = undefined;
    await new Promise<void>((resolve) => attacker.close(() => resolve()));
  });

  test("the workspace's .vscode/settings.json, there when the folder opened, changes none of the four", async () => {
    await outputFolderIs(OUTPUT_FOLDER_AT_OPEN);
    const values = effective();
    assert.deepEqual(values.raw, USER_VALUES);
    assert.deepEqual(values.extension, USER_VALUES);
    assert.deepEqual(api.backends.current(), { kind: 'simulator' });
  });

  test('rewritten to point at a live attacker: the values stay, a render asks at $1 and goes to the simulator, then the budget stops it', async () => {
    const attackerUrl = `http://127.0.0.1:${(attacker.address() as AddressInfo).port}`;
    writeHostileWorkspace(workspaceDir(), hostileSettings(attackerUrl, 'repo-videos-2'));
    await outputFolderIs('repo-videos-2');
    assert.deepEqual(effective().extension, USER_VALUES);

    const simulator = await api.backends.startSimulator();
    const creates = simulator.stats().creates;
    const first = (await openStoryboard('first.kling.json', storyboard('first', 'A lighthouse at dusk'))).document.uri;
    await diagnosticsWhen(first, 'a clean check', (d) => d.length === 0);
    const rendered = await vscode.commands.executeCommand<RenderResult>('klingStudio.storyboard.render', first);
    assert.equal(rendered.kind, 'rendered', JSON.stringify(rendered));
    assert.equal(questions.length, 1, 'the price is asked above the user threshold of $1 (the repo said $1000)');
    assert.match(questions[0]!.message, /for \$1\.50/);
    assert.deepEqual(rendered.kind === 'rendered' ? rendered.outcomes.map((o) => o.kind) : [], ['saved']);
    assert.equal(simulator.stats().creates - creates, 1, 'created on the built-in simulator, the user backend');

    // $1.50 spent today; another $1.50 would pass the user's $2 budget (the repo said $1,000,000).
    const second = (await openStoryboard('second.kling.json', storyboard('second', 'A harbour at dawn'))).document.uri;
    await diagnosticsWhen(second, 'a clean check', (d) => d.length === 0);
    const refused = await vscode.commands.executeCommand<RenderResult>('klingStudio.storyboard.render', second);
    assert.equal(refused.kind, 'cancelled', JSON.stringify(refused));
    assert.equal(questions.length, 1, 'refused by the budget before any question');
    assert.equal(simulator.stats().creates - creates, 1, 'nothing more created');

    assert.deepEqual(attackerSaw, [], 'nothing reached the address the repository named');
    const logged = api.log.recent.map((line) => line.message).filter((message) => message.includes(attackerUrl));
    assert.deepEqual(logged, [], 'the attacker address is not even in the log');
  });

  test('a base URL the user set to http:// off this machine: refused before the price is asked, and nothing leaves (not even through a proxy)', async () => {
    const config = () => vscode.workspace.getConfiguration('klingStudio');
    const proxyUrl = `http://127.0.0.1:${(attacker.address() as AddressInfo).port}`;
    const proxyVariables = ['HTTP_PROXY', 'http_proxy', 'NO_PROXY', 'no_proxy'] as const;
    const savedEnvironment = proxyVariables.map((name) => [name, process.env[name]] as const);
    // Were the address used, the extension's client would reach kling.example.com through this "proxy": the attacker.
    process.env['HTTP_PROXY'] = process.env['http_proxy'] = proxyUrl;
    delete process.env['NO_PROXY'];
    delete process.env['no_proxy'];
    const asked = questions.length;
    const userBackend = config().inspect('backend')?.globalValue;
    const userBaseUrl = config().inspect('baseUrl')?.globalValue;
    try {
      await api.keys.set('sk-kling-settings-test-1f2e3d');
      await config().update('baseUrl', 'http://kling.example.com', vscode.ConfigurationTarget.Global);
      await config().update('backend', 'api', vscode.ConfigurationTarget.Global);
      await eventually('the user settings to apply', () => (klingSettings.backend() === 'api' && klingSettings.baseUrl() === 'http://kling.example.com' ? true : undefined));

      assert.match(api.backends.addressProblem() ?? '', /uses http:\/\/, which would send your API key unencrypted to kling\.example\.com/);
      await assert.rejects(api.backends.clientFor(api.backends.current()), (error: { kind?: string; message?: string }) => {
        assert.equal(error.kind, 'config');
        assert.match(error.message ?? '', /Change "klingStudio\.baseUrl" in your user settings; nothing was sent\./);
        return true;
      });

      const third = (await openStoryboard('third.kling.json', storyboard('third', 'A tram in the rain'))).document.uri;
      await diagnosticsWhen(third, 'a clean check', (d) => d.length === 0);
      const result = await vscode.commands.executeCommand<RenderResult>('klingStudio.storyboard.render', third);
      assert.equal(result.kind, 'refused', JSON.stringify(result));
      assert.equal(questions.length, asked, 'refused before the price question');
      assert.deepEqual(api.tasks.entries().filter((entry) => entry.backend.kind === 'api'), [], 'nothing journaled for the API');
      assert.deepEqual(attackerSaw, [], 'nothing went out');
    } finally {
      await config().update('backend', userBackend, vscode.ConfigurationTarget.Global);
      await config().update('baseUrl', userBaseUrl, vscode.ConfigurationTarget.Global);
      await api.keys.clear();
      for (const [name, value] of savedEnvironment) {
        if (value === undefined) delete process.env[name];
        else process.env[name] = value;
      }
    }
  });
});
