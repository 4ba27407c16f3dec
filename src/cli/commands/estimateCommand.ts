import { formatAmount, formatUsd } from '../../core/pricing/decimal';
import { estimateJson, planStoryboard, type StoryboardPlan } from '../../core/render/storyboardPlan';
import { out, UsageError, type CliContext } from '../cliContext';
import { loadStoryboard } from '../loadStoryboard';

export const ESTIMATE_HELP = `Usage: kling estimate FILE [--json] [--root DIR]

Prints what each video of a storyboard costs and the total, in USD and credits, without spending anything.

  --json       {"videos":[{"name","seconds","quality","sound","usd","credits"}],"total":{"usd","credits","seconds"}}
  --root DIR   the workspace folder paths must stay in`;

export async function estimateCommand(ctx: CliContext, files: string[], options: { json?: boolean | undefined; root?: string | undefined }): Promise<number> {
  if (files.length !== 1) throw new UsageError('estimate takes one storyboard file');
  const loaded = await loadStoryboard(ctx, files[0]!, options.root);
  if (!loaded) return 1;
  const plan = await planStoryboard(loaded.storyboard, { storyboardPath: loaded.storyboardPath });
  if (options.json) {
    out(ctx, JSON.stringify(estimateJson(plan)));
    return 0;
  }
  printPlanTable(ctx, plan, false);
  return 0;
}

/** A table of the plan: one row per video, then the total (and what rendering now would cost). */
export function printPlanTable(ctx: CliContext, plan: StoryboardPlan, showState: boolean): void {
  const nameWidth = plan.videos.reduce((width, v) => Math.max(width, v.name.length), 5);
  out(ctx, `${'video'.padEnd(nameWidth)}  seconds  quality  sound     USD   credits${showState ? '  state' : ''}`);
  for (const v of plan.videos) {
    const state = `${showState ? `  ${stateLabel(v.state.kind)}` : ''}${v.takeCount > 1 ? `  × ${v.takeCount} takes` : ''}`;
    out(
      ctx,
      `${v.name.padEnd(nameWidth)}  ${String(v.price.seconds).padStart(7)}  ${v.price.quality.padStart(7)}  ${v.price.sound.padStart(5)}  ${formatUsd(v.price.usd).padStart(6)}  ${formatAmount(v.price.credits).padStart(8)}${state}`,
    );
  }
  const total = plan.fullCost;
  out(ctx, `${'total'.padEnd(nameWidth)}  ${String(total.seconds).padStart(7)}  ${''.padStart(7)}  ${''.padStart(5)}  ${formatUsd(total.usd).padStart(6)}  ${formatAmount(total.credits).padStart(8)}`);
}

function stateLabel(kind: string): string {
  return { 'up-to-date': 'up to date', 'in-flight': 'under way', 'unknown-outcome': 'outcome unknown', 'to-render': 'to render' }[kind] ?? kind;
}
