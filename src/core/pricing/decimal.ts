// Money as whole numbers of 1/10000: every price in the table has at most four decimals, so sums and products by
// whole seconds are exact, and 3 s × $0.075 prints 0.225, not 0.22499999999999998.
const SCALE = 10_000;

/** A decimal amount kept as an integer number of ten-thousandths. */
export type Amount = number & { readonly __amount: unique symbol };

export function parseAmount(text: string): Amount {
  const match = /^(\d+)(?:\.(\d{1,4}))?$/.exec(text);
  if (!match) throw new Error(`not a decimal with at most four places: ${text}`);
  return (Number(match[1]) * SCALE + Number((match[2] ?? '').padEnd(4, '0'))) as Amount;
}

export function amountFromNumber(value: number): Amount {
  return Math.round(value * SCALE) as Amount;
}

export const ZERO = 0 as Amount;

export function addAmounts(...amounts: Amount[]): Amount {
  return amounts.reduce((sum, a) => sum + a, 0) as Amount;
}

export function multiplyAmount(amount: Amount, times: number): Amount {
  return (amount * times) as Amount;
}

export function amountToNumber(amount: Amount): number {
  return amount / SCALE;
}

/** `0.225`, `27`, `35.991`: no float noise, no trailing zeros, at least `minDecimals` places. */
export function formatAmount(amount: Amount, minDecimals = 0): string {
  const whole = Math.trunc(amount / SCALE);
  const fraction = String(Math.abs(amount % SCALE)).padStart(4, '0').replace(/0+$/, '');
  const digits = fraction.padEnd(minDecimals, '0');
  return `${amount < 0 && whole === 0 ? '-' : ''}${whole}${digits ? `.${digits}` : ''}`;
}

/** `$0.225`, `$2.33`: dollars with at least cents. */
export function formatUsd(amount: Amount): string {
  return `$${formatAmount(amount, 2)}`;
}

/**
 * `71.98`, `37.80`, `28.00`: credits as a person reads them, rounded to two places (half up). Tooltips, JSON and the
 * journal keep the exact amount (formatAmount): the service bills the exact one.
 */
export function formatCredits(amount: Amount): string {
  const hundredths = Math.round(amount / (SCALE / 100));
  const sign = hundredths < 0 ? '-' : '';
  const abs = Math.abs(hundredths);
  return `${sign}${Math.trunc(abs / 100)}.${String(abs % 100).padStart(2, '0')}`;
}
