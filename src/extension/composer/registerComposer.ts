import * as vscode from 'vscode';
import { Disposable } from '../util/dispose';
import { COMPOSER_VIEW_ID, ComposerViewProvider, type ComposerDeps } from './composerView';
import { editInComposer } from './editInComposer';

/** The composer view (a webview in the Kling Studio container), Open Composer, and Edit in Composer. */
export class Composer extends Disposable {
  readonly view: ComposerViewProvider;

  constructor(extensionUri: vscode.Uri, deps: ComposerDeps) {
    super();
    this.view = this._register(new ComposerViewProvider(extensionUri, deps));
    // No retainContextWhenHidden: the page keeps its draft with setState, so a hidden composer costs nothing.
    this._register(vscode.window.registerWebviewViewProvider(COMPOSER_VIEW_ID, this.view));
    this._register(vscode.commands.registerCommand('klingStudio.openComposer', () => vscode.commands.executeCommand(`${COMPOSER_VIEW_ID}.focus`)));
    this._register(
      vscode.commands.registerCommand('klingStudio.storyboard.editInComposer', (uri?: unknown, videoName?: unknown) => editInComposer(this.view, uri, videoName)),
    );
  }
}

export function registerComposer(context: vscode.ExtensionContext, deps: ComposerDeps): Composer {
  return new Composer(context.extensionUri, deps);
}
