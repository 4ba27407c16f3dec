import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import type { BackoffPolicy } from '../../src/core/api/backoff';
import { KlingClient } from '../../src/core/api/klingClient';
import { startSimulator, type Simulator, type SimulatorOptions } from '../../src/core/simulator/simulatorServer';

/**
 * A key that cannot be mistaken for anything else in a message, so that a test can search every text a user may
 * see for it.
 */
export const DISTINCT_KEY = 'sk-kling-TEST-3f9c1e5b2d40687a-do-not-show';

/** Real milliseconds per simulated second: a 5-second video takes about 165 ms from create to completion. */
export const TEST_TIME_SCALE = 5;

export interface ClientRecord {
  client: KlingClient;
  /** Every wait the client asked for before a retry, in order; nothing is actually slept. */
  waits: number[];
  /** The client's log lines (they must never carry the key either). */
  logs: string[];
}

export interface ClientBedOptions {
  apiKey?: string | undefined;
  backoff?: Partial<BackoffPolicy> | undefined;
  random?: (() => number) | undefined;
}

/** A client of the simulator whose retries are recorded instead of slept. */
export function recordingClient(sim: Simulator, options: ClientBedOptions = {}): ClientRecord {
  const waits: number[] = [];
  const logs: string[] = [];
  const client = new KlingClient({
    baseUrl: sim.baseUrl,
    filesBaseUrl: sim.filesBaseUrl,
    apiKey: options.apiKey ?? DISTINCT_KEY,
    backoff: options.backoff ?? { maxAttempts: 3, baseDelayMs: 1, maxDelayMs: 4 },
    random: options.random,
    sleep: async (ms) => {
      waits.push(ms);
    },
    log: (line) => logs.push(line),
  });
  return { client, waits, logs };
}

/** Starts a simulator on a free port that accepts {@link DISTINCT_KEY}, on a fast clock unless told otherwise. */
export function startTestSimulator(options: SimulatorOptions = {}): Promise<Simulator> {
  return startSimulator({ timeScale: TEST_TIME_SCALE, apiKeys: [DISTINCT_KEY], ...options });
}

/** A fresh folder under the system's temp folder; the caller removes it with {@link removeDir}. */
export function tempDir(prefix: string): Promise<string> {
  return mkdtemp(path.join(tmpdir(), `kling-${prefix}-`));
}

export function removeDir(dir: string): Promise<void> {
  return rm(dir, { recursive: true, force: true });
}
