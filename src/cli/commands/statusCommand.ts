import * as path from 'node:path';
import { isApiError } from '../../core/api/apiError';
import { TaskJournal } from '../../core/journal/taskJournal';
import { TASK_ID_PATTERN } from '../../core/api/apiSchemas';
import { CliBackends } from '../cliBackend';
import { err, out, stateDir, UsageError, type CliContext } from '../cliContext';
import { describe } from '../renderProgress';

export const STATUS_HELP = `Usage: kling status [TASK_ID] [--simulator] [--base-url URL]

Without a task id: lists the tasks in this machine's journal (KLING_STATE_DIR), newest last.
With one: asks the service about that task and prints what it says.`;

export async function statusCommand(ctx: CliContext, args: string[], flags: { simulator?: boolean | undefined; baseUrl?: string | undefined }): Promise<number> {
  const journal = new TaskJournal(path.join(stateDir(ctx), 'journal.json'));
  const loadProblem = await journal.load();
  if (loadProblem.problem) err(ctx, loadProblem.problem);
  if (args.length === 0) {
    const entries = journal.list();
    if (entries.length === 0) {
      out(ctx, 'No tasks in the journal yet.');
      return 0;
    }
    for (const e of entries) {
      const where = e.backend.kind === 'simulator' ? ' [simulator]' : '';
      out(ctx, `${e.taskId ?? '(no task id)'}  ${e.label}${where}  ${describe(e)}  ${new Date(e.createdAt).toISOString()}`);
    }
    return 0;
  }
  if (args.length > 1) throw new UsageError('status takes at most one task id');
  const taskId = args[0]!;
  if (!TASK_ID_PATTERN.test(taskId)) throw new UsageError(`${taskId} is not a task id (they look like task-unified-1757169743-7cvnl5zw)`);
  const known = journal.findByTaskId(taskId);
  const backends = new CliBackends(ctx, { baseUrl: flags.baseUrl });
  const backend = known?.backend ?? backends.backend(flags.simulator === true);
  const refusal = backends.refusal(backend);
  if (refusal) {
    err(ctx, refusal);
    return 2;
  }
  try {
    const task = await (await backends.clientFor(backend)).getTask(taskId, ctx.signal);
    out(ctx, `${task.id}: ${task.status}${task.progress !== undefined ? ` ${task.progress}%` : ''}`);
    if (task.task_info?.estimated_time !== undefined && task.status !== 'completed') out(ctx, `about ${task.task_info.estimated_time} s left`);
    if (task.results?.[0]) out(ctx, `video: ${task.results[0]}`);
    if (task.error) out(ctx, `error: ${task.error.message} (${task.error.code})`);
    if (known) out(ctx, `journal: ${known.label}, ${describe(known)}`);
    return task.status === 'failed' ? 1 : 0;
  } catch (error) {
    if (isApiError(error) || error instanceof Error) {
      err(ctx, error.message);
      return 1;
    }
    throw error;
  } finally {
    await backends.close();
  }
}
