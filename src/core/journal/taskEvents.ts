import type { Task } from '../api/apiSchemas';
import { mayRetryTaskFailure } from '../api/errorTable';
import { taskElementId, taskVideoUrl } from '../api/taskResults';
import type { ProcessOwner } from '../process/processOwner';
import type { JournalEntry, TaskState } from './taskState';

/** Everything that can happen to a task, from the create to the saved file. */
export type TaskEvent =
  /** `generation`: the claim this create was sent under (src/core/claims/claimStore.ts). */
  | { type: 'created'; task: Task; generation?: number | undefined }
  | { type: 'create-lost'; reason: string; generation?: number | undefined }
  | { type: 'polled'; task: Task }
  | { type: 'poll-failed'; message: string }
  /** The service said it has no such task. `final` once that has held long enough (see TaskPoller). */
  | { type: 'not-found'; message: string; final: boolean }
  | { type: 'stalled' }
  /** A fresh look at a finished task for its link, to download its video again (whatever state it was in). */
  | { type: 'refetched'; task: Task }
  | { type: 'download-started'; videoUrl: string }
  | { type: 'download-progress'; receivedBytes: number; totalBytes?: number | undefined }
  | { type: 'downloaded'; filePath: string }
  /** `retryAt`: when to try again (the link is still valid); undefined when there is no point (`linkExpired`). */
  | { type: 'download-failed'; message: string; linkExpired: boolean; retryAt?: number | undefined }
  /** Another process drives this task: its entry (from the claim) is copied, ours keeps its id. */
  | { type: 'mirrored'; from: JournalEntry }
  /**
   * This process now drives the task (its owner was gone). `withoutClaim`: its claim is gone too (the video was saved,
   * or the folder cleared), so there is nothing left to share: the entry stops naming one.
   */
  | { type: 'taken-over'; owner: ProcessOwner; generation?: number | undefined; withoutClaim?: boolean | undefined }
  /** Its sender is gone and never got an answer. */
  | { type: 'sender-lost'; reason: string }
  /** Another process made and saved this very video meanwhile: nothing was created here. */
  | { type: 'found-saved'; taskId: string; filePath: string };

/** The one place a task's state changes (style.md: states are unions, transitions are functions). */
export function applyTaskEvent(entry: JournalEntry, event: TaskEvent, now: number): JournalEntry {
  const next: JournalEntry = { ...entry, updatedAt: now };
  switch (event.type) {
    case 'created':
      if (event.generation !== undefined && entry.claim) next.claim = { ...entry.claim, generation: event.generation };
      next.taskId = event.task.id;
      if (event.task.usage?.credits_reserved !== undefined) next.reportedCredits = event.task.usage.credits_reserved;
      next.state = stateFromTask(entry, event.task);
      delete next.lastError;
      break;
    case 'create-lost':
      if (event.generation !== undefined && entry.claim) next.claim = { ...entry.claim, generation: event.generation };
      next.state = { status: 'unknown', reason: event.reason };
      break;
    case 'polled': {
      next.polls = entry.polls + 1;
      delete next.lastError;
      delete next.notFound;
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
      next.polls = entry.polls + 1;
      if (event.final) {
        next.state = { status: 'expired', reason: event.message };
        delete next.notFound;
      } else {
        next.notFound = { since: entry.notFound?.since ?? now, count: (entry.notFound?.count ?? 0) + 1 };
        next.lastError = event.message;
      }
      break;
    case 'refetched':
      delete next.lastError;
      delete next.notFound;
      delete next.downloadAttempts;
      delete next.nextDownloadAt;
      next.state = stateFromTask(entry, event.task);
      break;
    case 'stalled':
      next.stalled = true;
      break;
    case 'download-started':
      next.state = { status: 'downloading', videoUrl: event.videoUrl, receivedBytes: 0 };
      // A try after failed ones keeps the last failure (the disk is full…) until one succeeds: what to fix stays said.
      if (!entry.downloadAttempts) delete next.lastError;
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
      delete next.downloadAttempts;
      delete next.nextDownloadAt;
      break;
    case 'download-failed':
      if (event.linkExpired) {
        next.state = { status: 'expired', reason: event.message };
        delete next.nextDownloadAt;
      } else {
        const videoUrl = entry.state.status === 'downloading' || entry.state.status === 'completed' ? entry.state.videoUrl : undefined;
        next.state = { status: 'completed', videoUrl };
        next.lastError = event.message;
        next.downloadAttempts = (entry.downloadAttempts ?? 0) + 1;
        if (event.retryAt !== undefined) next.nextDownloadAt = event.retryAt;
        else delete next.nextDownloadAt;
      }
      break;
    case 'mirrored': {
      const from = event.from;
      next.state = from.state;
      next.owner = from.owner;
      next.polls = from.polls;
      for (const key of ['taskId', 'reportedCredits', 'stalled', 'lastError', 'completedAt', 'finishedAt', 'notFound', 'downloadAttempts', 'nextDownloadAt', 'startedBy'] as const) {
        if (from[key] === undefined) delete next[key];
        else (next as Record<string, unknown>)[key] = from[key];
      }
      return next;
    }
    case 'taken-over':
      next.owner = event.owner;
      if (event.withoutClaim) delete next.claim;
      else if (event.generation !== undefined && entry.claim) next.claim = { ...entry.claim, generation: event.generation };
      break;
    case 'sender-lost':
      next.state = { status: 'unknown', reason: event.reason };
      break;
    case 'found-saved':
      next.taskId = event.taskId;
      next.state = { status: 'saved', filePath: event.filePath };
      delete next.lastError;
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
