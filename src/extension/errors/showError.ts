import * as vscode from 'vscode';
import type { ErrorKind } from '../../core/api/apiError';

export const BILLING_URL = 'https://evolink.ai/dashboard';

interface ErrorLike {
  kind?: ErrorKind | string;
  message: string;
  fallbackSuggestion?: string | undefined;
  retryAfterMs?: number | undefined;
}

/**
 * Shows an error from the service as one message with the one action that helps (style.md, "errors are values
 * with a kind"): 401 → Set API Key…, 402 → Open Billing Page, an unsafe base URL → Open Settings, 429 → Retry, a lost create → Show Tasks.
 * `retry` is offered where trying again can help. Never a stack trace.
 */
export async function showError(error: unknown, options: { context?: string; retry?: () => unknown } = {}): Promise<void> {
  const e: ErrorLike = error instanceof Error ? (error as ErrorLike) : { message: String(error) };
  const prefix = options.context ? `${options.context}: ` : '';
  const message = `${prefix}${e.message}`;
  type Action = { title: string; run: () => unknown };
  const actions: Action[] = [];
  const retry = options.retry;
  switch (e.kind) {
    case 'auth':
      actions.push({ title: vscode.l10n.t('Set API Key…'), run: () => vscode.commands.executeCommand('klingStudio.setApiKey') });
      break;
    case 'quota': {
      const url = /https?:\/\/\S+/.exec(e.fallbackSuggestion ?? '')?.[0]?.replace(/[).,]+$/, '') ?? BILLING_URL;
      actions.push({ title: vscode.l10n.t('Open Billing Page'), run: () => vscode.env.openExternal(vscode.Uri.parse(url)) });
      break;
    }
    case 'config':
      actions.push({ title: vscode.l10n.t('Open Settings'), run: () => vscode.commands.executeCommand('workbench.action.openSettings', 'klingStudio.baseUrl') });
      break;
    case 'permission':
      actions.push({ title: vscode.l10n.t('Open Settings'), run: () => vscode.commands.executeCommand('workbench.action.openSettings', 'klingStudio') });
      break;
    case 'outcome-unknown':
      actions.push({ title: vscode.l10n.t('Show Tasks'), run: () => vscode.commands.executeCommand('klingStudio.tasks.focus') });
      break;
    case 'rate-limited':
    case 'network':
    case 'upstream':
      if (retry) actions.push({ title: vscode.l10n.t('Retry'), run: retry });
      break;
    default:
      actions.push({ title: vscode.l10n.t('Show Log'), run: () => vscode.commands.executeCommand('klingStudio.showLog') });
  }
  const show = e.kind === 'outcome-unknown' || e.kind === 'rate-limited' ? vscode.window.showWarningMessage : vscode.window.showErrorMessage;
  const picked = await show(message, ...actions.map((a) => a.title));
  await actions.find((a) => a.title === picked)?.run();
}
