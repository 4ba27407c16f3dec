import * as path from 'node:path';
import * as vscode from 'vscode';
import { showError } from '../errors/showError';
import { loadCore } from '../lazyCore';
import { Disposable } from '../util/dispose';
import { isStoryboard, type StoryboardAnalyzer } from './storyboardAnalyzer';
import type { StoryboardRenderer } from './storyboardRenderer';
import type { StoryboardNode, StoryboardTreeProvider } from './storyboardTree';

/** What a storyboard command is called with: a file (editor title, explorer, CodeLens), a view item, or nothing. */
type FileArg = vscode.Uri | StoryboardNode | undefined;

/**
 * Kling: New Storyboard…, Render Storyboard, Render Video, Estimate Storyboard, Open Result; and, for the view,
 * Go to Video and Refresh. With no argument, a command works on the storyboard in the active editor (and a video
 * command on the video at the cursor).
 */
export class StoryboardCommands extends Disposable {
  constructor(
    private readonly analyzer: StoryboardAnalyzer,
    private readonly renderer: StoryboardRenderer,
    private readonly tree: StoryboardTreeProvider,
    private readonly openVideo: (file: vscode.Uri) => Thenable<unknown>,
  ) {
    super();
    const register = (id: string, run: (...args: never[]) => unknown) =>
      this._register(
        vscode.commands.registerCommand(id, async (...args: never[]) => {
          try {
            return await run(...args);
          } catch (error) {
            await showError(error);
            return undefined;
          }
        }),
      );
    register('klingStudio.storyboard.new', (target?: vscode.Uri) => this.newStoryboard(target));
    register('klingStudio.storyboard.render', async (arg?: FileArg) => {
      const uri = await this.storyboardOf(arg, vscode.l10n.t('Render which storyboard?'));
      return uri && this.renderer.render(uri);
    });
    register('klingStudio.storyboard.renderVideo', async (arg?: FileArg, name?: string) => {
      const video = await this.videoOf(arg, name, vscode.l10n.t('Render which video?'));
      return video && this.renderer.render(video.uri, [video.name]);
    });
    register('klingStudio.storyboard.estimate', (arg?: FileArg) => this.estimate(arg));
    register('klingStudio.storyboard.openResult', async (arg?: FileArg, name?: string) => {
      const video = await this.videoOf(arg, name, vscode.l10n.t('Open the result of which video?'));
      return video && this.openResult(video.uri, video.name);
    });
    register('klingStudio.storyboard.revealVideo', (uri: vscode.Uri, index: number) => this.revealVideo(uri, index));
    register('klingStudio.storyboard.refresh', () => {
      this.analyzer.invalidate();
      this.tree.refresh(true);
    });
  }

  /**
   * Writes the scaffold to a new `*.kling.json` and opens it. `target` is the file to create (or a folder to
   * create it in); otherwise the user names it, in the workspace's first folder.
   */
  async newStoryboard(target?: vscode.Uri): Promise<vscode.Uri | undefined> {
    let file = target && isStoryboard(target) ? target : undefined;
    if (!file) {
      const folder = target ?? vscode.workspace.workspaceFolders?.[0]?.uri;
      if (!folder) return void vscode.window.showInformationMessage(vscode.l10n.t('Open a folder first: a storyboard is kept in the repo next to the code that uses its videos.'));
      const name = await vscode.window.showInputBox({
        title: vscode.l10n.t('New Storyboard'),
        prompt: vscode.l10n.t('A file name in {0}; it ends in .kling.json', vscode.workspace.asRelativePath(folder, true) || folder.fsPath),
        value: 'videos.kling.json',
        valueSelection: [0, 'videos'.length],
        ignoreFocusOut: true,
        validateInput: async (value) => {
          const full = withSuffix(value.trim());
          if (/[\\/:*?"<>|]/.test(full) || full.startsWith('.')) return vscode.l10n.t('Use a plain file name, such as launch.kling.json.');
          return (await exists(vscode.Uri.joinPath(folder, full))) ? vscode.l10n.t('{0} already exists: choose another name.', full) : undefined;
        },
      });
      if (!name) return undefined;
      file = vscode.Uri.joinPath(folder, withSuffix(name.trim()));
    }
    if (await exists(file)) {
      void vscode.window.showWarningMessage(vscode.l10n.t('{0} already exists; it was left as it is.', vscode.workspace.asRelativePath(file)));
      return undefined;
    }
    await vscode.workspace.fs.writeFile(file, new TextEncoder().encode(loadCore().storyboardScaffold()));
    await vscode.window.showTextDocument(file);
    this.tree.refresh(true);
    return file;
  }

  /** Each video's price and state, the total, and what rendering now would cost; nothing is spent. */
  async estimate(arg?: FileArg): Promise<void> {
    const uri = await this.storyboardOf(arg, vscode.l10n.t('Estimate which storyboard?'));
    if (!uri) return;
    this.analyzer.invalidate();
    const analysis = await this.analyzer.analyze(uri);
    const name = vscode.workspace.asRelativePath(uri);
    if (!analysis.plan) {
      const why = analysis.outline.errorCount ? vscode.l10n.t('{0} problems to fix before it can be priced.', analysis.outline.errorCount) : (analysis.planError ?? vscode.l10n.t('it cannot be priced.'));
      void vscode.window.showErrorMessage(vscode.l10n.t('{0}: {1}', name, why), vscode.l10n.t('Show Problems')).then((picked) => picked && vscode.commands.executeCommand('workbench.actions.view.problems'));
      return;
    }
    const unpriced = analysis.outline.videos.filter((v) => v.errors.length).length;
    const { message, detail } = loadCore().estimateText(name, analysis.plan, unpriced);
    const render = vscode.l10n.t('Render…');
    const canRender = analysis.plan.videos.some((v) => v.state.kind === 'to-render') && unpriced === 0;
    const picked = await vscode.window.showInformationMessage(message, { modal: true, detail }, ...(canRender ? [render] : []));
    if (picked === render) await this.renderer.render(uri);
  }

  async openResult(uri: vscode.Uri, name: string): Promise<boolean> {
    const checked = await this.analyzer.check(uri);
    const value = checked.check.document.value as { output?: unknown } | undefined;
    const output = typeof value?.output === 'string' && value.output ? value.output : undefined;
    const file = vscode.Uri.file(path.join(loadCore().storyboardOutputDir(checked.storyboardPath, { output }), `${name}.mp4`));
    if (!(await exists(file))) {
      const render = vscode.l10n.t('Render…');
      void vscode.window
        .showInformationMessage(vscode.l10n.t('{0} has not been rendered yet (no {1}).', name, vscode.workspace.asRelativePath(file)), render)
        .then((picked) => picked === render && vscode.commands.executeCommand('klingStudio.storyboard.renderVideo', uri, name));
      return false;
    }
    await this.openVideo(file);
    return true;
  }

  async revealVideo(uri: vscode.Uri, index: number): Promise<void> {
    const editor = await vscode.window.showTextDocument(uri);
    const analysis = await this.analyzer.check(uri);
    const video = analysis.outline.videos[index];
    if (!video || analysis.version !== editor.document.version) return;
    const range = video.nameRange ?? video.range;
    const selection = new vscode.Selection(editor.document.positionAt(range.offset), editor.document.positionAt(range.offset + range.length));
    editor.selection = selection;
    editor.revealRange(selection, vscode.TextEditorRevealType.InCenterIfOutsideViewport);
  }

  /** The storyboard a command is about: its argument, else the active editor's, else the user's pick. */
  private async storyboardOf(arg: FileArg, question: string): Promise<vscode.Uri | undefined> {
    if (arg instanceof vscode.Uri) return arg;
    if (arg && 'uri' in arg) return arg.uri;
    const active = vscode.window.activeTextEditor?.document.uri;
    if (active && isStoryboard(active)) return active;
    const files = await this.tree.storyboards();
    if (files.length === 0) {
      const create = vscode.l10n.t('New Storyboard…');
      void vscode.window
        .showInformationMessage(vscode.l10n.t('There is no storyboard (*.kling.json) in this workspace yet.'), create)
        .then((picked) => picked && vscode.commands.executeCommand('klingStudio.storyboard.new'));
      return undefined;
    }
    if (files.length === 1) return files[0];
    const picked = await vscode.window.showQuickPick(
      files.map((uri) => ({ label: vscode.workspace.asRelativePath(uri), uri })),
      { title: question },
    );
    return picked?.uri;
  }

  /** The video a command is about: its arguments, else the one at the cursor, else the user's pick. */
  private async videoOf(arg: FileArg, name: string | undefined, question: string): Promise<{ uri: vscode.Uri; name: string } | undefined> {
    if (arg && !(arg instanceof vscode.Uri) && arg.kind === 'video') return { uri: arg.uri, name: arg.name };
    if (arg instanceof vscode.Uri && name) return { uri: arg, name };
    const uri = await this.storyboardOf(arg, question);
    if (!uri) return undefined;
    const checked = await this.analyzer.check(uri);
    const editor = vscode.window.activeTextEditor;
    if (editor?.document.uri.toString() === uri.toString() && checked.version === editor.document.version) {
      const atCursor = loadCore().videoAt(checked.outline, editor.document.offsetAt(editor.selection.active));
      if (atCursor?.name) return { uri, name: atCursor.name };
    }
    const names = checked.outline.videos.flatMap((v) => (v.name ? [v.name] : []));
    if (names.length === 1) return { uri, name: names[0]! };
    const picked = await vscode.window.showQuickPick(names, { title: question });
    return picked ? { uri, name: picked } : undefined;
  }
}

function withSuffix(name: string): string {
  if (name.endsWith('.kling.json')) return name;
  return `${name.replace(/\.json$/, '').replace(/\.kling$/, '')}.kling.json`;
}

async function exists(uri: vscode.Uri): Promise<boolean> {
  try {
    await vscode.workspace.fs.stat(uri);
    return true;
  } catch {
    return false;
  }
}
