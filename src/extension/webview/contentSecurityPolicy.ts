import { randomBytes } from 'node:crypto';
import type * as vscode from 'vscode';

/** A fresh nonce for one page load: scripts run only if they carry it. */
export function newNonce(): string {
  return randomBytes(16).toString('base64');
}

/**
 * The Content-Security-Policy every Kling page uses (after VS Code's media-preview): nothing by default; images,
 * styles, fonts (and media, for the preview) only from the webview's own resources; scripts only with the nonce.
 * No inline script or style, no `unsafe-*`.
 */
export function contentSecurityPolicy(webview: vscode.Webview, nonce: string, options: { media?: boolean } = {}): string {
  const source = webview.cspSource;
  return [
    "default-src 'none'",
    `img-src ${source} data:`,
    ...(options.media ? [`media-src ${source}`] : []),
    `style-src ${source}`,
    `font-src ${source}`,
    `script-src 'nonce-${nonce}'`,
  ].join('; ');
}
