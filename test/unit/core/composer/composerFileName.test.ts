import * as assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { checkDraft, chosenFileName, emptyDraft, fileNameProblem, type ComposerDraft } from '../../../../src/core/composer/composerForm';
import { fileNameFromPrompt } from '../../../../src/core/composer/fileNameFromPrompt';
import { VIDEO_NAME_PATTERN } from '../../../../src/core/storyboard/storyboardSchema';

const draft = (over: Partial<ComposerDraft>): ComposerDraft => ({ ...emptyDraft(), prompt: 'A kite over the sea', ...over });

describe('the composer’s File name', () => {
  it('takes a storyboard video name, with or without .mp4', () => {
    assert.equal(fileNameProblem('hero-loop'), undefined);
    assert.equal(fileNameProblem('hero_2.mp4'), undefined);
    assert.equal(chosenFileName(draft({ file_name: ' hero.mp4 ' })), 'hero');
  });

  it('refuses what the storyboard’s name rules refuse, saying what to change', () => {
    assert.equal(fileNameProblem('Hero Loop'), 'Use only lowercase letters, digits, "-" and "_" in the file name (not "H", spaces, "L").');
    assert.equal(fileNameProblem('-hero'), 'Start the file name with a lowercase letter or a digit.');
    assert.equal(fileNameProblem('a'.repeat(81)), 'The file name is 81 characters long; keep it to 80.');
    for (const name of ['Hero Loop', '-hero', 'hero/../x', 'héro']) assert.ok(!VIDEO_NAME_PATTERN.test(name) && fileNameProblem(name), name);
  });

  it('shows its message at the field and blocks Generate; empty is the name from the prompt', () => {
    const bad = checkDraft(draft({ file_name: 'My Video' }));
    assert.match(bad.problems.file_name ?? '', /lowercase letters/);
    assert.equal(bad.request, undefined, 'no request while the name is wrong');
    assert.equal(chosenFileName(draft({ file_name: 'My Video' })), undefined);
    const empty = checkDraft(draft({ file_name: '' }));
    assert.equal(empty.problems.file_name, undefined);
    assert.ok(empty.request);
    assert.equal(chosenFileName(draft({})), undefined);
  });

  it('names a file from the prompt as before, and such a name passes the rules', () => {
    assert.equal(fileNameFromPrompt('A paper boat drifts down a rain-soaked street at night'), 'a-paper-boat-drifts-down-a-rain-soaked-s');
    assert.equal(fileNameFromPrompt('!!!'), 'video');
    assert.equal(fileNameProblem(fileNameFromPrompt('Ünïcode — prompt, with (marks)')), undefined);
  });
});
