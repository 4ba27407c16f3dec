import type * as vscode from 'vscode';
import { registerGeneralCommands } from './commands/generalCommands';
import { registerComposer } from './composer/registerComposer';
import { openVideo } from './preview/openVideo';
import { registerVideoPreview } from './preview/registerVideoPreview';
import { registerKeyCommands } from './secrets/keyCommands';
import { registerServices } from './services/registerServices';
import { registerStatusBar } from './statusBar/klingStatusBar';
import { registerStoryboards } from './storyboards/storyboards';
import { registerTakes } from './takes/registerTakes';
import { registerTasksView } from './tasks/registerTasksView';
import { registerTaskCommands } from './tasks/taskCommands';
import { registerTaskNotifications } from './tasks/taskNotifications';
import { testApiFor, type KlingTestApi } from './testApi';
import { registerWalkthroughContext } from './walkthrough/walkthroughContext';

/**
 * Composes the features and nothing else: each `registerX(context, deps)` builds one, adds it to
 * `context.subscriptions` (so it is disposed with the extension, timers and watchers included) and returns it for the
 * features that depend on it. Heavy modules (the API client, full schemas, simulator) load on first use from the
 * lazy bundles (docs/architecture.md), so activation stays light.
 */
export async function activate(context: vscode.ExtensionContext): Promise<KlingTestApi | undefined> {
  const services = await registerServices(context);
  const tasksView = registerTasksView(context, services);
  const statusBar = registerStatusBar(context, { ...services, tasksView });
  const storyboards = registerStoryboards(context, { ...services, openVideo });
  const composer = registerComposer(context, { ...services, statusBar });
  const takes = registerTakes(context, { ...services, analyzer: storyboards.analyzer, storyboards: storyboards.tree, taskTree: tasksView.tree });
  registerTaskNotifications(context, { ...services, openVideo });
  registerTaskCommands(context, { ...services, openVideo });
  registerKeyCommands(context, services);
  registerGeneralCommands(context, { ...services, statusBar });
  registerVideoPreview(context, services);
  registerWalkthroughContext(context, services);
  return testApiFor(context, { ...services, tree: tasksView.tree, storyboards, composer, takes });
}

export type { KlingTestApi } from './testApi';

export function deactivate(): void {
  // Everything is disposed through context.subscriptions.
}
