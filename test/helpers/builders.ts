import type { Task } from '../../src/core/api/apiSchemas';
import type { JournalEntry } from '../../src/core/journal/taskState';

let counter = 0;

/** A task body as the service sends it (docs/service-contract.md), with the given changes. */
export function aTask(changes: Partial<Task> = {}): Task {
  return {
    id: 'task-unified-1757169743-7cvnl5zw',
    object: 'video.generation.task',
    created: 1757169743,
    model: 'kling-v3-text-to-video',
    type: 'video',
    status: 'pending',
    progress: 0,
    task_info: { can_cancel: true, estimated_time: 300, video_duration: 5 },
    usage: { billing_rule: 'per_second', credits_reserved: 27, user_group: 'default' },
    ...changes,
  };
}

/** A journal entry for a video task that was created at `createdAt`. */
export function anEntry(changes: Partial<JournalEntry> = {}): JournalEntry {
  counter++;
  return {
    id: `job-test-${counter}`,
    kind: 'video',
    label: `video-${counter}`,
    request: { model: 'kling-v3-text-to-video', prompt: 'A dog', duration: 5, aspect_ratio: '16:9', quality: '720p', sound: 'off' },
    requestHash: `sha256:${String(counter).padStart(64, '0')}`,
    price: { seconds: 5, usd: '0.375', credits: '27' },
    backend: { kind: 'simulator' },
    taskId: `task-unified-1757169743-${String(counter).padStart(8, '0')}`,
    state: { status: 'pending' },
    polls: 0,
    createdAt: 1_700_000_000_000,
    updatedAt: 1_700_000_000_000,
    ...changes,
  };
}
