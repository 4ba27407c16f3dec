import { readFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import * as path from 'node:path';
import * as z from 'zod/mini';
import { FileLock } from '../fs/fileLock';
import { writeAtomically } from '../fs/writeAtomically';
import { newOwner, type ProcessOwner } from '../process/processOwner';

/** How long the Files API serves an upload when it does not say (docs/service-contract.md, "Files": 72 h). */
export const UPLOAD_VALIDITY_MS = 72 * 3_600_000;
/**
 * An upload is reused only while at least this much of its life is left: the service fetches a frame some time after
 * the create (queued tasks wait), and a link that dies in between fails a task that was paid for.
 */
export const UPLOAD_REUSE_MARGIN_MS = 3_600_000;
/** A live process uploading the same image is waited for this long before this one gives up (a slow 10 MB upload). */
const UPLOAD_WAIT_MS = 10 * 60_000;

const CachedUpload = z.object({
  uploadedTo: z.string(),
  sha256: z.string(),
  url: z.string(),
  /** Clock ms. */
  expiresAt: z.number(),
  uploadedAt: z.number(),
});
export type CachedUpload = z.infer<typeof CachedUpload>;

const CacheFile = z.object({ version: z.literal(1), uploads: z.array(CachedUpload) });

/**
 * Where Kling Studio keeps what every process of this user shares (the CLI's journal, the upload cache):
 * KLING_STATE_DIR, else the XDG state folder. The CLI and the editor both look here, so an image the CLI uploaded is
 * reused by the editor while its link lasts, and the other way round.
 */
export function sharedStateDir(env: NodeJS.ProcessEnv = process.env, cwd = process.cwd()): string {
  if (env['KLING_STATE_DIR']) return path.resolve(cwd, env['KLING_STATE_DIR']);
  const base = env['XDG_STATE_HOME'] || path.join(homedir(), '.local', 'state');
  return path.join(base, 'kling-studio');
}

/**
 * The uploads of this user, by content and by Files API: `uploads.json` in the shared state folder, changed only under
 * its lock, so two processes (two renders, the CLI and the editor) upload the same bytes to the same backend once
 * while the link lasts. Nothing secret is kept: links to the user's own images, which anyone holding them can fetch
 * anyway until they expire.
 */
export class UploadCache {
  private readonly owner: ProcessOwner;

  constructor(
    readonly file: string,
    private readonly now: () => number = Date.now,
    owner?: ProcessOwner,
  ) {
    this.owner = owner ?? newOwner('uploads');
  }

  /** The cache in the shared state folder. */
  static shared(env?: NodeJS.ProcessEnv, cwd?: string): UploadCache {
    return new UploadCache(path.join(sharedStateDir(env, cwd), 'uploads.json'));
  }

  /** A live upload of these bytes to this backend with at least the reuse margin left, if there is one. */
  async find(uploadedTo: string, sha256: string): Promise<CachedUpload | undefined> {
    const now = this.now();
    return (await this.read()).find((u) => u.uploadedTo === uploadedTo && u.sha256 === sha256 && u.expiresAt - UPLOAD_REUSE_MARGIN_MS > now);
  }

  /**
   * The live upload of these bytes, or the one `upload` makes now. Uploads of the same bytes to the same backend wait
   * for each other (a lock per content), so the second finds the first's link instead of uploading again.
   */
  async reuseOr(uploadedTo: string, sha256: string, upload: () => Promise<{ url: string; expiresAt?: number | undefined }>): Promise<CachedUpload & { reused: boolean }> {
    const lock = new FileLock(path.join(path.dirname(this.file), `.upload-${sha256.slice(0, 16)}.lock`), { owner: this.owner, timeoutMs: UPLOAD_WAIT_MS });
    return lock.with(async () => {
      const found = await this.find(uploadedTo, sha256);
      if (found) return { ...found, reused: true };
      const uploadedAt = this.now();
      const result = await upload();
      const entry: CachedUpload = { uploadedTo, sha256, url: result.url, expiresAt: result.expiresAt ?? uploadedAt + UPLOAD_VALIDITY_MS, uploadedAt };
      await this.remember(entry);
      return { ...entry, reused: false };
    });
  }

  /** Records an upload, dropping those that have expired. */
  async remember(entry: CachedUpload): Promise<void> {
    await new FileLock(`${this.file}.lock`, { owner: this.owner }).with(async () => {
      const now = this.now();
      const kept = (await this.read()).filter((u) => u.expiresAt > now && !(u.uploadedTo === entry.uploadedTo && u.sha256 === entry.sha256));
      const file: z.infer<typeof CacheFile> = { version: 1, uploads: [...kept, entry] };
      await writeAtomically(this.file, `${JSON.stringify(file, null, 1)}\n`);
    });
  }

  /** What the file says; nothing when it is missing or unreadable (a cache: at worst an image is uploaded again). */
  private async read(): Promise<CachedUpload[]> {
    let text: string;
    try {
      text = await readFile(this.file, 'utf8');
    } catch {
      return [];
    }
    try {
      const parsed = CacheFile.safeParse(JSON.parse(text));
      return parsed.success ? parsed.data.uploads : [];
    } catch {
      return [];
    }
  }
}
