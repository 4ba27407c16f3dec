import * as vscode from 'vscode';
import type { GenerationServices } from '../generate/submitGeneration';
import type { ExtensionLog } from '../log/extensionLog';
import { Disposable } from '../util/dispose';
import { StoryboardAnalyzer } from './storyboardAnalyzer';
import { StoryboardCommands } from './storyboardCommands';
import { StoryboardDiagnostics } from './storyboardDiagnostics';
import { StoryboardLenses } from './storyboardLenses';
import { StoryboardRenderer } from './storyboardRenderer';
import { StoryboardTreeProvider } from './storyboardTree';

export interface StoryboardDeps extends GenerationServices {
  log: ExtensionLog;
  /** How a finished video is opened (the same as from the Tasks view). */
  openVideo: (file: vscode.Uri) => Thenable<unknown>;
}

/**
 * `*.kling.json` as a first-class file type: diagnostics with quick fixes, CodeLens and hovers with prices and
 * states, rendering through the money guards and the Tasks view, the Storyboards view, and the commands. (Completion
 * and descriptions come from VS Code's JSON service with the schema in package.json's `jsonValidation`.) Nothing
 * here loads the core until a storyboard is looked at.
 */
export class StoryboardFeature extends Disposable {
  readonly analyzer: StoryboardAnalyzer;
  readonly diagnostics: StoryboardDiagnostics;
  readonly lenses: StoryboardLenses;
  readonly renderer: StoryboardRenderer;
  readonly tree: StoryboardTreeProvider;
  readonly commands: StoryboardCommands;

  constructor(deps: StoryboardDeps) {
    super();
    this.analyzer = this._register(new StoryboardAnalyzer(deps.tasks, deps.backends, deps.log));
    this.diagnostics = this._register(new StoryboardDiagnostics(this.analyzer));
    this.lenses = this._register(new StoryboardLenses(this.analyzer, deps.tasks));
    this.renderer = this._register(new StoryboardRenderer(deps, this.analyzer, deps.log));
    this.tree = this._register(new StoryboardTreeProvider(this.analyzer, deps.tasks));
    this._register(vscode.window.createTreeView('klingStudio.storyboards', { treeDataProvider: this.tree, showCollapseAll: true }));
    this.commands = this._register(new StoryboardCommands(this.analyzer, this.renderer, this.tree, deps.openVideo));
  }
}

export function registerStoryboards(context: vscode.ExtensionContext, deps: StoryboardDeps): StoryboardFeature {
  const storyboards = new StoryboardFeature(deps);
  context.subscriptions.push(storyboards);
  return storyboards;
}
