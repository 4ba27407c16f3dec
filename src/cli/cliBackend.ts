import * as path from 'node:path';
import { apiKeyProblem } from '../core/api/apiKeyProblem';
import { baseUrlProblem } from '../core/api/baseUrlProblem';
import type { Dispatcher } from 'undici';
import { createDispatcher, DEFAULT_BASE_URL, KlingClient } from '../core/api/klingClient';
import { SIMULATOR_API_KEY, startSimulator, type Simulator } from '../core/simulator/simulatorServer';
import type { Backend } from '../core/journal/taskState';
import { stateDir, type CliContext } from './cliContext';

/**
 * The clients a CLI run needs: the real service (key from KLING_API_KEY) and, on demand, the embedded simulator.
 * The simulator keeps its tasks in the state folder, so a task it started survives a stopped CLI, like a real one.
 */
export class CliBackends {
  private simulator: Promise<Simulator> | undefined;
  private readonly clients = new Map<string, Promise<KlingClient>>();
  /** Dispatchers made here to record (--record): the clients do not own them, so they are closed here. */
  private readonly dispatchers = new Map<string, Dispatcher>();

  constructor(
    private readonly ctx: CliContext,
    private readonly options: { baseUrl?: string | undefined; verbose?: boolean | undefined },
  ) {}

  get apiKey(): string | undefined {
    const key = this.ctx.env['KLING_API_KEY']?.trim() || undefined;
    // Masked again here for a key set after the run began (the Action's input): GitHub hides it from then on.
    this.ctx.github?.mask(key);
    return key;
  }

  get apiBaseUrl(): string | undefined {
    return this.options.baseUrl ?? (this.ctx.env['KLING_BASE_URL'] || undefined);
  }

  /**
   * Why the Kling API cannot be used as this run is set up, or undefined: an address that would send the key in
   * clear (--base-url, KLING_BASE_URL, or the one a journaled task was created on) or a KLING_API_KEY that cannot be
   * a key. Asked before anything is sent; the commands print it and exit 2.
   */
  refusal(backend: Backend): string | undefined {
    if (backend.kind === 'simulator') return undefined;
    const url = backend.baseUrl ?? DEFAULT_BASE_URL;
    const urlProblem = baseUrlProblem(url);
    if (urlProblem) {
      const from = url === this.options.baseUrl ? '--base-url: ' : url === this.ctx.env['KLING_BASE_URL'] ? 'KLING_BASE_URL: ' : '';
      return `${from}${urlProblem} Nothing was sent.`;
    }
    const key = this.ctx.env['KLING_API_KEY'];
    const keyProblem = key?.trim() ? apiKeyProblem(key) : undefined;
    if (keyProblem) return `KLING_API_KEY cannot be used. ${keyProblem} Export the key from your dashboard again; nothing was sent.`;
    return undefined;
  }

  /** The backend new tasks go to. */
  backend(simulated: boolean): Backend {
    return simulated ? { kind: 'simulator' } : { kind: 'api', baseUrl: this.apiBaseUrl };
  }

  clientFor = (backend: Backend): Promise<KlingClient> => {
    const key = backend.kind === 'simulator' ? 'simulator' : `api:${backend.baseUrl ?? ''}`;
    let client = this.clients.get(key);
    if (!client) {
      client = this.createClient(backend);
      this.clients.set(key, client);
    }
    return client;
  };

  private async createClient(backend: Backend): Promise<KlingClient> {
    const log = this.options.verbose ? (line: string) => this.ctx.stderr.write(`· ${line}\n`) : undefined;
    if (backend.kind === 'simulator') {
      const simulator = await this.startSimulator();
      return new KlingClient({ baseUrl: simulator.baseUrl, filesBaseUrl: simulator.filesBaseUrl, filesInstance: simulator.instanceId, apiKey: SIMULATOR_API_KEY, log, dispatcher: this.recordingDispatcher(simulator.baseUrl) });
    }
    const apiKey = this.apiKey;
    if (!apiKey) throw new Error('KLING_API_KEY is not set: export your API key, or use --simulator to try without one.');
    return new KlingClient({ baseUrl: backend.baseUrl, apiKey, log, dispatcher: this.recordingDispatcher(backend.baseUrl ?? DEFAULT_BASE_URL) });
  }

  /**
   * For the task engine: the client of each backend and, when recording, the dispatcher its downloads go through
   * (result links are on the service's storage, or on the simulator, which are reached the same way as the API).
   */
  engineDeps(): { clientFor: (backend: Backend) => Promise<KlingClient>; downloadDispatcher?: (backend: Backend) => Dispatcher | undefined } {
    if (!this.ctx.recorder) return { clientFor: this.clientFor };
    return {
      clientFor: this.clientFor,
      downloadDispatcher: (backend) => (backend.kind === 'simulator' ? this.recordingDispatcher('http://127.0.0.1') : this.recordingDispatcher(backend.baseUrl ?? DEFAULT_BASE_URL)),
    };
  }

  /** Undefined unless recording: the client then makes (and owns) its own. */
  private recordingDispatcher(url: string): Dispatcher | undefined {
    const recorder = this.ctx.recorder;
    if (!recorder) return undefined;
    const key = new URL(url).origin;
    let dispatcher = this.dispatchers.get(key);
    if (!dispatcher) {
      dispatcher = createDispatcher(url).compose(recorder.interceptor);
      this.dispatchers.set(key, dispatcher);
    }
    return dispatcher;
  }

  /** The embedded simulator; KLING_SIMULATOR_TIME_SCALE (ms per simulated second, default 1000) speeds it up. */
  startSimulator(): Promise<Simulator> {
    this.simulator ??= startSimulator({
      stateFile: path.join(stateDir(this.ctx), 'simulator.json'),
      timeScale: Number(this.ctx.env['KLING_SIMULATOR_TIME_SCALE'] ?? '') || undefined,
    });
    return this.simulator;
  }

  async close(): Promise<void> {
    for (const client of this.clients.values()) await (await client.catch(() => undefined))?.close();
    for (const dispatcher of this.dispatchers.values()) await dispatcher.close().catch(() => undefined);
    await (await this.simulator?.catch(() => undefined))?.close();
  }
}
