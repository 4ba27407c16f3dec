import { KlingClient } from '../../src/core/api/klingClient';
import { TaskJournal } from '../../src/core/journal/taskJournal';
import type { JournalEntry } from '../../src/core/journal/taskState';
import type { Simulator } from '../../src/core/simulator/simulatorServer';
import { pollPolicyFor } from '../../src/core/tasks/pollPolicyFor';
import { TaskEngine, type TaskEngineDeps } from '../../src/core/tasks/taskEngine';
import { DISTINCT_KEY, TEST_TIME_SCALE } from './simulatorBed';

/** One "process": its own journal object on the journal file, its own client, its own engine. */
export interface EngineBed {
  engine: TaskEngine;
  journal: TaskJournal;
  client: KlingClient;
  logs: string[];
  /** Stops the engine and closes the client; the journal file stays for the next process. Safe to call twice. */
  close(): Promise<void>;
}

/**
 * Starts a task engine on the journal at `journalPath` against the simulator, polling on the schedule scaled to the
 * simulator's clock. Retries of the client and the downloader are not slept, so faults cost no time.
 */
export async function startEngine(sim: Simulator, journalPath: string, deps: Partial<TaskEngineDeps> = {}): Promise<EngineBed> {
  const journal = new TaskJournal(journalPath);
  const loaded = await journal.load();
  if (loaded.problem) throw new Error(loaded.problem);
  const logs: string[] = [];
  const client = new KlingClient({
    baseUrl: sim.baseUrl,
    filesBaseUrl: sim.filesBaseUrl,
    apiKey: DISTINCT_KEY,
    backoff: { maxAttempts: 3, baseDelayMs: 1, maxDelayMs: 4 },
    sleep: async () => {},
  });
  const engine = new TaskEngine({
    journal,
    clientFor: async () => client,
    pollPolicy: pollPolicyFor(TEST_TIME_SCALE),
    downloadSleep: async () => {},
    log: (line) => logs.push(line),
    ...deps,
  });
  let closed: Promise<void> | undefined;
  return {
    engine,
    journal,
    client,
    logs,
    close() {
      closed ??= (async () => {
        engine.dispose();
        await engine.idle();
        await client.close();
      })();
      return closed;
    },
  };
}

/** Resolves with the entry once `test` holds for it, checked now and after every change the journal reports. */
export function entryWhen(journal: TaskJournal, entryId: string, test: (entry: JournalEntry) => boolean, timeoutMs = 10_000): Promise<JournalEntry> {
  return new Promise((resolve, reject) => {
    const check = (entry: JournalEntry | undefined) => {
      if (entry && test(entry)) {
        clearTimeout(timer);
        listener.dispose();
        resolve(entry);
      }
    };
    const timer = setTimeout(() => {
      listener.dispose();
      reject(new Error(`entry ${entryId} did not reach the expected state in ${timeoutMs} ms; it is ${JSON.stringify(journal.get(entryId)?.state)}`));
    }, timeoutMs);
    const listener = journal.onDidChange((entry, id) => {
      if (id === entryId) check(entry);
    });
    check(journal.get(entryId));
  });
}
