import assert from 'node:assert/strict';
import { mkdtemp, mkdir, realpath, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { describe, it } from 'node:test';
import { excessNestingOffset } from '../../../../src/core/storyboard/nestingDepth';
import { readStoryboardFile } from '../../../../src/core/storyboard/readStoryboardFile';
import { STORYBOARD_MAX_BYTES, STORYBOARD_MAX_DEPTH, STORYBOARD_MAX_PROBLEMS } from '../../../../src/core/storyboard/storyboardLimits';
import { checkStoryboardText, storyboardOutputDir, validateStoryboard, type StoryboardCheck } from '../../../../src/core/storyboard/validateStoryboard';
import { applyEdits, lineColOf } from '../../../helpers/textPositions';
import { pngBytes } from '../../../helpers/images';

function problemsOf(text: string) {
  return checkStoryboardText(text).problems.map((p) => ({ ...p, line: p.start.line + 1, col: p.start.character + 1 }));
}

function only(text: string) {
  const problems = problemsOf(text);
  assert.equal(problems.length, 1, `expected one problem, got: ${problems.map((p) => p.message).join(' | ')}`);
  return problems[0]!;
}

const wrap = (videos: string, extra = '') => `{\n  "version": 1,\n  "videos": [\n${videos}\n  ]${extra}\n}\n`;

describe('checkStoryboardText', () => {
  it('accepts the example of docs/storyboard-format.md and types it', () => {
    const text = wrap(`    { "name": "hero", "prompt": "A dog", "duration": 5 },
    { "name": "launch-trailer", "quality": "1080p", "sound": "on",
      "shots": [ { "prompt": "A hilltop", "duration": 4 }, { "prompt": "The city", "duration": 6 } ] },
    { "name": "teaser", "prompt": "Product reveal", "duration": 9, "shots": "auto" },
    { "name": "mascot-wave", "prompt": "<<<element_1>>> waves", "elements": ["mascot"] }`,
      `,\n  "defaults": { "aspect_ratio": "16:9", "negative_prompt": "blurry", "watermark": false, "callback_url": "https://hooks.example.com/k" },
  "elements": [ { "name": "mascot", "description": "A round orange robot", "frontal_image": "a.png", "refer_images": ["b.png"] } ]`);
    const check = checkStoryboardText(text);
    assert.deepEqual(check.problems.map((p) => p.message), []);
    assert.equal(check.storyboard?.videos.length, 4);
    assert.equal(check.storyboard?.defaults?.aspect_ratio, '16:9');
  });

  it('points at the value 16 of "duration": 16 and says what to fix', () => {
    const text = wrap(`    { "name": "hero", "prompt": "A dog", "duration": 16 }`);
    const problem = only(text);
    assert.deepEqual({ line: problem.line, col: problem.col }, lineColOf(text, '16'));
    assert.equal(problem.length, 2);
    assert.equal(problem.message, 'duration must be a whole number of seconds from 3 to 15; got 16');
  });

  it('offers to round a fractional duration', () => {
    const text = wrap(`    { "name": "hero", "prompt": "A dog", "duration": 5.6 }`);
    const problem = only(text);
    assert.equal(problem.fixes[0]?.title, 'Round to 6');
    assert.deepEqual(problemsOf(applyEdits(text, problem.fixes[0]!.edits)), []);
  });

  it('reports an unknown field at its key with a "did you mean" that fixes it', () => {
    const text = wrap(`    { "name": "hero", "prompt": "A dog", "durration": 5 }`);
    const problem = only(text);
    assert.equal(problem.code, 'unknown-field');
    assert.deepEqual({ line: problem.line, col: problem.col }, lineColOf(text, '"durration"'));
    assert.match(problem.message, /did you mean "duration"\?/);
    const fixed = applyEdits(text, problem.fixes[0]!.edits);
    assert.match(fixed, /"duration": 5/);
    assert.deepEqual(problemsOf(fixed), []);
  });

  it('reports an unknown top-level field, listing the allowed ones when nothing is close', () => {
    const problem = only(wrap(`    { "name": "hero", "prompt": "A dog" }`, ',\n  "zzz": 1'));
    assert.match(problem.message, /unknown field "zzz" in the storyboard; allowed: .*version/);
    assert.deepEqual(problem.fixes, []);
  });

  it('flags the second of two equal names and offers a free name', () => {
    const text = wrap(`    { "name": "hero", "prompt": "A" },\n    { "name": "hero", "prompt": "B" }`);
    const problem = only(text);
    assert.equal(problem.code, 'duplicate-name');
    assert.deepEqual({ line: problem.line, col: problem.col }, lineColOf(text, '"hero"', 2));
    assert.match(problem.message, /already named "hero" \(line 4\)/);
    assert.deepEqual(problemsOf(applyEdits(text, problem.fixes[0]!.edits)), []);
  });

  it('flags a shot sum that is off at the duration, with the fix', () => {
    const text = wrap(`    { "name": "t", "duration": 9, "shots": [ { "prompt": "a", "duration": 4 }, { "prompt": "b", "duration": 6 } ] }`);
    const problem = only(text);
    assert.equal(problem.code, 'shot-sum');
    assert.deepEqual({ line: problem.line, col: problem.col }, lineColOf(text, '9'));
    assert.match(problem.message, /add up to 10 s but duration is 9 s/);
    assert.deepEqual(problemsOf(applyEdits(text, problem.fixes[0]!.edits)), []);
  });

  it('flags shots whose sum is out of range when the duration is left out', () => {
    const shots = Array.from({ length: 4 }, (_, i) => `{ "prompt": "s${i}", "duration": 4 }`).join(', ');
    const problem = only(wrap(`    { "name": "t", "shots": [ ${shots} ] }`));
    assert.match(problem.message, /add up to 16 s; a video is 3 to 15 s/);
  });

  it('limits shots to six and shot prompts to 512 characters', () => {
    const seven = Array.from({ length: 7 }, () => `{ "prompt": "s", "duration": 2 }`).join(', ');
    assert.match(only(wrap(`    { "name": "t", "duration": 14, "shots": [ ${seven} ] }`)).message, /at most 6 shots; this one has 7/);
    const long = 'x'.repeat(513);
    assert.match(only(wrap(`    { "name": "t", "shots": [ { "prompt": "${long}", "duration": 5 } ] }`)).message, /513 characters long; the limit is 512/);
  });

  it('needs a prompt unless the video has a list of shots, and "auto" needs one too', () => {
    assert.match(only(wrap(`    { "name": "t", "duration": 5 }`)).message, /video "t" needs a prompt/);
    assert.match(only(wrap(`    { "name": "t", "shots": "auto" }`)).message, /shots "auto" but no prompt/);
    assert.deepEqual(problemsOf(wrap(`    { "name": "t", "shots": [ { "prompt": "a", "duration": 5 } ] }`)), []);
  });

  it('limits the prompt to 2500 characters', () => {
    assert.match(only(wrap(`    { "name": "t", "prompt": "${'y'.repeat(2501)}" }`)).message, /prompt is 2501 characters long; the limit is 2500/);
  });

  it('says which values are allowed for a choice', () => {
    const problem = only(wrap(`    { "name": "t", "prompt": "a", "quality": "4k" }`));
    assert.equal(problem.message, 'quality must be one of "720p", "1080p"; got "4k"');
  });

  it('needs image for end_image', () => {
    assert.match(only(wrap(`    { "name": "t", "prompt": "a", "end_image": "e.png" }`)).message, /end_image needs image/);
  });

  it('checks element names and <<<element_N>>> references', () => {
    const elements = `,\n  "elements": [ { "name": "mascot", "description": "robot", "frontal_image": "f.png", "refer_images": ["r.png"] } ]`;
    const unknown = only(wrap(`    { "name": "t", "prompt": "<<<element_1>>> waves", "elements": ["mascto"] }`, elements));
    assert.match(unknown.message, /element "mascto" is not defined in this file: did you mean "mascot"\?/);
    const text = wrap(`    { "name": "t", "prompt": "<<<element_1>>> meets <<<element_2>>>", "elements": ["mascot"] }`, elements);
    const reference = only(text);
    assert.deepEqual({ line: reference.line, col: reference.col }, lineColOf(text, '<<<element_2>>>'));
    assert.equal(reference.length, '<<<element_2>>>'.length);
  });

  it('checks element limits', () => {
    const problem = only(
      wrap(
        `    { "name": "t", "prompt": "a" }`,
        `,\n  "elements": [ { "name": "a-very-long-element-name", "description": "d", "frontal_image": "f.png", "refer_images": ["r.png"] } ]`,
      ),
    );
    assert.match(problem.message, /element name is 24 characters long; the limit is 20/);
  });

  it('rejects a callback_url that is not public HTTPS', () => {
    const problem = only(wrap(`    { "name": "t", "prompt": "a", "callback_url": "https://192.168.1.4/hook" }`));
    assert.match(problem.message, /is a private address \(192\.168\.0\.0\/16\)/);
    assert.match(only(wrap(`    { "name": "t", "prompt": "a", "callback_url": "http://example.com/" }`)).message, /must use https/);
  });

  it('requires version 1 and at least one video', () => {
    assert.equal(only('{ "version": 2, "videos": [ { "name": "a", "prompt": "b" } ] }').message, 'version must be 1; got 2');
    assert.equal(only('{ "version": 1, "videos": [] }').message, 'videos needs at least one video');
    assert.equal(only('{ "videos": [ { "name": "a", "prompt": "b" } ] }').message, 'version is missing: add "version": 1');
  });

  it('reports a syntax error at its place and still checks the rest', () => {
    const text = '{ "version": 1,\n  "videos": [ { "name": "a" "prompt": "b", "duration": 99 } ] }';
    const problems = problemsOf(text);
    const syntax = problems.find((p) => p.code === 'syntax');
    assert.ok(syntax, 'a syntax problem');
    assert.deepEqual({ line: syntax.line, col: syntax.col }, lineColOf(text, '"prompt"'));
    assert.match(syntax.message, /comma is missing/);
    assert.ok(problems.some((p) => p.message.includes('got 99')), 'the duration is still checked');
  });

  it('accepts comments, as the scaffold uses them', () => {
    assert.deepEqual(problemsOf('// my videos\n{ "version": 1, /* one */ "videos": [ { "name": "a", "prompt": "b" } ] }'), []);
  });

  it('reports an empty file with its own code (no JSON tool reports it as a syntax error)', () => {
    const problem = only('');
    assert.equal(problem.code, 'empty');
    assert.match(problem.message, /the storyboard is empty/);
    assert.equal(only('  // nothing yet\n').code, 'empty');
  });
});

describe('validateStoryboard (files)', () => {
  async function workspace() {
    const root = await mkdtemp(path.join(tmpdir(), 'kling-ws-'));
    await mkdir(path.join(root, 'boards', 'assets'), { recursive: true });
    await writeFile(path.join(root, 'boards', 'assets', 'ok.png'), pngBytes(640, 360));
    await writeFile(path.join(root, 'boards', 'assets', 'tiny.png'), pngBytes(200, 200));
    await writeFile(path.join(root, 'boards', 'assets', 'thin.png'), pngBytes(1000, 300));
    await writeFile(path.join(root, 'boards', 'assets', 'text.png'), 'not an image');
    return { root, storyboardPath: path.join(root, 'boards', 'b.kling.json') };
  }

  it('accepts a local JPEG/PNG inside the workspace and https URLs', async () => {
    const ws = await workspace();
    const text = wrap(`    { "name": "a", "prompt": "p", "image": "assets/ok.png", "end_image": "https://example.com/e.png" }`);
    const check = await validateStoryboard(text, { storyboardPath: ws.storyboardPath, workspaceRoot: ws.root });
    assert.deepEqual(check.problems.map((p) => p.message), []);
    assert.ok(check.storyboard);
  });

  it('reports missing, unusable and escaping images at their values', async () => {
    const ws = await workspace();
    const text = wrap(
      [
        `    { "name": "a", "prompt": "p", "image": "assets/missing.png" }`,
        `    { "name": "b", "prompt": "p", "image": "assets/tiny.png" }`,
        `    { "name": "c", "prompt": "p", "image": "assets/thin.png" }`,
        `    { "name": "d", "prompt": "p", "image": "assets/text.png" }`,
        `    { "name": "e", "prompt": "p", "image": "../../outside.png" }`,
        `    { "name": "f", "prompt": "p", "image": "ftp://example.com/x.png" }`,
      ].join(',\n'),
    );
    const check = await validateStoryboard(text, { storyboardPath: ws.storyboardPath, workspaceRoot: ws.root });
    const messages = check.problems.map((p) => `${p.start.line + 1}: ${p.message}`);
    assert.equal(check.problems.length, 6, messages.join('\n'));
    assert.match(messages[0]!, /^4: image "assets\/missing.png" not found \(looked for boards\/assets\/missing.png/);
    assert.match(messages[1]!, /^5: .*200×200; the short side must be at least 300 px/);
    assert.match(messages[2]!, /^6: .*1000×300; the aspect must be between 1:2.5 and 2.5:1/);
    assert.match(messages[3]!, /^7: .*not a JPEG or PNG/);
    assert.match(messages[4]!, /^8: .*leads outside the workspace/);
    assert.match(messages[5]!, /^9: .*relative to this file or an https:\/\/ URL/);
    assert.equal(check.storyboard, undefined);
  });

  it('warns when a frame image\'s shape is more than 5 % from the video\'s aspect_ratio (its own, the defaults\', or 16:9); still valid', async () => {
    const ws = await workspace();
    await writeFile(path.join(ws.root, 'boards', 'assets', 'wide.png'), pngBytes(1920, 1080));
    await writeFile(path.join(ws.root, 'boards', 'assets', 'edge.png'), pngBytes(1680, 900));
    await writeFile(path.join(ws.root, 'boards', 'assets', 'over.png'), pngBytes(1681, 900));
    const text = wrap(
      [
        `    { "name": "a", "prompt": "p", "image": "assets/wide.png", "aspect_ratio": "9:16" }`,
        `    { "name": "b", "prompt": "p", "image": "assets/edge.png" }`,
        `    { "name": "c", "prompt": "p", "image": "assets/ok.png", "end_image": "assets/over.png" }`,
        `    { "name": "d", "prompt": "p", "image": "assets/wide.png", "aspect_ratio": "16:9" }`,
      ].join(',\n'),
      ',\n  "defaults": { "aspect_ratio": "1:1" }',
    );
    const check = await validateStoryboard(text, { storyboardPath: ws.storyboardPath, workspaceRoot: ws.root });
    const found = check.problems.map((p) => [p.start.line + 1, p.code, p.severity, p.path.join('.')]);
    assert.deepEqual(found, [
      [4, 'frame-crop', 'warning', 'videos.0.image'],
      [5, 'frame-crop', 'warning', 'videos.1.image'],
      [6, 'frame-crop', 'warning', 'videos.2.image'],
      [6, 'frame-crop', 'warning', 'videos.2.end_image'],
    ]);
    assert.match(check.problems[0]!.message, /^image "assets\/wide\.png" is 1920×1080, 216 % wider than the video's 9:16: the service will crop it, keeping about 32 % of its width/);
    assert.match(check.problems[1]!.message, /is 1680×900, 87 % wider than the video's 1:1/, 'the defaults\' aspect ratio');
    assert.ok(check.storyboard, 'a warning leaves the storyboard usable');

    const sixteenNine = await validateStoryboard(wrap(`    { "name": "a", "prompt": "p", "image": "assets/edge.png", "end_image": "assets/over.png" }`), { storyboardPath: ws.storyboardPath, workspaceRoot: ws.root });
    assert.deepEqual(sixteenNine.problems.map((p) => p.path.join('.')), ['videos.0.end_image'], 'exactly 5 % passes, just above warns');
  });

  it('offers each fix once, also when the file rules run after the text rules', async () => {
    const ws = await workspace();
    const text = wrap(`    { "name": "a", "prompt": "p", "duration": 5.6 }`);
    const check = await validateStoryboard(text, { storyboardPath: ws.storyboardPath, workspaceRoot: ws.root });
    assert.deepEqual(
      check.problems.map((p) => p.fixes.map((f) => f.title)),
      [['Round to 6']],
    );
  });

  it('keeps output inside the workspace and defaults it to the file name', async () => {
    const ws = await workspace();
    const text = wrap(`    { "name": "a", "prompt": "p" }`, ',\n  "output": "../../elsewhere"');
    const check = await validateStoryboard(text, { storyboardPath: ws.storyboardPath, workspaceRoot: ws.root });
    assert.match(check.problems[0]?.message ?? '', /output "..\/..\/elsewhere" leads outside the workspace/);
    assert.equal(storyboardOutputDir('/w/boards/launch.kling.json', {}), '/w/boards/launch');
    assert.equal(storyboardOutputDir('/w/boards/launch.kling.json', { output: '../media/videos' }), '/w/media/videos');
  });
});

describe('validateStoryboard (real paths: symbolic links that lead out)', () => {
  async function linked() {
    const top = await realpath(await mkdtemp(path.join(tmpdir(), 'kling-links-')));
    const root = path.join(top, 'ws');
    const outside = path.join(top, 'outside');
    await mkdir(path.join(root, 'boards', 'assets'), { recursive: true });
    await mkdir(outside);
    await writeFile(path.join(outside, 'secret.png'), pngBytes(640, 360));
    return { root, outside, storyboardPath: path.join(root, 'boards', 'b.kling.json') };
  }
  const at = (check: StoryboardCheck, code: string) => check.problems.filter((p) => p.code === code).map((p) => `${p.path.join('.')}: ${p.message}`);

  it('refuses an output folder that is a link out, naming the link and where it points', async () => {
    const ws = await linked();
    await symlink(ws.outside, path.join(ws.root, 'boards', 'media'));
    const text = wrap(`    { "name": "a", "prompt": "p" }`, ',\n  "output": "media/videos"');
    const check = await validateStoryboard(text, { storyboardPath: ws.storyboardPath, workspaceRoot: ws.root });
    assert.deepEqual(at(check, 'path-outside-workspace'), [`output: output "media/videos" leads outside the workspace: boards/media → ${ws.outside} (a symbolic link)`]);
    assert.equal(check.storyboard, undefined);
  });

  it('refuses the default output folder when it is a link out, at the top of the file', async () => {
    const ws = await linked();
    await symlink(ws.outside, path.join(ws.root, 'boards', 'b'));
    const check = await validateStoryboard(wrap(`    { "name": "a", "prompt": "p" }`), { storyboardPath: ws.storyboardPath, workspaceRoot: ws.root });
    assert.deepEqual(at(check, 'path-outside-workspace'), [`: the output folder boards/b (named after this file) leads outside the workspace: boards/b → ${ws.outside} (a symbolic link)`]);
  });

  it('refuses images (first, last, element) that are links to files outside', async () => {
    const ws = await linked();
    await symlink(path.join(ws.outside, 'secret.png'), path.join(ws.root, 'boards', 'assets', 'logo.png'));
    const text = wrap(
      `    { "name": "a", "prompt": "p", "image": "assets/logo.png", "end_image": "assets/logo.png" }`,
      ',\n  "elements": [ { "name": "m", "description": "d", "frontal_image": "assets/logo.png", "refer_images": ["assets/logo.png"] } ]',
    );
    const check = await validateStoryboard(text, { storyboardPath: ws.storyboardPath, workspaceRoot: ws.root });
    const reason = `boards/assets/logo.png → ${path.join(ws.outside, 'secret.png')} (a symbolic link)`;
    assert.deepEqual(at(check, 'path-outside-workspace'), [
      `videos.0.image: image "assets/logo.png" leads outside the workspace: ${reason}`,
      `videos.0.end_image: end_image "assets/logo.png" leads outside the workspace: ${reason}`,
      `elements.0.frontal_image: frontal_image "assets/logo.png" leads outside the workspace: ${reason}`,
      `elements.0.refer_images.0: refer image "assets/logo.png" leads outside the workspace: ${reason}`,
    ]);
  });

  it('accepts links that stay inside the workspace', async () => {
    const ws = await linked();
    await writeFile(path.join(ws.root, 'boards', 'assets', 'real.png'), pngBytes(640, 360));
    await symlink('real.png', path.join(ws.root, 'boards', 'assets', 'logo.png'));
    await mkdir(path.join(ws.root, 'media'));
    await symlink(path.join(ws.root, 'media'), path.join(ws.root, 'boards', 'out'));
    const text = wrap(`    { "name": "a", "prompt": "p", "image": "assets/logo.png" }`, ',\n  "output": "out"');
    const check = await validateStoryboard(text, { storyboardPath: ws.storyboardPath, workspaceRoot: ws.root });
    assert.deepEqual(check.problems.map((p) => p.message), []);
  });

  it('refuses a saved video or sidecar that is a link out, at the video\'s name', async () => {
    const ws = await linked();
    await mkdir(path.join(ws.root, 'boards', 'out'));
    await symlink(path.join(ws.outside, 'secret.png'), path.join(ws.root, 'boards', 'out', 'a.mp4.json'));
    const text = wrap(`    { "name": "a", "prompt": "p" }`, ',\n  "output": "out"');
    const check = await validateStoryboard(text, { storyboardPath: ws.storyboardPath, workspaceRoot: ws.root });
    assert.deepEqual(at(check, 'path-outside-workspace'), [
      `videos.0.name: video "a" is saved as boards/out/a.mp4.json, which leads outside the workspace: boards/out/a.mp4.json → ${path.join(ws.outside, 'secret.png')} (a symbolic link); remove the link`,
    ]);
  });

  it('refuses the storyboard itself when it is a link to a file outside', async () => {
    const ws = await linked();
    await writeFile(path.join(ws.outside, 'real.kling.json'), wrap(`    { "name": "a", "prompt": "p" }`));
    await symlink(path.join(ws.outside, 'real.kling.json'), ws.storyboardPath);
    const check = await validateStoryboard(wrap(`    { "name": "a", "prompt": "p" }`), { storyboardPath: ws.storyboardPath, workspaceRoot: ws.root });
    assert.deepEqual(at(check, 'path-outside-workspace'), [
      `: this storyboard leads outside the workspace (${ws.root}): boards/b.kling.json → ${path.join(ws.outside, 'real.kling.json')} (a symbolic link)`,
    ]);
  });
});

describe('checkStoryboardText (hostile input)', () => {
  it('accepts a UTF-8 byte order mark, with places counted as in the text', () => {
    const check = checkStoryboardText(`\ufeff${wrap(`    { "name": "a", "prompt": "p", "duration": 2 }`)}`);
    assert.deepEqual(check.problems.map((p) => [p.start.line + 1, p.code]), [[4, 'schema']]);
  });

  it('refuses nesting deeper than the limit before parsing, at the bracket that goes too deep, without a stack overflow', () => {
    const text = `{ "version": 1, "videos": [ { "name": "a", "prompt": "p", "x": ${'['.repeat(3000)}${']'.repeat(3000)} } ] }`;
    const check = checkStoryboardText(text);
    assert.deepEqual(check.problems.map((p) => p.code), ['too-deep']);
    // Three levels before the list: `{`, `[`, `{`; the limit-th `[` after them is the first one too deep.
    assert.equal(check.problems[0]!.offset, text.indexOf('[', text.indexOf('"x"')) + STORYBOARD_MAX_DEPTH - 3);
    assert.equal(check.storyboard, undefined);
    assert.equal(check.document.root, undefined, 'not parsed');
  });

  it('counts brackets in code only, not in strings or comments', () => {
    const deepText = '['.repeat(100);
    const text = `// ${deepText}\n/* ${deepText} */\n${wrap(`    { "name": "a", "prompt": "${deepText} \\" ${deepText}" }`)}`;
    assert.deepEqual(checkStoryboardText(text).problems.map((p) => p.code), []);
    assert.equal(excessNestingOffset(`${'{'.repeat(64)}${'}'.repeat(64)}`, 64), undefined);
    assert.equal(excessNestingOffset(`${'{'.repeat(65)}`, 64), 64);
  });

  it('refuses a text over the size limit without parsing it', () => {
    const text = ' '.repeat(STORYBOARD_MAX_BYTES + 1);
    const check = checkStoryboardText(text);
    assert.deepEqual(check.problems.map((p) => [p.code, p.message]), [
      ['too-large', 'this storyboard is 5.0 MB (5,242,881 bytes); a storyboard is at most 5 MB (5,242,880 bytes): split it into several files'],
    ]);
  });

  it('describes the first problems up to the limit and counts the rest, without making them', () => {
    const videos = Array.from({ length: 1000 }, () => '{"nme":1}').join(',');
    const check = checkStoryboardText(`{"version":1,"videos":[${videos}]}`);
    assert.equal(check.problems.length, STORYBOARD_MAX_PROBLEMS + 1);
    assert.equal(check.problemCount, 3000, 'unknown field, missing name, missing prompt in each video');
    assert.deepEqual(check.problems.at(-1)!.message, '… and 2,800 more problems (only the first 200 are described; fix these first)');
    assert.equal(check.problems.at(-1)!.code, 'more-problems');
    assert.equal(check.storyboard, undefined);
  });
});

describe('readStoryboardFile', () => {
  async function folder() {
    return realpath(await mkdtemp(path.join(tmpdir(), 'kling-read-')));
  }

  it('reads a storyboard and drops its byte order mark', async () => {
    const dir = await folder();
    await writeFile(path.join(dir, 'a.kling.json'), Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from('{"version":1}')]));
    assert.deepEqual(await readStoryboardFile(path.join(dir, 'a.kling.json'), dir), { ok: true, text: '{"version":1}' });
  });

  it('refuses a file over the limit, a folder, a missing file, and a link out of the workspace, with what to do', async () => {
    const dir = await folder();
    await writeFile(path.join(dir, 'big.kling.json'), Buffer.alloc(STORYBOARD_MAX_BYTES + 1, 0x20));
    await mkdir(path.join(dir, 'folder.kling.json'));
    const outside = await folder();
    await writeFile(path.join(outside, 'x.kling.json'), '{}');
    await symlink(path.join(outside, 'x.kling.json'), path.join(dir, 'link.kling.json'));
    const read = async (name: string) => {
      const result = await readStoryboardFile(path.join(dir, name), dir);
      return result.ok ? 'read' : `${result.code}: ${result.problem}`;
    };
    assert.equal(await read('big.kling.json'), 'too-large: is 5.0 MB (5,242,881 bytes); a storyboard is at most 5 MB (5,242,880 bytes): split it into several files');
    assert.equal(await read('folder.kling.json'), 'unreadable: is a folder, not a storyboard');
    assert.equal(await read('nope.kling.json'), 'unreadable: no such file');
    assert.equal(await read('link.kling.json'), `path-outside-workspace: leads outside the workspace (${dir}): link.kling.json → ${path.join(outside, 'x.kling.json')} (a symbolic link)`);
  });
});
