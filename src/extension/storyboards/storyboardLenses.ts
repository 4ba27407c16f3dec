import * as vscode from 'vscode';
import type { TaskService } from '../tasks/taskService';
import { Disposable } from '../util/dispose';
import { statusesOf, STORYBOARD_SELECTOR, summaryOf, type StoryboardAnalyzer } from './storyboardAnalyzer';
import { loadCore } from '../lazyCore';
import type { LensAction, LensTitle } from './storyboardPresentation';

/** A running task reports progress every poll: the lenses follow, at most this often. */
const REFRESH_MS = 300;

/**
 * CodeLens above each video ("Render · $0.75 · 10 s · 1080p", "Up to date · Open", "Rendering 40%") and above the
 * file ("Render all · $2.33 · 3 videos (1 up to date)"), and the hover on a video's name: its price and state. They
 * follow the text as it is typed and the tasks as they run.
 */
export class StoryboardLenses extends Disposable implements vscode.CodeLensProvider, vscode.HoverProvider {
  private readonly changed = this._register(new vscode.EventEmitter<void>());
  readonly onDidChangeCodeLenses = this.changed.event;
  private timer: NodeJS.Timeout | undefined;
  /** What each document's lenses said when VS Code last asked: a change that leaves them as they are redraws nothing. */
  private readonly shown = new Map<string, string>();

  constructor(
    private readonly analyzer: StoryboardAnalyzer,
    private readonly tasks: TaskService,
  ) {
    super();
    this._register(analyzer.onDidChange(() => this.refreshSoon()));
    this._register(tasks.onDidChange(() => this.refreshSoon()));
    this._register({ dispose: () => clearTimeout(this.timer) });
    this._register(vscode.languages.registerCodeLensProvider(STORYBOARD_SELECTOR, this));
    this._register(vscode.languages.registerHoverProvider(STORYBOARD_SELECTOR, this));
  }

  async provideCodeLenses(document: vscode.TextDocument): Promise<vscode.CodeLens[]> {
    const lenses = await this.lensesOf(document);
    this.shown.set(document.uri.toString(), signatureOf(lenses));
    return lenses;
  }

  private async lensesOf(document: vscode.TextDocument): Promise<vscode.CodeLens[]> {
    const analysis = await this.analyzer.analyze(document.uri);
    if (analysis.version !== document.version) return [];
    const { fileLens, videoLenses, takesLens } = loadCore();
    const statuses = statusesOf(analysis, this.tasks);
    const lenses: vscode.CodeLens[] = [];
    const top = new vscode.Range(0, 0, 0, 0);
    const file = fileLens(summaryOf(analysis, statuses));
    if (file) lenses.push(lensOf(top, file, document.uri, undefined));
    analysis.outline.videos.forEach((video, i) => {
      const start = document.positionAt(video.range.offset);
      const range = new vscode.Range(start, start);
      for (const title of videoLenses(statuses[i]!)) lenses.push(lensOf(range, title, document.uri, video.name));
      const takes = video.name ? takesLens(analysis.takes.get(video.name)) : undefined;
      if (takes) lenses.push(lensOf(range, takes, document.uri, video.name));
    });
    return lenses;
  }

  async provideHover(document: vscode.TextDocument, position: vscode.Position): Promise<vscode.Hover | undefined> {
    const analysis = await this.analyzer.analyze(document.uri);
    if (analysis.version !== document.version) return undefined;
    const offset = document.offsetAt(position);
    const index = analysis.outline.videos.findIndex((v) => v.nameRange && offset >= v.nameRange.offset && offset <= v.nameRange.offset + v.nameRange.length);
    const video = analysis.outline.videos[index];
    if (!video?.name || !video.nameRange) return undefined;
    const status = statusesOf(analysis, this.tasks)[index]!;
    const markdown = new vscode.MarkdownString(loadCore().videoHoverMarkdown(video.name, status, analysis.simulated), true);
    const range = new vscode.Range(document.positionAt(video.nameRange.offset), document.positionAt(video.nameRange.offset + video.nameRange.length));
    return new vscode.Hover(markdown, range);
  }

  private refreshSoon(): void {
    this.timer ??= setTimeout(() => {
      this.timer = undefined;
      void this.refreshIfChanged();
    }, REFRESH_MS);
  }

  /**
   * Asks VS Code to draw the lenses again only when what they say changed. Every redraw replaces the lens widgets,
   * and a click that lands on one being replaced is lost; the journal and the output folder change far more often
   * (each poll, each claim heartbeat) than what the lenses say. A document not shown is asked for when it is.
   */
  private async refreshIfChanged(): Promise<void> {
    const documents = new Map(vscode.window.visibleTextEditors.map((editor) => [editor.document.uri.toString(), editor.document]));
    for (const [key, shown] of this.shown) {
      const document = documents.get(key);
      if (!document) {
        this.shown.delete(key);
        continue;
      }
      const now = signatureOf(await this.lensesOf(document).catch(() => []));
      if (now !== shown) {
        this.changed.fire();
        return;
      }
    }
  }
}

function signatureOf(lenses: readonly vscode.CodeLens[]): string {
  return JSON.stringify(lenses.map((lens) => [lens.range.start.line, lens.command?.title, lens.command?.tooltip, lens.command?.command, lens.command?.arguments?.map(String)]));
}

const COMMANDS: Record<LensAction, string> = {
  'render-all': 'klingStudio.storyboard.render',
  'render-video': 'klingStudio.storyboard.renderVideo',
  'open-result': 'klingStudio.storyboard.openResult',
  'show-tasks': 'klingStudio.tasks.focus',
  'show-problems': 'workbench.actions.view.problems',
  'compare-takes': 'klingStudio.compareTakes',
  none: '',
};

function lensOf(range: vscode.Range, title: LensTitle, uri: vscode.Uri, videoName: string | undefined): vscode.CodeLens {
  const args = title.action === 'render-all' ? [uri] : title.action === 'render-video' || title.action === 'open-result' || title.action === 'compare-takes' ? [uri, videoName] : [];
  // A lens with no command id is drawn as plain text.
  return new vscode.CodeLens(range, { title: spacedIcon(title.title), tooltip: title.tooltip, command: COMMANDS[title.action], arguments: args });
}

/**
 * "$(play) Render" with a no-break space after the icon: the CodeLens drops the plain space after a codicon, and
 * the icon touched its word ("▷Render", "⚠1 problem").
 */
function spacedIcon(title: string): string {
  return title.replace(/^(\$\([^)]+\)) /, '$1\u00a0');
}
