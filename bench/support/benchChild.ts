import { fork, type ChildProcess } from 'node:child_process';
import * as path from 'node:path';

/**
 * A helper process of the bench (a script of `bench/processes/`), spoken to over IPC. It is stopped when the bench
 * is done with it or when the benchmark's signal aborts, and it stops by itself if the bench dies (its IPC channel
 * closes), so no run leaves a process behind.
 */
export class BenchChild {
  private readonly inbox: unknown[] = [];
  private readonly waiters: Array<{ resolve: (message: unknown) => void; reject: (error: Error) => void }> = [];
  private ended: Error | undefined;
  private readonly exited: Promise<void>;

  private constructor(
    readonly name: string,
    private readonly child: ChildProcess,
    signal: AbortSignal,
  ) {
    child.on('message', (message) => {
      const waiter = this.waiters.shift();
      if (waiter) waiter.resolve(message);
      else this.inbox.push(message);
    });
    this.exited = new Promise((resolve) => {
      child.once('exit', (code, sig) => {
        this.fail(new Error(`${name} exited (${sig ?? `code ${code}`}) before answering`));
        resolve();
      });
    });
    child.once('error', (error) => this.fail(error));
    const onAbort = () => void this.stop();
    signal.addEventListener('abort', onAbort, { once: true });
    void this.exited.then(() => signal.removeEventListener('abort', onAbort));
  }

  /** Starts `bench/processes/<name>.js` with `args` as JSON in argv[2]. */
  static start(name: string, args: unknown, signal: AbortSignal, execArgv: string[] = []): BenchChild {
    signal.throwIfAborted();
    const script = path.join(__dirname, '..', 'processes', `${name}.js`);
    const child = fork(script, [JSON.stringify(args)], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'], execArgv });
    return new BenchChild(name, child, signal);
  }

  get pid(): number | undefined {
    return this.child.pid;
  }

  /** The next message the child sends. */
  next<T>(): Promise<T> {
    if (this.inbox.length) return Promise.resolve(this.inbox.shift() as T);
    if (this.ended) return Promise.reject(this.ended);
    return new Promise<T>((resolve, reject) => this.waiters.push({ resolve: resolve as (m: unknown) => void, reject }));
  }

  send(message: unknown): void {
    this.child.send(message as never);
  }

  /** Closes the IPC channel (the child's cue to finish), then kills it if it has not exited within 5 s. */
  async stop(): Promise<void> {
    if (this.child.exitCode === null && this.child.signalCode === null) {
      if (this.child.connected) this.child.disconnect();
      const timer = setTimeout(() => this.child.kill('SIGKILL'), 5_000);
      await this.exited;
      clearTimeout(timer);
    }
  }

  private fail(error: Error): void {
    this.ended ??= error;
    for (const waiter of this.waiters.splice(0)) waiter.reject(error);
  }
}
