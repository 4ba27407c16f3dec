import * as path from 'node:path';
import * as vscode from 'vscode';
import type { JournalEntry } from '../../core/journal/taskState';
import { savedTakeOf } from '../takes/savedTake';
import { Disposable } from '../util/dispose';
import { contextValueOf, descriptionBesideProgress, iconOf, progressOf, isRunning, tooltipOf } from './taskPresentation';
import type { TaskService } from './taskService';

export type TaskTreeNode = { kind: 'group'; key: string; label: string; storyboardPath?: string } | { kind: 'task'; id: string };

const AD_HOC = 'ad-hoc';

type GroupNode = Extract<TaskTreeNode, { kind: 'group' }>;
type TaskNode = Extract<TaskTreeNode, { kind: 'task' }>;

/**
 * The Tasks view: tasks grouped by the storyboard they came from, or "Ad hoc". It holds no state of its own beyond
 * the node objects it handed out: every item is read from the journal.
 *
 * A task that moves (a poll's progress, a download) redraws its own row only, and its group's when the group's
 * running count changes: redrawing the whole tree every poll closed a hover or a context menu open on another row.
 * A task added, removed or moved to another group redraws the tree.
 */
export class TaskTreeProvider extends Disposable implements vscode.TreeDataProvider<TaskTreeNode> {
  private readonly changed = this._register(new vscode.EventEmitter<TaskTreeNode | TaskTreeNode[] | undefined>());
  readonly onDidChangeTreeData = this.changed.event;
  // VS Code knows a node by the object it was given: a row is redrawn by firing that same object.
  private readonly taskNodes = new Map<string, TaskNode>();
  private readonly groupNodes = new Map<string, GroupNode>();
  private layout = '';
  private readonly running = new Map<string, number>();
  /** What each row showed when last drawn: a refresh redraws the rows whose words, icon or menu changed. */
  private readonly drawn = new Map<string, string>();

  constructor(private readonly tasks: TaskService) {
    super();
    this.layout = this.layoutNow();
    this._register(tasks.onDidChange((entry) => this.onTaskChange(entry)));
  }

  getChildren(node?: TaskTreeNode): TaskTreeNode[] {
    const entries = this.sortedEntries();
    if (!node) {
      const groups = new Map<string, TaskTreeNode>();
      for (const entry of entries) {
        const key = groupKeyOf(entry);
        if (!groups.has(key)) groups.set(key, this.groupNode(entry));
      }
      return [...groups.values()];
    }
    if (node.kind === 'group') return entries.filter((e) => groupKeyOf(e) === node.key).map((e) => this.taskNode(e.id));
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
      const running = this.runningIn(node.key);
      this.running.set(node.key, running);
      if (running) item.description = vscode.l10n.t('{0} running', running);
      return item;
    }
    const entry = this.tasks.get(node.id);
    if (!entry) return new vscode.TreeItem('(forgotten)');
    const item = taskItem(entry);
    this.drawn.set(node.id, signatureOf(item));
    return item;
  }

  getParent(node: TaskTreeNode): TaskTreeNode | undefined {
    if (node.kind === 'group') return undefined;
    const entry = this.tasks.get(node.id);
    return entry ? this.groupNode(entry) : undefined;
  }

  /**
   * Draws again what changed outside the journal (a take put in use changes a saved task's words): the rows that
   * would look different, or the whole tree when tasks came, went or changed groups.
   */
  refresh(): void {
    const layout = this.layoutNow();
    if (layout !== this.layout) return this.redrawAll(layout);
    const changed: TaskTreeNode[] = [];
    for (const [id, node] of this.taskNodes) {
      const entry = this.tasks.get(id);
      if (entry && this.drawn.has(id) && this.drawn.get(id) !== signatureOf(taskItem(entry))) changed.push(node);
    }
    for (const [key, group] of this.groupNodes) if (this.running.has(key) && this.running.get(key) !== this.runningIn(key)) changed.push(group);
    if (changed.length) this.changed.fire(changed);
  }

  private redrawAll(layout: string): void {
    this.layout = layout;
    for (const id of this.taskNodes.keys()) {
      if (!this.tasks.get(id)) {
        this.taskNodes.delete(id);
        this.drawn.delete(id);
      }
    }
    this.changed.fire(undefined);
  }

  private onTaskChange(entry: JournalEntry | undefined): void {
    const layout = this.layoutNow();
    if (!entry || layout !== this.layout || !this.taskNodes.has(entry.id)) return this.redrawAll(layout);
    this.refresh();
  }

  /** Which tasks are in which group, in order: when this changes, rows come and go and the tree is redrawn. */
  private layoutNow(): string {
    return this.sortedEntries()
      .map((e) => `${groupKeyOf(e)}\u0000${e.id}`)
      .join('\u0001');
  }

  private sortedEntries(): JournalEntry[] {
    return [...this.tasks.entries()].sort((a, b) => b.createdAt - a.createdAt);
  }

  private runningIn(key: string): number {
    return this.tasks.entries().filter((e) => groupKeyOf(e) === key && isRunning(e)).length;
  }

  private taskNode(id: string): TaskNode {
    let node = this.taskNodes.get(id);
    if (!node) this.taskNodes.set(id, (node = { kind: 'task', id }));
    return node;
  }

  private groupNode(entry: JournalEntry): GroupNode {
    const key = groupKeyOf(entry);
    let node = this.groupNodes.get(key);
    if (!node) {
      node = entry.storyboardPath ? { kind: 'group', key, label: displayPath(entry.storyboardPath), storyboardPath: entry.storyboardPath } : { kind: 'group', key, label: vscode.l10n.t('Ad hoc') };
      this.groupNodes.set(key, node);
    }
    return node;
  }
}

function signatureOf(item: vscode.TreeItem): string {
  const text = (value: string | vscode.TreeItemLabel | vscode.MarkdownString | boolean | undefined) =>
    typeof value === 'object' && value !== null ? ('value' in value ? value.value : value.label) : value;
  const icon = item.iconPath instanceof vscode.ThemeIcon ? `${item.iconPath.id} ${item.iconPath.color?.id ?? ''}` : '';
  return JSON.stringify([text(item.label), text(item.description), text(item.tooltip), icon, item.contextValue, item.command?.command]);
}

function groupKeyOf(entry: JournalEntry): string {
  return entry.storyboardPath ?? AD_HOC;
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
