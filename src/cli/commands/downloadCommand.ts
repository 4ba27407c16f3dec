import * as path from 'node:path';
import { TASK_ID_PATTERN } from '../../core/api/apiSchemas';
import { RESULT_LINK_TTL_MS } from '../../core/api/taskResults';
import { listClaims, videoClaimRef } from '../../core/claims/claimStore';
import { findStoryboardFiles, locateVideo, storyboardLocationsOf } from '../../core/records/locateVideo';
import { TaskJournal } from '../../core/journal/taskJournal';
import { isDownloadPending, type JournalEntry } from '../../core/journal/taskState';
import { formatAmount } from '../../core/pricing/decimal';
import { planStoryboard } from '../../core/render/storyboardPlan';
import { STORYBOARD_SUFFIX } from '../../core/storyboard/storyboardSchema';
import { pollPolicyFor } from '../../core/tasks/pollPolicyFor';
import { NotCreatedError, TaskEngine } from '../../core/tasks/taskEngine';
import { EXIT_CODES, type ExitCode } from '../../core/report/exitCode';
import type { DownloadReport } from '../../core/report/downloadReport';
import { CliBackends } from '../cliBackend';
import { BACKEND_OPTIONS, COMMON_HELP, defineCommand } from '../cliCommand';
import { err, out, printDocument, stateDir, UsageError, type CliContext } from '../cliContext';
import { CLI_VERSION } from '../cliVersion';
import { loadStoryboard, storyboardSearchRoot } from '../loadStoryboard';
import { downloadMarkdown } from '../reports/downloadMarkdown';
import { errorText } from '../../core/text/errorText';

export const downloadCommand = defineCommand({
  name: 'download',
  summary: 'download [TASK|FILE…]  fetch videos that are paid for but not saved (nothing is paid again)',
  help: `Usage: kling download [TASK_ID… | FILE…] [--json] [--simulator] [--base-url URL] [--root DIR]

Fetches videos that were paid for but are not saved: a download that failed (the disk was full, the CDN was
down), a render stopped before its videos landed, or a saved video that was deleted while its link still works
(result links last 24 hours). Nothing is created or paid for again.

  (nothing)        every video in the journal whose download is pending
  TASK_ID          that task (task-unified-…), from the journal; or a task you found in the service's task
                   list after a create whose outcome was unknown: it is given to that video (when several
                   are unknown, name the video after the id: kling download TASK_ID out/hero.mp4)
  FILE.kling.json  the videos of that storyboard that are paid for and not saved
  FILE.mp4         that video (its journal entry, or the claim beside it)

  --json           one JSON document on stdout (schemas/kling-download.schema.json; docs/cli.md)
  --simulator      the videos were made on the built-in simulator
  --base-url URL   the API's base URL (default: KLING_BASE_URL, else https://api.evolink.ai)
  --root DIR       the workspace folder paths must stay in
  --verbose        log each request (never the key)
${COMMON_HELP}

Exit codes: 0 every video asked for is saved, 1 some could not be (the reason is printed), 2 bad input.
Environment: KLING_API_KEY, KLING_BASE_URL, KLING_STATE_DIR (where the journal is kept).`,
  options: { ...BACKEND_OPTIONS, json: { type: 'boolean' }, root: { type: 'string' } },
  run: (ctx, args, values) => download(ctx, args, { simulator: values.simulator, baseUrl: values['base-url'], root: values.root, verbose: values.verbose, json: values.json }),
});

export interface DownloadFlags {
  simulator?: boolean | undefined;
  baseUrl?: string | undefined;
  root?: string | undefined;
  verbose?: boolean | undefined;
  json?: boolean | undefined;
}

async function download(ctx: CliContext, args: string[], flags: DownloadFlags): Promise<number> {
  const journal = new TaskJournal(path.join(stateDir(ctx), 'journal.json'));
  const loadProblem = await journal.load();
  if (loadProblem.problem) err(ctx, loadProblem.problem);
  const backends = new CliBackends(ctx, { baseUrl: flags.baseUrl, verbose: flags.verbose });
  const simulated = flags.simulator === true || journal.list().some((e) => e.backend.kind === 'simulator');
  const timeScale = simulated ? (await backends.startSimulator()).timeScale : 1000;
  const engine = new TaskEngine({ journal, ...backends.engineDeps(), pollPolicy: (e) => pollPolicyFor(e.backend.kind === 'simulator' ? timeScale : 1000), tool: 'kling download' });
  const report: DownloadReport = { command: 'download', version: CLI_VERSION, exitCode: EXIT_CODES.done, videos: [] };
  const finish = (exitCode: ExitCode): ExitCode => {
    report.exitCode = exitCode;
    if (ctx.github) {
      const markdown = downloadMarkdown(report);
      ctx.github.appendSummary(markdown);
      ctx.github.setOutput('failed', report.videos.filter((v) => v.state === 'failed').length);
      ctx.github.setOutput('summary', markdown);
    }
    if (flags.json) printDocument(ctx, report);
    return exitCode;
  };
  try {
    await engine.start();
    const targets = new Map<string, JournalEntry>();
    const add = (entry: JournalEntry | undefined) => entry && targets.set(entry.id, entry);
    if (args.length === 0) {
      journal.list().filter((e) => wanted(e)).forEach(add);
      if (targets.size === 0) {
        out(ctx, 'No download is pending: every paid video in the journal is saved (or its link has expired).');
        return finish(EXIT_CODES.done);
      }
    }
    for (let i = 0; i < args.length; i++) {
      const arg = args[i]!;
      if (TASK_ID_PATTERN.test(arg)) {
        const entry = journal.findByTaskId(arg);
        if (entry) {
          add(entry);
          continue;
        }
        const next = args[i + 1];
        const video = next !== undefined && !TASK_ID_PATTERN.test(next) && !next.endsWith(STORYBOARD_SUFFIX) ? path.resolve(ctx.cwd, next) : undefined;
        if (video) i++;
        add(await attachFoundTask(ctx, engine, arg, video));
      } else if (arg.endsWith(STORYBOARD_SUFFIX)) {
        for (const entry of await storyboardTargets(ctx, engine, backends, arg, flags)) add(entry);
      } else {
        const found = await videoTargets(engine, path.resolve(ctx.cwd, arg), storyboardSearchRoot(ctx, path.resolve(ctx.cwd, arg), flags.root));
        if (found.length === 0) throw new UsageError(`${arg}: no paid task is known for this file (not in the journal, no claim beside it)`);
        found.forEach(add);
      }
    }
    const refused = new Map<string, string>();
    await Promise.all(
      [...targets.values()].map((entry) =>
        engine.downloadAgain(entry.id).catch((error: unknown) => refused.set(entry.id, errorText(error))),
      ),
    );
    const ended = await engine.waitFor([...targets.keys()], ctx.signal);
    let failures = 0;
    for (const entry of ended) {
      const s = entry.state;
      const taskId = entry.taskId ? { taskId: entry.taskId } : {};
      if (s.status === 'saved') {
        const file = path.relative(ctx.cwd, s.filePath) || s.filePath;
        out(ctx, `✓ ${entry.label}: ${file}`);
        report.videos.push({ label: entry.label, ...taskId, state: 'saved', file });
        continue;
      }
      failures++;
      const message = refused.get(entry.id) ?? (s.status === 'expired' ? s.reason : entry.lastError ?? `it is ${s.status}`);
      err(ctx, `✗ ${entry.label}: ${message}`);
      report.videos.push({ label: entry.label, ...taskId, state: 'failed', message });
    }
    return finish(failures > 0 ? EXIT_CODES.failed : EXIT_CODES.done);
  } finally {
    engine.dispose();
    await engine.idle();
    await backends.close();
  }
}

/**
 * A task id the journal does not have: the task a create with an unknown outcome made, found by the user in the
 * service's task list. It goes to the one such create (or the one for `video`); the engine checks the service knows it.
 */
async function attachFoundTask(ctx: CliContext, engine: TaskEngine, taskId: string, video: string | undefined): Promise<JournalEntry | undefined> {
  const unknown = engine.journal.list().filter((e) => e.kind === 'video' && e.taskId === undefined && e.state.status === 'unknown' && (video === undefined || e.outputPath === video));
  const where = (e: JournalEntry) => (e.outputPath ? path.relative(ctx.cwd, e.outputPath) || e.outputPath : e.label);
  if (unknown.length === 0) {
    throw new UsageError(
      video
        ? `${path.relative(ctx.cwd, video) || video}: no create with an unknown outcome is recorded for this file, so task ${taskId} cannot be given to it`
        : `task ${taskId} is not in the journal (${engine.journal.filePath}), and no create with an unknown outcome is waiting for its task; name its video file or storyboard instead`,
    );
  }
  if (unknown.length > 1) {
    throw new UsageError(`task ${taskId} is not in the journal, and ${unknown.length} creates have an unknown outcome (${unknown.map(where).join(', ')}); name the video it made after the id: kling download ${taskId} ${where(unknown[0]!)}`);
  }
  const entry = unknown[0]!;
  try {
    const attached = await engine.attachTask(entry.id, taskId);
    err(ctx, `${entry.label}: task ${taskId} is the one its create made; fetching it (nothing is created)`);
    return attached;
  } catch (error) {
    throw new UsageError(`${where(entry)}: ${errorText(error)}`);
  }
}

/** Paid for, not saved, and its link may still work. */
function wanted(entry: JournalEntry): boolean {
  if (entry.kind !== 'video' || entry.taskId === undefined) return false;
  const linkValid = entry.completedAt === undefined || entry.completedAt + RESULT_LINK_TTL_MS > Date.now();
  return linkValid && (isDownloadPending(entry) || entry.state.status === 'downloading');
}

async function storyboardTargets(ctx: CliContext, engine: TaskEngine, backends: CliBackends, file: string, flags: DownloadFlags): Promise<JournalEntry[]> {
  const loaded = await loadStoryboard(ctx, file, flags.root);
  if (!loaded) throw new UsageError(`${file} has problems to fix first`);
  const backend = backends.backend(flags.simulator === true);
  const plan = await planStoryboard(loaded.storyboard, { storyboardPath: loaded.storyboardPath, journal: engine.journal.list(), backend });
  const entries: JournalEntry[] = [];
  for (const video of plan.videos) {
    if (video.state.kind !== 'in-flight') continue;
    try {
      entries.push(
        await engine.submit(
          {
            kind: 'video',
            label: video.name,
            request: video.hashedRequest,
            requestHash: video.requestHash,
            price: { seconds: video.price.seconds, usd: formatAmount(video.price.usd), credits: formatAmount(video.price.credits) },
            backend,
            storyboardPath: plan.storyboardPath,
            videoName: video.name,
            outputPath: video.outputPath,
            claim: videoClaimRef(video.place, video.requestHash, backend),
          },
          { mayCreate: false },
        ),
      );
    } catch (error) {
      if (!(error instanceof NotCreatedError)) throw error;
    }
  }
  if (entries.length === 0) out(ctx, `${file}: no video of it is paid for and waiting to be saved.`);
  return entries;
}

async function videoTargets(engine: TaskEngine, videoPath: string, searchRoot: string): Promise<JournalEntry[]> {
  const fromJournal = engine.journal
    .list()
    .filter((e) => e.outputPath === videoPath && e.taskId !== undefined)
    .sort((a, b) => b.createdAt - a.createdAt);
  if (fromJournal[0]) return [fromJournal[0]];
  // Its claims are in its records folder: the metadata folder of a storyboard that outputs here, else beside it.
  const place = locateVideo(videoPath, await storyboardLocationsOf(await findStoryboardFiles(searchRoot)));
  const claims = (await listClaims(place.recordsDir)).filter(({ claim }) => claim.entry.outputPath === videoPath && claim.entry.taskId !== undefined);
  const found: JournalEntry[] = [];
  for (const { ref, claim } of claims) {
    const entry = await engine.submit(
      { ...claim.entry, request: claim.entry.request as never, claim: ref, outputPath: videoPath },
      { mayCreate: false },
    ).catch(() => undefined);
    if (entry) found.push(entry);
  }
  return found;
}
