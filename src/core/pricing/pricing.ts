import { DURATION_DEFAULT, type Quality, type Sound } from '../api/apiSchemas';
import { addAmounts, multiplyAmount, parseAmount, type Amount } from './decimal';
import { ELEMENT_PRICE, MINIMUM_BILLED_SECONDS, PRICE_TABLE } from './priceTable';

export interface PriceInput {
  duration?: number | undefined;
  quality?: Quality | undefined;
  sound?: Sound | undefined;
}

export interface Price {
  seconds: number;
  quality: Quality;
  sound: Sound;
  usd: Amount;
  credits: Amount;
}

/** What one video costs: price per second for its quality and sound × its billed seconds. */
export function priceVideo(input: PriceInput): Price {
  const quality = input.quality ?? '720p';
  const sound = input.sound ?? 'off';
  const seconds = input.duration ?? DURATION_DEFAULT;
  const row = PRICE_TABLE.find((r) => r.quality === quality && r.sound === sound);
  if (!row) throw new Error(`no price for ${quality} with sound ${sound}`);
  const billed = Math.max(seconds, MINIMUM_BILLED_SECONDS);
  return {
    seconds,
    quality,
    sound,
    usd: multiplyAmount(parseAmount(row.usdPerSecond), billed),
    credits: multiplyAmount(parseAmount(row.creditsPerSecond), billed),
  };
}

export interface PriceTotal {
  seconds: number;
  usd: Amount;
  credits: Amount;
}

/** The sum of several prices, plus `elements` custom elements at 1 credit each. */
export function totalPrice(prices: ReadonlyArray<Pick<Price, 'seconds' | 'usd' | 'credits'>>, elements = 0): PriceTotal {
  // Folded one by one, not spread into addAmounts: a storyboard of 200,000 videos would overflow the call's stack.
  return {
    seconds: prices.reduce((sum, p) => sum + p.seconds, 0),
    usd: prices.reduce((sum, p) => addAmounts(sum, p.usd), multiplyAmount(parseAmount(ELEMENT_PRICE.usd), elements)),
    credits: prices.reduce((sum, p) => addAmounts(sum, p.credits), multiplyAmount(parseAmount(ELEMENT_PRICE.credits), elements)),
  };
}
