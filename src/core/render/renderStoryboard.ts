import * as path from 'node:path';
import { ApiError, isApiError, type ErrorKind } from '../api/apiError';
import { VideoRequest, type ElementRequest } from '../api/apiSchemas';
import { readRegularText } from '../fs/readRegularText';
import { writeAtomically } from '../fs/writeAtomically';
import type { JournalEntry } from '../journal/taskState';
import { formatAmount } from '../pricing/decimal';
import { ELEMENT_PRICE } from '../pricing/priceTable';
import { buildVideoRequest } from '../request/buildRequest';
import { elementClaimRef, videoClaimRef } from '../claims/claimStore';
import { NotCreatedError, type Backend, type TaskEngine } from '../tasks/taskEngine';
import type { PlannedTake, PlannedVideo, StoryboardPlan } from './storyboardPlan';

/**
 * What became of a video, or of one of its takes: `take` is set (1 to 4) when the render made or followed more than
 * one take of the video, or another than the first, and there is then one outcome per take.
 */
export type VideoOutcome = (
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
  | { name: string; kind: 'download-pending'; entry: JournalEntry; message: string }
) & { take?: number | undefined };

export interface RenderOptions {
  engine: TaskEngine;
  backend: Backend;
  /** Uploads a local image and returns its URL (the Files API). */
  upload: (absolutePath: string) => Promise<string>;
  /** At most this many videos in flight at once. */
  concurrency?: number | undefined;
  signal?: AbortSignal | undefined;
  /** Called when a video's task (one per take) is created or picked up, so a caller can show it. */
  onTask?: ((video: PlannedVideo, entry: JournalEntry, take: number) => void) | undefined;
  /** Videos planned as up to date or unknown are made anew (`--force`); never beside a task still under way. */
  force?: boolean | undefined;
}

const ELEMENTS_FILE = '.kling-elements.json';

/** Element ids created for a storyboard's output folder, by backend and definition hash. */
export async function readKnownElements(outputDir: string, backend: Backend): Promise<Map<string, string>> {
  try {
    const json = JSON.parse((await readRegularText(path.join(outputDir, ELEMENTS_FILE))) ?? '{}') as Record<string, { element_id?: unknown }>;
    const prefix = `${backend.kind}:`;
    return new Map(
      Object.entries(json).flatMap(([key, value]) =>
        key.startsWith(prefix) && typeof value?.element_id === 'string' ? [[key.slice(prefix.length), value.element_id]] : [],
      ),
    );
  } catch {
    return new Map();
  }
}

async function recordElement(
  outputDir: string,
  backend: Backend,
  definitionHash: string,
  record: { name: string; element_id: string; taskId?: string | undefined },
  workspaceRoot: string | undefined,
) {
  const file = path.join(outputDir, ELEMENTS_FILE);
  let json: Record<string, unknown> = {};
  const text = await readRegularText(file);
  try {
    json = text ? (JSON.parse(text) as Record<string, unknown>) : {};
  } catch {
    // Not JSON (cut short): it is written anew with what is known now.
  }
  json[`${backend.kind}:${definitionHash}`] = { ...record, createdAt: new Date().toISOString() };
  await writeAtomically(file, `${JSON.stringify(json, null, 2)}\n`, { root: workspaceRoot });
}

/**
 * Renders what a plan says must be rendered (the caller has shown the price and had it accepted): elements first,
 * then the videos, at most `concurrency` at a time, each through the engine's journal. Videos already under way
 * are waited for, not created again.
 */
export async function renderStoryboard(plan: StoryboardPlan, options: RenderOptions): Promise<VideoOutcome[]> {
  const base = path.dirname(plan.storyboardPath);
  const uploads = new Map<string, Promise<string>>();
  const upload = (reference: string) => {
    const absolute = path.resolve(base, reference);
    let url = uploads.get(absolute);
    if (!url) uploads.set(absolute, (url = options.upload(absolute)));
    return url;
  };
  // One outcome per video, or per take when the video has several (in the plan's order either way).
  const outcomes = new Map<string, VideoOutcome>();
  const keyOf = (video: PlannedVideo, take: number) => `${video.name}#${take}`;
  const labelled = (video: PlannedVideo, take: number, outcome: VideoOutcome): VideoOutcome => (isOneTake(video) ? outcome : { ...outcome, take });
  for (const video of plan.videos) {
    if (video.state.kind === 'up-to-date') outcomes.set(keyOf(video, 0), { name: video.name, kind: 'up-to-date', outputPath: video.outputPath });
    for (const { take, state } of video.takes) {
      if (state.kind !== 'unknown-outcome') continue;
      outcomes.set(keyOf(video, take), labelled(video, take, {
        name: video.name,
        kind: 'unknown',
        entry: state.entry,
        message: `${state.entry.state.status === 'unknown' ? state.entry.state.reason : 'an earlier create got no answer'}. Check the service's task list before creating it again (render with --force, which may pay twice)`,
      }));
    }
  }

  const elementIds = await readKnownElements(plan.outputDir, options.backend);
  const elementFailure = await createElements(plan, options, elementIds, upload);

  const firstTakeSettlers = new Map<string, (madeHere: boolean) => void>();
  const queue = plan.videos.flatMap((video) =>
    video.takes.filter((t) => t.state.kind === 'to-render' || t.state.kind === 'in-flight').map((planned) => ({ video, planned })),
  );
  // A render's later takes of a video wait for its first take's create: when another process turns out to have
  // made (or to be making) that first take since this plan, it rendered the same takes, and they are not paid twice.
  const firstTakes = new Map<string, Promise<boolean>>();
  for (const { video, planned } of queue) {
    if (planned.take !== 1 || planned.state.kind !== 'to-render' || isOneTake(video)) continue;
    let settle!: (madeHere: boolean) => void;
    firstTakes.set(video.name, new Promise<boolean>((resolve) => (settle = resolve)));
    firstTakeSettlers.set(video.name, settle);
  }
  let stopReason: ApiError | undefined;
  const limit = Math.max(1, options.concurrency ?? 4);
  const worker = async () => {
    for (let job = queue.shift(); job; job = queue.shift()) {
      if (options.signal?.aborted) return;
      const { video, planned } = job;
      if (stopReason || elementFailure) {
        if (planned.take === 1) firstTakeSettlers.get(video.name)?.(true);
        const message = stopReason?.message ?? elementFailure!;
        outcomes.set(keyOf(video, planned.take), labelled(video, planned.take, { name: video.name, kind: 'failed', message, retryable: true, error: stopReason?.kind }));
        continue;
      }
      const context = {
        firstTakeMadeHere: planned.take > 1 ? firstTakes.get(video.name) : undefined,
        onSubmitted: planned.take === 1 ? firstTakeSettlers.get(video.name) : undefined,
      };
      const outcome = await renderOne(video, planned, plan, options, elementIds, upload, context).catch((error: unknown) => {
        // A key or balance problem will fail every other create the same way: stop before sending them.
        if (isApiError(error) && (error.kind === 'auth' || error.kind === 'quota' || error.kind === 'permission' || error.kind === 'config')) stopReason = error;
        return failedOutcome(video, error);
      });
      // Never left waiting: a first take that failed before its create was made here, as far as its others know.
      context.onSubmitted?.(true);
      outcomes.set(keyOf(video, planned.take), labelled(video, planned.take, outcome));
    }
  };
  await Promise.all(Array.from({ length: limit }, worker));
  return plan.videos.flatMap((v) =>
    [0, ...v.takes.map((t) => t.take)].map((take) => outcomes.get(keyOf(v, take))).filter((o): o is VideoOutcome => o !== undefined),
  );
}

/** A video rendered as it was before takes: one take, the first. Its outcome says nothing of takes. */
function isOneTake(video: PlannedVideo): boolean {
  return video.takes.length <= 1 && (video.takes[0]?.take ?? 1) === 1;
}

async function renderOne(
  video: PlannedVideo,
  planned: PlannedTake,
  plan: StoryboardPlan,
  options: RenderOptions,
  elementIds: Map<string, string>,
  upload: (reference: string) => Promise<string>,
  takes: { firstTakeMadeHere?: Promise<boolean> | undefined; onSubmitted?: ((madeHere: boolean) => void) | undefined } = {},
): Promise<VideoOutcome> {
  let entry: JournalEntry;
  const state = planned.state;
  // Another process rendered this video's takes since the plan: this take is followed if it is under way there, and
  // never created here.
  const heldBack = state.kind === 'to-render' && takes.firstTakeMadeHere !== undefined && !(await takes.firstTakeMadeHere);
  if (heldBack) {
    try {
      entry = await options.engine.submit(draftOf(video, plan, options, video.hashedRequest, planned.take), { mayCreate: false });
    } catch (error) {
      if (error instanceof NotCreatedError) return { name: video.name, kind: 'up-to-date', outputPath: video.outputPath };
      throw error;
    }
  } else if (state.kind === 'in-flight' && !state.claim && state.entry.claim === undefined) {
    // A task of a journal without claims (an older version's): it is already this journal's to follow.
    entry = state.entry;
  } else if (state.kind === 'in-flight') {
    // Under way (here or elsewhere) or waiting for its download when planned: it is followed or taken over, and
    // never created, since its price was not asked for.
    try {
      entry = await options.engine.submit(draftOf(video, plan, options, video.hashedRequest, planned.take), { mayCreate: false });
    } catch (error) {
      if (error instanceof NotCreatedError) return { name: video.name, kind: 'failed', message: error.message, retryable: true };
      throw error;
    }
  } else {
    const images = new Map<string, string>();
    for (const reference of [video.spec.image, video.spec.end_image]) {
      if (reference && !/^https:\/\//.test(reference)) images.set(reference, await upload(reference));
    }
    const request = buildVideoRequest(video.spec, {
      image: (reference) => images.get(reference)!,
      element: (name) => {
        const definitionHash = plan.elements.find((e) => e.element.name === name)?.definitionHash;
        const id = definitionHash && elementIds.get(definitionHash);
        if (!id) throw new Error(`the element "${name}" has no id yet`);
        return id;
      },
    });
    const checked = VideoRequest.safeParse(request);
    if (!checked.success) {
      const issue = checked.error.issues[0]!;
      return { name: video.name, kind: 'failed', message: `not sent: ${issue.path.join('.')}: ${issue.message}`, retryable: false };
    }
    const draft = draftOf(video, plan, options, request, planned.take);
    try {
      entry = await options.engine.submit(draft, { force: options.force, signal: options.signal });
      takes.onSubmitted?.(entry.state.status !== 'saved' && entry.owner?.token === options.engine.owner.token);
    } catch (error) {
      // The create left and its answer was lost: the journal keeps it as unknown, and so does the outcome.
      const lost = isApiError(error, 'outcome-unknown')
        ? options.engine.journal
            .list()
            .find((e) => e.outputPath === video.outputPath && e.requestHash === video.requestHash && e.claim?.key === draft.claim.key && e.state.status === 'unknown')
        : undefined;
      if (!lost) throw error;
      return { name: video.name, kind: 'unknown', entry: lost, message: (error as Error).message };
    }
  }
  options.onTask?.(video, entry, planned.take);
  const [ended] = await options.engine.waitFor([entry.id], options.signal);
  return outcomeOf(video, ended ?? entry);
}

async function createElements(
  plan: StoryboardPlan,
  options: RenderOptions,
  elementIds: Map<string, string>,
  upload: (reference: string) => Promise<string>,
): Promise<string | undefined> {
  for (const { element, definitionHash } of plan.elements) {
    if (elementIds.has(definitionHash)) continue;
    const request: ElementRequest = {
      model: 'kling-custom-element',
      model_params: {
        element_name: element.name,
        element_description: element.description,
        reference_type: 'image_refer',
        element_image_list: {
          frontal_image: /^https:\/\//.test(element.frontal_image) ? element.frontal_image : await upload(element.frontal_image),
          refer_images: await Promise.all(
            element.refer_images.map(async (image) => ({ image_url: /^https:\/\//.test(image) ? image : await upload(image) })),
          ),
        },
      },
    };
    let entry: JournalEntry;
    try {
      entry = await options.engine.submit({
        kind: 'element',
        label: `element ${element.name}`,
        request,
        requestHash: `element:${definitionHash}`,
        price: { seconds: 0, usd: ELEMENT_PRICE.usd, credits: ELEMENT_PRICE.credits },
        backend: options.backend,
        elementName: element.name,
        claim: elementClaimRef(plan.outputDir, definitionHash, options.backend),
        // Forced, an element whose last create got no answer is made anew too (its price was in the confirmation).
      }, { signal: options.signal, force: options.force });
    } catch (error) {
      return `the element "${element.name}" could not be created: ${error instanceof Error ? error.message : String(error)}`;
    }
    const [ended] = await options.engine.waitFor([entry.id], options.signal);
    const state = ended?.state;
    if (state?.status !== 'completed' || !state.elementId) {
      const why = state?.status === 'failed' ? state.message : `it ended as ${state?.status ?? 'unknown'}`;
      return `the element "${element.name}" could not be created: ${why}`;
    }
    elementIds.set(definitionHash, state.elementId);
    await recordElement(plan.outputDir, options.backend, definitionHash, { name: element.name, element_id: state.elementId, taskId: ended?.taskId }, plan.workspaceRoot);
  }
  return undefined;
}

/** `hero`, or `hero (take 2)` for a video of several takes: the name the Tasks view, the CLI and the sidecar show. */
export function takeLabel(video: Pick<PlannedVideo, 'name' | 'takeCount'>, take: number): string {
  return video.takeCount > 1 || take > 1 ? `${video.name} (take ${take})` : video.name;
}

function draftOf(video: PlannedVideo, plan: StoryboardPlan, options: RenderOptions, request: VideoRequest, take: number) {
  return {
    kind: 'video' as const,
    label: takeLabel(video, take),
    request,
    requestHash: video.requestHash,
    price: priceRecord(video),
    backend: options.backend,
    storyboardPath: plan.storyboardPath,
    videoName: video.name,
    outputPath: video.outputPath,
    workspaceRoot: plan.workspaceRoot,
    // Each take of a render is claimed apart: created once each, followed or taken over each.
    claim: videoClaimRef(video.outputPath, video.requestHash, options.backend, take),
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
