import * as vscode from 'vscode';
import { Disposable } from '../util/dispose';
import { TaskTreeProvider, type TaskTreeNode } from './taskTree';
import type { TaskService } from './taskService';

/** The Tasks view: its tree of tasks and the view that shows it (the status bar puts the running count on its badge). */
export class TasksView extends Disposable {
  readonly tree: TaskTreeProvider;
  readonly view: vscode.TreeView<TaskTreeNode>;

  constructor(tasks: TaskService) {
    super();
    this.tree = this._register(new TaskTreeProvider(tasks));
    this.view = this._register(vscode.window.createTreeView('klingStudio.tasks', { treeDataProvider: this.tree, showCollapseAll: true }));
  }
}

export function registerTasksView(context: vscode.ExtensionContext, deps: { tasks: TaskService }): TasksView {
  const tasksView = new TasksView(deps.tasks);
  context.subscriptions.push(tasksView);
  return tasksView;
}
