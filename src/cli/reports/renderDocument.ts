import { ELEMENT_PRICE } from '../../core/pricing/priceTable';
import { addAmounts, parseAmount, ZERO, type Amount } from '../../core/pricing/decimal';
import type { ExitCode } from '../../core/report/exitCode';
import type { RenderReport, RenderState } from '../../core/report/renderReport';
import type { VideoOutcome } from '../../core/render/renderStoryboard';
import { sidecarPathOf } from '../../core/records/videoLocations';
import { CLI_VERSION } from '../cliVersion';
import type { CliContext } from '../cliContext';
import { problemsOf } from '../loadStoryboard';
import type { PlannedRun, PlannedStoryboard, VideoSelection } from '../planStoryboards';
import type { SpendLedger } from '../spendLedger';
import { cell, money, planStateName, plansOf, pricedVideo, relativeToCwd, selectionOf, toSpend } from './reportValues';

export interface StoryboardOutcomes {
  planned: PlannedStoryboard;
  /** Empty when the run ended before rendering (refused, nothing to do). */
  outcomes: VideoOutcome[];
}

export type RenderRefusal = NonNullable<RenderReport['refused']>;

export interface RenderRun {
  run: PlannedRun;
  selection: VideoSelection;
  simulated: boolean;
  ledger: SpendLedger;
  outcomes: StoryboardOutcomes[];
  exitCode: ExitCode;
  refused?: RenderRefusal | undefined;
}

const OUTCOME_STATE: Record<VideoOutcome['kind'], RenderState> = {
  saved: 'saved',
  'up-to-date': 'up-to-date',
  failed: 'failed',
  unknown: 'outcome-unknown',
  'download-pending': 'download-pending',
};

/** `kling render --json`: each video as it ended (or as planned, when nothing was rendered), and what was spent. */
export function renderDocument(ctx: CliContext, input: RenderRun): RenderReport {
  let spentUsd: Amount = ZERO;
  let spentCredits: Amount = ZERO;
  let unknownUsd: Amount = ZERO;
  let unknownCredits: Amount = ZERO;
  const videos: RenderReport['videos'] = [];
  const byStoryboard = new Map(input.outcomes.map((o) => [o.planned, o.outcomes]));
  for (const planned of input.run.storyboards) {
    const outcomes = byStoryboard.get(planned) ?? [];
    for (const video of planned.plan?.videos ?? []) {
      const outcome = outcomes.find((o) => o.name === video.name);
      const entry = outcome && 'entry' in outcome ? outcome.entry : undefined;
      const created = input.ledger.createdHere(entry);
      // The service refunds a task that fails (docs/service-contract.md): only the others are spent.
      const spent = created && outcome?.kind !== 'failed';
      if (spent) {
        spentUsd = addAmounts(spentUsd, video.price.usd);
        spentCredits = addAmounts(spentCredits, video.price.credits);
      }
      if (input.ledger.lostHere(entry)) {
        unknownUsd = addAmounts(unknownUsd, video.price.usd);
        unknownCredits = addAmounts(unknownCredits, video.price.credits);
      }
      videos.push({
        ...pricedVideo(ctx, planned.checked.file, video),
        state: outcome ? OUTCOME_STATE[outcome.kind] : planStateName(video.state.kind),
        ...(outcome?.kind === 'saved' ? { sidecar: relativeToCwd(ctx, sidecarPathOf(video.place)) } : {}),
        ...(entry?.taskId ? { taskId: entry.taskId } : {}),
        spent: spent ? { usd: money(video.price.usd), credits: money(video.price.credits) } : { usd: 0, credits: 0 },
        ...(outcome && 'message' in outcome ? { message: outcome.message } : {}),
        ...(outcome?.kind === 'saved' && outcome.web
          ? {
              web: {
                fastStart: outcome.web.fastStart,
                remuxed: outcome.web.remuxed,
                ...(outcome.web.poster ? { poster: relativeToCwd(ctx, outcome.web.poster) } : {}),
                ...(outcome.web.problem ? { problem: outcome.web.problem } : {}),
              },
            }
          : {}),
      });
    }
  }
  const createdElements = input.ledger.createdEntries().filter((e) => e.kind === 'element');
  const elements: RenderReport['elements'] = input.run.storyboards.flatMap((planned) =>
    (planned.plan?.elements ?? [])
      .filter((e) => e.elementId === undefined)
      .map((e) => {
        const entry = createdElements.find((c) => c.requestHash === `element:${e.definitionHash}`);
        const created = entry !== undefined && entry.state.status !== 'failed';
        if (created) {
          spentUsd = addAmounts(spentUsd, parseAmount(ELEMENT_PRICE.usd));
          spentCredits = addAmounts(spentCredits, parseAmount(ELEMENT_PRICE.credits));
        }
        return { storyboard: planned.checked.file, name: e.element.name, usd: Number(ELEMENT_PRICE.usd), credits: Number(ELEMENT_PRICE.credits), created };
      }),
  );
  const count = (state: RenderState) => videos.filter((v) => v.state === state).length;
  return {
    command: 'render',
    version: CLI_VERSION,
    exitCode: input.exitCode,
    simulated: input.simulated,
    videos,
    elements,
    total: {
      estimated: toSpend(plansOf(input.run)),
      spent: { usd: money(spentUsd), credits: money(spentCredits) },
      unknown: { usd: money(unknownUsd), credits: money(unknownCredits) },
    },
    counts: { rendered: count('saved'), upToDate: count('up-to-date'), failed: count('failed'), unknown: count('outcome-unknown'), downloadPending: count('download-pending') },
    ...(input.refused ? { refused: input.refused } : {}),
    ...selectionOf(input.run, input.selection),
    problems: input.run.invalid.map(problemsOf),
  };
}

/** The render as the job summary shows it: videos, state, seconds, quality, price, spent, task. */
export function renderMarkdown(report: RenderReport): string {
  const lines = [`### Kling render${report.simulated ? ' (simulator: nothing real spent)' : ''}`, ''];
  if (report.videos.length) {
    lines.push('| video | state | seconds | quality | price | spent | task |', '|---|---|---:|---|---:|---:|---|');
    for (const v of report.videos) {
      lines.push(`| ${cell(`${v.storyboard}: ${v.name}`)} | ${v.state} | ${v.seconds} | ${v.quality}${v.sound === 'on' ? ' + sound' : ''} | $${v.usd} | $${v.spent.usd} | ${v.taskId ? `\`${v.taskId}\`` : ''} |`);
    }
  } else {
    lines.push('No video selected: nothing to render.');
  }
  for (const e of report.elements) lines.push(`Element ${cell(e.name)} (${cell(e.storyboard)}): ${e.created ? 'created, $' + e.usd : 'not created by this run'}.`);
  const c = report.counts;
  lines.push(
    '',
    `**Spent: $${report.total.spent.usd}** (${report.total.spent.credits} credits) of $${report.total.estimated.usd} estimated. ` +
      `${c.rendered} rendered, ${c.upToDate} up to date, ${c.failed} failed, ${c.unknown} outcome unknown${c.downloadPending ? `, ${c.downloadPending} download pending` : ''}.`,
  );
  if (report.total.unknown.usd > 0) lines.push(`$${report.total.unknown.usd} may have been charged for creates whose answer was lost: check the service's task list.`);
  if (report.refused) lines.push(`**Refused:** ${cell(report.refused.message)}`);
  if (report.shard) lines.push(`Part ${report.shard.index} of ${report.shard.count}.`);
  if (report.since?.unchanged.length) lines.push(`${report.since.unchanged.length} video${report.since.unchanged.length === 1 ? '' : 's'} unchanged since \`${report.since.ref}\` left out.`);
  for (const p of report.problems) lines.push(`${cell(p.file)}: ${p.problemCount} problem${p.problemCount === 1 ? '' : 's'} to fix first.`);
  return `${lines.join('\n')}\n`;
}
