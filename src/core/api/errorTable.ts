// docs/service-contract.md, "Errors": one row per HTTP status the service answers with. Shared by the client (status →
// kind) and the simulator (status → the body the service sends), so the two cannot drift apart.

export type ApiErrorKind =
  | 'invalid-request'
  | 'auth'
  | 'quota'
  | 'permission'
  | 'not-found'
  | 'too-large'
  | 'rate-limited'
  | 'upstream';

export interface ErrorRow {
  status: number;
  type: string;
  kind: ApiErrorKind;
  /** Whether a GET may be sent again after this answer. A create never is, except after a 429 (see klingClient). */
  retryGet: boolean;
}

export const ERROR_TABLE: readonly ErrorRow[] = [
  { status: 400, type: 'invalid_request_error', kind: 'invalid-request', retryGet: false },
  { status: 401, type: 'authentication_error', kind: 'auth', retryGet: false },
  { status: 402, type: 'insufficient_quota_error', kind: 'quota', retryGet: false },
  { status: 403, type: 'permission_error', kind: 'permission', retryGet: false },
  { status: 404, type: 'not_found_error', kind: 'not-found', retryGet: false },
  { status: 413, type: 'request_too_large_error', kind: 'too-large', retryGet: false },
  { status: 429, type: 'rate_limit_error', kind: 'rate-limited', retryGet: true },
  { status: 500, type: 'internal_server_error', kind: 'upstream', retryGet: true },
  { status: 502, type: 'upstream_error', kind: 'upstream', retryGet: true },
  { status: 503, type: 'service_unavailable_error', kind: 'upstream', retryGet: true },
];

export function errorRowForStatus(status: number): ErrorRow | undefined {
  return ERROR_TABLE.find((row) => row.status === status);
}

// docs/service-contract.md, "Query a task": task failure codes, and whether submitting the same request again may
// succeed.
export const TASK_FAILURES_FINAL = [
  'content_policy_violation',
  'invalid_parameters',
  'image_dimension_mismatch',
  'image_processing_error',
  'request_cancelled',
  'resource_not_found',
  'model_unavailable',
] as const;

export const TASK_FAILURES_RETRYABLE = [
  'generation_timeout',
  'quota_exceeded',
  'resource_exhausted',
  'generation_failed_no_content',
  'service_error',
  'service_unavailable',
  'upstream_error',
  'rate_limited',
  'unknown_error',
] as const;

export const TASK_FAILURE_CODES = [...TASK_FAILURES_FINAL, ...TASK_FAILURES_RETRYABLE] as const;

/** Whether submitting again may help after a task failed with this code. Unknown codes: yes (like unknown_error). */
export function mayRetryTaskFailure(code: string): boolean {
  return !(TASK_FAILURES_FINAL as readonly string[]).includes(code);
}
