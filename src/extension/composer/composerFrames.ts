import * as vscode from 'vscode';
import { emptyDraft } from '../../core/composer/composerForm';
import type { ImageTarget } from '../../core/composer/composerProtocol';
import { acceptImageFile } from './composerImages';
import type { ComposerViewProvider } from './composerView';

/**
 * Kling Preview's Use as First Frame / Use as Last Frame: the frame it saved in the workspace goes into the composer's
 * Frames, as Animate Image… puts an image there; the rest of the draft stays.
 */
export async function useFrameInComposer(composer: ComposerViewProvider, file: unknown, target: unknown): Promise<void> {
  if (!(file instanceof vscode.Uri)) return;
  const field: ImageTarget = target === 'end_image' ? 'end_image' : 'image';
  const chosen = await acceptImageFile(file, field === 'image' ? 'first frame' : 'last frame');
  if (!chosen) return;
  if ('problem' in chosen) return void vscode.window.showErrorMessage(chosen.problem);
  await composer.useImage(chosen.ref, field);
}

/**
 * Kling Preview's Continue from Last Frame: a new draft whose first frame is that frame. The composer shows its price
 * and spends nothing until the user presses Generate; the draft it replaces can be brought back from the page.
 */
export async function continueFromFrame(composer: ComposerViewProvider, file: unknown, label: unknown): Promise<void> {
  if (!(file instanceof vscode.Uri)) return;
  const chosen = await acceptImageFile(file, 'first frame');
  if (!chosen) return;
  if ('problem' in chosen) return void vscode.window.showErrorMessage(chosen.problem);
  await composer.load({ ...emptyDraft(), image: chosen.ref }, typeof label === 'string' ? label : chosen.ref, undefined, []);
}
