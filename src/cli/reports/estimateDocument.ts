import { isDownloadPending } from '../../core/journal/taskState';
import { ELEMENT_PRICE } from '../../core/pricing/priceTable';
import type { ExitCode } from '../../core/report/exitCode';
import type { EstimateReport } from '../../core/report/estimateReport';
import { CLI_VERSION } from '../cliVersion';
import type { CliContext } from '../cliContext';
import { problemsOf } from '../loadStoryboard';
import type { PlannedRun, VideoSelection } from '../planStoryboards';
import { allListed, cell, planStateName, plansOf, pricedVideo, selectionOf, toSpend } from './reportValues';

export function estimateDocument(ctx: CliContext, run: PlannedRun, selection: VideoSelection, exitCode: ExitCode): EstimateReport {
  return {
    command: 'estimate',
    version: CLI_VERSION,
    exitCode,
    videos: run.storyboards.flatMap((s) =>
      (s.plan?.videos ?? []).map((v) => ({
        ...pricedVideo(ctx, s.checked.file, v),
        state: planStateName(v.state.kind),
        ...(v.state.kind === 'in-flight' && isDownloadPending(v.state.entry) ? { downloadPending: true as const } : {}),
      })),
    ),
    elements: run.storyboards.flatMap((s) =>
      (s.plan?.elements ?? [])
        .filter((e) => e.elementId === undefined)
        .map((e) => ({ storyboard: s.checked.file, name: e.element.name, usd: Number(ELEMENT_PRICE.usd), credits: Number(ELEMENT_PRICE.credits) })),
    ),
    total: toSpend(plansOf(run)),
    all: allListed(plansOf(run)),
    ...selectionOf(run, selection),
    problems: run.invalid.map(problemsOf),
  };
}

/** The estimate as the job summary shows it: a table of the videos, then what rendering would spend. */
export function estimateMarkdown(report: EstimateReport): string {
  const lines = ['### Kling estimate', ''];
  if (report.videos.length === 0 && report.elements.length === 0) {
    lines.push(report.since ? `No video changed since \`${report.since.ref}\`: nothing to render.` : 'No video selected: nothing to render.');
  } else {
    lines.push('| video | state | seconds | quality | price |', '|---|---|---:|---|---:|');
    for (const v of report.videos) lines.push(`| ${cell(`${v.storyboard}: ${v.name}`)} | ${v.downloadPending ? 'download pending' : v.state} | ${v.seconds} | ${v.quality}${v.sound === 'on' ? ' + sound' : ''} | $${v.usd} |`);
    for (const e of report.elements) lines.push(`| ${cell(`${e.storyboard}: element ${e.name}`)} | to-create | | | $${e.usd} |`);
  }
  lines.push('', `**To spend: $${report.total.usd}** (${report.total.credits} credits) for ${report.total.videos} video${report.total.videos === 1 ? '' : 's'}${report.total.elements ? ` and ${report.total.elements} element${report.total.elements === 1 ? '' : 's'}` : ''}.`);
  if (report.shard) lines.push(`Part ${report.shard.index} of ${report.shard.count}.`);
  if (report.since?.unchanged.length) lines.push(`${report.since.unchanged.length} video${report.since.unchanged.length === 1 ? '' : 's'} unchanged since \`${report.since.ref}\` left out.`);
  for (const p of report.problems) lines.push(`${cell(p.file)}: ${p.problemCount} problem${p.problemCount === 1 ? '' : 's'} to fix first.`);
  return `${lines.join('\n')}\n`;
}
