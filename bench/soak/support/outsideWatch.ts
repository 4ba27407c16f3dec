import { lstat, readdir } from 'node:fs/promises';
import * as path from 'node:path';

/**
 * Everything under a row's folder except the folders the run may write (the workspace, the journal's folder): the
 * "outside" sibling (the current folder while the row runs, and HOME and TMPDIR of the CLI's processes), and anything
 * else there. A snapshot before the run and a look after say what the run made, changed or removed outside: a file
 * written relative to the current folder, a temporary file left in TMPDIR, a link followed out of the workspace.
 */
export class OutsideWatch {
  private constructor(
    private readonly root: string,
    private readonly allowed: ReadonlySet<string>,
    private readonly before: ReadonlyMap<string, string>,
  ) {}

  static async start(root: string, allowed: readonly string[]): Promise<OutsideWatch> {
    const set = new Set(allowed.map((folder) => path.resolve(folder)));
    return new OutsideWatch(root, set, await snapshot(root, set));
  }

  /** The paths (relative to the row's folder) made, changed or removed since the start. */
  async changes(): Promise<string[]> {
    const after = await snapshot(this.root, this.allowed);
    const changed: string[] = [];
    for (const [file, state] of after) if (this.before.get(file) !== state) changed.push(path.relative(this.root, file));
    for (const file of this.before.keys()) if (!after.has(file)) changed.push(`${path.relative(this.root, file)} (removed)`);
    return changed.sort();
  }
}

/** Path → kind, size and modification time, for every entry under `root` outside the allowed folders. */
async function snapshot(root: string, allowed: ReadonlySet<string>): Promise<Map<string, string>> {
  const found = new Map<string, string>();
  const walk = async (folder: string): Promise<void> => {
    for (const name of await readdir(folder)) {
      const file = path.join(folder, name);
      if (allowed.has(file)) continue;
      const stats = await lstat(file);
      // A folder's own times change when an entry is added; the entry itself is what counts.
      found.set(file, stats.isDirectory() ? 'folder' : `${stats.isSymbolicLink() ? 'link' : 'file'}:${stats.size}:${stats.mtimeMs}`);
      if (stats.isDirectory()) await walk(file);
    }
  };
  await walk(root);
  return found;
}
