import type { Quality, Sound } from '../api/apiSchemas';

// docs/service-contract.md, "Prices": per second of output, by quality and sound. Image-to-video costs the same as
// text-to-video. Decimal strings, so that sums are exact (see decimal.ts).
export const PRICE_TABLE: ReadonlyArray<{ quality: Quality; sound: Sound; usdPerSecond: string; creditsPerSecond: string }> = [
  { quality: '720p', sound: 'off', usdPerSecond: '0.0750', creditsPerSecond: '5.4' },
  { quality: '720p', sound: 'on', usdPerSecond: '0.1125', creditsPerSecond: '8.1' },
  { quality: '1080p', sound: 'off', usdPerSecond: '0.1000', creditsPerSecond: '7.1982' },
  { quality: '1080p', sound: 'on', usdPerSecond: '0.1500', creditsPerSecond: '10.8' },
];

/** A custom element is billed 1 credit ($0.014), refunded if it fails. */
export const ELEMENT_PRICE = { usd: '0.014', credits: '1' } as const;

/** The service bills at least 3 seconds. */
export const MINIMUM_BILLED_SECONDS = 3;
