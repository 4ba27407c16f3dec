import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { formatRange, formatTime, shotAt } from '../../../../src/webview/preview/timeline';

const shots = [
  { startSeconds: 0, endSeconds: 4 },
  { startSeconds: 4, endSeconds: 10 },
];

describe('the preview time line', () => {
  it('writes times as a player does', () => {
    assert.equal(formatTime(0), '0:00');
    assert.equal(formatTime(4.9), '0:04');
    assert.equal(formatTime(62), '1:02');
    assert.equal(formatRange({ startSeconds: 4, endSeconds: 10 }), '0:04–0:10');
  });

  it('finds the shot playing, the new one at a cut', () => {
    assert.equal(shotAt(shots, 0), 0);
    assert.equal(shotAt(shots, 3.99), 0);
    assert.equal(shotAt(shots, 4), 1);
    assert.equal(shotAt(shots, 9.9), 1);
    assert.equal(shotAt(shots, 10), undefined);
    assert.equal(shotAt([], 1), undefined);
  });
});
