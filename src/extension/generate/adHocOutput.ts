import { existsSync } from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { fileNameFromPrompt } from '../../core/composer/fileNameFromPrompt';
import { klingSettings } from '../settings/klingSettings';
import type { GenerationServices } from './submitGeneration';

// The name and place of a video made outside any storyboard (Generate from Prompt, the composer). A module of its
// own, without loadCore, so that the lazily loaded composer host can bundle it too.

/** The first words of a prompt, as the task's name in the Tasks view. */
export function labelOf(prompt: string): string {
  const words = prompt.trim().replace(/\s+/g, ' ');
  // Short enough that the view still shows the progress beside it; the whole prompt is in the tooltip.
  return words.length > 36 ? `${words.slice(0, 35)}…` : words;
}

/**
 * The workspace a video made outside any storyboard must stay in: the open folder, else the extension's storage.
 * The output folder setting cannot lead a download out of it (the downloader checks by real path).
 */
export function adHocWorkspaceRoot(services: GenerationServices): string {
  return vscode.workspace.workspaceFolders?.[0]?.uri.fsPath ?? services.backends.storagePath;
}

/**
 * `<workspace>/<outputFolder>/<slug>-<date>-<time>.mp4`; the extension's storage when no folder is open. A file name
 * the user typed (the composer's File name, already checked) is used as it is, `<name>.mp4`, unless a file of that
 * name is there: an earlier video is never replaced, the new one gets the date and time after the name.
 */
export function adHocOutputPath(prompt: string, services: GenerationServices, now = new Date(), fileName?: string): string {
  const stamp = now.toISOString().replace(/[-:]/g, '').replace('T', '-').slice(0, 15);
  const dir = adHocOutputDir(services);
  if (fileName !== undefined) {
    const chosen = path.join(dir, `${fileName}.mp4`);
    return existsSync(chosen) ? path.join(dir, `${fileName}-${stamp}.mp4`) : chosen;
  }
  return path.join(dir, `${fileNameFromPrompt(prompt)}-${stamp}.mp4`);
}

/** The folder videos made outside any storyboard go to (and where the composer's elements are remembered). */
export function adHocOutputDir(services: GenerationServices): string {
  const folder = vscode.workspace.workspaceFolders?.[0]?.uri.fsPath;
  return folder ? path.resolve(folder, klingSettings.outputFolder()) : path.join(services.backends.storagePath, 'videos');
}
