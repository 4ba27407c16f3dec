import type { Task } from '../api/apiSchemas';
import { mayRetryTaskFailure } from '../api/errorTable';
import { taskElementId, taskVideoUrl } from '../api/taskResults';
import type { JournalEntry, TaskState } from './taskState';

/** Everything that can happen to a task, from the create to the saved file. */
export type TaskEvent =
  | { type: 'created'; task: Task }
  | { type: 'create-lost'; reason: string }
  | { type: 'polled'; task: Task }
  | { type: 'poll-failed'; message: string }
  | { type: 'not-found'; message: string }
  | { type: 'stalled' }
  | { type: 'download-started'; videoUrl: string }
  | { type: 'download-progress'; receivedBytes: number; totalBytes?: number | undefined }
  | { type: 'downloaded'; filePath: string }
  | { type: 'download-failed'; message: string; linkExpired: boolean };

/** The one place a task's state changes (style.md: states are unions, transitions are functions). */
export function applyTaskEvent(entry: JournalEntry, event: TaskEvent, now: number): JournalEntry {
  const next: JournalEntry = { ...entry, updatedAt: now };
  switch (event.type) {
    case 'created':
      next.taskId = event.task.id;
      if (event.task.usage?.credits_reserved !== undefined) next.reportedCredits = event.task.usage.credits_reserved;
      next.state = stateFromTask(entry, event.task);
      delete next.lastError;
      break;
    case 'create-lost':
      next.state = { status: 'unknown', reason: event.reason };
      break;
    case 'polled': {
      next.polls = entry.polls + 1;
      delete next.lastError;
      // A task we are already downloading or have saved stays so: the service only repeats "completed".
      if (entry.state.status === 'downloading' || entry.state.status === 'saved') break;
      next.state = stateFromTask(entry, event.task);
      break;
    }
    case 'poll-failed':
      next.polls = entry.polls + 1;
      next.lastError = event.message;
      break;
    case 'not-found':
      next.state = { status: 'expired', reason: event.message };
      break;
    case 'stalled':
      next.stalled = true;
      break;
    case 'download-started':
      next.state = { status: 'downloading', videoUrl: event.videoUrl, receivedBytes: 0 };
      delete next.lastError;
      break;
    case 'download-progress':
      if (entry.state.status === 'downloading') {
        next.state = { ...entry.state, receivedBytes: event.receivedBytes, totalBytes: event.totalBytes };
      }
      break;
    case 'downloaded':
      next.state = { status: 'saved', filePath: event.filePath };
      delete next.lastError;
      delete next.stalled;
      break;
    case 'download-failed':
      if (event.linkExpired) {
        next.state = { status: 'expired', reason: event.message };
      } else {
        const videoUrl = entry.state.status === 'downloading' || entry.state.status === 'completed' ? entry.state.videoUrl : undefined;
        next.state = { status: 'completed', videoUrl };
        next.lastError = event.message;
      }
      break;
  }
  if (next.state.status === 'completed' && entry.state.status !== 'completed' && !entry.completedAt) next.completedAt = now;
  if (isEnd(next.state) && !entry.finishedAt) next.finishedAt = now;
  return next;
}

function isEnd(state: TaskState): boolean {
  return state.status === 'saved' || state.status === 'failed' || state.status === 'expired' || (state.status === 'completed' && state.elementId !== undefined);
}

function stateFromTask(entry: JournalEntry, task: Task): TaskState {
  switch (task.status) {
    case 'pending':
      return { status: 'pending' };
    case 'processing':
      return { status: 'processing', progress: clampProgress(task.progress), etaSeconds: task.task_info?.estimated_time };
    case 'completed': {
      if (entry.kind === 'element') {
        const elementId = taskElementId(task);
        return elementId
          ? { status: 'completed', elementId }
          : { status: 'failed', code: 'missing_element_id', message: 'The element task completed without an element_id.', retryable: true };
      }
      const videoUrl = taskVideoUrl(task);
      return videoUrl
        ? { status: 'completed', videoUrl }
        : { status: 'failed', code: 'missing_result', message: 'The task completed without a video link.', retryable: true };
    }
    case 'failed': {
      const code = task.error?.code ?? 'unknown_error';
      return { status: 'failed', code, message: task.error?.message || 'The task failed without a message.', retryable: mayRetryTaskFailure(code) };
    }
    default:
      // Never mistaken for "still running": shown as it is, and polled until it becomes something we know.
      return { status: 'unknown', reason: `the service reported a status this version does not know: "${task.status}"` };
  }
}

const clampProgress = (progress: number | undefined) => Math.max(0, Math.min(100, Math.round(progress ?? 0)));
