import * as assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { formatAmount, formatCredits, parseAmount } from '../../../../src/core/pricing/decimal';

describe('formatCredits', () => {
  it('shows two places, rounded half up, where formatAmount keeps every place', () => {
    assert.equal(formatCredits(parseAmount('71.982')), '71.98');
    assert.equal(formatAmount(parseAmount('71.982')), '71.982');
    assert.equal(formatCredits(parseAmount('35.9955')), '36.00');
    assert.equal(formatCredits(parseAmount('37.8')), '37.80');
    assert.equal(formatCredits(parseAmount('27')), '27.00');
    assert.equal(formatCredits(parseAmount('0.005')), '0.01');
    assert.equal(formatCredits(parseAmount('0')), '0.00');
  });
});
