/** Waiting for a condition instead of sleeping for a guessed time. */

export interface WaitOptions {
  /** Give up after this long. */
  timeoutMs: number;
  /** Time between two checks; 100 ms unless told. */
  intervalMs?: number;
  /** What is awaited, for the error: "code-server to answer /version". */
  what: string;
  /** Extra text for the error when it times out, computed then (a log tail, say). */
  detail?: () => string;
}

export class WaitTimeoutError extends Error {
  override readonly name = 'WaitTimeoutError';
}

/**
 * Checks `probe` until it returns something other than `undefined` and returns that. A probe that
 * throws ends the wait with its error: that is how "the server died" beats "still no answer".
 */
export async function waitFor<T>(probe: () => Promise<T | undefined> | T | undefined, options: WaitOptions): Promise<T> {
  const deadline = Date.now() + options.timeoutMs;
  const interval = options.intervalMs ?? 100;
  for (;;) {
    const value = await probe();
    if (value !== undefined) {
      return value;
    }
    if (Date.now() >= deadline) {
      const detail = options.detail?.();
      throw new WaitTimeoutError(
        `timed out after ${seconds(options.timeoutMs)} waiting for ${options.what}${detail ? `\n${detail}` : ''}`,
      );
    }
    await delay(Math.min(interval, Math.max(0, deadline - Date.now())));
  }
}

/** Races `promise` against a timer; the timer never keeps the process alive. */
export async function withTimeout<T>(promise: Promise<T>, timeoutMs: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new WaitTimeoutError(`${what} did not finish within ${seconds(timeoutMs)}`)), timeoutMs);
    timer.unref();
  });
  try {
    return await Promise.race([promise, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

export function seconds(ms: number): string {
  return `${(ms / 1000).toFixed(ms < 10_000 ? 1 : 0)} s`;
}

function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
