import type { PlannedVideo, StoryboardPlan } from '../core/render/storyboardPlan';
import { outgoingOfPlan } from '../core/request/outgoingData';
import { outgoingLines } from '../core/request/outgoingLines';
import { out, type CliContext } from './cliContext';

/** Before the price is accepted: the images a render uploads or sends, and where the service will post results. */
export function printOutgoing(ctx: CliContext, plan: Pick<StoryboardPlan, 'elements'>, toRender: readonly PlannedVideo[]): void {
  const lines = outgoingLines(outgoingOfPlan(plan, toRender));
  if (lines.length === 0) return;
  out(ctx);
  for (const line of lines) out(ctx, line);
  out(ctx);
}
