import * as vscode from 'vscode';
import { contentSecurityPolicy, newNonce } from '../webview/contentSecurityPolicy';
import { pageL10nAttributes } from '../webview/pageL10n';

/**
 * The Play Storyboard page: the same strict CSP as Kling Preview (scripts only with this nonce, media and styles only
 * from the webview's own resources, nothing inline). The script builds the cut from the host's state.
 */
export function playerHtml(webview: vscode.Webview, pageRoot: vscode.Uri, title: string): string {
  const nonce = newNonce();
  const resource = (name: string) => escapeAttribute(webview.asWebviewUri(vscode.Uri.joinPath(pageRoot, name)).toString());
  return `<!DOCTYPE html>
<html ${pageL10nAttributes()}>
<head>
  <meta charset="UTF-8">
  <meta http-equiv="Content-Security-Policy" content="${contentSecurityPolicy(webview, nonce, { media: true })}">
  <meta name="viewport" content="width=device-width, initial-scale=1.0">
  <title>Play Storyboard</title>
  <link rel="stylesheet" href="${resource('player.css')}">
</head>
<body>
  <main class="layout">
    <header class="bar"><h1 id="title">${escapeText(vscode.l10n.t('Play storyboard · {0}', title))}</h1><span id="now"></span></header>
    <p id="problem" class="problem" role="alert"></p>
    <section class="stage" aria-label="${escapeAttribute(vscode.l10n.t('The cut'))}">
      <video id="video-a" class="cut-video active" preload="auto" playsinline aria-label="${escapeAttribute(vscode.l10n.t('Video'))}"></video>
      <video id="video-b" class="cut-video" preload="auto" playsinline aria-label="${escapeAttribute(vscode.l10n.t('Next video'))}"></video>
      <div id="gap" class="gap-card" role="status">
        <h2 id="gap-title"></h2>
        <p id="gap-text"></p>
        <button id="gap-render" class="secondary" title="${escapeAttribute(vscode.l10n.t('Render this video: its price is shown first'))}">${escapeText(vscode.l10n.t('Render…'))}</button>
      </div>
    </section>
    <aside class="side" aria-label="${escapeAttribute(vscode.l10n.t('Videos and shots'))}"><ol id="chapters" class="chapters"></ol></aside>
    <footer class="transport" role="toolbar" aria-label="${escapeAttribute(vscode.l10n.t('Playback'))}">
      <button id="previous" class="secondary" aria-label="${escapeAttribute(vscode.l10n.t('Previous video'))}" title="${escapeAttribute(vscode.l10n.t('The start of this video, or the one before'))}">${escapeText(vscode.l10n.t('‹ Video'))}</button>
      <button id="play" class="primary" aria-label="${escapeAttribute(vscode.l10n.t('Play the storyboard'))}">${escapeText(vscode.l10n.t('Play'))}</button>
      <button id="next" class="secondary" aria-label="${escapeAttribute(vscode.l10n.t('Next video'))}" title="${escapeAttribute(vscode.l10n.t('The start of the next video'))}">${escapeText(vscode.l10n.t('Video ›'))}</button>
      <div class="timeline">
        <div id="marks" class="marks" aria-hidden="true"></div>
        <input id="scrubber" type="range" min="0" max="0" step="any" value="0" aria-label="${escapeAttribute(vscode.l10n.t('Time in the storyboard'))}">
      </div>
      <span id="time">0:00.00 / 0:00.00</span>
    </footer>
  </main>
  <script nonce="${nonce}" src="${resource('player.js')}"></script>
</body>
</html>`;
}

function escapeAttribute(value: string): string {
  return value.replace(/&/g, '&amp;').replace(/"/g, '&quot;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

function escapeText(value: string): string {
  return value.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}
