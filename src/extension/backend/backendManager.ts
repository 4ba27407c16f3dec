import * as path from 'node:path';
import * as vscode from 'vscode';
import { baseUrlProblem } from '../../core/api/baseUrlProblem';
import type { KlingClient, RetryNotice } from '../../core/api/klingClient';
import type { Simulator } from '../../core/simulator/simulatorServer';
import type { JournalEntry } from '../../core/journal/taskState';
import { loadCore } from '../lazyCore';
import type { ExtensionLog } from '../log/extensionLog';
import type { ApiKeyStore } from '../secrets/apiKeyStore';
import { affectsKling, klingSettings } from '../settings/klingSettings';
import { Disposable } from '../util/dispose';

export type Backend = JournalEntry['backend'];

/** The service's address when a journaled task names none (docs/service-contract.md); the client's own default. */
const DEFAULT_API_URL = 'https://api.evolink.ai';

/** Raised when the API is chosen but no key is set; the editor offers "Set API Key…". */
export class MissingKeyError extends Error {
  readonly kind = 'auth';
  constructor() {
    super('No Kling API key is set. Set one with "Kling: Set API Key…", or try the built-in simulator.');
  }
}

/**
 * Raised when klingStudio.baseUrl would send the key in clear (http:// off this machine); the editor offers to open
 * the setting. Nothing is sent.
 */
export class InsecureBaseUrlError extends Error {
  readonly kind = 'config';
  constructor(problem: string) {
    super(`${problem} Change "klingStudio.baseUrl" in your user settings; nothing was sent.`);
  }
}

/**
 * Which service new generations go to, and a client for any backend a task was created on. The simulator runs
 * inside the extension host on loopback, started on first use; its tasks are kept in the extension's global
 * storage so they survive a window reload, as the service's would.
 */
export class BackendManager extends Disposable {
  private clients = new Map<string, KlingClient>();
  private simulator: Promise<Simulator> | undefined;
  private readonly changed = this._register(new vscode.EventEmitter<void>());
  readonly onDidChange = this.changed.event;
  private readonly retried = this._register(new vscode.EventEmitter<RetryNotice>());
  /** A request is waiting before it is sent again (rate limited, or the service had a problem). */
  readonly onDidRetry = this.retried.event;

  constructor(
    private readonly storage: vscode.Uri,
    private readonly keys: ApiKeyStore,
    private readonly log: ExtensionLog,
  ) {
    super();
    this._register(
      vscode.workspace.onDidChangeConfiguration((event) => {
        // VS Code's proxy settings too: a client keeps the dispatcher it was made with.
        if (affectsKling(event, 'baseUrl') || affectsKling(event, 'backend') || event.affectsConfiguration('http.proxy') || event.affectsConfiguration('http.proxyStrictSSL') || event.affectsConfiguration('http.noProxy')) this.resetClients();
        if (affectsKling(event, 'backend')) this.changed.fire();
      }),
    );
    this._register(keys.onDidChange(() => this.resetClients()));
    this._register({ dispose: () => void this.stopSimulator() });
  }

  /** The extension's global storage folder on disk (simulator state, videos made with no folder open). */
  get storagePath(): string {
    return this.storage.fsPath;
  }

  /** The backend new tasks go to. */
  current(): Backend {
    return klingSettings.backend() === 'simulator' ? { kind: 'simulator' } : { kind: 'api', baseUrl: klingSettings.baseUrl() };
  }

  isSimulated(): boolean {
    return this.current().kind === 'simulator';
  }

  /** Whether a generation could be sent now without asking for a key. */
  isReady(): boolean {
    return this.isSimulated() || this.keys.get() !== undefined;
  }

  /**
   * Why the API at this backend's address must not get the key (an http:// address off this machine), or
   * undefined. Asked before any client is made for it, so nothing is ever sent there.
   */
  addressProblem(backend: Backend = this.current()): string | undefined {
    return backend.kind === 'api' ? baseUrlProblem(backend.baseUrl ?? DEFAULT_API_URL) : undefined;
  }

  /**
   * True (and a message that offers to open the setting) when the address would carry the key in clear. The
   * refusal does not wait for the message to be closed: it is final whatever the user picks.
   */
  refuseInsecureAddress(backend: Backend = this.current()): boolean {
    const problem = this.addressProblem(backend);
    if (!problem) return false;
    const open = 'Open Settings';
    void vscode.window
      .showErrorMessage(new InsecureBaseUrlError(problem).message, open)
      .then((picked) => (picked === open ? vscode.commands.executeCommand('workbench.action.openSettings', 'klingStudio.baseUrl') : undefined));
    return true;
  }

  async clientFor(backend: Backend): Promise<KlingClient> {
    const id = backend.kind === 'simulator' ? 'simulator' : `api:${backend.baseUrl ?? ''}`;
    const existing = this.clients.get(id);
    if (existing) return existing;
    const problem = this.addressProblem(backend);
    if (problem) throw new InsecureBaseUrlError(problem);
    const core = loadCore();
    const log = (line: string) => this.log.trace(line);
    const onRetry = (notice: RetryNotice) => {
      this.log.warn(`${notice.what}: ${notice.status ? `HTTP ${notice.status}` : `network error (${notice.reason ?? 'no answer'})`}; trying again in ${Math.ceil(notice.waitMs / 1000)} s`);
      this.retried.fire(notice);
    };
    let client: KlingClient;
    if (backend.kind === 'simulator') {
      const simulator = await this.startSimulator();
      client = new core.KlingClient({ baseUrl: simulator.baseUrl, filesBaseUrl: simulator.filesBaseUrl, apiKey: core.SIMULATOR_API_KEY, log, onRetry });
    } else {
      const apiKey = this.keys.get();
      if (!apiKey) throw new MissingKeyError();
      this.log.setSecrets([apiKey]);
      this.log.info(`Using the Kling API at ${backend.baseUrl ?? 'its default address'}`);
      client = new core.KlingClient({ baseUrl: backend.baseUrl, apiKey, log, onRetry, userAgent: 'kling-studio-vscode', proxy: klingSettings.proxy() });
    }
    this.clients.set(id, client);
    return client;
  }

  /** The simulator's time scale (ms per simulated second), for scaling the poll schedule. */
  async secondMs(backend: Backend): Promise<number> {
    return backend.kind === 'simulator' ? (await this.startSimulator()).timeScale : 1000;
  }

  startSimulator(): Promise<Simulator> {
    this.simulator ??= loadCore()
      .startSimulator({
        stateFile: path.join(this.storage.fsPath, 'simulator.json'),
        timeScale: Math.max(1, Math.round(1000 / klingSettings.simulatorSpeed())),
        log: (line) => this.log.trace(`[simulator] ${line}`),
      })
      .then((simulator) => {
        this.log.info(`Simulator listening on ${simulator.baseUrl} (nothing real is generated or spent)`);
        return simulator;
      });
    return this.simulator;
  }

  private resetClients(): void {
    const old = [...this.clients.values()];
    this.clients = new Map();
    // Requests already under way on the old clients (a balance check, a poll) finish first: a client closed under
    // them would fail them as network errors. New requests get a new client with the new key or address.
    const timer = setTimeout(() => old.forEach((client) => void client.close()), 60_000);
    timer.unref?.();
  }

  private async stopSimulator(): Promise<void> {
    const simulator = await this.simulator?.catch(() => undefined);
    this.simulator = undefined;
    await simulator?.close();
  }
}
