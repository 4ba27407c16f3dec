import * as path from 'node:path';
import * as vscode from 'vscode';
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

/** `<workspace>/<outputFolder>/<slug>-<date>-<time>.mp4`; the extension's storage when no folder is open. */
export function adHocOutputPath(prompt: string, services: GenerationServices, now = new Date()): string {
  const slug = prompt.toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-+|-+$/g, '').slice(0, 40).replace(/-+$/, '') || 'video';
  const stamp = now.toISOString().replace(/[-:]/g, '').replace('T', '-').slice(0, 15);
  return path.join(adHocOutputDir(services), `${slug}-${stamp}.mp4`);
}

/** The folder videos made outside any storyboard go to (and where the composer's elements are remembered). */
export function adHocOutputDir(services: GenerationServices): string {
  const folder = vscode.workspace.workspaceFolders?.[0]?.uri.fsPath;
  return folder ? path.resolve(folder, klingSettings.outputFolder()) : path.join(services.backends.storagePath, 'videos');
}
