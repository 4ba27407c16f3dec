import * as path from 'node:path';
import * as vscode from 'vscode';
import { hasEnded, type JournalEntry } from '../../core/journal/taskState';
import { money } from '../generate/moneyGuard';
import { asSentence, failureText } from '../../core/text/failureText';

// How a task looks in the Tasks view: icon, words and context value, from its state alone.

/**
 * What a task's menu offers depends on this value (package.json, view/item/context):
 * - `task:running`: queued, rendering or downloading (Refresh);
 * - `task:completed`: finished; a video whose download failed, or an element (Download Again);
 * - `task:saved`, `task:failed`, `task:expired`: ended (Open, Retry);
 * - `task:unknown`: a create that got no answer, no task id: a task may exist and be charged (Create Again, with a
 *   warning that it may pay twice);
 * - `task:unrecognized`: a task whose status this version does not know (Check Status).
 */
export type TaskContextValue = 'task:running' | 'task:saved' | 'task:completed' | 'task:failed' | 'task:expired' | 'task:unknown' | 'task:unrecognized';

export function contextValueOf(entry: JournalEntry): TaskContextValue {
  const status = entry.state.status;
  switch (status) {
    case 'saved':
      return 'task:saved';
    case 'failed':
      return 'task:failed';
    case 'expired':
      return 'task:expired';
    case 'unknown':
      return entry.taskId ? 'task:unrecognized' : 'task:unknown';
    case 'completed':
      return entry.lastError || entry.kind === 'element' ? 'task:completed' : 'task:running';
    case 'submitting':
    case 'pending':
    case 'processing':
    case 'downloading':
      return 'task:running';
    default:
      return unreachable(status);
  }
}

function unreachable(value: never): never {
  throw new Error(`a task state this version does not know: ${String(value)}`);
}

export function isRunning(entry: JournalEntry): boolean {
  return !hasEnded(entry) && entry.state.status !== 'submitting';
}

export function iconOf(entry: JournalEntry): vscode.ThemeIcon {
  const s = entry.state;
  switch (s.status) {
    case 'submitting':
    case 'pending':
      return new vscode.ThemeIcon('loading~spin');
    case 'processing':
      return new vscode.ThemeIcon(entry.stalled ? 'watch' : 'sync~spin', entry.stalled ? new vscode.ThemeColor('problemsWarningIcon.foreground') : undefined);
    case 'downloading':
      return new vscode.ThemeIcon('cloud-download');
    case 'completed':
      return entry.lastError
        ? new vscode.ThemeIcon('warning', new vscode.ThemeColor('problemsWarningIcon.foreground'))
        : entry.kind === 'element'
          ? new vscode.ThemeIcon('person', new vscode.ThemeColor('testing.iconPassed'))
          : new vscode.ThemeIcon('cloud-download');
    case 'saved':
      return new vscode.ThemeIcon('pass-filled', new vscode.ThemeColor('testing.iconPassed'));
    case 'failed':
      return new vscode.ThemeIcon('error', new vscode.ThemeColor('testing.iconFailed'));
    case 'expired':
      return new vscode.ThemeIcon('history', new vscode.ThemeColor('problemsWarningIcon.foreground'));
    case 'unknown':
      return new vscode.ThemeIcon('question', new vscode.ThemeColor('problemsWarningIcon.foreground'));
  }
}

/** The short text beside the label: percent and time left while running, the outcome when done. */
export function descriptionOf(entry: JournalEntry): string {
  // A task the CLI (or another window) started says where it came from, whatever its state.
  const elsewhere = entry.startedBy && entry.startedBy !== 'VS Code' ? ` · ${entry.startedBy}` : '';
  return `${stateDescription(entry)}${elsewhere}`;
}

/**
 * A running task's progress, to put before its label ("40%", "queued", "downloading 30%"): the description after a
 * label is what a narrow side bar cuts first, and the progress is what a person looks at a running task for.
 * Undefined for a task that is not running.
 */
export function progressOf(entry: JournalEntry): string | undefined {
  const s = entry.state;
  switch (s.status) {
    case 'submitting':
      return 'sending…';
    case 'pending':
      return 'queued';
    case 'processing':
      return `${s.progress}%`;
    case 'downloading':
      return s.totalBytes ? `downloading ${Math.round((100 * s.receivedBytes) / s.totalBytes)}%` : 'downloading';
    default:
      return undefined;
  }
}

/** The description of a task whose progress is in its label: the rest (time left, stalled, simulated, who started it). */
export function descriptionBesideProgress(entry: JournalEntry): string {
  const progress = progressOf(entry);
  const full = descriptionOf(entry);
  if (progress === undefined) return full;
  return full.startsWith(progress) ? full.slice(progress.length).replace(/^ · /, '') : full;
}

function stateDescription(entry: JournalEntry): string {
  const s = entry.state;
  const simulated = entry.backend.kind === 'simulator' ? ' · simulated' : '';
  switch (s.status) {
    case 'submitting':
      return 'sending…';
    case 'pending':
      return `queued${entry.stalled ? ' · stalled' : ''}${simulated}`;
    case 'processing':
      return `${s.progress}%${s.etaSeconds !== undefined ? ` · ${formatDuration(s.etaSeconds)} left` : ''}${entry.stalled ? ' · stalled' : ''}${simulated}`;
    case 'downloading':
      return `downloading${s.totalBytes ? ` ${Math.round((100 * s.receivedBytes) / s.totalBytes)}%` : ''}`;
    case 'completed':
      return entry.lastError ? 'download failed' : entry.kind === 'element' ? 'element ready' : 'downloading';
    case 'saved':
      return `${path.basename(s.filePath)}${simulated}`;
    case 'failed':
      return s.code.replace(/_/g, ' ');
    case 'expired':
      return 'expired';
    case 'unknown':
      return entry.taskId ? 'unknown status' : 'outcome unknown';
  }
}

export function tooltipOf(entry: JournalEntry): vscode.MarkdownString {
  const request = entry.request as {
    prompt?: string;
    negative_prompt?: string;
    duration?: number;
    aspect_ratio?: string;
    quality?: string;
    sound?: string;
    model?: string;
    model_params?: { multi_prompt?: Array<{ prompt: string; duration: string }>; shot_type?: string };
  };
  const md = new vscode.MarkdownString(undefined, true);
  md.appendMarkdown(`**${escape(entry.label)}**${entry.backend.kind === 'simulator' ? ' — *simulated: nothing real was generated or spent*' : ''}\n\n`);
  if (request.prompt) md.appendMarkdown(`${escape(request.prompt)}\n\n`);
  for (const [i, shot] of (request.model_params?.multi_prompt ?? []).entries()) md.appendMarkdown(`${i + 1}. ${escape(shot.prompt)} (${shot.duration} s)\n`);
  if (request.model_params?.shot_type === 'intelligence') md.appendMarkdown('*Shots planned by the model*\n\n');
  if (request.negative_prompt) md.appendMarkdown(`Not: ${escape(request.negative_prompt)}\n\n`);
  if (request.duration !== undefined) {
    md.appendMarkdown(`$(clock) ${request.duration} s · ${request.aspect_ratio ?? '16:9'} · ${request.quality ?? '720p'} · sound ${request.sound ?? 'off'}\n\n`);
  }
  md.appendMarkdown(`$(credit-card) ${money(entry.price.usd)} · ${entry.price.credits} credits${entry.reportedCredits !== undefined ? ` (service reserved ${entry.reportedCredits})` : ''}\n\n`);
  md.appendMarkdown(`$(info) ${describeState(entry)}\n\n`);
  if (entry.startedBy && entry.startedBy !== 'VS Code') md.appendMarkdown(`Started by ${escape(entry.startedBy)}${entry.owner ? ` (process ${entry.owner.pid})` : ''}\n\n`);
  if (entry.taskId) md.appendMarkdown(`Task \`${entry.taskId}\`\n\n`);
  md.appendMarkdown(`Created ${new Date(entry.createdAt).toLocaleString()}${entry.finishedAt ? ` · finished ${new Date(entry.finishedAt).toLocaleString()}` : ''}`);
  return md;
}

export function describeState(entry: JournalEntry): string {
  const s = entry.state;
  switch (s.status) {
    case 'failed':
      return `Failed: ${s.retryable ? `${asSentence(failureText(s.message, s.code))} Submitting again may help.` : failureText(s.message, s.code)}`;
    case 'expired':
      return `Expired: ${s.reason}`;
    case 'unknown':
      return `Outcome unknown: ${s.reason}`;
    case 'saved':
      return `Saved to ${s.filePath}`;
    case 'completed':
      return entry.lastError ? `Finished; the download failed: ${entry.lastError}` : 'Finished';
    case 'downloading':
      return entry.lastError ? `Downloading again; the last try failed: ${entry.lastError}` : 'Downloading';
    default:
      return `${s.status[0]!.toUpperCase()}${s.status.slice(1)}${entry.lastError ? ` (last poll: ${entry.lastError})` : ''}`;
  }
}

export function formatDuration(seconds: number): string {
  if (seconds < 60) return `${Math.max(0, Math.round(seconds))} s`;
  const minutes = Math.round(seconds / 60);
  return `${minutes} min`;
}

function escape(text: string): string {
  return text.replace(/[\\`*_{}[\]()#+\-.!|<>]/g, '\\$&');
}
