import { homedir } from 'node:os';
import * as vscode from 'vscode';
import { checkDraft, type ComposerDraft, type ComposerVideo } from '../../core/composer/composerForm';
import type { StoryboardSource } from '../../core/composer/composerProtocol';
import * as boards from '../../core/composer/composerStoryboard';
import type { ExtensionLog } from '../log/extensionLog';

const SUFFIX = '.kling.json';

type Target = { kind: 'update'; uri: vscode.Uri; video: string } | { kind: 'existing'; uri: vscode.Uri } | { kind: 'new'; uri: vscode.Uri };

/**
 * "Save as Storyboard…": the form as a video in a new `.kling.json`, in an existing one (appended, its comments and
 * layout untouched), or over the video it was loaded from. Returns where it went, so the next save can update it.
 */
export async function saveAsStoryboard(draft: ComposerDraft, source: StoryboardSource | undefined, log: ExtensionLog): Promise<StoryboardSource | undefined> {
  const check = checkDraft(draft);
  if (!check.video) {
    const first = Object.values(check.problems)[0];
    void vscode.window.showWarningMessage(`Fix the form before saving it as a storyboard video${first ? `: ${first}` : '.'}`);
    return undefined;
  }
  const target = await pickTarget(trustedSource(source));
  if (!target) return undefined;

  try {
    if (target.kind === 'new') {
      const name = await askName(boards.suggestVideoName(describedBy(check.video), []), [], vscode.workspace.asRelativePath(target.uri));
      if (name === undefined) return undefined;
      const video = boards.storyboardVideoFor(name, check.video);
      await vscode.workspace.fs.writeFile(target.uri, new TextEncoder().encode(boards.newStoryboardText(video)));
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
    const video = boards.storyboardVideoFor(name, check.video, boards.storyboardDefaultsOf(text));
    const change = boards.storyboardVideoEdits(text, video, target.kind === 'update' ? target.video : undefined);
    if (!change.ok) {
      void vscode.window.showWarningMessage(`Could not save the video in ${vscode.workspace.asRelativePath(target.uri)}: ${change.problem}.`);
      return undefined;
    }
    const wasDirty = document.isDirty;
    const edit = new vscode.WorkspaceEdit();
    for (const e of change.edits) {
      edit.replace(document.uri, new vscode.Range(document.positionAt(e.offset), document.positionAt(e.offset + e.length)), e.newText);
    }
    if (!(await vscode.workspace.applyEdit(edit))) throw new Error('the editor refused the edit');
    // The user's own unsaved changes are theirs to save: only a file that was clean is saved for them.
    if (!wasDirty) await document.save();
    return await reveal(target.uri, change.index, name, log);
  } catch (error) {
    void vscode.window.showErrorMessage(`Could not save the storyboard: ${error instanceof Error ? error.message : String(error)}`);
    return undefined;
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
      label: `$(replace) Update "${source.video}"`,
      description: vscode.workspace.asRelativePath(source.uri),
      detail: 'Replace the video the form was loaded from',
      target: { kind: 'update', uri: source.uri, video: source.video },
    });
  }
  items.push({ label: '$(new-file) New Storyboard File…', create: true });
  if (files.length > 0) {
    items.push({ label: 'Add to an existing storyboard', kind: vscode.QuickPickItemKind.Separator });
    items.push(...files.map((uri): Item => ({ label: `$(file) ${vscode.workspace.asRelativePath(uri)}`, target: { kind: 'existing', uri } })));
  }
  const picked = items.length === 1 ? items[0] : await vscode.window.showQuickPick(items, { title: 'Save as Storyboard', placeHolder: 'Where should the video go?' });
  if (!picked) return undefined;
  if (picked.target) return picked.target;

  const base = folder?.uri ?? vscode.Uri.file(homedir());
  const existing = new Set(files.map((f) => f.toString()));
  let defaultUri = vscode.Uri.joinPath(base, `videos${SUFFIX}`);
  for (let i = 2; existing.has(defaultUri.toString()); i++) defaultUri = vscode.Uri.joinPath(base, `videos-${i}${SUFFIX}`);
  const chosen = await vscode.window.showSaveDialog({
    title: 'Save as Storyboard: New Storyboard File',
    defaultUri,
    saveLabel: 'Create Storyboard',
    // "json", not "kling.json": dialogs judge a name by its last extension, and would add a second ".kling.json".
    filters: { 'Kling storyboards': ['json'] },
  });
  if (!chosen) return undefined;
  const uri = chosen.path.endsWith(SUFFIX) ? chosen : chosen.with({ path: `${chosen.path.replace(/\.json$/, '')}${SUFFIX}` });
  // A file that is already there is added to, never overwritten.
  const exists = await vscode.workspace.fs.stat(uri).then(() => true, () => false);
  return exists ? { kind: 'existing', uri } : { kind: 'new', uri };
}

async function askName(suggested: string, taken: readonly string[], file: string): Promise<string | undefined> {
  const name = await vscode.window.showInputBox({
    title: `Save as Storyboard: Video Name in ${file}`,
    prompt: 'A unique name in this storyboard: lowercase letters, digits, "-" and "_". The result is saved as <name>.mp4.',
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
  void vscode.window.setStatusBarMessage(`$(check) Saved "${name}" in ${file}`, 5000);
  return { uri: uri.toString(), file, video: name };
}
