import type { z } from 'zod';

// How every webview protocol checks a message (the composer, Kling Preview, Compare Takes, Play Storyboard): strict zod
// schemas, both directions, and a Result whose reason is short enough for a log line.

export type Parsed<T> = { ok: true; message: T } | { ok: false; reason: string };

/** Checks `data` against a protocol's union of messages; a refusal names the message's type and where it is wrong. */
export function parseMessage<T>(schema: z.ZodType<T>, data: unknown): Parsed<T> {
  const result = schema.safeParse(data);
  if (result.success) return { ok: true, message: result.data };
  const type = data !== null && typeof data === 'object' && typeof (data as { type?: unknown }).type === 'string' ? (data as { type: string }).type : undefined;
  const first = result.error.issues[0];
  const where = first && first.path.length > 0 ? ` at ${first.path.join('.')}` : '';
  // zod's message for an unknown type lists every known one: not what a log line needs.
  const message = first && first.path.length === 1 && first.path[0] === 'type' ? 'not a message of this protocol' : (first?.message ?? 'invalid').slice(0, 160);
  return { ok: false, reason: `${type ? `"${type.slice(0, 60)}"` : 'a message without a type'}: ${message}${where}` };
}
