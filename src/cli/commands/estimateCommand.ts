import * as path from 'node:path';
import { TaskJournal } from '../../core/journal/taskJournal';
import { EXIT_CODES } from '../../core/report/exitCode';
import { parseShard } from '../../core/render/videoShard';
import { CliBackends } from '../cliBackend';
import { BACKEND_OPTIONS, COMMON_HELP, defineCommand } from '../cliCommand';
import { err, out, printDocument, stateDir, UsageError } from '../cliContext';
import { planStoryboards, type VideoSelection } from '../planStoryboards';
import { printGrandTotal, printPlanTable } from '../planTable';
import { estimateDocument, estimateMarkdown } from '../reports/estimateDocument';
import { plansOf } from '../reports/reportValues';

export const estimateCommand = defineCommand({
  name: 'estimate',
  summary: 'estimate FILE…    what rendering would cost: each video with its state, and the total to spend',
  help: `Usage: kling estimate FILE… [--json] [--shard K/N] [--since REF] [--only NAME…] [--simulator]

Prints each video of the storyboards with its price and state, without spending anything:
  to render        it would be created and paid for
  up to date       its result is saved: nothing to pay
  under way        a task for it is already paid for and running (here, or in another process)
  download pending its task is done and paid for, its download failed: render or kling download fetches it
  outcome unknown  an earlier create got no answer; it is created again only with render --force
then the elements that would be created, and the total of what rendering now would actually spend (the videos to
render and the elements to create: nothing for what is up to date, under way or download pending).

  --json         one JSON document on stdout (schemas/kling-estimate.schema.json; docs/cli.md)
  --shard K/N    only part K of N, as render --shard renders it (by a hash of each video's name)
  --since REF    only videos whose request differs from the same-named video at git revision REF, and new ones
  --only NAME    only this video (repeatable)
  --simulator    states as the built-in simulator sees them (its tasks and claims); default: the Kling API's
  --base-url URL the API whose tasks and claims count (default: KLING_BASE_URL, else https://api.evolink.ai)
  --root DIR     the workspace folder paths must stay in
${COMMON_HELP}

Elements: each runner that renders a part creates the elements its videos need (once per output folder: runners
that share one create each element once), so estimate --shard prices them in every part that needs them.
Exit codes: 0 priced, 2 a storyboard has problems or the usage is wrong (see kling --help).`,
  options: {
    json: { type: 'boolean' },
    root: { type: 'string' },
    only: { type: 'string', multiple: true },
    shard: { type: 'string' },
    since: { type: 'string' },
    simulator: BACKEND_OPTIONS.simulator,
    'base-url': BACKEND_OPTIONS['base-url'],
  },
  async run(ctx, files, values) {
    if (files.length === 0) throw new UsageError('estimate needs at least one storyboard file');
    const selection = selectionFrom(values);
    const backends = new CliBackends(ctx, { baseUrl: values['base-url'] });
    const journal = new TaskJournal(path.join(stateDir(ctx), 'journal.json'));
    const loadProblem = await journal.load();
    if (loadProblem.problem) err(ctx, loadProblem.problem);
    const run = await planStoryboards(ctx, files, { root: values.root, selection, backend: backends.backend(values.simulator === true), journal: journal.list() });
    const exitCode = run.invalid.length ? EXIT_CODES.invalid : EXIT_CODES.done;
    const report = estimateDocument(ctx, run, selection, exitCode);
    for (const planned of run.storyboards) {
      if (files.length > 1) out(ctx, `${planned.checked.file}:`);
      if (planned.plan) printPlanTable(ctx, planned.plan);
      else out(ctx, `No video selected${planned.unchanged.length ? ` (${planned.unchanged.length} unchanged since ${selection.since})` : ''}: nothing to render.`);
      if (planned.plan && planned.unchanged.length) out(ctx, `${planned.unchanged.length} video${planned.unchanged.length === 1 ? '' : 's'} unchanged since ${selection.since} left out.`);
      if (files.length > 1) out(ctx);
    }
    if (run.storyboards.length > 1) printGrandTotal(ctx, plansOf(run));
    if (ctx.github) {
      ctx.github.appendSummary(estimateMarkdown(report));
      ctx.github.setOutput('estimated-usd', report.total.usd);
      ctx.github.setOutput('summary', estimateMarkdown(report));
    }
    if (values.json) printDocument(ctx, report);
    return exitCode;
  },
});

/** --only, --shard and --since, read and checked. */
export function selectionFrom(values: { only?: string[] | undefined; shard?: string | undefined; since?: string | undefined; force?: boolean | undefined }): VideoSelection {
  let shard: VideoSelection['shard'];
  if (values.shard !== undefined) {
    const parsed = parseShard(values.shard);
    if ('problem' in parsed) throw new UsageError(parsed.problem);
    shard = parsed.shard;
  }
  return { only: values.only, shard, since: values.since, force: values.force };
}

