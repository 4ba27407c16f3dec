/** Time as the core sees it, so that tests can move it by hand instead of sleeping. */
export interface Clock {
  now(): number;
  setTimeout(callback: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

// Timers stay referenced: a CLI waiting on the service has nothing else keeping it alive (the real API is another
// machine), and must not exit while a poll is due. Owners stop them with TaskEngine.dispose().
export const systemClock: Clock = {
  now: () => Date.now(),
  setTimeout: (callback, ms) => setTimeout(callback, ms),
  clearTimeout: (handle) => clearTimeout(handle as NodeJS.Timeout),
};
