import * as path from 'node:path';
import { isApiError } from '../../core/api/apiError';
import { TaskJournal } from '../../core/journal/taskJournal';
import { formatAmount, formatUsd } from '../../core/pricing/decimal';
import { readKnownElements, renderStoryboard, takeLabel, type VideoOutcome } from '../../core/render/renderStoryboard';
import { planStoryboard, type PlannedVideo } from '../../core/render/storyboardPlan';
import { livenessOf } from '../../core/process/processOwner';
import { storyboardOutputDir } from '../../core/storyboard/validateStoryboard';
import { MAX_TAKES, takePathOf } from '../../core/takes/takeLayout';
import { TaskEngine } from '../../core/tasks/taskEngine';
import { pollPolicyFor } from '../../core/tasks/pollPolicyFor';
import { CliBackends } from '../cliBackend';
import { confirm, err, isInteractive, out, stateDir, stopExitCode, UsageError, type CliContext } from '../cliContext';
import { loadStoryboard } from '../loadStoryboard';
import { printOutgoing } from '../printOutgoing';
import { RenderProgress } from '../renderProgress';
import { printPlanTable } from './estimateCommand';

export const RENDER_HELP = `Usage: kling render FILE [--only NAME…] [--force] [--takes N] [--yes] [--concurrency N] [--simulator]

Renders the videos of a storyboard: validates it, shows the price and asks before spending, creates the tasks,
shows their progress, downloads each video with its sidecar (<name>.mp4.json) and prints where they are.
Videos whose result is up to date are skipped. Exits 1 if any video failed.

Ctrl-C (exit 130) or SIGTERM (exit 143) stops watching but keeps the journal: run the same command again to
resume. A paid task is never created twice. A second Ctrl-C leaves at once.

  --only NAME      render only this video (repeatable)
  --force          render even videos that are up to date
  --takes N        make N takes (1 to 4) of each video to render, each paid for; the first to arrive is used
  --yes            do not ask before spending (required without a terminal)
  --concurrency N  at most N videos in flight at once (default 4)
  --simulator      use the built-in simulator: nothing real is generated or spent
  --base-url URL   the API's base URL (default: KLING_BASE_URL, else https://api.evolink.ai)
  --root DIR       the workspace folder paths must stay in
  --verbose        log each request (never the key)

Environment: KLING_API_KEY (your key), KLING_BASE_URL, KLING_STATE_DIR (where the journal is kept).`;

export interface RenderFlags {
  only?: string[] | undefined;
  force?: boolean | undefined;
  yes?: boolean | undefined;
  concurrency?: string | undefined;
  simulator?: boolean | undefined;
  baseUrl?: string | undefined;
  root?: string | undefined;
  verbose?: boolean | undefined;
  takes?: string | undefined;
}

export async function renderCommand(ctx: CliContext, files: string[], flags: RenderFlags): Promise<number> {
  if (files.length !== 1) throw new UsageError('render takes one storyboard file');
  const concurrency = flags.concurrency === undefined ? 4 : Number(flags.concurrency);
  if (!Number.isInteger(concurrency) || concurrency < 1) throw new UsageError(`--concurrency must be a whole number of at least 1; got ${flags.concurrency}`);
  const takes = parseTakes(flags.takes);
  const loaded = await loadStoryboard(ctx, files[0]!, flags.root);
  if (!loaded) return 1;
  const unknownNames = (flags.only ?? []).filter((name) => !loaded.storyboard.videos.some((v) => v.name === name));
  if (unknownNames.length) throw new UsageError(`--only names no video of this storyboard: ${unknownNames.join(', ')}`);

  const backends = new CliBackends(ctx, { baseUrl: flags.baseUrl, verbose: flags.verbose });
  let simulated = flags.simulator === true;
  if (!simulated && !backends.apiKey) {
    if (!isInteractive(ctx)) {
      err(ctx, 'KLING_API_KEY is not set. Export your API key, or add --simulator to try with the built-in simulator (nothing real is generated or spent).');
      return 2;
    }
    simulated = await confirm(ctx, 'KLING_API_KEY is not set. Render with the built-in simulator instead? Nothing real is generated or spent.', true);
    if (!simulated) {
      err(ctx, 'Nothing rendered. Set KLING_API_KEY to render with the Kling API.');
      return 2;
    }
  }
  if (simulated) out(ctx, 'Using the built-in simulator: the videos are placeholders, and nothing real is generated or spent.');
  const refusal = backends.refusal(backends.backend(simulated));
  if (refusal) {
    err(ctx, refusal);
    return 2;
  }

  const journal = new TaskJournal(path.join(stateDir(ctx), 'journal.json'));
  const loadProblem = await journal.load();
  if (loadProblem.problem) err(ctx, loadProblem.problem);
  const backend = backends.backend(simulated);
  const timeScale = simulated ? (await backends.startSimulator()).timeScale : 1000;
  const engine = new TaskEngine({ journal, clientFor: backends.clientFor, pollPolicy: pollPolicyFor(timeScale), tool: 'kling render' });

  try {
    await engine.start();
    const plan = await planStoryboard(loaded.storyboard, {
      storyboardPath: loaded.storyboardPath,
      workspaceRoot: loaded.workspaceRoot,
      only: flags.only,
      force: flags.force,
      journal: journal.list(),
      backend,
      knownElements: await readKnownElements(storyboardOutputDir(loaded.storyboardPath, loaded.storyboard), backend),
      takes,
    });
    printPlanTable(ctx, plan, true);
    const toRender = plan.videos.filter((v) => v.state.kind === 'to-render');
    const resuming = plan.videos.filter((v) => v.state.kind === 'in-flight');
    if (toRender.length === 0 && resuming.length === 0) {
      const unknown = plan.videos.filter((v) => v.state.kind === 'unknown-outcome');
      if (unknown.length) {
        for (const v of unknown) err(ctx, `? ${v.name}: ${v.state.kind === 'unknown-outcome' && v.state.entry.state.status === 'unknown' ? v.state.entry.state.reason : 'an earlier create got no answer'}.`);
        err(ctx, `Nothing was sent again. Check the service's task list (or kling status), then render with --force to create ${unknown.length === 1 ? 'it' : 'them'} anew (which may pay twice).`);
        return 1;
      }
      out(ctx, `Everything is up to date in ${path.relative(ctx.cwd, plan.outputDir) || '.'}: nothing to render, nothing spent.`);
      return 0;
    }
    if (toRender.length > 0) {
      printOutgoing(ctx, plan, toRender);
      const price = `${formatUsd(plan.cost.usd)} (${formatAmount(plan.cost.credits)} credits)`;
      const newElements = plan.elements.filter((e) => e.elementId === undefined).length;
      const takeCount = toRender.reduce((n, v) => n + v.takes.filter((t) => t.state.kind === 'to-render').length, 0);
      const what = `${toRender.length} video${toRender.length === 1 ? '' : 's'}${takeCount > toRender.length ? ` (${takeCount} takes)` : ''}${newElements ? ` and ${newElements} element${newElements === 1 ? '' : 's'}` : ''}`;
      const spend = simulated ? `Render ${what} on the simulator (would cost ${price}; nothing is spent)?` : `Spend ${price} on ${what}?`;
      if (!flags.yes) {
        if (!isInteractive(ctx)) {
          err(ctx, `${spend} Not without a terminal to ask on: add --yes to accept the price.`);
          return 2;
        }
        if (!(await confirm(ctx, spend))) {
          out(ctx, 'Nothing rendered, nothing spent.');
          return ctx.signal.aborted ? stopExitCode(ctx) : 0;
        }
      } else {
        out(ctx, simulated ? `Rendering ${what} on the simulator.` : `Spending ${price} on ${what}.`);
      }
    }
    if (resuming.length) out(ctx, `Resuming ${resuming.map((v) => `${v.name}${underWayBy(v.state)}`).join(', ')} (already under way; not created again).`);

    const progress = new RenderProgress(ctx, plan.videos.flatMap((v) => (v.takes.length > 1 ? v.takes.map((t) => takeLabel(v, t.take)) : [v.name])));
    const names = new Map<string, string>();
    const listener = journal.onDidChange((entry) => {
      const name = entry && names.get(entry.id);
      if (entry && name) progress.update(name, entry);
    });
    let outcomes: VideoOutcome[];
    try {
      outcomes = await renderStoryboard(plan, {
        engine,
        backend,
        concurrency,
        force: flags.force,
        signal: ctx.signal,
        upload: async (file) => (await backends.clientFor(backend)).uploadFile(file, { root: loaded.workspaceRoot, signal: ctx.signal }),
        onTask: (video, entry, take) => {
          const name = video.takes.length > 1 ? takeLabel(video, take) : video.name;
          names.set(entry.id, name);
          progress.update(name, journal.get(entry.id) ?? entry);
        },
      });
    } finally {
      listener.dispose();
      progress.finish();
    }
    if (ctx.signal.aborted) return stopped(ctx, engine);
    return summary(ctx, outcomes, plan.outputDir, simulated);
  } catch (error) {
    if (ctx.signal.aborted) return stopped(ctx, engine);
    if (isApiError(error)) {
      err(ctx, error.message);
      return 1;
    }
    throw error;
  } finally {
    engine.dispose();
    await engine.idle();
    await backends.close();
  }
}

function stopped(ctx: CliContext, engine: TaskEngine): number {
  const running = engine.journal.list().filter((e) => e.state.status === 'pending' || e.state.status === 'processing' || e.state.status === 'downloading');
  err(ctx, '');
  err(
    ctx,
    `Stopped watching.${running.length ? ` ${running.length} task${running.length === 1 ? ' is' : 's are'} still under way on the service.` : ''} ` +
      'Run the same command again to resume: nothing paid for is created twice.',
  );
  return stopExitCode(ctx);
}

function summary(ctx: CliContext, outcomes: VideoOutcome[], outputDir: string, simulated: boolean): number {
  out(ctx);
  const rel = (p: string) => path.relative(ctx.cwd, p) || p;
  let failed = 0;
  let pending = 0;
  for (const o of outcomes) {
    switch (o.kind) {
      case 'saved':
        if (o.take !== undefined) out(ctx, `✓ ${o.name} take ${o.take}: ${rel(takePathOf(o.outputPath, o.entry.createdAt, o.entry.taskId ?? ''))}`);
        else out(ctx, `✓ ${o.name}: ${rel(o.outputPath)} (sidecar ${rel(o.outputPath)}.json)`);
        break;
      case 'up-to-date':
        out(ctx, `= ${o.name}: up to date, ${rel(o.outputPath)}`);
        break;
      case 'failed':
        failed++;
        err(ctx, `✗ ${o.name}: ${o.message}${o.retryable ? ' Rendering again may help.' : ''}`);
        break;
      case 'unknown':
        failed++;
        err(ctx, `? ${o.name}: ${o.message}`);
        break;
      case 'download-pending':
        pending++;
        err(ctx, `↓ ${o.name}: ${o.message}`);
        break;
    }
  }
  const chosenOf = [...new Set(outcomes.filter((o) => o.kind === 'saved' && o.take !== undefined).map((o) => o.name))];
  for (const name of chosenOf) out(ctx, `  ${name}: ${rel(path.join(outputDir, `${name}.mp4`))} is the take that arrived first; see them all with kling takes, choose with kling use.`);
  const saved = outcomes.filter((o) => o.kind === 'saved').length;
  const pendingText = pending ? `, ${pending} download pending` : '';
  out(ctx, `${saved} rendered, ${outcomes.filter((o) => o.kind === 'up-to-date').length} up to date${pendingText}, ${failed} failed. Videos are in ${rel(outputDir)}.`);
  if (simulated && saved > 0) out(ctx, 'These are simulator placeholders: nothing real was generated or spent.');
  return failed > 0 || pending > 0 ? 1 : 0;
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
