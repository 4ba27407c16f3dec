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
      return vscode.l10n.t('sending…');
    case 'pending':
      return vscode.l10n.t('queued');
    case 'processing':
      return `${s.progress}%`;
    case 'downloading':
      return s.totalBytes ? vscode.l10n.t('downloading {0}%', Math.round((100 * s.receivedBytes) / s.totalBytes)) : vscode.l10n.t('downloading');
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
  const simulated = entry.backend.kind === 'simulator' ? ` · ${vscode.l10n.t('simulated')}` : '';
  const stalled = entry.stalled ? ` · ${vscode.l10n.t('stalled')}` : '';
  switch (s.status) {
    case 'submitting':
      return vscode.l10n.t('sending…');
    case 'pending':
      return `${vscode.l10n.t('queued')}${stalled}${simulated}`;
    case 'processing':
      return `${s.progress}%${s.etaSeconds !== undefined ? ` · ${vscode.l10n.t('{0} left', formatDuration(s.etaSeconds))}` : ''}${stalled}${simulated}`;
    case 'downloading':
      return s.totalBytes ? vscode.l10n.t('downloading {0}%', Math.round((100 * s.receivedBytes) / s.totalBytes)) : vscode.l10n.t('downloading');
    case 'completed':
      return entry.lastError ? vscode.l10n.t('download failed') : entry.kind === 'element' ? vscode.l10n.t('element ready') : vscode.l10n.t('downloading');
    case 'saved':
      return `${path.basename(s.filePath)}${simulated}`;
    case 'failed':
      return s.code.replace(/_/g, ' ');
    case 'expired':
      return vscode.l10n.t('expired');
    case 'unknown':
      return entry.taskId ? vscode.l10n.t('unknown status') : vscode.l10n.t('outcome unknown');
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
  md.appendMarkdown(`**${escape(entry.label)}**${entry.backend.kind === 'simulator' ? ` — *${vscode.l10n.t('simulated: nothing real was generated or spent')}*` : ''}\n\n`);
  if (request.prompt) md.appendMarkdown(`${escape(request.prompt)}\n\n`);
  for (const [i, shot] of (request.model_params?.multi_prompt ?? []).entries()) md.appendMarkdown(`${i + 1}. ${escape(shot.prompt)} (${shot.duration} s)\n`);
  if (request.model_params?.shot_type === 'intelligence') md.appendMarkdown(`*${vscode.l10n.t('Shots planned by the model')}*\n\n`);
  if (request.negative_prompt) md.appendMarkdown(`${vscode.l10n.t('Not: {0}', escape(request.negative_prompt))}\n\n`);
  if (request.duration !== undefined) {
    md.appendMarkdown(`$(clock) ${request.duration} s · ${request.aspect_ratio ?? '16:9'} · ${request.quality ?? '720p'} · ${vscode.l10n.t('sound {0}', request.sound ?? 'off')}\n\n`);
  }
  md.appendMarkdown(
    `$(credit-card) ${money(entry.price.usd)} · ${vscode.l10n.t('{0} credits', entry.price.credits)}${entry.reportedCredits !== undefined ? ` ${vscode.l10n.t('(service reserved {0})', entry.reportedCredits)}` : ''}\n\n`,
  );
  md.appendMarkdown(`$(info) ${describeState(entry)}\n\n`);
  if (entry.startedBy && entry.startedBy !== 'VS Code') md.appendMarkdown(`${entry.owner ? vscode.l10n.t('Started by {0} (process {1})', escape(entry.startedBy), entry.owner.pid) : vscode.l10n.t('Started by {0}', escape(entry.startedBy))}\n\n`);
  if (entry.taskId) md.appendMarkdown(`${vscode.l10n.t('Task {0}', `\`${entry.taskId}\``)}\n\n`);
  md.appendMarkdown(
    `${vscode.l10n.t('Created {0}', new Date(entry.createdAt).toLocaleString())}${entry.finishedAt ? ` · ${vscode.l10n.t('finished {0}', new Date(entry.finishedAt).toLocaleString())}` : ''}`,
  );
  return md;
}

export function describeState(entry: JournalEntry): string {
  const s = entry.state;
  switch (s.status) {
    case 'failed':
      return s.retryable
        ? vscode.l10n.t('Failed: {0} Submitting again may help.', asSentence(failureText(s.message, s.code)))
        : vscode.l10n.t('Failed: {0}', failureText(s.message, s.code));
    case 'expired':
      return vscode.l10n.t('Expired: {0}', s.reason);
    case 'unknown':
      return vscode.l10n.t('Outcome unknown: {0}', s.reason);
    case 'saved':
      return vscode.l10n.t('Saved to {0}', s.filePath);
    case 'completed':
      return entry.lastError ? vscode.l10n.t('Finished; the download failed: {0}', entry.lastError) : vscode.l10n.t('Finished');
    case 'downloading':
      return entry.lastError ? vscode.l10n.t('Downloading again; the last try failed: {0}', entry.lastError) : vscode.l10n.t('Downloading');
    default:
      {
      const status = s.status === 'submitting' ? vscode.l10n.t('Submitting') : s.status === 'pending' ? vscode.l10n.t('Pending') : vscode.l10n.t('Processing');
      return entry.lastError ? vscode.l10n.t('{0} (last poll: {1})', status, entry.lastError) : status;
    }
  }
}

export function formatDuration(seconds: number): string {
  if (seconds < 60) return vscode.l10n.t('{0} s', Math.max(0, Math.round(seconds)));
  const minutes = Math.round(seconds / 60);
  return vscode.l10n.t('{0} min', minutes);
}

function escape(text: string): string {
  return text.replace(/[\\`*_{}[\]()#+\-.!|<>]/g, '\\$&');
}
