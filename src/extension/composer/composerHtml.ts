import * as vscode from 'vscode';
import { contentSecurityPolicy, newNonce } from '../webview/contentSecurityPolicy';
import { pageL10nAttributes } from '../webview/pageL10n';

/** The folder the page's files are built into (esbuild.js): the only one the webview may load from. */
export function webviewRoot(extensionUri: vscode.Uri): vscode.Uri {
  return vscode.Uri.joinPath(extensionUri, 'dist', 'webview');
}

/**
 * The composer's page: a strict CSP with a nonce (after media-preview's videoPreview.ts), no inline script or style
 * and no `unsafe-*`. The page builds its form itself and gets its state from the first messages after 'ready'.
 * The codicon stylesheet carries the id @vscode-elements/elements looks for, so its icons find the font.
 */
export function composerHtml(webview: vscode.Webview, extensionUri: vscode.Uri, surface: 'view' | 'editor' = 'view'): string {
  const root = webviewRoot(extensionUri);
  const asset = (name: string) => webview.asWebviewUri(vscode.Uri.joinPath(root, name)).toString();
  const nonce = newNonce();
  const csp = contentSecurityPolicy(webview, nonce);
  return `<!DOCTYPE html>
<html ${pageL10nAttributes()}>
<head>
  <meta charset="UTF-8">
  <meta http-equiv="Content-Security-Policy" content="${csp}">
  <meta name="viewport" content="width=device-width, initial-scale=1.0">
  <link rel="stylesheet" id="vscode-codicon-stylesheet" href="${asset('codicon.css')}">
  <link rel="stylesheet" href="${asset('composer.css')}">
  <title>Kling Composer</title>
</head>
<body data-surface="${surface}">
  <main id="composer" aria-label="${vscode.l10n.t('Kling composer')}"></main>
  <script nonce="${nonce}" src="${asset('composer.js')}"></script>
</body>
</html>`;
}
