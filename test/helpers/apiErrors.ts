import assert from 'node:assert/strict';
import { ApiError } from '../../src/core/api/apiError';

/** The ApiError a call fails with; fails the test if the call succeeds or throws anything else. */
export async function apiErrorOf(work: Promise<unknown>): Promise<ApiError> {
  try {
    await work;
  } catch (error) {
    assert.ok(error instanceof ApiError, `expected an ApiError, got ${String(error)}`);
    return error;
  }
  assert.fail('expected the call to fail');
}
