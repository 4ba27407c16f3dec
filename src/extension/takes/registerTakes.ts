import * as path from 'node:path';
import * as vscode from 'vscode';
import type { VideoLocations } from '../../core/records/videoLocations';
import { chosenPlaceOf, videoOfSidecar, workspaceLocations } from '../records/videoPlaces';
import { MAX_TAKES } from '../../core/takes/takeLimits';
import { showError } from '../errors/showError';
import { loadCore } from '../lazyCore';
import { loadFeatures } from '../lazyFeatures';
import type { ExtensionLog } from '../log/extensionLog';
import { KLING_PREVIEW } from '../preview/openVideo';
import { isStoryboard, type StoryboardAnalyzer } from '../storyboards/storyboardAnalyzer';
import type { StoryboardNode, StoryboardTreeProvider } from '../storyboards/storyboardTree';
import type { TaskTreeProvider } from '../tasks/taskTree';
import { Disposable } from '../util/dispose';
import type { CompareTakesDeps } from './compareTakesPanel';

export interface TakesDeps {
  analyzer: StoryboardAnalyzer;
  storyboards: StoryboardTreeProvider;
  taskTree: TaskTreeProvider;
  log: ExtensionLog;
}

/** The Explorer offers Compare Takes on the MP4 files that have a sidecar: their paths, in this context key. */
const VIDEOS_WITH_SIDECARS = 'klingStudio.videosWithSidecars';

/**
 * Takes in the editor: Compare Takes (from the Storyboards view, the CodeLens, Kling Preview's title bar, the
 * Explorer), Use This Take and Delete Take, and Play Storyboard. The panels and the take store load with the second
 * bundle when first used; what stays here is the commands and a context key for the Explorer's menu.
 */
export class TakesFeature extends Disposable {
  /** Delete's question; a modal dialog unless set (API tests answer it). */
  confirmDelete: CompareTakesDeps['confirmDelete'];
  private readonly withSidecars = new Set<string>();
  private contextTimer: ReturnType<typeof setTimeout> | undefined;

  constructor(
    private readonly context: vscode.ExtensionContext,
    private readonly deps: TakesDeps,
  ) {
    super();
    const register = (id: string, run: (...args: never[]) => unknown) =>
      this._register(
        vscode.commands.registerCommand(id, async (...args: never[]) => {
          try {
            return await run(...args);
          } catch (error) {
            await showError(error);
            return undefined;
          }
        }),
      );
    register('klingStudio.compareTakes', (arg?: unknown, name?: string) => this.compare(arg, name));
    register('klingStudio.useTake', (arg?: unknown) => this.onTake(arg, 'use'));
    register('klingStudio.deleteTake', (arg?: unknown) => this.onTake(arg, 'delete'));
    register('klingStudio.playStoryboard', (arg?: unknown) => this.play(arg));
    this._register({ dispose: () => clearTimeout(this.contextTimer) });
    this.watchSidecars();
  }

  /** The videos the Explorer offers Compare Takes on, as the menu's `resourcePath` names them (for tests). */
  videosWithSidecars(): string[] {
    return [...this.withSidecars];
  }

  private get pageRoot(): vscode.Uri {
    return vscode.Uri.joinPath(this.context.extensionUri, 'dist', 'webview');
  }

  /** Opens Compare Takes for a video: a file (Explorer, preview), a storyboard and a name (CodeLens), a view item. */
  async compare(arg?: unknown, name?: string): Promise<unknown> {
    const videoPath = await this.videoOf(arg, name);
    if (!videoPath) return undefined;
    const core = loadFeatures();
    const list = await core.takesOf(videoPath);
    const videoName = path.basename(videoPath);
    if (list.takes.length < 2) {
      void vscode.window.showInformationMessage(
        list.takes.length === 0
          ? vscode.l10n.t('{0} has no takes yet: render it first.', videoName)
          : vscode.l10n.t('{0} has one take. Render it again (Regenerate in Kling Preview, or "takes": 2 in its storyboard) to have takes to compare.', videoName),
      );
      return undefined;
    }
    let selection: string[] | undefined;
    if (list.takes.length > MAX_TAKES) {
      const items = list.takes.map((take) => ({
        label: take.chosen ? vscode.l10n.t('Take {0} (in use)', take.index) : vscode.l10n.t('Take {0}', take.index),
        description: new Date(take.createdAt).toLocaleString(),
        detail: take.sidecar?.taskId,
        id: path.basename(take.path),
        picked: take.chosen || take.index > list.takes.length - (MAX_TAKES - 1),
      }));
      const picked = await vscode.window.showQuickPick(items, { canPickMany: true, title: vscode.l10n.t('Compare which takes of {0}? (2 to {1})', videoName, MAX_TAKES) });
      if (!picked) return undefined;
      if (picked.length < 2 || picked.length > MAX_TAKES) {
        void vscode.window.showWarningMessage(vscode.l10n.t('Pick 2 to {0} takes to compare.', MAX_TAKES));
        return undefined;
      }
      selection = picked.map((p) => p.id);
    }
    return core.CompareTakesPanel.show(list.videoPath, { log: this.deps.log, pageRoot: this.pageRoot, confirmDelete: this.confirmDelete }, selection);
  }

  async play(arg?: unknown): Promise<unknown> {
    const uri = await this.storyboardOf(arg);
    if (!uri) return undefined;
    return loadFeatures().StoryboardPlayerPanel.show(uri, { analyzer: this.deps.analyzer, log: this.deps.log, pageRoot: this.pageRoot });
  }

  private async onTake(arg: unknown, action: 'use' | 'delete'): Promise<boolean> {
    const file = uriOf(arg) ?? activeVideo();
    if (!file || path.extname(file.fsPath).toLowerCase() !== '.mp4') {
      void vscode.window.showInformationMessage(vscode.l10n.t("Run this on a take: an MP4 file in a video's .takes folder (or from Compare Takes)."));
      return false;
    }
    const core = loadFeatures();
    const done = action === 'use' ? await core.useTake(file.fsPath, this.deps.log) : await core.deleteTake(file.fsPath, this.deps.log, { confirm: this.confirmDelete });
    this.deps.taskTree.refresh();
    return done;
  }

  /** The video a command is about: its arguments, else the active Kling Preview's, else the video at the cursor. */
  private async videoOf(arg: unknown, name: string | undefined): Promise<string | undefined> {
    const node = arg as StoryboardNode | undefined;
    if (node && typeof node === 'object' && 'kind' in node && node.kind === 'video') return this.storyboardVideo(node.uri, node.name);
    const file = uriOf(arg);
    if (file && isStoryboard(file) && name) return this.storyboardVideo(file, name);
    if (file && path.extname(file.fsPath).toLowerCase() === '.mp4') return (await chosenPlaceOf(file.fsPath)).video;
    const active = activeVideo();
    if (active) return (await chosenPlaceOf(active.fsPath)).video;
    const editor = vscode.window.activeTextEditor;
    if (editor && isStoryboard(editor.document.uri)) {
      const checked = await this.deps.analyzer.check(editor.document.uri);
      const video = loadCore().videoAt(checked.outline, editor.document.offsetAt(editor.selection.active));
      if (video?.name) return this.storyboardVideo(editor.document.uri, video.name);
    }
    void vscode.window.showInformationMessage(vscode.l10n.t('Open a video (or put the cursor on a video in a storyboard) to compare its takes.'));
    return undefined;
  }

  private async storyboardVideo(storyboard: vscode.Uri, name: string): Promise<string | undefined> {
    const analysis = await this.deps.analyzer.analyze(storyboard);
    const planned = analysis.plan?.videos.find((v) => v.name === name);
    if (planned) return planned.outputPath;
    // A storyboard that cannot be priced still has an output folder.
    const value = analysis.check.document.value as { output?: unknown } | undefined;
    const output = typeof value?.output === 'string' && value.output ? value.output : undefined;
    return path.join(loadCore().storyboardOutputDir(analysis.storyboardPath, { output }), `${name}.mp4`);
  }

  private async storyboardOf(arg: unknown): Promise<vscode.Uri | undefined> {
    const node = arg as StoryboardNode | undefined;
    if (node && typeof node === 'object' && 'kind' in node && 'uri' in node) return node.uri;
    const file = uriOf(arg);
    if (file && isStoryboard(file)) return file;
    const active = vscode.window.activeTextEditor?.document.uri;
    if (active && isStoryboard(active)) return active;
    const files = await this.deps.storyboards.storyboards();
    if (files.length === 0) {
      void vscode.window.showInformationMessage(vscode.l10n.t('There is no storyboard (*.kling.json) in this workspace to play.'));
      return undefined;
    }
    if (files.length === 1) return files[0];
    const picked = await vscode.window.showQuickPick(
      files.map((uri) => ({ label: vscode.workspace.asRelativePath(uri), uri })),
      { title: vscode.l10n.t('Play which storyboard?') },
    );
    return picked?.uri;
  }

  /**
   * Keeps the context key that lists the MP4 files with a sidecar (Kling's videos and takes), so that the Explorer
   * offers Compare Takes on them only. Looked for after activation, then kept by a watcher on sidecars; the Tasks
   * view is drawn again too, since which take is in use shows there.
   */
  private watchSidecars(): void {
    const update = () => {
      clearTimeout(this.contextTimer);
      this.contextTimer = setTimeout(() => {
        void vscode.commands.executeCommand('setContext', VIDEOS_WITH_SIDECARS, Object.fromEntries([...this.withSidecars].map((p) => [p, true])));
        this.deps.taskTree.refresh();
      }, 300);
    };
    // Keyed by the URI's path, as the menu's `resourcePath` says it (not fsPath: on Windows that is `c:\…`).
    // A sidecar in a storyboard's "metadata" folder stands for the video in its output folder (videoPlaces.ts).
    let locations: VideoLocations[] = [];
    const videoOf = (sidecar: vscode.Uri) => videoOfSidecar(sidecar, locations).path;
    const watcher = this._register(vscode.workspace.createFileSystemWatcher('**/*.mp4.json'));
    this._register(watcher.onDidCreate((uri) => (this.withSidecars.add(videoOf(uri)), update())));
    this._register(watcher.onDidChange(() => update()));
    this._register(watcher.onDidDelete((uri) => (this.withSidecars.delete(videoOf(uri)), update())));
    // The workspace watcher can miss files in a folder made with its parents at once (a take's first
    // .takes/<name>/ folder): the storyboards' own watchers see their output folders, so a change there looks again.
    let searching: Promise<void> | undefined;
    let again = false;
    const search = (): void => {
      if (searching) {
        again = true;
        return;
      }
      searching = Promise.all([vscode.workspace.findFiles('**/*.mp4.json', '**/node_modules/**', 5000), workspaceLocations()])
        .then(([uris, found]) => {
          locations = found;
          for (const uri of uris) this.withSidecars.add(videoOf(uri));
          update();
        }, () => undefined)
        .finally(() => {
          searching = undefined;
          if (again) {
            again = false;
            search();
          }
        });
    };
    let searchTimer: ReturnType<typeof setTimeout> | undefined;
    this._register(
      this.deps.analyzer.onDidChange(() => {
        clearTimeout(searchTimer);
        searchTimer = setTimeout(search, 500);
      }),
    );
    this._register({ dispose: () => clearTimeout(searchTimer) });
    // Not while activating: the search waits until the window has settled.
    const timer = setTimeout(search, 1500);
    this._register({ dispose: () => clearTimeout(timer) });
  }
}

/** A URI as callers pass it: a Uri (CodeLens, menus), or a path or URI string. */
function uriOf(arg: unknown): vscode.Uri | undefined {
  if (arg instanceof vscode.Uri) return arg;
  if (typeof arg === 'string' && arg !== '') return /^[a-z][a-z0-9+.-]+:\/\//i.test(arg) ? vscode.Uri.parse(arg) : vscode.Uri.file(arg);
  return undefined;
}

/** The video in the active Kling Preview (or any editor of an MP4). */
function activeVideo(): vscode.Uri | undefined {
  const input = vscode.window.tabGroups.activeTabGroup.activeTab?.input;
  const uri = input instanceof vscode.TabInputCustom ? input.uri : undefined;
  if (uri && input instanceof vscode.TabInputCustom && input.viewType === KLING_PREVIEW) return uri;
  return uri && path.extname(uri.path).toLowerCase() === '.mp4' ? uri : undefined;
}

export function registerTakes(context: vscode.ExtensionContext, deps: TakesDeps): TakesFeature {
  const takes = new TakesFeature(context, deps);
  context.subscriptions.push(takes);
  return takes;
}
