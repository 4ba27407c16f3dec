import * as path from 'node:path';
import * as vscode from 'vscode';
import { resolveComposerElements } from '../../core/composer/composerElements';
import { emptyDraft, type ComposerDraft, type DraftElement } from '../../core/composer/composerForm';
import { PageState } from '../../core/composer/composerPageState';
import { parsePageMessage, type ElementInfo, type HostMessage, type ImageTarget, type PageMessage, type StoryboardSource } from '../../core/composer/composerProtocol';
import type { BackendManager } from '../backend/backendManager';
import { adHocOutputDir } from '../generate/adHocOutput';
import type { GuardOptions } from '../generate/moneyGuard';
import type { ExtensionLog } from '../log/extensionLog';
import type { ApiKeyStore } from '../secrets/apiKeyStore';
import type { KlingStatusBar } from '../statusBar/klingStatusBar';
import type { TaskService } from '../tasks/taskService';
import { Disposable } from '../util/dispose';
import { COMPOSER_EDITOR_ID, COMPOSER_VIEW_ID } from './composerIds';
import { generateFromComposer } from './composerGenerate';
import { composerHtml, webviewRoot } from './composerHtml';
import { acceptDroppedBytes, acceptImageFile, describeImages, imagesRoot, pickImageFile, type ChosenImage } from './composerImages';
import { pickStoryboardElements } from './pickStoryboardElements';
import { saveAsStoryboard } from './saveAsStoryboard';
import { errorText } from '../../core/text/errorText';

export interface ComposerDeps {
  tasks: TaskService;
  backends: BackendManager;
  keys: ApiKeyStore;
  statusBar: KlingStatusBar;
  log: ExtensionLog;
}

/**
 * The composer's host side, loaded with the second bundle (dist/klingCore.js) when the view is first shown or a
 * composer command first runs: registerComposer.ts keeps only the registrations in the activation bundle. The page holds the draft (getState/setState, so it survives hiding and reloads without
 * retainContextWhenHidden); the host holds what the page must not decide: the backend, the balance, the money
 * guards and the journal. Every message from the page is parsed with the protocol's zod schemas first.
 */
export class ComposerViewProvider extends Disposable implements vscode.WebviewViewProvider {
  private view: vscode.WebviewView | undefined;
  private viewListeners: vscode.Disposable[] = [];
  /** The page has said 'composer/ready' since it was last (re)loaded. */
  private ready = false;
  /** An "Edit in composer" that waits for the page. */
  private pendingLoad: HostMessage | undefined;
  /** An "Animate Image…" that waits for the page (after any load). */
  private pendingImage: HostMessage | undefined;
  /** One Generate at a time: a second Ctrl+Enter must never send a second create. */
  private submitting = false;
  /** The composer in an editor tab (Open Composer in Editor), while it is open; it has the draft then. */
  private panel: vscode.WebviewPanel | undefined;
  private panelReady = false;
  private panelListeners: vscode.Disposable[] = [];
  /** The latest state the page that has the draft shared: what is handed over between side bar and editor tab. */
  private lastState: PageState | undefined;
  /** Whether the editor tab started from the side bar's draft (else it began empty, and closing it hands back only a draft written there). */
  private handedToEditor = false;
  /** A hand-over back to the side bar that waits for its page (it was hidden when the tab closed). */
  private pendingRestore: PageState | undefined;
  /** Tests answer the price question of Variants here (no modal dialog shows in the test tier). */
  askSpend: GuardOptions['ask'];

  constructor(
    private readonly extensionUri: vscode.Uri,
    private readonly deps: ComposerDeps,
  ) {
    super();
    const sendContext = () => this.postContext();
    this._register(deps.backends.onDidChange(sendContext));
    this._register(deps.keys.onDidChange(sendContext));
    this._register(vscode.workspace.onDidGrantWorkspaceTrust(sendContext));
    this._register(deps.statusBar.onDidChangeBalance((balance) => this.post({ type: 'composer/balance', balance })));
    this._register({ dispose: () => this.viewListeners.forEach((l) => l.dispose()) });
    this._register({ dispose: () => this.panelListeners.forEach((l) => l.dispose()) });
    this._register({ dispose: () => this.panel?.dispose() });
    this._register(
      vscode.workspace.onDidChangeWorkspaceFolders(() => {
        if (this.view) this.setOptions(this.view.webview);
        if (this.panel) this.setOptions(this.panel.webview);
      }),
    );
  }

  /**
   * Scripts from the page's own folder, and images (thumbnails) from the workspace's folders: the images the form
   * uses are there, and nothing else is. The CSP lets `img-src` load only these resources.
   */
  private setOptions(webview: vscode.Webview): void {
    const folders = (vscode.workspace.workspaceFolders ?? []).map((folder) => folder.uri);
    webview.options = { enableScripts: true, localResourceRoots: [webviewRoot(this.extensionUri), ...folders] };
  }

  resolveWebviewView(view: vscode.WebviewView): void {
    this.viewListeners.forEach((l) => l.dispose());
    this.view = view;
    this.ready = false;
    this.setOptions(view.webview);
    this.viewListeners = [
      view.webview.onDidReceiveMessage((data: unknown) => void this.receive(data)),
      // Hidden, the page is unloaded; shown again, it loads afresh and says 'ready' again.
      view.onDidChangeVisibility(() => {
        if (!view.visible) this.ready = false;
      }),
      view.onDidDispose(() => {
        if (this.view === view) this.view = undefined;
        this.ready = false;
      }),
    ];
    view.webview.html = composerHtml(view.webview, this.extensionUri);
  }

  /**
   * "Open Composer in Editor": the same page in an editor tab (as GitHub Pull Requests opens a description). The draft
   * moves with it: the tab starts from the side bar's state, the side bar says where the draft is, and closing the
   * tab hands the draft back. One draft, never two that drift apart (docs/architecture.md).
   */
  async openInEditor(): Promise<void> {
    if (this.panel) {
      this.panel.reveal();
      return;
    }
    const panel = vscode.window.createWebviewPanel(COMPOSER_EDITOR_ID, 'Kling Composer', vscode.ViewColumn.Active, { enableScripts: true });
    this.setOptions(panel.webview);
    this.panel = panel;
    this.panelReady = false;
    this.handedToEditor = this.lastState !== undefined;
    this.panelListeners = [
      panel.webview.onDidReceiveMessage((data: unknown) => void this.receive(data, 'editor')),
      // A hidden tab's page is unloaded (no retainContextWhenHidden); shown again, it says 'ready' again.
      panel.onDidChangeViewState(() => {
        if (!panel.visible) this.panelReady = false;
      }),
      panel.onDidDispose(() => this.editorClosed(panel)),
    ];
    panel.webview.html = composerHtml(panel.webview, this.extensionUri, 'editor');
    // The side bar's page now shows where the draft went.
    this.postContext();
  }

  /** Whether the composer is open in an editor tab (for tests). */
  isInEditor(): boolean {
    return this.panel !== undefined;
  }

  private editorClosed(panel: vscode.WebviewPanel): void {
    if (this.panel !== panel) return;
    this.panelListeners.forEach((l) => l.dispose());
    this.panelListeners = [];
    this.panel = undefined;
    this.panelReady = false;
    const state = this.lastState;
    const written = state !== undefined && JSON.stringify(state.draft) !== JSON.stringify(emptyDraft());
    if (state && (this.handedToEditor || written)) {
      if (this.ready && this.view) this.postTo(this.view.webview, { type: 'composer/restore', state });
      else this.pendingRestore = state;
    }
    this.postContext();
  }

  /** Handles one message from the page (public for the tests, which send it forged ones). */
  async receive(data: unknown, from: 'view' | 'editor' = 'view'): Promise<void> {
    const parsed = parsePageMessage(data);
    if (!parsed.ok) {
      this.deps.log.warn(`composer: ignored a message from the page that does not fit the protocol: ${parsed.reason}`);
      return;
    }
    const message: PageMessage = parsed.message;
    switch (message.type) {
      case 'composer/ready':
        if (from === 'editor') {
          this.panelReady = true;
          this.postContext();
          if (this.lastState) this.post({ type: 'composer/restore', state: this.lastState });
        } else {
          this.ready = true;
          this.postContext();
          if (this.panel) return;
          if (this.pendingRestore) this.post({ type: 'composer/restore', state: this.pendingRestore });
          this.pendingRestore = undefined;
        }
        if (this.pendingLoad) this.post(this.pendingLoad);
        if (this.pendingImage) this.post(this.pendingImage);
        this.pendingLoad = undefined;
        this.pendingImage = undefined;
        if (this.deps.backends.isReady() && this.deps.statusBar.currentBalance().kind === 'unknown') this.refreshBalance();
        return;
      case 'composer/generate':
        return this.generate(message.draft);
      case 'composer/saveAsStoryboard': {
        let source: StoryboardSource | undefined;
        try {
          source = await saveAsStoryboard(message.draft, message.source, this.deps);
        } catch (error) {
          this.deps.log.error(`composer: could not save as a storyboard: ${errorText(error)}`);
          void vscode.window.showErrorMessage(vscode.l10n.t('Could not save the storyboard: {0}', errorText(error)));
        } finally {
          // Always answered, so the page's Save button comes back.
          this.post({ type: 'composer/saved', ...(source ? { source } : {}) });
        }
        return;
      }
      case 'composer/refreshBalance':
        return this.refreshBalance();
      case 'composer/showTasks':
        await vscode.commands.executeCommand('klingStudio.tasks.focus');
        return;
      case 'composer/setUp':
        await vscode.commands.executeCommand(message.action === 'setApiKey' ? 'klingStudio.setApiKey' : 'klingStudio.useSimulator');
        return;
      case 'composer/chooseImage': {
        const file = await pickImageFile(`Choose the ${targetLabel(message.target)}`);
        if (file) this.chosen(message.target, await acceptImageFile(file, targetLabel(message.target)));
        return;
      }
      case 'composer/dropImage':
        return this.chosen(message.target, await this.droppedUri(message.uris, targetLabel(message.target)));
      case 'composer/dropImageFile':
        return this.chosen(message.target, await acceptDroppedBytes(message.name, Buffer.from(message.base64, 'base64'), targetLabel(message.target)));
      case 'composer/describe':
        return this.describe(message.refs, message.elements);
      case 'composer/state': {
        // Only the page that has the draft speaks for it (the side bar's, while the tab is open, shows a placeholder).
        if ((from === 'editor') !== (this.panel !== undefined)) return;
        const state = PageState.safeParse(message.state);
        if (state.success) this.lastState = state.data;
        else this.deps.log.warn('composer: ignored a page state that does not fit its schema');
        return;
      }
      case 'composer/openInEditor':
        return this.openInEditor();
      case 'composer/addElements': {
        const elements = await pickStoryboardElements();
        if (elements.length) this.post({ type: 'composer/elementsChosen', elements });
        return;
      }
    }
  }

  /** The first dropped file the composer can use: a workspace file as the Explorer gives it, or one from the OS. */
  private async droppedUri(uris: readonly string[], label: string): Promise<ChosenImage> {
    for (const text of uris) {
      let uri: vscode.Uri;
      try {
        uri = vscode.Uri.parse(text.trim(), true);
      } catch {
        continue;
      }
      // The browser workbench names files of the server's workspace vscode-remote://…; this host sees them as files.
      if (uri.scheme === 'vscode-remote') uri = vscode.Uri.file(uri.path);
      if (uri.scheme === 'file' || uri.scheme === vscode.workspace.workspaceFolders?.[0]?.uri.scheme) return acceptImageFile(uri, label);
    }
    return { problem: 'Drop an image file (a JPEG or PNG from the Explorer or your file manager).' };
  }

  private chosen(target: ImageTarget, chosen: ChosenImage): void {
    if (!chosen) return;
    this.post({ type: 'composer/imageChosen', target, ...('ref' in chosen ? { ref: chosen.ref } : { problem: chosen.problem }) });
  }

  /** What the page shows of its images and elements: verdicts, sizes, thumbnails, which elements are new. */
  private async describe(refs: readonly string[], elements: readonly DraftElement[]): Promise<void> {
    const webview = this.panel?.webview ?? this.view?.webview;
    if (!webview) return;
    const images = await describeImages(refs, webview);
    const root = imagesRoot();
    const backend = this.deps.backends.current();
    const infos: ElementInfo[] = [];
    for (const element of elements) {
      if (!root) {
        infos.push({ created: false, problem: 'Open a folder first: elements are kept with the workspace.' });
        continue;
      }
      const one = await resolveComposerElements([element], { workspaceRoot: root, composerOutputDir: adHocOutputDir(this.deps), backend });
      if (!one.ok) {
        infos.push({ created: false, problem: one.problem });
        continue;
      }
      const found = one.elements[0]!;
      if (found.kind === 'existing') {
        infos.push({ created: true, ...(found.description ? { description: found.description } : {}) });
        continue;
      }
      const front = found.element.frontal_image;
      const frontPath = /^https:\/\//i.test(front) ? undefined : path.resolve(found.base, front);
      const thumbnail = frontPath && isInside(root, frontPath) ? webview.asWebviewUri(vscode.Uri.file(frontPath)).toString() : undefined;
      infos.push({ created: found.elementId !== undefined, description: found.element.description.slice(0, 500), ...(thumbnail ? { thumbnail } : {}) });
    }
    this.post({ type: 'composer/described', images, elements: infos });
  }

  /** Puts an image into the form's first frame (Animate Image…), keeping the rest of the draft. */
  async useImage(ref: string, target: ImageTarget = 'image'): Promise<void> {
    const message: HostMessage = { type: 'composer/imageChosen', target, ref };
    if (this.activeShown()) this.post(message);
    else this.pendingImage = message;
    await this.reveal();
  }

  /** Shows the composer with this draft in it ("Edit in composer"); the page keeps the one it replaces to restore. */
  async load(draft: ComposerDraft, from: string, source: StoryboardSource | undefined, notes: string[]): Promise<void> {
    const message: HostMessage = { type: 'composer/load', draft, from, ...(source ? { source } : {}), notes };
    if (this.activeShown()) this.post(message);
    else this.pendingLoad = message;
    await this.reveal();
  }

  /** The page that has the draft is loaded, has said 'ready', and is in sight. */
  private activeShown(): boolean {
    return this.panel ? this.panelReady && this.panel.visible : this.ready && this.view?.visible === true;
  }

  /** Shows the composer where the draft is: the editor tab when it is open, else the side bar's view. */
  private async reveal(): Promise<void> {
    if (this.panel) this.panel.reveal();
    else await vscode.commands.executeCommand(`${COMPOSER_VIEW_ID}.focus`);
  }

  /** Whether the page is loaded and has said 'ready' (for tests). */
  isPageReady(): boolean {
    return this.ready && this.view !== undefined;
  }

  private async generate(draft: ComposerDraft): Promise<void> {
    if (this.submitting) {
      this.deps.log.warn('composer: a Generate is already under way; ignored another');
      return;
    }
    this.submitting = true;
    let created: { label: string } | undefined;
    try {
      created = await generateFromComposer(draft, { ...this.deps, ask: this.askSpend }, () => this.generate(draft));
      // The service reserves the credits at once: show the balance that is left.
      if (created) this.refreshBalance();
    } catch (error) {
      this.deps.log.error(`composer: could not generate: ${errorText(error)}`);
    } finally {
      this.submitting = false;
      this.post({ type: 'composer/submitted', outcome: created ? 'created' : 'stopped', ...(created ? { label: created.label } : {}) });
    }
  }

  private refreshBalance(): void {
    // The status bar reads it and tells us (onDidChangeBalance); a failure is shown there and in the page.
    void this.deps.statusBar.refreshBalance().catch(() => undefined);
  }

  private postContext(): void {
    const context = {
      type: 'composer/context',
      backend: this.deps.backends.current().kind,
      ready: this.deps.backends.isReady(),
      trusted: vscode.workspace.isTrusted,
      balance: this.deps.statusBar.currentBalance(),
    } as const;
    if (this.panelReady && this.panel) this.postTo(this.panel.webview, context);
    if (this.ready && this.view) this.postTo(this.view.webview, { ...context, elsewhere: this.panel !== undefined });
  }

  /** To the page that has the draft: the editor tab's while it is open, else the side bar's. */
  private post(message: HostMessage): void {
    if (this.panel) {
      if (this.panelReady) this.postTo(this.panel.webview, message);
      return;
    }
    if (!this.ready || !this.view) return;
    this.postTo(this.view.webview, message);
  }

  private postTo(webview: vscode.Webview, message: HostMessage): void {
    void webview.postMessage(message);
  }
}

/** "first frame", "front view of element 2": what a target is called in questions and messages. */
function targetLabel(target: ImageTarget): string {
  if (target === 'image') return 'first frame';
  if (target === 'end_image') return 'last frame';
  const [, index, view] = target.split('.');
  return `${view === 'frontal' ? 'front view' : 'reference view'} of element ${Number(index) + 1}`;
}

function isInside(root: string, file: string): boolean {
  const relative = path.relative(root, file);
  return relative !== '' && !relative.startsWith('..') && !path.isAbsolute(relative);
}

export function createComposerView(extensionUri: vscode.Uri, deps: ComposerDeps): ComposerViewProvider {
  return new ComposerViewProvider(extensionUri, deps);
}
