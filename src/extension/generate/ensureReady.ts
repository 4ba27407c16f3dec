import * as vscode from 'vscode';
import type { BackendManager } from '../backend/backendManager';
import { ensureTrusted } from '../trust/ensureTrusted';

/** Before a generation: the workspace is trusted, the API's address is safe for the key, and there is a key (or the simulator is chosen). */
export async function ensureReady(backends: BackendManager): Promise<boolean> {
  if (!(await ensureTrusted())) return false;
  if (backends.refuseInsecureAddress()) return false;
  if (backends.isReady()) return true;
  const setKey = vscode.l10n.t('Set API Key…');
  const simulator = vscode.l10n.t('Use Simulator');
  const picked = await vscode.window.showInformationMessage(vscode.l10n.t('Set your Kling API key to generate, or try the built-in simulator (nothing is spent).'), setKey, simulator);
  if (picked === setKey) await vscode.commands.executeCommand('klingStudio.setApiKey');
  if (picked === simulator) await vscode.commands.executeCommand('klingStudio.useSimulator');
  return backends.isReady();
}
