import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { apiKeyProblem } from '../../../../src/core/api/apiKeyProblem';

describe('apiKeyProblem', () => {
  it('accepts printable ASCII, once the whitespace around it is trimmed', () => {
    for (const key of ['sk-abc123', 'kling-simulator', '  sk-abc123\n', '\tsk-!#$%&()*+,-./:;<=>?@[]^_`{|}~"\\\'']) {
      assert.equal(apiKeyProblem(key), undefined, JSON.stringify(key));
    }
  });

  it('names the position of a character outside 0x21–0x7E, without quoting the key', () => {
    assert.equal(
      apiKeyProblem('sk-abcdefgh\u00e9ij'),
      'The key has a character that is not printable ASCII at position 12 (U+00E9): an API key is plain letters, digits and punctuation.',
    );
    assert.match(apiKeyProblem('  sk-\u{1F600}') ?? '', /not printable ASCII at position 4 \(U\+1F600\)/, 'counted in the trimmed key');
    assert.match(apiKeyProblem('sk-\u0001x') ?? '', /position 4 \(U\+0001\)/);
    assert.match(apiKeyProblem('sk-\u007f') ?? '', /position 4 \(U\+007F\)/);
    assert.match(apiKeyProblem('sk-\u200bx') ?? '', /position 4 \(U\+200B\)/, 'a zero-width space pasted from a web page');
    assert.ok(!(apiKeyProblem('sk-secret\u00e9') ?? '').includes('secret'));
  });

  it('refuses spaces and line breaks inside, and an empty key', () => {
    assert.equal(apiKeyProblem('sk-abc def'), 'The key has a space or line break at position 7: an API key has none.');
    assert.match(apiKeyProblem('sk-abc\ndef') ?? '', /space or line break at position 7/);
    assert.match(apiKeyProblem('sk-abc\u00a0def') ?? '', /space or line break at position 7/);
    assert.equal(apiKeyProblem('   '), 'The key is empty.');
  });
});
