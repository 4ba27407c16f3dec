import { createHash } from 'node:crypto';
import * as path from 'node:path';
import { readUploadable } from '../api/klingClient';
import { workspaceRelative } from '../fs/workspaceRelative';
import { UPLOAD_VALIDITY_MS, type UploadCache } from './uploadCache';
import type { UploadRecord } from './uploadRecord';

/** What an upload needs of the API client (KlingClient has it). */
export interface UploadClient {
  /** Which Files API it uploads to. */
  readonly uploadedTo: string;
  uploadBytes(bytes: Uint8Array, fileName: string, signal?: AbortSignal): Promise<{ url: string; expiresAt?: number | undefined }>;
}

export interface ImageUploadsOptions {
  /** The client of the backend the tasks go to (asked only when something must really be uploaded). */
  client: () => Promise<UploadClient>;
  /** Images must resolve inside it; records name them relative to it. */
  workspaceRoot: string;
  /** Shared with every other process of this user; without it, every upload is made anew. */
  cache?: UploadCache | undefined;
  signal?: AbortSignal | undefined;
}

export type UploadedImage = UploadRecord & {
  /** The link came from the cache: nothing was sent this time. */
  reused: boolean;
};

/**
 * Local images on their way to a task: each is read once (inside the workspace, never through a link), hashed, and
 * uploaded unless the same bytes already have a live link on the same Files API (the cache). What was hashed is what
 * is sent. The record says where the link came from, for the sidecar.
 */
export class ImageUploads {
  constructor(private readonly options: ImageUploadsOptions) {}

  async upload(absolutePath: string, field: string): Promise<UploadedImage> {
    const { workspaceRoot, cache, signal } = this.options;
    const bytes = await readUploadable(absolutePath, workspaceRoot);
    const sha256 = createHash('sha256').update(bytes).digest('hex');
    const client = await this.options.client();
    const fileName = path.basename(absolutePath);
    const send = () => client.uploadBytes(bytes, fileName, signal);
    const uploaded = cache
      ? await cache.reuseOr(client.uploadedTo, sha256, send)
      : await send().then((result) => ({ url: result.url, expiresAt: result.expiresAt ?? Date.now() + UPLOAD_VALIDITY_MS, reused: false }));
    return {
      field,
      source: workspaceRelative(workspaceRoot, absolutePath),
      sha256,
      url: uploaded.url,
      expiresAt: new Date(uploaded.expiresAt).toISOString(),
      uploadedTo: client.uploadedTo,
      reused: uploaded.reused,
    };
  }
}
