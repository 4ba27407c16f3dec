import * as vscode from 'vscode';

/**
 * The attributes of a page's <html> element that carry the display language: `lang`, and the translation VS Code
 * loaded for it (`vscode.l10n.bundle`, undefined in English), read by src/webview/l10n/pageL10n.ts. Escaped for an
 * attribute, so the page needs no fetch (its CSP allows none) and no inline script.
 */
export function pageL10nAttributes(): string {
  const bundle = vscode.l10n.bundle;
  const lang = `lang="${escapeAttribute(vscode.env.language || 'en')}"`;
  return bundle ? `${lang} data-l10n="${escapeAttribute(JSON.stringify(bundle))}"` : lang;
}

function escapeAttribute(value: string): string {
  return value.replace(/&/g, '&amp;').replace(/"/g, '&quot;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}
