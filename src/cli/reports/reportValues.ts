import * as path from 'node:path';
import { amountToNumber, type Amount } from '../../core/pricing/decimal';
import { totalPrice } from '../../core/pricing/pricing';
import type { PricedVideo, Totals } from '../../core/report/reportParts';
import type { PlannedVideo, StoryboardPlan, VideoPlanState } from '../../core/render/storyboardPlan';
import type { CliContext } from '../cliContext';
import type { PlannedRun, VideoSelection } from '../planStoryboards';

/** An exact amount as a JSON number (0.225, never 0.22499999999999998). */
export function money(amount: Amount): number {
  return Number(amountToNumber(amount).toFixed(4));
}

export function relativeToCwd(ctx: CliContext, file: string): string {
  return path.relative(ctx.cwd, file) || file;
}

export function pricedVideo(ctx: CliContext, storyboard: string, video: PlannedVideo): PricedVideo {
  return {
    storyboard,
    name: video.name,
    file: relativeToCwd(ctx, video.outputPath),
    seconds: video.price.seconds,
    quality: video.price.quality,
    sound: video.price.sound,
    usd: money(video.price.usd),
    credits: money(video.price.credits),
  };
}

export function planStateName(kind: VideoPlanState['kind']): 'to-render' | 'up-to-date' | 'under-way' | 'outcome-unknown' {
  return ({ 'to-render': 'to-render', 'up-to-date': 'up-to-date', 'in-flight': 'under-way', 'unknown-outcome': 'outcome-unknown' } as const)[kind];
}

/** What rendering the plans now would spend: videos to render and elements to create. */
export function toSpend(plans: readonly StoryboardPlan[]): Totals {
  const cost = totalPrice(plans.map((p) => p.cost));
  return {
    videos: plans.reduce((n, p) => n + p.videos.filter((v) => v.state.kind === 'to-render').length, 0),
    elements: plans.reduce((n, p) => n + p.elements.filter((e) => e.elementId === undefined).length, 0),
    seconds: cost.seconds,
    usd: money(cost.usd),
    credits: money(cost.credits),
  };
}

/** Every video listed, whatever its state; no elements. */
export function allListed(plans: readonly StoryboardPlan[]): Totals {
  const cost = totalPrice(plans.map((p) => p.fullCost));
  return { videos: plans.reduce((n, p) => n + p.videos.length, 0), elements: 0, seconds: cost.seconds, usd: money(cost.usd), credits: money(cost.credits) };
}

export function plansOf(run: PlannedRun): StoryboardPlan[] {
  return run.storyboards.flatMap((s) => (s.plan ? [s.plan] : []));
}

/** The `shard` and `since` members of a document, when those selections were made. */
export function selectionOf(run: PlannedRun, selection: VideoSelection) {
  return {
    ...(selection.shard ? { shard: { index: selection.shard.index, count: selection.shard.count } } : {}),
    ...(selection.since
      ? { since: { ref: selection.since, unchanged: run.storyboards.flatMap((s) => s.unchanged.map((name) => ({ storyboard: s.checked.file, name }))) } }
      : {}),
  };
}

/** A Markdown table cell: pipes and line breaks would break the table. */
export function cell(text: string | number): string {
  return String(text).replace(/\|/g, '\\|').replace(/\r?\n/g, ' ');
}
