import * as assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import * as vscode from 'vscode';
import { pngBytes } from '../../../helpers/images';
import { suite, test } from '../../harness/hostRunner';
import { eventually, klingExtension } from '../../kling/api/klingExtension';
import { describeRange, diagnosticsWhen, klingDiagnostics, openStoryboard, rangeOf, workspaceDir, write } from '../storyboardBed';

// One of each problem the editor reports at a place and, where the fix is obvious, fixes; a comment and a trailing
// comma (allowed); and one syntax error (a missing comma), which VS Code's JSON service reports and we do not.
const INVALID = `// Problems on purpose
{
  "version": 1,
  "videos": [
    { "name": "hero", "prompt": "A dog in a meadow", "durration": 5 },
    { "name": "trailer", "duration": 9, "shots": [ { "prompt": "Dawn", "duration": 4 }, { "prompt": "The city", "duration": 6 } ] },
    { "name": "hero", "prompt": "Another dog" },
    { "name": "spin", "prompt": "The logo turns", "duration": 5.5 },
    { "name": "logo", "prompt": "A logo", "image": "assets/logo.png" },
    { "name": "wave", "prompt": "<<<element_1>>> waves", "elements": ["mascott"] },
    { "name": "far" "prompt": "Far away", "image": "../outside.png" },
  ],
  "elements": [
    { "name": "mascot", "description": "A round orange robot", "frontal_image": "https://example.com/m.png", "refer_images": ["https://example.com/s.png"] }
  ]
}
`;

/** What the Problems panel must show, each once: [the text underlined, occurrence, message]. */
const EXPECTED: Array<[string, number, RegExp]> = [
  ['"durration"', 1, /^unknown field "durration" in a video: did you mean "duration"\?$/],
  ['9', 1, /^the shots add up to 10 s but duration is 9 s: set duration to 10, or change the shots$/],
  ['"hero"', 2, /^another video is already named "hero" \(line 5\); names must be unique$/],
  ['5.5', 1, /^duration must be a whole number of seconds from 3 to 15; got 5\.5$/],
  ['"assets/logo.png"', 1, /^image "assets\/logo\.png" not found \(looked for assets\/logo\.png in the workspace\)$/],
  ['"mascott"', 1, /^element "mascott" is not defined in this file: did you mean "mascot"\?$/],
  ['"../outside.png"', 1, /^image "\.\.\/outside\.png" leads outside the workspace; keep it inside, relative to this file$/],
];

suite('storyboard diagnostics', () => {
  test('an invalid storyboard shows exactly the expected problems at their ranges, each once in the Problems panel', async () => {
    await klingExtension();
    const editor = await openStoryboard('invalid.kling.json', INVALID);
    const uri = editor.document.uri;
    const ours = await diagnosticsWhen(uri, 'the storyboard diagnostics', (d) => d.length >= EXPECTED.length);
    const actual = ours.map((d) => `${describeRange(d.range)} ${d.message}`).sort();
    assert.equal(ours.length, EXPECTED.length, `diagnostics:\n${actual.join('\n')}`);
    for (const [needle, occurrence, message] of EXPECTED) {
      const range = rangeOf(INVALID, needle, occurrence);
      const found = ours.find((d) => d.range.isEqual(range));
      assert.ok(found, `a diagnostic at ${describeRange(range)} (${needle}); there are:\n${actual.join('\n')}`);
      assert.match(found.message, message);
      assert.equal(found.severity, vscode.DiagnosticSeverity.Error);
    }

    // VS Code's JSON service checks the same file against the editor's schema: it must add the syntax error and
    // nothing else (no second report of our problems, no complaint about the comment or the trailing comma).
    // Both reports are for the document as it is (nothing edits it now): once the JSON service has spoken beside ours,
    // there is nothing more to wait for.
    const settled = await eventually('the JSON service to report the missing comma', () => {
      const diagnostics = vscode.languages.getDiagnostics(uri);
      return diagnostics.some((d) => d.source !== 'kling') && diagnostics.some((d) => d.source === 'kling') ? diagnostics : undefined;
    });
    const others = settled.filter((d) => d.source !== 'kling');
    assert.deepEqual(
      others.map((d) => `${describeRange(d.range)} ${d.message}`),
      [`${describeRange(rangeOf(INVALID, '"prompt": "Far away"').with({ end: rangeOf(INVALID, '"prompt": "Far away"').start.translate(0, 8) }))} Expected comma`],
    );
    const places = settled.map((d) => describeRange(d.range));
    assert.equal(new Set(places).size, places.length, `one diagnostic per place: ${places.join(', ')}`);
    assert.equal(editor.document.languageId, 'jsonc', 'a storyboard is JSON with comments');
  });

  test('each quick fix removes its problem, and only its problem', async () => {
    const editor = await openStoryboard('fixes.kling.json', INVALID);
    const uri = editor.document.uri;
    await diagnosticsWhen(uri, 'the storyboard diagnostics', (d) => d.length === EXPECTED.length);
    const fixes: Array<[string, RegExp, string]> = [
      ['"durration"', /did you mean "duration"/, 'Rename to "duration"'],
      ['9', /the shots add up to 10 s/, "Set duration to 10 (the shots' sum)"],
      ['"hero"', /already named "hero"/, 'Rename to "hero-2"'],
      ['5.5', /got 5\.5/, 'Round to 6'],
      ['"mascott"', /did you mean "mascot"/, 'Change to "mascot"'],
    ];
    let expected = EXPECTED.length;
    for (const [, message, title] of fixes) {
      const diagnostic = klingDiagnostics(uri).find((d) => message.test(d.message));
      assert.ok(diagnostic, `the problem ${message} is there before its fix`);
      const actions = await vscode.commands.executeCommand<vscode.CodeAction[]>('vscode.executeCodeActionProvider', uri, diagnostic.range, vscode.CodeActionKind.QuickFix.value);
      const action = actions.find((a) => a.title === title);
      assert.ok(action?.edit, `a quick fix "${title}"; offered: ${actions.map((a) => a.title).join(', ')}`);
      assert.equal(action.isPreferred, true);
      assert.ok(await vscode.workspace.applyEdit(action.edit));
      expected--;
      const now = await diagnosticsWhen(uri, `the problem ${message} to go`, (d) => d.length === expected && !d.some((x) => message.test(x.message)));
      assert.ok(!now.some((d) => message.test(d.message)));
    }
    const text = editor.document.getText();
    assert.match(text, /"duration": 5 \}/);
    assert.match(text, /"name": "trailer", "duration": 10,/);
    assert.match(text, /"name": "hero-2"/);
    assert.match(text, /"duration": 6 \}/);
    assert.match(text, /"elements": \["mascot"\]/);
  });

  test('a missing image found on disk: its problem goes without touching the storyboard', async () => {
    const editor = await openStoryboard('images.kling.json', `{ "version": 1, "videos": [ { "name": "a", "prompt": "p", "image": "assets/first.png" } ] }\n`);
    const uri = editor.document.uri;
    await diagnosticsWhen(uri, 'the missing image', (d) => d.length === 1 && /not found/.test(d[0]!.message));
    write('assets/first.png', pngBytes(640, 360));
    await diagnosticsWhen(uri, 'the problem to go once the image is there', (d) => d.length === 0);
    assert.equal(editor.document.isDirty, false);
  });

  test('problems follow the text as it is typed, and an empty file says how to start', async () => {
    const editor = await openStoryboard('typing.kling.json', `{ "version": 1, "videos": [ { "name": "a", "prompt": "p", "duration": 5 } ] }\n`);
    const uri = editor.document.uri;
    await diagnosticsWhen(uri, 'no problem', (d) => d.length === 0);
    const five = rangeOf(editor.document.getText(), '5');
    await editor.edit((edit) => edit.replace(five, '50'));
    const [problem] = await diagnosticsWhen(uri, 'the duration problem', (d) => d.length === 1);
    assert.match(problem!.message, /got 50/);
    assert.equal(describeRange(problem!.range), describeRange(new vscode.Range(five.start, five.start.translate(0, 2))));
    const all = new vscode.Range(0, 0, editor.document.lineCount, 0);
    await editor.edit((edit) => edit.replace(all, ''));
    const [empty] = await diagnosticsWhen(uri, 'the empty-file problem', (d) => d.length === 1 && /empty/.test(d[0]!.message));
    assert.match(empty!.message, /start with \{ "version": 1, "videos": \[ … \] \}/);
  });

  test('hostile storyboards: nesting 3000 deep is one problem at its place, 250 broken videos give 200 problems and a last one that counts the rest', async () => {
    const deepText = `{ "version": 1, "videos": [\n  { "name": "a", "prompt": "p", "x": ${'['.repeat(3000)}${']'.repeat(3000)} }\n] }\n`;
    const deep = await openStoryboard('deep.kling.json', deepText);
    const [tooDeep] = await diagnosticsWhen(deep.document.uri, 'the nesting problem', (d) => d.length === 1);
    assert.match(tooDeep!.message, /^the storyboard nests deeper than 64 levels here/);
    assert.equal(tooDeep!.code, 'too-deep');
    const at = rangeOf(deepText, '['.repeat(61 + 1)).start.translate(0, 61);
    assert.equal(describeRange(tooDeep!.range), describeRange(new vscode.Range(at, at.translate(0, 1))));

    const many = await openStoryboard('many.kling.json', `{"version":1,"videos":[${Array.from({ length: 250 }, () => '{"nme":1}').join(',')}]}`);
    const capped = await diagnosticsWhen(many.document.uri, 'the capped problems', (d) => d.length === 201);
    assert.equal(capped.at(-1)!.code, 'more-problems');
    assert.equal(capped.at(-1)!.message, '… and 550 more problems (only the first 200 are described; fix these first)');
  });

  test('a FIFO named like a storyboard is refused at once as not a regular file, not read forever', async () => {
    const api = await klingExtension();
    const fifo = join(workspaceDir(), 'pipe.kling.json');
    // Node has no API to make a FIFO: the test makes it with mkfifo(1); the extension runs nothing.
    execFileSync('mkfifo', [fifo]);
    let checked;
    try {
      checked = await Promise.race([
        api.storyboards.analyzer.check(vscode.Uri.file(fifo)),
        new Promise<never>((_, reject) => setTimeout(() => reject(new Error('the check of a FIFO did not return: it is being read')), 10_000)),
      ]);
    } finally {
      // Gone before the other tests look at the workspace's storyboards.
      rmSync(fifo, { force: true });
    }
    assert.deepEqual(
      checked.check.problems.map((p) => [p.code, p.message]),
      [['unreadable', 'pipe.kling.json is a FIFO (named pipe), not a regular file']],
    );
    assert.equal(checked.outline.renderable, undefined);
  });
});
