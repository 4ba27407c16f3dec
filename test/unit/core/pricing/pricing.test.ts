import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { formatAmount, formatUsd, parseAmount } from '../../../../src/core/pricing/decimal';
import { PRICE_TABLE } from '../../../../src/core/pricing/priceTable';
import { priceVideo, totalPrice } from '../../../../src/core/pricing/pricing';

describe('pricing', () => {
  it('prints 3 s × $0.075 as 0.225, without float noise', () => {
    const price = priceVideo({ duration: 3 });
    assert.equal(formatAmount(price.usd), '0.225');
    assert.equal(formatAmount(price.credits), '16.2');
    assert.notEqual(String(3 * 0.075), '0.225', 'plain floats would print noise here');
  });

  it("prices every row of the contract's table by hand-worked literals, and bills at least 3 seconds", () => {
    // [quality, sound, seconds, USD, credits], worked out from the table in docs/service-contract.md, not from the code.
    const cases = [
      ['720p', 'off', 5, '0.375', '27'],
      ['720p', 'on', 5, '0.5625', '40.5'],
      ['1080p', 'off', 10, '1', '71.982'],
      ['1080p', 'on', 15, '2.25', '162'],
      ['720p', 'off', 3, '0.225', '16.2'],
      ['720p', 'off', 2, '0.225', '16.2'],
      ['1080p', 'on', 1, '0.45', '32.4'],
    ] as const;
    for (const [quality, sound, seconds, usd, credits] of cases) {
      const price = priceVideo({ duration: seconds, quality, sound });
      assert.deepEqual([formatAmount(price.usd), formatAmount(price.credits)], [usd, credits], `${seconds} s ${quality} sound ${sound}`);
    }
  });

  it('multiplies the per-second price of each row by the seconds', () => {
    for (const row of PRICE_TABLE) {
      for (let seconds = 3; seconds <= 15; seconds++) {
        const price = priceVideo({ duration: seconds, quality: row.quality, sound: row.sound });
        assert.equal(price.usd, parseAmount(row.usdPerSecond) * seconds);
        assert.equal(price.credits, parseAmount(row.creditsPerSecond) * seconds);
        assert.ok(!/\d{5,}/.test(formatAmount(price.usd)), formatAmount(price.usd));
      }
    }
  });

  it('matches the credits the service reserves in the contract (5 s, 720p, no sound: 27)', () => {
    assert.equal(formatAmount(priceVideo({ duration: 5, quality: '720p', sound: 'off' }).credits), '27');
    assert.equal(formatAmount(priceVideo({ duration: 5, quality: '1080p', sound: 'off' }).credits), '35.991');
    assert.equal(formatUsd(priceVideo({ duration: 10, quality: '1080p', sound: 'on' }).usd), '$1.50');
  });

  it('uses the service defaults: 5 s, 720p, no sound', () => {
    const price = priceVideo({});
    assert.deepEqual([price.seconds, price.quality, price.sound, formatUsd(price.usd)], [5, '720p', 'off', '$0.375']);
  });

  it('sums a storyboard exactly and adds elements at 1 credit', () => {
    const prices = [priceVideo({ duration: 5 }), priceVideo({ duration: 10, quality: '1080p', sound: 'on' }), priceVideo({ duration: 9 })];
    const total = totalPrice(prices, 2);
    assert.equal(total.seconds, 24);
    assert.equal(formatAmount(total.usd), '2.578');
    assert.equal(formatAmount(total.credits), '185.6');
  });

  it('parses and formats decimals', () => {
    assert.equal(parseAmount('7.1982'), 71982);
    assert.equal(formatAmount(parseAmount('0.0750')), '0.075');
    assert.equal(formatUsd(parseAmount('2')), '$2.00');
    assert.throws(() => parseAmount('1.23456'), /at most four places/);
  });
});
