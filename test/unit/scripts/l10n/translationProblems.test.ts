import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { translationProblems } from '../../../../scripts/l10n/translationProblems';

describe('translationProblems', () => {
  it('finds nothing in a complete translation', () => {
    assert.deepEqual(translationProblems({ 'Copied {0}': 'Copied {0}', 'MP4': 'MP4' }, { 'Copied {0}': '已复制 {0}', 'MP4': 'MP4' }), []);
  });

  it('names a key the translation lacks', () => {
    assert.deepEqual(translationProblems({ Retry: 'Retry', Open: 'Open' }, { Open: '打开' }), ['missing: "Retry"']);
  });

  it('names placeholders that differ, dropped or added', () => {
    assert.deepEqual(translationProblems({ '{0} of {1}': '{0} of {1}' }, { '{0} of {1}': '{0} / {0}' }), [
      'placeholders differ: "{0} of {1}" has {0} {1}, the translation {0} {0}',
    ]);
    assert.deepEqual(translationProblems({ Done: 'Done' }, { Done: '完成 {0}' }), ['placeholders differ: "Done" has none, the translation {0}']);
  });

  it('names English left as it is, but not product names and bare values', () => {
    assert.deepEqual(translationProblems({ Retry: 'Retry', 'Kling Studio': 'Kling Studio', '{0}%': '{0}%' }, { Retry: 'Retry', 'Kling Studio': 'Kling Studio', '{0}%': '{0}%' }), [
      'not translated: "Retry"',
    ]);
  });

  it('names a key the English no longer has', () => {
    assert.deepEqual(translationProblems({}, { Gone: '已删除' }), ['no longer in the English: "Gone"']);
  });
});
