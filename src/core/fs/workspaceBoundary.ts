import { lstat, readlink, realpath } from 'node:fs/promises';
import * as path from 'node:path';

// Whether a path stays inside a workspace, decided on the paths the kernel will really use. `path.resolve` alone is
// fooled by a symbolic link that a cloned repo carries (`media -> /etc`): the text of the path stays inside while
// every write through it lands outside. So each component is looked at with lstat, links are followed by hand (a
// dangling link counts too: what it names may be created later), and the end result is compared with the root's
// real path. A tail that does not exist yet (an output folder before the first render) is appended as it is: it
// will be created as plain folders under a parent already known to be inside.

/** A symbolic link met on the way, as found: where it is (a real path) and what it says. */
export interface LinkStep {
  at: string;
  target: string;
}

export type BoundaryCheck =
  | { inside: true; realPath: string }
  | {
      inside: false;
      /** The real path it leads to, when it could be worked out. */
      realPath: string | undefined;
      /** The link that leads out, relative to the root (`media`), with what it points to (`/etc`). */
      link: { path: string; target: string } | undefined;
      /** Why, in words: `media → /etc (a symbolic link)`, or `it is outside the workspace`. */
      reason: string;
    };

/** Links followed before giving up, as the kernel does (Linux's limit is 40). */
const MAX_LINKS = 40;

/**
 * Whether `candidate` is `root` or inside it. Both are taken as they are (no file system): give real paths. Windows
 * and macOS compare without case, as their usual file systems do; `path.win32.relative` already does.
 */
export function isWithin(root: string, candidate: string, pathApi: path.PlatformPath = path, caseInsensitive = foldsCase(pathApi)): boolean {
  const fold = (p: string) => (caseInsensitive && pathApi !== path.win32 ? p.toLowerCase() : p);
  const relative = pathApi.relative(fold(root), fold(candidate));
  if (relative === '') return true;
  if (pathApi.isAbsolute(relative)) return false; // another drive on Windows
  // `..foo` is a name inside; only `..` itself, or `..` followed by a separator, leaves.
  return relative !== '..' && !relative.startsWith(`..${pathApi.sep}`);
}

function foldsCase(pathApi: path.PlatformPath): boolean {
  return pathApi === path.win32 || (pathApi === path && (process.platform === 'win32' || process.platform === 'darwin'));
}

/**
 * The real path of `target`, which need not exist: the existing part is resolved component by component, following
 * each symbolic link (dangling ones too), and the missing tail is appended. Throws on a link loop, or when a missing
 * component is followed by `..` (the kernel would fail there; guessing could hide a link).
 */
export async function realPathOf(target: string): Promise<{ realPath: string; links: LinkStep[] }> {
  const absolute = path.resolve(target);
  const links: LinkStep[] = [];
  let current = path.parse(absolute).root;
  let pending = components(absolute);
  while (pending.length > 0) {
    const name = pending.shift()!;
    if (name === '.' || name === '') continue;
    if (name === '..') {
      current = path.dirname(current);
      continue;
    }
    const next = path.join(current, name);
    let isLink: boolean;
    try {
      isLink = (await lstat(next)).isSymbolicLink();
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      if (code !== 'ENOENT' && code !== 'ENOTDIR') throw error;
      if (pending.includes('..')) throw Object.assign(new Error(`${next} does not exist, and the path goes back up after it`), { code: 'ENOENT' });
      return { realPath: path.join(next, ...pending), links };
    }
    if (!isLink) {
      current = next;
      continue;
    }
    if (links.length >= MAX_LINKS) throw Object.assign(new Error(`too many symbolic links at ${next}`), { code: 'ELOOP' });
    const linkTarget = await readlink(next);
    links.push({ at: next, target: linkTarget });
    if (path.isAbsolute(linkTarget)) current = path.parse(path.resolve(linkTarget)).root;
    pending = [...components(path.isAbsolute(linkTarget) ? path.resolve(linkTarget) : linkTarget), ...pending];
  }
  return { realPath: current, links };
}

function components(p: string): string[] {
  const root = path.parse(p).root;
  return p.slice(root.length).split(/[\\/]+/).filter((c) => c !== '');
}

/** Whether `target` (absolute, or relative to the current folder) resolves inside `root`, and if not, which link leads out. */
export async function checkInsideRoot(target: string, root: string): Promise<BoundaryCheck> {
  let realRoot: string;
  try {
    realRoot = await realpath(path.resolve(root));
  } catch {
    // Nothing can be judged inside a workspace that cannot be found: refuse rather than guess.
    return { inside: false, realPath: undefined, link: undefined, reason: `the workspace folder ${root} cannot be found` };
  }
  let resolved: { realPath: string; links: LinkStep[] };
  try {
    resolved = await realPathOf(target);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    return { inside: false, realPath: undefined, link: undefined, reason: code === 'ELOOP' ? 'its symbolic links go round in a loop' : 'it cannot be resolved' };
  }
  if (isWithin(realRoot, resolved.realPath)) return { inside: true, realPath: resolved.realPath };
  // The link that leads out is the last one that sits inside the root: following it is the step that left.
  const leaving = [...resolved.links].reverse().find((step) => isWithin(realRoot, step.at) && step.at !== realRoot);
  const link = leaving ? { path: path.relative(realRoot, leaving.at).split(path.sep).join('/'), target: leaving.target } : undefined;
  return {
    inside: false,
    realPath: resolved.realPath,
    link,
    reason: link ? `${link.path} → ${link.target} (a symbolic link)` : `it resolves to ${resolved.realPath}`,
  };
}

/** A path refused because it leads outside the workspace; the message names the link that leads out. */
export class OutsideWorkspaceError extends Error {
  readonly code = 'OUTSIDE_WORKSPACE';
  constructor(
    message: string,
    readonly check: Extract<BoundaryCheck, { inside: false }>,
  ) {
    super(message);
    this.name = 'OutsideWorkspaceError';
  }
}

/**
 * Throws an {@link OutsideWorkspaceError} unless `target` resolves inside `root`; returns its real path. `what` names
 * the path in the message (`the output folder "media/videos"`).
 */
export async function assertInsideRoot(target: string, root: string, what: string): Promise<string> {
  const check = await checkInsideRoot(target, root);
  if (check.inside) return check.realPath;
  throw new OutsideWorkspaceError(`${what} leads outside the workspace (${root}): ${check.reason}`, check);
}
