import * as vscode from 'vscode';
import type { Fix, Problem } from '../../core/storyboard/storyboardDocument';
import { Disposable } from '../util/dispose';
import { isStoryboard, STORYBOARD_SELECTOR, type StoryboardAnalyzer } from './storyboardAnalyzer';

export const DIAGNOSTIC_SOURCE = 'kling';

/** How long typing pauses before a storyboard is checked again. */
const DEBOUNCE_MS = 250;

/**
 * The core's problems of every open storyboard in the Problems panel, at their exact ranges, checked on open and
 * (debounced) on edit, and again when a file they name appears or goes. Syntax errors are left to VS Code's JSON
 * service, which reports them at the same places in its own words: reported by both, each would show twice.
 */
export class StoryboardDiagnostics extends Disposable {
  readonly collection = this._register(vscode.languages.createDiagnosticCollection(DIAGNOSTIC_SOURCE));
  /** What the last check of each document found, with the fixes the quick-fix provider offers. */
  private readonly found = new Map<string, { version: number; problems: Problem[] }>();
  private readonly timers = new Map<string, NodeJS.Timeout>();
  private readonly done = this._register(new vscode.EventEmitter<vscode.Uri>());
  /** Fires when a document's diagnostics were set (for tests, and nothing else). */
  readonly onDidUpdate = this.done.event;

  constructor(private readonly analyzer: StoryboardAnalyzer) {
    super();
    this._register(vscode.workspace.onDidOpenTextDocument((d) => void this.update(d)));
    this._register(
      vscode.workspace.onDidChangeTextDocument((e) => {
        if (e.contentChanges.length) this.schedule(e.document);
      }),
    );
    this._register(
      vscode.workspace.onDidCloseTextDocument((d) => {
        clearTimeout(this.timers.get(d.uri.toString()));
        this.collection.delete(d.uri);
        this.found.delete(d.uri.toString());
      }),
    );
    // Files they name may have come or gone (an image added, the workspace trusted): check the open ones again.
    this._register(analyzer.onDidChange((uri) => (uri ? undefined : vscode.workspace.textDocuments.forEach((d) => this.schedule(d)))));
    this._register({ dispose: () => this.timers.forEach((t) => clearTimeout(t)) });
    this._register(vscode.languages.registerCodeActionsProvider(STORYBOARD_SELECTOR, new StoryboardQuickFixes(this), { providedCodeActionKinds: [vscode.CodeActionKind.QuickFix] }));
    vscode.workspace.textDocuments.forEach((d) => void this.update(d));
  }

  /** The problems found at the document's current version, if it was checked at that version. */
  problemsOf(document: vscode.TextDocument): Problem[] | undefined {
    const found = this.found.get(document.uri.toString());
    return found?.version === document.version ? found.problems : undefined;
  }

  private schedule(document: vscode.TextDocument): void {
    if (!isStoryboard(document.uri)) return;
    const key = document.uri.toString();
    clearTimeout(this.timers.get(key));
    this.timers.set(
      key,
      setTimeout(() => {
        this.timers.delete(key);
        void this.update(document);
      }, DEBOUNCE_MS),
    );
  }

  private async update(document: vscode.TextDocument): Promise<void> {
    if (!isStoryboard(document.uri) || document.isClosed) return;
    let checked;
    try {
      checked = await this.analyzer.check(document.uri);
    } catch {
      return; // The file went away while it was read: nothing to show.
    }
    // A newer version is on its way (or the editor closed): its own check will set the diagnostics.
    if (document.isClosed || checked.version !== document.version) return;
    const problems = checked.check.problems.filter((p) => p.code !== 'syntax');
    this.found.set(document.uri.toString(), { version: document.version, problems });
    this.collection.set(document.uri, problems.map((p) => diagnosticOf(document, p)));
    this.done.fire(document.uri);
  }
}

function diagnosticOf(document: vscode.TextDocument, problem: Problem): vscode.Diagnostic {
  const range = new vscode.Range(document.positionAt(problem.offset), document.positionAt(problem.offset + problem.length));
  const diagnostic = new vscode.Diagnostic(range, problem.message, problem.severity === 'warning' ? vscode.DiagnosticSeverity.Warning : vscode.DiagnosticSeverity.Error);
  diagnostic.source = DIAGNOSTIC_SOURCE;
  diagnostic.code = problem.code;
  return diagnostic;
}

/** Quick fixes where the fix is obvious: the core attaches them to its problems (did you mean, the shots' sum, …). */
class StoryboardQuickFixes implements vscode.CodeActionProvider {
  constructor(private readonly diagnostics: StoryboardDiagnostics) {}

  provideCodeActions(document: vscode.TextDocument, _range: vscode.Range, context: vscode.CodeActionContext): vscode.CodeAction[] {
    const problems = this.diagnostics.problemsOf(document);
    if (!problems) return [];
    const actions: vscode.CodeAction[] = [];
    for (const diagnostic of context.diagnostics) {
      if (diagnostic.source !== DIAGNOSTIC_SOURCE) continue;
      const start = document.offsetAt(diagnostic.range.start);
      const end = document.offsetAt(diagnostic.range.end);
      const problem = problems.find((p) => p.offset === start && p.offset + p.length === end && p.message === diagnostic.message);
      for (const fix of problem?.fixes ?? []) actions.push(actionOf(document, diagnostic, fix, problem!.fixes.length === 1));
    }
    return actions;
  }
}

function actionOf(document: vscode.TextDocument, diagnostic: vscode.Diagnostic, fix: Fix, preferred: boolean): vscode.CodeAction {
  const action = new vscode.CodeAction(fix.title, vscode.CodeActionKind.QuickFix);
  action.diagnostics = [diagnostic];
  action.isPreferred = preferred;
  action.edit = new vscode.WorkspaceEdit();
  for (const edit of fix.edits) {
    action.edit.replace(document.uri, new vscode.Range(document.positionAt(edit.offset), document.positionAt(edit.offset + edit.length)), edit.newText);
  }
  return action;
}
