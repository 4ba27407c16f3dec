import * as path from 'node:path';
import * as vscode from 'vscode';
import type { GenerationServices } from '../generate/submitGeneration';
import type { ExtensionLog } from '../log/extensionLog';
import { KLING_PREVIEW, openInPreview } from './openVideo';
import { loadFeatures } from '../lazyFeatures';
import type { VideoPreviewDeps } from './videoPreview';

export interface VideoPreviewServices extends GenerationServices {
  log: ExtensionLog;
}

/**
 * Kling Preview: a read-only custom editor for `*.mp4` (an option beside VS Code's own video preview, which stays the
 * default), and `klingStudio.openPreview`, the command other features call with a video's URI (a storyboard's
 * CodeLens, the Tasks view through `openVideo`).
 */
export function registerVideoPreview(context: vscode.ExtensionContext, services: VideoPreviewServices): vscode.Disposable {
  const deps: VideoPreviewDeps = {
    services: { tasks: services.tasks, backends: services.backends },
    log: services.log,
    memento: context.globalState,
    pageRoot: vscode.Uri.joinPath(context.extensionUri, 'dist', 'webview'),
  };
  const provider: vscode.CustomReadonlyEditorProvider = {
    openCustomDocument: (uri) => ({ uri, dispose: () => undefined }),
    resolveCustomEditor: (document, panel) => {
      // The walkthrough's "Preview a video" step is done once a video has been seen here.
      void vscode.commands.executeCommand('setContext', 'klingStudio.previewed', true);
      // The editor itself (page, recipe, actions) is in the lazily loaded bundle, so activation does not pay for it.
      // It disposes itself with its panel.
      new (loadFeatures().VideoPreview)(document.uri, panel, deps);
    },
  };
  const registrations = vscode.Disposable.from(
    vscode.window.registerCustomEditorProvider(KLING_PREVIEW, provider, {
      supportsMultipleEditorsPerDocument: true,
      // As VS Code's own video preview: switching tabs must not restart the video.
      webviewOptions: { retainContextWhenHidden: true },
    }),
    // Says whether it opened the video (a refusal is told to the user; tests read the answer).
    vscode.commands.registerCommand('klingStudio.openPreview', async (arg?: unknown): Promise<boolean> => {
      const video = uriOf(arg) ?? activeVideo() ?? (await pickVideo());
      if (!video) return false;
      if (path.extname(video.path).toLowerCase() !== '.mp4') {
        void vscode.window.showWarningMessage(vscode.l10n.t('Kling Preview shows MP4 videos; {0} is not one.', path.basename(video.path)));
        return false;
      }
      // Run from VS Code's own preview of the same video (its title bar, or the palette): take its place, as
      // "Reopen Editor With" would, rather than leave two tabs of one video.
      const active = vscode.window.tabGroups.activeTabGroup.activeTab;
      const replaces = active?.input instanceof vscode.TabInputCustom && active.input.viewType !== KLING_PREVIEW && active.input.uri.toString() === video.toString();
      await openInPreview(video);
      if (replaces) await vscode.window.tabGroups.close(active);
      return true;
    }),
    // Kling Preview's Copy HTML, also from the palette (the video in the active editor): returns what it copied.
    vscode.commands.registerCommand('klingStudio.copyVideoHtml', async (arg?: unknown) => {
      const video = uriOf(arg) ?? activeVideo();
      if (!video) {
        void vscode.window.showInformationMessage(vscode.l10n.t("Open an MP4 video first (Kling Preview, or VS Code's own preview): Copy HTML copies its <video> element."));
        return undefined;
      }
      return loadFeatures().copyVideoHtml(video);
    }),
  );
  context.subscriptions.push(registrations);
  return registrations;
}

/** A URI as callers pass it: a Uri (CodeLens, menus), or a path or URI string. */
function uriOf(arg: unknown): vscode.Uri | undefined {
  if (arg instanceof vscode.Uri) return arg;
  if (typeof arg === 'string' && arg !== '') return /^[a-z][a-z0-9+.-]+:\/\//i.test(arg) ? vscode.Uri.parse(arg) : vscode.Uri.file(arg);
  return undefined;
}

/** The video in the active editor (VS Code's own preview of an MP4, say), for the command run from the palette. */
function activeVideo(): vscode.Uri | undefined {
  const input = vscode.window.tabGroups.activeTabGroup.activeTab?.input;
  const uri = input instanceof vscode.TabInputCustom || input instanceof vscode.TabInputText ? input.uri : undefined;
  return uri && path.extname(uri.path).toLowerCase() === '.mp4' ? uri : undefined;
}

async function pickVideo(): Promise<vscode.Uri | undefined> {
  const picked = await vscode.window.showOpenDialog({
    title: vscode.l10n.t('Open in Kling Preview'),
    canSelectMany: false,
    filters: { Videos: ['mp4'] },
    defaultUri: vscode.workspace.workspaceFolders?.[0]?.uri,
  });
  return picked?.[0];
}
