import * as z from 'zod/mini';
import { ElementUse } from '../elements/elementUse';
import { ProcessOwner } from '../process/processOwner';
import { UploadRecord } from '../uploads/uploadRecord';

// The journal's shapes. Written with zod's mini API on purpose: the editor reads the journal while it activates,
// and the classic API weighs 450 KB there (docs/architecture.md, "Two editor bundles").

export const TaskState = z.discriminatedUnion('status', [
  /** The create is being sent; if this is still the state after a restart, its outcome is unknown. */
  z.object({ status: z.literal('submitting') }),
  /** A create whose answer was lost: a task may exist and be charged. Never sent again on our own. */
  z.object({ status: z.literal('unknown'), reason: z.string() }),
  z.object({ status: z.literal('pending') }),
  z.object({ status: z.literal('processing'), progress: z.number(), etaSeconds: z.optional(z.number()) }),
  /** Finished on the service: a video waits to be downloaded; an element has its id. */
  z.object({ status: z.literal('completed'), videoUrl: z.optional(z.string()), elementId: z.optional(z.string()) }),
  z.object({ status: z.literal('downloading'), videoUrl: z.string(), receivedBytes: z.number(), totalBytes: z.optional(z.number()) }),
  z.object({ status: z.literal('saved'), filePath: z.string() }),
  z.object({ status: z.literal('failed'), code: z.string(), message: z.string(), retryable: z.boolean() }),
  /** The result can no longer be had: the link expired or the service forgot the task. */
  z.object({ status: z.literal('expired'), reason: z.string() }),
]);
export type TaskState = z.infer<typeof TaskState>;
export type TaskStatus = TaskState['status'];

export const Money = z.object({ seconds: z.number(), usd: z.string(), credits: z.string() });


/**
 * Where a task is made: the real service (at its base URL) or the simulator (whose address changes between runs).
 * The one definition of a backend: the journal, claims, element records, the engine and the editor all use it.
 */
export const Backend = z.object({ kind: z.enum(['api', 'simulator']), baseUrl: z.optional(z.string()) });
export type Backend = z.infer<typeof Backend>;

export const JournalEntry = z.object({
  /** Ours, known before the service gives a task id. */
  id: z.string(),
  kind: z.enum(['video', 'element']),
  /** What the user calls it: the storyboard video's name, or the start of the prompt. */
  label: z.string(),
  /** The create body exactly as sent (validated by the API schemas when it is built). */
  request: z.record(z.string(), z.unknown()),
  requestHash: z.string(),
  price: Money,
  /** Where the task was created: the real service or the simulator (whose address changes between runs). */
  backend: Backend,
  storyboardPath: z.optional(z.string()),
  videoName: z.optional(z.string()),
  elementName: z.optional(z.string()),
  /** Where the video is saved, with its sidecar beside it. */
  outputPath: z.optional(z.string()),
  /** The local images uploaded for it, with their sources: Retry uploads an expired one again, from its source. */
  uploads: z.optional(z.array(UploadRecord)),
  /** The elements it names, in `element_list` order, with their names. */
  elements: z.optional(z.array(ElementUse)),
  /** The process that drives the task (sends it, polls it, downloads it); absent in journals of older versions. */
  owner: z.optional(ProcessOwner),
  /** What started it, for people: "kling render", "VS Code". Kept when another process takes the task over. */
  startedBy: z.optional(z.string()),
  /** The claim beside the result that every process checks before creating (src/core/claims/claimStore.ts). */
  claim: z.optional(z.object({ dir: z.string(), key: z.string(), generation: z.number() })),
  /** Polls that found no such task, since when: one stray 404 does not abandon a paid task. */
  notFound: z.optional(z.object({ since: z.number(), count: z.number() })),
  /** Failed downloads of a completed task so far, and when the next one is due. */
  downloadAttempts: z.optional(z.number()),
  nextDownloadAt: z.optional(z.number()),
  /** The workspace the video and its sidecar must stay in (checked by real path when they are written). */
  workspaceRoot: z.optional(z.string()),
  /**
   * Its take becomes the video at `outputPath` only if there is none there (a Regenerate: the user compares and
   * chooses). Otherwise, as a render's takes, it does unless a video of the same request is there already.
   */
  keepChosen: z.optional(z.boolean()),
  taskId: z.optional(z.string()),
  reportedCredits: z.optional(z.number()),
  state: TaskState,
  stalled: z.optional(z.boolean()),
  lastError: z.optional(z.string()),
  polls: z.number(),
  createdAt: z.number(),
  updatedAt: z.number(),
  /** When the service first reported the task completed (the start of its link's 24 hours). */
  completedAt: z.optional(z.number()),
  finishedAt: z.optional(z.number()),
});
export type JournalEntry = z.infer<typeof JournalEntry>;

export const JournalFile = z.object({ version: z.literal(1), entries: z.array(JournalEntry) });
export type JournalFile = z.infer<typeof JournalFile>;

/**
 * True once the entry waits for nothing more in this run: it ended, it needs the user (an unknown outcome), or its
 * download failed and waits for its next try (it is still "download pending", never "to render": isDownloadPending).
 * A create being sent has not ended: its sender is alive, or a restart finds it and marks it unknown.
 */
export function hasEnded(entry: JournalEntry): boolean {
  const s = entry.state;
  if (s.status === 'saved' || s.status === 'failed' || s.status === 'expired') return true;
  if (s.status === 'completed') return s.videoUrl === undefined || entry.lastError !== undefined;
  if (s.status === 'unknown') return entry.taskId === undefined;
  return false;
}

/** A paid video whose download has not succeeded yet: it is fetched again, never created again. */
export function isDownloadPending(entry: JournalEntry): boolean {
  return entry.kind === 'video' && entry.state.status === 'completed' && entry.state.videoUrl !== undefined && entry.outputPath !== undefined;
}
