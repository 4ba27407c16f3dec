import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import type { CreateRequest } from '../api/apiSchemas';
import { findSimulatorClipsDir, SimulatedVideoRenderer } from '../media/simulatedVideo';
import { amountToNumber } from '../pricing/decimal';
import { ApiRoutes } from './apiRoutes';
import { Exchange, type RouteName } from './exchange';
import { FileUploads, UPLOAD_BASE64_PATH, UPLOAD_STREAM_PATH, UPLOADS_PATH_PREFIX } from './fileUploads';
import type { SimulatorContext } from './simulatorContext';
import { defaultErrorMessage } from './simulatorErrors';
import { FaultQueue, faultName, type FaultRoute, type SimulatorFault } from './simulatorFaults';
import { SimulatorStateFile } from './simulatorStateFile';
import { SimulatorStats, type RequestLogEntry, type SimulatorStatsSnapshot } from './simulatorStats';
import { SimulatorTasks } from './simulatorTasks';
import { REDIRECT_PATH_PREFIX, VIDEO_PATH_PREFIX, VideoDownloads } from './videoDownloads';

export type { SimulatorFault, StatusFault, LoseAnswerFault, ReplacedAnswer, ResetFault, BodyFault, RedirectFault, NotJsonFault, FaultRoute } from './simulatorFaults';
export type { SimulatorStatsSnapshot, RequestLogEntry } from './simulatorStats';
export type { TaskPhase } from './taskLifecycle';
export { BILLING_URL } from './apiRoutes';

/** The key the simulator accepts when none are given. Not a secret: it only opens the local simulator. */
export const SIMULATOR_API_KEY = 'kling-simulator';

export interface SimulatorOptions {
  /** Default 0: a free port. */
  port?: number;
  /** Default 127.0.0.1: loopback only. */
  host?: string;
  /** Accepted Bearer keys. Default `[SIMULATOR_API_KEY]`. */
  apiKeys?: readonly string[];
  /**
   * Real milliseconds per simulated second. Default 1000; tests use 1–20. A task keeps the scale it was created with,
   * also when a later simulator loads it from the state file at another scale.
   */
  timeScale?: number;
  /**
   * Credits at start. Default 10000 for a fresh state. With a state file that holds a balance, the saved balance is
   * kept unless this is given, in which case it sets the remaining credits (as {@link Simulator.setBalance} would).
   */
  balanceCredits?: number;
  /**
   * A JSON file that keeps the tasks (request, creation time, price, failure, element id) and the credits across
   * restarts, as a real service would. Loaded at start: a missing file is a fresh start, an unusable one too (with a
   * log line, and the file moved aside to `<file>.unreadable`). Written atomically after every create and balance
   * change, before the create is answered, several changes to one write. Uploaded files are not kept: their links
   * name the old port anyway. Without it, everything is in memory and ends with the simulator.
   */
  stateFile?: string;
  /** How long a result link works after its task completes, in real (clock) ms. Default 24 h. */
  linkTtlMs?: number;
  /** Folder of the committed clips (`media/simulator`). Default: found upwards from this file's folder. */
  clipsDir?: string;
  /** The clock, in ms since the epoch. Default `Date.now`. */
  now?: () => number;
  /** Size of a `free` box of zeros appended to every served video, streamed, never held in memory. Default 0. */
  videoPaddingBytes?: number;
  /** Receives one line per request: method, path, status, task id (never the key). */
  log?: (line: string) => void;
  /** Simulated seconds a task waits as `pending`. Default 3. */
  queueSeconds?: number;
  /** Simulated seconds of processing of a video: this, plus `processingSecondsPerVideoSecond` × duration. Default 20. */
  processingSeconds?: number;
  /** Default 2. */
  processingSecondsPerVideoSecond?: number;
  /** Simulated seconds of processing of a custom element. Default 10. */
  elementProcessingSeconds?: number;
  /** Largest upload accepted, in bytes. Default 100 MB (104857600), the contract's limit. */
  maxUploadBytes?: number;
  /** How long uploaded files are served, in real (clock) ms. Default 72 h. */
  uploadTtlMs?: number;
}

/** One task as the simulator sees it, for tests and diagnostics. */
export interface SimulatorTaskSnapshot {
  id: string;
  model: string;
  kind: 'video' | 'element';
  /** The create request as validated. */
  request: CreateRequest;
  status: 'pending' | 'processing' | 'completed' | 'failed';
  progress: number;
  /** On the simulator's clock (ms). */
  createdAt: number;
  /** The price charged (refunded if the task failed). */
  credits: number;
  failureCode?: string;
  elementId?: string;
  /** Video tasks: seconds of video. */
  videoSeconds?: number;
}

export interface Simulator {
  /** `http://127.0.0.1:PORT`: the API base (`/v1/...`). */
  readonly baseUrl: string;
  /** The Files API base (`/api/v1/files/...`): the same server. */
  readonly filesBaseUrl: string;
  /** Real milliseconds per simulated second, for clients that scale their poll schedule to the simulator's speed. */
  readonly timeScale: number;
  /**
   * Stops listening, destroys every connection (stalled downloads included) and waits for the state file's last
   * write. Safe to call twice.
   */
  close(): Promise<void>;
  /** `close()` without waiting, so that the simulator can sit in a list of disposables (the extension's subscriptions). */
  dispose(): void;
  /** Makes the next `fault.times` (default 1) matching requests misbehave; see {@link SimulatorFault}. */
  inject(fault: SimulatorFault): void;
  /** Drops every fault not yet used. */
  clearFaults(): void;
  tasks(): SimulatorTaskSnapshot[];
  stats(): SimulatorStatsSnapshot;
  /** Sets the remaining credits (refunds of tasks that fail later still come on top). */
  setBalance(credits: number): void;
  /** Remaining credits now. */
  balance(): number;
}

/**
 * Rendered videos kept in memory. Renders are deterministic, so the cache only saves time: a few entries cover the
 * videos being polled and downloaded at once (at most ~220 KB each).
 */
const CACHED_VIDEOS = 8;

interface Route {
  name: RouteName;
  /** The path's last segment: a task id or a file name. */
  param: string;
}

/**
 * Starts a local stand-in for the Kling 3.0 API of docs/service-contract.md on a real HTTP server: the same validation,
 * error bodies, task life cycle, result links and Files API, with faults on demand. No `vscode` here: the extension,
 * the CLI and the tests all run it.
 */
export async function startSimulator(options: SimulatorOptions = {}): Promise<Simulator> {
  const timeScale = options.timeScale ?? 1000;
  if (!(timeScale > 0)) throw new RangeError(`timeScale must be above 0, not ${timeScale}`);
  const apiKeys = new Set(options.apiKeys ?? [SIMULATOR_API_KEY]);
  const now = options.now ?? Date.now;
  const log = options.log ?? (() => undefined);
  // Fails now rather than at the first download if the clips cannot be found.
  const clipsDir = options.clipsDir ?? findSimulatorClipsDir(__dirname);

  const tasks = new SimulatorTasks(
    {
      queueSeconds: options.queueSeconds ?? 3,
      processingSeconds: options.processingSeconds ?? 20,
      processingSecondsPerVideoSecond: options.processingSecondsPerVideoSecond ?? 2,
      elementProcessingSeconds: options.elementProcessingSeconds ?? 10,
      timeScale,
    },
    options.balanceCredits ?? 10_000,
  );
  const stateFile = options.stateFile !== undefined ? new SimulatorStateFile(options.stateFile, tasks, now, log) : undefined;
  const saved = await stateFile?.load();
  if (saved) {
    tasks.restore(saved);
    if (options.balanceCredits !== undefined) {
      tasks.setRemaining(options.balanceCredits, now());
      await stateFile!.save();
    }
    log(`simulator: ${saved.tasks.length} task(s) loaded from ${options.stateFile}`);
  }
  const saveState = (): Promise<void> => stateFile?.save() ?? Promise.resolve();
  const faults = new FaultQueue();
  const stats = new SimulatorStats();
  const sockets = new Set<Socket>();
  const server = createServer();
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.once('close', () => sockets.delete(socket));
  });

  const host = options.host ?? '127.0.0.1';
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const { port } = server.address() as AddressInfo;
  const baseUrl = `http://${host.includes(':') ? `[${host}]` : host}:${port}`;

  const ctx: SimulatorContext = {
    baseUrl,
    now,
    tasks,
    renderer: new SimulatedVideoRenderer({ clipsDir, maxCachedVideos: CACHED_VIDEOS }),
    linkTtlMs: options.linkTtlMs ?? 24 * 3_600_000,
    videoPaddingBytes: options.videoPaddingBytes ?? 0,
    maxUploadBytes: options.maxUploadBytes ?? 100 * 1024 * 1024,
    uploadTtlMs: options.uploadTtlMs ?? 72 * 3_600_000,
    log,
    saveState,
  };
  const videos = new VideoDownloads(ctx);
  const api = new ApiRoutes(ctx, videos);
  const uploads = new FileUploads(ctx);

  async function handle(ex: Exchange): Promise<void> {
    const route = classify(ex.method, ex.path);
    ex.route = route.name;
    stats.count(route.name);
    // Faults act like the service's front door: before the key is checked or the request read.
    const fault = isFaultRoute(route.name) ? faults.take(route.name, ex.method) : undefined;
    if (fault) ex.fault = faultName(fault);
    if (fault?.kind === 'reset') {
      ex.destroy();
      return;
    }
    if (fault?.kind === 'status') {
      const headers = fault.retryAfterSeconds !== undefined ? { 'Retry-After': String(fault.retryAfterSeconds) } : {};
      if (fault.page !== undefined) ex.send(fault.status, 'text/html; charset=utf-8', Buffer.from(fault.page), headers);
      else ex.error(fault.status, { message: fault.message ?? defaultErrorMessage(fault.status) }, headers);
      return;
    }
    if (fault?.kind === 'not-json') {
      ex.send(200, 'application/json; charset=utf-8', Buffer.from(fault.body));
      return;
    }
    if (needsKey(route.name) && !authorized(ex)) return;
    switch (route.name) {
      case 'credits':
        return api.credits(ex);
      case 'create':
        return api.create(ex, fault);
      case 'task':
        return api.task(ex, route.param);
      case 'download':
        return videos.serve(ex, route.param, fault);
      case 'upload':
        return uploads.upload(ex, ex.path === UPLOAD_STREAM_PATH ? 'stream' : 'base64');
      case 'file':
        return uploads.serve(ex, route.param);
      case 'redirect':
        return videos.step(ex, route.param);
      case 'other':
        ex.error(404, { message: `Unknown endpoint: ${ex.method} ${ex.path}` });
    }
  }

  function authorized(ex: Exchange): boolean {
    const header = ex.req.headers.authorization;
    const key = /^Bearer\s+(\S+)\s*$/i.exec(header ?? '')?.[1];
    if (key !== undefined && apiKeys.has(key)) return true;
    ex.error(401, {
      message: header === undefined ? 'Missing API key: send Authorization: Bearer <key>' : 'Invalid API key',
      fallbackSuggestion: 'check the API key in your dashboard',
    });
    return false;
  }

  server.on('request', (req: IncomingMessage, res: ServerResponse) => {
    const ex = new Exchange(req, res, baseUrl);
    res.once('close', () => {
      const status = res.headersSent ? res.statusCode : 0;
      const entry: RequestLogEntry = { method: ex.method, path: ex.path, status, at: now(), ...(ex.taskId ? { taskId: ex.taskId } : {}), ...(ex.fault ? { fault: ex.fault } : {}) };
      if (req.headers.authorization !== undefined) entry.withAuthorization = true;
      if (req.headers.host !== undefined) entry.host = req.headers.host;
      stats.record(entry);
      const unfinished = res.headersSent && !res.writableFinished ? ' (cut short)' : '';
      log(`${ex.method} ${ex.path} ${status || 'no answer'}${unfinished}${ex.taskId ? ` ${ex.taskId}` : ''}${ex.fault ? ` [fault: ${ex.fault}]` : ''}`);
    });
    handle(ex).catch((error: unknown) => {
      log(`simulator: ${ex.method} ${ex.path} failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
      if (!ex.answered) ex.error(500, { message: 'The simulator failed on this request' });
    });
  });

  let closing: Promise<void> | undefined;
  const close = (): Promise<void> => {
    // Destroying the sockets ends stalled downloads and idle keep-alive connections; server.close alone waits for them.
    closing ??= new Promise<void>((resolve) => {
      server.close(() => resolve());
      for (const socket of sockets) socket.destroy();
    }).then(() => stateFile?.flush());
    return closing;
  };
  return {
    baseUrl,
    filesBaseUrl: baseUrl,
    timeScale,
    close,
    dispose: () => void close(),
    inject: (fault) => faults.inject(fault),
    clearFaults: () => faults.clear(),
    tasks() {
      const at = now();
      return tasks.all().map((task) => {
        const phase = tasks.phase(task, at);
        const snapshot: SimulatorTaskSnapshot = {
          id: task.id,
          model: task.model,
          kind: task.kind,
          request: structuredClone(task.request),
          status: phase.status,
          progress: phase.status === 'completed' ? 100 : phase.status === 'pending' ? 0 : phase.progress,
          createdAt: task.createdMs,
          credits: amountToNumber(task.credits),
        };
        if (task.failureCode !== undefined) snapshot.failureCode = task.failureCode;
        if (task.kind === 'element') snapshot.elementId = task.elementId;
        else snapshot.videoSeconds = task.videoSeconds;
        return snapshot;
      });
    },
    stats: () => stats.snapshot(),
    setBalance(credits) {
      tasks.setRemaining(credits, now());
      void saveState();
    },
    balance: () => amountToNumber(tasks.remaining(now())),
  };
}

function classify(method: string, path: string): Route {
  const route = (name: RouteName, param = ''): Route => ({ name, param });
  const read = method === 'GET' || method === 'HEAD';
  if (method === 'GET' && path === '/v1/credits') return route('credits');
  if (method === 'POST' && path === '/v1/videos/generations') return route('create');
  if (method === 'GET' && path.startsWith('/v1/tasks/') && !path.slice('/v1/tasks/'.length).includes('/')) {
    return route('task', path.slice('/v1/tasks/'.length));
  }
  if (read && path.startsWith(VIDEO_PATH_PREFIX)) return route('download', path.slice(VIDEO_PATH_PREFIX.length));
  if (method === 'POST' && (path === UPLOAD_STREAM_PATH || path === UPLOAD_BASE64_PATH)) return route('upload');
  if (read && path.startsWith(UPLOADS_PATH_PREFIX)) return route('file', path.slice(UPLOADS_PATH_PREFIX.length));
  if (read && path.startsWith(REDIRECT_PATH_PREFIX)) return route('redirect', path.slice(REDIRECT_PATH_PREFIX.length));
  return route('other');
}

function isFaultRoute(route: RouteName): route is FaultRoute {
  return route !== 'file' && route !== 'redirect' && route !== 'other';
}

/** Result links and uploaded files are fetched without the key, as the service's storage links are. */
function needsKey(route: RouteName): boolean {
  return route === 'create' || route === 'task' || route === 'credits' || route === 'upload';
}
