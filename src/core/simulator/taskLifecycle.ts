import type { ElementRequest, VideoRequest } from '../api/apiSchemas';
import type { Amount } from '../pricing/decimal';

/** A task as the simulator keeps it: what was asked, what it costs, and what its life will be. */
export type SimulatedTask = SimulatedTaskBase &
  ({ kind: 'video'; request: VideoRequest; videoSeconds: number } | { kind: 'element'; request: ElementRequest; elementId: string });

interface SimulatedTaskBase {
  id: string;
  model: string;
  /** When it was created, on the simulator's clock (ms). */
  createdMs: number;
  /**
   * Real milliseconds per simulated second when it was created. Kept with the task, so that a task loaded by a
   * simulator running at another speed ends when it was always going to, not earlier or later.
   */
  timeScale: number;
  /** Simulated seconds in the queue, then in processing. */
  queueSeconds: number;
  processingSeconds: number;
  /** The price charged at creation, refunded if the task fails. */
  credits: Amount;
  /** Set when a prompt asked for a failure with `[fail:CODE]`. */
  failureCode: string | undefined;
}

export type TaskPhase =
  | { status: 'pending'; secondsLeft: number }
  | { status: 'processing'; progress: number; secondsLeft: number }
  | { status: 'completed'; atMs: number }
  | { status: 'failed'; atMs: number; progress: number; code: string };

// decided: a failing task fails halfway through processing, so that a client sees it queued and running first,
// as with the service, where a content check can stop a generation at any point.
const FAILURE_POINT = 0.5;

/**
 * Where a task is in its life at `nowMs`. Computed from the elapsed time at each query rather than driven by
 * timers: nothing runs between queries, an injected clock moves every task at once, close() has nothing to stop, and
 * a task loaded from a state file after a restart is wherever the clock says it is.
 */
export function taskPhase(task: SimulatedTask, nowMs: number): TaskPhase {
  const { timeScale } = task;
  const elapsed = Math.max(0, nowMs - task.createdMs) / timeScale;
  const total = task.queueSeconds + task.processingSeconds;
  const progressAt = (seconds: number) =>
    task.processingSeconds > 0 ? Math.min(99, Math.floor((99 * (seconds - task.queueSeconds)) / task.processingSeconds)) : 99;

  if (task.failureCode !== undefined) {
    const failAt = task.queueSeconds + task.processingSeconds * FAILURE_POINT;
    if (elapsed >= failAt) {
      return { status: 'failed', atMs: task.createdMs + failAt * timeScale, progress: progressAt(failAt), code: task.failureCode };
    }
  }
  if (elapsed < task.queueSeconds) return { status: 'pending', secondsLeft: Math.ceil(total - elapsed) };
  if (elapsed < total) {
    return { status: 'processing', progress: Math.max(0, progressAt(elapsed)), secondsLeft: Math.max(1, Math.ceil(total - elapsed)) };
  }
  return { status: 'completed', atMs: task.createdMs + total * timeScale };
}
