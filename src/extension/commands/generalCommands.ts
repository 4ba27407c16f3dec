import * as path from 'node:path';
import * as vscode from 'vscode';
import { showError } from '../errors/showError';
import { generateFromPrompt, type PromptDefaults } from '../generate/generateFromPrompt';
import type { GenerationServices } from '../generate/submitGeneration';
import type { ExtensionLog } from '../log/extensionLog';
import { klingSettings } from '../settings/klingSettings';
import type { KlingStatusBar } from '../statusBar/klingStatusBar';

/** Generate from Prompt…, Show Credits, Open Output Folder, Show Log. */
export function registerGeneralCommands(context: vscode.ExtensionContext, deps: GenerationServices & { statusBar: KlingStatusBar; log: ExtensionLog }): vscode.Disposable {
  const { statusBar, log } = deps;
  const services: GenerationServices = { tasks: deps.tasks, backends: deps.backends };
  const commands = vscode.Disposable.from(
    vscode.commands.registerCommand('klingStudio.generateFromPrompt', (defaults?: PromptDefaults) =>
      generateFromPrompt(services, defaults && typeof defaults === 'object' && 'prompt' in defaults ? defaults : {}, log),
    ),
    vscode.commands.registerCommand('klingStudio.showCredits', async () => {
      try {
        const credits = await statusBar.refreshBalance();
        if (credits === undefined) {
          await vscode.commands.executeCommand('klingStudio.setApiKey');
          return;
        }
        const simulated = services.backends.isSimulated();
        void vscode.window.showInformationMessage(
          simulated
            ? vscode.l10n.t('Simulator balance: {0} (not real credits).', credits.toLocaleString('en-US'))
            : vscode.l10n.t('Kling credits left: {0}.', credits.toLocaleString('en-US')),
        );
      } catch (error) {
        await showError(error, { context: vscode.l10n.t('Could not read the balance'), retry: () => vscode.commands.executeCommand('klingStudio.showCredits') });
      }
    }),
    vscode.commands.registerCommand('klingStudio.openOutputFolder', async () => {
      const folder = vscode.workspace.workspaceFolders?.[0];
      const target = folder ? vscode.Uri.file(path.resolve(folder.uri.fsPath, klingSettings.outputFolder())) : vscode.Uri.file(path.join(services.backends.storagePath, 'videos'));
      try {
        await vscode.workspace.fs.stat(target);
      } catch {
        void vscode.window.showInformationMessage(vscode.l10n.t('No videos yet: they will be saved in {0}.', folder ? vscode.workspace.asRelativePath(target) : target.fsPath));
        return;
      }
      await vscode.commands.executeCommand('revealInExplorer', target);
    }),
    vscode.commands.registerCommand('klingStudio.showLog', () => log.show()),
  );
  context.subscriptions.push(commands);
  return commands;
}
