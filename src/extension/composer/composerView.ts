import * as vscode from 'vscode';
import { checkDraft, composerSpec, type ComposerDraft } from '../../core/composer/composerForm';
import { parsePageMessage, type HostMessage, type PageMessage, type StoryboardSource } from '../../core/composer/composerProtocol';
import { formatAmount } from '../../core/pricing/decimal';
import { priceVideo } from '../../core/pricing/pricing';
import { requestHash } from '../../core/request/requestHash';
import type { BackendManager } from '../backend/backendManager';
import { adHocOutputPath, adHocWorkspaceRoot, labelOf } from '../generate/adHocOutput';
import { ensureReady } from '../generate/ensureReady';
import { submitTakes } from '../takes/submitTakes';
import type { GuardOptions } from '../generate/moneyGuard';
import type { ExtensionLog } from '../log/extensionLog';
import type { ApiKeyStore } from '../secrets/apiKeyStore';
import type { KlingStatusBar } from '../statusBar/klingStatusBar';
import type { TaskService } from '../tasks/taskService';
import { Disposable } from '../util/dispose';
import { COMPOSER_VIEW_ID } from './composerIds';
import { composerHtml, webviewRoot } from './composerHtml';
import { saveAsStoryboard } from './saveAsStoryboard';

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
  }

  resolveWebviewView(view: vscode.WebviewView): void {
    this.viewListeners.forEach((l) => l.dispose());
    this.view = view;
    this.ready = false;
    view.webview.options = { enableScripts: true, localResourceRoots: [webviewRoot(this.extensionUri)] };
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
        this.pendingLoad = undefined;
        if (this.deps.backends.isReady() && this.deps.statusBar.currentBalance().kind === 'unknown') this.refreshBalance();
        return;
      case 'composer/generate':
        return this.generate(message.draft);
      case 'composer/saveAsStoryboard': {
        let source: StoryboardSource | undefined;
        try {
          source = await saveAsStoryboard(message.draft, message.source, this.deps.log);
        } catch (error) {
          this.deps.log.error(`composer: could not save as a storyboard: ${error instanceof Error ? error.message : String(error)}`);
          void vscode.window.showErrorMessage(`Could not save the storyboard: ${error instanceof Error ? error.message : String(error)}`);
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
    }
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
      const check = checkDraft(draft);
      if (!check.video || !check.request) {
        const first = Object.entries(check.problems)[0];
        this.deps.log.warn(`composer: refused to generate from a form that is not valid (${first ? `${first[0]}: ${first[1]}` : 'no request'})`);
        return;
      }
      if (!(await ensureReady(this.deps.backends))) return;
      const spec = composerSpec(check.video);
      const price = priceVideo({ duration: spec.duration, quality: spec.quality, sound: spec.sound });
      const name = spec.prompt || (Array.isArray(spec.shots) ? spec.shots[0]?.prompt.trim() : undefined) || 'Multi-shot video';
      const services = { tasks: this.deps.tasks, backends: this.deps.backends };
      // Variants: several takes of the same video, asked for once with their whole price (src/extension/takes/).
      const [entry] = await submitTakes(
        services,
        {
          kind: 'video',
          label: labelOf(name),
          request: check.request,
          requestHash: requestHash(check.request),
          price: { seconds: price.seconds, usd: formatAmount(price.usd), credits: formatAmount(price.credits) },
          backend: this.deps.backends.current(),
          outputPath: adHocOutputPath(name, services),
          workspaceRoot: adHocWorkspaceRoot(services),
        },
        check.takes,
        { what: `a ${spec.duration} s video`, retry: () => this.generate(draft), ask: this.askSpend },
      );
      if (entry) {
        created = { label: entry.label };
        // The service reserves the credits at once: show the balance that is left.
        this.refreshBalance();
      }
    } catch (error) {
      this.deps.log.error(`composer: could not generate: ${error instanceof Error ? error.message : String(error)}`);
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

export function createComposerView(extensionUri: vscode.Uri, deps: ComposerDeps): ComposerViewProvider {
  return new ComposerViewProvider(extensionUri, deps);
}
