import * as vscode from 'vscode';
import type { BackendManager } from '../backend/backendManager';
import type { TaskService } from '../tasks/taskService';

/**
 * The context keys the walkthrough's steps complete on (package.json, contributes.walkthroughs): the simulator in
 * use, a first task made. (`klingStudio.hasApiKey` is the key store's; `klingStudio.previewed`, Kling Preview's.)
 */
export function registerWalkthroughContext(context: vscode.ExtensionContext, deps: { tasks: TaskService; backends: BackendManager }): vscode.Disposable {
  const simulated = () => void vscode.commands.executeCommand('setContext', 'klingStudio.simulated', deps.backends.isSimulated());
  let hadTasks = false;
  const hasTasks = () => {
    const now = deps.tasks.entries().length > 0;
    if (now === hadTasks) return;
    hadTasks = now;
    void vscode.commands.executeCommand('setContext', 'klingStudio.hasTasks', now);
  };
  simulated();
  hasTasks();
  const listeners = vscode.Disposable.from(deps.backends.onDidChange(simulated), deps.tasks.onDidChange(hasTasks));
  context.subscriptions.push(listeners);
  return listeners;
}
