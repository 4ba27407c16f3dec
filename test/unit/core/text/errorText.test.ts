import * as assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { errorText } from '../../../../src/core/text/errorText';

describe('errorText', () => {
  it("says an Error's message, without its name or stack", () => {
    assert.equal(errorText(new TypeError('the file is not a video')), 'the file is not a video');
  });

  it('says what a thrown string or other value is', () => {
    assert.equal(errorText('EACCES'), 'EACCES');
    assert.equal(errorText(42), '42');
    assert.equal(errorText(undefined), 'undefined');
    assert.equal(errorText({ toString: () => 'a socket hang up' }), 'a socket hang up');
  });
});
