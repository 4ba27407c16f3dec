import { createHash } from 'node:crypto';
import { mkdir, readdir, rm, stat } from 'node:fs/promises';
import * as path from 'node:path';
import * as z from 'zod/mini';
import { readSidecar } from '../download/sidecar';
import { FileLock } from '../fs/fileLock';
import { openRegularFile } from '../fs/openRegularFile';
import { assertInsideRoot } from '../fs/workspaceBoundary';
import { writeAtomically } from '../fs/writeAtomically';
import { isDownloadPending, JournalEntry } from '../journal/taskState';
import { livenessOf, ProcessOwner } from '../process/processOwner';
import { DEFAULT_BASE_URL } from '../api/klingClient';
import { errorText } from '../text/errorText';
import { placeOf, type VideoRef } from '../records/videoLocations';

// A claim is the record, beside the result, that one process is making one video (or element): every process that
// renders into the same folder (two terminals, the CLI and a VS Code window, two windows) looks there before it
// creates anything, whatever journal it keeps. It names the process that drives the task and carries a copy of its
// journal entry, so another process can show the task, follow it to its end, and take it over when its owner is gone.
// A claim is a hidden file beside the result, like the partial download, and goes once the video is saved (the
// sidecar then says what was made): a finished output folder holds only videos and sidecars. Claims that say
// something the user must know stay: an unknown outcome, a failure, a download still to do.
// Layout and life cycle: docs/architecture.md, "Claims".

export const ClaimRef = z.object({
  /** The folder that holds the claim: the result's folder. */
  dir: z.string(),
  /** What it is for, on which backend, for which request; the file is `.<key>.claim`. */
  key: z.string(),
});
/**
 * A claim's place, and the workspace it must stay in: its folder is checked by real path before anything is written
 * there (a folder swapped for a link must not lead a claim or its lock outside). The root is not stored with it.
 */
export type ClaimRef = z.infer<typeof ClaimRef> & { root?: string | undefined };

const CLAIM_SUFFIX = '.claim';
const LOCK_FILE = '.kling-claims.lock';

export const Claim = z.object({
  version: z.literal(1),
  key: z.string(),
  /** Grows by one each time the claim is made anew for a new task (after a failure, or when forced). */
  generation: z.number(),
  /** The process driving the task: it polls, downloads and writes here. */
  owner: ProcessOwner,
  /** When the owner last wrote: for an owner on another machine, silence is the only sign that it is gone. */
  ownerSeenAt: z.number(),
  /** The driving process's journal entry, as of `ownerSeenAt`. */
  entry: JournalEntry,
});
export type Claim = z.infer<typeof Claim>;

export type ClaimDecision =
  /** Ours, recorded as `submitting`: send the create now. */
  | { kind: 'create'; claim: Claim }
  /** A live process is making it: follow that task, create nothing. */
  | { kind: 'follow'; claim: Claim }
  /** Its owner is gone and a task exists: drive it from here (`refetch`: the video was saved, fetch it again). */
  | { kind: 'take-over'; claim: Claim; refetch: boolean }
  /** Already made and still usable (an element with its id). */
  | { kind: 'done'; claim: Claim }
  /**
   * No claim, but the result is on disk with this very request: another process made and saved it since the caller
   * looked (its claim goes once the video is saved). Nothing to create.
   */
  | { kind: 'saved'; taskId: string; filePath: string }
  /** An earlier create's outcome is unknown: a task may exist and be charged; not created again unless forced. */
  | { kind: 'unknown'; claim: Claim }
  /** It would have to be created, but the caller did not allow it (its price was not shown). */
  | { kind: 'refused'; claim: Claim | undefined; reason: string }
  /**
   * A claim file is there but cannot be read (cut short, written by a newer version, not a regular file): it may
   * stand for a paid task, so nothing is created over it unless forced.
   */
  | { kind: 'unreadable'; file: string; problem: string };

export interface AcquireOptions {
  /** Create anew even over a saved result or an unknown outcome (never over a live task). */
  force?: boolean | undefined;
  /** Whether a create may be decided; false for a video whose price the user was not asked to pay. */
  mayCreate?: boolean | undefined;
  /** How long a completed task's result link lasts (24 h). */
  linkTtlMs: number;
}

/**
 * An owner that has not written its claim for this long is taken for gone: one on another machine (a network
 * folder), and one of this machine that is stopped (Ctrl-Z, a debugger) rather than dead. A live owner writes at
 * least every CLAIM_HEARTBEAT_MS (TaskEngine), news or not.
 */
export const CLAIM_SILENT_MS = 10 * 60_000;
export const CLAIM_HEARTBEAT_MS = 60_000;
/** A claim is a few kilobytes; anything much larger is not one. */
const CLAIM_MAX_BYTES = 1024 * 1024;

/**
 * Where the claim for a video (or an ad-hoc generation) saved at `outputPath` with this request lives. `take` is the
 * place of the task among the takes one render makes of the video (`"takes": 3` makes takes 1, 2 and 3): each is
 * claimed apart, so each is created once. Take 1's key is the key of a video before takes existed.
 */
export function videoClaimRef(video: VideoRef, requestHash: string, backend: JournalEntry['backend'], take = 1, pathApi: path.PlatformPath = path): ClaimRef {
  const slot = take > 1 ? `.take${take}` : '';
  // In the video's records folder (videoLocations.ts): beside it, or in its storyboard's metadata folder.
  const dir = typeof video === 'string' ? pathApi.dirname(video) : placeOf(video).recordsDir;
  const outputPath = typeof video === 'string' ? video : video.video;
  return { dir, key: `${pathApi.basename(outputPath)}${slot}.${backendTag(backend)}.${shortHash(requestHash)}` };
}

/** Which take of a render a video claim's key is for (see videoClaimRef); 1 for a key without one. */
export function takeOfClaimKey(key: string, outputPath: string): number {
  const rest = key.startsWith(path.basename(outputPath)) ? key.slice(path.basename(outputPath).length) : key;
  const match = /^\.take(\d+)\./.exec(rest);
  return match ? Number(match[1]) : 1;
}

/** Where the claim for an element of a storyboard whose results go to `outputDir` lives. */
export function elementClaimRef(outputDir: string, definitionHash: string, backend: JournalEntry['backend']): ClaimRef {
  return { dir: outputDir, key: `element.${backendTag(backend)}.${shortHash(definitionHash)}` };
}

/** Enough of a hash to tell requests apart in a file name (`sha256:` and the like left out). */
function shortHash(hash: string): string {
  return hash.replace(/^[a-z0-9]+:/, '').slice(0, 16);
}

/**
 * Tasks of the simulator and of each API address are different tasks, even for the same request. The address is
 * normalised (the default filled in, no trailing slash, the host's case), so that the CLI (no KLING_BASE_URL) and the
 * editor (its default setting) name the same claim for the same service.
 */
function backendTag(backend: JournalEntry['backend']): string {
  if (backend.kind === 'simulator') return 'sim';
  return `api-${createHash('sha256').update(normalBaseUrl(backend.baseUrl)).digest('hex').slice(0, 6)}`;
}

function normalBaseUrl(baseUrl: string | undefined): string {
  const text = (baseUrl?.trim() || DEFAULT_BASE_URL).replace(/\/+$/, '');
  try {
    const url = new URL(text);
    return `${url.protocol}//${url.host}${url.pathname.replace(/\/+$/, '')}`.toLowerCase();
  } catch {
    return text.toLowerCase();
  }
}

export function claimFile(ref: ClaimRef, pathApi: path.PlatformPath = path): string {
  return pathApi.join(ref.dir, `.${ref.key}${CLAIM_SUFFIX}`);
}

/**
 * Whether the claim's owner is gone: no such process here, or silent for CLAIM_SILENT_MS (stopped, or on another
 * machine). The last word is the older of what the claim says and when its file was written, so a claim that says
 * it was written in the future (copied, or planted) does not keep its owner alive.
 */
export function isClaimOwnerGone(claim: Claim, now: number, fileWrittenAt?: number): boolean {
  if (livenessOf(claim.owner) === 'gone') return true;
  const lastWord = fileWrittenAt === undefined ? claim.ownerSeenAt : Math.min(claim.ownerSeenAt, fileWrittenAt);
  return now - lastWord > CLAIM_SILENT_MS;
}

export type ClaimRead =
  | { kind: 'none' }
  | { kind: 'claim'; claim: Claim; writtenAt: number }
  | { kind: 'unreadable'; file: string; problem: string };

/**
 * Reads a claim without locking, as another process last wrote it. Opened as a regular file only (never through a
 * link, never a FIFO that would hang), and checked against its schema: what cannot be read is said, not ignored.
 */
export async function readClaimFile(ref: ClaimRef): Promise<ClaimRead> {
  const file = claimFile(ref);
  let text: string;
  let writtenAt: number;
  try {
    const handle = await openRegularFile(file, 'read');
    try {
      const stats = await handle.stat();
      if (stats.size > CLAIM_MAX_BYTES) return { kind: 'unreadable', file, problem: `it is ${stats.size} bytes, too large to be a claim` };
      writtenAt = stats.mtimeMs;
      text = await handle.readFile('utf8');
    } finally {
      await handle.close();
    }
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return { kind: 'none' };
    return { kind: 'unreadable', file, problem: errorText(error) };
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    return { kind: 'unreadable', file, problem: 'it is not JSON (cut short?)' };
  }
  const parsed = Claim.safeParse(json);
  if (!parsed.success) return { kind: 'unreadable', file, problem: 'it is not a claim this version can read (a newer version\'s?)' };
  return { kind: 'claim', claim: parsed.data, writtenAt };
}

/** A claim as another process last wrote it, or undefined (none, or unreadable). */
export async function readClaim(ref: ClaimRef): Promise<Claim | undefined> {
  const read = await readClaimFile(ref);
  return read.kind === 'claim' ? read.claim : undefined;
}

/** Every readable claim in a claims folder. */
export async function listClaims(dir: string): Promise<Array<{ ref: ClaimRef; claim: Claim }>> {
  let names: string[];
  try {
    names = await readdir(dir);
  } catch {
    return [];
  }
  const found = await Promise.all(
    names
      .filter((name) => name.startsWith('.') && name.endsWith(CLAIM_SUFFIX))
      .map(async (name) => {
        const ref = { dir, key: name.slice(1, -CLAIM_SUFFIX.length) };
        const claim = await readClaim(ref);
        return claim ? { ref, claim } : undefined;
      }),
  );
  return found.filter((c): c is { ref: ClaimRef; claim: Claim } => c !== undefined);
}

/**
 * Claims as one owner sees them. Every decision and change is made under the claims folder's lock, on what is on
 * disk at that moment, so two processes deciding at once cannot both create.
 */
export class ClaimStore {
  /** Claims this store removed (key and generation): a late write about the same task must not bring them back. */
  private readonly retired = new Set<string>();

  constructor(
    private readonly owner: ProcessOwner,
    private readonly now: () => number,
  ) {}

  /**
   * Decides what to do about a video (or element) `entry` would create, and records it: a claim `submitting` in
   * `entry`'s name when it is to be created (or taken over), nothing otherwise.
   */
  async acquire(ref: ClaimRef, entry: JournalEntry, options: AcquireOptions): Promise<ClaimDecision> {
    return this.locked(ref, async () => {
      const now = this.now();
      const read = await readClaimFile(ref);
      if (read.kind === 'unreadable' && !options.force) return { kind: 'unreadable', file: read.file, problem: read.problem };
      const current = read.kind === 'claim' ? read.claim : undefined;
      const create = async (reason: string): Promise<ClaimDecision> => {
        if (options.mayCreate === false) return { kind: 'refused', claim: current, reason };
        // Generations only grow, across runs too (a claim removed and made anew must not be taken for the old one).
        const claim = this.make(ref, Math.max((current?.generation ?? 0) + 1, now), entry, now);
        await this.write(ref, claim);
        return { kind: 'create', claim };
      };
      if (!current) {
        // A process that saved this video removed its claim after writing the sidecar: under this lock, one of the
        // two is always there. Unless forced, a result with the same request is never paid for again.
        const saved = options.force ? undefined : await savedResult(entry, ref);
        if (saved) return { kind: 'saved', ...saved };
        return create(read.kind === 'unreadable' ? 'forced over a claim that could not be read' : 'nothing has been created for it yet');
      }
      const state = current.entry.state;
      const gone = isClaimOwnerGone(current, now, read.kind === 'claim' ? read.writtenAt : undefined);
      switch (state.status) {
        case 'submitting': {
          if (!gone) return { kind: 'follow', claim: current };
          // Its owner stopped while the create was on its way: a task may exist and be charged.
          const lost = this.markLost(current, now);
          await this.write(ref, lost);
          return options.force ? create('forced') : { kind: 'unknown', claim: lost };
        }
        case 'unknown':
          if (current.entry.taskId !== undefined) return gone ? this.takeOver(ref, current, false, now) : { kind: 'follow', claim: current };
          return options.force ? create('forced') : { kind: 'unknown', claim: current };
        case 'pending':
        case 'processing':
        case 'downloading':
          return gone ? this.takeOver(ref, current, false, now) : { kind: 'follow', claim: current };
        case 'completed':
          if (state.elementId !== undefined) return { kind: 'done', claim: current };
          return gone ? this.takeOver(ref, current, false, now) : { kind: 'follow', claim: current };
        case 'saved':
          // Its owner saved the video and stopped before removing the claim; the caller found the file missing or
          // changed. Within the link's life it is fetched again, not paid for again.
          if (!options.force && current.entry.completedAt !== undefined && now < current.entry.completedAt + options.linkTtlMs) {
            return this.takeOver(ref, current, true, now);
          }
          return create(options.force ? 'forced' : 'its result is gone and its link has expired');
        case 'failed':
        case 'expired':
          return create(`its last task ${state.status === 'failed' ? 'failed' : 'expired'}`);
      }
    }, true);
  }

  /**
   * Records `entry` as the claim's state, if the claim is still ours at `generation`. False when another process
   * has made it its own meanwhile (it judged us gone): the caller stops driving the task. A claim that went (the
   * folder was cleaned) is written again: the task is still ours, and other processes must go on seeing it.
   */
  async update(ref: ClaimRef, generation: number, entry: JournalEntry): Promise<boolean> {
    return this.locked(ref, async () => {
      const read = await readClaimFile(ref);
      const now = this.now();
      if (read.kind === 'none') {
        // Gone under a live task (the folder was cleaned): written again so others follow instead of paying again;
        // gone because we ended it: a late write (a heartbeat, a progress event) has nothing to say.
        if (this.retired.has(`${claimFile(ref)}#${generation}`)) return true;
        // Gone because another process (kling download taking a pending download over) saved this very task: the
        // claim is not ours any more, and writing it back would say a live process is still fetching a saved video.
        if (entry.taskId !== undefined && entry.outputPath && (await readSidecar({ video: entry.outputPath, recordsDir: ref.dir }))?.taskId === entry.taskId) return false;
        await this.write(ref, this.make(ref, generation, entry, now));
        return true;
      }
      if (read.kind === 'unreadable') return false;
      const current = read.claim;
      if (current.generation !== generation || current.owner.token !== this.owner.token) return false;
      await this.write(ref, { ...current, entry: { ...entry, owner: this.owner }, ownerSeenAt: now });
      return true;
    });
  }

  /** Removes our claim once the video is saved: its sidecar now says what was made. */
  async remove(ref: ClaimRef, generation: number): Promise<void> {
    await this.locked(ref, async () => {
      const current = await readClaim(ref);
      this.retired.add(`${claimFile(ref)}#${generation}`);
      if (current && current.generation === generation && current.owner.token === this.owner.token) {
        await rm(claimFile(ref), { force: true });
      }
    });
  }

  /**
   * Makes a claim whose owner is gone ours (or returns undefined if it is not gone, or changed meanwhile).
   * `pendingDownload`: the user asked to fetch a paid video now (Download Again, `kling download`); a claim whose
   * download is pending is taken even from a live owner, which only waits for its next try (it follows from then on).
   */
  async adopt(ref: ClaimRef, generation: number | undefined, options: { pendingDownload?: boolean } = {}): Promise<Claim | undefined> {
    return this.locked(ref, async () => {
      const read = await readClaimFile(ref);
      if (read.kind !== 'claim') return undefined;
      const current = read.claim;
      const now = this.now();
      if (generation !== undefined && current.generation !== generation) return undefined;
      const stealable = options.pendingDownload === true && isDownloadPending(current.entry);
      if (!stealable && !isClaimOwnerGone(current, now, read.writtenAt)) return undefined;
      const decision = await this.takeOver(ref, current, false, now);
      return decision.claim;
    });
  }

  /** Marks a claim whose sender is gone as unknown (used when a journal finds such an entry at start). */
  async markUnknown(ref: ClaimRef, generation: number): Promise<Claim | undefined> {
    return this.locked(ref, async () => {
      const read = await readClaimFile(ref);
      const current = read.kind === 'claim' ? read.claim : undefined;
      if (!current || current.generation !== generation || current.entry.state.status !== 'submitting') return current;
      if (read.kind === 'claim' && !isClaimOwnerGone(current, this.now(), read.writtenAt)) return current;
      const lost = this.markLost(current, this.now());
      await this.write(ref, lost);
      return lost;
    });
  }

  private async takeOver(ref: ClaimRef, current: Claim, refetch: boolean, now: number): Promise<Extract<ClaimDecision, { kind: 'take-over' }>> {
    const claim: Claim = { ...current, owner: this.owner, ownerSeenAt: now, entry: { ...current.entry, owner: this.owner } };
    await this.write(ref, claim);
    return { kind: 'take-over', claim, refetch };
  }

  private markLost(claim: Claim, now: number): Claim {
    const who = `process ${claim.owner.pid}${claim.owner.tool ? ` (${claim.owner.tool})` : ''}`;
    const reason = `${who} stopped while it was sending the create; a task may have been created and charged`;
    return { ...claim, entry: { ...claim.entry, state: { status: 'unknown', reason }, updatedAt: now } };
  }

  private make(ref: ClaimRef, generation: number, entry: JournalEntry, now: number): Claim {
    return { version: 1, key: ref.key, generation, owner: this.owner, ownerSeenAt: now, entry: { ...entry, owner: this.owner } };
  }

  private async write(ref: ClaimRef, claim: Claim): Promise<void> {
    await writeAtomically(claimFile(ref), `${JSON.stringify(claim, null, 1)}\n`, { root: ref.root });
  }

  /**
   * Runs `work` under the folder's lock. Only a new claim makes the folder; a change to an existing one finds it
   * there, or fails (the folder was deleted or replaced) rather than make it anew somewhere it should not be.
   */
  private async locked<T>(ref: ClaimRef, work: () => Promise<T>, makeFolder = false): Promise<T> {
    if (ref.root) await assertInsideRoot(ref.dir, ref.root, 'the output folder');
    if (makeFolder) await mkdir(ref.dir, { recursive: true });
    return new FileLock(path.join(ref.dir, LOCK_FILE), { owner: this.owner, createFolder: false }).with(work);
  }
}

/**
 * The video `entry` would make, already saved with its sidecar (same request hash, whole file). Only for the first
 * take of a render: the chosen video is one take, so it says nothing of a render's second or third take (renderStoryboard
 * holds those back when another process made the first), nor of a take asked for beside it on purpose (Regenerate).
 */
async function savedResult(entry: JournalEntry, ref: ClaimRef): Promise<{ taskId: string; filePath: string } | undefined> {
  if (entry.kind !== 'video' || !entry.outputPath || entry.keepChosen) return undefined;
  if (takeOfClaimKey(ref.key, entry.outputPath) > 1) return undefined;
  // The claim is in the video's records folder, where its sidecar is too (videoLocations.ts).
  const sidecar = await readSidecar({ video: entry.outputPath, recordsDir: ref.dir });
  if (!sidecar || sidecar.requestHash !== entry.requestHash) return undefined;
  const size = await stat(entry.outputPath).then((s) => (s.isFile() ? s.size : -1), () => -1);
  return size === sidecar.bytes ? { taskId: sidecar.taskId, filePath: entry.outputPath } : undefined;
}
