import { type z } from 'zod';
import { didYouMean } from '../text/didYouMean';
import type { ProblemSink } from './problemSink';
import type { JsonPath, Problem, StoryboardDocument } from './storyboardDocument';
import { Storyboard } from './storyboardSchema';

// Turns zod's issues into problems at exact places, with the messages written in storyboardSchema.ts, one problem
// per unknown field (with its "did you mean" fix), and a plain "is missing" for required fields.

const MISSING: Record<string, string> = {
  version: 'version is missing: add "version": 1',
  videos: 'videos is missing: add a "videos" list with at least one video',
  name: 'this video has no name: add "name", a unique name such as "hero" (it becomes hero.mp4)',
  description: 'this element has no description: add "description" (at most 100 characters)',
  frontal_image: 'this element has no frontal_image: add the path of a front view (JPEG or PNG)',
  refer_images: 'this element has no refer_images: add a list of 1 to 3 more views',
};

/**
 * The schema's problems, into `sink`, and the typed storyboard when the schema accepts it (one zod pass serves both).
 * Each issue becomes a problem only while the sink has room; past that it is counted.
 */
export function schemaCheck(doc: StoryboardDocument, sink: ProblemSink): { storyboard: Storyboard | undefined } {
  const result = Storyboard.safeParse(doc.value);
  if (result.success) return { storyboard: result.data };
  for (const issue of result.error.issues) issueProblems(doc, issue, issue.path as JsonPath, sink);
  return { storyboard: undefined };
}

function issueProblems(doc: StoryboardDocument, issue: z.core.$ZodIssue, path: JsonPath, sink: ProblemSink): void {
  if (issue.code === 'unrecognized_keys') {
    for (const key of issue.keys) sink.add(() => unknownField(doc, [...path, key]));
    return;
  }
  const last = path[path.length - 1];
  if (typeof last === 'string' && doc.node(path) === undefined && isObjectValue(doc.valueAt(path.slice(0, -1)))) {
    const parentIsElement = path.length >= 2 && path[path.length - 3] === 'elements';
    const isShot = path.includes('shots');
    const message =
      (last === 'name' && parentIsElement
        ? 'this element has no name: add "name" (at most 20 characters)'
        : isShot
          ? `this shot has no ${last}: add "${last}"`
          : MISSING[last]) ?? `${last} is missing`;
    sink.add(() => doc.problem('missing-field', path, message, { target: 'anchor' }));
    return;
  }
  if (issue.code === 'invalid_union') {
    // The branch whose type matched (its issues are about its content) says what is wrong; when no branch's type
    // matched, the union's own message (set in the schema) says it best.
    const matched = issue.errors.find((branch) =>
      branch.some((inner) => inner.path.length > 0 || (inner.code !== 'invalid_type' && inner.code !== 'invalid_value')),
    );
    if (matched) {
      // The depth of this recursion is the schema's (a union inside a union), never the input's.
      for (const inner of matched) issueProblems(doc, inner, [...path, ...(inner.path as JsonPath)], sink);
      return;
    }
  }
  sink.add(() => doc.problem('schema', path, issue.message));
}

const isObjectValue = (value: unknown) => value !== null && typeof value === 'object' && !Array.isArray(value);

function unknownField(doc: StoryboardDocument, path: JsonPath): Problem {
  const key = String(path[path.length - 1]);
  const known = knownKeysAt(path.slice(0, -1));
  const present = doc.valueAt(path.slice(0, -1));
  const taken = present && typeof present === 'object' ? Object.keys(present) : [];
  const suggestion = didYouMean(key, known.filter((k) => !taken.includes(k)));
  const keyRange = doc.rangeOf(path, 'key');
  const where = describeObjectAt(path.slice(0, -1));
  const message = suggestion
    ? `unknown field "${key}" in ${where}: did you mean "${suggestion}"?`
    : `unknown field "${key}" in ${where}; allowed: ${known.join(', ')}`;
  return doc.problem('unknown-field', path, message, {
    target: 'key',
    fixes: suggestion ? [{ title: `Rename to "${suggestion}"`, edits: [{ ...keyRange, newText: JSON.stringify(suggestion) }] }] : [],
  });
}

function describeObjectAt(path: JsonPath): string {
  if (path.length === 0) return 'the storyboard';
  const last = path[path.length - 1];
  if (path[path.length - 2] === 'videos') return 'a video';
  if (path[path.length - 2] === 'shots') return 'a shot';
  if (path[path.length - 2] === 'elements') return 'an element';
  return String(last);
}

/** The field names the schema allows for the object at `path`, found by walking the zod schema itself. */
export function knownKeysAt(path: JsonPath): string[] {
  let schema: z.core.$ZodType | undefined = Storyboard;
  for (const step of path) {
    schema = schema && childSchema(schema, step);
  }
  const object = schema && objectOf(schema);
  return object ? Object.keys(object._zod.def.shape) : [];
}

function unwrap(schema: z.core.$ZodType): z.core.$ZodType {
  const def = schema._zod.def as { type: string; innerType?: z.core.$ZodType; in?: z.core.$ZodType };
  if ((def.type === 'optional' || def.type === 'default' || def.type === 'nullable' || def.type === 'nonoptional') && def.innerType) {
    return unwrap(def.innerType);
  }
  if (def.type === 'pipe' && def.in) return unwrap(def.in);
  return schema;
}

function objectOf(schema: z.core.$ZodType): z.core.$ZodObject | undefined {
  const inner = unwrap(schema);
  const def = inner._zod.def as { type: string; options?: z.core.$ZodType[] };
  if (def.type === 'object') return inner as z.core.$ZodObject;
  if (def.type === 'union') {
    for (const option of def.options ?? []) {
      const object = objectOf(option);
      if (object) return object;
    }
  }
  return undefined;
}

function childSchema(schema: z.core.$ZodType, step: string | number): z.core.$ZodType | undefined {
  const inner = unwrap(schema);
  const def = inner._zod.def as { type: string; element?: z.core.$ZodType; options?: z.core.$ZodType[] };
  if (typeof step === 'number') {
    if (def.type === 'array') return def.element;
    if (def.type === 'union') {
      for (const option of def.options ?? []) {
        const child = childSchema(option, step);
        if (child) return child;
      }
    }
    return undefined;
  }
  return objectOf(inner)?._zod.def.shape[step];
}
