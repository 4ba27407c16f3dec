import { homedir } from 'node:os';
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { ResolvedElement } from '../../core/composer/composerElements';
import { checkDraft, type ComposerDraft, type ComposerVideo } from '../../core/composer/composerForm';
import type { StoryboardSource } from '../../core/composer/composerProtocol';
import * as boards from '../../core/composer/composerStoryboard';
import { copyElementRecords } from '../../core/elements/elementRegistry';
import { StoryboardDocument } from '../../core/storyboard/storyboardDocument';
import { storyboardOutputDir } from '../../core/storyboard/storyboardFiles';
import type { ExtensionLog } from '../log/extensionLog';
import { draftContext, type ComposerGenerateDeps } from './composerGenerate';
import { imagesRoot } from './composerImages';
import { errorText } from '../../core/text/errorText';

const SUFFIX = '.kling.json';

type Target = { kind: 'update'; uri: vscode.Uri; video: string } | { kind: 'existing'; uri: vscode.Uri } | { kind: 'new'; uri: vscode.Uri };

/**
 * "Save as Storyboard…": the form as a video in a new `.kling.json`, in an existing one (appended, its comments and
 * layout untouched), or over the video it was loaded from (only what changed). Its images are written relative to
 * the storyboard; the elements it names are added to the file's `elements` where the file lacks them, and what is
 * known of them (made already, on which backend) is remembered for the storyboard too, so its render does not make
 * them again. Returns where it went, so the next save can update it.
 */
export async function saveAsStoryboard(draft: ComposerDraft, source: StoryboardSource | undefined, deps: ComposerGenerateDeps): Promise<StoryboardSource | undefined> {
  const { context, elements } = await draftContext(draft, deps);
  const check = checkDraft(draft, context);
  if (!check.video) {
    const first = Object.values(check.problems)[0];
    void vscode.window.showWarningMessage(first ? vscode.l10n.t('Fix the form before saving it as a storyboard video: {0}', first) : vscode.l10n.t('Fix the form before saving it as a storyboard video.'));
    return undefined;
  }
  const existing = (elements ?? []).find((e) => e.kind === 'existing');
  if (existing) {
    void vscode.window.showWarningMessage(
      vscode.l10n.t('The element "{0}" was made elsewhere and the form has no definition of it to write into a storyboard. Remove it, or add it from a storyboard that defines it.', existing.name),
    );
    return undefined;
  }
  const root = imagesRoot();
  const target = await pickTarget(trustedSource(source));
  if (!target) return undefined;
  const workspaceRoot = vscode.workspace.getWorkspaceFolder(target.uri)?.uri.fsPath ?? root ?? path.dirname(target.uri.fsPath);
  if (root && path.resolve(workspaceRoot) !== path.resolve(root) && (check.video.image || check.video.end_image || draft.elements.length)) {
    void vscode.window.showWarningMessage(vscode.l10n.t("Save it into a storyboard of the first workspace folder: the form's images and elements are paths in that folder."));
    return undefined;
  }
  const place: boards.StoryboardPlace = { storyboardPath: target.uri.fsPath, workspaceRoot };
  const definitions = (elements ?? []).flatMap((e): boards.ElementDefinition[] => (e.kind === 'defined' ? [{ element: e.element, storyboardPath: e.storyboardPath }] : []));
  const log = deps.log;

  try {
    if (target.kind === 'new') {
      const name = await askName(boards.suggestVideoName(describedBy(check.video), []), [], vscode.workspace.asRelativePath(target.uri));
      if (name === undefined) return undefined;
      const change = boards.saveVideoEdits(boards.newStoryboardText({ name: 'placeholder' }).replace(/\{\n\s*"name": "placeholder"\n\s*\}/, ''), { place, name, video: check.video, elements: definitions });
      const text = change.ok ? boards.applyTextEdits('{\n  "version": 1,\n  "videos": []\n}\n', []) : '';
      void text;
      const video = boards.storyboardVideoFor(name, boards.videoForStoryboard(check.video, place), {});
      const added = boards.storyboardElementEdits('{ "version": 1 }', place, definitions);
      if (!added.ok) throw new Error(added.problem);
      await vscode.workspace.fs.writeFile(target.uri, new TextEncoder().encode(boards.newStoryboardText(video, added.added)));
      await rememberElements(elements, target.uri.fsPath, '', workspaceRoot, log);
      return await reveal(target.uri, 0, name, log);
    }
    const document = await vscode.workspace.openTextDocument(target.uri);
    const text = document.getText();
    const taken = boards.storyboardVideoNames(text);
    const name =
      target.kind === 'update'
        ? target.video
        : await askName(boards.suggestVideoName(describedBy(check.video), taken), taken, vscode.workspace.asRelativePath(target.uri));
    if (name === undefined) return undefined;
    const change = boards.saveVideoEdits(text, { place, name, video: check.video, elements: definitions, replacing: target.kind === 'update' ? target.video : undefined });
    if (!change.ok) {
      void vscode.window.showWarningMessage(vscode.l10n.t('Could not save the video in {0}: {1}.', vscode.workspace.asRelativePath(target.uri), change.problem));
      return undefined;
    }
    if (change.edits.length > 0) {
      const wasDirty = document.isDirty;
      const edit = new vscode.WorkspaceEdit();
      for (const e of change.edits) {
        edit.replace(document.uri, new vscode.Range(document.positionAt(e.offset), document.positionAt(e.offset + e.length)), e.newText);
      }
      if (!(await vscode.workspace.applyEdit(edit))) throw new Error('the editor refused the edit');
      // The user's own unsaved changes are theirs to save: only a file that was clean is saved for them.
      if (!wasDirty) await document.save();
    }
    await rememberElements(elements, target.uri.fsPath, text, workspaceRoot, log);
    return await reveal(target.uri, change.index, name, log);
  } catch (error) {
    void vscode.window.showErrorMessage(vscode.l10n.t('Could not save the storyboard: {0}', errorText(error)));
    return undefined;
  }
}

/**
 * Copies what is known of each element (its ids, by backend) from where the composer found or made it to the
 * storyboard's output folder, where its render will look: an element is never made twice for one definition.
 */
async function rememberElements(elements: readonly ResolvedElement[] | undefined, storyboardPath: string, text: string, workspaceRoot: string, log: ExtensionLog): Promise<void> {
  const output = new StoryboardDocument(text).valueAt(['output']);
  const outputDir = storyboardOutputDir(storyboardPath, { output: typeof output === 'string' && output !== '' ? output : undefined });
  for (const element of elements ?? []) {
    if (element.kind !== 'defined') continue;
    const copied = await copyElementRecords(element.outputDir, outputDir, element.definitionHash, workspaceRoot).catch((error: unknown) => {
      log.warn(`composer: could not remember the element "${element.name}" for ${path.basename(storyboardPath)}: ${errorText(error)}`);
      return 0;
    });
    if (copied) log.info(`composer: the element "${element.name}" is known to ${path.basename(storyboardPath)}'s render now (not made again)`);
  }
}

/** The words a name is made from: the prompt, or else the first shot's. */
function describedBy(video: ComposerVideo): string {
  return video.prompt ?? (Array.isArray(video.shots) ? video.shots[0]?.prompt : undefined) ?? '';
}

/** The page's idea of where the form came from, only if it names a storyboard in this workspace. */
function trustedSource(source: StoryboardSource | undefined): { uri: vscode.Uri; video: string } | undefined {
  if (!source) return undefined;
  try {
    const uri = vscode.Uri.parse(source.uri, true);
    if (!uri.path.endsWith(SUFFIX) || !vscode.workspace.getWorkspaceFolder(uri)) return undefined;
    return { uri, video: source.video };
  } catch {
    return undefined;
  }
}

async function pickTarget(source: { uri: vscode.Uri; video: string } | undefined): Promise<Target | undefined> {
  const folder = vscode.workspace.workspaceFolders?.[0];
  const files = folder ? await vscode.workspace.findFiles(`**/*${SUFFIX}`, '**/node_modules/**', 200) : [];
  files.sort((a, b) => a.path.localeCompare(b.path));
  type Item = vscode.QuickPickItem & { target?: Target; create?: true };
  const items: Item[] = [];
  if (source && files.some((f) => f.toString() === source.uri.toString())) {
    items.push({
      label: vscode.l10n.t('$(replace) Update "{0}"', source.video),
      description: vscode.workspace.asRelativePath(source.uri),
      detail: vscode.l10n.t('Replace the video the form was loaded from'),
      target: { kind: 'update', uri: source.uri, video: source.video },
    });
  }
  items.push({ label: vscode.l10n.t('$(new-file) New Storyboard File…'), create: true });
  if (files.length > 0) {
    items.push({ label: vscode.l10n.t('Add to an existing storyboard'), kind: vscode.QuickPickItemKind.Separator });
    items.push(...files.map((uri): Item => ({ label: `$(file) ${vscode.workspace.asRelativePath(uri)}`, target: { kind: 'existing', uri } })));
  }
  const picked = items.length === 1 ? items[0] : await vscode.window.showQuickPick(items, { title: vscode.l10n.t('Save as Storyboard'), placeHolder: vscode.l10n.t('Where should the video go?') });
  if (!picked) return undefined;
  if (picked.target) return picked.target;

  const base = folder?.uri ?? vscode.Uri.file(homedir());
  const existing = new Set(files.map((f) => f.toString()));
  let defaultUri = vscode.Uri.joinPath(base, `videos${SUFFIX}`);
  for (let i = 2; existing.has(defaultUri.toString()); i++) defaultUri = vscode.Uri.joinPath(base, `videos-${i}${SUFFIX}`);
  const chosen = await vscode.window.showSaveDialog({
    title: vscode.l10n.t('Save as Storyboard: New Storyboard File'),
    defaultUri,
    saveLabel: vscode.l10n.t('Create Storyboard'),
    // "json", not "kling.json": dialogs judge a name by its last extension, and would add a second ".kling.json".
    filters: { [vscode.l10n.t('Kling storyboards')]: ['json'] },
  });
  if (!chosen) return undefined;
  const uri = chosen.path.endsWith(SUFFIX) ? chosen : chosen.with({ path: `${chosen.path.replace(/\.json$/, '')}${SUFFIX}` });
  // A file that is already there is added to, never overwritten.
  const exists = await vscode.workspace.fs.stat(uri).then(() => true, () => false);
  return exists ? { kind: 'existing', uri } : { kind: 'new', uri };
}

async function askName(suggested: string, taken: readonly string[], file: string): Promise<string | undefined> {
  const name = await vscode.window.showInputBox({
    title: vscode.l10n.t('Save as Storyboard: Video Name in {0}', file),
    prompt: vscode.l10n.t('A unique name in this storyboard: lowercase letters, digits, "-" and "_". The result is saved as <name>.mp4.'),
    value: suggested,
    ignoreFocusOut: true,
    validateInput: (value) => boards.videoNameProblem(value.trim(), taken),
  });
  return name?.trim();
}

async function reveal(uri: vscode.Uri, index: number, name: string, log: ExtensionLog): Promise<StoryboardSource> {
  const document = await vscode.workspace.openTextDocument(uri);
  const offset = boards.videoNameOffset(document.getText(), index);
  const at = offset === undefined ? undefined : document.positionAt(offset);
  await vscode.window.showTextDocument(document, { preview: false, preserveFocus: true, ...(at ? { selection: new vscode.Range(at, at) } : {}) });
  const file = vscode.workspace.asRelativePath(uri);
  log.info(`composer: saved video "${name}" in ${file}`);
  void vscode.window.setStatusBarMessage(vscode.l10n.t('$(check) Saved "{0}" in {1}', name, file), 5000);
  return { uri: uri.toString(), file, video: name };
}
