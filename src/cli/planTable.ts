import { formatAmount, formatUsd } from '../core/pricing/decimal';
import { totalPrice, type PriceTotal } from '../core/pricing/pricing';
import { isDownloadPending } from '../core/journal/taskState';
import type { StoryboardPlan, VideoPlanState } from '../core/render/storyboardPlan';
import { out, type CliContext } from './cliContext';

/**
 * A plan's state in words, as the tables and the editor say it. A video under way whose task is done but whose
 * download failed says so: it is fetched (render again, or kling download), never paid for again.
 */
export function stateLabel(state: VideoPlanState): string {
  if (state.kind === 'in-flight' && isDownloadPending(state.entry)) return 'download pending';
  return { 'up-to-date': 'up to date', 'in-flight': 'under way', 'unknown-outcome': 'outcome unknown', 'to-render': 'to render' }[state.kind];
}

/**
 * A table of one plan: a row per video with its price and state, a row per element (to create, or created), and the total of
 * what rendering now would spend (videos to render and new elements only: nothing for what is up to date or
 * already paid for), then the price of the whole in words when that differs.
 */
export function printPlanTable(ctx: CliContext, plan: StoryboardPlan): void {
  // Every element the videos name: priced like a video, "created" (nothing to pay) when it exists on this backend.
  const elements = plan.elementCosts;
  const names = [...plan.videos.map((v) => v.name), ...elements.map((e) => `element ${e.name}`)];
  const width = names.reduce((w, n) => Math.max(w, n.length), 5);
  out(ctx, `${'video'.padEnd(width)}  seconds  quality  sound     USD   credits  state`);
  for (const v of plan.videos) {
    // A video of several takes: its price is one take's, and it is paid for that many times.
    out(ctx, row(width, v.name, String(v.price.seconds), v.price.quality, v.price.sound, v.price, `${stateLabel(v.state)}${v.takeCount > 1 ? `  × ${v.takeCount} takes` : ''}`));
  }
  const needed = new Set(plan.elements.filter((e) => e.elementId === undefined).map((e) => e.element.name));
  for (const e of elements) {
    const state = e.elementId !== undefined ? 'created' : needed.has(e.name) ? 'to create' : 'not needed now';
    out(ctx, row(width, `element ${e.name}`, '', '', '', e, state));
  }
  out(ctx, row(width, 'total', String(plan.cost.seconds), '', '', plan.cost, '').trimEnd());
  const skipped = plan.videos.filter((v) => v.state.kind !== 'to-render');
  if (skipped.length) {
    const counts = ['up to date', 'under way', 'download pending', 'outcome unknown']
      .map((label) => [skipped.filter((v) => stateLabel(v.state) === label).length, label] as const)
      .filter(([n]) => n > 0)
      .map(([n, label]) => `${n} ${label}`);
    out(ctx, `The total counts only what rendering now would spend: ${counts.join(', ')} cost${skipped.length === 1 ? 's' : ''} nothing more. All ${plan.videos.length} listed: ${price(plan.fullCost)}.`);
  }
}

/** The grand total over several storyboards. */
export function printGrandTotal(ctx: CliContext, plans: readonly StoryboardPlan[]): PriceTotal {
  const total = totalPrice(plans.map((p) => p.cost));
  const videos = plans.reduce((n, p) => n + p.videos.filter((v) => v.state.kind === 'to-render').length, 0);
  const elements = plans.reduce((n, p) => n + p.elements.filter((e) => e.elementId === undefined).length, 0);
  out(ctx, `Total to spend over ${plans.length} storyboards: ${price(total)} for ${videos} video${videos === 1 ? '' : 's'}${elements ? ` and ${elements} element${elements === 1 ? '' : 's'}` : ''}.`);
  return total;
}

export function price(total: Pick<PriceTotal, 'usd' | 'credits'>): string {
  return `${formatUsd(total.usd)} (${formatAmount(total.credits)} credits)`;
}

function row(width: number, name: string, seconds: string, quality: string, sound: string, cost: Pick<PriceTotal, 'usd' | 'credits'>, state: string): string {
  return `${name.padEnd(width)}  ${seconds.padStart(7)}  ${quality.padStart(7)}  ${sound.padStart(5)}  ${formatUsd(cost.usd).padStart(6)}  ${formatAmount(cost.credits).padStart(8)}  ${state}`;
}
