import { errorRowForStatus } from '../api/errorTable';

/** What a handler knows about an error; the status picks the `type` from the contract's error table. */
export interface ApiErrorInit {
  message: string;
  /** The request field at fault, as a dotted path (`model_params.multi_prompt`). */
  param?: string;
  fallbackSuggestion?: string;
}

export interface ApiErrorBodyJson {
  error: { code: number; message: string; type: string; param?: string; fallback_suggestion?: string };
}

// What the service says when the simulator is told to fail a request without saying how (inject without message).
const DEFAULT_MESSAGES: Readonly<Record<number, string>> = {
  400: 'Invalid request',
  401: 'Invalid API key',
  402: 'Insufficient credits',
  403: 'This API key is not allowed to use this resource',
  404: 'Not found',
  413: 'Request entity too large',
  429: 'Rate limit exceeded, please retry later',
  500: 'Internal server error',
  502: 'Upstream service error',
  503: 'Service temporarily unavailable',
};

export function defaultErrorMessage(status: number): string {
  return DEFAULT_MESSAGES[status] ?? `HTTP ${status}`;
}

/**
 * The contract's error body (docs/service-contract.md, "Errors"). `code` is always the status as a number here: the
 * real service sometimes sends a string, and the client must accept both, but the simulator has no reason to be
 * awkward.
 */
export function apiErrorBody(status: number, init: ApiErrorInit): ApiErrorBodyJson {
  // Statuses outside the table (a fault injected with 418, say) still get a type the client can log.
  const type = errorRowForStatus(status)?.type ?? (status >= 500 ? 'internal_server_error' : 'invalid_request_error');
  const error: ApiErrorBodyJson['error'] = { code: status, message: init.message, type };
  if (init.param !== undefined) error.param = init.param;
  if (init.fallbackSuggestion !== undefined) error.fallback_suggestion = init.fallbackSuggestion;
  return { error };
}
