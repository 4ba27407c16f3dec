import * as path from 'node:path';
import type { VideoRequest } from '../api/apiSchemas';
import { RESULT_LINK_TTL_MS } from '../api/taskResults';
import { isClaimOwnerGone, readClaimFile, takeOfClaimKey, videoClaimRef, type ClaimRef } from '../claims/claimStore';
import { isUpToDate } from '../download/sidecar';
import { elementDefinitionHash, fileHasher } from '../elements/elementDefinition';
import { hasEnded, isDownloadPending, type JournalEntry } from '../journal/taskState';
import { formatAmount, parseAmount, type Amount } from '../pricing/decimal';
import { priceVideo, totalPrice, type Price, type PriceTotal } from '../pricing/pricing';
import { ELEMENT_PRICE } from '../pricing/priceTable';
import { buildVideoRequest, specFromStoryboardVideo, type VideoSpec } from '../request/buildRequest';
import { formerRequestHashes, requestHash } from '../request/requestHash';
import type { FrameReference, Storyboard, StoryboardElement } from '../storyboard/storyboardSchema';
import { frameMarker, sourcesFirst } from './frameDependencies';
import { frameFilePath, sha256OfFile } from './frameFiles';
import { storyboardLocations } from '../storyboard/validateStoryboard';
import type { VideoLocations, VideoPlace } from '../records/videoLocations';
import { MAX_TAKES } from '../takes/takeLimits';

export type VideoPlanState =
  /** A result with the same request hash is on disk: nothing to pay. */
  | { kind: 'up-to-date' }
  /**
   * A task for this exact request is under way, here or in another process (`claim`), or it completed and its video
   * waits to be downloaded: never created twice, never priced again. `entry` is the latest word on it.
   */
  | { kind: 'in-flight'; entry: JournalEntry; claim?: ClaimRef | undefined }
  /** An earlier create got no answer: a task may exist and be charged. Created again only when forced. */
  | { kind: 'unknown-outcome'; entry: JournalEntry }
  | { kind: 'to-render' };

/** One take a render makes of a video (or follows, or reports), by its place among the video's takes (1 to 4). */
export interface PlannedTake {
  take: number;
  state: Exclude<VideoPlanState, { kind: 'up-to-date' }>;
}

export interface PlannedVideo {
  name: string;
  spec: VideoSpec;
  /** The request with stand-ins for uploads and element ids: what the hash is taken over. */
  hashedRequest: VideoRequest;
  requestHash: string;
  /** The price of one take. */
  price: Price;
  outputPath: string;
  /** The video and the folder of its records (sidecar, claims, takes): the storyboard's `metadata` folder, else beside it. */
  place: VideoPlace;
  /**
   * The video as a whole: to render when any take is to be created, else under way when any is, else outcome unknown
   * when any is, else up to date. The first such take's state.
   */
  state: VideoPlanState;
  /** How many takes a render makes of it: `--takes`, else its "takes", else the file's default, else 1. */
  takeCount: number;
  /** Its frames taken from other videos of the file (`{ "from", "frame" }`), by the path the spec names them with. */
  frameReferences: ReadonlyMap<string, FrameReference>;
  /** `"web"`: after it is saved, the MP4 is made fast start and its poster written (docs/storyboard-format.md). */
  web: boolean;
  /**
   * What a render does, take by take: creates the takes to render (up to `takeCount`), follows those under way (any,
   * even beyond `takeCount`: they were paid for), reports those whose outcome is unknown. Empty when up to date.
   */
  takes: PlannedTake[];
}

export interface StoryboardPlan {
  storyboardPath: string;
  /** The workspace its results must stay in (see PlanOptions). */
  workspaceRoot?: string | undefined;
  outputDir: string;
  /** Its output folder and the folder of its records (videoLocations.ts). */
  locations: VideoLocations;
  videos: PlannedVideo[];
  /** Elements the videos to render need, with their definition hashes, and their ids when already created. */
  elements: Array<{ element: StoryboardElement; definitionHash: string; elementId?: string | undefined }>;
  /** What rendering the takes to render will cost (elements not yet created included at 1 credit each). */
  cost: PriceTotal;
  /** What the whole storyboard's videos cost, up-to-date videos included, each video times its takes (elements: `elementCosts`). */
  fullCost: PriceTotal;
  /**
   * Every element the planned videos name, in order of first use, with its price: a table of the whole storyboard
   * counts each (an element already created on this backend says so: `elementId`), so its total is what a first render
   * is charged.
   */
  elementCosts: ElementCost[];
  /** `fullCost` with every element of `elementCosts`: what rendering the whole storyboard from nothing costs. */
  fullCostWithElements: PriceTotal;
}

export interface ElementCost {
  name: string;
  definitionHash: string;
  /** Already created on the plan's backend: rendering now does not pay for it again. */
  elementId: string | undefined;
  usd: Amount;
  credits: Amount;
}

export interface PlanOptions {
  storyboardPath: string;
  /** The workspace the storyboard was validated against: its videos and sidecars are written only inside it. */
  workspaceRoot?: string | undefined;
  /** Only these video names (the CLI's --only, the editor's "Render video"). */
  only?: readonly string[] | undefined;
  /** Render even videos that are up to date. */
  force?: boolean | undefined;
  /** Journal entries, to find tasks already under way for the same request. */
  journal?: readonly JournalEntry[] | undefined;
  /** The backend new tasks would go to: its claims beside the results say what other processes are making. */
  backend?: JournalEntry['backend'] | undefined;
  /** The clock, for the age of result links and of silent claims. */
  now?: number | undefined;
  /** Element ids already known, by definition hash; those need no new element task. */
  knownElements?: ReadonlyMap<string, string> | undefined;
  /**
   * The hash of a local file's content, by absolute path; by default read from disk. The CLI's `--since REF` hashes
   * images as they were at a git revision, to find the videos whose request changed.
   */
  hashFile?: ((absolutePath: string) => Promise<string>) | undefined;
  /** How many takes to make of each video to render (`kling render --takes`), over what the storyboard says. */
  takes?: number | undefined;
}

/** Decides, for each video of a valid storyboard, what it costs and whether it must be rendered. */
export async function planStoryboard(storyboard: Storyboard, options: PlanOptions): Promise<StoryboardPlan> {
  const base = path.dirname(options.storyboardPath);
  const locations = storyboardLocations(options.storyboardPath, storyboard);
  const outputDir = locations.outputDir;
  const hashFile = fileHasher(base, options.hashFile);
  const elementsByName = new Map((storyboard.elements ?? []).map((e) => [e.name, e]));
  const elementHashes = new Map<string, string>();
  for (const element of storyboard.elements ?? []) elementHashes.set(element.name, await elementDefinitionHash(element, hashFile));

  const selected = storyboard.videos.filter((v) => !options.only?.length || options.only.includes(v.name));
  const videos: PlannedVideo[] = [];
  for (const video of selected) {
    const frameReferences = new Map<string, FrameReference>();
    const spec = specFromStoryboardVideo(video, storyboard.defaults, (reference) => {
      const file = path.relative(base, frameFilePath(path.join(outputDir, `${reference.from}.mp4`), reference.frame)).split(path.sep).join('/');
      frameReferences.set(file, reference);
      return file;
    });
    const images = new Map<string, string>();
    for (const reference of [spec.image, spec.end_image]) {
      if (!reference || /^https:\/\//.test(reference)) continue;
      const frame = frameReferences.get(reference);
      if (frame) images.set(reference, frameMarker(frame, await sha256OfFile(path.join(outputDir, `${frame.from}.mp4`)).catch(() => undefined)));
      else images.set(reference, `local:${await hashFile(reference)}`);
    }
    const hashedRequest = buildVideoRequest(spec, {
      image: (reference) => images.get(reference)!,
      element: (name) => `element:${elementHashes.get(name)}`,
    });
    const hash = requestHash(hashedRequest);
    const formerHashes = formerRequestHashes(hashedRequest);
    const place = locations.place(video.name);
    const outputPath = place.video;
    const takeCount = options.takes ?? video.takes ?? storyboard.defaults?.takes ?? 1;
    videos.push({
      name: video.name,
      spec,
      hashedRequest,
      requestHash: hash,
      price: priceVideo(spec),
      outputPath,
      place,
      takeCount,
      frameReferences,
      web: video.web ?? storyboard.defaults?.web ?? false,
      ...(await videoTakes(hash, formerHashes, place, takeCount, options)),
    });
  }

  continueWhatIsMadeAnew(videos);
  const toRender = videos.filter((v) => v.state.kind === 'to-render');
  const toPay = toRender.flatMap((v) => v.takes.filter((t) => t.state.kind === 'to-render').map(() => v.price));
  const neededElements = [...new Set(toRender.flatMap((v) => v.spec.elements ?? []))]
    .map((name) => {
      const definitionHash = elementHashes.get(name)!;
      return { element: elementsByName.get(name)!, definitionHash, elementId: options.knownElements?.get(definitionHash) };
    })
    .filter((e) => e.element !== undefined);
  const newElements = neededElements.filter((e) => e.elementId === undefined);
  const elementCosts: ElementCost[] = [...new Set(videos.flatMap((v) => v.spec.elements ?? []))]
    .filter((name) => elementsByName.has(name))
    .map((name) => {
      const definitionHash = elementHashes.get(name)!;
      return { name, definitionHash, elementId: options.knownElements?.get(definitionHash), usd: parseAmount(ELEMENT_PRICE.usd), credits: parseAmount(ELEMENT_PRICE.credits) };
    });
  const everyTake = videos.flatMap((v) => Array.from({ length: v.takeCount }, () => v.price));
  return {
    storyboardPath: options.storyboardPath,
    workspaceRoot: options.workspaceRoot,
    outputDir,
    locations,
    videos,
    elements: neededElements,
    cost: totalPrice(toPay, newElements.length),
    fullCost: totalPrice(everyTake),
    elementCosts,
    fullCostWithElements: totalPrice(everyTake, elementCosts.length),
  };
}

/**
 * A video that continues one this render makes anew is to render too, and priced with it: its sidecar names the
 * source as it was, so it would be out of date once the source is saved (a render makes the source first, then
 * takes the frame: renderStoryboard). One under way or of unknown outcome is left as it is.
 */
function continueWhatIsMadeAnew(videos: PlannedVideo[]): void {
  const byName = new Map(videos.map((v) => [v.name, v]));
  for (const video of sourcesFirst(videos)) {
    if (video.state.kind !== 'up-to-date') continue;
    const remade = [...video.frameReferences.values()].some((reference) => byName.get(reference.from)?.state.kind === 'to-render');
    if (!remade) continue;
    const toRender = { kind: 'to-render' as const };
    const takes = Array.from({ length: video.takeCount }, (_, i) => i + 1).filter((take) => !video.takes.some((t) => t.take === take));
    video.takes = [...video.takes, ...takes.map((take) => ({ take, state: toRender }))].sort((a, b) => a.take - b.take);
    video.state = toRender;
  }
}

/**
 * The state of each of a video's takes, and of the video as a whole. Every take's claim is looked at, up to the most
 * a render makes, so a take under way from an earlier render with more takes is followed, never created again.
 */
async function videoTakes(hash: string, formerHashes: readonly string[], place: VideoPlace, takeCount: number, options: PlanOptions): Promise<Pick<PlannedVideo, 'state' | 'takes'>> {
  const takes: PlannedTake[] = [];
  let chosenMatches: Promise<boolean> | undefined;
  // The sidecar in the records folder, else beside the video where it was before a `metadata` folder was named.
  const upToDate = () => (chosenMatches ??= isUpToDate(place, hash, formerHashes));
  for (let take = 1; take <= Math.max(MAX_TAKES, takeCount); take++) {
    const state = await videoState(hash, place, options, upToDate, take);
    if (state.kind === 'in-flight' || (take <= takeCount && state.kind !== 'up-to-date')) takes.push({ take, state });
  }
  const first = (kind: VideoPlanState['kind']) => takes.find((t) => t.state.kind === kind)?.state;
  const state = first('to-render') ?? first('in-flight') ?? first('unknown-outcome') ?? { kind: 'up-to-date' as const };
  return { state, takes };
}

/** What a plan shows of a video whose claim cannot be read: no task to name, only the file. */
const UNREADABLE_ENTRY: JournalEntry = {
  id: 'unreadable-claim',
  kind: 'video',
  label: '',
  request: {},
  requestHash: '',
  price: { seconds: 0, usd: '0', credits: '0' },
  backend: { kind: 'simulator' },
  state: { status: 'unknown', reason: '' },
  polls: 0,
  createdAt: 0,
  updatedAt: 0,
};

/** One take's state; `upToDate` says whether the chosen video is of this request (the up-to-date check reads only it). */
async function videoState(hash: string, place: VideoPlace, options: PlanOptions, upToDate: () => Promise<boolean>, take: number): Promise<VideoPlanState> {
  const outputPath = place.video;
  const now = options.now ?? Date.now();
  // Entries of this take: their claim says which; an entry without a claim (an older journal's) is take 1.
  const same = (options.journal ?? []).filter(
    (e) => e.outputPath === outputPath && e.requestHash === hash && (e.claim ? takeOfClaimKey(e.claim.key, outputPath) : 1) === take,
  );
  const claimRef = options.backend ? videoClaimRef(place, hash, options.backend, take) : undefined;
  const read = claimRef ? await readClaimFile(claimRef) : undefined;
  if (read?.kind === 'unreadable' && !options.force) {
    // It may stand for a paid task: never priced and created over, unless forced.
    const entry = same[0] ?? { ...UNREADABLE_ENTRY, backend: options.backend!, outputPath, requestHash: hash };
    return { kind: 'unknown-outcome', entry: { ...entry, state: { status: 'unknown', reason: `its claim ${read.file} cannot be read (${read.problem}); it may stand for a task already paid for` } } };
  }
  const claim = read?.kind === 'claim' ? read.claim : undefined;
  if (claimRef && claim && read?.kind === 'claim') {
    const entry = same.find((e) => e.id === claim.entry.id || (e.claim?.key === claimRef.key && e.claim.generation === claim.generation)) ?? claim.entry;
    const s = claim.entry.state;
    const inFlight: VideoPlanState = { kind: 'in-flight', entry, claim: claimRef };
    switch (s.status) {
      case 'submitting':
        if (!isClaimOwnerGone(claim, now, read.writtenAt)) return inFlight;
        if (options.force) return { kind: 'to-render' };
        return { kind: 'unknown-outcome', entry: { ...entry, state: { status: 'unknown', reason: `${claim.owner.tool ?? `process ${claim.owner.pid}`} stopped while it was sending the create; a task may have been created and charged` } } };
      case 'unknown':
        if (claim.entry.taskId !== undefined) return inFlight;
        return options.force ? { kind: 'to-render' } : { kind: 'unknown-outcome', entry };
      case 'pending':
      case 'processing':
      case 'downloading':
      case 'completed':
        return inFlight;
      case 'saved':
        if (!options.force && (await upToDate())) return { kind: 'up-to-date' };
        if (!options.force && claim.entry.completedAt !== undefined && now < claim.entry.completedAt + RESULT_LINK_TTL_MS) return inFlight;
        return { kind: 'to-render' };
      case 'failed':
      case 'expired':
        break;
    }
  }
  // A completed task whose download failed is still paid for and fetched again while its link lasts.
  const pending = (e: JournalEntry) => isDownloadPending(e) && (e.completedAt ?? now) + RESULT_LINK_TTL_MS > now;
  const running = same.find((e) => !hasEnded(e) || pending(e));
  if (running) return { kind: 'in-flight', entry: running, claim: running.claim ? { dir: running.claim.dir, key: running.claim.key } : undefined };
  if (!options.force && (await upToDate())) return { kind: 'up-to-date' };
  const unknown = same.find((e) => e.state.status === 'unknown' && e.taskId === undefined);
  if (unknown && !options.force) return { kind: 'unknown-outcome', entry: unknown };
  return { kind: 'to-render' };
}

/** The estimate in the shape of `kling estimate --json`. */
export function estimateJson(plan: Pick<StoryboardPlan, 'videos' | 'fullCost'>) {
  return {
    videos: plan.videos.map((v) => ({
      name: v.name,
      seconds: v.price.seconds,
      quality: v.price.quality,
      sound: v.price.sound,
      usd: Number(formatAmount(v.price.usd)),
      credits: Number(formatAmount(v.price.credits)),
      // Only for a video of several takes: usd and credits are one take's, the total counts them all.
      ...(v.takeCount > 1 ? { takes: v.takeCount } : {}),
    })),
    total: { usd: Number(formatAmount(plan.fullCost.usd)), credits: Number(formatAmount(plan.fullCost.credits)), seconds: plan.fullCost.seconds },
  };
}
