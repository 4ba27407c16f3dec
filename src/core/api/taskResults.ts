import type { Task } from './apiSchemas';

// Kept apart from the schemas so that code which only reads tasks does not load zod.

/** Result links last 24 hours from the task's completion (docs/service-contract.md, "Query a task"). */
export const RESULT_LINK_TTL_MS = 24 * 3_600_000;

/** The video link of a completed task: `results[0]`, else `result_data[0].video_url` (docs/service-contract.md). */
export function taskVideoUrl(task: Task): string | undefined {
  return task.results?.[0] ?? task.result_data?.[0]?.video_url;
}

/**
 * A created element's id: `result_data[0].element_id`, or `element_id` at any depth of `result_data`
 * (docs/service-contract.md).
 */
export function taskElementId(task: Task): string | undefined {
  const first = (task.result_data?.[0] as Record<string, unknown> | undefined)?.['element_id'];
  if (typeof first === 'string') return first;
  const seen = new Set<unknown>();
  const find = (value: unknown): string | undefined => {
    if (value === null || typeof value !== 'object' || seen.has(value)) return undefined;
    seen.add(value);
    for (const [key, inner] of Object.entries(value)) {
      if (key === 'element_id' && typeof inner === 'string') return inner;
      const found = find(inner);
      if (found) return found;
    }
    return undefined;
  };
  return find(task.result_data);
}
