import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ASPECT_RATIOS, QUALITIES, SOUNDS } from '../../../../src/core/api/apiSchemas';
import { storyboardEditorJsonSchema, storyboardJsonSchema, VALIDATING_KEYWORDS } from '../../../../src/core/storyboard/storyboardEditorSchema';
import { StoryboardVideo } from '../../../../src/core/storyboard/storyboardSchema';
import { SHOTS_SNIPPETS, snippetDefaultText, STORYBOARD_SNIPPETS, VIDEO_SNIPPETS } from '../../../../src/core/storyboard/storyboardSnippets';
import { checkStoryboardText } from '../../../../src/core/storyboard/validateStoryboard';

type Schema = Record<string, unknown>;

/** Every schema node with its JSON pointer, depth first. */
function* nodes(schema: Schema, pointer = ''): Generator<[string, Schema]> {
  yield [pointer, schema];
  for (const [key, value] of Object.entries(schema)) {
    if (key === 'properties') {
      for (const [name, child] of Object.entries(value as Schema)) yield* nodes(child as Schema, `${pointer}/properties/${name}`);
    } else if (key === 'items' && value && typeof value === 'object' && !Array.isArray(value)) {
      yield* nodes(value as Schema, `${pointer}/items`);
    } else if (key === 'anyOf' || key === 'allOf' || key === 'oneOf') {
      for (const [i, child] of (value as Schema[]).entries()) yield* nodes(child, `${pointer}/${key}/${i}`);
    }
  }
}

const at = (schema: Schema, pointer: string) =>
  pointer
    .split('/')
    .slice(1)
    .reduce<Schema>((node, step) => node[step] as Schema, schema);

describe('storyboardEditorJsonSchema', () => {
  const editor = storyboardEditorJsonSchema();
  const full = storyboardJsonSchema();

  it('keeps no keyword VS Code would validate with, so each problem is reported once, by our diagnostics', () => {
    const left = [...nodes(editor)].flatMap(([pointer, node]) => Object.keys(node).filter((k) => VALIDATING_KEYWORDS.has(k)).map((k) => `${pointer || '/'} ${k}`));
    assert.deepEqual(left, []);
    assert.ok(
      [...nodes(editor)].every(([, node]) => !('oneOf' in node)),
      'oneOf would report "matches multiple schemas" once nothing validates',
    );
  });

  it('offers the allowed values as examples, which VS Code completes without rejecting others', () => {
    for (const scope of ['/properties/defaults', '/properties/videos/items']) {
      assert.deepEqual(at(editor, `${scope}/properties/quality`)['examples'], [...QUALITIES]);
      assert.deepEqual(at(editor, `${scope}/properties/aspect_ratio`)['examples'], [...ASPECT_RATIOS]);
      assert.deepEqual(at(editor, `${scope}/properties/sound`)['examples'], [...SOUNDS]);
      assert.deepEqual(at(editor, `${scope}/properties/watermark`)['examples'], [true, false]);
    }
    assert.deepEqual(at(editor, '/properties/version')['examples'], [1]);
    assert.deepEqual(at(editor, '/properties/videos/items/properties/shots/anyOf/0')['examples'], ['auto']);
    assert.deepEqual(at(editor, '/properties/videos/items/properties/duration')['examples'], [5]);
  });

  it('keeps every property and its description from the published schema, for completion and hovers', () => {
    const described = [...nodes(full)].filter(([, node]) => typeof node['description'] === 'string');
    assert.ok(described.length > 20, `${described.length} described nodes`);
    for (const [pointer, node] of described) {
      assert.equal(at(editor, pointer)['description'], node['description'], pointer);
    }
    assert.equal(editor['allowComments'], true);
    assert.equal(editor['allowTrailingCommas'], true);
  });

  it('gives every property a way to start its value, so completing a field inserts "field": …', () => {
    // VS Code inserts only the key when a property has no type, values, snippets, properties or items.
    const bare = [...nodes(editor)]
      .filter(([pointer]) => /\/properties\/[^/]+$/.test(pointer))
      .filter(([, node]) => !['examples', 'default', 'defaultSnippets', 'properties', 'items'].some((k) => k in node))
      .map(([pointer]) => pointer);
    assert.deepEqual(bare, []);
  });

  it('offers the video snippets inside "videos", and two choices for "shots"', () => {
    assert.deepEqual(
      (at(editor, '/properties/videos/items')['defaultSnippets'] as Array<{ label: string }>).map((s) => s.label),
      ['Video', 'Multi-shot video', 'Image-to-video video'],
    );
    assert.deepEqual(
      (at(editor, '/properties/videos/items/properties/shots')['defaultSnippets'] as Array<{ label: string }>).map((s) => s.label),
      ['"auto"', 'Two shots'],
    );
  });
});

describe('storyboard snippets', () => {
  it('each video snippet, tabbed through, is a valid video', () => {
    for (const snippet of VIDEO_SNIPPETS) {
      const parsed = StoryboardVideo.safeParse(JSON.parse(snippetDefaultText(snippet.body)));
      assert.ok(parsed.success, `${snippet.label}: ${parsed.error?.message}`);
    }
  });

  it('the shots snippet makes a valid multi-shot video and the storyboard snippet a valid file', () => {
    const shots = snippetDefaultText(SHOTS_SNIPPETS[0]!.body);
    const video = `{ "name": "t", "shots": ${shots} }`;
    assert.deepEqual(checkStoryboardText(`{ "version": 1, "videos": [ ${video} ] }`).problems, []);
    assert.deepEqual(checkStoryboardText(snippetDefaultText(STORYBOARD_SNIPPETS[0]!.body)).problems, []);
  });

  it('reads placeholders and raw (^) values as VS Code inserts them', () => {
    assert.equal(snippetDefaultText({ a: '${1:x}', n: '^${2:5}', e: '$3' }), '{"a": "x", "n": 5, "e": ""}');
  });
});
