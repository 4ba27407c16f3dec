import * as vscode from 'vscode';
import { redact } from '../../core/api/apiError';

/**
 * The "Kling Studio" log (a LogOutputChannel, so the user picks the level). Lines carry request ids, task ids and
 * state changes. Every line passes through `redact`, so a key that reached a message by mistake still never lands.
 */
export class ExtensionLog implements vscode.Disposable {
  readonly channel: vscode.LogOutputChannel;
  private secrets: string[] = [];
  /** The last lines written, with their level: what "Show Log" holds, readable by tests and diagnostics. */
  readonly recent: Array<{ level: 'trace' | 'info' | 'warn' | 'error'; message: string }> = [];

  constructor() {
    this.channel = vscode.window.createOutputChannel('Kling Studio', { log: true });
  }

  /** Text that must never appear in the log (the API key). */
  setSecrets(secrets: ReadonlyArray<string | undefined>): void {
    this.secrets = secrets.filter((s): s is string => typeof s === 'string' && s.length >= 4);
  }

  info(message: string): void {
    this.channel.info(this.remember('info', message));
  }

  warn(message: string): void {
    this.channel.warn(this.remember('warn', message));
  }

  error(message: string): void {
    this.channel.error(this.remember('error', message));
  }

  trace(message: string): void {
    this.channel.trace(this.remember('trace', message));
  }

  private remember(level: 'trace' | 'info' | 'warn' | 'error', message: string): string {
    const clean = this.redact(message);
    this.recent.push({ level, message: clean });
    if (this.recent.length > 500) this.recent.splice(0, this.recent.length - 500);
    return clean;
  }

  show(): void {
    this.channel.show(true);
  }

  redact(text: string): string {
    return this.secrets.reduce((result, secret) => redact(result, secret), text);
  }

  dispose(): void {
    this.channel.dispose();
  }
}
