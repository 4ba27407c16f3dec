import * as vscode from 'vscode';
import { BackendManager } from './backend/backendManager';
import { registerGeneralCommands } from './commands/generalCommands';
import { registerComposer, type Composer } from './composer/registerComposer';
import { ExtensionLog } from './log/extensionLog';
import { openVideo } from './preview/openVideo';
import { registerVideoPreview } from './preview/registerVideoPreview';
import { ApiKeyStore } from './secrets/apiKeyStore';
import { registerKeyCommands } from './secrets/keyCommands';
import { KlingStatusBar } from './statusBar/klingStatusBar';
import { registerStoryboards, type StoryboardFeature } from './storyboards/storyboards';
import { registerTakes, type TakesFeature } from './takes/registerTakes';
import { TaskCommands } from './tasks/taskCommands';
import { TaskNotifications } from './tasks/taskNotifications';
import { TaskService } from './tasks/taskService';
import { TaskTreeProvider } from './tasks/taskTree';
import { registerWalkthroughContext } from './walkthrough/walkthroughContext';

/**
 * Composes the features; each registers itself and is disposed with the extension. Heavy modules (the API
 * client, full schemas, simulator) load from dist/klingCore.js on first use, so activation stays light.
 */
export async function activate(context: vscode.ExtensionContext) {
  const log = new ExtensionLog();
  context.subscriptions.push(log);
  const keys = new ApiKeyStore(context.secrets);
  context.subscriptions.push(keys);
  context.subscriptions.push(keys.onDidChange(() => log.setSecrets([keys.get()])));

  const backends = new BackendManager(context.globalStorageUri, keys, log);
  context.subscriptions.push(backends);
  // Tasks belong to the workspace they were started in; with no folder open, to the machine.
  const tasks = new TaskService(context.storageUri ?? context.globalStorageUri, backends, log);
  context.subscriptions.push(tasks);
  // The two reads activation waits for (the secret store can be a round trip to the browser), side by side.
  const [key] = await Promise.all([keys.refresh(), tasks.load()]);
  log.setSecrets([key]);

  const tree = new TaskTreeProvider(tasks);
  const view = vscode.window.createTreeView('klingStudio.tasks', { treeDataProvider: tree, showCollapseAll: true });
  context.subscriptions.push(tree, view);

  const services = { tasks, backends };
  const statusBar = new KlingStatusBar(tasks, backends, keys, view);
  const storyboards = registerStoryboards(context, { ...services, log, openVideo });
  const composer = registerComposer(context, { tasks, backends, keys, statusBar, log });
  const takes = registerTakes(context, { analyzer: storyboards.analyzer, storyboards: storyboards.tree, taskTree: tree, log });
  context.subscriptions.push(
    storyboards,
    statusBar,
    new TaskNotifications(tasks, openVideo),
    new TaskCommands(services, openVideo),
    registerKeyCommands(keys),
    registerGeneralCommands(services, statusBar, log),
    registerVideoPreview(context, { ...services, log }),
    composer,
    takes,
    registerWalkthroughContext(services),
  );

  tasks.resumeIfNeeded();
  if (backends.isReady()) {
    const timer = setTimeout(() => void statusBar.refreshBalance().catch(() => undefined), 2000);
    context.subscriptions.push({ dispose: () => clearTimeout(timer) });
  }
  log.info(`Kling Studio activated (${backends.isSimulated() ? 'simulator' : 'Kling API'}; ${tasks.entries().length} tasks in the journal)`);

  // Tests inside the extension host reach the services through the extension's exports.
  const testApi: KlingTestApi = { tasks, backends, keys, log, tree, storyboards, composer, takes, storagePath: context.globalStorageUri.fsPath };
  return context.extensionMode === vscode.ExtensionMode.Test ? testApi : undefined;
}

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

export function deactivate(): void {
  // Everything is disposed through context.subscriptions.
}
