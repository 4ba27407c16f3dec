import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Backend, JournalEntry } from '../../../../src/core/journal/taskState';
import { exceedsDailyBudget, spentToday } from '../../../../src/core/pricing/dailyBudget';
import { formatAmount, parseAmount } from '../../../../src/core/pricing/decimal';

const API: Backend = { kind: 'api' };
const SIMULATOR: Backend = { kind: 'simulator', baseUrl: 'http://127.0.0.1:1' };
const NOW = new Date(2026, 11, 3, 15, 0, 0);
const MIDNIGHT = new Date(2026, 11, 3).getTime();

function entry(usd: string, createdAt: number, backend: Backend = API): JournalEntry {
  return { createdAt, backend, price: { usd } } as unknown as JournalEntry;
}

describe('the daily budget', () => {
  it("adds today's prices exactly: ten 720p 1-second videos billed as 3 s are $2.25, not 2.2499999999999996", () => {
    const entries = Array.from({ length: 10 }, (_, i) => entry('0.225', MIDNIGHT + i));
    assert.equal(formatAmount(spentToday(entries, API, NOW)), '2.25');
    let float = 0;
    for (let i = 0; i < 10; i++) float += 0.225;
    assert.notEqual(float, 2.25, 'plain floats would be off here');
  });

  it("counts only today's tasks on the same kind of backend", () => {
    const entries = [entry('1', MIDNIGHT - 1), entry('0.375', MIDNIGHT), entry('0.5', MIDNIGHT + 1, SIMULATOR)];
    assert.equal(formatAmount(spentToday(entries, API, NOW)), '0.375');
    assert.equal(formatAmount(spentToday(entries, SIMULATOR, NOW)), '0.5');
  });

  it('lets a price reach the budget exactly and refuses one ten-thousandth more', () => {
    const spent = spentToday([entry('0.1', MIDNIGHT), entry('0.2', MIDNIGHT)], API, NOW);
    assert.equal(exceedsDailyBudget(spent, parseAmount('0.7'), 1), false, '$0.30 + $0.70 is exactly $1');
    assert.equal(exceedsDailyBudget(spent, parseAmount('0.7001'), 1), true);
    assert.equal(exceedsDailyBudget(spent, parseAmount('0.225'), 0.3), true, 'nothing is left of $0.30 after $0.30');
    assert.equal(exceedsDailyBudget(parseAmount('0'), parseAmount('0.225'), 0.225), false);
  });
});
