import * as vscode from 'vscode';
import { loadCore } from '../lazyCore';
import { Disposable } from '../util/dispose';
import { COMPOSER_VIEW_ID } from './composerIds';
import type { ComposerDeps, ComposerViewProvider } from './composerView';

/**
 * The composer view (a webview in the Kling Studio container), Open Composer, and Edit in Composer (for a storyboard
 * video, and for a request that made a video: klingStudio.composer.editRequest, which the preview calls). Only these
 * registrations are in the activation bundle; the host itself (the page's HTML, its messages, Generate, the
 * storyboard reading and writing) comes with dist/klingCore.js the first time the view is shown or a command runs,
 * which is also when the page's messages first need the core's schemas.
 */
export class Composer extends Disposable implements vscode.WebviewViewProvider {
  private host: ComposerViewProvider | undefined;

  constructor(
    private readonly extensionUri: vscode.Uri,
    private readonly deps: ComposerDeps,
  ) {
    super();
    // No retainContextWhenHidden: the page keeps its draft with setState, so a hidden composer costs nothing.
    this._register(vscode.window.registerWebviewViewProvider(COMPOSER_VIEW_ID, this));
    this._register(vscode.commands.registerCommand('klingStudio.openComposer', () => vscode.commands.executeCommand(`${COMPOSER_VIEW_ID}.focus`)));
    this._register(vscode.commands.registerCommand('klingStudio.openComposerInEditor', () => this.view.openInEditor()));
    this._register(
      vscode.commands.registerCommand('klingStudio.storyboard.editInComposer', (uri?: unknown, videoName?: unknown) =>
        loadCore().editInComposer(this.view, uri, videoName),
      ),
    );
    this._register(vscode.commands.registerCommand('klingStudio.animateImage', (uri?: unknown) => loadCore().animateImage(this.view, uri)));
    this._register(vscode.commands.registerCommand('klingStudio.composer.editRequest', (arg?: unknown) => loadCore().editRequestInComposer(this.view, arg)));
  }

  /** The composer's host, created on first use. */
  get view(): ComposerViewProvider {
    this.host ??= this._register(loadCore().createComposerView(this.extensionUri, this.deps));
    return this.host;
  }

  resolveWebviewView(webviewView: vscode.WebviewView): void {
    this.view.resolveWebviewView(webviewView);
  }
}

export function registerComposer(context: vscode.ExtensionContext, deps: ComposerDeps): Composer {
  return new Composer(context.extensionUri, deps);
}
