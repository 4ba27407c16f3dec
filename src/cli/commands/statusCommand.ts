import * as path from 'node:path';
import { isApiError } from '../../core/api/apiError';
import { TASK_ID_PATTERN, type Task } from '../../core/api/apiSchemas';
import { TaskJournal } from '../../core/journal/taskJournal';
import type { JournalEntry } from '../../core/journal/taskState';
import { EXIT_CODES, type ExitCode } from '../../core/report/exitCode';
import type { ReportTask, StatusReport } from '../../core/report/statusReport';
import { CliBackends } from '../cliBackend';
import { BACKEND_OPTIONS, COMMON_HELP, defineCommand } from '../cliCommand';
import { err, out, printDocument, stateDir, UsageError, type CliContext } from '../cliContext';
import { CLI_VERSION } from '../cliVersion';
import { describe } from '../renderProgress';

export const statusCommand = defineCommand({
  name: 'status',
  summary: 'status [TASK]     the tasks in the journal, or what the service says about one task',
  help: `Usage: kling status [TASK_ID] [--json] [--simulator] [--base-url URL]

Without a task id: lists the tasks in this machine's journal (KLING_STATE_DIR), newest last.
With one: asks the service about that task and prints what it says.

  --json         one JSON document on stdout (schemas/kling-status.schema.json; docs/cli.md)
  --simulator    ask the built-in simulator about a task the journal does not know
  --base-url URL the API's base URL (default: KLING_BASE_URL, else https://api.evolink.ai)
${COMMON_HELP}
Exit codes: 0 listed (or the task is not failed), 1 the task failed, 2 bad usage, key or address.`,
  options: { json: { type: 'boolean' }, simulator: BACKEND_OPTIONS.simulator, 'base-url': BACKEND_OPTIONS['base-url'] },
  async run(ctx, args, values) {
    const journal = new TaskJournal(path.join(stateDir(ctx), 'journal.json'));
    const loadProblem = await journal.load();
    if (loadProblem.problem) err(ctx, loadProblem.problem);
    const finish = (exitCode: ExitCode, tasks: JournalEntry[], service?: Task): ExitCode => {
      if (values.json) printDocument(ctx, statusDocument(ctx, exitCode, tasks, service));
      return exitCode;
    };
    if (args.length === 0) {
      const entries = journal.list();
      if (entries.length === 0) out(ctx, 'No tasks in the journal yet.');
      for (const e of entries) {
        const where = e.backend.kind === 'simulator' ? ' [simulator]' : '';
        out(ctx, `${e.taskId ?? '(no task id)'}  ${e.label}${where}  ${describe(e)}  ${new Date(e.createdAt).toISOString()}`);
      }
      return finish(EXIT_CODES.done, entries);
    }
    if (args.length > 1) throw new UsageError('status takes at most one task id');
    const taskId = args[0]!;
    if (!TASK_ID_PATTERN.test(taskId)) throw new UsageError(`${taskId} is not a task id (they look like task-unified-1757169743-7cvnl5zw)`);
    const known = journal.findByTaskId(taskId);
    const backends = new CliBackends(ctx, { baseUrl: values['base-url'] });
    const backend = known?.backend ?? backends.backend(values.simulator === true);
    const refusal = backends.refusal(backend);
    if (refusal) {
      err(ctx, refusal);
      return EXIT_CODES.invalid;
    }
    try {
      const task = await (await backends.clientFor(backend)).getTask(taskId, ctx.signal);
      out(ctx, `${task.id}: ${task.status}${task.progress !== undefined ? ` ${task.progress}%` : ''}`);
      if (task.task_info?.estimated_time !== undefined && task.status !== 'completed') out(ctx, `about ${task.task_info.estimated_time} s left`);
      if (task.results?.[0]) out(ctx, `video: ${task.results[0]}`);
      if (task.error) out(ctx, `error: ${task.error.message} (${task.error.code})`);
      if (known) out(ctx, `journal: ${known.label}, ${describe(known)}`);
      return finish(task.status === 'failed' ? EXIT_CODES.failed : EXIT_CODES.done, known ? [known] : [], task);
    } catch (error) {
      if (isApiError(error) || error instanceof Error) {
        err(ctx, error.message);
        return finish(isApiError(error, 'auth') || isApiError(error, 'config') ? EXIT_CODES.invalid : EXIT_CODES.failed, known ? [known] : []);
      }
      throw error;
    } finally {
      await backends.close();
    }
  },
});

function statusDocument(ctx: CliContext, exitCode: ExitCode, entries: JournalEntry[], task: Task | undefined): StatusReport {
  return {
    command: 'status',
    version: CLI_VERSION,
    exitCode,
    tasks: entries.map((e) => reportTask(ctx, e)),
    ...(task
      ? {
          service: {
            id: task.id,
            status: task.status,
            ...(task.progress !== undefined ? { progress: task.progress } : {}),
            ...(task.task_info?.estimated_time !== undefined ? { etaSeconds: task.task_info.estimated_time } : {}),
            ...(task.results?.[0] ? { videoUrl: task.results[0] } : {}),
            ...(task.error ? { error: { code: task.error.code, message: task.error.message } } : {}),
          },
        }
      : {}),
  };
}

function reportTask(ctx: CliContext, e: JournalEntry): ReportTask {
  const s = e.state;
  const message = s.status === 'failed' ? `${s.message} (${s.code})` : s.status === 'expired' || s.status === 'unknown' ? s.reason : e.lastError;
  return {
    id: e.id,
    ...(e.taskId ? { taskId: e.taskId } : {}),
    kind: e.kind,
    label: e.label,
    status: s.status,
    backend: e.backend.kind,
    ...(s.status === 'processing' ? { progress: s.progress } : {}),
    ...(e.outputPath ? { file: path.relative(ctx.cwd, e.outputPath) || e.outputPath } : {}),
    ...(e.storyboardPath ? { storyboard: path.relative(ctx.cwd, e.storyboardPath) || e.storyboardPath } : {}),
    ...(message ? { message } : {}),
    ...(e.startedBy ? { startedBy: e.startedBy } : {}),
    createdAt: new Date(e.createdAt).toISOString(),
  };
}
