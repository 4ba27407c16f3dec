/** Sizes are binary throughout the bench: MiB = 2^20 bytes, for memory and throughput alike. */
export const KiB = 1 << 10;
export const MiB = 1 << 20;

export function mib(bytes: number): number {
  return bytes / MiB;
}

/** Rounds for display: 3 significant digits, at most 2 decimals. */
export function round(value: number): string {
  if (!Number.isFinite(value)) return String(value);
  const digits = Math.abs(value) >= 100 ? 0 : Math.abs(value) >= 10 ? 1 : 2;
  return value.toFixed(digits);
}
