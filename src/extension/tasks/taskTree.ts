import * as path from 'node:path';
import * as vscode from 'vscode';
import type { JournalEntry } from '../../core/journal/taskState';
import { savedTakeOf } from '../takes/savedTake';
import { Disposable } from '../util/dispose';
import { contextValueOf, descriptionBesideProgress, iconOf, progressOf, isRunning, tooltipOf } from './taskPresentation';
import type { TaskService } from './taskService';

export type TaskTreeNode = { kind: 'group'; key: string; label: string; storyboardPath?: string } | { kind: 'task'; id: string };

const AD_HOC = 'ad-hoc';

/**
 * The Tasks view: tasks grouped by the storyboard they came from, or "Ad hoc". It holds no state of its own:
 * every refresh reads the journal.
 */
export class TaskTreeProvider extends Disposable implements vscode.TreeDataProvider<TaskTreeNode> {
  private readonly changed = this._register(new vscode.EventEmitter<TaskTreeNode | undefined>());
  readonly onDidChangeTreeData = this.changed.event;

  constructor(private readonly tasks: TaskService) {
    super();
    this._register(tasks.onDidChange(() => this.changed.fire(undefined)));
  }

  getChildren(node?: TaskTreeNode): TaskTreeNode[] {
    const entries = this.tasks.entries();
    if (!node) {
      const groups = new Map<string, TaskTreeNode>();
      for (const entry of [...entries].sort((a, b) => b.createdAt - a.createdAt)) {
        const key = entry.storyboardPath ?? AD_HOC;
        if (!groups.has(key)) {
          groups.set(key, entry.storyboardPath ? { kind: 'group', key, label: displayPath(entry.storyboardPath), storyboardPath: entry.storyboardPath } : { kind: 'group', key, label: vscode.l10n.t('Ad hoc') });
        }
      }
      return [...groups.values()];
    }
    if (node.kind === 'group') {
      return entries
        .filter((e) => (e.storyboardPath ?? AD_HOC) === node.key)
        .sort((a, b) => b.createdAt - a.createdAt)
        .map((e) => ({ kind: 'task', id: e.id }));
    }
    return [];
  }

  getTreeItem(node: TaskTreeNode): vscode.TreeItem {
    if (node.kind === 'group') {
      const item = new vscode.TreeItem(node.label, vscode.TreeItemCollapsibleState.Expanded);
      item.id = `group:${node.key}`;
      item.iconPath = new vscode.ThemeIcon(node.storyboardPath ? 'file-media' : 'sparkle');
      item.contextValue = node.storyboardPath ? 'group:storyboard' : 'group:adhoc';
      // No resourceUri: with one, VS Code paints the row with the file's problems (red, a count badge), which says
      // nothing about the tasks: a group whose every task succeeded looked failed.
      if (node.storyboardPath) item.tooltip = node.storyboardPath;
      const running = this.tasks.entries().filter((e) => (e.storyboardPath ?? AD_HOC) === node.key && isRunning(e)).length;
      if (running) item.description = vscode.l10n.t('{0} running', running);
      return item;
    }
    const entry = this.tasks.get(node.id);
    if (!entry) return new vscode.TreeItem('(forgotten)');
    return taskItem(entry);
  }

  getParent(node: TaskTreeNode): TaskTreeNode | undefined {
    if (node.kind === 'group') return undefined;
    const entry = this.tasks.get(node.id);
    if (!entry) return undefined;
    return entry.storyboardPath
      ? { kind: 'group', key: entry.storyboardPath, label: displayPath(entry.storyboardPath), storyboardPath: entry.storyboardPath }
      : { kind: 'group', key: AD_HOC, label: vscode.l10n.t('Ad hoc') };
  }

  refresh(): void {
    this.changed.fire(undefined);
  }
}

export function taskItem(entry: JournalEntry): vscode.TreeItem {
  const progress = progressOf(entry);
  const item = new vscode.TreeItem(progress ? `${progress} · ${entry.label}` : entry.label, vscode.TreeItemCollapsibleState.None);
  item.id = `task:${entry.id}`;
  // A take that is not the video (another take is in use) says so; the one in use needs no word.
  item.description = `${descriptionBesideProgress(entry)}${savedTakeOf(entry)?.inUse === false ? ` · ${vscode.l10n.t('take not in use')}` : ''}`;
  item.iconPath = iconOf(entry);
  item.tooltip = tooltipOf(entry);
  item.contextValue = contextValueOf(entry);
  if (entry.state.status === 'saved') {
    item.command = { command: 'klingStudio.task.open', title: vscode.l10n.t('Open Video'), arguments: [{ kind: 'task', id: entry.id }] };
  }
  return item;
}

function displayPath(file: string): string {
  const folder = vscode.workspace.getWorkspaceFolder(vscode.Uri.file(file));
  return folder ? path.relative(folder.uri.fsPath, file) : path.basename(file);
}
