import { randomBytes } from 'node:crypto';
import type { Stats } from 'node:fs';
import { link, lstat, mkdir, readdir, rename, rm } from 'node:fs/promises';
import * as path from 'node:path';
import { isUpToDate, loadSidecar, readSidecar, sidecarPathOf, writeSidecar, type Sidecar } from '../download/sidecar';
import { FileLock } from '../fs/fileLock';
import { openRegularFile } from '../fs/openRegularFile';
import { assertInsideRoot, checkInsideRoot } from '../fs/workspaceBoundary';
import { syncFolder } from '../fs/writeAtomically';
import { newOwner, releaseOwner, type ProcessOwner } from '../process/processOwner';
import { takeFileName, takesDirOf, timeStamp } from './takeLayout';
import { placeOf, type VideoRef } from '../records/videoLocations';

// A video's takes on disk, and the one operation that changes which is chosen. The chosen file `<name>.mp4` is a hard
// link to one take (a copy where the file system has no hard links): it costs no space, and it is replaced by a rename,
// so a reader always finds a whole video there, the old one or the new one. Its sidecar is a copy of the take's,
// written just after it. Every change is made under a lock in the video's takes folder, so two takes landing at
// once (two downloads, two processes) cannot both become the chosen one. See docs/architecture.md, "Takes".

export interface Take {
  /** 1 for the oldest take, counting up. */
  index: number;
  /** The take's file; for a chosen video not kept as a take (made before takes existed), the video itself. */
  path: string;
  sidecar: Sidecar | undefined;
  /** Why its sidecar cannot be used, when it has one that cannot. */
  sidecarProblem: string | undefined;
  /** It is the video at the storyboard's path. */
  chosen: boolean;
  /** It has its own file among the takes; false only for a chosen video that has none yet. */
  kept: boolean;
  bytes: number;
  /** When its task was created (its sidecar), else when the file was last written. ISO 8601. */
  createdAt: string;
}

export interface TakeList {
  videoPath: string;
  takesDir: string;
  /** Oldest first. */
  takes: Take[];
  chosen: Take | undefined;
  /** Why the takes folder was not read (it leads out of the workspace). */
  problem: string | undefined;
}

export interface TakeOptions {
  /** The workspace the video and its takes must stay in (checked by real path before anything is read or written). */
  root?: string | undefined;
  /** Who holds the lock while the chosen take changes; a new owner of this process by default. */
  owner?: ProcessOwner | undefined;
}

export interface LandOptions extends TakeOptions {
  /** Choose the take only if there is no video at all (a take made on request, to compare). */
  onlyIfNone?: boolean | undefined;
}

const LOCK_FILE = '.choose.lock';
/** Errors of `link` that mean "this file system makes no hard links here": the take is copied instead. */
const NO_HARD_LINKS = new Set(['EPERM', 'ENOTSUP', 'EOPNOTSUPP', 'EXDEV', 'EMLINK', 'ENOSYS']);

/** The takes of the video at `videoPath`, oldest first, and which one is chosen. */
export async function listTakes(video: VideoRef, options: { root?: string | undefined } = {}): Promise<TakeList> {
  const videoPath = placeOf(video).video;
  const takesDir = takesDirOf(video);
  const list: TakeList = { videoPath, takesDir, takes: [], chosen: undefined, problem: undefined };
  const chosenStats = await regularStats(videoPath);
  const chosenSidecar = chosenStats ? await readSidecar(video) : undefined;
  let files: string[] = [];
  const inside = options.root ? await checkInsideRoot(takesDir, options.root) : { inside: true as const };
  if (!inside.inside) list.problem = `the takes folder leads outside the workspace (${inside.reason})`;
  else files = await readdir(takesDir).catch(() => []);

  const takes: Array<Omit<Take, 'index'>> = [];
  for (const name of files.filter((n) => !n.startsWith('.') && n.toLowerCase().endsWith('.mp4'))) {
    const file = path.join(takesDir, name);
    const stats = await regularStats(file);
    if (!stats) continue;
    const read = await loadSidecar(file);
    const sidecar = read.kind === 'found' ? read.sidecar : undefined;
    const chosen =
      chosenStats !== undefined &&
      ((stats.dev === chosenStats.dev && stats.ino === chosenStats.ino) ||
        (sidecar !== undefined && chosenSidecar?.taskId === sidecar.taskId && stats.size === chosenStats.size));
    takes.push({
      path: file,
      sidecar,
      sidecarProblem: read.kind === 'invalid' ? read.problem : undefined,
      chosen,
      kept: true,
      bytes: stats.size,
      createdAt: sidecar?.createdAt ?? stats.mtime.toISOString(),
    });
  }
  // Two takes that both look chosen (a hand-made copy): the one sharing the file wins, else the first.
  let seenChosen = false;
  for (const take of takes) {
    if (take.chosen && seenChosen) take.chosen = false;
    seenChosen ||= take.chosen;
  }
  if (chosenStats && !seenChosen) {
    takes.push({
      path: videoPath,
      sidecar: chosenSidecar,
      sidecarProblem: undefined,
      chosen: true,
      kept: false,
      bytes: chosenStats.size,
      createdAt: chosenSidecar?.createdAt ?? chosenStats.mtime.toISOString(),
    });
  }
  takes.sort((a, b) => a.createdAt.localeCompare(b.createdAt) || path.basename(a.path).localeCompare(path.basename(b.path)));
  list.takes = takes.map((take, i) => ({ ...take, index: i + 1 }));
  list.chosen = list.takes.find((take) => take.chosen);
  return list;
}

/**
 * A take named the way a person would name it: its number (`2`), its file name, its task id (or the end of it), or
 * its path. Undefined when nothing fits, or more than one take does.
 */
export function findTake(list: TakeList, reference: string): Take | undefined {
  const ref = reference.trim();
  if (/^\d+$/.test(ref)) return list.takes.find((take) => take.index === Number(ref));
  const matches = list.takes.filter(
    (take) =>
      path.resolve(take.path) === path.resolve(ref) ||
      path.basename(take.path) === ref ||
      path.basename(take.path, '.mp4') === ref ||
      take.sidecar?.taskId === ref ||
      (ref.length >= 6 && take.sidecar?.taskId.endsWith(ref) === true),
  );
  return matches.length === 1 ? matches[0] : undefined;
}

/**
 * Makes the take at `takePath` the video at `videoPath`: the video is replaced in one rename (never missing, never
 * half written), then its sidecar. The take that was chosen stays a take (a chosen video that had no file among the
 * takes is kept there first). Returns the takes as they are after.
 */
export async function chooseTake(video: VideoRef, takePath: string, options: TakeOptions = {}): Promise<TakeList> {
  await withTakesLock(video, options, () => chooseLocked(video, takePath, options.root));
  return listTakes(video, options);
}

/**
 * A take a task has just saved: it becomes the chosen video unless a video of the same request is chosen already
 * (the first take of a render to land wins; a storyboard whose request changed gets its new video), or, with
 * `onlyIfNone`, unless there is any video. True when it was chosen.
 */
export async function landTake(video: VideoRef, takePath: string, options: LandOptions = {}): Promise<boolean> {
  return withTakesLock(video, options, async () => {
    if (options.onlyIfNone && (await regularStats(placeOf(video).video))) return false;
    const sidecar = await readSidecar(takePath);
    if (sidecar && (await isUpToDate(video, sidecar.requestHash))) return false;
    await chooseLocked(video, takePath, options.root);
    return true;
  });
}

async function withTakesLock<T>(video: VideoRef, options: TakeOptions, work: () => Promise<T>): Promise<T> {
  const videoPath = placeOf(video).video;
  const takesDir = takesDirOf(video);
  // Before the lock's folder is made: `mkdir -p` through a link to the outside would make folders there.
  if (options.root) {
    await assertInsideRoot(path.dirname(videoPath), options.root, `the folder of ${path.basename(videoPath)}`);
    await assertInsideRoot(takesDir, options.root, `the takes folder of ${path.basename(videoPath)}`);
  }
  const owner = options.owner ?? newOwner('takes');
  try {
    return await new FileLock(path.join(takesDir, LOCK_FILE), { owner }).with(work);
  } finally {
    if (!options.owner) releaseOwner(owner);
  }
}

async function chooseLocked(video: VideoRef, takePath: string, root: string | undefined): Promise<void> {
  const videoPath = placeOf(video).video;
  const takesDir = takesDirOf(video);
  if (path.resolve(path.dirname(takePath)) !== path.resolve(takesDir)) {
    throw new Error(`${path.basename(takePath)} is not a take of ${path.basename(videoPath)} (its takes are in ${takesDir}).`);
  }
  const takeSidecar = await loadSidecar(takePath);
  if (takeSidecar.kind === 'invalid') throw new Error(`The take ${path.basename(takePath)} cannot be used: its sidecar ${takeSidecar.problem}.`);
  await keepChosen(video, root);
  await placeAtomically(takePath, videoPath, root);
  if (takeSidecar.kind === 'found') await writeSidecar(video, relocated(takeSidecar.sidecar, takePath, video), { root });
  else await rm(sidecarPathOf(video), { force: true });
}

/**
 * Before the chosen video is replaced: if no take shares its file (it was made before takes existed, or the takes
 * folder was not cloned), it is linked into the takes folder with its sidecar, so that choosing never loses a video.
 */
async function keepChosen(video: VideoRef, root: string | undefined): Promise<void> {
  const videoPath = placeOf(video).video;
  const current = await listTakes(video, { root });
  const chosen = current.chosen;
  if (!chosen || chosen.kept) return;
  const sidecar = chosen.sidecar;
  const name = sidecar ? takeFileName(Date.parse(sidecar.createdAt) || Date.now(), sidecar.taskId) : `${timeStamp(Date.parse(chosen.createdAt) || Date.now())}-external.mp4`;
  const kept = path.join(current.takesDir, name);
  await placeAtomically(videoPath, kept, root);
  if (sidecar) await writeSidecar(kept, relocated(sidecar, video, kept), { root });
}

/**
 * Puts the regular file at `source` at `target` in one rename: a hard link (or copy) at a temporary name beside the
 * target, then renamed over it. The source is opened without following links, and a link is checked to lead to the
 * very file that was opened, so a link planted at the source is never what ends up at the target.
 */
async function placeAtomically(source: string, target: string, root: string | undefined): Promise<void> {
  const folder = path.dirname(target);
  const what = `the folder of ${path.basename(target)}`;
  if (root) await assertInsideRoot(folder, root, what);
  // The output folder may not exist yet when the takes are kept in a metadata folder.
  await mkdir(folder, { recursive: true });
  const temp = path.join(folder, `.${path.basename(target)}.${randomBytes(4).toString('hex')}.tmp`);
  const handle = await openRegularFile(source, 'read');
  try {
    const opened = await handle.stat();
    let linked = false;
    try {
      await link(source, temp);
      linked = true;
    } catch (error) {
      if (!NO_HARD_LINKS.has((error as NodeJS.ErrnoException).code ?? '')) throw error;
    }
    if (linked) {
      const made = await lstat(temp);
      if (!made.isFile() || made.ino !== opened.ino || made.dev !== opened.dev) {
        await rm(temp, { force: true });
        throw new Error(`${path.basename(source)} changed while it was being chosen; try again.`);
      }
    } else {
      await copyFromHandle(handle, temp);
    }
    try {
      // Again just before the rename: the folder may have been swapped for a link to the outside meanwhile.
      if (root) await assertInsideRoot(folder, root, what);
      await rename(temp, target);
    } catch (error) {
      await rm(temp, { force: true });
      throw error;
    }
  } finally {
    await handle.close();
  }
  await syncFolder(folder);
}

async function copyFromHandle(source: Awaited<ReturnType<typeof openRegularFile>>, temp: string): Promise<void> {
  const out = await openRegularFile(temp, 'create');
  try {
    const buffer = Buffer.allocUnsafe(1024 * 1024);
    for (let position = 0; ; ) {
      const { bytesRead } = await source.read(buffer, 0, buffer.length, position);
      if (bytesRead === 0) break;
      await out.write(buffer, 0, bytesRead);
      position += bytesRead;
    }
    await out.sync();
  } catch (error) {
    await out.close();
    await rm(temp, { force: true });
    throw error;
  }
  await out.close();
}

/** A sidecar moved from one video's records to another's: its storyboard path is relative to its own folder. */
export function relocated(sidecar: Sidecar, from: VideoRef, to: VideoRef): Sidecar {
  if (!sidecar.storyboard) return sidecar;
  const storyboard = path.resolve(path.dirname(sidecarPathOf(from)), sidecar.storyboard);
  return { ...sidecar, storyboard: path.relative(path.dirname(sidecarPathOf(to)), storyboard).split(path.sep).join('/') };
}

/** lstat of a regular file (not a link, folder or device), or undefined. */
async function regularStats(file: string): Promise<Stats | undefined> {
  const stats = await lstat(file).catch(() => undefined);
  return stats?.isFile() ? stats : undefined;
}
