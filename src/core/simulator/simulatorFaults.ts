// Faults the simulator can be told to commit, so that a client's handling of a bad network or a bad day at the
// service can be tested over real HTTP. Each fault applies to the next `times` requests of its route (after letting
// `after` of them through), in the order the faults were injected.

/** The routes a fault can target: create, task query, credits, result video download, file upload. */
export type FaultRoute = 'create' | 'task' | 'credits' | 'download' | 'upload';

interface FaultBase {
  /** How many matching requests the fault applies to. Default 1. */
  times?: number;
  /**
   * How many matching requests to answer normally before the fault applies. Default 0. Faults queued after it for the
   * same route wait their turn, so `{ status: 500, after: 9 }` injected ten times hits every tenth request: faults
   * spread over a long run rather than bunched at its start.
   */
  after?: number;
}

/** Answer with this status and the contract's error body (its `type` from the error table). */
export interface StatusFault extends FaultBase {
  on: FaultRoute;
  status: number;
  /** Sent as `Retry-After` (seconds) when given. */
  retryAfterSeconds?: number;
  /** Overrides the error body's default message for the status. */
  message?: string;
  /**
   * Sent as text/html in place of the contract's error body: a page from a gateway in front of the service, which
   * turned the request away before the service saw it (nothing is created; compare `lose-answer` with `answer`).
   */
  page?: string;
}

/**
 * The task is created and charged, then its answer is lost: the outcome is unknown to the client. Without `answer`
 * the socket is destroyed before any answer; with it, the client gets that answer instead, as from a gateway in
 * front of the service that passed the create on and then failed:
 * `{ on: 'create', kind: 'lose-answer', answer: { status: 502, body: '<html>Bad Gateway</html>' } }`.
 */
export interface LoseAnswerFault extends FaultBase {
  on: 'create';
  kind: 'lose-answer';
  answer?: ReplacedAnswer;
}

/** An answer sent in place of the service's own, byte for byte as given. */
export interface ReplacedAnswer {
  /** Any HTTP status from 200 to 599: a 200 with a body that is not a task is a lost answer too. */
  status: number;
  /** Default empty. */
  body?: string;
  /** Default `text/html; charset=utf-8`, what gateways send. */
  contentType?: string;
  /** Extra headers, e.g. an `X-Request-Id`. */
  headers?: Record<string, string>;
}

/**
 * The socket is destroyed before the request is handled, so nothing happens on the service's side. The brief asked
 * for it on task queries and credits; on a create it is the counterpart of `lose-answer` (nothing was created).
 */
export interface ResetFault extends FaultBase {
  on: FaultRoute;
  kind: 'reset';
}

/** Download faults, for GET only (a HEAD has no body to damage). `afterBytes` counts bytes of the response body. */
export interface BodyFault extends FaultBase {
  on: 'download';
  /**
   * `cut`: headers with the full Content-Length, `afterBytes` bytes, then the socket is destroyed.
   * `truncate`: a chunked 200 (no Content-Length) that ends cleanly after `afterBytes` bytes; only the MP4's own
   * structure tells the client that the file is short.
   * `stall`: `afterBytes` bytes, then nothing, with the socket held open until the client gives up or the simulator
   * closes.
   */
  kind: 'cut' | 'truncate' | 'stall';
  afterBytes: number;
}

/**
 * A CDN's redirect chain, for GET only: the result link answers 302, and so does each address after it, `hops`
 * redirects in all, the last one to the video itself. The first Location is absolute, the others relative (both
 * are seen in the wild). `toHost: 'localhost'` moves the chain to this same server under the name `localhost`:
 * another host to the client, still loopback.
 */
export interface RedirectFault extends FaultBase {
  on: 'download';
  kind: 'redirect';
  hops: number;
  toHost?: 'localhost';
}

/**
 * A 200 whose body is not JSON, as from a proxy or gateway in front of the service that mangled the answer (a JSON
 * text cut short with a Content-Length to match, a page sent as JSON). Reads only: nothing happens on the service's
 * side. A create answered so is `lose-answer` with an `answer`, since the service may have created the task first.
 */
export interface NotJsonFault extends FaultBase {
  on: 'task' | 'credits';
  kind: 'not-json';
  /** Sent as `application/json`; default {@link NOT_JSON_BODY}. */
  body?: string;
}

/** The default body of a `not-json` fault: the start of a task body, cut off in the middle of a value. */
export const NOT_JSON_BODY = '{"id":"task-unified-1757169743-7cvnl5zw","object":"video.generation.task","status":"proc';

export type SimulatorFault = StatusFault | LoseAnswerFault | ResetFault | BodyFault | RedirectFault | NotJsonFault;

/** A fault as it applies to one request (without `times`). */
export type ActiveFault =
  | { kind: 'status'; status: number; retryAfterSeconds?: number; message?: string; page?: string }
  | { kind: 'lose-answer'; answer?: Required<Pick<ReplacedAnswer, 'status' | 'body' | 'contentType' | 'headers'>> }
  | { kind: 'reset' }
  | { kind: 'cut' | 'truncate' | 'stall'; afterBytes: number }
  | { kind: 'redirect'; hops: number; toHost?: 'localhost' }
  | { kind: 'not-json'; body: string };

const FAULT_ROUTES: readonly string[] = ['create', 'task', 'credits', 'download', 'upload'];

interface QueuedFault {
  route: FaultRoute;
  /** Matching requests still to let through before it applies. */
  pass: number;
  left: number;
  fault: ActiveFault;
}

/** Short name of a fault for the log and the request log. */
export function faultName(fault: ActiveFault): string {
  if (fault.kind === 'status') return `status ${fault.status}`;
  if (fault.kind === 'lose-answer' && fault.answer) return `lose-answer ${fault.answer.status}`;
  if (fault.kind === 'redirect') return `redirect ×${fault.hops}`;
  return fault.kind;
}

/** The faults waiting for their requests. */
export class FaultQueue {
  private queue: QueuedFault[] = [];

  /** Queues a fault. Throws on a fault that cannot apply (a test's mistake, better loud than silently ignored). */
  inject(fault: SimulatorFault): void {
    if (!FAULT_ROUTES.includes(fault.on)) throw new TypeError(`A fault cannot target '${String(fault.on)}'`);
    const times = fault.times ?? 1;
    if (!Number.isInteger(times) || times < 1) throw new TypeError(`A fault's times must be a whole number ≥ 1, not ${times}`);
    const after = fault.after ?? 0;
    if (!Number.isInteger(after) || after < 0) throw new TypeError(`A fault's after must be a whole number ≥ 0, not ${after}`);
    this.queue.push({ route: fault.on, pass: after, left: times, fault: toActive(fault) });
  }

  /**
   * The fault for this request, if one is waiting, counting it as used (or the request as one let through). Body and
   * redirect faults wait for a GET: a HEAD before the download must not use up the fault meant for the download itself,
   * nor count among the requests it lets through.
   */
  take(route: FaultRoute, method: string): ActiveFault | undefined {
    const index = this.queue.findIndex(
      (queued) => queued.route === route && !(waitsForGet(queued.fault) && method !== 'GET'),
    );
    if (index < 0) return undefined;
    const queued = this.queue[index]!;
    if (queued.pass > 0) {
      queued.pass -= 1;
      return undefined;
    }
    queued.left -= 1;
    if (queued.left === 0) this.queue.splice(index, 1);
    return queued.fault;
  }

  clear(): void {
    this.queue = [];
  }

  get size(): number {
    return this.queue.length;
  }
}

function waitsForGet(fault: ActiveFault): boolean {
  return fault.kind === 'cut' || fault.kind === 'truncate' || fault.kind === 'stall' || fault.kind === 'redirect';
}

/** The longest chain a redirect fault may ask for: enough to go past any client's limit. */
const MAX_FAULT_HOPS = 20;

function toActive(fault: SimulatorFault): ActiveFault {
  // Widened: the types already forbid a wrong route, but callers in plain JavaScript or with casts are not typed.
  const on: string = fault.on;
  if ('status' in fault) {
    if (!Number.isInteger(fault.status) || fault.status < 400 || fault.status > 599) {
      throw new TypeError(`A status fault needs an HTTP error status (400–599), not ${fault.status}`);
    }
    const active: ActiveFault = { kind: 'status', status: fault.status };
    if (fault.retryAfterSeconds !== undefined) active.retryAfterSeconds = fault.retryAfterSeconds;
    if (fault.message !== undefined) active.message = fault.message;
    if (fault.page !== undefined) active.page = fault.page;
    return active;
  }
  switch (fault.kind) {
    case 'lose-answer':
      if (on !== 'create') throw new TypeError("'lose-answer' applies to creates only");
      return fault.answer === undefined ? { kind: 'lose-answer' } : { kind: 'lose-answer', answer: replacedAnswer(fault.answer) };
    case 'reset':
      return { kind: 'reset' };
    case 'cut':
    case 'truncate':
    case 'stall':
      if (on !== 'download') throw new TypeError(`'${fault.kind}' applies to downloads only`);
      if (!Number.isInteger(fault.afterBytes) || fault.afterBytes < 0) {
        throw new TypeError(`afterBytes must be a whole number ≥ 0, not ${fault.afterBytes}`);
      }
      return { kind: fault.kind, afterBytes: fault.afterBytes };
    case 'redirect': {
      if (on !== 'download') throw new TypeError("'redirect' applies to downloads only");
      if (!Number.isInteger(fault.hops) || fault.hops < 1 || fault.hops > MAX_FAULT_HOPS) {
        throw new TypeError(`hops must be a whole number from 1 to ${MAX_FAULT_HOPS}, not ${fault.hops}`);
      }
      const toHost: unknown = fault.toHost;
      if (toHost !== undefined && toHost !== 'localhost') throw new TypeError(`toHost may only be 'localhost', not ${JSON.stringify(toHost)}`);
      return fault.toHost ? { kind: 'redirect', hops: fault.hops, toHost: fault.toHost } : { kind: 'redirect', hops: fault.hops };
    }
    case 'not-json': {
      if (on !== 'task' && on !== 'credits') throw new TypeError("'not-json' applies to task queries and credits only");
      const body: unknown = fault.body ?? NOT_JSON_BODY;
      if (typeof body !== 'string') throw new TypeError("A 'not-json' fault's body must be text");
      return { kind: 'not-json', body };
    }
    default:
      throw new TypeError(`Unknown fault ${JSON.stringify(fault satisfies never)}`);
  }
}

function replacedAnswer(answer: ReplacedAnswer): Required<ReplacedAnswer> {
  if (!Number.isInteger(answer.status) || answer.status < 200 || answer.status > 599) {
    throw new TypeError(`A lost answer's status must be an HTTP status from 200 to 599, not ${answer.status}`);
  }
  const headers = answer.headers ?? {};
  for (const [name, value] of Object.entries(headers)) {
    if (typeof value !== 'string') throw new TypeError(`A lost answer's header ${name} must be text`);
  }
  return { status: answer.status, body: answer.body ?? '', contentType: answer.contentType ?? 'text/html; charset=utf-8', headers: { ...headers } };
}
