import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { describe, it } from 'node:test';
import { DOCS_COMMAND, FIELDS_END, FIELDS_START, renderStoryboardFormatDoc, storyboardFormatDocPath } from '../../../../scripts/docs/storyboardFormatDoc';
import { buildVideoRequest, specFromStoryboardVideo } from '../../../../src/core/request/buildRequest';
import { knownKeysAt } from '../../../../src/core/storyboard/schemaProblems';
import { checkStoryboardText } from '../../../../src/core/storyboard/validateStoryboard';

// Compiled to out/test/unit/scripts/docs/: the checkout is five folders up.
const REPO_ROOT = path.resolve(__dirname, '..', '..', '..', '..', '..');
const DOC = storyboardFormatDocPath(REPO_ROOT);
const text = readFileSync(DOC, 'utf8');

/** The generated part of the document: the lines between the markers. */
const generated = (doc: string) => doc.slice(doc.indexOf(FIELDS_START), doc.indexOf(FIELDS_END));

describe('docs/storyboard-format.md', () => {
  it('has the field tables the zod schema gives today', () => {
    const fresh = renderStoryboardFormatDoc(text);
    assert.ok(
      generated(fresh) === generated(text) && fresh === text,
      `docs/storyboard-format.md is stale: its field tables differ from src/core/storyboard/storyboardSchema.ts. ` +
        `Run \`${DOCS_COMMAND}\` and commit the result.`,
    );
  });

  it('gives every field of every object of the format a row, in the table of its object', () => {
    const objects: Array<[string, Array<string | number>]> = [
      ['Fields of the file', []],
      ['Fields of `defaults`', ['defaults']],
      ['Fields of `videos[]`', ['videos', 0]],
      ['Fields of `videos[].shots[]`', ['videos', 0, 'shots', 0]],
      ['Fields of `elements[]`', ['elements', 0]],
    ];
    const sections = generated(text).split(/^### /m).slice(1);
    for (const [title, at] of objects) {
      const section = sections.find((s) => s.startsWith(`${title}\n`));
      assert.ok(section, `no table titled "${title}"`);
      const rows = [...section.matchAll(/^\| `([^`]+)` \|/gm)].map((m) => m[1]);
      assert.deepEqual(rows, knownKeysAt(at), title);
    }
  });

  it('shows storyboards that the validator accepts', () => {
    // Every complete storyboard in the document (a jsonc block with "version"), as a reader would copy it.
    const examples = [...text.matchAll(/```jsonc\n([\s\S]*?)```/g)].map((m) => m[1]!).filter((block) => block.includes('"version"'));
    assert.ok(examples.length >= 2, 'the document shows at least the full example and a short one');
    for (const example of examples) {
      assert.deepEqual(checkStoryboardText(example).problems.map((p) => `${p.start.line + 1}:${p.start.character + 1} ${p.message}`), [], example.slice(0, 80));
    }
  });

  it('shows the request the code builds for the full example\'s launch-trailer', () => {
    const full = [...text.matchAll(/```jsonc\n([\s\S]*?)```/g)].map((m) => m[1]!).find((block) => block.includes('"elements": ['));
    const storyboard = full === undefined ? undefined : checkStoryboardText(full).storyboard;
    const video = storyboard?.videos.find((v) => v.name === 'launch-trailer');
    assert.ok(storyboard && video, 'the full example has a valid video named launch-trailer');
    const shown = /<!-- the request of launch-trailer[^>]*-->\n```json\n([\s\S]*?)```/.exec(text)?.[1];
    assert.ok(shown, 'the request of launch-trailer is shown after its marker comment');
    assert.deepEqual(JSON.parse(shown), buildVideoRequest(specFromStoryboardVideo(video, storyboard.defaults)));
  });

  it('refuses a document without its markers, rather than writing the tables somewhere', () => {
    assert.throws(() => renderStoryboardFormatDoc('# no markers\n', '| table |'), /needs the markers/);
  });
});
