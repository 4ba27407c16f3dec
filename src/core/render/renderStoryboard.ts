import * as path from 'node:path';
import { ApiError, isApiError, type ErrorKind } from '../api/apiError';
import { VideoRequest } from '../api/apiSchemas';
import type { ElementUse } from '../elements/elementUse';
import { ensureElement } from '../elements/ensureElement';
import { readKnownElements } from '../elements/elementRegistry';
import type { JournalEntry } from '../journal/taskState';
import { formatAmount } from '../pricing/decimal';
import { buildVideoRequest } from '../request/buildRequest';
import { NotCreatedError, type Backend, type TaskEngine } from '../tasks/taskEngine';
import type { UploadedImage } from '../uploads/imageUploads';
import type { UploadRecord } from '../uploads/uploadRecord';
import type { PlannedVideo, StoryboardPlan } from './storyboardPlan';

// Where they used to live: the CLI and the editor import them from here.
export { readKnownElements, recordElement } from '../elements/elementRegistry';

export type VideoOutcome =
  | { name: string; kind: 'up-to-date'; outputPath: string }
  | { name: string; kind: 'saved'; outputPath: string; entry: JournalEntry }
  | {
      name: string;
      kind: 'failed';
      entry?: JournalEntry | undefined;
      message: string;
      retryable: boolean;
      /** When the create itself was refused: the service's kind of error, so the caller can offer the one action that helps. */
      error?: ErrorKind | undefined;
    }
  | { name: string; kind: 'unknown'; entry: JournalEntry; message: string }
  /** Paid for and completed, but not saved yet: fetched again (`kling download`, Download Again), never created again. */
  | { name: string; kind: 'download-pending'; entry: JournalEntry; message: string };

export interface RenderOptions {
  engine: TaskEngine;
  backend: Backend;
  /**
   * Uploads a local image (or finds its live upload: src/core/uploads) and returns its link, with its record when it
   * has one (ImageUploads gives it; the sidecar keeps it for Regenerate). `field` is what it is sent as.
   */
  upload: (absolutePath: string, field: string) => Promise<string | UploadedImage>;
  /** At most this many videos in flight at once. */
  concurrency?: number | undefined;
  signal?: AbortSignal | undefined;
  /** Called when a video's task is created or picked up, so a caller can show it. */
  onTask?: ((video: PlannedVideo, entry: JournalEntry) => void) | undefined;
  /** Videos planned as up to date or unknown are made anew (`--force`); never beside a task still under way. */
  force?: boolean | undefined;
  /**
   * Runs each video's work; by default at once. Several renders at once (the CLI's storyboards) share one so that
   * `concurrency` holds across them all.
   */
  schedule?: (<T>(work: () => Promise<T>) => Promise<T>) | undefined;
}

/**
 * Renders what a plan says must be rendered (the caller has shown the price and had it accepted): elements first,
 * then the videos, at most `concurrency` at a time, each through the engine's journal. Videos already under way
 * are waited for, not created again.
 */
export async function renderStoryboard(plan: StoryboardPlan, options: RenderOptions): Promise<VideoOutcome[]> {
  const base = path.dirname(plan.storyboardPath);
  const uploads = new Map<string, Promise<Uploaded>>();
  // One upload per file per render, whatever it is used as; the record names the field of its first use.
  const upload: Upload = (reference, field) => {
    const absolute = path.resolve(base, reference);
    let done = uploads.get(absolute);
    if (!done) uploads.set(absolute, (done = options.upload(absolute, field).then((result) => (typeof result === 'string' ? { url: result } : { url: result.url, record: result }))));
    return done;
  };
  const outcomes = new Map<string, VideoOutcome>();
  for (const video of plan.videos) {
    if (video.state.kind === 'up-to-date') outcomes.set(video.name, { name: video.name, kind: 'up-to-date', outputPath: video.outputPath });
    if (video.state.kind === 'unknown-outcome') {
      outcomes.set(video.name, {
        name: video.name,
        kind: 'unknown',
        entry: video.state.entry,
        message: `${video.state.entry.state.status === 'unknown' ? video.state.entry.state.reason : 'an earlier create got no answer'}. Check the service's task list before creating it again (render with --force, which may pay twice)`,
      });
    }
  }

  const elementIds = await readKnownElements(plan.outputDir, options.backend);
  const elementFailure = await createElements(plan, options, elementIds, upload);
  const elementNames = new Map(plan.elements.map((e) => [e.element.name, e]));

  const queue = plan.videos.filter((v) => v.state.kind === 'to-render' || v.state.kind === 'in-flight');
  let stopReason: ApiError | undefined;
  const limit = Math.max(1, options.concurrency ?? 4);
  const worker = async () => {
    for (let video = queue.shift(); video; video = queue.shift()) {
      if (options.signal?.aborted) return;
      if (stopReason || elementFailure) {
        const message = stopReason?.message ?? elementFailure!;
        outcomes.set(video.name, { name: video.name, kind: 'failed', message, retryable: true, error: stopReason?.kind });
        continue;
      }
      const current = video;
      const work = () => renderOne(current, plan, options, elementIds, elementNames, upload);
      const outcome = await (options.schedule ? options.schedule(work) : work()).catch((error: unknown) => {
        // A key or balance problem will fail every other create the same way: stop before sending them.
        if (isApiError(error) && (error.kind === 'auth' || error.kind === 'quota' || error.kind === 'permission' || error.kind === 'config')) stopReason = error;
        return failedOutcome(current, error);
      });
      outcomes.set(current.name, outcome);
    }
  };
  await Promise.all(Array.from({ length: limit }, worker));
  return plan.videos.map((v) => outcomes.get(v.name)).filter((o): o is VideoOutcome => o !== undefined);
}

async function renderOne(
  video: PlannedVideo,
  plan: StoryboardPlan,
  options: RenderOptions,
  elementIds: Map<string, string>,
  elementNames: Map<string, StoryboardPlan['elements'][number]>,
  upload: Upload,
): Promise<VideoOutcome> {
  let entry: JournalEntry;
  if (video.state.kind === 'in-flight' && !video.state.claim && video.state.entry.claim === undefined) {
    // A task of a journal without claims (an older version's): it is already this journal's to follow.
    entry = video.state.entry;
  } else if (video.state.kind === 'in-flight') {
    // Under way (here or elsewhere) or waiting for its download when planned: it is followed or taken over, and
    // never created, since its price was not asked for.
    try {
      entry = await options.engine.submit(draftOf(video, plan, options, video.hashedRequest), { mayCreate: false });
    } catch (error) {
      if (error instanceof NotCreatedError) return { name: video.name, kind: 'failed', message: error.message, retryable: true };
      throw error;
    }
  } else {
    const images = new Map<string, string>();
    const records: UploadRecord[] = [];
    for (const [field, reference] of [['image_start', video.spec.image], ['image_end', video.spec.end_image]] as const) {
      if (!reference || /^https:\/\//.test(reference)) continue;
      const uploaded = await upload(reference, field);
      images.set(reference, uploaded.url);
      if (uploaded.record) records.push(recordFor(uploaded.record, field));
    }
    const used: ElementUse[] = [];
    const request = buildVideoRequest(video.spec, {
      image: (reference) => images.get(reference)!,
      element: (name) => {
        const planned = elementNames.get(name);
        const id = planned && elementIds.get(planned.definitionHash);
        if (!id) throw new Error(`the element "${name}" has no id yet`);
        used.push({ name, element_id: id, description: planned.element.description });
        return id;
      },
    });
    const checked = VideoRequest.safeParse(request);
    if (!checked.success) {
      const issue = checked.error.issues[0]!;
      return { name: video.name, kind: 'failed', message: `not sent: ${issue.path.join('.')}: ${issue.message}`, retryable: false };
    }
    try {
      const draft = { ...draftOf(video, plan, options, request), uploads: records.length ? records : undefined, elements: used.length ? used : undefined };
      entry = await options.engine.submit(draft, { force: options.force, signal: options.signal });
    } catch (error) {
      // The create left and its answer was lost: the journal keeps it as unknown, and so does the outcome.
      const lost = isApiError(error, 'outcome-unknown')
        ? options.engine.journal.list().find((e) => e.outputPath === video.outputPath && e.requestHash === video.requestHash && e.state.status === 'unknown')
        : undefined;
      if (!lost) throw error;
      return { name: video.name, kind: 'unknown', entry: lost, message: (error as Error).message };
    }
  }
  options.onTask?.(video, entry);
  const [ended] = await options.engine.waitFor([entry.id], options.signal);
  return outcomeOf(video, ended ?? entry);
}

async function createElements(plan: StoryboardPlan, options: RenderOptions, elementIds: Map<string, string>, upload: Upload): Promise<string | undefined> {
  for (const { element, definitionHash } of plan.elements) {
    const ensured = await ensureElement(element, definitionHash, {
      engine: options.engine,
      backend: options.backend,
      outputDir: plan.outputDir,
      workspaceRoot: plan.workspaceRoot,
      known: elementIds,
      signal: options.signal,
      // Forced, an element whose last create got no answer is made anew too (its price was in the confirmation).
      force: options.force,
      imageUrl: async (reference) => (/^https:\/\//.test(reference) ? reference : (await upload(reference, 'element image')).url),
    });
    if (!ensured.ok) return ensured.problem;
  }
  return undefined;
}

type Uploaded = { url: string; record?: UploadedImage | undefined };
type Upload = (reference: string, field: string) => Promise<Uploaded>;

/** The record of an upload as this video used it (the same file may have been uploaded for another field first). */
function recordFor(uploaded: UploadedImage, field: string): UploadRecord {
  const { reused: _reused, ...record } = uploaded;
  return { ...record, field };
}

function draftOf(video: PlannedVideo, plan: StoryboardPlan, options: RenderOptions, request: VideoRequest) {
  return {
    kind: 'video' as const,
    label: video.name,
    request,
    requestHash: video.requestHash,
    price: priceRecord(video),
    backend: options.backend,
    storyboardPath: plan.storyboardPath,
    videoName: video.name,
    outputPath: video.outputPath,
    workspaceRoot: plan.workspaceRoot,
  };
}

function priceRecord(video: PlannedVideo): JournalEntry['price'] {
  return { seconds: video.price.seconds, usd: formatAmount(video.price.usd), credits: formatAmount(video.price.credits) };
}

function outcomeOf(video: PlannedVideo, entry: JournalEntry): VideoOutcome {
  const s = entry.state;
  switch (s.status) {
    case 'saved':
      return { name: video.name, kind: 'saved', outputPath: s.filePath, entry };
    case 'failed':
      return { name: video.name, kind: 'failed', entry, message: `${s.message} (${s.code})`, retryable: s.retryable };
    case 'expired':
      return { name: video.name, kind: 'failed', entry, message: s.reason, retryable: true };
    case 'unknown':
      return { name: video.name, kind: 'unknown', entry, message: s.reason };
    case 'completed':
      if (s.videoUrl !== undefined) return { name: video.name, kind: 'download-pending', entry, message: entry.lastError ?? 'its video is still to be downloaded' };
      return { name: video.name, kind: 'failed', entry, message: entry.lastError ?? 'the task completed without a video', retryable: true };
    case 'downloading':
      // Its engine tries again while the link lasts (a render that ends meanwhile leaves it paid, not failed).
      return { name: video.name, kind: 'download-pending', entry, message: entry.lastError ?? 'its video is being downloaded' };
    default:
      return { name: video.name, kind: 'failed', entry, message: entry.lastError ?? `stopped while ${s.status}`, retryable: true };
  }
}

function failedOutcome(video: PlannedVideo, error: unknown): VideoOutcome {
  const kind = isApiError(error) ? error.kind : undefined;
  if (kind === 'outcome-unknown') {
    return { name: video.name, kind: 'failed', message: (error as ApiError).message, retryable: false, error: kind };
  }
  const message = error instanceof Error ? error.message : String(error);
  // A refused request or a setting to fix fails the same way when sent again: only a fix helps.
  return { name: video.name, kind: 'failed', message, retryable: kind !== 'invalid-request' && kind !== 'config' && kind !== 'auth', error: kind };
}
