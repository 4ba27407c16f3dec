import * as vscode from 'vscode';
import { Disposable } from '../util/dispose';

const SECRET_KEY = 'klingStudio.apiKey';
const CONTEXT_KEY = 'klingStudio.hasApiKey';

/**
 * The API key, kept in VS Code's SecretStorage (the OS keychain on desktop), never in settings or files. Mirrors
 * whether one is set into the `klingStudio.hasApiKey` context key for menus and the welcome view.
 */
export class ApiKeyStore extends Disposable {
  private cached: string | undefined;
  private readonly changed = this._register(new vscode.EventEmitter<void>());
  readonly onDidChange = this.changed.event;

  constructor(private readonly secrets: vscode.SecretStorage) {
    super();
    this._register(
      secrets.onDidChange(async (event) => {
        if (event.key !== SECRET_KEY) return;
        await this.refresh();
        this.changed.fire();
      }),
    );
  }

  async refresh(): Promise<string | undefined> {
    this.cached = (await this.secrets.get(SECRET_KEY))?.trim() || undefined;
    await vscode.commands.executeCommand('setContext', CONTEXT_KEY, this.cached !== undefined);
    return this.cached;
  }

  get(): string | undefined {
    return this.cached;
  }

  async set(key: string): Promise<void> {
    await this.secrets.store(SECRET_KEY, key.trim());
    await this.refresh();
    this.changed.fire();
  }

  async clear(): Promise<void> {
    await this.secrets.delete(SECRET_KEY);
    await this.refresh();
    this.changed.fire();
  }
}
