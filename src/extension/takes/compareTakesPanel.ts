import * as path from 'node:path';
import * as vscode from 'vscode';
import { compareRecipes, comparedTake } from '../../core/takes/takeComparison';
import { MAX_TAKES, takesDirOf } from '../../core/takes/takeLayout';
import { chosenPlaceOf } from '../records/videoPlaces';
import type { Take } from '../../core/takes/takeStore';
import { parseCompareMessage, type CompareHostMessage, type CompareState } from '../../webview/takes/protocol';
import type { ExtensionLog } from '../log/extensionLog';
import { openInPreview } from '../preview/openVideo';
import { Disposable } from '../util/dispose';
import { watchFolder, type FolderWatch } from '../util/folderWatcher';
import { deleteTake, takesOf, useTake, type DeleteTakeOptions } from './takeActions';
import { takesHtml } from './takesHtml';
import { errorText } from '../../core/text/errorText';

export const COMPARE_TAKES_VIEW = 'klingStudio.compareTakes';

export interface CompareTakesDeps {
  log: ExtensionLog;
  /** The folder of the page's script and stylesheet (dist/webview). */
  pageRoot: vscode.Uri;
  /** Delete's question (API tests answer it). */
  confirmDelete?: DeleteTakeOptions['confirm'];
}

/**
 * Compare Takes: a panel with two to four takes of one video side by side, one transport for all, their recipes with
 * the differences marked, and Use This Take on each. One panel per video: opening it again shows it again. It may
 * load media only from the video's folder (which holds the takes folder) and its own scripts, as Kling Preview.
 */
export class CompareTakesPanel extends Disposable {
  private static readonly open = new Map<string, CompareTakesPanel>();
  private stateVersion = 0;
  private refreshTimer: ReturnType<typeof setTimeout> | undefined;
  private takesWatch: FolderWatch | undefined;

  /** Shows the takes of `videoPath` (at most four: `selection`, by file name, else the one in use and the newest). */
  static show(videoPath: string, deps: CompareTakesDeps, selection?: readonly string[]): CompareTakesPanel {
    const existing = CompareTakesPanel.open.get(videoPath);
    if (existing) {
      if (selection) existing.selection = [...selection];
      existing.panel.reveal();
      void existing.postState();
      return existing;
    }
    const folder = vscode.Uri.file(path.dirname(videoPath));
    const panel = vscode.window.createWebviewPanel(COMPARE_TAKES_VIEW, vscode.l10n.t('Takes: {0}', path.basename(videoPath)), vscode.ViewColumn.Active, {
      enableScripts: true,
      enableForms: false,
      retainContextWhenHidden: true,
      localResourceRoots: [folder, deps.pageRoot],
    });
    return new CompareTakesPanel(videoPath, panel, deps, selection ? [...selection] : undefined);
  }

  /** The open panels, for tests. */
  static panels(): CompareTakesPanel[] {
    return [...CompareTakesPanel.open.values()];
  }

  private constructor(
    readonly videoPath: string,
    readonly panel: vscode.WebviewPanel,
    private readonly deps: CompareTakesDeps,
    private selection: string[] | undefined,
  ) {
    super();
    CompareTakesPanel.open.set(videoPath, this);
    this._register({ dispose: () => CompareTakesPanel.open.delete(videoPath) });
    this._register(panel.onDidDispose(() => this.dispose()));
    this._register(panel.webview.onDidReceiveMessage((raw: unknown) => void this.onMessage(raw)));
    // The video (a take used from anywhere: the CLI, the preview) and its takes (one landed, one deleted).
    this._register(watchFolder(vscode.Uri.file(path.dirname(videoPath)), () => this.refreshSoon()));
    this.watchTakes();
    this._register({ dispose: () => this.takesWatch?.dispose() });
    this._register({ dispose: () => clearTimeout(this.refreshTimer) });
    panel.webview.html = takesHtml(panel.webview, deps.pageRoot, path.basename(videoPath));
  }

  /** The state the page shows now (for tests). */
  async currentState(): Promise<CompareState> {
    return this.state();
  }

  private async onMessage(raw: unknown): Promise<void> {
    const parsed = parseCompareMessage(raw);
    if (!parsed.ok) return this.deps.log.warn(`Compare Takes: ignored a message from the page that does not fit the protocol, ${parsed.reason}`);
    const message = parsed.message;
    if (message.type === 'compare/ready') return this.postState();
    if (message.type === 'compare/loadFailed') return this.deps.log.warn(`Compare Takes could not play ${message.take} of ${this.videoPath}: ${message.detail}`);
    // The page names a take by the id it was given; only a take listed now is acted on.
    const take = (await takesOf(this.videoPath)).takes.find((t) => idOf(t) === message.take);
    if (!take) return void vscode.window.showWarningMessage(vscode.l10n.t('That take of {0} is no longer there.', path.basename(this.videoPath)));
    try {
      await this.post({ type: 'compare/busy', take: message.take });
      switch (message.type) {
        case 'compare/use':
          await useTake(take.path, this.deps.log);
          break;
        case 'compare/delete':
          if (await deleteTake(take.path, this.deps.log, { confirm: this.deps.confirmDelete })) this.selection = this.selection?.filter((id) => id !== message.take);
          break;
        case 'compare/open':
          await openInPreview(vscode.Uri.file(take.path), vscode.ViewColumn.Beside);
          break;
      }
    } catch (error) {
      this.deps.log.error(`Compare Takes: ${message.type} of ${take.path} failed: ${errorText(error)}`);
      void vscode.window.showErrorMessage(vscode.l10n.t('Compare Takes: {0}', errorText(error)));
    } finally {
      await this.post({ type: 'compare/busy', take: undefined });
      await this.postState();
    }
  }

  /** A take written or a rename makes several events: one new state when they stop. */
  private refreshSoon(): void {
    clearTimeout(this.refreshTimer);
    this.refreshTimer = setTimeout(() => {
      this.watchTakes();
      void this.postState();
    }, 150);
  }

  /** The takes folder may not exist yet (a video made before takes): watched once it does. */
  private watchTakes(): void {
    if (this.takesWatch && !this.takesWatch.closed) return;
    void chosenPlaceOf(this.videoPath).then((place) => {
      if (this.takesWatch && !this.takesWatch.closed) return;
      this.takesWatch?.dispose();
      this.takesWatch = watchFolder(vscode.Uri.file(takesDirOf(place)), () => this.refreshSoon());
    });
  }

  private async postState(): Promise<void> {
    const version = ++this.stateVersion;
    let state: CompareState;
    try {
      state = await this.state();
    } catch (error) {
      this.deps.log.error(`Compare Takes could not list the takes of ${this.videoPath}: ${errorText(error)}`);
      return;
    }
    if (this.isDisposed || version !== this.stateVersion) return;
    await this.post(state);
  }

  private async state(): Promise<CompareState> {
    const list = await takesOf(this.videoPath);
    const shown = pick(list.takes, this.selection);
    const compared = shown.map(comparedTake);
    const webview = this.panel.webview;
    const takes = await Promise.all(
      shown.map(async (take, i) => {
        const version = await vscode.workspace.fs.stat(vscode.Uri.file(take.path)).then((s) => `${s.mtime}-${s.size}`, () => String(Date.now()));
        return {
          id: idOf(take),
          title: vscode.l10n.t('Take {0}', take.index),
          chosen: take.chosen,
          src: webview.asWebviewUri(vscode.Uri.file(take.path)).with({ query: `version=${encodeURIComponent(version)}` }).toString(),
          note: compared[i]!.note,
        };
      }),
    );
    if (list.problem) this.deps.log.warn(`Compare Takes: ${this.videoPath}: ${list.problem}`);
    return { type: 'compare/state', videoName: path.basename(this.videoPath), takeCount: list.takes.length, takes, rows: compareRecipes(compared) };
  }

  private post(message: CompareHostMessage): Thenable<boolean> {
    return this.isDisposed ? Promise.resolve(false) : this.panel.webview.postMessage(message);
  }
}

/** A take's id for the page: its file name (the video's own name for a video not kept among the takes). */
function idOf(take: Take): string {
  return path.basename(take.path);
}

/** The takes to show: the chosen ones, else the one in use and the newest others, at most four, oldest first. */
function pick(takes: readonly Take[], selection: readonly string[] | undefined): Take[] {
  const chosen = selection?.length ? takes.filter((t) => selection.includes(idOf(t))) : [];
  if (chosen.length >= 1 && (chosen.length >= 2 || takes.length < 2)) return chosen.slice(0, MAX_TAKES);
  const inUse = takes.filter((t) => t.chosen);
  const newest = [...takes].reverse().filter((t) => !t.chosen);
  const picked = [...inUse, ...newest].slice(0, MAX_TAKES);
  return takes.filter((t) => picked.includes(t));
}
