import type * as vscode from 'vscode';
import { BackendManager } from '../backend/backendManager';
import { ExtensionLog } from '../log/extensionLog';
import { ApiKeyStore } from '../secrets/apiKeyStore';
import { TaskService } from '../tasks/taskService';
import { Disposable } from '../util/dispose';

/**
 * The four services every feature shares: the log, the key store, the backends and the tasks. Built first, with the
 * two reads activation waits for (the key, the journal) done, so every feature registered after them sees the
 * journal as it is on disk.
 */
export class KlingServices extends Disposable {
  readonly log: ExtensionLog;
  readonly keys: ApiKeyStore;
  readonly backends: BackendManager;
  readonly tasks: TaskService;

  constructor(context: vscode.ExtensionContext) {
    super();
    this.log = this._register(new ExtensionLog());
    this.keys = this._register(new ApiKeyStore(context.secrets));
    this._register(this.keys.onDidChange(() => this.log.setSecrets([this.keys.get()])));
    this.backends = this._register(new BackendManager(context.globalStorageUri, this.keys, this.log));
    // Tasks belong to the workspace they were started in; with no folder open, to the machine.
    this.tasks = this._register(new TaskService(context.storageUri ?? context.globalStorageUri, this.backends, this.log));
  }

  async load(): Promise<void> {
    // Side by side: the secret store can be a round trip to the browser.
    const [key] = await Promise.all([this.keys.refresh(), this.tasks.load()]);
    this.log.setSecrets([key]);
  }
}

/**
 * Builds and loads the services, then resumes the tasks a reload interrupted. Resuming starts with an asynchronous
 * load of the engine, so the features registered right after this returns are listening before any task moves.
 */
export async function registerServices(context: vscode.ExtensionContext): Promise<KlingServices> {
  const services = new KlingServices(context);
  context.subscriptions.push(services);
  await services.load();
  services.tasks.resumeIfNeeded();
  services.log.info(`Kling Studio activated (${services.backends.isSimulated() ? 'simulator' : 'Kling API'}; ${services.tasks.entries().length} tasks in the journal)`);
  return services;
}
