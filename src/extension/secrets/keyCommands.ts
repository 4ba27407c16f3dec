import * as vscode from 'vscode';
import { apiKeyProblem } from '../../core/api/apiKeyProblem';
import { loadCore } from '../lazyCore';
import { klingSettings } from '../settings/klingSettings';
import type { ApiKeyStore } from './apiKeyStore';
import { errorText } from '../../core/text/errorText';

/** Set API Key…, Clear API Key, Use Simulator, Use Kling API. */
export function registerKeyCommands(context: vscode.ExtensionContext, { keys }: { keys: ApiKeyStore }): vscode.Disposable {
  const commands = vscode.Disposable.from(
    vscode.commands.registerCommand('klingStudio.setApiKey', async () => {
      const key = await askForKey();
      if (key === undefined) return false;
      await keys.set(key);
      const wasSimulator = klingSettings.backend() === 'simulator';
      if (wasSimulator) await klingSettings.setBackend('api');
      void checkKey();
      return true;
    }),
    vscode.commands.registerCommand('klingStudio.clearApiKey', async () => {
      await keys.clear();
      void vscode.window.showInformationMessage(vscode.l10n.t('Kling API key removed from secret storage.'));
    }),
    vscode.commands.registerCommand('klingStudio.useSimulator', async () => {
      await klingSettings.setBackend('simulator');
      void vscode.window.showInformationMessage(vscode.l10n.t('Kling Studio now uses the built-in simulator: placeholder videos, nothing real is generated or spent.'));
    }),
    vscode.commands.registerCommand('klingStudio.useApi', async () => {
      await klingSettings.setBackend('api');
      if (!keys.get()) await vscode.commands.executeCommand('klingStudio.setApiKey');
      else void vscode.window.showInformationMessage(vscode.l10n.t('Kling Studio now uses the Kling API at {0}.', klingSettings.baseUrl()));
    }),
  );
  context.subscriptions.push(commands);
  return commands;

  /**
   * The key's input box names whose key it wants: EvoLink's (the API aggregator whose Kling 3.0 offering the default
   * base URL is, docs/service-contract.md), with a button to the dashboard where keys are made; for another base URL,
   * the host it names and the setting that chose it.
   */
  function askForKey(): Promise<string | undefined> {
    const provider = keyProvider(klingSettings.baseUrl());
    const box = vscode.window.createInputBox();
    box.title = `Kling: ${vscode.l10n.t('Set API Key')}`;
    box.prompt = provider.dashboard
      ? vscode.l10n.t(
          'A Kling 3.0 API key from {0}: make one at {1} (the button above opens it). It is kept in VS Code\'s secret storage, never in settings or files.',
          provider.name,
          provider.dashboard.replace(/^https:\/\//, ''),
        )
      : vscode.l10n.t('A Kling 3.0 API key for {0} (the klingStudio.baseUrl setting). It is kept in VS Code\'s secret storage, never in settings or files.', provider.name);
    box.password = true;
    box.ignoreFocusOut = true;
    const open: vscode.QuickInputButton | undefined = provider.dashboard
      ? { iconPath: new vscode.ThemeIcon('link-external'), tooltip: vscode.l10n.t('Open {0}, where {1} API keys are made', provider.dashboard, provider.name) }
      : undefined;
    box.buttons = open ? [open] : [];
    return new Promise((resolve) => {
      let done = false;
      const finish = (value: string | undefined) => {
        if (done) return;
        done = true;
        resolve(value);
        box.dispose();
      };
      box.onDidChangeValue((value) => {
        box.validationMessage = value.trim() === '' ? undefined : apiKeyProblem(value);
      });
      box.onDidTriggerButton((button) => {
        if (button === open && provider.dashboard) void vscode.env.openExternal(vscode.Uri.parse(provider.dashboard));
      });
      box.onDidAccept(() => {
        const problem = box.value.trim() === '' ? vscode.l10n.t('Paste the API key.') : apiKeyProblem(box.value);
        if (problem) box.validationMessage = problem;
        else finish(box.value);
      });
      box.onDidHide(() => finish(undefined));
      box.show();
    });
  }

  /** The cheapest check that the key works: GET /v1/credits. */
  async function checkKey(): Promise<void> {
    const core = loadCore();
    let client: InstanceType<typeof core.KlingClient> | undefined;
    try {
      client = new core.KlingClient({ baseUrl: klingSettings.baseUrl(), apiKey: keys.get() ?? '', backoff: { maxAttempts: 1 } });
      const credits = await client.getCredits();
      const left = credits.data.token?.remaining_credits ?? credits.data.user?.remaining_credits;
      void vscode.window.showInformationMessage(left !== undefined ? vscode.l10n.t('Kling API key saved: {0} credits left.', left) : vscode.l10n.t('Kling API key saved.'));
    } catch (error) {
      const kind = (error as { kind?: string }).kind;
      const message = errorText(error);
      void vscode.window.showWarningMessage(
        kind === 'auth'
          ? vscode.l10n.t('The key was saved, but the service did not accept it: {0}', message)
          : vscode.l10n.t('The key was saved; it could not be checked now: {0}', message),
      );
    } finally {
      await client?.close();
    }
  }
}

/** Whose key the base URL wants: EvoLink's for its hosts (with the dashboard docs/service-contract.md names), else the host's. */
export function keyProvider(baseUrl: string): { name: string; dashboard?: string } {
  let host = '';
  try {
    host = new URL(baseUrl).hostname;
  } catch {
    return { name: 'the provider in the klingStudio.baseUrl setting' };
  }
  if (host === 'evolink.ai' || host.endsWith('.evolink.ai')) return { name: 'EvoLink', dashboard: EVOLINK_DASHBOARD };
  return { name: host };
}

/** The dashboard of EvoLink, the default base URL's provider, where its API keys are made (docs/service-contract.md). */
export const EVOLINK_DASHBOARD = 'https://evolink.ai/dashboard';
