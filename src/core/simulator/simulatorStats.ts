import type { RouteName } from './exchange';

/** One answered (or unanswered) request, as the request log keeps it. */
export interface RequestLogEntry {
  method: string;
  /** The path without the query string. */
  path: string;
  /** The status sent, or 0 when the connection ended with no answer (a reset, a lost answer, a client that left). */
  status: number;
  /** When the exchange ended, on the simulator's clock (ms). */
  at: number;
  taskId?: string;
  /** The injected fault that shaped the answer, e.g. `status 429`, `cut`. */
  fault?: string;
  /** The request carried an Authorization header (the key must never go to result links or where they redirect). */
  withAuthorization?: true;
  /** The Host header as sent (a redirect fault's `toHost` moves a chain to `localhost`). */
  host?: string;
}

export interface SimulatorStatsSnapshot {
  /** Requests per route, whatever their answer, counted as they arrive. Downloads count GET and HEAD. */
  creates: number;
  taskGets: number;
  credits: number;
  downloads: number;
  uploads: number;
  /** The last {@link REQUEST_LOG_LIMIT} exchanges, oldest first, added as each one ends. */
  requests: RequestLogEntry[];
}

/** A benchmark may make many thousands of requests; the log keeps the recent ones only. */
export const REQUEST_LOG_LIMIT = 10_000;

const COUNTED: Partial<Record<RouteName, keyof Omit<SimulatorStatsSnapshot, 'requests'>>> = {
  create: 'creates',
  task: 'taskGets',
  credits: 'credits',
  download: 'downloads',
  upload: 'uploads',
};

export class SimulatorStats {
  private readonly counts = { creates: 0, taskGets: 0, credits: 0, downloads: 0, uploads: 0 };
  private log: RequestLogEntry[] = [];

  count(route: RouteName): void {
    const key = COUNTED[route];
    if (key) this.counts[key] += 1;
  }

  record(entry: RequestLogEntry): void {
    this.log.push(entry);
    if (this.log.length > REQUEST_LOG_LIMIT * 1.5) this.log = this.log.slice(-REQUEST_LOG_LIMIT);
  }

  snapshot(): SimulatorStatsSnapshot {
    return { ...this.counts, requests: this.log.slice(-REQUEST_LOG_LIMIT).map((entry) => ({ ...entry })) };
  }
}
