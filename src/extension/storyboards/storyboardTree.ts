import * as vscode from 'vscode';
import type { TaskService } from '../tasks/taskService';
import { Disposable } from '../util/dispose';
import { statusesOf, STORYBOARD_GLOB, summaryOf, type StoryboardAnalyzer } from './storyboardAnalyzer';
import { loadCore } from '../lazyCore';
import type { VideoStatus } from './storyboardPresentation';

export type StoryboardNode = { kind: 'storyboard'; uri: vscode.Uri } | { kind: 'video'; uri: vscode.Uri; name: string; index: number };

export type StoryboardContextValue =
  | 'storyboard:file'
  | 'storyboard:file-problems'
  | `storyboardVideo:${'problems' | 'unpriced' | 'to-render' | 'up-to-date' | 'rendering' | 'unknown-outcome'}${'' | ':takes'}`;

const REFRESH_MS = 300;
/** With more storyboards than this, they start collapsed (each one expanded is checked and priced). */
const EXPANDED_UP_TO = 3;

/**
 * The Storyboards view: the workspace's `*.kling.json` files and each video's state (price to render, up to date,
 * rendering, problems), kept current by a file watcher and the journal. It reads everything from the analyzer.
 */
export class StoryboardTreeProvider extends Disposable implements vscode.TreeDataProvider<StoryboardNode> {
  private readonly changed = this._register(new vscode.EventEmitter<StoryboardNode | undefined>());
  readonly onDidChangeTreeData = this.changed.event;
  private files: Promise<vscode.Uri[]> | undefined;
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly analyzer: StoryboardAnalyzer,
    private readonly tasks: TaskService,
  ) {
    super();
    const watcher = this._register(vscode.workspace.createFileSystemWatcher(STORYBOARD_GLOB));
    // A storyboard created or deleted changes the list; any change (text, files, journal) may change the states.
    this._register(watcher.onDidCreate(() => this.refresh(true)));
    this._register(watcher.onDidDelete(() => this.refresh(true)));
    // Files made in the editor come this way at once; the watcher also sees those made outside (a checkout). A
    // folder made and filled at the same instant can escape a file watcher (inotify): coming back to the window,
    // or the view's Refresh, lists them again.
    const touchesStoryboard = (e: { files: readonly vscode.Uri[] } | { files: ReadonlyArray<{ oldUri: vscode.Uri; newUri: vscode.Uri }> }) =>
      e.files.some((f) => ('oldUri' in f ? [f.oldUri, f.newUri] : [f]).some((u) => u.path.endsWith('.kling.json') || !/\.[^/]*$/.test(u.path)));
    this._register(vscode.workspace.onDidCreateFiles((e) => touchesStoryboard(e) && this.refresh(true)));
    this._register(vscode.workspace.onDidDeleteFiles((e) => touchesStoryboard(e) && this.refresh(true)));
    this._register(vscode.workspace.onDidRenameFiles((e) => touchesStoryboard(e) && this.refresh(true)));
    this._register(vscode.workspace.onDidChangeWorkspaceFolders(() => this.refresh(true)));
    this._register(vscode.window.onDidChangeWindowState((state) => state.focused && this.refresh(true)));
    this._register(analyzer.onDidChange(() => this.refreshSoon()));
    this._register(tasks.onDidChange(() => this.refreshSoon()));
    this._register({ dispose: () => clearTimeout(this.timer) });
  }

  /** Lists the storyboards again when `relist` (a file came or went), and redraws. */
  refresh(relist = false): void {
    if (relist) this.files = undefined;
    this.changed.fire(undefined);
  }

  /** The workspace's storyboards, by path. */
  storyboards(): Promise<vscode.Uri[]> {
    this.files ??= Promise.resolve(vscode.workspace.findFiles(STORYBOARD_GLOB, '**/node_modules/**')).then((uris) =>
      [...uris].sort((a, b) => vscode.workspace.asRelativePath(a).localeCompare(vscode.workspace.asRelativePath(b))),
    );
    return this.files;
  }

  async getChildren(node?: StoryboardNode): Promise<StoryboardNode[]> {
    if (!node) return (await this.storyboards()).map((uri) => ({ kind: 'storyboard', uri }));
    if (node.kind === 'video') return [];
    const analysis = await this.analyzer.analyze(node.uri).catch(() => undefined);
    return (analysis?.outline.videos ?? []).map((v) => ({ kind: 'video', uri: node.uri, name: v.name ?? vscode.l10n.t('video {0}', v.index + 1), index: v.index }));
  }

  async getTreeItem(node: StoryboardNode): Promise<vscode.TreeItem> {
    const analysis = await this.analyzer.analyze(node.uri).catch(() => undefined);
    if (node.kind === 'storyboard') {
      const count = (await this.storyboards()).length;
      const item = new vscode.TreeItem(vscode.workspace.asRelativePath(node.uri), count > EXPANDED_UP_TO ? vscode.TreeItemCollapsibleState.Collapsed : vscode.TreeItemCollapsibleState.Expanded);
      item.id = `storyboard:${node.uri.toString()}`;
      item.resourceUri = node.uri;
      item.iconPath = new vscode.ThemeIcon('file-media');
      item.command = { command: 'vscode.open', title: vscode.l10n.t('Open Storyboard'), arguments: [node.uri] };
      if (!analysis) {
        item.description = vscode.l10n.t('cannot be read');
        item.contextValue = 'storyboard:file-problems';
        return item;
      }
      const summary = summaryOf(analysis, statusesOf(analysis, this.tasks));
      item.description = loadCore().fileDescription(summary);
      item.contextValue = summary.errors ? 'storyboard:file-problems' : 'storyboard:file';
      item.tooltip = `${node.uri.fsPath}\n${item.description}`;
      return item;
    }
    const item = new vscode.TreeItem(node.name, vscode.TreeItemCollapsibleState.None);
    item.id = `storyboard:${node.uri.toString()}#${node.index}`;
    item.command = { command: 'klingStudio.storyboard.revealVideo', title: vscode.l10n.t('Go to Video'), arguments: [node.uri, node.index] };
    const status = analysis ? statusesOf(analysis, this.tasks)[node.index] : undefined;
    if (!status) return item;
    const takes = loadCore().takesDescription(analysis!.takes.get(node.name));
    item.description = [loadCore().videoDescription(status), takes].filter(Boolean).join(' · ');
    item.iconPath = iconOf(status);
    // `:takes` when there are takes to compare (menus match the state with a pattern that allows it).
    item.contextValue = `storyboardVideo:${status.kind}${(analysis!.takes.get(node.name)?.count ?? 0) > 1 ? ':takes' : ''}` satisfies StoryboardContextValue;
    item.tooltip = new vscode.MarkdownString(loadCore().videoHoverMarkdown(node.name, status, analysis!.simulated), true);
    return item;
  }

  getParent(node: StoryboardNode): StoryboardNode | undefined {
    return node.kind === 'video' ? { kind: 'storyboard', uri: node.uri } : undefined;
  }

  private refreshSoon(): void {
    this.timer ??= setTimeout(() => {
      this.timer = undefined;
      this.changed.fire(undefined);
    }, REFRESH_MS);
  }
}

function iconOf(status: VideoStatus): vscode.ThemeIcon {
  switch (status.kind) {
    case 'problems':
      // Problems that stop a render are errors (the Problems panel's own icon), not warnings.
      return new vscode.ThemeIcon('error', new vscode.ThemeColor('problemsErrorIcon.foreground'));
    case 'unpriced':
      return new vscode.ThemeIcon('circle-outline');
    case 'to-render':
      return status.lastFailure ? new vscode.ThemeIcon('error', new vscode.ThemeColor('testing.iconFailed')) : new vscode.ThemeIcon('circle-outline');
    case 'up-to-date':
      return new vscode.ThemeIcon('pass-filled', new vscode.ThemeColor('testing.iconPassed'));
    case 'rendering':
      return new vscode.ThemeIcon('sync~spin');
    case 'unknown-outcome':
      return new vscode.ThemeIcon('question', new vscode.ThemeColor('problemsWarningIcon.foreground'));
  }
}
