import * as path from 'node:path';
import * as vscode from 'vscode';
import { resolveComposerElements } from '../../core/composer/composerElements';
import type { ComposerDraft, DraftElement } from '../../core/composer/composerForm';
import { parsePageMessage, type ElementInfo, type HostMessage, type ImageTarget, type PageMessage, type StoryboardSource } from '../../core/composer/composerProtocol';
import type { BackendManager } from '../backend/backendManager';
import { adHocOutputDir } from '../generate/adHocOutput';
import type { GuardOptions } from '../generate/moneyGuard';
import type { ExtensionLog } from '../log/extensionLog';
import type { ApiKeyStore } from '../secrets/apiKeyStore';
import type { KlingStatusBar } from '../statusBar/klingStatusBar';
import type { TaskService } from '../tasks/taskService';
import { Disposable } from '../util/dispose';
import { COMPOSER_VIEW_ID } from './composerIds';
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
    this._register(vscode.workspace.onDidChangeWorkspaceFolders(() => this.view && this.setOptions(this.view.webview)));
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

  /** Handles one message from the page (public for the tests, which send it forged ones). */
  async receive(data: unknown): Promise<void> {
    const parsed = parsePageMessage(data);
    if (!parsed.ok) {
      this.deps.log.warn(`composer: ignored a message from the page that does not fit the protocol: ${parsed.reason}`);
      return;
    }
    const message: PageMessage = parsed.message;
    switch (message.type) {
      case 'composer/ready':
        this.ready = true;
        this.postContext();
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
          void vscode.window.showErrorMessage(`Could not save the storyboard: ${errorText(error)}`);
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
    const webview = this.view?.webview;
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
    if (this.ready && this.view?.visible) this.post(message);
    else this.pendingImage = message;
    await vscode.commands.executeCommand(`${COMPOSER_VIEW_ID}.focus`);
  }

  /** Shows the composer with this draft in it ("Edit in composer"); the page keeps the one it replaces to restore. */
  async load(draft: ComposerDraft, from: string, source: StoryboardSource | undefined, notes: string[]): Promise<void> {
    const message: HostMessage = { type: 'composer/load', draft, from, ...(source ? { source } : {}), notes };
    if (this.ready && this.view?.visible) this.post(message);
    else this.pendingLoad = message;
    await vscode.commands.executeCommand(`${COMPOSER_VIEW_ID}.focus`);
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
    this.post({
      type: 'composer/context',
      backend: this.deps.backends.current().kind,
      ready: this.deps.backends.isReady(),
      trusted: vscode.workspace.isTrusted,
      balance: this.deps.statusBar.currentBalance(),
    });
  }

  private post(message: HostMessage): void {
    if (!this.ready || !this.view) return;
    void this.view.webview.postMessage(message);
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
