import type { z } from 'zod';

/** What to do about an answer of an unexpected shape: record the exchange and send it along with a bug report. */
export const RECORD_HINT =
  'Run it again with --record FILE (kling) or the klingStudio.recordHar setting (the editor) and attach the file to a bug report: it holds the answers, never your key.';

/**
 * Why an answer does not have the shape this client expects, naming the field: "`status` is missing",
 * "`progress` is text, not a number". For the first problem only: one is enough to report, and to fix.
 */
export function answerShapeProblem(json: unknown, error: z.ZodError): string {
  if (json === undefined) return 'it is not JSON';
  const issue = error.issues[0];
  if (!issue) return 'it does not have the expected shape';
  const where = issue.path.length ? `\`${issue.path.map(String).join('.')}\`` : 'the answer';
  const value = valueAt(json, issue.path);
  if (issue.code === 'invalid_type') {
    const expected = typeName(String((issue as { expected?: unknown }).expected ?? 'another type'));
    if (value === undefined) return `${where} is missing (expected ${expected})`;
    return `${where} is ${describe(value)}, not ${expected}`;
  }
  return `${where}: ${issue.message}`;
}

function valueAt(json: unknown, path: readonly PropertyKey[]): unknown {
  let node = json;
  for (const step of path) {
    if (node === null || typeof node !== 'object') return undefined;
    node = (node as Record<PropertyKey, unknown>)[step];
  }
  return node;
}

function typeName(expected: string): string {
  return ({ string: 'text', number: 'a number', boolean: 'true or false', object: 'an object', array: 'a list', int: 'a whole number' } as Record<string, string>)[expected] ?? expected;
}

function describe(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'a list';
  if (typeof value === 'string') return `text (${JSON.stringify(value.length > 40 ? `${value.slice(0, 39)}…` : value)})`;
  if (typeof value === 'object') return 'an object';
  return `${typeof value === 'number' ? 'a number' : typeof value === 'boolean' ? 'true or false' : typeof value} (${String(value)})`;
}
