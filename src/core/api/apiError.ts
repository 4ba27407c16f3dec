import type { ApiErrorKind } from './errorTable';

/**
 * Every way a call to the service can fail, as a kind the editor and the CLI map to one message and one action.
 * - network: no answer at all (refused, reset, timed out) on a request that is safe to report as not done.
 * - outcome-unknown: a create whose body may have reached the service but whose answer was lost. A task may exist
 *   and be charged; it is never sent again on our own (docs/service-contract.md, "Create a task").
 * - bad-response: an answer this client cannot read.
 * - config: this machine's settings forbid the request (a base URL that would send the key in clear); nothing was
 *   sent. The editor offers to open the setting. (A key that cannot be a key is `auth`, which offers to set it.)
 */
export type ErrorKind = ApiErrorKind | 'network' | 'outcome-unknown' | 'bad-response' | 'config';

export interface ApiErrorDetails {
  kind: ErrorKind;
  message: string;
  status?: number | undefined;
  type?: string | undefined;
  param?: string | undefined;
  fallbackSuggestion?: string | undefined;
  /** Milliseconds the service asked us to wait (Retry-After). */
  retryAfterMs?: number | undefined;
  requestId?: string | undefined;
  /** For outcome-unknown: what was sent, so the user can check for it. */
  sent?: string | undefined;
}

export class ApiError extends Error {
  readonly kind: ErrorKind;
  readonly status: number | undefined;
  readonly type: string | undefined;
  readonly param: string | undefined;
  readonly fallbackSuggestion: string | undefined;
  readonly retryAfterMs: number | undefined;
  readonly requestId: string | undefined;
  readonly sent: string | undefined;

  constructor(details: ApiErrorDetails, options?: { cause?: unknown }) {
    super(details.message, options);
    this.name = 'ApiError';
    this.kind = details.kind;
    this.status = details.status;
    this.type = details.type;
    this.param = details.param;
    this.fallbackSuggestion = details.fallbackSuggestion;
    this.retryAfterMs = details.retryAfterMs;
    this.requestId = details.requestId;
    this.sent = details.sent;
  }
}

export function isApiError(error: unknown, kind?: ErrorKind): error is ApiError {
  return error instanceof ApiError && (kind === undefined || error.kind === kind);
}

/**
 * Removes a secret from a text that may reach a user, a log or a file: the one place where anything the service
 * sends back (messages, params, hints, pages, headers) loses the key. The key is also removed in the forms an echo
 * may take it: escaped inside a JSON string, or percent-encoded in a URL.
 */
export function redact(text: string, secret: string | undefined): string {
  if (!secret || secret.length < 4) return text;
  const forms = new Set([secret, JSON.stringify(secret).slice(1, -1), JSON.stringify(secret).slice(1, -1).replace(/\//g, '\\/'), encodeURIComponent(secret)]);
  let result = text;
  for (const form of forms) result = result.split(form).join('•••');
  return result;
}
