import * as vscode from 'vscode';

/**
 * The one Restricted-Mode gate: nothing that spends credits runs from a workspace the user has not trusted (its
 * storyboards and settings could make it pay). Says so, offering Manage Workspace Trust, and returns false.
 * `purpose` ends the message ("spend credits from it", "render launch.kling.json"). With `waitForAnswer: false` it
 * refuses at once and leaves the message up: a render must not stay pending until the notification is closed.
 */
export async function ensureTrusted(purpose = vscode.l10n.t('spend credits from it'), options: { waitForAnswer?: boolean } = {}): Promise<boolean> {
  if (vscode.workspace.isTrusted) return true;
  const manage = vscode.l10n.t('Manage Workspace Trust');
  const answered = vscode.window
    .showWarningMessage(vscode.l10n.t('Kling Studio does not generate in Restricted Mode: trust this workspace to {0}.', purpose), manage)
    .then((picked) => (picked === manage ? vscode.commands.executeCommand('workbench.trust.manage') : undefined));
  if (options.waitForAnswer ?? true) await answered;
  return false;
}
