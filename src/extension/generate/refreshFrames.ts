import * as vscode from 'vscode';
import type { VideoRequest } from '../../core/api/apiSchemas';
import { outgoingOfRefresh } from '../../core/request/outgoingData';
import { outgoingLines } from '../../core/request/outgoingLines';
import type { Backend } from '../../core/journal/taskState';
import type { SubmitDraft } from '../../core/tasks/taskEngine';
import { applyUploadRefresh, planUploadRefresh, type FrameField, type RefreshedRequest } from '../../core/uploads/refreshUploads';
import { pickImageFile } from '../composer/composerImages';
import { loadCore } from '../lazyCore';
import type { GenerationServices } from './submitGeneration';

export interface FramesToSend {
  /** What the confirmation lists of the frames: reused links, files uploaded again, files the user picked. */
  detail: string | undefined;
  /** Uploads what the plan says (after the confirmation), and gives the request to send with its uploads and hash. */
  apply(): Promise<RefreshedRequest>;
}

/**
 * Sending a request again (Regenerate, Retry): its frames are planned before the price is asked. A link that expired
 * (uploads last 72 hours) or belongs to another backend is uploaded again from its unchanged source; a source that
 * changed or is gone is the user's to pick (or nothing is sent). Undefined when the user gave up.
 */
export async function framesToSend(draft: Pick<SubmitDraft, 'request' | 'uploads' | 'requestHash' | 'label'>, services: GenerationServices, backend: Backend, root: string | undefined): Promise<FramesToSend | undefined> {
  const request = draft.request as VideoRequest;
  const client = await services.backends.clientFor(backend);
  const replacements: Partial<Record<FrameField, string>> = {};
  const plan = () => planUploadRefresh(request, draft.uploads, { now: Date.now(), uploadedTo: client.uploadedTo, workspaceRoot: root, replacements });
  let frames = await plan();
  while (!frames.ok) {
    const pick = vscode.l10n.t('Pick a File…');
    if ((await vscode.window.showErrorMessage(frames.problem, pick)) !== pick) return undefined;
    const picked = await pickImageFile(vscode.l10n.t('The {0} for "{1}"', frames.role, draft.label));
    if (!picked) return undefined;
    replacements[frames.field] = picked.fsPath;
    frames = await plan();
  }
  const planned = frames;
  return {
    detail: outgoingLines(outgoingOfRefresh(request, planned)).join('\n') || undefined,
    apply: () => {
      const core = loadCore();
      const images = root ? new core.ImageUploads({ client: () => services.backends.clientFor(backend), workspaceRoot: root, cache: services.backends.uploadCache() }) : undefined;
      return applyUploadRefresh(request, planned, draft.requestHash, async (file, field) => {
        if (!images) throw new Error(vscode.l10n.t('Open the folder that holds this video first: its images are uploaded from inside the workspace.'));
        return images.upload(file, field);
      });
    },
  };
}
