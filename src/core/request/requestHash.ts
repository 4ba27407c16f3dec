import { createHash } from 'node:crypto';
import type { VideoRequest } from '../api/apiSchemas';

/**
 * A stable fingerprint of what a video is made from: the request with its keys sorted, without `callback_url`
 * (where the service reports back does not change the video, so changing it must not cost a new render). Local
 * images and elements enter as content hashes (see RequestResolver), not as the short-lived URLs they upload to.
 */
export function requestHash(request: VideoRequest): string {
  const { callback_url: _ignored, ...shaping } = request;
  return `sha256:${createHash('sha256').update(canonicalJson(shaping)).digest('hex')}`;
}

/** JSON with object keys in sorted order at every depth, so equal values always give equal text. */
export function canonicalJson(value: unknown): string {
  if (value === null || typeof value !== 'object') return JSON.stringify(value);
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  const entries = Object.entries(value as Record<string, unknown>)
    .filter(([, v]) => v !== undefined)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
}
