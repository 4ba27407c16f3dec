import { readFile } from 'node:fs/promises';
import { FileLock } from '../fs/fileLock';
import { writeAtomically } from '../fs/writeAtomically';
import { newOwner, type ProcessOwner } from '../process/processOwner';
import { JournalEntry, JournalFile } from './taskState';

type Listener = (entry: JournalEntry | undefined, id: string) => void;

/**
 * The durable record of every task: a task paid for is never lost. Each change is a read-modify-write of one JSON
 * file under a lock file, written to a temporary file, flushed to disk and renamed over the old one, so a crash
 * leaves either the old or the new journal, and two processes (two windows, the CLI) never lose each other's
 * changes.
 */
export class TaskJournal {
  private entries = new Map<string, JournalEntry>();
  private readonly listeners = new Set<Listener>();
  private queue: Promise<unknown> = Promise.resolve();
  private readonly fileLock: FileLock;

  /** `owner`: who this process is, recorded in the lock file while a change is written. */
  constructor(
    readonly filePath: string,
    owner: ProcessOwner = newOwner('journal'),
  ) {
    this.fileLock = new FileLock(`${filePath}.lock`, { owner });
  }

  /** Reads the journal from disk. A missing file is an empty journal; an unreadable one is set aside, never deleted. */
  async load(): Promise<{ problem?: string }> {
    const result = await this.read();
    this.entries = new Map(result.entries.map((e) => [e.id, e]));
    return result.problem ? { problem: result.problem } : {};
  }

  list(): JournalEntry[] {
    return [...this.entries.values()].sort((a, b) => a.createdAt - b.createdAt);
  }

  get(id: string): JournalEntry | undefined {
    return this.entries.get(id);
  }

  findByTaskId(taskId: string): JournalEntry | undefined {
    return this.list().find((e) => e.taskId === taskId);
  }

  onDidChange(listener: Listener): { dispose(): void } {
    this.listeners.add(listener);
    return { dispose: () => this.listeners.delete(listener) };
  }

  async add(entry: JournalEntry): Promise<JournalEntry> {
    await this.mutate(entry.id, () => entry);
    return entry;
  }

  /** Applies `change` to the entry as it is on disk now (another process may have moved it on). */
  update(id: string, change: (entry: JournalEntry) => JournalEntry): Promise<JournalEntry | undefined> {
    return this.mutate(id, (current) => (current ? change(current) : undefined));
  }

  remove(id: string): Promise<void> {
    return this.mutate(id, () => undefined).then(() => undefined);
  }

  /** Picks up changes written by another process. */
  async refresh(): Promise<void> {
    await this.serial(async () => {
      const { entries } = await this.read();
      const fresh = new Map(entries.map((e) => [e.id, e]));
      const changed = [...new Set([...this.entries.keys(), ...fresh.keys()])].filter(
        (id) => JSON.stringify(this.entries.get(id)) !== JSON.stringify(fresh.get(id)),
      );
      this.entries = fresh;
      for (const id of changed) this.emit(fresh.get(id), id);
    });
  }

  private mutate(id: string, change: (current: JournalEntry | undefined) => JournalEntry | undefined): Promise<JournalEntry | undefined> {
    return this.serial(async () => {
      const held = await this.fileLock.acquire();
      try {
        const { entries } = await this.read();
        const onDisk = new Map(entries.map((e) => [e.id, e]));
        const next = change(onDisk.get(id) ?? this.entries.get(id));
        if (next) onDisk.set(id, next);
        else onDisk.delete(id);
        await this.write([...onDisk.values()]);
        this.entries = onDisk;
        this.emit(next, id);
        return next;
      } finally {
        await held.release();
      }
    });
  }

  private serial<T>(work: () => Promise<T>): Promise<T> {
    const run = this.queue.then(work, work);
    this.queue = run.catch(() => undefined);
    return run;
  }

  private emit(entry: JournalEntry | undefined, id: string): void {
    for (const listener of this.listeners) {
      try {
        listener(entry, id);
      } catch {
        // A listener's failure must not stop the journal.
      }
    }
  }

  private async read(): Promise<{ entries: JournalEntry[]; problem?: string }> {
    let text: string;
    try {
      text = await readFile(this.filePath, 'utf8');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return { entries: [] };
      throw error;
    }
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch {
      json = undefined;
    }
    const parsed = JournalFile.safeParse(json);
    if (parsed.success) return { entries: parsed.data.entries };
    // Keep what can be read: an entry this version cannot read is set aside in a copy, not thrown away.
    const aside = `${this.filePath}.unreadable-${Date.now()}`;
    await writeAtomically(aside, text);
    const raw = (json as { entries?: unknown[] } | undefined)?.entries;
    const entries = Array.isArray(raw) ? raw.flatMap((e) => {
          const one = JournalEntry.safeParse(e);
          return one.success ? [one.data] : [];
        }) : [];
    return { entries, problem: `The task journal could not be read in full; a copy was kept at ${aside}.` };
  }

  private async write(entries: JournalEntry[]): Promise<void> {
    const file: JournalFile = { version: 1, entries: entries.sort((a, b) => a.createdAt - b.createdAt) };
    await writeAtomically(this.filePath, `${JSON.stringify(file, null, 1)}\n`);
  }
}
