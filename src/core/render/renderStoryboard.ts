import * as path from 'node:path';
import { type ApiError, isApiError, type ErrorKind } from '../api/apiError';
import { VideoRequest } from '../api/apiSchemas';
import type { ElementUse } from '../elements/elementUse';
import { ensureElement } from '../elements/ensureElement';
import { readKnownElements } from '../elements/elementRegistry';
import type { JournalEntry } from '../journal/taskState';
import { formatAmount } from '../pricing/decimal';
import { buildVideoRequest } from '../request/buildRequest';
import { videoClaimRef } from '../claims/claimStore';
import type { Backend } from '../journal/taskState';
import { NotCreatedError, type TaskEngine } from '../tasks/taskEngine';
import { workspaceRelative } from '../fs/workspaceRelative';
import type { UploadedImage } from '../uploads/imageUploads';
import type { UploadRecord } from '../uploads/uploadRecord';
import type { PlannedTake, PlannedVideo, StoryboardPlan } from './storyboardPlan';
import { errorText } from '../text/errorText';
import { frameFileState, writeFrameFile, type FrameExtractor } from './frameFiles';
import { sourcesFirst, withCurrentFrames } from './frameDependencies';
import type { FrameReference } from '../storyboard/storyboardSchema';
import { makeWebReady, type PosterMaker, type WebReadyResult } from './makeWebReady';
import { failureText } from '../text/failureText';
import { adoptPlanRecords } from '../records/adoptBesideRecords';

// Where they used to live: the CLI and the editor import them from here.
export { readKnownElements, recordElement } from '../elements/elementRegistry';

/**
 * What became of a video, or of one of its takes: `take` is set (1 to 4) when the render made or followed more than
 * one take of the video, or another than the first, and there is then one outcome per take.
 */
export type VideoOutcome = (
  | { name: string; kind: 'up-to-date'; outputPath: string }
  | { name: string; kind: 'saved'; outputPath: string; entry: JournalEntry; web?: WebReadyResult | undefined }
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
  /**
   * Uploads a local image (or finds its live upload: src/core/uploads) and returns its link, with its record when it
   * has one (ImageUploads gives it; the sidecar keeps it for Regenerate). `field` is what it is sent as.
   */
  upload: (absolutePath: string, field: string) => Promise<string | UploadedImage>;
  /** At most this many videos in flight at once. */
  concurrency?: number | undefined;
  signal?: AbortSignal | undefined;
  /** Called when a video's task (one per take) is created or picked up, so a caller can show it. */
  onTask?: ((video: PlannedVideo, entry: JournalEntry, take: number) => void) | undefined;
  /** Videos planned as up to date or unknown are made anew (`--force`); never beside a task still under way. */
  force?: boolean | undefined;
  /**
   * Runs each video's work; by default at once. Several renders at once (the CLI's storyboards) share one so that
   * `concurrency` holds across them all.
   */
  schedule?: (<T>(work: () => Promise<T>) => Promise<T>) | undefined;
  /** Writes a `"web"` video's poster (the editor decodes in a webview; the CLI has no decoder). */
  poster?: PosterMaker | undefined;
  /**
   * Takes the frame a video continues from out of its source once this render has saved that source, so that both
   * are made in one render. Without it (the CLI) such a video is not sent, and the message says what to do.
   */
  extractFrame?: FrameExtractor | undefined;
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

  // Records left beside the videos from before the storyboard named a metadata folder move there (no video is made again).
  await adoptPlanRecords(plan);
  const elementIds = await readKnownElements(plan.locations, options.backend);
  const elementFailure = await createElements(plan, options, elementIds, upload);
  const elementNames = new Map(plan.elements.map((e) => [e.element.name, e]));

  const firstTakeSettlers = new Map<string, (madeHere: boolean) => void>();
  const queue = sourcesFirst(plan.videos).flatMap((video) =>
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
  // A source's jobs settle before its frame is taken: the videos that continue it wait for them (sourcesFirst puts
  // them earlier in the queue, so every awaited job has a worker).
  const settled = new Map<string, Array<Promise<VideoOutcome>>>();
  const settlers = new Map<(typeof queue)[number], (outcome: VideoOutcome) => void>();
  for (const job of queue) {
    const done = new Promise<VideoOutcome>((resolve) => settlers.set(job, resolve));
    settled.set(job.video.name, [...(settled.get(job.video.name) ?? []), done]);
  }
  const frames = new Map<string, Promise<string | undefined>>();
  const framesFor = (video: PlannedVideo) => framesMadeHere(video, plan, options, settled, frames);
  let stopReason: ApiError | undefined;
  const limit = Math.max(1, options.concurrency ?? 4);
  const worker = async () => {
    for (let job = queue.shift(); job; job = queue.shift()) {
      if (options.signal?.aborted) return;
      const finish = (outcome: VideoOutcome) => {
        outcomes.set(keyOf(job!.video, job!.planned.take), labelled(job!.video, job!.planned.take, outcome));
        settlers.get(job!)?.(outcome);
      };
      let { video } = job;
      const { planned } = job;
      if (planned.state.kind === 'to-render' && !stopReason && !elementFailure) {
        const problem = await framesFor(video);
        if (problem !== undefined) {
          if (planned.take === 1) firstTakeSettlers.get(video.name)?.(true);
          finish({ name: video.name, kind: 'failed', message: `not sent: ${problem}`, retryable: false });
          continue;
        }
        // Its sources may be new since the plan: its request (and so its claim and sidecar) names them as they are now.
        if (video.frameReferences.size) video = await withCurrentFrames(video, plan.outputDir);
      }
      if (stopReason || elementFailure) {
        if (planned.take === 1) firstTakeSettlers.get(video.name)?.(true);
        const message = stopReason?.message ?? elementFailure!;
        finish({ name: video.name, kind: 'failed', message, retryable: true, error: stopReason?.kind });
        continue;
      }
      const context = {
        firstTakeMadeHere: planned.take > 1 ? firstTakes.get(video.name) : undefined,
        onSubmitted: planned.take === 1 ? firstTakeSettlers.get(video.name) : undefined,
      };
      const work = () => renderOne(video, planned, plan, options, elementIds, elementNames, upload, context);
      const outcome = await (options.schedule ? options.schedule(work) : work()).catch((error: unknown) => {
        // A key or balance problem will fail every other create the same way: stop before sending them.
        if (isApiError(error) && (error.kind === 'auth' || error.kind === 'quota' || error.kind === 'permission' || error.kind === 'config')) stopReason = error;
        return failedOutcome(video, error);
      });
      // Never left waiting: a first take that failed before its create was made here, as far as its others know.
      context.onSubmitted?.(true);
      finish(outcome);
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
  elementNames: Map<string, StoryboardPlan['elements'][number]>,
  upload: Upload,
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
    // A frame of another video is sent only once it has been taken from that video as it is now (framesMadeHere
    // waited for a source this render makes, and took its frame).
    for (const reference of video.frameReferences.values()) {
      const frame = await frameFileState(plan.locations, reference);
      if (frame.kind !== 'ready') return { name: video.name, kind: 'failed', message: `not sent: ${frame.message}`, retryable: false };
    }
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
        const definition = elementNames.get(name);
        const id = definition && elementIds.get(definition.definitionHash);
        if (!id) throw new Error(`the element "${name}" has no id yet`);
        const frontal = definition.element.frontal_image;
        used.push({
          name,
          element_id: id,
          description: definition.element.description,
          ...(plan.workspaceRoot && !/^https:\/\//.test(frontal)
            ? { frontal_image: workspaceRelative(plan.workspaceRoot, path.resolve(path.dirname(plan.storyboardPath), frontal)) }
            : {}),
        });
        return id;
      },
    });
    const checked = VideoRequest.safeParse(request);
    if (!checked.success) {
      const issue = checked.error.issues[0]!;
      return { name: video.name, kind: 'failed', message: `not sent: ${issue.path.join('.')}: ${issue.message}`, retryable: false };
    }
    const draft = { ...draftOf(video, plan, options, request, planned.take), uploads: records.length ? records : undefined, elements: used.length ? used : undefined };
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
  const outcome = outcomeOf(video, ended ?? entry);
  if (outcome.kind === 'saved' && video.web) outcome.web = await makeWebReady(outcome.outputPath, { root: plan.workspaceRoot, poster: options.poster });
  return outcome;
}

/**
 * For a video that continues other videos of the plan: waits until this render has made each source, then takes the
 * frame from it. Undefined when the video may go on (its frames are then checked as usual); else why it is not sent.
 * Each frame is taken once per render, whichever of the video's takes asks first.
 */
async function framesMadeHere(
  video: PlannedVideo,
  plan: StoryboardPlan,
  options: RenderOptions,
  settled: ReadonlyMap<string, ReadonlyArray<Promise<VideoOutcome>>>,
  frames: Map<string, Promise<string | undefined>>,
): Promise<string | undefined> {
  for (const reference of video.frameReferences.values()) {
    const source = plan.videos.find((v) => v.name === reference.from);
    if (!source || source.state.kind === 'up-to-date') continue;
    const key = `${reference.from}:${reference.frame}`;
    let problem = frames.get(key);
    if (!problem) frames.set(key, (problem = frameOfSourceMadeHere(reference, source, plan, options, settled.get(source.name))));
    const found = await problem;
    if (found !== undefined) return found;
  }
  return undefined;
}

async function frameOfSourceMadeHere(
  reference: FrameReference,
  source: PlannedVideo,
  plan: StoryboardPlan,
  options: RenderOptions,
  jobs: ReadonlyArray<Promise<VideoOutcome>> | undefined,
): Promise<string | undefined> {
  const what = `it starts from the ${reference.frame} frame of "${reference.from}"`;
  const file = path.basename(source.outputPath);
  if (!jobs) return `${what}, which was not saved (${source.state.kind === 'unknown-outcome' ? 'its last create got no answer' : 'it is not rendered'})`;
  if (!options.extractFrame) {
    return `${what}, which this render makes, and taking a frame out of ${file} needs an H.264 decoder, which the CLI does not have: render the storyboard in VS Code (it makes "${reference.from}", takes its frame and sends this video in one render), or once ${file} is saved open it in Kling Preview in VS Code and choose ${reference.frame === 'last' ? 'Continue from Last Frame' : 'Use as First Frame at 0:00'}, then render again`;
  }
  const made = await Promise.all(jobs);
  if (!made.some((o) => o.kind === 'saved' || o.kind === 'up-to-date')) {
    const first = made[0];
    const why = first && 'message' in first ? `${first.kind === 'failed' ? 'failed' : first.kind}: ${first.message}` : 'it was not made';
    return `${what}, which was not saved (${reference.from} ${why})`;
  }
  const state = await frameFileState(plan.locations, reference);
  if (state.kind === 'ready') return undefined;
  if (state.kind === 'no-source') return state.message;
  try {
    const frame = await options.extractFrame(source.outputPath, reference.frame);
    await writeFrameFile(source.outputPath, reference.frame, frame.bytes, frame, plan.workspaceRoot ?? path.dirname(plan.storyboardPath), plan.locations);
    return undefined;
  } catch (error) {
    return `the ${reference.frame} frame of ${file} could not be taken: ${errorText(error)}`;
  }
}

async function createElements(plan: StoryboardPlan, options: RenderOptions, elementIds: Map<string, string>, upload: Upload): Promise<string | undefined> {
  for (const { element, definitionHash } of plan.elements) {
    const ensured = await ensureElement(element, definitionHash, {
      engine: options.engine,
      backend: options.backend,
      outputDir: plan.locations.metadataDir,
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
    claim: videoClaimRef(video.place, video.requestHash, options.backend, take),
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
      return { name: video.name, kind: 'failed', entry, message: failureText(s.message, s.code), retryable: s.retryable };
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
  const message = errorText(error);
  // A refused request or a setting to fix fails the same way when sent again: only a fix helps.
  return { name: video.name, kind: 'failed', message, retryable: kind !== 'invalid-request' && kind !== 'config' && kind !== 'auth', error: kind };
}
