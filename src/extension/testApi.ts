import * as vscode from 'vscode';
import type { BackendManager } from './backend/backendManager';
import type { Composer } from './composer/registerComposer';
import type { ExtensionLog } from './log/extensionLog';
import type { ApiKeyStore } from './secrets/apiKeyStore';
import type { StoryboardFeature } from './storyboards/storyboards';
import type { TakesFeature } from './takes/registerTakes';
import type { TaskService } from './tasks/taskService';
import type { TaskTreeProvider } from './tasks/taskTree';

/** What `activate` returns when the extension runs under tests (ExtensionMode.Test), and only then. */
export interface KlingTestApi {
  tasks: TaskService;
  backends: BackendManager;
  keys: ApiKeyStore;
  log: ExtensionLog;
  tree: TaskTreeProvider;
  storyboards: StoryboardFeature;
  composer: Composer;
  takes: TakesFeature;
  storagePath: string;
}

/** Tests inside the extension host reach the services through the extension's exports; nobody else does. */
export function testApiFor(context: vscode.ExtensionContext, api: Omit<KlingTestApi, 'storagePath'>): KlingTestApi | undefined {
  if (context.extensionMode !== vscode.ExtensionMode.Test) return undefined;
  return { tasks: api.tasks, backends: api.backends, keys: api.keys, log: api.log, tree: api.tree, storyboards: api.storyboards, composer: api.composer, takes: api.takes, storagePath: context.globalStorageUri.fsPath };
}
