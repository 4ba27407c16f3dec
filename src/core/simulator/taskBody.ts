import { amountToNumber } from '../pricing/decimal';
import type { SimulatedTask, TaskPhase } from './taskLifecycle';

// Messages of failed tasks, in the service's manner. The contract lists the codes but not their messages.
const FAILURE_MESSAGES: Readonly<Record<string, string>> = {
  content_policy_violation: 'The content was flagged by the safety system. Please modify your prompt or images and try again.',
  invalid_parameters: 'The request parameters are invalid for this model.',
  image_dimension_mismatch: 'The image dimensions do not match the requested aspect ratio.',
  image_processing_error: 'The input image could not be processed.',
  request_cancelled: 'The task was cancelled.',
  resource_not_found: 'A referenced resource (image or element) was not found.',
  model_unavailable: 'The model is currently unavailable.',
  generation_timeout: 'The generation timed out. Please try again.',
  quota_exceeded: 'The upstream quota was exceeded. Please try again later.',
  resource_exhausted: 'Upstream resources are exhausted. Please try again later.',
  generation_failed_no_content: 'The generation finished without producing a video.',
  service_error: 'The service encountered an error.',
  service_unavailable: 'The service is temporarily unavailable.',
  upstream_error: 'The upstream provider returned an error.',
  rate_limited: 'The upstream provider rate-limited the request.',
  unknown_error: 'An unknown error occurred.',
};

export function failureMessage(code: string): string {
  return `${FAILURE_MESSAGES[code] ?? `The task failed (${code}).`} (simulated)`;
}

/**
 * The task body of docs/service-contract.md ("Create a task", "Query a task"), field for field: the create answer and a
 * running task carry `task_info` with the time left and `usage`; a finished task carries what the contract's examples
 * show. `videoUrl` is the result link of a completed video task.
 */
export function taskBody(task: SimulatedTask, phase: TaskPhase, videoUrl?: string): Record<string, unknown> {
  const head = {
    id: task.id,
    object: 'video.generation.task',
    created: Math.floor(task.createdMs / 1000),
    model: task.model,
    // decided: elements come from the same endpoint and envelope, so they keep `type: "video"`; the contract has
    // no element example, and a client keyed on another value would learn nothing from it.
    type: 'video',
  };
  switch (phase.status) {
    case 'pending':
    case 'processing':
      return {
        ...head,
        status: phase.status,
        progress: phase.status === 'processing' ? phase.progress : 0,
        task_info: {
          can_cancel: true,
          estimated_time: phase.secondsLeft,
          ...(task.kind === 'video' ? { video_duration: task.videoSeconds } : {}),
        },
        usage: {
          // decided: an element is billed per call, not per second (contract: "billed 1 credit").
          billing_rule: task.kind === 'video' ? 'per_second' : 'per_call',
          credits_reserved: amountToNumber(task.credits),
          user_group: 'default',
        },
      };
    case 'completed':
      if (task.kind === 'element') {
        return { ...head, status: 'completed', progress: 100, result_data: [{ element_id: task.elementId }], task_info: { can_cancel: false } };
      }
      return {
        ...head,
        status: 'completed',
        progress: 100,
        results: [videoUrl],
        result_data: [{ video_url: videoUrl, duration: task.videoSeconds }],
        task_info: { can_cancel: false },
      };
    case 'failed':
      return {
        ...head,
        status: 'failed',
        progress: phase.progress,
        error: { code: phase.code, message: failureMessage(phase.code) },
        task_info: { can_cancel: false },
      };
  }
}
