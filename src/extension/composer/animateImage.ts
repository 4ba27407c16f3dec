import * as vscode from 'vscode';
import { acceptImageFile, pickImageFile } from './composerImages';
import type { ComposerViewProvider } from './composerView';

/**
 * Kling: Animate Image…: the image the Explorer or the image preview names (or one picked, from the palette) becomes
 * the composer's first frame; the rest of the draft stays. The image is taken as the composer takes any: from the
 * workspace, or copied in when the user agrees; its rules are checked at the field.
 */
export async function animateImage(composer: ComposerViewProvider, arg?: unknown): Promise<void> {
  const uri = arg instanceof vscode.Uri ? arg : activeImage() ?? (await pickImageFile(vscode.l10n.t('Choose an image to animate')));
  if (!uri) return;
  const chosen = await acceptImageFile(uri, 'first frame');
  if (!chosen) return;
  if ('problem' in chosen) {
    void vscode.window.showErrorMessage(chosen.problem);
    return;
  }
  await composer.useImage(chosen.ref);
}

/** The image shown in the active editor tab (the image preview is a custom editor: no text document). */
function activeImage(): vscode.Uri | undefined {
  const input = vscode.window.tabGroups.activeTabGroup.activeTab?.input;
  const uri = input instanceof vscode.TabInputCustom || input instanceof vscode.TabInputText ? input.uri : undefined;
  return uri && /\.(png|jpe?g)$/i.test(uri.path) ? uri : undefined;
}
