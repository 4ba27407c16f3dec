import { storyboardJsonSchema } from '../../src/core/storyboard/storyboardJsonSchema';

// The field tables of docs/storyboard-format.md, written from the JSON Schema that the build generates from the zod
// schema: the descriptions are the `.describe()` texts (the same words the editor shows in hovers), the types and
// limits are the schema's own. Prose around the tables is written by hand; these tables never are.

type Schema = Record<string, unknown>;

/** One table: an object of the format, where it sits, and its fields. */
interface ObjectTable {
  /** Where the object sits in a storyboard, e.g. `videos[]`; empty for the file itself. */
  path: string;
  schema: Schema;
}

/** Numbers zod writes for "no limit" (a safe integer's bounds) say nothing to a reader. */
const NO_LIMIT = Number.MAX_SAFE_INTEGER;

/** Markdown for every object of the storyboard format, top level first, each nested object after its parent. */
export function storyboardFieldTables(schema: Schema = storyboardJsonSchema()): string {
  const tables = objectTables(schema, '');
  return tables.map(renderTable).join('\n\n');
}

function objectTables(schema: Schema, path: string): ObjectTable[] {
  const tables: ObjectTable[] = [{ path, schema }];
  for (const [name, property] of Object.entries(propertiesOf(schema))) {
    for (const nested of nestedObjects(property, path ? `${path}.${name}` : name)) tables.push(...objectTables(nested.schema, nested.path));
  }
  return tables;
}

/** The objects a property holds: itself, its list's items, or a branch of its `anyOf`. */
function nestedObjects(schema: Schema, path: string): ObjectTable[] {
  if (schema['type'] === 'object') return [{ path, schema }];
  if (schema['type'] === 'array' && isSchema(schema['items'])) return nestedObjects(schema['items'], `${path}[]`);
  if (Array.isArray(schema['anyOf'])) return schema['anyOf'].filter(isSchema).flatMap((branch) => nestedObjects(branch, path));
  return [];
}

function renderTable(table: ObjectTable): string {
  const required = new Set(Array.isArray(table.schema['required']) ? (table.schema['required'] as string[]) : []);
  const rows = Object.entries(propertiesOf(table.schema)).map(([name, property]) => {
    const where = table.path ? `${table.path}.${name}` : name;
    return `| \`${name}\` | ${valueOf(property, where)} | ${required.has(name) ? 'required' : 'optional'} | ${cell(describe(property))} |`;
  });
  const extra = table.schema['additionalProperties'] === false ? ' No other field is allowed.' : '';
  return [
    `### ${titleOf(table.path)}`,
    '',
    `${cell(describe(table.schema))}${extra}`,
    '',
    '| field | value | required | what it is |',
    '|---|---|---|---|',
    ...rows,
  ].join('\n');
}

function titleOf(path: string): string {
  return path ? `Fields of \`${path}\`` : 'Fields of the file';
}

/** A link to the table of the object at `path`. */
function linkTo(path: string): string {
  return `[\`${path}\`](#${anchorOf(path)})`;
}

/** The heading's anchor as GitHub makes it: lower case, punctuation dropped, spaces to hyphens. */
function anchorOf(path: string): string {
  return titleOf(path)
    .toLowerCase()
    .replace(/[^a-z0-9 _-]/g, '')
    .replace(/ /g, '-');
}

/** What a field holds, in words, with its limits. */
function valueOf(schema: Schema, path: string): string {
  if ('const' in schema) return `\`${JSON.stringify(schema['const'])}\``;
  if (Array.isArray(schema['enum'])) return schema['enum'].map((v) => `\`${JSON.stringify(v)}\``).join(' or ');
  if (Array.isArray(schema['anyOf'])) return schema['anyOf'].filter(isSchema).map((branch) => valueOf(branch, path)).join(', or ');
  switch (schema['type']) {
    case 'string':
      return `text${stringLimits(schema)}`;
    case 'integer':
      return `whole number${numberLimits(schema)}`;
    case 'number':
      return `number${numberLimits(schema)}`;
    case 'boolean':
      return '`true` or `false`';
    case 'object':
      return `object (${linkTo(path)})`;
    case 'array': {
      const items = isSchema(schema['items']) ? schema['items'] : {};
      const what = items['type'] === 'object' ? linkTo(`${path}[]`) : plural(valueOf(items, `${path}[]`));
      const [noun, ...each] = what.split(', ');
      return [`list of ${noun}`, countOf(schema), ...each].filter(Boolean).join(', ');
    }
    default:
      return 'any value';
  }
}

function stringLimits(schema: Schema): string {
  const limits: string[] = [];
  if (schema['minLength'] === 1) limits.push('not empty');
  else if (typeof schema['minLength'] === 'number') limits.push(`at least ${schema['minLength']} characters`);
  if (typeof schema['maxLength'] === 'number') limits.push(`at most ${schema['maxLength']} characters`);
  if (typeof schema['pattern'] === 'string') limits.push(`matching \`${schema['pattern']}\``);
  return limits.length ? `, ${limits.join(', ')}` : '';
}

function numberLimits(schema: Schema): string {
  const min = typeof schema['minimum'] === 'number' ? schema['minimum'] : undefined;
  const max = typeof schema['maximum'] === 'number' && schema['maximum'] < NO_LIMIT ? schema['maximum'] : undefined;
  if (min !== undefined && max !== undefined) return ` from ${min} to ${max}`;
  if (min !== undefined) return `, at least ${min}`;
  if (max !== undefined) return `, at most ${max}`;
  return '';
}

function countOf(schema: Schema): string {
  const min = typeof schema['minItems'] === 'number' ? schema['minItems'] : undefined;
  const max = typeof schema['maxItems'] === 'number' ? schema['maxItems'] : undefined;
  if (min !== undefined && max !== undefined) return `${min} to ${max}`;
  if (min !== undefined) return `at least ${min}`;
  if (max !== undefined) return `at most ${max}`;
  return '';
}

/** "text, not empty" → "texts, each not empty". */
function plural(value: string): string {
  const [head, ...limits] = value.split(', ');
  const noun = head === 'text' ? 'texts' : head === 'whole number' ? 'whole numbers' : head!;
  return limits.length ? `${noun}, each ${limits.join(', ')}` : noun;
}

function describe(schema: Schema): string {
  return typeof schema['description'] === 'string' ? schema['description'] : '';
}

/**
 * Text safe inside a table cell: pipes escaped, and placeholders such as `<name>.mp4` or `<<<element_1>>>` set as
 * code, which Markdown would otherwise take for HTML tags and hide.
 */
function cell(text: string): string {
  return text.replace(/\|/g, '\\|').replace(/\S*<[^<>\s]*>+\S*?(?=[.,;:)…]?(\s|$))/g, (placeholder) => `\`${placeholder}\``);
}

function propertiesOf(schema: Schema): Record<string, Schema> {
  return isSchema(schema['properties']) ? (schema['properties'] as Record<string, Schema>) : {};
}

function isSchema(value: unknown): value is Schema {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}
