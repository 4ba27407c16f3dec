import { randomBytes } from 'node:crypto';
import { mkdir, open, readFile, rename, unlink } from 'node:fs/promises';
import path from 'node:path';
import { z } from 'zod';
import { TASK_ID_PATTERN } from '../api/apiSchemas';
import { formatAmount, parseAmount, type Amount } from '../pricing/decimal';
import { videoSecondsOf, type TasksState } from './simulatorTasks';
import type { SimulatedTask } from './taskLifecycle';
import { validateCreate } from './validateCreate';
import { errorText } from '../text/errorText';

/*
 * The simulator's tasks and credits on disk, so that they outlive the process as a real service's would: the
 * extension host restarts on every window reload, and the CLI runs once per command, yet the tasks in the user's
 * journal must still be found, go on with their life and be downloadable, and the balance must hold.
 *
 * One JSON file, one task per line:
 *   {"format":"kling-simulator-state","version":1,"savedAt":"…","credits":{"granted":"10000","setAt":0},"tasks":[
 *   {"id":"task-unified-…","kind":"video","createdMs":…,"timeScale":1000,"queueSeconds":3,"processingSeconds":30,
 *    "credits":"27","request":{…}},
 *   …]}
 * A task never changes once created: its status, progress and refund are computed from `createdMs` on the clock,
 * so only creates and balance changes are written. Uploaded files are not kept (see FileUploads).
 */

export const STATE_FORMAT = 'kling-simulator-state';
export const STATE_VERSION = 1;

/** Credits as exact decimal text ("27", "35.991"), never a float. */
const AmountText = z.string().regex(/^-?\d+(\.\d{1,4})?$/);

const StoredTask = z.object({
  id: z.string().regex(TASK_ID_PATTERN),
  kind: z.enum(['video', 'element']),
  /** On the simulator's clock (ms). */
  createdMs: z.number().finite(),
  timeScale: z.number().finite().positive(),
  queueSeconds: z.number().finite().nonnegative(),
  processingSeconds: z.number().finite().nonnegative(),
  credits: AmountText,
  failureCode: z.string().min(1).optional(),
  elementId: z.string().min(1).optional(),
  /** The create body as validated; checked again on load, so a task is never loaded with a request the API refuses. */
  request: z.unknown(),
});
type StoredTask = z.infer<typeof StoredTask>;

const StateBody = z.object({
  format: z.literal(STATE_FORMAT),
  version: z.literal(STATE_VERSION),
  /** Informative only. */
  savedAt: z.string().optional(),
  credits: z.object({ granted: AmountText, setAt: z.number().finite() }),
  // Read one by one, so that one task this version cannot read does not cost all the others.
  tasks: z.array(z.unknown()),
});
type StateBody = z.infer<typeof StateBody>;

/** What the state file reads from and merges into: the simulator's tasks. */
export interface StateSource {
  state(): TasksState;
  merge(state: TasksState): void;
  /** Whether a task is known already, so that merging need not check it again. */
  has(id: string): boolean;
}

type ReadResult = { kind: 'missing' } | { kind: 'unreadable'; reason: string; parsed: boolean } | { kind: 'read'; state: TasksState; dropped: string[] };

/**
 * Loads and saves one simulator's state. Saves are atomic (a temporary file, fsync, rename), so a crash or a window
 * reload mid-write leaves the old file or the new one, never half of one; and they are coalesced, so that 50 creates
 * at once make two writes, not 50. A save never fails: a problem is logged and the simulator goes on in memory.
 *
 * Two simulators should not share a file, but two VS Code windows do (the extension keeps it in global storage): so
 * each save first reads the file and merges what another simulator wrote (its tasks, and its balance if set later).
 * Only a write by the other between that read and the rename can still be lost.
 */
export class SimulatorStateFile {
  /** The write under way, and whether it has taken its snapshot of the state yet. */
  private current: { done: Promise<void>; snapshotTaken: boolean } | undefined;
  /** The write that starts when `current` ends, taking every change made after `current` took its snapshot. */
  private next: Promise<void> | undefined;

  constructor(
    readonly file: string,
    private readonly source: StateSource,
    private readonly now: () => number,
    private readonly log: (line: string) => void,
  ) {}

  /**
   * The saved state, or undefined for a fresh start: when there is no file, or when it cannot be read (logged; a
   * file that is not a state file of this version is moved aside to `<file>.unreadable` rather than overwritten).
   */
  async load(): Promise<TasksState | undefined> {
    const read = await this.read();
    switch (read.kind) {
      case 'missing':
        return undefined;
      case 'unreadable': {
        let aside = '';
        if (read.parsed) {
          aside = await rename(this.file, `${this.file}.unreadable`).then(
            () => `; kept as ${path.basename(this.file)}.unreadable`,
            () => '',
          );
        }
        this.log(`simulator: starting with no tasks: the state file ${this.file} cannot be used (${read.reason})${aside}`);
        return undefined;
      }
      case 'read':
        if (read.dropped.length > 0) this.logDropped(read.dropped);
        return read.state;
    }
  }

  /** Writes the current state soon; resolves once a write that started after this call has ended. Never rejects. */
  save(): Promise<void> {
    if (this.next) return this.next;
    if (!this.current) return this.startWrite();
    // A write that has not looked at the state yet will see this change too.
    if (!this.current.snapshotTaken) return this.current.done;
    this.next = this.current.done.then(() => {
      this.next = undefined;
      return this.startWrite();
    });
    return this.next;
  }

  /** Resolves when every save asked for so far is written. */
  async flush(): Promise<void> {
    await (this.next ?? this.current?.done);
  }

  private startWrite(): Promise<void> {
    const write = { done: Promise.resolve(), snapshotTaken: false };
    write.done = this.write(write)
      .catch((error: unknown) => this.log(`simulator: cannot save the state file ${this.file}: ${message(error)}`))
      .finally(() => {
        if (this.current === write) this.current = undefined;
      });
    this.current = write;
    return write.done;
  }

  private async write(progress: { snapshotTaken: boolean }): Promise<void> {
    const onDisk = await this.read((id) => this.source.has(id));
    if (onDisk.kind === 'read') this.source.merge(onDisk.state);
    else if (onDisk.kind === 'unreadable') this.log(`simulator: replacing the unreadable state file ${this.file} (${onDisk.reason})`);
    progress.snapshotTaken = true;
    const text = serialize(this.source.state(), this.now());
    const dir = path.dirname(this.file);
    const temp = `${this.file}.${process.pid}-${randomBytes(4).toString('hex')}.tmp`;
    try {
      await mkdir(dir, { recursive: true });
      const handle = await open(temp, 'w');
      try {
        await handle.writeFile(text, 'utf8');
        await handle.sync();
      } finally {
        await handle.close();
      }
      await renameOver(temp, this.file);
    } catch (error) {
      this.log(`simulator: cannot save the state file ${this.file}: ${message(error)}; tasks created now are kept in memory only`);
      await unlink(temp).catch(() => undefined);
      return;
    }
    // The rename itself survives a power cut only once the folder is synced (POSIX); Windows cannot open a folder.
    await open(dir, 'r')
      .then(async (handle) => {
        try {
          await handle.sync();
        } finally {
          await handle.close();
        }
      })
      .catch(() => undefined);
  }

  /** `known` tasks are skipped: neither checked nor returned. */
  private async read(known: (id: string) => boolean = () => false): Promise<ReadResult> {
    let text: string;
    try {
      text = await readFile(this.file, 'utf8');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return { kind: 'missing' };
      return { kind: 'unreadable', reason: message(error), parsed: false };
    }
    return parseState(text, known);
  }

  private logDropped(dropped: string[]): void {
    const shown = dropped.slice(0, 5).join('; ');
    const more = dropped.length > 5 ? `; and ${dropped.length - 5} more` : '';
    this.log(`simulator: ${dropped.length} task(s) of the state file ${this.file} cannot be loaded and are forgotten: ${shown}${more}`);
  }
}

/** Reads a state file's text. `parsed` tells a file that is not ours (move it aside) from one we could not open. */
function parseState(text: string, known: (id: string) => boolean): ReadResult {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    return { kind: 'unreadable', reason: `not JSON: ${message(error)}`, parsed: true };
  }
  const body = StateBody.safeParse(json);
  if (!body.success) {
    const issue = body.error.issues[0]!;
    return { kind: 'unreadable', reason: `${issue.path.join('.') || 'the file'}: ${issue.message}`, parsed: true };
  }
  const tasks: SimulatedTask[] = [];
  const dropped: string[] = [];
  body.data.tasks.forEach((raw, i) => {
    if (known(idOf(raw))) return;
    const task = loadTask(raw);
    if (typeof task === 'string') dropped.push(`task ${i + 1} (${idOf(raw)}): ${task}`);
    else tasks.push(task);
  });
  const { granted, setAt } = body.data.credits;
  return { kind: 'read', state: { granted: parseSignedAmount(granted), balanceSetAt: setAt, tasks }, dropped };
}

/** The task, or why it cannot be loaded. */
function loadTask(raw: unknown): SimulatedTask | string {
  const parsed = StoredTask.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    return `${issue.path.join('.')}: ${issue.message}`;
  }
  const stored = parsed.data;
  const checked = validateCreate(stored.request);
  if (!checked.ok) return `its request is refused now: ${checked.error.message}`;
  if (checked.kind !== stored.kind) return `a ${stored.kind} task with a ${checked.kind} request`;
  const base = {
    id: stored.id,
    model: checked.request.model,
    createdMs: stored.createdMs,
    timeScale: stored.timeScale,
    queueSeconds: stored.queueSeconds,
    processingSeconds: stored.processingSeconds,
    credits: parseSignedAmount(stored.credits),
    failureCode: stored.failureCode,
  };
  if (checked.kind === 'video') return { ...base, kind: 'video', request: checked.request, videoSeconds: videoSecondsOf(checked.request) };
  if (stored.elementId === undefined) return 'an element task without its element id';
  return { ...base, kind: 'element', request: checked.request, elementId: stored.elementId };
}

function serialize(state: TasksState, nowMs: number): string {
  const head: Omit<StateBody, 'tasks'> = {
    format: STATE_FORMAT,
    version: STATE_VERSION,
    savedAt: new Date(nowMs).toISOString(),
    credits: { granted: formatAmount(state.granted), setAt: state.balanceSetAt },
  };
  // In the order they were created (merged ones after), so that tasks() lists them in the same order after a restart.
  const tasks = state.tasks.map((task) => JSON.stringify(storedTask(task)));
  // One task a line: the file stays readable with a pager and diffable, at no cost to JSON.parse.
  return `${JSON.stringify(head).slice(0, -1)},"tasks":[\n${tasks.join(',\n')}\n]}\n`;
}

function storedTask(task: SimulatedTask): StoredTask {
  const stored: StoredTask = {
    id: task.id,
    kind: task.kind,
    createdMs: task.createdMs,
    timeScale: task.timeScale,
    queueSeconds: task.queueSeconds,
    processingSeconds: task.processingSeconds,
    credits: formatAmount(task.credits),
    request: task.request,
  };
  if (task.failureCode !== undefined) stored.failureCode = task.failureCode;
  if (task.kind === 'element') stored.elementId = task.elementId;
  return stored;
}

function parseSignedAmount(text: string): Amount {
  return (text.startsWith('-') ? -parseAmount(text.slice(1)) : parseAmount(text)) as Amount;
}

function idOf(raw: unknown): string {
  const id = raw !== null && typeof raw === 'object' ? (raw as Record<string, unknown>)['id'] : undefined;
  return typeof id === 'string' ? id : 'no id';
}

/**
 * Renames over the target. On Windows a rename over a file another process has open (the other window reading it,
 * an antivirus) fails for a moment with EPERM, EACCES or EBUSY; a few short retries get past it.
 */
async function renameOver(from: string, to: string): Promise<void> {
  for (let attempt = 1; ; attempt++) {
    try {
      await rename(from, to);
      return;
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      if (attempt >= 5 || !(code === 'EPERM' || code === 'EACCES' || code === 'EBUSY')) throw error;
      await new Promise((resolve) => setTimeout(resolve, 20 * attempt));
    }
  }
}

function message(error: unknown): string {
  return errorText(error);
}
