import * as path from 'node:path';
import * as vscode from 'vscode';
import { asIfBeside, loadSidecar } from '../../core/download/sidecar';
import { chosenPlaceOf, sidecarPlaceOf } from '../records/videoPlaces';
import { describeKind, Mp4InfoError, readMp4Info } from '../../core/media/mp4Info';
import { regenerateDraft } from '../../core/preview/regenerateDraft';
import { posterPathOf } from '../../core/preview/videoSnippet';
import { videoRecipe, type VideoRecipe } from '../../core/preview/videoRecipe';
import { parsePageMessage, Playback, type HostMessage, type PageMessage, type PreviewState } from '../../webview/preview/protocol';
import { money } from '../generate/moneyGuard';
import type { GenerationServices } from '../generate/submitGeneration';
import type { ExtensionLog } from '../log/extensionLog';
import { Disposable } from '../util/dispose';
import { watchFolder, type FolderWatch } from '../util/folderWatcher';
import { takesDirOf } from '../../core/takes/takeLayout';
import { takesOf } from '../takes/takeActions';
import { videoSnippetFor } from './copyVideoHtml';
import { composerCommandFor, runPreviewAction, takeIndexOf } from './previewActions';
import { previewHtml } from './previewHtml';
import { errorText } from '../../core/text/errorText';
import { takeVideoFrame } from './videoFrames';

export interface VideoPreviewDeps {
  services: GenerationServices;
  log: ExtensionLog;
  /** Where loop and speed are remembered between previews. */
  memento: vscode.Memento;
  /** The folder of the page's script and stylesheet (dist/webview). */
  pageRoot: vscode.Uri;
}

const PLAYBACK_KEY = 'klingStudio.preview.playback';
/** How many takes the video in the active Kling Preview has: its title bar offers Compare Takes from 2. */
const PREVIEW_TAKES_KEY = 'klingStudio.previewTakes';
/** A preview opened to judge a few seconds of video loops by default, at normal speed. */
const DEFAULT_PLAYBACK: Playback = { loop: true, rate: 1 };

/**
 * One Kling Preview editor, after VS Code's media-preview `MediaPreview`: the page may load only from the video's
 * folder and its own scripts, the page is drawn again when the file changes (a new version in the URL, so no stale
 * cache), the editor closes when the file is deleted, and the recipe is posted again when the sidecar changes.
 */
export class VideoPreview extends Disposable {
  private readonly sidecar: vscode.Uri;
  private stateVersion = 0;
  private reloadTimer: ReturnType<typeof setTimeout> | undefined;
  private takeCount = 0;
  private takesWatch: FolderWatch | undefined;

  constructor(
    private readonly video: vscode.Uri,
    private readonly panel: vscode.WebviewPanel,
    private readonly deps: VideoPreviewDeps,
  ) {
    super();
    this.sidecar = video.with({ path: `${video.path}.json` });
    const folder = video.with({ path: path.posix.dirname(video.path), query: '', fragment: '' });
    // The workspace folder too: the recipe shows thumbnails of the frames the video was made from.
    const workspaceFolder = vscode.workspace.getWorkspaceFolder(video)?.uri;
    panel.webview.options = { enableScripts: true, enableForms: false, localResourceRoots: [folder, deps.pageRoot, ...(workspaceFolder ? [workspaceFolder] : [])] };

    this._register(panel.onDidDispose(() => this.dispose()));
    this._register(panel.webview.onDidReceiveMessage((raw: unknown) => this.onMessage(raw)));
    // An event that names neither file (the folder itself went) may concern both.
    this._register(
      watchFolder(folder, (entry) => {
        if (!entry || same(entry, this.video)) this.reloadSoon();
        // The poster too (<name>.jpg): Copy HTML names it once it is there.
        if (!entry || same(entry, this.sidecar) || entry.fsPath === posterPathOf(this.video.fsPath)) void this.postState();
      }),
    );
    this._register({ dispose: () => clearTimeout(this.reloadTimer) });
    this._register(vscode.workspace.onDidGrantWorkspaceTrust(() => void this.postState()));
    // "Take 2 of 3" follows the video's takes folder: a take landed, used or deleted anywhere.
    this.watchTakes();
    this._register({ dispose: () => this.takesWatch?.dispose() });
    this._register(
      panel.onDidChangeViewState(() => {
        if (panel.active) void vscode.commands.executeCommand('setContext', PREVIEW_TAKES_KEY, this.takeCount);
      }),
    );
    void this.render();
  }

  private async onMessage(raw: unknown): Promise<void> {
    const parsed = parsePageMessage(raw);
    if (!parsed.ok) {
      this.deps.log.warn(`Kling Preview: ignored a message from the page that does not fit the protocol, ${parsed.reason}`);
      return;
    }
    const message: PageMessage = parsed.message;
    switch (message.type) {
      case 'preview/ready':
        return this.postState();
      case 'preview/playback':
        await this.deps.memento.update(PLAYBACK_KEY, message.playback);
        return;
      case 'preview/frame':
        return takeVideoFrame(this.video, message);
      case 'preview/frameFailed':
        void vscode.window.showErrorMessage(vscode.l10n.t('Kling Preview could not take the frame: {0}', message.detail));
        return;
      case 'preview/loadFailed':
        this.deps.log.warn(`Kling Preview could not play ${this.video.fsPath}: ${message.detail}`);
        return;
      case 'preview/action':
        try {
          await runPreviewAction(message.action, { video: this.video, panel: this.panel, services: this.deps.services, log: this.deps.log });
        } catch (error) {
          this.deps.log.error(`Kling Preview: ${message.action} on ${this.video.fsPath} failed: ${errorText(error)}`);
          void vscode.window.showErrorMessage(vscode.l10n.t('Kling Preview: {0}', errorText(error)));
        }
        return;
    }
  }

  /** The takes folder may not exist yet: it is watched once it does (looked for again at each state). */
  private watchTakes(): void {
    if (this.takesWatch && !this.takesWatch.closed) return;
    const watching = this.video.fsPath;
    void chosenPlaceOf(watching).then((place) => {
      if (this.video.fsPath !== watching || (this.takesWatch && !this.takesWatch.closed)) return;
      this.takesWatch?.dispose();
      this.takesWatch = watchFolder(vscode.Uri.file(takesDirOf(place)), () => void this.postState());
    });
  }

  /** A file being written sends several events: the page is drawn again (or closed) once, when they stop. */
  private reloadSoon(): void {
    clearTimeout(this.reloadTimer);
    this.reloadTimer = setTimeout(() => void this.reloadOrClose(), 150);
  }

  private async render(): Promise<void> {
    if (this.isDisposed) return;
    // The file's mtime and size as the version: a changed file is a new URL, so the page never shows a cached one.
    const version = await vscode.workspace.fs.stat(this.video).then(
      (stat) => `${stat.mtime}-${stat.size}`,
      () => String(Date.now()),
    );
    if (this.isDisposed) return;
    const webview = this.panel.webview;
    const stored = Playback.safeParse(this.deps.memento.get(PLAYBACK_KEY));
    webview.html = previewHtml(webview, this.deps.pageRoot, {
      src: webview.asWebviewUri(this.video).with({ query: `version=${encodeURIComponent(version)}` }).toString(),
      fileName: path.basename(this.video.fsPath),
      playback: stored.success ? stored.data : DEFAULT_PLAYBACK,
    });
  }

  /** A file renamed over the video (a finished download) also deletes it for a moment: close only if it is gone. */
  private async reloadOrClose(): Promise<void> {
    const exists = await vscode.workspace.fs.stat(this.video).then(
      () => true,
      () => false,
    );
    if (this.isDisposed) return;
    this.deps.log.trace(`Kling Preview: ${path.basename(this.video.fsPath)} changed; ${exists ? 'shown again' : 'gone, closed'}`);
    if (exists) await this.render();
    else this.panel.dispose();
  }

  private async postState(): Promise<void> {
    const version = ++this.stateVersion;
    this.watchTakes();
    let state: PreviewState;
    try {
      state = await this.state();
    } catch (error) {
      this.deps.log.error(`Kling Preview could not read ${this.video.fsPath}: ${errorText(error)}`);
      return;
    }
    // Only the newest state: an older read that finished late must not overwrite it.
    if (this.isDisposed || version !== this.stateVersion) return;
    await this.post(state);
  }

  /** Every message to the page goes through here, typed by the protocol's schema (the page checks it again). */
  private post(message: HostMessage): Thenable<boolean> {
    return this.panel.webview.postMessage(message);
  }

  /** Thumbnails of the frames' and elements' local sources that are still in the workspace (links are not fetched). */
  private async thumbnails(recipe: VideoRecipe): Promise<Record<string, string>> {
    const folder = vscode.workspace.getWorkspaceFolder(this.video);
    const result: Record<string, string> = {};
    if (!folder) return result;
    const sources = [...recipe.frames.map((frame) => frame.source), ...recipe.elements.map((item) => item.frontalImage)];
    for (const source of sources) {
      if (!source || source in result || source.split('/').includes('..')) continue;
      const file = vscode.Uri.joinPath(folder.uri, ...source.split('/'));
      const there = await vscode.workspace.fs.stat(file).then((s) => (s.type & vscode.FileType.File) !== 0, () => false);
      if (there) result[source] = this.panel.webview.asWebviewUri(file).toString();
    }
    return result;
  }

  private async state(): Promise<PreviewState> {
    const file = this.video.fsPath;
    const fileName = path.basename(file);
    const [read, tracks, commands, takes] = await Promise.all([
      sidecarPlaceOf(file).then(loadSidecar),
      readMp4Info(file).then(
        (info) => ({ ok: true as const, info }),
        (error: unknown) => ({ ok: false as const, error }),
      ),
      vscode.commands.getCommands(true),
      takesOf(file).catch(() => undefined),
    ]);
    const takeIndex = takes ? takeIndexOf(takes, file) : undefined;
    const take = takes && takeIndex !== undefined && takes.takes.length > 1 ? { index: takeIndex, count: takes.takes.length, inUse: takes.chosen?.index === takeIndex } : undefined;
    this.takeCount = take?.count ?? 0;
    if (this.panel.active) void vscode.commands.executeCommand('setContext', PREVIEW_TAKES_KEY, this.takeCount);
    const recipe = read.kind === 'found' ? videoRecipe(asIfBeside(read.sidecar, read.file, file), file) : undefined;
    const draft = read.kind === 'found' ? regenerateDraft(read.sidecar, file) : undefined;
    let fileProblem: string | undefined;
    if (!tracks.ok) {
      const error = tracks.error;
      fileProblem = error instanceof Mp4InfoError ? `${describeKind(error.kind)}: ${error.detail}` : String(error);
      this.deps.log.warn(`Kling Preview: cannot read the tracks of ${file}: ${fileProblem}`);
    }
    const bytes = await vscode.workspace.fs.stat(this.video).then((s) => s.size, () => undefined);
    const snippet = bytes !== undefined ? await videoSnippetFor(this.video, tracks.ok ? { width: tracks.info.width, height: tracks.info.height } : { width: 0, height: 0 }) : undefined;
    return {
      type: 'preview/state',
      fileName,
      file: bytes !== undefined && snippet ? { bytes, width: tracks.ok ? tracks.info.width : 0, height: tracks.ok ? tracks.info.height : 0, html: snippet.html } : undefined,
      recipe,
      thumbnails: recipe ? await this.thumbnails(recipe) : {},
      recipeNote:
        read.kind === 'missing'
          ? vscode.l10n.t('The recipe of this video is unknown: there is no Kling sidecar ({0}.json) beside it.', fileName)
          : read.kind === 'invalid'
            ? vscode.l10n.t('The recipe of this video is unknown: its sidecar {0}.json cannot be used, {1}.', fileName, read.problem)
            : undefined,
      aacAudio: tracks.ok && tracks.info.hasAacAudio,
      fileProblem,
      take,
      actions: {
        regenerate: recipe && vscode.workspace.isTrusted ? { price: draft?.ok ? money(draft.draft.price.usd) : undefined } : undefined,
        editInComposer: composerCommandFor(recipe, new Set(commands)) !== undefined,
        openStoryboard: recipe?.storyboard !== undefined,
      },
    };
  }
}

function same(a: vscode.Uri, b: vscode.Uri): boolean {
  return a.scheme === b.scheme && a.fsPath === b.fsPath;
}
