import { createHash } from 'node:crypto';
import type { VideoRequest } from '../api/apiSchemas';

/**
 * A stable fingerprint of what a video is made from: the request with its keys sorted, without `callback_url`
 * (where the service reports back does not change the video, so changing it must not cost a new render). Local
 * images and elements enter as content hashes (see RequestResolver), not as the short-lived URLs they upload to.
 *
 * `watermark_info: { enabled: false }` counts as no watermark_info at all. Requests now always say whether they
 * want the watermark; before, a video that did not ask said nothing, and its hash was taken without the field.
 * Those videos asked for no watermark and are the same videos: they stay up to date rather than be paid for again.
 */
export function requestHash(request: VideoRequest): string {
  return hashOf(withoutWatermarkOff(request));
}

/**
 * The hashes earlier versions gave the same request, which a sidecar may still hold: the request as it is, with an
 * explicit `watermark_info: { enabled: false }` (a storyboard that said `"watermark": false`). Empty when they are
 * the same as requestHash's.
 */
export function formerRequestHashes(request: VideoRequest): string[] {
  const plain = hashOf(request);
  return plain === requestHash(request) ? [] : [plain];
}

function hashOf(request: VideoRequest): string {
  const { callback_url: _ignored, ...shaping } = request;
  return `sha256:${createHash('sha256').update(canonicalJson(shaping)).digest('hex')}`;
}

function withoutWatermarkOff(request: VideoRequest): VideoRequest {
  const params = request.model_params;
  if (params?.watermark_info?.enabled !== false) return request;
  const { watermark_info: _off, ...rest } = params;
  const { model_params: _params, ...others } = request;
  return Object.keys(rest).length > 0 ? { ...others, model_params: rest } : others;
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
