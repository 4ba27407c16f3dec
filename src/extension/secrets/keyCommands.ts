import * as vscode from 'vscode';
import { apiKeyProblem } from '../../core/api/apiKeyProblem';
import { loadCore } from '../lazyCore';
import { klingSettings } from '../settings/klingSettings';
import type { ApiKeyStore } from './apiKeyStore';
import { errorText } from '../../core/text/errorText';

/** Set API Key…, Clear API Key, Use Simulator, Use Kling API. */
export function registerKeyCommands(keys: ApiKeyStore): vscode.Disposable {
  return vscode.Disposable.from(
    vscode.commands.registerCommand('klingStudio.setApiKey', async () => {
      const key = await vscode.window.showInputBox({
        title: 'Kling: Set API Key',
        prompt: 'Your API key from the Kling API provider\'s dashboard. It is kept in VS Code\'s secret storage, never in settings or files.',
        password: true,
        ignoreFocusOut: true,
        validateInput: (value) => (value.trim() === '' ? 'Paste the API key.' : apiKeyProblem(value)),
      });
      if (key === undefined) return false;
      await keys.set(key);
      const wasSimulator = klingSettings.backend() === 'simulator';
      if (wasSimulator) await klingSettings.setBackend('api');
      void checkKey();
      return true;
    }),
    vscode.commands.registerCommand('klingStudio.clearApiKey', async () => {
      await keys.clear();
      void vscode.window.showInformationMessage('Kling API key removed from secret storage.');
    }),
    vscode.commands.registerCommand('klingStudio.useSimulator', async () => {
      await klingSettings.setBackend('simulator');
      void vscode.window.showInformationMessage('Kling Studio now uses the built-in simulator: placeholder videos, nothing real is generated or spent.');
    }),
    vscode.commands.registerCommand('klingStudio.useApi', async () => {
      await klingSettings.setBackend('api');
      if (!keys.get()) await vscode.commands.executeCommand('klingStudio.setApiKey');
      else void vscode.window.showInformationMessage(`Kling Studio now uses the Kling API at ${klingSettings.baseUrl()}.`);
    }),
  );

  /** The cheapest check that the key works: GET /v1/credits. */
  async function checkKey(): Promise<void> {
    const core = loadCore();
    let client: InstanceType<typeof core.KlingClient> | undefined;
    try {
      client = new core.KlingClient({ baseUrl: klingSettings.baseUrl(), apiKey: keys.get() ?? '', backoff: { maxAttempts: 1 } });
      const credits = await client.getCredits();
      const left = credits.data.token?.remaining_credits ?? credits.data.user?.remaining_credits;
      void vscode.window.showInformationMessage(`Kling API key saved${left !== undefined ? `: ${left} credits left` : ''}.`);
    } catch (error) {
      const kind = (error as { kind?: string }).kind;
      const message = errorText(error);
      void vscode.window.showWarningMessage(
        kind === 'auth' ? `The key was saved, but the service did not accept it: ${message}` : `The key was saved; it could not be checked now: ${message}`,
      );
    } finally {
      await client?.close();
    }
  }
}
