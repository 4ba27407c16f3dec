import * as path from 'node:path';
import * as vscode from 'vscode';
import type { JournalEntry } from '../../core/journal/taskState';
import type { StoryboardPlan } from '../../core/render/storyboardPlan';
import type { StoryboardOutline } from '../../core/storyboard/storyboardOutline';
import type { StoryboardCheck } from '../../core/storyboard/validateStoryboard';
import type { Backend } from '../../core/journal/taskState';
import type { BackendManager } from '../backend/backendManager';
import { loadCore } from '../lazyCore';
import type { ExtensionLog } from '../log/extensionLog';
import type { TaskService } from '../tasks/taskService';
import { Disposable } from '../util/dispose';
import { watchFolder, type FolderWatch } from '../util/folderWatcher';
import type { FileSummary, TakeSummary, VideoStatus } from './storyboardPresentation';
import { errorText } from '../../core/text/errorText';

export const STORYBOARD_GLOB = '**/*.kling.json';

/** Storyboards on disk, in any language mode (VS Code may call them JSON or JSON with Comments). */
export const STORYBOARD_SELECTOR: vscode.DocumentSelector = [{ scheme: 'file', pattern: STORYBOARD_GLOB }];

export function isStoryboard(uri: vscode.Uri): boolean {
  return uri.scheme === 'file' && uri.path.endsWith('.kling.json');
}

/** A storyboard checked: its text as validated, where that text came from, and the problems with their places. */
export interface StoryboardChecked {
  uri: vscode.Uri;
  storyboardPath: string;
  workspaceRoot: string;
  text: string;
  /** The editor's version of the document that was checked; undefined when the text came from disk. */
  version: number | undefined;
  check: StoryboardCheck;
  outline: StoryboardOutline;
}

/** A storyboard checked and priced: what each video costs and whether it is up to date, under way or to render. */
export interface StoryboardAnalysis extends StoryboardChecked {
  plan: StoryboardPlan | undefined;
  /** Why no video has a price although the storyboard has no problem outside its videos. */
  planError: string | undefined;
  simulated: boolean;
  /** Each priced video's takes: how many, and which is in use. */
  takes: ReadonlyMap<string, TakeSummary>;
}

/** A video's status, with the live journal entry for a task under way. */
export function statusesOf(analysis: StoryboardAnalysis, tasks: Pick<TaskService, 'get' | 'entries'>): VideoStatus[] {
  const unpriced = analysis.outline.fileErrors.length
    ? vscode.l10n.t('Fix the problems outside the videos to see prices.')
    : (analysis.planError ?? vscode.l10n.t('No price yet.'));
  const { videoStatus } = loadCore();
  return analysis.outline.videos.map((video) =>
    videoStatus(video, analysis.plan?.videos.find((p) => p.name === video.name), tasks, unpriced),
  );
}

export function summaryOf(analysis: StoryboardAnalysis, statuses: readonly VideoStatus[]): FileSummary {
  return loadCore().fileSummary(analysis.outline, analysis.plan, statuses);
}

interface Cached<T> {
  stamp: string;
  value: Promise<T>;
}

/**
 * Checks and prices storyboards for the diagnostics, CodeLens, hovers, the Storyboards view and rendering, so that
 * they all see the same thing. Results are cached by the document's version and by a generation that moves when
 * anything they depend on moves: a file they read (images, sidecars, videos, the storyboard on disk), a task's
 * status in the journal, the backend. The core (validation, pricing) loads the first time a storyboard is looked at.
 */
export class StoryboardAnalyzer extends Disposable {
  private generation = 0;
  private readonly checks = new Map<string, Cached<StoryboardChecked>>();
  private readonly analyses = new Map<string, Cached<StoryboardAnalysis>>();
  private readonly statuses = new Map<string, string>();
  /** Watches on the output folders of the storyboards looked at, by folder path. */
  private readonly outputWatchers = new Map<string, FolderWatch>();
  private readonly changed = this._register(new vscode.EventEmitter<vscode.Uri | undefined>());
  /** Fires with the storyboard whose text changed, or undefined when anything may have (files, journal, backend). */
  readonly onDidChange = this.changed.event;
  private pending: NodeJS.Timeout | undefined;
  /** Claims being followed right now (the engine is asked once per claim, not at every look). */
  private readonly following = new Set<string>();

  constructor(
    private readonly tasks: TaskService,
    private readonly backends: BackendManager,
    private readonly log: ExtensionLog,
  ) {
    super();
    for (const entry of tasks.entries()) this.statuses.set(entry.id, entry.state.status);
    // Progress changes the live text only (read from the journal when drawn); a new status can change the plan.
    this._register(tasks.onDidChange((entry) => this.onTask(entry)));
    this._register(backends.onDidChange(() => this.invalidate()));
    this._register(vscode.workspace.onDidChangeTextDocument((e) => isStoryboard(e.document.uri) && e.contentChanges.length && this.changed.fire(e.document.uri)));
    this._register(vscode.workspace.onDidCloseTextDocument((d) => isStoryboard(d.uri) && this.forget(d.uri)));
    this._register(vscode.workspace.onDidGrantWorkspaceTrust(() => this.invalidate()));
    // What the checks and the plan read from disk: storyboards, their images, results and sidecars.
    // Claims (`.<video>.mp4.….claim`) say that another process (the CLI, another window) is making a video.
    for (const glob of [STORYBOARD_GLOB, '**/*.{png,jpg,jpeg,PNG,JPG,JPEG}', '**/*.mp4', '**/*.mp4.json', '**/.kling-elements.json', '**/.*.claim']) {
      const watcher = this._register(vscode.workspace.createFileSystemWatcher(glob));
      const onFile = (uri: vscode.Uri) => {
        this.log.trace(`storyboards: ${vscode.workspace.asRelativePath(uri)} changed on disk`);
        this.invalidateSoon();
      };
      this._register(watcher.onDidCreate(onFile));
      this._register(watcher.onDidChange(onFile));
      this._register(watcher.onDidDelete(onFile));
    }
    // A file watcher can miss an event (a folder made and filled at once, a busy disk): coming back to the window,
    // after changing files elsewhere, checks again.
    this._register(vscode.window.onDidChangeWindowState((state) => state.focused && this.invalidateSoon()));
    this._register({ dispose: () => clearTimeout(this.pending) });
    this._register({ dispose: () => this.outputWatchers.forEach((w) => w.dispose()) });
  }

  /** Drops every cached result (files changed, the journal moved on): the next look checks again. */
  invalidate(): void {
    clearTimeout(this.pending);
    this.pending = undefined;
    this.generation++;
    this.changed.fire(undefined);
  }

  /** Syntax, schema, rules and files of one storyboard, from the open editor's text or from disk. */
  check(uri: vscode.Uri): Promise<StoryboardChecked> {
    const document = openDocument(uri);
    const stamp = `${document?.version ?? 'disk'}:${this.generation}`;
    return cached(this.checks, uri, stamp, async () => {
      const storyboardPath = uri.fsPath;
      const workspaceRoot = vscode.workspace.getWorkspaceFolder(uri)?.uri.fsPath ?? path.dirname(storyboardPath);
      const core = loadCore();
      // From disk as the CLI reads it: a FIFO, a device or a file over the size limit is refused at once (a plain
      // read of a FIFO never returns), a link out of the workspace is not read, a byte order mark is dropped.
      const read = document ? { ok: true as const, text: document.getText() } : await core.readStoryboardFile(storyboardPath, workspaceRoot);
      const text = read.ok ? read.text : '';
      const check = read.ok
        ? await core.validateStoryboard(text, { storyboardPath, workspaceRoot })
        : core.unreadStoryboardCheck(read.code, `${path.basename(storyboardPath)} ${read.problem}`);
      return { uri, storyboardPath, workspaceRoot, text, version: document?.version, check, outline: core.outlineStoryboard(check) };
    });
  }

  /** The check, and the price and state of each video that can be priced. */
  analyze(uri: vscode.Uri): Promise<StoryboardAnalysis> {
    const document = openDocument(uri);
    const stamp = `${document?.version ?? 'disk'}:${this.generation}`;
    return cached(this.analyses, uri, stamp, async () => {
      const checked = await this.check(uri);
      const backend = this.backends.current();
      let plan: StoryboardPlan | undefined;
      let planError: string | undefined;
      const storyboard = checked.outline.renderable;
      if (storyboard) {
        try {
          const core = loadCore();
          plan = await core.planStoryboard(storyboard, {
            storyboardPath: checked.storyboardPath,
            journal: this.tasks.entries(),
            backend,
            knownElements: await core.readKnownElements(core.storyboardLocations(checked.storyboardPath, storyboard), backend),
          });
          this.followOthers(plan, backend);
        } catch (error) {
          planError = `No price: ${errorText(error)}`;
          this.log.warn(`${vscode.workspace.asRelativePath(uri)}: ${planError}`);
        }
      }
      if (plan) void this.watchOutputFolder(plan.outputDir);
      // Its records (sidecars, claims) are there when the storyboard names a "metadata" folder.
      if (plan?.locations.separate) void this.watchOutputFolder(plan.locations.metadataDir);
      const takes = new Map<string, TakeSummary>();
      for (const video of plan?.videos ?? []) {
        const list = await loadCore().listTakes(video.place, { root: checked.workspaceRoot }).catch(() => undefined);
        if (list) takes.set(video.name, { count: list.takes.length, chosen: list.chosen?.index });
      }
      return { ...checked, plan, planError, simulated: backend.kind === 'simulator', takes };
    });
  }

  /**
   * Videos another process is making (a claim beside the result that this window's journal does not know): shown in
   * the Tasks view and followed to their end, so that the editor says "rendering" and a Render click creates nothing.
   */
  private followOthers(plan: StoryboardPlan, backend: Backend): void {
    const known = new Set(this.tasks.entries().map((e) => e.id));
    // Each take under way is its own task, with its own claim.
    for (const video of plan.videos) {
      for (const { state } of video.takes) {
        if (state.kind !== 'in-flight' || !state.claim || known.has(state.entry.id)) continue;
        const key = `${state.claim.key}`;
        if (this.following.has(key)) continue;
        this.following.add(key);
        void this.tasks
          .follow({
            kind: 'video',
            label: state.entry.label || video.name,
            request: video.hashedRequest,
            requestHash: video.requestHash,
            price: state.entry.price,
            backend,
            storyboardPath: plan.storyboardPath,
            videoName: video.name,
            outputPath: video.outputPath,
            claim: { dir: state.claim.dir, key: state.claim.key },
          })
          .finally(() => this.following.delete(key));
      }
    }
  }

  /**
   * The workspace's recursive watcher can miss the events of a folder made together with its parent (`mkdir -p`, which
   * is how a first render makes `media/videos`: parcel-bundler/watcher#97), and a result deleted there would then go
   * unnoticed. Each output folder is watched on its own once it exists, beside the analysis rather than in its way,
   * and looked at once more as the watch starts, for what changed between the analysis and the watch.
   */
  private async watchOutputFolder(folder: string): Promise<void> {
    if (this.outputWatchers.get(folder)?.closed === false) return;
    const uri = vscode.Uri.file(folder);
    try {
      if ((await vscode.workspace.fs.stat(uri)).type !== vscode.FileType.Directory) return;
    } catch {
      return; // Not rendered yet: the task that makes the folder moves the generation, and the next look watches it.
    }
    if (this.isDisposed || this.outputWatchers.get(folder)?.closed === false) return;
    this.outputWatchers.get(folder)?.dispose();
    const watch = watchFolder(uri, (file) => {
      this.log.trace(`storyboards: ${file ? vscode.workspace.asRelativePath(file) : `the output folder ${vscode.workspace.asRelativePath(uri)}`} changed on disk`);
      this.invalidateSoon();
    });
    this.outputWatchers.set(folder, watch);
    // A watch that could not start (the folder just went, no watches left) is tried again at the next look, not now.
    if (watch.closed) return this.log.trace(`storyboards: the output folder ${vscode.workspace.asRelativePath(uri)} cannot be watched`);
    this.log.trace(`storyboards: watching the output folder ${vscode.workspace.asRelativePath(uri)}`);
    this.invalidateSoon();
  }

  private onTask(entry: JournalEntry | undefined): void {
    if (!entry) return this.invalidateSoon();
    const before = this.statuses.get(entry.id);
    this.statuses.set(entry.id, entry.state.status);
    if (before !== entry.state.status) this.invalidateSoon();
  }

  /** Many events come at once (a render writes a video, its sidecar and the journal): one re-check for them all. */
  private invalidateSoon(): void {
    this.generation++;
    if (this.pending) return;
    this.pending = setTimeout(() => this.invalidate(), 150);
  }

  private forget(uri: vscode.Uri): void {
    this.checks.delete(uri.toString());
    this.analyses.delete(uri.toString());
  }
}

function openDocument(uri: vscode.Uri): vscode.TextDocument | undefined {
  const key = uri.toString();
  return vscode.workspace.textDocuments.find((d) => d.uri.toString() === key && !d.isClosed);
}

function cached<T>(cache: Map<string, Cached<T>>, uri: vscode.Uri, stamp: string, make: () => Promise<T>): Promise<T> {
  const key = uri.toString();
  const hit = cache.get(key);
  if (hit?.stamp === stamp) return hit.value;
  const value = make();
  cache.set(key, { stamp, value });
  // A failure is not kept: the next look tries again.
  value.catch(() => cache.get(key)?.value === value && cache.delete(key));
  return value;
}
