import * as path from 'node:path';
import { placeOfEntry, sidecarPathOf } from '../../core/records/videoLocations';
import { adoptPlanRecords } from '../../core/records/adoptBesideRecords';
import { isApiError } from '../../core/api/apiError';
import { TaskJournal } from '../../core/journal/taskJournal';
import { hasEnded } from '../../core/journal/taskState';
import { amountFromNumber, formatUsd } from '../../core/pricing/decimal';
import { totalPrice } from '../../core/pricing/pricing';
import { livenessOf } from '../../core/process/processOwner';
import { EXIT_CODES, EXIT_CODES_HELP, type ExitCode } from '../../core/report/exitCode';
import { renderStoryboard, takeLabel, type VideoOutcome } from '../../core/render/renderStoryboard';
import type { PlannedVideo, StoryboardPlan } from '../../core/render/storyboardPlan';
import { MAX_TAKES, takePathOf } from '../../core/takes/takeLayout';
import { pollPolicyFor } from '../../core/tasks/pollPolicyFor';
import { TaskEngine } from '../../core/tasks/taskEngine';
import { ImageUploads } from '../../core/uploads/imageUploads';
import { UploadCache } from '../../core/uploads/uploadCache';
import { CliBackends } from '../cliBackend';
import { BACKEND_OPTIONS, COMMON_HELP, defineCommand } from '../cliCommand';
import { confirm, err, isInteractive, out, printDocument, stateDir, stopExitCode, UsageError, type CliContext } from '../cliContext';
import { planStoryboards, type PlannedRun } from '../planStoryboards';
import { price, printGrandTotal, printPlanTable } from '../planTable';
import { printOutgoing } from '../printOutgoing';
import { RenderProgress } from '../renderProgress';
import { money, plansOf } from '../reports/reportValues';
import { renderDocument, renderMarkdown, type StoryboardOutcomes } from '../reports/renderDocument';
import { SpendLedger } from '../spendLedger';
import { selectionFrom } from './estimateCommand';
import { asSentence } from '../../core/text/failureText';

export const renderCommand = defineCommand({
  name: 'render',
  summary: 'render FILE…      render storyboards: price, confirm, create, watch, download',
  help: `Usage: kling render FILE… [--yes] [--max-usd AMOUNT] [--shard K/N] [--since REF] [--only NAME…] [--force] [--takes N]
                    [--concurrency N] [--simulator] [--json]

Renders the videos of storyboards: validates them, shows the price and asks before spending, creates the tasks,
shows their progress, downloads each video with its sidecar (<name>.mp4.json) and prints where they are.
Videos whose result is up to date are skipped; videos already under way are followed, never paid twice.

Ctrl-C (exit 130) or SIGTERM (exit 143) stops watching but keeps the journal: run the same command again to
resume. A paid task is never created twice. A second Ctrl-C leaves at once.

  --yes            accept the price without asking (required without a terminal)
  --max-usd AMOUNT refuse, before creating anything, when the run's price (videos and elements) is above AMOUNT
  --shard K/N      render part K of N (by a hash of each video's name: stable when videos come and go); N runners
                   with 1/N … N/N render disjoint parts, and together all of it
  --since REF      only videos whose request differs from the same-named video at git revision REF, and new ones
  --only NAME      render only this video (repeatable)
  --force          render even videos that are up to date (or whose earlier create got no answer: may pay twice)
  --concurrency N  at most N videos in flight at once, over all the storyboards (default 4)
  --json           one JSON document on stdout at the end (schemas/kling-render.schema.json); the rest on stderr
  --takes N        make N takes (1 to 4) of each video to render, each paid for; the first to arrive is used
  --simulator      use the built-in simulator: nothing real is generated or spent
  --base-url URL   the API's base URL (default: KLING_BASE_URL, else https://api.evolink.ai)
  --root DIR       the workspace folder paths must stay in
  --verbose        log each request (never the key)
${COMMON_HELP}

Elements: created before the videos that need them, once per output folder (processes sharing the folder create
each once). Runners that share no disk each create the elements of their part: at most one extra element (1
credit) per runner; estimate --shard prices it.
${EXIT_CODES_HELP}

Environment: KLING_API_KEY (your key), KLING_BASE_URL, KLING_STATE_DIR (where the journal is kept),
KLING_SIMULATOR_TIME_SCALE (ms per simulated second of the built-in simulator; default 1000).`,
  options: {
    ...BACKEND_OPTIONS,
    json: { type: 'boolean' },
    root: { type: 'string' },
    only: { type: 'string', multiple: true },
    force: { type: 'boolean' },
    yes: { type: 'boolean', short: 'y' },
    concurrency: { type: 'string' },
    'max-usd': { type: 'string' },
    shard: { type: 'string' },
    since: { type: 'string' },
    takes: { type: 'string' },
  },
  async run(ctx, files, values) {
    if (files.length === 0) throw new UsageError('render needs at least one storyboard file');
    const concurrency = values.concurrency === undefined ? 4 : Number(values.concurrency);
    if (!Number.isInteger(concurrency) || concurrency < 1) throw new UsageError(`--concurrency must be a whole number of at least 1; got ${values.concurrency}`);
    const maxUsd = values['max-usd'] === undefined ? undefined : Number(values['max-usd']);
    if (maxUsd !== undefined && (!/^\d+(\.\d+)?$/.test(values['max-usd']!.trim()) || !Number.isFinite(maxUsd))) {
      throw new UsageError(`--max-usd is an amount of US dollars, like 5 or 2.50; got ${values['max-usd']}`);
    }
    const takes = parseTakes(values.takes);
    const selection = selectionFrom(values);
    const report = (doc: Parameters<typeof renderDocument>[1]) => finishReport(ctx, doc, values.json === true);

    const backends = new CliBackends(ctx, { baseUrl: values['base-url'], verbose: values.verbose });
    let simulated = values.simulator === true;
    if (!simulated && !backends.apiKey) {
      if (!isInteractive(ctx)) {
        err(ctx, 'KLING_API_KEY is not set. Export your API key, or add --simulator to try with the built-in simulator (nothing real is generated or spent).');
        return EXIT_CODES.invalid;
      }
      simulated = await confirm(ctx, 'KLING_API_KEY is not set. Render with the built-in simulator instead? Nothing real is generated or spent.', true);
      if (!simulated) {
        err(ctx, 'Nothing rendered. Set KLING_API_KEY to render with the Kling API.');
        return EXIT_CODES.invalid;
      }
    }
    if (simulated) out(ctx, 'Using the built-in simulator: the videos are placeholders, and nothing real is generated or spent.');
    const backend = backends.backend(simulated);
    const refusal = backends.refusal(backend);
    if (refusal) {
      err(ctx, refusal);
      return EXIT_CODES.invalid;
    }

    const journal = new TaskJournal(path.join(stateDir(ctx), 'journal.json'));
    const loadProblem = await journal.load();
    if (loadProblem.problem) err(ctx, loadProblem.problem);
    const timeScale = simulated ? (await backends.startSimulator()).timeScale : 1000;
    const engine = new TaskEngine({ journal, ...backends.engineDeps(), pollPolicy: pollPolicyFor(timeScale), tool: 'kling render' });
    const ledger = new SpendLedger(journal, engine.owner.token);
    let run: PlannedRun = { storyboards: [], invalid: [] };
    const base = { run, selection, simulated, ledger, outcomes: [] as StoryboardOutcomes[] };

    try {
      await engine.start();
      run = await planStoryboards(ctx, files, { root: values.root, selection, backend, journal: journal.list(), takes });
      base.run = run;
      if (run.invalid.length) {
        return report({ ...base, exitCode: EXIT_CODES.invalid });
      }
      const plans = plansOf(run);
      for (const planned of run.storyboards) {
        if (files.length > 1) out(ctx, `${planned.checked.file}:`);
        if (planned.plan) printPlanTable(ctx, planned.plan);
        else out(ctx, `No video selected${planned.unchanged.length ? ` (${planned.unchanged.length} unchanged since ${selection.since})` : ''}.`);
      }
      if (plans.length > 1) printGrandTotal(ctx, plans);

      const toRender = plans.flatMap((p) => p.videos.filter((v) => v.state.kind === 'to-render'));
      const resuming = plans.flatMap((p) => p.videos.filter((v) => v.state.kind === 'in-flight'));
      if (toRender.length === 0 && resuming.length === 0) {
        const unknown = plans.flatMap((p) => p.videos.filter((v) => v.state.kind === 'unknown-outcome'));
        if (unknown.length) {
          for (const v of unknown) err(ctx, `? ${v.name}: ${v.state.kind === 'unknown-outcome' && v.state.entry.state.status === 'unknown' ? v.state.entry.state.reason : 'an earlier create got no answer'}.`);
          err(ctx, `Nothing was sent again. Check the service's task list (or kling status), then render with --force to create ${unknown.length === 1 ? 'it' : 'them'} anew (which may pay twice).`);
          return report({ ...base, outcomes: noOutcomes(run), exitCode: EXIT_CODES.unknown });
        }
        const where = plans.length === 1 ? ` in ${path.relative(ctx.cwd, plans[0]!.outputDir) || '.'}` : '';
        out(ctx, `Everything is up to date${where}: nothing to render, nothing spent.`);
        await movedRecordsNote(ctx, plans);
        return report({ ...base, outcomes: noOutcomes(run), exitCode: EXIT_CODES.done });
      }

      if (toRender.length > 0) {
        for (const plan of plans) printOutgoing(ctx, plan, plan.videos.filter((v) => v.state.kind === 'to-render'));
        const cost = totalPrice(plans.map((p) => p.cost));
        const newElements = plans.reduce((n, p) => n + p.elements.filter((e) => e.elementId === undefined).length, 0);
        const takeCount = toRender.reduce((n, v) => n + v.takes.filter((t) => t.state.kind === 'to-render').length, 0);
        const what = `${toRender.length} video${toRender.length === 1 ? '' : 's'}${takeCount > toRender.length ? ` (${takeCount} takes)` : ''}${newElements ? ` and ${newElements} element${newElements === 1 ? '' : 's'}` : ''}`;
        if (maxUsd !== undefined && cost.usd > amountFromNumber(maxUsd)) {
          const over = (cost.usd - amountFromNumber(maxUsd)) as typeof cost.usd;
          const message = `${what} would cost ${formatUsd(cost.usd)}, ${formatUsd(over)} over --max-usd ${values['max-usd']}. Nothing was created. Render fewer videos (--only, --shard) or raise --max-usd.`;
          err(ctx, message);
          return report({ ...base, outcomes: noOutcomes(run), exitCode: EXIT_CODES.refused, refused: { reason: 'max-usd', message, overByUsd: money(over) } });
        }
        const spend = simulated ? `Render ${what} on the simulator (would cost ${price(cost)}; nothing is spent)?` : `Spend ${price(cost)} on ${what}?`;
        if (!values.yes) {
          if (!isInteractive(ctx)) {
            const message = `${spend} Not without a terminal to ask on: add --yes to accept the price (and --max-usd to cap it).`;
            err(ctx, message);
            return report({ ...base, outcomes: noOutcomes(run), exitCode: EXIT_CODES.refused, refused: { reason: 'confirmation', message } });
          }
          if (!(await confirm(ctx, spend))) {
            out(ctx, 'Nothing rendered, nothing spent.');
            if (ctx.signal.aborted) return stopExitCode(ctx);
            return report({ ...base, outcomes: noOutcomes(run), exitCode: EXIT_CODES.refused, refused: { reason: 'confirmation', message: 'The price was not accepted.' } });
          }
        } else {
          out(ctx, simulated ? `Rendering ${what} on the simulator.` : `Spending ${price(cost)} on ${what}.`);
        }
      }
      if (resuming.length) out(ctx, `Resuming ${resuming.map((v) => `${v.name}${underWayBy(v.state)}`).join(', ')} (already under way; not created again).`);

      const progress = new RenderProgress(ctx, plans.flatMap((p) => p.videos.flatMap((v) => (v.takes.length > 1 ? v.takes.map((t) => takeLabel(v, t.take)) : [v.name]))));
      const names = new Map<string, string>();
      const listener = journal.onDidChange((entry) => {
        const name = entry && names.get(entry.id);
        if (entry && name) progress.update(name, entry);
      });
      const schedule = limiter(concurrency);
      const uploadCache = new UploadCache(path.join(stateDir(ctx), 'uploads.json'));
      const images = (workspaceRoot: string) => new ImageUploads({ client: () => backends.clientFor(backend), workspaceRoot, cache: uploadCache, signal: ctx.signal });
      try {
        base.outcomes = await Promise.all(
          run.storyboards.map(async (planned): Promise<StoryboardOutcomes> => {
            if (!planned.plan) return { planned, outcomes: [] };
            const outcomes = await renderStoryboard(planned.plan, {
              engine,
              backend,
              concurrency,
              schedule,
              force: values.force,
              signal: ctx.signal,
              // Shared with the editor and other runs: an image whose link is still good is not uploaded again.
              upload: (file, field) => images(planned.checked.workspaceRoot).upload(file, field),
              onTask: (video, entry, take) => {
                const name = video.takes.length > 1 ? takeLabel(video, take) : video.name;
                names.set(entry.id, name);
                progress.update(name, journal.get(entry.id) ?? entry);
              },
            });
            return { planned, outcomes };
          }),
        );
      } finally {
        listener.dispose();
        progress.finish();
      }
      if (ctx.signal.aborted) return stopped(ctx, engine);
      return report({ ...base, exitCode: summary(ctx, base.outcomes, plans, simulated) });
    } catch (error) {
      if (ctx.signal.aborted) return stopped(ctx, engine);
      if (isApiError(error)) {
        err(ctx, error.message);
        return report({ ...base, outcomes: noOutcomes(run), exitCode: EXIT_CODES.failed });
      }
      throw error;
    } finally {
      ledger.dispose();
      engine.dispose();
      await engine.idle();
      await backends.close();
    }
  },
});

function finishReport(ctx: CliContext, input: Parameters<typeof renderDocument>[1], json: boolean): ExitCode {
  const document = renderDocument(ctx, input);
  if (ctx.github) {
    const markdown = renderMarkdown(document);
    ctx.github.appendSummary(markdown);
    ctx.github.setOutput('spent-usd', document.total.spent.usd);
    ctx.github.setOutput('rendered', document.counts.rendered);
    ctx.github.setOutput('failed', document.counts.failed + document.counts.downloadPending);
    ctx.github.setOutput('unknown', document.counts.unknown);
    ctx.github.setOutput('estimated-usd', document.total.estimated.usd);
    ctx.github.setOutput('summary', markdown);
  }
  if (json) printDocument(ctx, document);
  return document.exitCode;
}

/** A run that ended before anything was rendered: every video as it was planned. */
function noOutcomes(run: PlannedRun): StoryboardOutcomes[] {
  return run.storyboards.map((planned) => ({ planned, outcomes: [] }));
}

/** At most `limit` pieces of work at once, shared by every storyboard's render. */
function limiter(limit: number): <T>(work: () => Promise<T>) => Promise<T> {
  let active = 0;
  const waiting: Array<() => void> = [];
  return async (work) => {
    if (active >= limit) await new Promise<void>((resolve) => waiting.push(resolve));
    active++;
    try {
      return await work();
    } finally {
      active--;
      waiting.shift()?.();
    }
  };
}

function stopped(ctx: CliContext, engine: TaskEngine): number {
  const running = engine.journal.list().filter((e) => !hasEnded(e) && e.state.status !== 'submitting');
  err(ctx, '');
  err(
    ctx,
    `Stopped watching.${running.length ? ` ${running.length} task${running.length === 1 ? ' is' : 's are'} still under way on the service.` : ''} ` +
      'Run the same command again to resume: nothing paid for is created twice.',
  );
  return stopExitCode(ctx);
}

function summary(ctx: CliContext, results: StoryboardOutcomes[], plans: StoryboardPlan[], simulated: boolean): ExitCode {
  out(ctx);
  const rel = (p: string) => path.relative(ctx.cwd, p) || p;
  const outcomes: VideoOutcome[] = results.flatMap((r) => r.outcomes);
  for (const o of outcomes) {
    switch (o.kind) {
      case 'saved':
        if (o.take !== undefined) out(ctx, `✓ ${o.name} take ${o.take}: ${rel(takePathOf(placeOfEntry({ outputPath: o.outputPath, claim: o.entry.claim }), o.entry.createdAt, o.entry.taskId ?? ''))}`);
        else out(ctx, `✓ ${o.name}: ${rel(o.outputPath)} (sidecar ${rel(sidecarPathOf(placeOfEntry({ outputPath: o.outputPath, claim: o.entry.claim })))})`);
        // "web": the MP4 is fast start either way it can be; the poster needs a decoder the CLI does not have.
        if (o.web?.remuxed) out(ctx, `  ${o.name}: made web-ready (moov before mdat)`);
        if (o.web?.problem) err(ctx, `  ${o.name}: ${o.web.problem}`);
        break;
      case 'up-to-date':
        out(ctx, `= ${o.name}: up to date, ${rel(o.outputPath)}`);
        break;
      case 'failed':
        err(ctx, `✗ ${o.name}: ${o.retryable ? `${asSentence(o.message)} Rendering again may help.` : o.message}`);
        break;
      case 'unknown':
        err(ctx, `? ${o.name}: ${o.message}`);
        break;
      case 'download-pending':
        err(ctx, `↓ ${o.name}: ${o.message}`);
        break;
    }
  }
  const count = (kind: VideoOutcome['kind']) => outcomes.filter((o) => o.kind === kind).length;
  const saved = count('saved');
  const pending = count('download-pending');
  const where = plans.length === 1 ? ` Videos are in ${rel(plans[0]!.outputDir)}.` : '';
  out(ctx, `${saved} rendered, ${count('up-to-date')} up to date${pending ? `, ${pending} download pending` : ''}, ${count('failed')} failed${count('unknown') ? `, ${count('unknown')} outcome unknown` : ''}.${where}`);
  const chosenOf = [...new Set(outcomes.flatMap((o) => (o.kind === 'saved' && o.take !== undefined ? [`${o.name}\u0000${o.outputPath}`] : [])))];
  for (const key of chosenOf) {
    const [name, outputPath] = key.split('\u0000') as [string, string];
    out(ctx, `  ${name}: ${rel(outputPath)} is the take that arrived first; see them all with kling takes, choose with kling use.`);
  }
  if (pending) out(ctx, 'Paid videos still to download: run kling download (nothing is paid again).');
  if (simulated && saved > 0) out(ctx, 'These are simulator placeholders: nothing real was generated or spent.');
  return exitCodeOfOutcomes(outcomes);
}

/** The exit code of a render's outcomes (docs/cli.md, "Exit codes"). */
function exitCodeOfOutcomes(outcomes: readonly VideoOutcome[]): ExitCode {
  let unknown = 0;
  let failed = 0;
  let invalid = 0;
  let refused = 0;
  for (const o of outcomes) {
    if (o.kind === 'unknown' || (o.kind === 'failed' && o.error === 'outcome-unknown')) unknown++;
    else if (o.kind === 'download-pending') failed++;
    else if (o.kind === 'failed') {
      if (o.error === 'auth' || o.error === 'config') invalid++;
      else if (o.error === 'quota' || o.error === 'permission') refused++;
      else failed++;
    }
  }
  if (unknown) return EXIT_CODES.unknown;
  if (failed) return EXIT_CODES.failed;
  if (invalid) return EXIT_CODES.invalid;
  if (refused) return EXIT_CODES.refused;
  return EXIT_CODES.done;
}

function parseTakes(value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const takes = Number(value);
  if (!Number.isInteger(takes) || takes < 1 || takes > MAX_TAKES) throw new UsageError(`--takes must be a whole number from 1 to ${MAX_TAKES}; got ${value}`);
  return takes;
}

/** " (by kling render, process 4242)" for a video another live process is making. */
function underWayBy(state: PlannedVideo['state']): string {
  if (state.kind !== 'in-flight') return '';
  const owner = state.entry.owner;
  if (!owner || livenessOf(owner) === 'gone' || owner.pid === process.pid) return '';
  return ` (by ${owner.tool ?? 'another process'}, process ${owner.pid})`;
}

/** Records left beside up-to-date videos by a storyboard that has since named a "metadata" folder move there. */
async function movedRecordsNote(ctx: CliContext, plans: readonly StoryboardPlan[]): Promise<void> {
  for (const plan of plans) {
    const moved = await adoptPlanRecords(plan);
    if (moved.length) out(ctx, `Moved ${moved.length} record${moved.length === 1 ? '' : 's'} of saved videos into ${path.relative(ctx.cwd, plan.locations.metadataDir) || '.'} (its "metadata" folder).`);
  }
}
