import * as path from 'node:path';
import { SIMULATOR_API_KEY, startSimulator } from '../../core/simulator/simulatorServer';
import { out, stateDir, UsageError, type CliContext } from '../cliContext';

export const SIMULATE_HELP = `Usage: kling simulate [--port N] [--time-scale MS] [--balance CREDITS] [--fresh]

Runs the Kling API simulator on 127.0.0.1 until Ctrl-C: the same endpoints, validation, errors and task life
cycle as the service, with real (placeholder) MP4 results. Point a client at it with
KLING_BASE_URL=http://127.0.0.1:PORT KLING_API_KEY=${SIMULATOR_API_KEY}.
A prompt containing [fail:CODE] (e.g. [fail:content_policy_violation]) makes that task fail with CODE.

  --port N           port to listen on (default: a free one)
  --time-scale MS    milliseconds per simulated second (default 1000)
  --balance CREDITS  starting balance (default 10000)
  --fresh            forget the tasks of earlier runs (they are kept in KLING_STATE_DIR otherwise)`;

export async function simulateCommand(
  ctx: CliContext,
  flags: { port?: string | undefined; timeScale?: string | undefined; balance?: string | undefined; fresh?: boolean | undefined },
): Promise<number> {
  const number = (name: string, value: string | undefined, min: number) => {
    if (value === undefined) return undefined;
    const n = Number(value);
    if (!Number.isFinite(n) || n < min) throw new UsageError(`--${name} must be a number of at least ${min}; got ${value}`);
    return n;
  };
  const simulator = await startSimulator({
    port: number('port', flags.port, 0),
    timeScale: number('time-scale', flags.timeScale, 1),
    balanceCredits: number('balance', flags.balance, 0),
    stateFile: flags.fresh ? undefined : path.join(stateDir(ctx), 'simulator-standalone.json'),
    log: (line) => out(ctx, line),
  });
  out(ctx, `Kling simulator listening on ${simulator.baseUrl}`);
  out(ctx, `  KLING_BASE_URL=${simulator.baseUrl} KLING_API_KEY=${SIMULATOR_API_KEY}`);
  out(ctx, 'Press Ctrl-C to stop.');
  await new Promise<void>((resolve) => ctx.signal.addEventListener('abort', () => resolve(), { once: true }));
  await simulator.close();
  out(ctx, 'Simulator stopped.');
  return 0;
}
