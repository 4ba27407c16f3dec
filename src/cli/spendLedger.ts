import type { TaskJournal } from '../core/journal/taskJournal';
import type { JournalEntry } from '../core/journal/taskState';

/**
 * Which tasks this process created itself, told apart from those it only followed or took over (another process
 * created and paid for them): an entry of ours that was seen being sent and then got a task id, or lost its answer.
 * From the journal's changes alone; nothing in the engine needs to know.
 */
export class SpendLedger {
  private readonly sending = new Set<string>();
  private readonly created = new Map<string, JournalEntry>();
  private readonly lost = new Set<string>();
  private readonly subscription: { dispose(): void };

  constructor(journal: TaskJournal, ownerToken: string) {
    this.subscription = journal.onDidChange((entry) => {
      if (!entry || entry.owner?.token !== ownerToken) return;
      if (entry.state.status === 'submitting') this.sending.add(entry.id);
      else if (this.sending.has(entry.id)) {
        this.sending.delete(entry.id);
        if (entry.taskId !== undefined) this.created.set(entry.id, entry);
        else if (entry.state.status === 'unknown') this.lost.add(entry.id);
      }
    });
  }

  /** Created by this process: a task exists and was charged (refunded if it fails). */
  createdHere(entry: JournalEntry | undefined): boolean {
    return entry !== undefined && this.created.has(entry.id);
  }

  /** Sent by this process with no answer: it may have been charged. */
  lostHere(entry: JournalEntry | undefined): boolean {
    return entry !== undefined && this.lost.has(entry.id);
  }

  /** Every task this process created, as it was when created. */
  createdEntries(): JournalEntry[] {
    return [...this.created.values()];
  }

  dispose(): void {
    this.subscription.dispose();
  }
}
