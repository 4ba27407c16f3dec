import type { JournalEntry } from '../core/journal/taskState';
import type { CliContext } from './cliContext';

const BAR_WIDTH = 20;

/**
 * Live progress per video: bars redrawn in place on a terminal, plain lines (one per change of state, and every
 * quarter of progress) otherwise, so CI logs stay readable.
 */
export class RenderProgress {
  private readonly rows = new Map<string, JournalEntry>();
  private readonly lastPlain = new Map<string, string>();
  private drawnLines = 0;
  private readonly interactive: boolean;
  private readonly nameWidth: number;

  constructor(
    private readonly ctx: CliContext,
    names: readonly string[],
  ) {
    this.interactive = Boolean(ctx.stdout.isTTY);
    this.nameWidth = Math.min(28, names.reduce((width, n) => Math.max(width, n.length), 8));
  }

  update(name: string, entry: JournalEntry): void {
    this.rows.set(name, entry);
    if (this.interactive) this.redraw();
    else this.plain(name, entry);
  }

  /** Leaves the last picture on screen (terminal) before the summary is printed. */
  finish(): void {
    if (this.interactive) this.redraw();
    this.drawnLines = 0;
  }

  private redraw(): void {
    const lines = [...this.rows.entries()].map(([name, entry]) => `${name.padEnd(this.nameWidth)}  ${bar(entry)}  ${describe(entry)}`);
    const up = this.drawnLines > 0 ? `\x1b[${this.drawnLines}A` : '';
    this.ctx.stdout.write(`${up}${lines.map((l) => `\x1b[2K${l}`).join('\n')}\n`);
    this.drawnLines = lines.length;
  }

  private plain(name: string, entry: JournalEntry): void {
    const s = entry.state;
    const bucket = s.status === 'processing' ? `processing ${Math.floor(s.progress / 25) * 25}%` : s.status === 'downloading' ? 'downloading' : describe(entry);
    if (this.lastPlain.get(name) === bucket) return;
    this.lastPlain.set(name, bucket);
    this.ctx.stdout.write(`${name}: ${s.status === 'downloading' ? 'downloading…' : describe(entry)}\n`);
  }
}

function percent(entry: JournalEntry): number {
  const s = entry.state;
  switch (s.status) {
    case 'processing':
      return s.progress;
    case 'downloading':
      return s.totalBytes ? Math.round((100 * s.receivedBytes) / s.totalBytes) : 0;
    case 'completed':
    case 'saved':
      return 100;
    default:
      return 0;
  }
}

function bar(entry: JournalEntry): string {
  const filled = Math.round((percent(entry) / 100) * BAR_WIDTH);
  return `${'█'.repeat(filled)}${'░'.repeat(BAR_WIDTH - filled)}`;
}

export function describe(entry: JournalEntry): string {
  const s = entry.state;
  const stalled = entry.stalled ? ' (stalled: no end in sight; still watched)' : '';
  switch (s.status) {
    case 'submitting':
      return 'sending…';
    case 'pending':
      return `queued${stalled}`;
    case 'processing':
      return `processing ${s.progress}%${s.etaSeconds !== undefined ? `, about ${s.etaSeconds} s left` : ''}${stalled}`;
    case 'completed':
      return entry.lastError ? `finished, download failed: ${entry.lastError}` : 'finished, downloading…';
    case 'downloading':
      return `downloading ${s.totalBytes ? `${Math.round((100 * s.receivedBytes) / s.totalBytes)}%` : `${Math.round(s.receivedBytes / 1024)} KB`}${entry.lastError ? ` (again; the last try failed: ${entry.lastError})` : ''}`;
    case 'saved':
      return `saved ${s.filePath}`;
    case 'failed':
      return `failed: ${s.message} (${s.code}${s.retryable ? '; submitting again may help' : ''})`;
    case 'expired':
      return `expired: ${s.reason}`;
    case 'unknown':
      return `outcome unknown: ${s.reason}`;
  }
}
