import * as vscode from 'vscode';
import { contentSecurityPolicy, newNonce } from '../webview/contentSecurityPolicy';
import { pageL10nAttributes } from '../webview/pageL10n';
import type { PreviewSettings } from '../../webview/preview/protocol';

/**
 * The page's HTML, after VS Code's media-preview `videoPreview.ts`: a strict CSP (scripts only with this nonce, media
 * and styles only from the webview's own resources, nothing inline), the settings in an escaped attribute, and a
 * loading and an error state ready before the script runs. Everything else the script builds.
 */
export function previewHtml(webview: vscode.Webview, pageRoot: vscode.Uri, settings: PreviewSettings): string {
  const nonce = newNonce();
  const resource = (name: string) => escapeAttribute(webview.asWebviewUri(vscode.Uri.joinPath(pageRoot, name)).toString());
  return `<!DOCTYPE html>
<html ${pageL10nAttributes()}>
<head>
  <meta charset="UTF-8">
  <meta http-equiv="Content-Security-Policy" content="${contentSecurityPolicy(webview, nonce, { media: true })}">
  <meta name="viewport" content="width=device-width, initial-scale=1.0">
  <title>Kling Preview</title>
  <link rel="stylesheet" href="${resource('preview.css')}">
  <meta id="settings" data-settings="${escapeAttribute(JSON.stringify(settings))}">
</head>
<body class="loading">
  <main class="layout">
    <div id="actions-bar" class="actions-bar"></div>
    <section class="stage" aria-label="${vscode.l10n.t('Video')}">
      <div class="loading-indicator" role="status">${escapeText(vscode.l10n.t('Loading {0}…', settings.fileName))}</div>
      <div class="loading-error" role="alert">
        <p>${escapeText(vscode.l10n.t('This video cannot be played here.'))}</p>
        <p id="error-detail"></p>
        <button id="reopen-default" class="secondary">${escapeText(vscode.l10n.t('Open with the default editor'))}</button>
      </div>
      <video id="video" class="kling-video" controls playsinline preload="auto" aria-label="${escapeAttribute(settings.fileName)}"></video>
      <div class="playback">
        <label><input id="loop" type="checkbox"> ${escapeText(vscode.l10n.t('Loop'))}</label>
        <label>${escapeText(vscode.l10n.t('Speed'))} <select id="rate"></select></label>
      </div>
      <p id="audio-note" class="note audio-note" hidden><span class="note-text">${escapeText(vscode.l10n.t('AAC sound: silent in VS Code.'))}</span><button id="audio-open-external" class="secondary">${escapeText(vscode.l10n.t('Open in System Player'))}</button></p>
    </section>
    <aside id="recipe" class="recipe" aria-label="${escapeAttribute(vscode.l10n.t('How this video was made'))}"></aside>
  </main>
  <script nonce="${nonce}" src="${resource('preview.js')}"></script>
</body>
</html>`;
}

function escapeAttribute(value: string): string {
  return value.replace(/&/g, '&amp;').replace(/"/g, '&quot;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

function escapeText(value: string): string {
  return value.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}
