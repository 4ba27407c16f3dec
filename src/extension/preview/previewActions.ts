import * as path from 'node:path';
import * as vscode from 'vscode';
import { asIfBeside, loadSidecar, sidecarPathOf, type Sidecar } from '../../core/download/sidecar';
import { sidecarPlaceOf } from '../records/videoPlaces';
import { regenerateDraft } from '../../core/preview/regenerateDraft';
import { videoRecipe, type VideoRecipe } from '../../core/preview/videoRecipe';
import { videoNameRange } from '../../core/storyboard/videoNameRange';
import type { PreviewAction } from '../../webview/preview/protocol';
import { ensureReady } from '../generate/ensureReady';
import { money } from '../generate/moneyGuard';
import { submitGeneration, type GenerationServices } from '../generate/submitGeneration';
import type { RefreshedRequest } from '../../core/uploads/refreshUploads';
import { framesToSend } from '../generate/refreshFrames';
import type { TakeList } from '../../core/takes/takeStore';
import type { ExtensionLog } from '../log/extensionLog';
import { takesOf, useTake } from '../takes/takeActions';
import { copyVideoHtml } from './copyVideoHtml';
import { openInPreview } from './openVideo';
import { errorText } from '../../core/text/errorText';

/**
 * The composer's commands that load a video into its form (the composer is its own feature). The preview offers
 * "Edit in Composer" only when the one that fits the video is registered:
 * - a storyboard's video: `(storyboard: Uri, videoName: string)`;
 * - a video made from a prompt: `({ request, label })`, the exact request from the sidecar.
 */
export const COMPOSER_EDIT_STORYBOARD_VIDEO = 'klingStudio.storyboard.editInComposer';
export const COMPOSER_EDIT_REQUEST = 'klingStudio.composer.editRequest';

/** The composer command for this video, if the composer registered it. */
export function composerCommandFor(recipe: VideoRecipe | undefined, commands: ReadonlySet<string>): string | undefined {
  if (!recipe) return undefined;
  const command = recipe.storyboard?.video ? COMPOSER_EDIT_STORYBOARD_VIDEO : COMPOSER_EDIT_REQUEST;
  return commands.has(command) ? command : undefined;
}

export interface PreviewActionContext {
  video: vscode.Uri;
  panel: vscode.WebviewPanel;
  services: GenerationServices;
  /** For Use This Take's log line. */
  log?: ExtensionLog | undefined;
}

/** Does what a button of the page asks. Each action reads the sidecar afresh: the file may have changed since. */
export async function runPreviewAction(action: PreviewAction, context: PreviewActionContext): Promise<void> {
  const { video } = context;
  switch (action) {
    case 'regenerate':
      return regenerate(context);
    case 'editInComposer':
      return editInComposer(video);
    case 'openStoryboard':
      return openStoryboard(video);
    case 'reveal':
      // The Explorer shows only the workspace's folders; a video elsewhere is shown by the system's file manager.
      await vscode.commands.executeCommand(vscode.workspace.getWorkspaceFolder(video) ? 'revealInExplorer' : 'revealFileInOS', video);
      return;
    case 'openExternal':
      return openInSystemPlayer(video);
    case 'reopenDefault':
      // As "Reopen Editor With": the file opens in VS Code's standard editor in this group, in place of the preview.
      await vscode.commands.executeCommand('vscode.openWith', video, 'default', context.panel.viewColumn);
      context.panel.dispose();
      return;
    case 'previousTake':
    case 'nextTake':
      return showNeighbourTake(context, action === 'previousTake' ? -1 : 1);
    case 'compareTakes':
      await vscode.commands.executeCommand('klingStudio.compareTakes', video);
      return;
    case 'useTake':
      if (context.log) await useTake(video.fsPath, context.log);
      return;
    case 'copyHtml':
      await copyVideoHtml(video);
      return;
  }
}

/** Previous or Next: the neighbouring take opens in Kling Preview in place of this one (one tab per video). */
async function showNeighbourTake(context: PreviewActionContext, by: -1 | 1): Promise<void> {
  const list = await takesOf(context.video.fsPath);
  const at = takeIndexOf(list, context.video.fsPath);
  const next = at === undefined ? undefined : list.takes[at - 1 + by];
  if (!next) return;
  await openInPreview(vscode.Uri.file(next.path), context.panel.viewColumn);
  context.panel.dispose();
}

/** The number of the take a file is: a take's own, or the one in use for the video itself. */
export function takeIndexOf(list: TakeList, file: string): number | undefined {
  const resolved = path.resolve(file);
  if (resolved === path.resolve(list.videoPath)) return list.chosen?.index;
  return list.takes.find((t) => path.resolve(t.path) === resolved)?.index;
}

/**
 * The system's player plays what VS Code's cannot (AAC sound); nothing is transcoded or bundled for it. It can only
 * open a file on the machine it runs on: in a browser, or with the workspace on a remote machine, the video is not
 * there, so the user is told how to get it instead of nothing happening.
 */
async function openInSystemPlayer(video: vscode.Uri): Promise<void> {
  const name = path.basename(video.fsPath);
  const local = vscode.env.uiKind === vscode.UIKind.Desktop && vscode.env.remoteName === undefined;
  if (local && (await vscode.env.openExternal(video))) return;
  const reveal = vscode.l10n.t('Reveal in Explorer');
  const picked = await vscode.window.showInformationMessage(
    local
      ? vscode.l10n.t('No system player opened {0}. Open it from your file manager.', name)
      : vscode.l10n.t('{0} is on the machine this workspace runs on, not on yours, so no player of yours can open it from here. Download it (Explorer: right-click › Download…) to play it with its sound.', name),
    reveal,
  );
  if (picked === reveal) await vscode.commands.executeCommand('revealInExplorer', video);
}

/** The same request again, as a new task: today's price first, then the money guards (budget, trust) as always. */
async function regenerate(context: PreviewActionContext): Promise<void> {
  const { video, services } = context;
  const sidecar = await sidecarOf(video);
  if (!sidecar) return;
  const result = regenerateDraft(sidecar, video.fsPath);
  if (!result.ok) {
    const open = vscode.l10n.t('Open Sidecar');
    if ((await vscode.window.showErrorMessage(result.problem, open)) === open) await vscode.window.showTextDocument(await sidecarUri(video));
    return;
  }
  if (!(await ensureReady(services.backends))) return;
  const backend = services.backends.current();
  const { draft } = result;
  // Its frames first: an expired upload is sent again from its unchanged source, a changed one is the user's to pick.
  const frames = await framesToSend(draft, services, backend, vscode.workspace.getWorkspaceFolder(video)?.uri.fsPath);
  if (!frames) return;
  const price = money(draft.price.usd);
  const simulated = backend.kind === 'simulator';
  const go = vscode.l10n.t('Generate for {0}', price);
  const videoName = path.basename(result.videoPath);
  const where = vscode.l10n.t('It is kept as a new take of {0}, which stays as it is: compare the takes, and use the one you like.', videoName);
  const realNow = sidecar.simulated && !simulated ? ` ${vscode.l10n.t('This video came from the simulator; this time the Kling API makes it, for real.')}` : '';
  const picked = await vscode.window.showInformationMessage(
    simulated
      ? vscode.l10n.t('Generate "{0}" again? It costs {1} ({2} credits) on the simulator: nothing is spent.', draft.label, price, draft.price.credits)
      : vscode.l10n.t('Generate "{0}" again? It costs {1} ({2} credits).', draft.label, price, draft.price.credits),
    { modal: true, detail: [`${where}${realNow}`, frames.detail].filter(Boolean).join('\n\n') },
    go,
  );
  if (picked !== go) return;
  let refreshed: RefreshedRequest;
  try {
    refreshed = await frames.apply();
  } catch (error) {
    void vscode.window.showErrorMessage(vscode.l10n.t('Not generated: {0}', errorText(error)));
    return;
  }
  await submitGeneration(
    services,
    { ...draft, backend, request: refreshed.request, uploads: refreshed.uploads, requestHash: refreshed.requestHash },
    { what: vscode.l10n.t('"{0}" again', draft.label), alreadyConfirmed: true },
  );
}

async function editInComposer(video: vscode.Uri): Promise<void> {
  const sidecar = await sidecarOf(video);
  if (!sidecar) return;
  const recipe = videoRecipe(sidecar, video.fsPath);
  const command = composerCommandFor(recipe, new Set(await vscode.commands.getCommands(true)));
  if (!command) return void vscode.window.showInformationMessage(vscode.l10n.t('The composer cannot load this video yet.'));
  if (command === COMPOSER_EDIT_STORYBOARD_VIDEO) {
    await vscode.commands.executeCommand(command, vscode.Uri.file(recipe.storyboard!.path), recipe.storyboard!.video);
  } else {
    await vscode.commands.executeCommand(command, { request: sidecar.request, label: recipe.title });
  }
}

/** Opens the storyboard that made the video, beside the preview, with the video's `"name"` selected. */
async function openStoryboard(video: vscode.Uri): Promise<void> {
  const sidecar = await sidecarOf(video);
  if (!sidecar) return;
  const storyboard = videoRecipe(sidecar, video.fsPath).storyboard;
  if (!storyboard) return void vscode.window.showInformationMessage(vscode.l10n.t('{0} was not made from a storyboard.', path.basename(video.fsPath)));
  let document: vscode.TextDocument;
  try {
    document = await vscode.workspace.openTextDocument(vscode.Uri.file(storyboard.path));
  } catch {
    void vscode.window.showWarningMessage(vscode.l10n.t('The storyboard that made this video, {0}, is no longer there.', storyboard.relativePath));
    return;
  }
  const range = storyboard.video ? videoNameRange(document.getText(), storyboard.video) : undefined;
  const selection = range ? new vscode.Range(document.positionAt(range.offset), document.positionAt(range.offset + range.length)) : undefined;
  const editor = await vscode.window.showTextDocument(document, { viewColumn: vscode.ViewColumn.Beside, preview: false, selection });
  if (selection) editor.revealRange(selection, vscode.TextEditorRevealType.InCenterIfOutsideViewport);
  else if (storyboard.video) {
    void vscode.window.showInformationMessage(vscode.l10n.t('{0} has no video named "{1}" any more.', path.basename(storyboard.path), storyboard.video));
  }
}

async function sidecarOf(video: vscode.Uri): Promise<Sidecar | undefined> {
  const read = await loadSidecar(await sidecarPlaceOf(video.fsPath));
  if (read.kind === 'found') return asIfBeside(read.sidecar, read.file, video.fsPath);
  const name = path.basename(video.fsPath);
  void vscode.window.showWarningMessage(
    read.kind === 'missing'
      ? vscode.l10n.t('{0} has no Kling sidecar ({0}.json): how it was made is unknown.', name)
      : vscode.l10n.t('The sidecar {0}.json cannot be used: {1}.', name, read.problem),
  );
  return undefined;
}

async function sidecarUri(video: vscode.Uri): Promise<vscode.Uri> {
  const place = await sidecarPlaceOf(video.fsPath);
  const read = await loadSidecar(place);
  return vscode.Uri.file(read.kind === 'found' ? read.file : sidecarPathOf(place));
}
