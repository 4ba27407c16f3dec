import { stat } from 'node:fs/promises';
import * as path from 'node:path';
import type { VideoRequest } from '../api/apiSchemas';
import { sha256File } from '../elements/elementDefinition';
import { checkImageFile } from '../images/imageCheck';
import { checkInsideRoot } from '../fs/workspaceBoundary';
import { requestHash } from '../request/requestHash';
import { workspaceRelative } from '../fs/workspaceRelative';
import type { UploadedImage } from './imageUploads';
import { UPLOAD_REUSE_MARGIN_MS } from './uploadCache';
import type { UploadRecord } from './uploadRecord';

import { FRAME_FIELDS, type FrameField } from './frameFields';

export { FRAME_FIELDS, type FrameField };

export interface RefreshContext {
  now: number;
  /** The Files API the new task goes to (KlingClient.uploadedTo). */
  uploadedTo: string;
  /** Where the records' sources are: the workspace folder of the video. */
  workspaceRoot: string | undefined;
  /** Files the user picked in place of a source that changed or is gone, by field (absolute paths). */
  replacements?: Partial<Record<FrameField, string>> | undefined;
}

/** One frame of the request, and what sending it again takes. */
export type FrameRefresh =
  /** Its link is still good on this backend (or it is an https link of the user's own): sent as it is. */
  | { field: FrameField; action: 'keep'; url: string; record: UploadRecord | undefined }
  /** Its link expired (or belongs to another backend) and its source is unchanged: uploaded again. */
  | { field: FrameField; action: 'upload'; source: string; absolutePath: string; why: string; record: UploadRecord; sha256: string }
  /** The user picked this file for it. */
  | { field: FrameField; action: 'replace'; source: string; absolutePath: string };

export type UploadRefreshPlan =
  | { ok: true; frames: FrameRefresh[] }
  /** Cannot be sent again as it is: the user must pick a file for `field` (or give up). */
  | { ok: false; field: FrameField; role: string; problem: string };

/**
 * What sending a request again (Regenerate, Retry) needs for its frames, decided before anything leaves the machine:
 * an upload is sent again only after the confirmation that lists it. A link still good on this backend is kept.
 * One that expired (72 h) or was made for another backend (a simulator run, another address) is uploaded again from
 * its recorded source, but only if that file is still there with the same content (its sha256): a changed or missing
 * source would make another video than the one being regenerated, so the user is asked to pick the file instead.
 * Links without a record (an https link the storyboard names, a sidecar of an older version) are sent as they are.
 */
export async function planUploadRefresh(request: VideoRequest, records: readonly UploadRecord[] | undefined, context: RefreshContext): Promise<UploadRefreshPlan> {
  const frames: FrameRefresh[] = [];
  for (const [field, role] of FRAME_FIELDS) {
    const url = request[field];
    if (url === undefined) continue;
    const picked = context.replacements?.[field];
    if (picked) {
      const problem = await pickedFileProblem(picked, context.workspaceRoot, role);
      if (problem) return { ok: false, field, role, problem };
      frames.push({ field, action: 'replace', source: displayPath(context.workspaceRoot, picked), absolutePath: picked });
      continue;
    }
    const record = records?.find((r) => r.field === field && r.url === url);
    if (!record) {
      frames.push({ field, action: 'keep', url, record: undefined });
      continue;
    }
    const expiresAt = Date.parse(record.expiresAt);
    const otherBackend = record.uploadedTo !== context.uploadedTo;
    if (!otherBackend && Number.isFinite(expiresAt) && expiresAt - UPLOAD_REUSE_MARGIN_MS > context.now) {
      frames.push({ field, action: 'keep', url, record });
      continue;
    }
    const why = otherBackend ? 'it was uploaded for another backend' : 'its link has expired (uploads last 72 hours)';
    const capital = `${role[0]!.toUpperCase()}${role.slice(1)}`;
    if (!context.workspaceRoot) {
      return { ok: false, field, role, problem: `${capital} ${record.source}: ${why}, and this video is not in a workspace folder to find it in. Pick the file to upload.` };
    }
    const absolutePath = path.resolve(context.workspaceRoot, record.source);
    const inside = await checkInsideRoot(absolutePath, context.workspaceRoot);
    if (!inside.inside) return { ok: false, field, role, problem: `${capital} ${record.source} now leads outside the workspace (${inside.reason}). Pick the file to upload.` };
    const exists = await stat(absolutePath).then((s) => s.isFile(), () => false);
    if (!exists) {
      return { ok: false, field, role, problem: `${capital} ${record.source} is no longer there, and ${why}: it cannot be uploaded again. Pick the file to use.` };
    }
    const sha256 = await sha256File(inside.realPath);
    if (sha256 !== record.sha256) {
      return {
        ok: false,
        field,
        role,
        problem: `${capital} ${record.source} has changed since this video was made, and ${why}: sending the new file would make a different video. Pick the file to use (it may be this one).`,
      };
    }
    frames.push({ field, action: 'upload', source: record.source, absolutePath, why, record, sha256 });
  }
  return { ok: true, frames };
}

export interface RefreshedRequest {
  request: VideoRequest;
  uploads: UploadRecord[] | undefined;
  /**
   * The hash to record: the old one when the frames are the same images (a link renewed is the same video), else one
   * over the new content (a picked file), with local images as their content hashes as storyboards hash them.
   */
  requestHash: string;
}

/**
 * Carries out a plan (after the confirmation): uploads what it says, through `upload` (ImageUploads: the cache may
 * still hold a good link for the same bytes). A source that changed between the plan and the upload is refused.
 */
export async function applyUploadRefresh(
  request: VideoRequest,
  plan: Extract<UploadRefreshPlan, { ok: true }>,
  oldHash: string,
  upload: (absolutePath: string, field: string) => Promise<UploadedImage>,
): Promise<RefreshedRequest> {
  const next: VideoRequest = { ...request };
  const uploads: UploadRecord[] = [];
  let replaced = false;
  for (const frame of plan.frames) {
    if (frame.action === 'keep') {
      if (frame.record) uploads.push(frame.record);
      continue;
    }
    const { reused: _reused, ...record } = await upload(frame.absolutePath, frame.field);
    if (frame.action === 'upload' && record.sha256 !== frame.sha256) {
      throw new Error(`${frame.source} changed while it was being uploaded; nothing was created. Try again.`);
    }
    if (frame.action === 'replace') replaced = true;
    next[frame.field] = record.url;
    uploads.push(record);
  }
  const hashed: VideoRequest = { ...next };
  for (const record of uploads) hashed[record.field as FrameField] = `local:${record.sha256}`;
  return { request: next, uploads: uploads.length ? uploads : undefined, requestHash: replaced ? requestHash(hashed) : oldHash };
}

async function pickedFileProblem(file: string, workspaceRoot: string | undefined, role: string): Promise<string | undefined> {
  if (workspaceRoot) {
    const inside = await checkInsideRoot(file, workspaceRoot);
    if (!inside.inside) return `The ${role} must be inside the workspace: ${inside.reason}.`;
  }
  const checked = await checkImageFile(file, `The ${role} ${path.basename(file)}`);
  return checked.ok ? undefined : `${checked.problem}.`;
}

function displayPath(workspaceRoot: string | undefined, file: string): string {
  return workspaceRoot ? workspaceRelative(workspaceRoot, file) : file;
}
