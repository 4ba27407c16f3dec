import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { PassThrough } from 'node:stream';
import { describe, it } from 'node:test';
import { GitHubWorkflow, isGitHubMode } from '../../../../src/cli/github/githubWorkflow';
import { escapeData, escapeProperty, workflowCommand } from '../../../../src/cli/github/workflowCommands';
import { readOutputs, workflowCommands } from '../../../helpers/actionRunner';

// The expectations are GitHub's toolkit's own (actions/toolkit, packages/core/__tests__/command.test.ts): written out
// here, not computed, so that a drift from the toolkit fails.
describe('workflow commands, escaped as GitHub\'s toolkit escapes them', () => {
  it('escapes %, CR and LF in messages, and also : and , in properties', () => {
    assert.equal(escapeData('percent % percent % cr \r cr \r lf \n lf \n'), 'percent %25 percent %25 cr %0D cr %0D lf %0A lf %0A');
    assert.equal(escapeProperty('percent % percent % cr \r cr \r lf \n lf \n colon : colon : comma , comma ,'), 'percent %25 percent %25 cr %0D cr %0D lf %0A lf %0A colon %3A colon %3A comma %2C comma %2C');
    assert.equal(escapeData('a:b,c'), 'a:b,c', 'a message keeps : and ,');
  });

  it('writes ::name key=value,…::message, leaving out properties without a value', () => {
    assert.equal(workflowCommand('some-command', {}, ''), '::some-command::');
    assert.equal(
      workflowCommand('error', { file: 'boards/a b,c.kling.json', line: 5, col: 42, endLine: 5, endColumn: 53, title: 'Kling storyboard: unknown-field' }, 'did you mean "duration"?\nFix: rename'),
      '::error file=boards/a b%2Cc.kling.json,line=5,col=42,endLine=5,endColumn=53,title=Kling storyboard%3A unknown-field::did you mean "duration"?%0AFix: rename',
    );
    assert.equal(workflowCommand('warning', { file: undefined, line: '', title: 'x' }, 'm'), '::warning title=x::m');
  });

  it('reads back as the runner reads it: every line a well-formed command, its values as written', () => {
    const out = new PassThrough();
    let text = '';
    out.on('data', (chunk: Buffer) => (text += chunk.toString()));
    const github = new GitHubWorkflow(out, {});
    github.mask('sk-secret%\nkey');
    github.mask('sk-secret%\nkey');
    github.annotate('error', { file: 'a:b.kling.json', line: 1, col: 2, endLine: 3, endColumn: 4, title: 'T, with a comma' }, '50% done\r\nreally');
    github.group('hero: saved', ['hero: queued', 'hero: saved']);
    const commands = workflowCommands(text);
    assert.deepEqual(commands.map((c) => c.name), ['add-mask', 'error', 'group', 'endgroup'], 'a secret is masked once');
    assert.equal(commands[0]!.message, 'sk-secret%\nkey');
    assert.deepEqual(commands[1]!.properties, { file: 'a:b.kling.json', line: '1', col: '2', endLine: '3', endColumn: '4', title: 'T, with a comma' });
    assert.equal(commands[1]!.message, '50% done\r\nreally');
    assert.match(text, /^::group::hero: saved\nhero: queued\nhero: saved\n::endgroup::\n$/m);
  });

  it('appends outputs in the heredoc form (several lines included) and the summary as written', () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'kling-gh-'));
    const output = path.join(dir, 'output');
    const summary = path.join(dir, 'summary.md');
    writeFileSync(output, 'earlier=1\n');
    writeFileSync(summary, '# Earlier step\n');
    const github = new GitHubWorkflow(new PassThrough(), { GITHUB_OUTPUT: output, GITHUB_STEP_SUMMARY: summary });
    github.setOutput('spent-usd', 0.225);
    github.setOutput('summary', '| a | b |\n|---|---|\nname=not an output\n');
    github.appendSummary('### Kling render');
    assert.deepEqual(readOutputs(readFileSync(output, 'utf8')), { earlier: '1', 'spent-usd': '0.225', summary: '| a | b |\n|---|---|\nname=not an output\n' });
    assert.equal(readFileSync(summary, 'utf8'), '# Earlier step\n### Kling render\n');
    assert.match(readFileSync(output, 'utf8'), /^spent-usd<<ghadelimiter_[0-9a-f-]{36}\n0\.225\nghadelimiter_[0-9a-f-]{36}\n/m);
  });

  it('is on under GitHub Actions or with --format github, and off with --format text', () => {
    assert.equal(isGitHubMode({ GITHUB_ACTIONS: 'true' }, undefined), true);
    assert.equal(isGitHubMode({ GITHUB_ACTIONS: 'true' }, 'text'), false);
    assert.equal(isGitHubMode({}, 'github'), true);
    assert.equal(isGitHubMode({ GITHUB_ACTIONS: 'false' }, undefined), false);
  });
});
