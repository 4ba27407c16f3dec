import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { backoffDelay, parseRetryAfter } from '../../../../src/core/api/backoff';

describe('backoff', () => {
  it('doubles the ceiling each retry up to the cap, with full jitter', () => {
    const policy = { baseDelayMs: 500, maxDelayMs: 15_000 };
    assert.deepEqual([0, 1, 2, 3, 4, 5, 6].map((retry) => backoffDelay(retry, policy, () => 1)), [500, 1000, 2000, 4000, 8000, 15_000, 15_000]);
    assert.equal(backoffDelay(3, policy, () => 0), 0);
    assert.equal(backoffDelay(3, policy, () => 0.25), 1000);
  });

  it('reads Retry-After as seconds or as an HTTP date', () => {
    const now = Date.parse('2026-11-25T12:00:00Z');
    assert.equal(parseRetryAfter('7', now), 7000);
    assert.equal(parseRetryAfter('Wed, 25 Nov 2026 12:00:30 GMT', now), 30_000);
    assert.equal(parseRetryAfter('Wed, 25 Nov 2026 11:00:00 GMT', now), 0);
    assert.equal(parseRetryAfter(undefined, now), undefined);
    assert.equal(parseRetryAfter('soon', now), undefined);
  });
});
