import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { RowResult, SoakCounts } from '../../../../bench/soak/soakRow';
import { mismatchesOf, rowFailed, soakPassed, soakTable, type RowOutcome, type TableRow } from '../../../../bench/soak/soakTable';

// The soak's verdict and its table, without a simulator: a count that differs from its expectation, a problem, an
// error or a row that could not be measured must each show, and each but the last must fail the soak.

const counts = (changes: Partial<SoakCounts> = {}): SoakCounts => ({ creates: 100, saved: 100, corrupt: 0, outside: 0, unknown: 0, ...changes });
const result = (measured: Partial<SoakCounts>, expected: Partial<SoakCounts> = {}, problems: string[] = []): RowResult => ({
  videos: 100,
  measured: counts(measured),
  expected: counts(expected),
  notes: ['a note'],
  problems,
});
const done = (r: RowResult): RowOutcome => ({ kind: 'done', result: r, seconds: 12.34 });

describe('the soak table and its verdict', () => {
  it('names exactly the columns whose measured value differs from the expected one', () => {
    assert.deepEqual(mismatchesOf(result({})), []);
    assert.deepEqual(mismatchesOf(result({ saved: 89, unknown: 1 }, { saved: 90 })), ['saved', 'unknown']);
    assert.deepEqual(mismatchesOf(result({ creates: 90 }, { creates: 91 })), ['creates']);
  });

  it('fails a row on a mismatch, a problem or an error, never on a row that could not be measured', () => {
    assert.equal(rowFailed(done(result({}))), false);
    assert.equal(rowFailed(done(result({ corrupt: 1 }))), true);
    assert.equal(rowFailed(done(result({}, {}, ['3 of 10 injected faults were used']))), true);
    assert.equal(rowFailed({ kind: 'error', message: 'ran out of time', seconds: 1 }), true);
    assert.equal(rowFailed({ kind: 'not-measured', reason: 'no tmpfs', seconds: 0 }), false);
  });

  it('passes the soak only when no row failed and at least one was measured', () => {
    const ok: TableRow = { fault: 'none', outcome: done(result({})) };
    const unmeasured: TableRow = { fault: 'disk full', outcome: { kind: 'not-measured', reason: 'no tmpfs', seconds: 0 } };
    const wrong: TableRow = { fault: '500 on create', outcome: done(result({ saved: 89 }, { saved: 90 })) };
    assert.equal(soakPassed([ok, unmeasured]), true);
    assert.equal(soakPassed([ok, wrong]), false);
    assert.equal(soakPassed([unmeasured]), false);
    assert.equal(soakPassed([]), false);
  });

  it('prints each count beside its expectation, marks a mismatch in its cell and its row, and says why below', () => {
    const table = soakTable([
      { fault: 'none', outcome: done(result({})) },
      { fault: '500 on create', outcome: done(result({ creates: 90, saved: 89, unknown: 10 }, { creates: 90, saved: 90, unknown: 10 })) },
      { fault: 'hang', outcome: { kind: 'error', message: 'ran out of time after 120 s', seconds: 120 } },
      { fault: 'disk full', outcome: { kind: 'not-measured', reason: 'mount: permission denied', seconds: 0.01 } },
    ]);
    const lines = table.split('\n');
    assert.equal(lines[0], 'fault          videos  creates (exp)  saved (exp)  corrupt (exp)  outside (exp)  unknown (exp)  result');
    assert.equal(lines[2], 'none              100      100 (100)    100 (100)          0 (0)          0 (0)          0 (0)  ok');
    assert.equal(lines[3], '500 on create     100        90 (90)    89 (90) ✗          0 (0)          0 (0)        10 (10)  MISMATCH ✗');
    assert.equal(lines[4], 'hang                —              —            —              —              —              —  ERROR ✗');
    assert.equal(lines[5], 'disk full           —              —            —              —              —              —  not measured');
    assert.equal(lines[7], '2 of 4 rows failed (✗): see below; 1 not measured on this machine.');
    assert.ok(table.includes('500 on create (12.3 s)\n  ✗ saved: measured 89, expected 90\n  a note'), table);
    assert.ok(table.includes('hang (120.0 s)\n  ✗ ERROR: ran out of time after 120 s'), table);
    assert.ok(table.includes('disk full (0.0 s)\n  not measured: mount: permission denied'), table);
  });

  it('marks a row with a problem even when every count is as expected', () => {
    const table = soakTable([{ fault: '429', outcome: done(result({}, {}, ['the client waited 3 times for 12 429s'])) }]);
    assert.match(table.split('\n')[2]!, /PROBLEM ✗$/);
    assert.ok(table.includes('  ✗ the client waited 3 times for 12 429s'));
    assert.ok(table.includes('1 of 1 rows failed (✗): see below.'));
  });
});
