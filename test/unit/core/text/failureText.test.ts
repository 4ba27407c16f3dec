import * as assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { failureMessage } from '../../../../src/core/simulator/taskBody';
import { asSentence, failureText } from '../../../../src/core/text/failureText';

describe('failureText', () => {
  it('keeps the message verbatim and adds the code after a dot: never two parentheses in a row', () => {
    const simulated = failureMessage('content_policy_violation');
    assert.match(simulated, /\(simulated\)$/);
    const text = failureText(simulated, 'content_policy_violation');
    assert.equal(text, `${simulated} · content_policy_violation`);
    assert.doesNotMatch(text, /\) \(/);
  });

  it('adds the code to a message without one, and not again when the message names it', () => {
    assert.equal(failureText('Flagged.', 'content_policy_violation'), 'Flagged. · content_policy_violation');
    assert.equal(failureText('The task failed (upstream_error).', 'upstream_error'), 'The task failed (upstream_error).');
    assert.equal(failureText('Flagged.', ''), 'Flagged.');
  });
});

describe('asSentence', () => {
  it('ends a failure with a full stop before the next sentence, and leaves one that already ends', () => {
    assert.equal(asSentence('Timed out (simulated) · generation_timeout'), 'Timed out (simulated) · generation_timeout.');
    assert.equal(asSentence('Its link expired.'), 'Its link expired.');
    assert.equal(asSentence('Flagged (simulated)'), 'Flagged (simulated)');
  });
});
