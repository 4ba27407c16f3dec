import * as vscode from 'vscode';
import type { DraftElement } from '../../core/composer/composerForm';
import { storyboardElementsOf } from '../../core/composer/composerStoryboard';

const SUFFIX = '.kling.json';

/**
 * "Add from Storyboards…": every element the workspace's storyboards define, to pick one or more from. The form keeps
 * which storyboard each came from: that is where it is read from, made and remembered.
 */
export async function pickStoryboardElements(): Promise<DraftElement[]> {
  const folder = vscode.workspace.workspaceFolders?.[0];
  if (!folder) {
    void vscode.window.showInformationMessage(vscode.l10n.t('Open a folder with storyboards (*.kling.json) to use their elements.'));
    return [];
  }
  const files = (await vscode.workspace.findFiles(`**/*${SUFFIX}`, '**/node_modules/**', 200)).sort((a, b) => a.path.localeCompare(b.path));
  type Item = vscode.QuickPickItem & { element: DraftElement };
  const items: Item[] = [];
  for (const uri of files) {
    let text: string;
    try {
      // What is on screen if the file is open and changed, else what is on disk.
      text = vscode.workspace.textDocuments.find((d) => d.uri.toString() === uri.toString())?.getText() ?? new TextDecoder().decode(await vscode.workspace.fs.readFile(uri));
    } catch {
      continue;
    }
    const file = vscode.workspace.asRelativePath(uri, false);
    for (const element of storyboardElementsOf(text)) {
      items.push({ label: `$(person) ${element.name}`, description: file, detail: element.description || undefined, element: { kind: 'storyboard', name: element.name, file } });
    }
  }
  if (items.length === 0) {
    void vscode.window.showInformationMessage(vscode.l10n.t('No storyboard in this workspace defines an element yet. Define one in the composer with "New Element", or in a storyboard\'s "elements".'));
    return [];
  }
  const picked = await vscode.window.showQuickPick(items, { title: vscode.l10n.t('Add Elements from Storyboards'), placeHolder: vscode.l10n.t('Elements are named <<<element_1>>>, <<<element_2>>>… in the order of the list'), canPickMany: true });
  return (picked ?? []).map((item) => item.element);
}
