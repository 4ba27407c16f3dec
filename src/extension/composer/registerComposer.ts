import * as vscode from 'vscode';
import { loadFeatures } from '../lazyFeatures';
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
        loadFeatures().editInComposer(this.view, uri, videoName),
      ),
    );
    this._register(vscode.commands.registerCommand('klingStudio.animateImage', (uri?: unknown) => loadFeatures().animateImage(this.view, uri)));
    // Kling Preview's frames (src/extension/preview/videoFrames.ts): not in the palette, they take a file and a target.
    this._register(vscode.commands.registerCommand('klingStudio.composer.useFrame', (file?: unknown, target?: unknown) => loadFeatures().useFrameInComposer(this.view, file, target)));
    this._register(vscode.commands.registerCommand('klingStudio.composer.continueFromFrame', (file?: unknown, label?: unknown) => loadFeatures().continueFromFrame(this.view, file, label)));
    this._register(vscode.commands.registerCommand('klingStudio.composer.editRequest', (arg?: unknown) => loadFeatures().editRequestInComposer(this.view, arg)));
  }

  /** The composer's host, created on first use. */
  get view(): ComposerViewProvider {
    this.host ??= this._register(loadFeatures().createComposerView(this.extensionUri, this.deps));
    return this.host;
  }

  resolveWebviewView(webviewView: vscode.WebviewView): void {
    this.view.resolveWebviewView(webviewView);
  }
}

export function registerComposer(context: vscode.ExtensionContext, deps: ComposerDeps): Composer {
  const composer = new Composer(context.extensionUri, deps);
  context.subscriptions.push(composer);
  return composer;
}
