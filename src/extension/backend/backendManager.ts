import { homedir } from 'node:os';
import * as path from 'node:path';
import type { Dispatcher } from 'undici';
import * as vscode from 'vscode';
import type { HarRecorder } from '../../core/http/harRecorder';
import { baseUrlProblem } from '../../core/api/baseUrlProblem';
import type { KlingClient, RetryNotice } from '../../core/api/klingClient';
import type { Simulator } from '../../core/simulator/simulatorServer';
import type { UploadCache } from '../../core/uploads/uploadCache';
import type { Backend } from '../../core/journal/taskState';
import { loadCore } from '../lazyCore';
import type { ExtensionLog } from '../log/extensionLog';
import type { ApiKeyStore } from '../secrets/apiKeyStore';
import { affectsKling, klingSettings } from '../settings/klingSettings';
import { Disposable } from '../util/dispose';


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
  private readonly closing = new Set<{ timer: NodeJS.Timeout; close: () => void }>();
  /** klingStudio.recordHar: the recorder every request passes (clients and downloads), and where it is written. */
  private recording: { file: string; recorder: HarRecorder; dispatchers: Map<string, Dispatcher>; timer?: NodeJS.Timeout } | undefined;
  private simulator: Promise<Simulator> | undefined;
  private uploads: UploadCache | undefined;
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
        if (
          affectsKling(event, 'baseUrl') ||
          affectsKling(event, 'backend') ||
          affectsKling(event, 'recordHar') ||
          event.affectsConfiguration('http.proxy') ||
          event.affectsConfiguration('http.proxyStrictSSL') ||
          event.affectsConfiguration('http.noProxy')
        ) {
          this.resetClients();
        }
        if (affectsKling(event, 'backend')) this.changed.fire();
      }),
    );
    this._register(keys.onDidChange(() => this.resetClients()));
    // Disposed in reverse: the recording stops and the clients are let go first, then whatever waits to close
    // closes now rather than in a minute.
    this._register({
      dispose: () => {
        for (const pending of this.closing) {
          clearTimeout(pending.timer);
          pending.close();
        }
        this.closing.clear();
      },
    });
    this._register({ dispose: () => this.resetClients() });
    this._register({ dispose: () => void this.stopSimulator() });
    this._register({ dispose: () => this.stopRecording() });
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
      client = new core.KlingClient({ baseUrl: simulator.baseUrl, filesBaseUrl: simulator.filesBaseUrl, filesInstance: simulator.instanceId, apiKey: core.SIMULATOR_API_KEY, log, onRetry, dispatcher: this.recordingDispatcher(simulator.baseUrl) });
    } else {
      const apiKey = this.keys.get();
      if (!apiKey) throw new MissingKeyError();
      this.log.setSecrets([apiKey]);
      this.log.info(`Using the Kling API at ${backend.baseUrl ?? 'its default address'}`);
      client = new core.KlingClient({
        baseUrl: backend.baseUrl,
        apiKey,
        log,
        onRetry,
        userAgent: 'kling-studio-vscode',
        proxy: klingSettings.proxy(),
        dispatcher: this.recordingDispatcher(backend.baseUrl ?? DEFAULT_API_URL),
      });
    }
    this.clients.set(id, client);
    return client;
  }

  /**
   * The uploads this user's processes share (the CLI's too): KLING_STATE_DIR, else the XDG state folder. An image whose
   * link is still good is not uploaded again, whoever uploaded it.
   */
  uploadCache(): UploadCache {
    this.uploads ??= loadCore().UploadCache.shared(process.env, homedir());
    return this.uploads;
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

  /** For the task engine's downloads: through the recorder while klingStudio.recordHar is set, else its own. */
  downloadDispatcher(backend: Backend): Dispatcher | undefined {
    return this.recordingDispatcher(backend.kind === 'simulator' ? 'http://127.0.0.1' : (backend.baseUrl ?? DEFAULT_API_URL));
  }

  /**
   * A dispatcher that records into klingStudio.recordHar (the key, uploads and videos left out), or undefined when
   * the setting is empty: the clients then make their own. The file is rewritten a second after each exchange.
   */
  private recordingDispatcher(url: string): Dispatcher | undefined {
    const file = recordHarFile();
    if (!file) return undefined;
    if (!path.isAbsolute(file)) {
      this.log.warn(`klingStudio.recordHar must be an absolute path; ${file} is not, so nothing is recorded.`);
      return undefined;
    }
    const core = loadCore();
    if (this.recording?.file !== file) {
      this.stopRecording();
      const recording: NonNullable<BackendManager['recording']> = {
        file,
        dispatchers: new Map(),
        recorder: new core.HarRecorder({
          secrets: () => [this.keys.get()],
          creator: { name: 'kling-studio-vscode', version: String(vscode.extensions.getExtension('kling-studio.kling-studio')?.packageJSON?.version ?? 'development') },
          onRecord: () => {
            clearTimeout(recording.timer);
            recording.timer = setTimeout(() => this.writeRecording(recording), 1000);
          },
        }),
      };
      this.recording = recording;
      this.log.info(`Recording HTTP exchanges to ${file} (klingStudio.recordHar; no key, no upload or video bytes)`);
    }
    // Recorded exchanges go through the same proxy as unrecorded ones: one dispatcher per origin and proxy settings.
    const proxy = klingSettings.proxy();
    const key = `${new URL(url).origin} ${proxy.url ?? ''} ${proxy.strictSSL} ${(proxy.noProxy ?? []).join(',')}`;
    let dispatcher = this.recording.dispatchers.get(key);
    if (!dispatcher) {
      dispatcher = core.createDispatcher(url, undefined, proxy).compose(this.recording.recorder.interceptor);
      this.recording.dispatchers.set(key, dispatcher);
    }
    return dispatcher;
  }

  private writeRecording(recording: NonNullable<BackendManager['recording']>): void {
    void recording.recorder.write(recording.file).catch((error: unknown) => this.log.warn(`Could not write ${recording.file}: ${String(error)}`));
  }

  private stopRecording(): void {
    const recording = this.recording;
    if (!recording) return;
    this.recording = undefined;
    clearTimeout(recording.timer);
    if (recording.recorder.size) this.writeRecording(recording);
    this.closeLater(() => recording.dispatchers.forEach((d) => void d.close().catch(() => undefined)));
  }

  /**
   * Runs `close` in a minute, or at once when the extension is disposed first: connections still in use finish,
   * and none outlives the extension.
   */
  private closeLater(close: () => void): void {
    const timer = setTimeout(() => {
      this.closing.delete(pending);
      close();
    }, 60_000);
    timer.unref?.();
    const pending = { timer, close };
    this.closing.add(pending);
  }

  private resetClients(): void {
    const old = [...this.clients.values()];
    this.clients = new Map();
    // Requests already under way on the old clients (a balance check, a poll) finish first: a client closed under
    // them would fail them as network errors. New requests get a new client with the new key or address.
    this.closeLater(() => old.forEach((client) => void client.close()));
    if (this.recording && this.recording.file !== recordHarFile()) this.stopRecording();
  }

  private async stopSimulator(): Promise<void> {
    const simulator = await this.simulator?.catch(() => undefined);
    this.simulator = undefined;
    await simulator?.close();
  }
}

/** klingStudio.recordHar with `~/` expanded, or undefined when it is empty. */
function recordHarFile(): string | undefined {
  const setting = klingSettings.recordHar();
  return setting?.startsWith('~/') ? path.join(homedir(), setting.slice(2)) : setting;
}
