import * as path from 'node:path';
import * as vscode from 'vscode';
import { readStoryboardTimeline } from '../../core/player/readStoryboardTimeline';
import { storyboardOutputDir } from '../../core/storyboard/validateStoryboard';
import { parsePlayerMessage, type PlayerHostMessage, type PlayerState } from '../../webview/player/protocol';
import type { ExtensionLog } from '../log/extensionLog';
import { openInPreview } from '../preview/openVideo';
import type { StoryboardAnalyzer } from '../storyboards/storyboardAnalyzer';
import { Disposable } from '../util/dispose';
import { playerHtml } from './playerHtml';
import { errorText } from '../../core/text/errorText';

export const PLAY_STORYBOARD_VIEW = 'klingStudio.playStoryboard';

export interface StoryboardPlayerDeps {
  analyzer: StoryboardAnalyzer;
  log: ExtensionLog;
  /** The folder of the page's script and stylesheet (dist/webview). */
  pageRoot: vscode.Uri;
}

/**
 * Play Storyboard: one player for a storyboard's chosen takes, in file order, as one cut. It follows the storyboard:
 * a video rendered, a take used, a video added or renamed changes the cut (through the analyzer, which watches the
 * storyboard, its videos and sidecars). Media only from the storyboard's output folder, as Kling Preview.
 */
export class StoryboardPlayerPanel extends Disposable {
  private static readonly open = new Map<string, StoryboardPlayerPanel>();
  private stateVersion = 0;
  private refreshTimer: ReturnType<typeof setTimeout> | undefined;
  private ready = false;

  static async show(storyboard: vscode.Uri, deps: StoryboardPlayerDeps): Promise<StoryboardPlayerPanel> {
    const existing = StoryboardPlayerPanel.open.get(storyboard.toString());
    if (existing) {
      existing.panel.reveal();
      return existing;
    }
    const checked = await deps.analyzer.check(storyboard);
    const value = checked.check.document.value as { output?: unknown } | undefined;
    const output = storyboardOutputDir(checked.storyboardPath, { output: typeof value?.output === 'string' && value.output ? value.output : undefined });
    const panel = vscode.window.createWebviewPanel(PLAY_STORYBOARD_VIEW, vscode.l10n.t('Play: {0}', path.basename(storyboard.fsPath)), vscode.ViewColumn.Active, {
      enableScripts: true,
      enableForms: false,
      retainContextWhenHidden: true,
      localResourceRoots: [vscode.Uri.file(output), deps.pageRoot],
    });
    return new StoryboardPlayerPanel(storyboard, output, panel, deps);
  }

  /** The open players, for tests. */
  static panels(): StoryboardPlayerPanel[] {
    return [...StoryboardPlayerPanel.open.values()];
  }

  private constructor(
    readonly storyboard: vscode.Uri,
    private readonly outputDir: string,
    readonly panel: vscode.WebviewPanel,
    private readonly deps: StoryboardPlayerDeps,
  ) {
    super();
    StoryboardPlayerPanel.open.set(storyboard.toString(), this);
    this._register({ dispose: () => StoryboardPlayerPanel.open.delete(storyboard.toString()) });
    this._register(panel.onDidDispose(() => this.dispose()));
    this._register(panel.webview.onDidReceiveMessage((raw: unknown) => void this.onMessage(raw)));
    this._register(deps.analyzer.onDidChange((uri) => (!uri || uri.toString() === storyboard.toString()) && this.refreshSoon()));
    this._register({ dispose: () => clearTimeout(this.refreshTimer) });
    panel.webview.html = playerHtml(panel.webview, deps.pageRoot, path.basename(storyboard.fsPath));
  }

  /** The state the page shows now (for tests). */
  currentState(): Promise<PlayerState> {
    return this.state();
  }

  private async onMessage(raw: unknown): Promise<void> {
    const parsed = parsePlayerMessage(raw);
    if (!parsed.ok) return this.deps.log.warn(`Play Storyboard: ignored a message from the page that does not fit the protocol, ${parsed.reason}`);
    const message = parsed.message;
    switch (message.type) {
      case 'player/ready':
        this.ready = true;
        return this.postState();
      case 'player/loadFailed':
        return this.deps.log.warn(`Play Storyboard could not play ${message.video} of ${this.storyboard.fsPath}: ${message.detail}`);
      case 'player/render':
      case 'player/open': {
        // Only a video the storyboard has: the page names it, the storyboard decides what it is.
        const analysis = await this.deps.analyzer.analyze(this.storyboard);
        const video = analysis.plan?.videos.find((v) => v.name === message.video);
        if (!video) return;
        if (message.type === 'player/render') await vscode.commands.executeCommand('klingStudio.storyboard.renderVideo', this.storyboard, video.name);
        else await openInPreview(vscode.Uri.file(video.outputPath), vscode.ViewColumn.Beside);
        return;
      }
    }
  }

  private refreshSoon(): void {
    clearTimeout(this.refreshTimer);
    this.refreshTimer = setTimeout(() => void this.postState(), 200);
  }

  private async postState(): Promise<void> {
    if (!this.ready) return;
    const version = ++this.stateVersion;
    let state: PlayerState;
    try {
      state = await this.state();
    } catch (error) {
      this.deps.log.error(`Play Storyboard could not read ${this.storyboard.fsPath}: ${errorText(error)}`);
      return;
    }
    if (this.isDisposed || version !== this.stateVersion) return;
    await this.panel.webview.postMessage(state satisfies PlayerHostMessage);
  }

  private async state(): Promise<PlayerState> {
    const title = path.basename(this.storyboard.fsPath);
    const analysis = await this.deps.analyzer.analyze(this.storyboard);
    if (!analysis.plan) {
      const problem = analysis.outline.errorCount
        ? analysis.outline.errorCount === 1
          ? vscode.l10n.t('{0} has 1 problem to fix before it can be played.', title)
          : vscode.l10n.t('{0} has {1} problems to fix before it can be played.', title, analysis.outline.errorCount)
        : (analysis.planError ?? vscode.l10n.t('{0} cannot be played.', title));
      return { type: 'player/state', title, items: [], total: 0, chapters: [], problem };
    }
    if (path.resolve(analysis.plan.outputDir) !== path.resolve(this.outputDir)) {
      // "output" changed: the page may only load from the folder it was opened with; a new player reads the new one.
      return { type: 'player/state', title, items: [], total: 0, chapters: [], problem: vscode.l10n.t('The storyboard\'s "output" changed: close this player and play the storyboard again.') };
    }
    const timeline = await readStoryboardTimeline(analysis.plan);
    const webview = this.panel.webview;
    const items = await Promise.all(
      timeline.items.map(async (item) => {
        let src: string | undefined;
        if (item.kind === 'video') {
          const file = vscode.Uri.file(item.path);
          const version = await vscode.workspace.fs.stat(file).then((s) => `${s.mtime}-${s.size}`, () => String(Date.now()));
          src = webview.asWebviewUri(file).with({ query: `version=${encodeURIComponent(version)}` }).toString();
        }
        return { name: item.name, index: item.index, start: item.start, end: item.end, shots: item.shots, kind: item.kind, src, outdated: item.kind === 'video' && !item.upToDate };
      }),
    );
    return { type: 'player/state', title, items, total: timeline.total, chapters: timeline.chapters, problem: undefined };
  }
}
