/**
 * The --json documents, validated against the JSON Schemas the build publishes (schemas/kling-<command>.schema.json)
 * by a validator of their own (Ajv), not by the zod schemas they were generated from.
 */
import Ajv, { type ValidateFunction } from 'ajv';
import assert from 'node:assert/strict';
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { describe, it } from 'node:test';
import { cliWorkspace, runKling } from '../../helpers/cliRun';
import { lineColOf } from '../../helpers/textPositions';

const ROOT = path.resolve(__dirname, '..', '..', '..', '..');
const LIMIT = { timeout: 90_000 };

function published(command: string): ValidateFunction {
  const schema = JSON.parse(readFileSync(path.join(ROOT, 'schemas', `kling-${command}.schema.json`), 'utf8')) as Record<string, unknown>;
  const ajv = new Ajv({ strict: false, allErrors: true });
  return ajv.compile(schema);
}

function assertValid(command: string, document: unknown): void {
  const validate = published(command);
  assert.ok(validate(document), `${command}: ${JSON.stringify(validate.errors, null, 1)}\n${JSON.stringify(document, null, 1)}`);
}

const BOARD = `{ "version": 1, "output": "out", "videos": [
  { "name": "ok", "prompt": "A dog", "duration": 3 },
  { "name": "bad", "prompt": "[fail:generation_timeout] A cat", "duration": 4, "sound": "on" } ] }\n`;

const BROKEN = '{ "version": 1, "videos": [ { "name": "x", "promt": "typo" } ] }';

describe('--json documents against their published schemas', () => {
  it('the schemas are not vacuous: a document of the wrong shape fails them', () => {
    assert.equal(published('estimate')({ command: 'estimate', version: '1', exitCode: 9, videos: 'none' }), false);
    assert.equal(published('render')({}), false);
  });

  it('validate, estimate, render (done, failed, refused), status (list and one task) and download', LIMIT, async () => {
    const ws = cliWorkspace('json-docs');
    const at = { cwd: ws.dir, state: ws.state };
    writeFileSync(path.join(ws.dir, 's.kling.json'), BOARD);
    writeFileSync(path.join(ws.dir, 'broken.kling.json'), BROKEN);
    const json = async (args: string[], expectedCode: number) => {
      const run = await runKling([...args, '--json'], at);
      assert.equal(run.code, expectedCode, `${args.join(' ')}: ${run.stderr}`);
      const document = JSON.parse(run.stdout) as { exitCode: number };
      assert.equal(document.exitCode, expectedCode);
      return document;
    };

    const validate = await json(['validate', 's.kling.json', 'broken.kling.json'], 2);
    assertValid('validate', validate);
    const typo = (validate as unknown as { files: Array<{ problems: Array<{ code: string; line: number; column: number; endColumn: number }> }> }).files[1]!.problems.find((p) => p.code === 'unknown-field')!;
    const place = lineColOf(BROKEN, '"promt"');
    assert.deepEqual([typo.line, typo.column, typo.endColumn], [place.line, place.col, place.col + '"promt"'.length]);
    assertValid('estimate', await json(['estimate', 's.kling.json', 'broken.kling.json'], 2));
    assertValid('estimate', await json(['estimate', 's.kling.json', '--shard', '1/2'], 0));
    assertValid('render', await json(['render', 's.kling.json', '--simulator', '--yes', '--max-usd', '0.5'], 3));
    const rendered = (await json(['render', 's.kling.json', '--simulator', '--yes'], 1)) as unknown as { videos: Array<{ name: string; state: string; taskId?: string; spent: { usd: number } }> };
    assertValid('render', rendered);
    assert.deepEqual(rendered.videos.map((v) => [v.name, v.state, v.spent.usd]), [['ok', 'saved', 0.225], ['bad', 'failed', 0]]);
    const status = await json(['status'], 0);
    assertValid('status', status);
    assertValid('status', await json(['status', rendered.videos[0]!.taskId!, '--simulator'], 0));
    rmSync(path.join(ws.dir, 'out', 'ok.mp4'));
    const download = (await json(['download', path.join('out', 'ok.mp4')], 0)) as unknown as { videos: Array<{ state: string; file: string }> };
    assertValid('download', download);
    assert.deepEqual(download.videos.map((v) => [v.state, v.file]), [['saved', path.join('out', 'ok.mp4')]]);
    assertValid('download', await json(['download'], 0));
  });
});
