import * as vscode from 'vscode';
import type { Balance } from '../../core/api/balance';
import { hasEnded } from '../../core/journal/taskState';
import type { BackendManager } from '../backend/backendManager';
import type { ApiKeyStore } from '../secrets/apiKeyStore';
import type { TaskService } from '../tasks/taskService';
import { Disposable } from '../util/dispose';
import { errorText } from '../../core/text/errorText';


/**
 * One status bar item: running tasks and the balance, or what to do first. Clicking it opens the Tasks view.
 * Its look is a function of three facts (running count, balance, backend), like REST Client's status entry.
 */
export class KlingStatusBar extends Disposable {
  private readonly item = this._register(vscode.window.createStatusBarItem('klingStudio.status', vscode.StatusBarAlignment.Left, 50));
  private balance: Balance = { kind: 'unknown' };
  private readonly balanceChanged = this._register(new vscode.EventEmitter<Balance>());
  /** The balance moved, or is being read, or could not be read: the composer shows the same one. */
  readonly onDidChangeBalance = this.balanceChanged.event;
  private readonly view: { badge?: vscode.ViewBadge | undefined };

  constructor(
    private readonly tasks: TaskService,
    private readonly backends: BackendManager,
    keys: ApiKeyStore,
    view: { badge?: vscode.ViewBadge | undefined },
  ) {
    super();
    this.view = view;
    this.item.name = 'Kling Studio';
    this.item.command = 'klingStudio.tasks.focus';
    let runningBefore = this.running();
    this._register(
      tasks.onDidChange(() => {
        const running = this.running();
        // When a task ends, the balance has moved: look again.
        if (running < runningBefore) this.refreshQuietly();
        runningBefore = running;
        this.render();
      }),
    );
    this._register(backends.onDidChange(() => this.refreshQuietly()));
    this._register(keys.onDidChange(() => this.refreshQuietly()));
    this.render();
    this.item.show();
    if (backends.isReady()) {
      // The first reading waits for the window to settle: activation is not the moment for a network round trip.
      const timer = setTimeout(() => this.refreshQuietly(), 2000);
      this._register({ dispose: () => clearTimeout(timer) });
    }
  }

  /** The balance as last read (kept while a new reading is under way, so a display does not flicker). */
  currentBalance(): Balance {
    return this.balance;
  }

  running(): number {
    return this.tasks.entries().filter((e) => !hasEnded(e)).length;
  }

  /** A refresh nobody asked for: its error is already in the status bar's tooltip, not a rejection left unhandled. */
  private refreshQuietly(): void {
    this.refreshBalance().catch(() => undefined);
  }

  /** Asks the current backend for the balance; returns it for Show Credits. */
  async refreshBalance(): Promise<number | undefined> {
    if (!this.backends.isReady()) {
      this.setBalance({ kind: 'unknown' });
      return undefined;
    }
    this.setBalance(this.balance.kind === 'known' ? this.balance : { kind: 'loading' });
    try {
      const client = await this.backends.clientFor(this.backends.current());
      const credits = await client.getCredits();
      const remaining = credits.data.token?.remaining_credits ?? credits.data.user?.remaining_credits;
      this.setBalance(remaining === undefined ? { kind: 'unknown' } : { kind: 'known', credits: remaining });
      return remaining;
    } catch (error) {
      this.setBalance({ kind: 'error', message: errorText(error) });
      throw error;
    }
  }

  private setBalance(balance: Balance): void {
    const changed = JSON.stringify(balance) !== JSON.stringify(this.balance);
    this.balance = balance;
    this.render();
    if (changed) this.balanceChanged.fire(balance);
  }

  private render(): void {
    const running = this.running();
    const simulated = this.backends.isSimulated();
    const parts: string[] = [];
    if (running > 0) parts.push(`$(sync~spin) ${running}`);
    if (!this.backends.isReady()) {
      parts.push(`$(key) ${vscode.l10n.t('Kling: no key')}`);
    } else if (this.balance.kind === 'known') {
      const credits = Math.floor(this.balance.credits).toLocaleString('en-US');
      parts.push(`${simulated ? `$(beaker) ${vscode.l10n.t('{0} credits (sim)', credits)}` : `$(device-camera-video) ${vscode.l10n.t('{0} credits', credits)}`}`);
    } else {
      parts.push(simulated ? `$(beaker) ${vscode.l10n.t('Kling simulator')}` : '$(device-camera-video) Kling');
    }
    this.item.text = parts.join('  ');
    const tooltip = new vscode.MarkdownString('', true);
    tooltip.appendMarkdown(`**Kling Studio**${simulated ? ` — ${vscode.l10n.t('built-in simulator: nothing real is generated or spent')}` : ''}\n\n`);
    const tasksRunning = running === 1 ? vscode.l10n.t('1 task running') : vscode.l10n.t('{0} tasks running', running);
    tooltip.appendMarkdown(`${tasksRunning}\n\n`);
    if (this.balance.kind === 'known') tooltip.appendMarkdown(`${vscode.l10n.t('{0} credits left', this.balance.credits)}\n\n`);
    if (this.balance.kind === 'error') tooltip.appendMarkdown(`${vscode.l10n.t('Balance unavailable: {0}', this.balance.message)}\n\n`);
    if (!this.backends.isReady()) tooltip.appendMarkdown(`${vscode.l10n.t('No API key set: run "{0}" or "{1}".', `Kling: ${vscode.l10n.t('Set API Key…')}`, `Kling: ${vscode.l10n.t('Use Simulator')}`)}\n\n`);
    tooltip.appendMarkdown(vscode.l10n.t('Click to show the Tasks view.'));
    this.item.tooltip = tooltip;
    this.item.accessibilityInformation = { label: `Kling Studio: ${vscode.l10n.t('{0} running', running)}${this.balance.kind === 'known' ? `, ${vscode.l10n.t('{0} credits', Math.floor(this.balance.credits))}` : ''}` };
    this.view.badge = running > 0 ? { value: running, tooltip: tasksRunning } : undefined;
  }
}

export function registerStatusBar(context: vscode.ExtensionContext, deps: { tasks: TaskService; backends: BackendManager; keys: ApiKeyStore; tasksView: { view: { badge?: vscode.ViewBadge | undefined } } }): KlingStatusBar {
  const statusBar = new KlingStatusBar(deps.tasks, deps.backends, deps.keys, deps.tasksView.view);
  context.subscriptions.push(statusBar);
  return statusBar;
}
