import * as path from 'node:path';
import * as vscode from 'vscode';
import { isImageUrl } from '../../core/composer/composerForm';
import type { ImageInfo } from '../../core/composer/composerProtocol';
import { checkInsideRoot } from '../../core/fs/workspaceBoundary';
import { checkImageBytes, checkImageFile } from '../../core/images/imageCheck';
import { workspaceRelative } from '../../core/fs/workspaceRelative';

// Images for the composer (and Animate Image…, Regenerate's "Pick a File…"): an image is used only from inside the
// workspace, where a storyboard, an upload record and a sidecar can name it by its path. A file from elsewhere is
// copied in, to kling-images/ at the workspace's root, if the user agrees; otherwise it is refused, and the message
// says so. The service's rules (imageCheck.ts) are checked as the image is chosen.

/** Where images from outside the workspace are copied, at the workspace folder's root. */
export const COPIED_IMAGES_FOLDER = 'kling-images';

export const IMAGE_FILTERS = { 'JPEG or PNG images': ['png', 'jpg', 'jpeg'] };

/** The workspace folder images are taken from (the first one: the composer's refs are relative to it). */
export function imagesRoot(): string | undefined {
  return vscode.workspace.workspaceFolders?.[0]?.uri.fsPath;
}

export type ChosenImage = { ref: string } | { problem: string } | undefined;

/**
 * A file the user picked or dropped, as a workspace ref: inside the workspace as it is; from outside, copied in if
 * they agree (a modal question that says where it goes); anything else refused with the reason. Undefined when the
 * user cancelled. The rules are not applied here: the ref is taken, and its verdict is shown at its field.
 */
export async function acceptImageFile(file: vscode.Uri, label: string): Promise<ChosenImage> {
  const root = imagesRoot();
  if (!root) return { problem: vscode.l10n.t('Open a folder first: images are used from inside the workspace.') };
  if (file.scheme !== 'file' && file.scheme !== vscode.workspace.workspaceFolders![0]!.uri.scheme) {
    return { problem: vscode.l10n.t('{0} is not a file on this machine.', file.toString()) };
  }
  const absolute = file.fsPath;
  const stat = await vscode.workspace.fs.stat(file).then((s) => s, () => undefined);
  if (!stat) return { problem: `${path.basename(absolute)} cannot be found.` };
  if (stat.type & vscode.FileType.Directory) return { problem: `${path.basename(absolute)} is a folder, not an image.` };
  const inside = await checkInsideRoot(absolute, root);
  if (inside.inside) return { ref: workspaceRelative(root, absolute) };
  const checked = await checkImageFile(absolute, path.basename(absolute));
  if (!checked.ok) return { problem: `${checked.problem}. It was not used.` };
  const copy = vscode.l10n.t('Copy Into Workspace');
  const target = await freeName(root, path.basename(absolute));
  const picked = await vscode.window.showInformationMessage(
    vscode.l10n.t('{0} is outside this workspace. Copy it into {1} to use it as the {2}?', path.basename(absolute), workspaceRelative(root, target), label),
    {
      modal: true,
      detail: vscode.l10n.t('Kling Studio uses images only from inside the workspace, so that storyboards, uploads and sidecars can name them by their path there. Nothing is uploaded until you generate.'),
    },
    copy,
  );
  if (picked !== copy) return { problem: vscode.l10n.t('Not used: {0} is outside the workspace (it can be copied in when you choose it again).', path.basename(absolute)) };
  await vscode.workspace.fs.copy(file, vscode.Uri.file(target), { overwrite: false });
  return { ref: workspaceRelative(root, target) };
}

/**
 * A file dropped from the OS that came without a path (its bytes only): saved into kling-images/ if the user agrees.
 * Its bytes are checked first, so a GIF or a 12 MB photo is refused before anything is written.
 */
export async function acceptDroppedBytes(name: string, bytes: Uint8Array, label: string): Promise<ChosenImage> {
  const root = imagesRoot();
  if (!root) return { problem: vscode.l10n.t('Open a folder first: images are used from inside the workspace.') };
  const safeName = path.basename(name).replace(/[^\w.\- ]+/g, '_') || 'image.png';
  const checked = checkImageBytes(bytes, safeName);
  if (!checked.ok) return { problem: `${checked.problem}. It was not used.` };
  const target = await freeName(root, safeName);
  const save = vscode.l10n.t('Save Into Workspace');
  const picked = await vscode.window.showInformationMessage(
    vscode.l10n.t('Save the dropped {0} as {1} to use it as the {2}?', safeName, workspaceRelative(root, target), label),
    { modal: true, detail: vscode.l10n.t('Kling Studio uses images only from inside the workspace. Nothing is uploaded until you generate.') },
    save,
  );
  if (picked !== save) return { problem: vscode.l10n.t('Not used: the dropped {0} is not in the workspace.', safeName) };
  await vscode.workspace.fs.writeFile(vscode.Uri.file(target), bytes);
  return { ref: workspaceRelative(root, target) };
}

/** Asks for an image file (JPEG or PNG), starting in the workspace. */
export async function pickImageFile(title: string): Promise<vscode.Uri | undefined> {
  const root = vscode.workspace.workspaceFolders?.[0]?.uri;
  const picked = await vscode.window.showOpenDialog({ title, canSelectMany: false, canSelectFolders: false, filters: IMAGE_FILTERS, defaultUri: root, openLabel: vscode.l10n.t('Use Image') });
  return picked?.[0];
}

/**
 * What the composer page shows of its images: each local one's verdict (the service's rules), size and a thumbnail
 * the page may load (asWebviewUri: the CSP allows only the webview's own resources). Links are not fetched: the
 * service checks them.
 */
export async function describeImages(refs: readonly string[], webview: vscode.Webview): Promise<Record<string, ImageInfo>> {
  const root = imagesRoot();
  const result: Record<string, ImageInfo> = {};
  for (const ref of refs) {
    if (isImageUrl(ref)) continue;
    if (!root) {
      result[ref] = { ok: false, problem: vscode.l10n.t('Open a folder first: images are used from inside the workspace.') };
      continue;
    }
    const absolute = path.resolve(root, ...ref.split('/'));
    const inside = await checkInsideRoot(absolute, root);
    if (!inside.inside) {
      result[ref] = { ok: false, problem: `${ref} leads outside the workspace (${inside.reason}).` };
      continue;
    }
    const checked = await checkImageFile(inside.realPath, ref);
    const thumbnail = checked.ok || /×/.test(checked.problem) || / MB/.test(checked.problem) ? webview.asWebviewUri(vscode.Uri.file(absolute)).toString() : undefined;
    result[ref] = checked.ok
      ? { ok: true, type: checked.image.type, width: checked.image.width, height: checked.image.height, bytes: checked.image.bytes, ...(thumbnail ? { thumbnail } : {}) }
      : { ok: false, problem: `${checked.problem}.`, ...(thumbnail ? { thumbnail } : {}) };
  }
  return result;
}

/** `kling-images/<name>`, or `<stem>-2<ext>` and so on when that is taken. */
async function freeName(root: string, name: string): Promise<string> {
  const folder = path.join(root, COPIED_IMAGES_FOLDER);
  const ext = path.extname(name);
  const stem = path.basename(name, ext);
  for (let i = 1; ; i++) {
    const candidate = path.join(folder, i === 1 ? name : `${stem}-${i}${ext}`);
    const taken = await vscode.workspace.fs.stat(vscode.Uri.file(candidate)).then(() => true, () => false);
    if (!taken) return candidate;
  }
}

/** What is wrong with a workspace image as a frame (the service's rules), or undefined when nothing is. */
export async function checkWorkspaceImage(ref: string): Promise<string | undefined> {
  const root = imagesRoot();
  if (!root) return vscode.l10n.t('Open a folder first: images are used from inside the workspace.');
  const inside = await checkInsideRoot(path.resolve(root, ...ref.split('/')), root);
  if (!inside.inside) return `${ref} leads outside the workspace (${inside.reason}).`;
  const checked = await checkImageFile(inside.realPath, ref);
  return checked.ok ? undefined : `${checked.problem}.`;
}
