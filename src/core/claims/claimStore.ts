import { createHash } from 'node:crypto';
import { mkdir, readdir, readFile, rm } from 'node:fs/promises';
import * as path from 'node:path';
import * as z from 'zod/mini';
import { FileLock } from '../fs/fileLock';
import { assertInsideRoot } from '../fs/workspaceBoundary';
import { writeAtomically } from '../fs/writeAtomically';
import { JournalEntry } from '../journal/taskState';
import { isOwnerGone, ProcessOwner } from '../process/processOwner';

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
  /** An earlier create's outcome is unknown: a task may exist and be charged; not created again unless forced. */
  | { kind: 'unknown'; claim: Claim }
  /** It would have to be created, but the caller did not allow it (its price was not shown). */
  | { kind: 'refused'; claim: Claim | undefined; reason: string };

export interface AcquireOptions {
  /** Create anew even over a saved result or an unknown outcome (never over a live task). */
  force?: boolean | undefined;
  /** Whether a create may be decided; false for a video whose price the user was not asked to pay. */
  mayCreate?: boolean | undefined;
  /** How long a completed task's result link lasts (24 h). */
  linkTtlMs: number;
}

/** An owner on another machine that has not written its claim for this long is taken for gone. */
export const CLAIM_SILENT_MS = 10 * 60_000;

/**
 * Where the claim for a video (or an ad-hoc generation) saved at `outputPath` with this request lives. `take` is the
 * place of the task among the takes one render makes of the video (`"takes": 3` makes takes 1, 2 and 3): each is
 * claimed apart, so each is created once. Take 1's key is the key of a video before takes existed.
 */
export function videoClaimRef(outputPath: string, requestHash: string, backend: JournalEntry['backend'], take = 1): ClaimRef {
  const slot = take > 1 ? `.take${take}` : '';
  return { dir: path.dirname(outputPath), key: `${path.basename(outputPath)}${slot}.${backendTag(backend)}.${shortHash(requestHash)}` };
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

/** Tasks of the simulator and of each API address are different tasks, even for the same request. */
function backendTag(backend: JournalEntry['backend']): string {
  if (backend.kind === 'simulator') return 'sim';
  return `api-${createHash('sha256').update(backend.baseUrl ?? '').digest('hex').slice(0, 6)}`;
}

export function claimFile(ref: ClaimRef): string {
  return path.join(ref.dir, `.${ref.key}${CLAIM_SUFFIX}`);
}

/** Whether the claim's owner is gone (no such process here, or silent too long elsewhere). */
export function isClaimOwnerGone(claim: Claim, now: number): boolean {
  return isOwnerGone(claim.owner, claim.ownerSeenAt, now, CLAIM_SILENT_MS);
}

/** Reads a claim without locking: what another process wrote last, or undefined. */
export async function readClaim(ref: ClaimRef): Promise<Claim | undefined> {
  let text: string;
  try {
    text = await readFile(claimFile(ref), 'utf8');
  } catch {
    return undefined;
  }
  try {
    const parsed = Claim.safeParse(JSON.parse(text));
    return parsed.success ? parsed.data : undefined;
  } catch {
    return undefined;
  }
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
      const current = await readClaim(ref);
      const create = async (reason: string): Promise<ClaimDecision> => {
        if (options.mayCreate === false) return { kind: 'refused', claim: current, reason };
        const claim = this.make(ref, (current?.generation ?? 0) + 1, entry, now);
        await this.write(ref, claim);
        return { kind: 'create', claim };
      };
      if (!current) return create('nothing has been created for it yet');
      const state = current.entry.state;
      const gone = isClaimOwnerGone(current, now);
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
   * has made it its own meanwhile (it judged us gone): the caller stops driving the task.
   */
  async update(ref: ClaimRef, generation: number, entry: JournalEntry): Promise<boolean> {
    return this.locked(ref, async () => {
      const current = await readClaim(ref);
      if (!current || current.generation !== generation || current.owner.token !== this.owner.token) return false;
      await this.write(ref, { ...current, entry, ownerSeenAt: this.now() });
      return true;
    });
  }

  /** Removes our claim once the video is saved: its sidecar now says what was made. */
  async remove(ref: ClaimRef, generation: number): Promise<void> {
    await this.locked(ref, async () => {
      const current = await readClaim(ref);
      if (current && current.generation === generation && current.owner.token === this.owner.token) {
        await rm(claimFile(ref), { force: true });
      }
    });
  }

  /** Makes a claim whose owner is gone ours (or returns undefined if it is not gone, or changed meanwhile). */
  async adopt(ref: ClaimRef, generation: number): Promise<Claim | undefined> {
    return this.locked(ref, async () => {
      const current = await readClaim(ref);
      const now = this.now();
      if (!current || current.generation !== generation || !isClaimOwnerGone(current, now)) return undefined;
      const decision = await this.takeOver(ref, current, false, now);
      return decision.claim;
    });
  }

  /** Marks a claim whose sender is gone as unknown (used when a journal finds such an entry at start). */
  async markUnknown(ref: ClaimRef, generation: number): Promise<Claim | undefined> {
    return this.locked(ref, async () => {
      const current = await readClaim(ref);
      if (!current || current.generation !== generation || current.entry.state.status !== 'submitting') return current;
      if (!isClaimOwnerGone(current, this.now())) return current;
      const lost = this.markLost(current, this.now());
      await this.write(ref, lost);
      return lost;
    });
  }

  private async takeOver(ref: ClaimRef, current: Claim, refetch: boolean, now: number): Promise<ClaimDecision> {
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
