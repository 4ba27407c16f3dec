import * as l10n from '@vscode/l10n';
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
// labels draw them. The words go through @vscode/l10n, which loadCore() configures with the editor's bundle
// (English with no configuration, as in the unit tests).

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
  const usd = takes > 1 ? l10n.t('{0} takes · {1}', takes, formatUsd(timesTakes(price, takes).usd)) : formatUsd(price.usd);
  return price.sound === 'on' ? l10n.t('{0} · {1} s · {2} · sound', usd, price.seconds, price.quality) : l10n.t('{0} · {1} s · {2}', usd, price.seconds, price.quality);
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
      return l10n.t('Sending');
    case 'pending':
      return l10n.t('Queued');
    case 'processing':
      return l10n.t('Rendering {0}%', s.progress);
    case 'downloading':
      return s.totalBytes ? l10n.t('Downloading {0}%', Math.round((100 * s.receivedBytes) / s.totalBytes)) : l10n.t('Downloading');
    case 'completed':
      return l10n.t('Downloading');
    case 'saved':
      return l10n.t('Saved');
    default:
      return l10n.t('Rendering');
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
          title: status.count === 1 ? l10n.t('$(error) 1 problem to fix before rendering') : l10n.t('$(error) {0} problems to fix before rendering', status.count),
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
        title: l10n.t('$(play) Render · {0}', priceSummary(status.price, takes)),
        action: 'render-video',
        tooltip:
          takes > 1
            ? l10n.t('Render this video {0} times ({0} takes, each paid for): {1} ({2} credits). The price is confirmed before anything is spent.', takes, formatUsd(cost.usd), formatAmount(cost.credits))
            : l10n.t('Render this video: {0} ({1} credits). The price is confirmed before anything is spent.', formatUsd(cost.usd), formatAmount(cost.credits)),
      };
      return status.lastFailure
        ? [render, { title: l10n.t('$(error) Last render failed'), action: 'show-tasks', tooltip: status.lastFailure }]
        : [render];
    }
    case 'up-to-date':
      return [
        { title: l10n.t('$(check) Up to date'), action: 'none', tooltip: l10n.t('{0} matches this video exactly: rendering it again would be paid for again.', status.outputPath) },
        { title: l10n.t('Open'), action: 'open-result', tooltip: l10n.t('Open {0}', status.outputPath) },
      ];
    case 'rendering':
      return [{ title: `${progressIcon(status.entry, '$(sync~spin)')} ${progressText(status.entry)}`, action: 'show-tasks', tooltip: l10n.t('Under way: see it in the Tasks view') }];
    case 'unknown-outcome':
      return [
        {
          title: l10n.t('$(question) Outcome unknown'),
          action: 'show-tasks',
          tooltip: l10n.t('An earlier create of this exact video got no answer: a task may exist and be charged. Check the Tasks view before rendering it again.'),
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

// One string per form (docs/l10n.md): another language does not make a plural by adding an "s".
const videos = (n: number) => (n === 1 ? l10n.t('1 video') : l10n.t('{0} videos', n));
const problems = (n: number) => (n === 1 ? l10n.t('1 problem') : l10n.t('{0} problems', n));
const newElements = (n: number) => (n === 1 ? l10n.t('1 new element') : l10n.t('{0} new elements', n));

/** The CodeLens above the file: "$(play) Render all · $2.33 · 3 videos (1 up to date)", or why it cannot. */
export function fileLens(summary: FileSummary): LensTitle | undefined {
  if (summary.errors > 0) {
    // The price stays: what the videos without problems cost is still worth knowing while one is being fixed.
    const priced = summary.cost && summary.toRender > 0 ? summary.cost : undefined;
    return {
      title: priced
        ? l10n.t('$(error) {0} to fix before rendering all · {1} for {2} without problems', problems(summary.errors), formatUsd(priced.usd), videos(summary.toRender))
        : l10n.t('$(error) {0} to fix before rendering all', problems(summary.errors)),
      action: 'show-problems',
      tooltip: priced
        ? l10n.t('Open the Problems panel. The {0} without problems cost {1} ({2} credits).', videos(summary.toRender), formatUsd(priced.usd), formatAmount(priced.credits))
        : l10n.t('Open the Problems panel'),
    };
  }
  if (!summary.cost) return undefined;
  if (summary.toRender > 0) {
    const usd = formatUsd(summary.cost.usd);
    const credits = formatAmount(summary.cost.credits);
    return {
      title:
        summary.upToDate > 0
          ? l10n.t('$(play) Render all · {0} · {1} ({2} up to date)', usd, videos(summary.videos), summary.upToDate)
          : l10n.t('$(play) Render all · {0} · {1}', usd, videos(summary.videos)),
      action: 'render-all',
      tooltip:
        summary.upToDate === 0
          ? l10n.t('Render {0} for {1} ({2} credits). The total is confirmed before anything is spent.', videos(summary.toRender), usd, credits)
          : summary.upToDate === 1
            ? l10n.t('Render {0} for {1} ({2} credits); 1 up to date is skipped. The total is confirmed before anything is spent.', videos(summary.toRender), usd, credits)
            : l10n.t('Render {0} for {1} ({2} credits); {3} up to date are skipped. The total is confirmed before anything is spent.', videos(summary.toRender), usd, credits, summary.upToDate),
    };
  }
  if (summary.rendering > 0) {
    return {
      title: l10n.t('$(sync~spin) Rendering {0} of {1}', summary.rendering, videos(summary.videos)),
      action: 'show-tasks',
      tooltip: l10n.t('See them in the Tasks view'),
    };
  }
  if (summary.upToDate === summary.videos && summary.videos > 0) {
    return {
      title: summary.videos === 1 ? l10n.t('$(check) The video is up to date') : l10n.t('$(check) All {0} videos are up to date', summary.videos),
      action: 'none',
      tooltip: l10n.t('Nothing to render: rendering again would spend nothing. The whole storyboard cost {0}.', formatUsd(summary.fullCost!.usd)),
    };
  }
  return undefined;
}

/** The short text beside a video in the Storyboards view. */
export function videoDescription(status: VideoStatus): string {
  switch (status.kind) {
    case 'problems':
      return problems(status.count);
    case 'unpriced':
      return '';
    case 'to-render':
      return status.lastFailure ? l10n.t('failed · {0}', priceSummary(status.price, status.takes)) : priceSummary(status.price, status.takes);
    case 'up-to-date':
      return l10n.t('up to date');
    case 'rendering':
      return progressText(status.entry).toLowerCase();
    case 'unknown-outcome':
      return l10n.t('outcome unknown');
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
    title: l10n.t('$(versions) {0} takes', takes.count),
    action: 'compare-takes',
    tooltip: takes.chosen
      ? l10n.t('Take {0} is in use. Compare the takes side by side and choose one.', takes.chosen)
      : l10n.t('No take is in use. Compare the takes side by side and choose one.'),
  };
}

/** `take 2 of 3` beside a video in the Storyboards view, once it has more than one take. */
export function takesDescription(takes: TakeSummary | undefined): string {
  if (!takes || takes.count < 2) return '';
  return takes.chosen ? l10n.t('take {0} of {1}', takes.chosen, takes.count) : l10n.t('{0} takes, none in use', takes.count);
}

/** The short text beside a storyboard in the Storyboards view. */
export function fileDescription(summary: FileSummary): string {
  if (summary.errors > 0) return problems(summary.errors);
  const parts = [videos(summary.videos)];
  if (summary.rendering > 0) parts.push(l10n.t('{0} rendering', summary.rendering));
  if (summary.toRender > 0 && summary.cost) parts.push(l10n.t('{0} to render', formatUsd(summary.cost.usd)));
  else if (summary.upToDate === summary.videos && summary.videos > 0) parts.push(l10n.t('up to date'));
  return parts.join(' · ');
}

/** The hover on a video's name, in Markdown: its price and state. */
export function videoHoverMarkdown(name: string, status: VideoStatus, simulated: boolean): string {
  const lines = [`**${escapeMarkdown(name)}**`];
  if ('price' in status) {
    const p = status.price;
    lines.push(
      simulated
        ? l10n.t('$(credit-card) {0} · {1} credits — {2} s · {3} · sound {4} *(simulator: nothing is spent)*', formatUsd(p.usd), formatAmount(p.credits), p.seconds, p.quality, p.sound)
        : l10n.t('$(credit-card) {0} · {1} credits — {2} s · {3} · sound {4}', formatUsd(p.usd), formatAmount(p.credits), p.seconds, p.quality, p.sound),
    );
  }
  switch (status.kind) {
    case 'problems':
      lines.push(l10n.t('$(error) {0} to fix before it can be priced: {1}', problems(status.count), escapeMarkdown(status.first)));
      break;
    case 'unpriced':
      lines.push(`$(info) ${escapeMarkdown(status.reason)}`);
      break;
    case 'to-render':
      lines.push(status.lastFailure ? l10n.t('$(error) The last render failed: {0}', escapeMarkdown(status.lastFailure)) : l10n.t('$(circle-outline) Not rendered yet'));
      break;
    case 'up-to-date':
      lines.push(l10n.t('$(check) Up to date: `{0}`', status.outputPath));
      break;
    case 'rendering':
      lines.push(
        status.entry.taskId
          ? l10n.t('{0} {1} — task `{2}`', progressIcon(status.entry, '$(sync)'), progressText(status.entry), status.entry.taskId)
          : `${progressIcon(status.entry, '$(sync)')} ${progressText(status.entry)}`,
      );
      break;
    case 'unknown-outcome':
      lines.push(l10n.t('$(question) An earlier create got no answer: a task may exist and be charged. Check the Tasks view first.'));
      break;
  }
  return lines.join('\n\n');
}

function escapeMarkdown(text: string): string {
  return text.replace(/[\\`*_{}[\]()#+\-.!|<>]/g, '\\$&');
}

// A function, not a table: the words are looked up after loadCore() has configured the language.
function stateWords(kind: PlannedVideo['state']['kind']): string {
  switch (kind) {
    case 'up-to-date':
      return l10n.t('up to date');
    case 'in-flight':
      return l10n.t('under way');
    case 'unknown-outcome':
      return l10n.t('outcome unknown');
    case 'to-render':
      return '';
  }
}

/** Kling: Estimate Storyboard, as a message and its detail: each video's price and state, the total, what rendering now costs. */
export function estimateText(fileName: string, plan: StoryboardPlan, unpriced: number): { message: string; detail: string } {
  const message = l10n.t(
    '{0}: {1} for {2} ({3} s of video, {4} credits)',
    fileName,
    formatUsd(plan.fullCost.usd),
    videos(plan.videos.length),
    plan.fullCost.seconds,
    formatAmount(plan.fullCost.credits),
  );
  const lines = plan.videos.map((v) => {
    const state = stateWords(v.state.kind);
    const price = l10n.t('{0}: {1} s · {2} · sound {3} — {4}', v.name, v.price.seconds, v.price.quality, v.price.sound, formatUsd(v.price.usd));
    const takes = v.takeCount > 1 ? l10n.t('{0} × {1} takes', price, v.takeCount) : price;
    return state ? `${takes} · ${state}` : takes;
  });
  if (unpriced) lines.push(l10n.t('{0} with problems, not priced', videos(unpriced)));
  const toRender = plan.videos.filter((v) => v.state.kind === 'to-render').length;
  const created = newElementsOf(plan).length;
  const usd = formatUsd(plan.cost.usd);
  const credits = formatAmount(plan.cost.credits);
  lines.push(
    '',
    !toRender
      ? l10n.t('Nothing to render now: rendering spends nothing.')
      : created
        ? l10n.t('Rendering now costs {0} ({1} credits): {2} and {3} (1 credit each).', usd, credits, videos(toRender), newElements(created))
        : l10n.t('Rendering now costs {0} ({1} credits): {2}.', usd, credits, videos(toRender)),
  );
  return { message, detail: lines.join('\n') };
}

/** Why this render cannot go ahead given the problems found, or undefined when it can. */
export function problemsRefusal(outline: StoryboardOutline, only: readonly string[] | undefined): string | undefined {
  if (!only?.length) return outline.errorCount ? l10n.t('{0} to fix before it can be rendered.', problems(outline.errorCount)) : undefined;
  if (outline.fileErrors.length) return l10n.t('{0} outside the videos to fix before any video can be rendered.', problems(outline.fileErrors.length));
  for (const name of only) {
    const video = outline.videos.find((v) => v.name === name);
    if (!video) return l10n.t('no video is named "{0}".', name);
    if (video.errors.length) return l10n.t('{0} has {1} to fix before it can be rendered.', name, problems(video.errors.length));
  }
  return outline.renderable ? undefined : l10n.t('nothing in it can be rendered yet.');
}

/** What a render pays for, in a few words: "hero (5 s, 720p)", "hero (3 takes, 5 s, 720p)", "3 videos (5 takes) and 1 element". */
export function describeVideos(videos: readonly PlannedVideo[], elements: number): string {
  const first = videos[0]!;
  const takes = videos.reduce((n, v) => n + takesToRender(v), 0);
  const head =
    videos.length === 1
      ? takes > 1
        ? l10n.t('{0} ({1} takes, {2} s, {3})', first.name, takes, first.price.seconds, first.price.quality)
        : l10n.t('{0} ({1} s, {2})', first.name, first.price.seconds, first.price.quality)
      : takes > videos.length
        ? l10n.t('{0} videos ({1} takes)', videos.length, takes)
        : l10n.t('{0} videos', videos.length);
  return !elements ? head : elements === 1 ? l10n.t('{0} and 1 element', head) : l10n.t('{0} and {1} elements', head, elements);
}

/** How many takes of a planned video a render creates (and pays for); 1 for a plan made before takes. */
function takesToRender(video: PlannedVideo): number {
  return video.takes?.filter((t) => t.state.kind === 'to-render').length || 1;
}

/** One line per video to pay for, then what is skipped, then the images and callback URLs that will be sent. */
export function spendDetail(plan: StoryboardPlan, toRender: readonly PlannedVideo[]): string {
  const lines = toRender.map((v) => {
    const takes = takesToRender(v);
    return takes > 1
      ? l10n.t('{0}: {1} takes × {2} s · {3} · sound {4} — {5}', v.name, takes, v.price.seconds, v.price.quality, v.price.sound, formatUsd(timesTakes(v.price, takes).usd))
      : l10n.t('{0}: {1} s · {2} · sound {3} — {4}', v.name, v.price.seconds, v.price.quality, v.price.sound, formatUsd(v.price.usd));
  });
  const created = newElementsOf(plan);
  if (created.length) lines.push(l10n.t('{0} ({1}): 1 credit each', newElements(created.length), created.map((e) => e.element.name).join(', ')));
  const skipped = plan.videos.filter((v) => v.state.kind === 'up-to-date').map((v) => v.name);
  if (skipped.length) lines.push(l10n.t('Up to date, not paid for again: {0}', skipped.join(', ')));
  const running = plan.videos.filter((v) => v.state.kind === 'in-flight').map((v) => v.name);
  if (running.length) lines.push(l10n.t('Already under way, not created again: {0}', running.join(', ')));
  const sent = outgoingLines(outgoingOfPlan(plan, toRender));
  if (sent.length) lines.push('', ...sent);
  return lines.join('\n');
}

/** The elements a render needs that have no id yet: created, and paid for, before the videos. */
export function newElementsOf(plan: Pick<StoryboardPlan, 'elements'>): StoryboardPlan['elements'] {
  return plan.elements.filter((e) => e.elementId === undefined);
}
