import type { JournalEntry } from '../../core/journal/taskState';
import { formatAmount, formatUsd } from '../../core/pricing/decimal';
import { totalPrice, type Price, type PriceTotal } from '../../core/pricing/pricing';
import type { PlannedVideo, StoryboardPlan } from '../../core/render/storyboardPlan';
import { outgoingOfPlan } from '../../core/request/outgoingData';
import { outgoingLines } from '../../core/request/outgoingLines';
import type { StoryboardOutline, VideoOutline } from '../../core/storyboard/storyboardOutline';
import { failureText } from '../../core/text/failureText';

// How a storyboard's videos look in the editor (CodeLens, hovers, the Storyboards view), from the plan and the
// journal alone. No `vscode` here: the words are unit-tested. Titles use codicons ($(play)), as CodeLens and tree
// labels draw them.

export type VideoStatus =
  /** The video has errors of its own: it cannot be priced until they are fixed. */
  | { kind: 'problems'; count: number; first: string }
  /** Something outside the videos is wrong (or the plan could not be made): nothing can be priced. */
  | { kind: 'unpriced'; reason: string }
  /** `price` is one take's; `takes` how many takes rendering it makes (and pays for). */
  | { kind: 'to-render'; price: Price; lastFailure: string | undefined; takes?: number | undefined }
  | { kind: 'up-to-date'; price: Price; outputPath: string }
  /** A task for this exact video is under way; `entry` is the journal's latest word on it. */
  | { kind: 'rendering'; price: Price; entry: JournalEntry }
  | { kind: 'unknown-outcome'; price: Price; entry: JournalEntry };

/**
 * A video's status: its own errors first, then what the plan says, with the live journal entry for a task under
 * way (progress changes far more often than the plan is remade).
 */
export function videoStatus(
  video: VideoOutline,
  planned: PlannedVideo | undefined,
  journal: { get(id: string): JournalEntry | undefined; entries(): readonly JournalEntry[] },
  unpricedReason: string,
): VideoStatus {
  if (video.errors.length > 0) return { kind: 'problems', count: video.errors.length, first: video.errors[0]!.message };
  if (!planned) return { kind: 'unpriced', reason: unpricedReason };
  const state = planned.state;
  switch (state.kind) {
    case 'up-to-date':
      return { kind: 'up-to-date', price: planned.price, outputPath: planned.outputPath };
    case 'in-flight':
      return { kind: 'rendering', price: planned.price, entry: journal.get(state.entry.id) ?? state.entry };
    case 'unknown-outcome':
      return { kind: 'unknown-outcome', price: planned.price, entry: state.entry };
    case 'to-render': {
      const last = journal
        .entries()
        .filter((e) => e.outputPath === planned.outputPath && e.requestHash === planned.requestHash)
        .sort((a, b) => b.createdAt - a.createdAt)[0];
      const s = last?.state;
      const lastFailure = s?.status === 'failed' ? failureText(s.message, s.code) : s?.status === 'expired' ? s.reason : undefined;
      const takes = planned.takes.filter((t) => t.state.kind === 'to-render').length;
      return { kind: 'to-render', price: planned.price, lastFailure, ...(takes > 1 ? { takes } : {}) };
    }
  }
}

/** `$0.75 · 10 s · 1080p`, with `· sound` when the video has sound; `3 takes · $2.25 · …` for several takes. */
export function priceSummary(price: Price, takes = 1): string {
  const usd = takes > 1 ? `${takes} takes · ${formatUsd(timesTakes(price, takes).usd)}` : formatUsd(price.usd);
  return `${usd} · ${price.seconds} s · ${price.quality}${price.sound === 'on' ? ' · sound' : ''}`;
}

/** What `takes` takes of a video cost together. */
function timesTakes(price: Price, takes: number): PriceTotal {
  return totalPrice(Array.from({ length: takes }, () => price));
}

/** What a running task is doing, in two words: `Rendering 40%`, `Queued`, `Downloading 75%`. */
export function progressText(entry: JournalEntry): string {
  const s = entry.state;
  switch (s.status) {
    case 'submitting':
      return 'Sending';
    case 'pending':
      return 'Queued';
    case 'processing':
      return `Rendering ${s.progress}%`;
    case 'downloading':
      return `Downloading${s.totalBytes ? ` ${Math.round((100 * s.receivedBytes) / s.totalBytes)}%` : ''}`;
    case 'completed':
      return 'Downloading';
    case 'saved':
      return 'Saved';
    default:
      return 'Rendering';
  }
}

/**
 * The icon beside `progressText`. The journal moves on a moment before the plan is looked at again, so a task drawn as
 * under way may already be saved: that one no longer turns.
 */
function progressIcon(entry: JournalEntry, turning: string): string {
  return entry.state.status === 'saved' ? '$(check)' : turning;
}

export type LensAction = 'render-all' | 'render-video' | 'open-result' | 'show-tasks' | 'show-problems' | 'compare-takes' | 'none';

export interface LensTitle {
  title: string;
  action: LensAction;
  tooltip: string;
}

/** The CodeLens above a video: "$(play) Render · $0.75 · 10 s · 1080p", "$(check) Up to date · Open", … */
export function videoLenses(status: VideoStatus): LensTitle[] {
  switch (status.kind) {
    case 'problems':
      return [
        {
          title: `$(error) ${status.count} problem${status.count === 1 ? '' : 's'} to fix before rendering`,
          action: 'show-problems',
          tooltip: status.first,
        },
      ];
    case 'unpriced':
      return [];
    case 'to-render': {
      const takes = status.takes ?? 1;
      const cost = timesTakes(status.price, takes);
      const render: LensTitle = {
        title: `$(play) Render · ${priceSummary(status.price, takes)}`,
        action: 'render-video',
        tooltip: `Render this video${takes > 1 ? ` ${takes} times (${takes} takes, each paid for)` : ''}: ${formatUsd(cost.usd)} (${formatAmount(cost.credits)} credits). The price is confirmed before anything is spent.`,
      };
      return status.lastFailure
        ? [render, { title: '$(error) Last render failed', action: 'show-tasks', tooltip: status.lastFailure }]
        : [render];
    }
    case 'up-to-date':
      return [
        { title: '$(check) Up to date', action: 'none', tooltip: `${status.outputPath} matches this video exactly: rendering it again would be paid for again.` },
        { title: 'Open', action: 'open-result', tooltip: `Open ${status.outputPath}` },
      ];
    case 'rendering':
      return [{ title: `${progressIcon(status.entry, '$(sync~spin)')} ${progressText(status.entry)}`, action: 'show-tasks', tooltip: 'Under way: see it in the Tasks view' }];
    case 'unknown-outcome':
      return [
        {
          title: '$(question) Outcome unknown',
          action: 'show-tasks',
          tooltip: 'An earlier create of this exact video got no answer: a task may exist and be charged. Check the Tasks view before rendering it again.',
        },
      ];
  }
}

export interface FileSummary {
  /** Videos in the file (with or without problems). */
  videos: number;
  upToDate: number;
  toRender: number;
  rendering: number;
  /** What rendering now costs (the videos to render, and elements not created yet). */
  cost: PriceTotal | undefined;
  /** What the whole storyboard costs. */
  fullCost: PriceTotal | undefined;
  errors: number;
}

export function fileSummary(outline: StoryboardOutline, plan: StoryboardPlan | undefined, statuses: readonly VideoStatus[]): FileSummary {
  const count = (kind: VideoStatus['kind']) => statuses.filter((s) => s.kind === kind).length;
  return {
    videos: outline.videos.length,
    upToDate: count('up-to-date'),
    toRender: count('to-render'),
    rendering: count('rendering'),
    cost: plan?.cost,
    fullCost: plan?.fullCost,
    errors: outline.errorCount,
  };
}

const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`;

/** The CodeLens above the file: "$(play) Render all · $2.33 · 3 videos (1 up to date)", or why it cannot. */
export function fileLens(summary: FileSummary): LensTitle | undefined {
  if (summary.errors > 0) {
    // The price stays: what the videos without problems cost is still worth knowing while one is being fixed.
    const price = summary.cost && summary.toRender > 0 ? ` · ${formatUsd(summary.cost.usd)} for ${plural(summary.toRender, 'video')} without problems` : '';
    return {
      title: `$(error) ${plural(summary.errors, 'problem')} to fix before rendering all${price}`,
      action: 'show-problems',
      tooltip: `Open the Problems panel${summary.cost && summary.toRender > 0 ? `. The ${plural(summary.toRender, 'video')} without problems cost ${formatUsd(summary.cost.usd)} (${formatAmount(summary.cost.credits)} credits).` : ''}`,
    };
  }
  if (!summary.cost) return undefined;
  if (summary.toRender > 0) {
    const upToDate = summary.upToDate > 0 ? ` (${summary.upToDate} up to date)` : '';
    return {
      title: `$(play) Render all · ${formatUsd(summary.cost.usd)} · ${plural(summary.videos, 'video')}${upToDate}`,
      action: 'render-all',
      tooltip:
        `Render ${plural(summary.toRender, 'video')} for ${formatUsd(summary.cost.usd)} (${formatAmount(summary.cost.credits)} credits)` +
        `${summary.upToDate > 0 ? `; ${summary.upToDate} up to date ${summary.upToDate === 1 ? 'is' : 'are'} skipped` : ''}. ` +
        'The total is confirmed before anything is spent.',
    };
  }
  if (summary.rendering > 0) {
    return {
      title: `$(sync~spin) Rendering ${summary.rendering} of ${plural(summary.videos, 'video')}`,
      action: 'show-tasks',
      tooltip: 'See them in the Tasks view',
    };
  }
  if (summary.upToDate === summary.videos && summary.videos > 0) {
    return {
      title: `$(check) ${summary.videos === 1 ? 'The video is' : `All ${summary.videos} videos are`} up to date`,
      action: 'none',
      tooltip: `Nothing to render: rendering again would spend nothing. The whole storyboard cost ${formatUsd(summary.fullCost!.usd)}.`,
    };
  }
  return undefined;
}

/** The short text beside a video in the Storyboards view. */
export function videoDescription(status: VideoStatus): string {
  switch (status.kind) {
    case 'problems':
      return plural(status.count, 'problem');
    case 'unpriced':
      return '';
    case 'to-render':
      return `${status.lastFailure ? 'failed · ' : ''}${priceSummary(status.price, status.takes)}`;
    case 'up-to-date':
      return 'up to date';
    case 'rendering':
      return progressText(status.entry).toLowerCase();
    case 'unknown-outcome':
      return 'outcome unknown';
  }
}

/** A video's takes, as the Storyboards view and the CodeLens show them: how many, and which one is in use. */
export interface TakeSummary {
  count: number;
  /** The number of the take in use (`<name>.mp4`), if any. */
  chosen: number | undefined;
}

/** The CodeLens `$(versions) 3 takes` beside a video's state, when it has more than one take to compare. */
export function takesLens(takes: TakeSummary | undefined): LensTitle | undefined {
  if (!takes || takes.count < 2) return undefined;
  return {
    title: `$(versions) ${takes.count} takes`,
    action: 'compare-takes',
    tooltip: `${takes.chosen ? `Take ${takes.chosen} is in use.` : 'No take is in use.'} Compare the takes side by side and choose one.`,
  };
}

/** `take 2 of 3` beside a video in the Storyboards view, once it has more than one take. */
export function takesDescription(takes: TakeSummary | undefined): string {
  if (!takes || takes.count < 2) return '';
  return takes.chosen ? `take ${takes.chosen} of ${takes.count}` : `${takes.count} takes, none in use`;
}

/** The short text beside a storyboard in the Storyboards view. */
export function fileDescription(summary: FileSummary): string {
  if (summary.errors > 0) return plural(summary.errors, 'problem');
  const parts = [plural(summary.videos, 'video')];
  if (summary.rendering > 0) parts.push(`${summary.rendering} rendering`);
  if (summary.toRender > 0 && summary.cost) parts.push(`${formatUsd(summary.cost.usd)} to render`);
  else if (summary.upToDate === summary.videos && summary.videos > 0) parts.push('up to date');
  return parts.join(' · ');
}

/** The hover on a video's name, in Markdown: its price and state. */
export function videoHoverMarkdown(name: string, status: VideoStatus, simulated: boolean): string {
  const lines = [`**${escapeMarkdown(name)}**`];
  if ('price' in status) {
    const p = status.price;
    lines.push(
      `$(credit-card) ${formatUsd(p.usd)} · ${formatAmount(p.credits)} credits — ${p.seconds} s · ${p.quality} · sound ${p.sound}${simulated ? ' *(simulator: nothing is spent)*' : ''}`,
    );
  }
  switch (status.kind) {
    case 'problems':
      lines.push(`$(error) ${plural(status.count, 'problem')} to fix before it can be priced: ${escapeMarkdown(status.first)}`);
      break;
    case 'unpriced':
      lines.push(`$(info) ${escapeMarkdown(status.reason)}`);
      break;
    case 'to-render':
      lines.push(status.lastFailure ? `$(error) The last render failed: ${escapeMarkdown(status.lastFailure)}` : '$(circle-outline) Not rendered yet');
      break;
    case 'up-to-date':
      lines.push(`$(check) Up to date: \`${status.outputPath}\``);
      break;
    case 'rendering':
      lines.push(`${progressIcon(status.entry, '$(sync)')} ${progressText(status.entry)}${status.entry.taskId ? ` — task \`${status.entry.taskId}\`` : ''}`);
      break;
    case 'unknown-outcome':
      lines.push('$(question) An earlier create got no answer: a task may exist and be charged. Check the Tasks view first.');
      break;
  }
  return lines.join('\n\n');
}

function escapeMarkdown(text: string): string {
  return text.replace(/[\\`*_{}[\]()#+\-.!|<>]/g, '\\$&');
}

const STATE_WORDS: Record<PlannedVideo['state']['kind'], string> = {
  'up-to-date': 'up to date',
  'in-flight': 'under way',
  'unknown-outcome': 'outcome unknown',
  'to-render': '',
};

/** Kling: Estimate Storyboard, as a message and its detail: each video's price and state, the total, what rendering now costs. */
export function estimateText(fileName: string, plan: StoryboardPlan, unpriced: number): { message: string; detail: string } {
  const videos = plan.videos.length;
  const message = `${fileName}: ${formatUsd(plan.fullCost.usd)} for ${plural(videos, 'video')} (${plan.fullCost.seconds} s of video, ${formatAmount(plan.fullCost.credits)} credits)`;
  const lines = plan.videos.map((v) => {
    const state = STATE_WORDS[v.state.kind];
    const takes = v.takeCount > 1 ? ` × ${v.takeCount} takes` : '';
    return `${v.name}: ${v.price.seconds} s · ${v.price.quality} · sound ${v.price.sound} — ${formatUsd(v.price.usd)}${takes}${state ? ` · ${state}` : ''}`;
  });
  if (unpriced) lines.push(`${plural(unpriced, 'video')} with problems, not priced`);
  const toRender = plan.videos.filter((v) => v.state.kind === 'to-render').length;
  const created = newElementsOf(plan).length;
  const elements = created ? ` and ${plural(created, 'new element')} (1 credit each)` : '';
  lines.push(
    '',
    toRender
      ? `Rendering now costs ${formatUsd(plan.cost.usd)} (${formatAmount(plan.cost.credits)} credits): ${plural(toRender, 'video')}${elements}.`
      : 'Nothing to render now: rendering spends nothing.',
  );
  return { message, detail: lines.join('\n') };
}

/** Why this render cannot go ahead given the problems found, or undefined when it can. */
export function problemsRefusal(outline: StoryboardOutline, only: readonly string[] | undefined): string | undefined {
  const count = (n: number) => `${n} problem${n === 1 ? '' : 's'}`;
  if (!only?.length) return outline.errorCount ? `${count(outline.errorCount)} to fix before it can be rendered.` : undefined;
  if (outline.fileErrors.length) return `${count(outline.fileErrors.length)} outside the videos to fix before any video can be rendered.`;
  for (const name of only) {
    const video = outline.videos.find((v) => v.name === name);
    if (!video) return `no video is named "${name}".`;
    if (video.errors.length) return `${name} has ${count(video.errors.length)} to fix before it can be rendered.`;
  }
  return outline.renderable ? undefined : 'nothing in it can be rendered yet.';
}

/** What a render pays for, in a few words: "hero (5 s, 720p)", "hero (3 takes, 5 s, 720p)", "3 videos (5 takes) and 1 element". */
export function describeVideos(videos: readonly PlannedVideo[], elements: number): string {
  const first = videos[0]!;
  const takes = videos.reduce((n, v) => n + takesToRender(v), 0);
  const head =
    videos.length === 1
      ? `${first.name} (${takes > 1 ? `${takes} takes, ` : ''}${first.price.seconds} s, ${first.price.quality})`
      : `${videos.length} videos${takes > videos.length ? ` (${takes} takes)` : ''}`;
  return elements ? `${head} and ${elements} element${elements === 1 ? '' : 's'}` : head;
}

/** How many takes of a planned video a render creates (and pays for); 1 for a plan made before takes. */
function takesToRender(video: PlannedVideo): number {
  return video.takes?.filter((t) => t.state.kind === 'to-render').length || 1;
}

/** One line per video to pay for, then what is skipped, then the images and callback URLs that will be sent. */
export function spendDetail(plan: StoryboardPlan, toRender: readonly PlannedVideo[]): string {
  const lines = toRender.map((v) => {
    const takes = takesToRender(v);
    const each = `${v.price.seconds} s · ${v.price.quality} · sound ${v.price.sound}`;
    return takes > 1 ? `${v.name}: ${takes} takes × ${each} — ${formatUsd(timesTakes(v.price, takes).usd)}` : `${v.name}: ${each} — ${formatUsd(v.price.usd)}`;
  });
  const created = newElementsOf(plan);
  if (created.length) lines.push(`${plural(created.length, 'new element')} (${created.map((e) => e.element.name).join(', ')}): 1 credit each`);
  const skipped = plan.videos.filter((v) => v.state.kind === 'up-to-date').map((v) => v.name);
  if (skipped.length) lines.push(`Up to date, not paid for again: ${skipped.join(', ')}`);
  const running = plan.videos.filter((v) => v.state.kind === 'in-flight').map((v) => v.name);
  if (running.length) lines.push(`Already under way, not created again: ${running.join(', ')}`);
  const sent = outgoingLines(outgoingOfPlan(plan, toRender));
  if (sent.length) lines.push('', ...sent);
  return lines.join('\n');
}

/** The elements a render needs that have no id yet: created, and paid for, before the videos. */
export function newElementsOf(plan: Pick<StoryboardPlan, 'elements'>): StoryboardPlan['elements'] {
  return plan.elements.filter((e) => e.elementId === undefined);
}
