import { formatAmount, formatUsd } from '../core/pricing/decimal';
import type { StoryboardPlan } from '../core/render/storyboardPlan';
import { out, type CliContext } from './cliContext';

const STATES: Record<string, string> = { 'up-to-date': 'up to date', 'in-flight': 'under way', 'unknown-outcome': 'outcome unknown', 'to-render': 'to render' };

/**
 * The table `kling render` prints before it asks: one row per video with its state, one per element the videos name
 * (1 credit each; "created" when it already exists on this backend), and the total of the whole storyboard, elements
 * included, so the total is what a first render is charged.
 */
export function printRenderTable(ctx: CliContext, plan: StoryboardPlan): void {
  const elementName = (name: string) => `${name} (element)`;
  const nameWidth = Math.max(5, ...plan.videos.map((v) => v.name.length), ...plan.elementCosts.map((e) => elementName(e.name).length));
  out(ctx, `${'video'.padEnd(nameWidth)}  seconds  quality  sound     USD   credits  state`);
  for (const v of plan.videos) {
    out(
      ctx,
      `${v.name.padEnd(nameWidth)}  ${String(v.price.seconds).padStart(7)}  ${v.price.quality.padStart(7)}  ${v.price.sound.padStart(5)}  ${formatUsd(v.price.usd).padStart(6)}  ${formatAmount(v.price.credits).padStart(8)}  ${STATES[v.state.kind] ?? v.state.kind}`,
    );
  }
  for (const e of plan.elementCosts) {
    out(
      ctx,
      `${elementName(e.name).padEnd(nameWidth)}  ${''.padStart(7)}  ${''.padStart(7)}  ${''.padStart(5)}  ${formatUsd(e.usd).padStart(6)}  ${formatAmount(e.credits).padStart(8)}  ${e.elementId ? 'created' : 'to create'}`,
    );
  }
  const total = plan.fullCostWithElements;
  out(ctx, `${'total'.padEnd(nameWidth)}  ${String(total.seconds).padStart(7)}  ${''.padStart(7)}  ${''.padStart(5)}  ${formatUsd(total.usd).padStart(6)}  ${formatAmount(total.credits).padStart(8)}`);
}
