import { storyboardJsonSchema } from './storyboardJsonSchema';
import { SHOTS_SNIPPETS, STORYBOARD_SNIPPETS, VIDEO_SNIPPETS, type JsonSnippet } from './storyboardSnippets';

export { storyboardJsonSchema };

type Schema = Record<string, unknown>;

export const STORYBOARD_EDITOR_SCHEMA_ID = 'https://kling-studio.dev/schemas/kling.editor.schema.json';

/**
 * Keywords VS Code's JSON language service validates with. The extension's own diagnostics already report every
 * one of these rules at the exact place, in words that say what to fix, and with quick fixes; left in the editor's
 * schema, each problem would show twice in the Problems panel, once with a generic message.
 */
export const VALIDATING_KEYWORDS: ReadonlySet<string> = new Set([
  'type',
  'required',
  'additionalProperties',
  'minimum',
  'maximum',
  'exclusiveMinimum',
  'exclusiveMaximum',
  'multipleOf',
  'minLength',
  'maxLength',
  'pattern',
  'format',
  'minItems',
  'maxItems',
  'uniqueItems',
  'minProperties',
  'maxProperties',
  'propertyNames',
  'contains',
  'not',
  'if',
  'then',
  'else',
  'dependencies',
  'const',
  'enum',
]);

/**
 * The schema the editor gives VS Code for `*.kling.json` (package.json `jsonValidation`): generated from the same
 * zod schema as `kling.schema.json`, with everything completion and hovers use (properties, descriptions, the
 * allowed values as `examples`, snippets) and none of the keywords that validate. The published schema, for other
 * tools and the CLI, keeps them all.
 */
export function storyboardEditorJsonSchema(): Schema {
  const schema = { ...editorSchemaOf(storyboardJsonSchema()), $id: STORYBOARD_EDITOR_SCHEMA_ID, title: 'Kling Studio storyboard (editor)' };
  const at = (...steps: string[]) => steps.reduce<Schema>((node, step) => node[step] as Schema, schema);
  addSnippets(schema, STORYBOARD_SNIPPETS);
  addSnippets(at('properties', 'videos', 'items'), VIDEO_SNIPPETS);
  addSnippets(at('properties', 'videos', 'items', 'properties', 'shots'), [
    { label: '"auto"', description: 'Let the model plan the shots from the prompt.', body: 'auto' },
    ...SHOTS_SNIPPETS,
  ]);
  // A file or link, or a frame of another video: the field is either, so VS Code needs to be told how to start each.
  for (const [field, frame] of [['image', 'last'], ['end_image', 'first']] as const) {
    addSnippets(at('properties', 'videos', 'items', 'properties', field), [
      { label: 'A file or an https URL', description: 'A JPEG or PNG path relative to this file, or an https URL.', body: '$1' },
      { label: `The ${frame} frame of another video`, description: 'A frame of another video of this file: it is rendered first.', body: { from: '$1', frame } },
    ]);
  }
  return schema;
}

/**
 * Rewrites a draft-07 schema for completion only: validating keywords go; `enum` and `const` become `examples`
 * (which VS Code still offers as values, without rejecting others); `oneOf` becomes `anyOf` (with nothing left to
 * validate, every branch would match, and oneOf reports that); and each field whose value VS Code would no longer
 * know how to start gets a hint, so that completing a property still inserts `"name": "…"`.
 */
export function editorSchemaOf(schema: Schema): Schema {
  const out: Schema = {};
  const examples: unknown[] = Array.isArray(schema['examples']) ? [...(schema['examples'] as unknown[])] : [];
  for (const [key, value] of Object.entries(schema)) {
    if (key === 'enum' && Array.isArray(value)) examples.push(...value);
    else if (key === 'const') examples.push(value);
    else if (key === 'properties' && isSchema(value)) {
      out[key] = Object.fromEntries(Object.entries(value).map(([name, property]) => [name, isSchema(property) ? editorSchemaOf(property) : property]));
    } else if ((key === 'anyOf' || key === 'oneOf' || key === 'allOf') && Array.isArray(value)) {
      out[key === 'oneOf' ? 'anyOf' : key] = value.map((branch) => (isSchema(branch) ? editorSchemaOf(branch) : branch));
    } else if (key === 'items') {
      out[key] = Array.isArray(value) ? value.map((item) => (isSchema(item) ? editorSchemaOf(item) : item)) : isSchema(value) ? editorSchemaOf(value) : value;
    } else if (key === 'examples' || VALIDATING_KEYWORDS.has(key)) {
      continue;
    } else {
      out[key] = value;
    }
  }
  const types = typesOf(schema['type']);
  if (types.includes('boolean') && examples.length === 0) examples.push(true, false);
  if ((types.includes('integer') || types.includes('number')) && examples.length === 0) {
    examples.push(typeof schema['minimum'] === 'number' ? schema['minimum'] : 0);
  }
  if (examples.length) out['examples'] = [...new Set(examples)];
  // A string with nothing to offer: a snippet of an empty string, so `"field": "|"` is what gets inserted.
  if (types.includes('string') && !out['examples'] && !out['defaultSnippets'] && out['default'] === undefined) {
    out['defaultSnippets'] = [{ body: '$1' }];
  }
  return out;
}

function addSnippets(schema: Schema, snippets: readonly JsonSnippet[]): void {
  schema['defaultSnippets'] = snippets.map((s) => ({ label: s.label, description: s.description, body: s.body }));
}

function typesOf(type: unknown): string[] {
  return Array.isArray(type) ? type.filter((t): t is string => typeof t === 'string') : typeof type === 'string' ? [type] : [];
}

function isSchema(value: unknown): value is Schema {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}
