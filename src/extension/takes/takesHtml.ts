import * as vscode from 'vscode';
import { contentSecurityPolicy, newNonce } from '../webview/contentSecurityPolicy';
import { pageL10nAttributes } from '../webview/pageL10n';

/**
 * The Compare Takes page: the same strict CSP as Kling Preview (scripts only with this nonce, media and styles only
 * from the webview's own resources, nothing inline). The script builds the columns from the host's state.
 */
export function takesHtml(webview: vscode.Webview, pageRoot: vscode.Uri, videoName: string): string {
  const nonce = newNonce();
  const resource = (name: string) => escapeAttribute(webview.asWebviewUri(vscode.Uri.joinPath(pageRoot, name)).toString());
  return `<!DOCTYPE html>
<html ${pageL10nAttributes()}>
<head>
  <meta charset="UTF-8">
  <meta http-equiv="Content-Security-Policy" content="${contentSecurityPolicy(webview, nonce, { media: true })}">
  <meta name="viewport" content="width=device-width, initial-scale=1.0">
  <title>Compare Takes</title>
  <link rel="stylesheet" href="${resource('takes.css')}">
</head>
<body class="loading">
  <header class="bar"><h1 id="title">${escapeText(vscode.l10n.t('Compare takes · {0}', videoName))}</h1><span id="count" class="count"></span></header>
  <main id="grid" class="grid" aria-label="${escapeAttribute(vscode.l10n.t('Takes'))}"></main>
  <footer class="transport" role="toolbar" aria-label="${escapeAttribute(vscode.l10n.t('Playback of all takes'))}">
    <button id="play" class="primary" aria-label="${escapeAttribute(vscode.l10n.t('Play all takes'))}">${escapeText(vscode.l10n.t('Play'))}</button>
    <button id="frame-back" class="secondary" title="${escapeAttribute(vscode.l10n.t('One frame back (,)'))}" aria-label="${escapeAttribute(vscode.l10n.t('One frame back'))}">${escapeText(vscode.l10n.t('‹ Frame'))}</button>
    <button id="frame-forward" class="secondary" title="${escapeAttribute(vscode.l10n.t('One frame forward (.)'))}" aria-label="${escapeAttribute(vscode.l10n.t('One frame forward'))}">${escapeText(vscode.l10n.t('Frame ›'))}</button>
    <input id="scrubber" type="range" min="0" max="0" step="any" value="0" aria-label="${escapeAttribute(vscode.l10n.t('Time in all takes'))}">
    <span id="time">0:00.00 / 0:00.00</span>
    <label><input id="loop" type="checkbox" checked> ${escapeText(vscode.l10n.t('Loop'))}</label>
    <label>${escapeText(vscode.l10n.t('Speed'))} <select id="rate"></select></label>
  </footer>
  <script nonce="${nonce}" src="${resource('takes.js')}"></script>
</body>
</html>`;
}

function escapeAttribute(value: string): string {
  return value.replace(/&/g, '&amp;').replace(/"/g, '&quot;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

function escapeText(value: string): string {
  return value.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}
