import * as path from 'node:path';
import { startHarReplay } from '../../core/simulator/harReplay';
import { SIMULATOR_API_KEY, startSimulator } from '../../core/simulator/simulatorServer';
import { COMMON_HELP, defineCommand } from '../cliCommand';
import { out, stateDir, UsageError } from '../cliContext';
import { errorText } from '../../core/text/errorText';

export const simulateCommand = defineCommand({
  name: 'simulate',
  summary: 'simulate          run the API simulator on 127.0.0.1 (or replay a recorded HAR)',
  help: `Usage: kling simulate [--speed N | --time-scale MS] [--port N] [--balance CREDITS] [--fresh]
       kling simulate --replay FILE.har [--port N]

Runs the Kling API simulator on 127.0.0.1 until Ctrl-C: the same endpoints, validation, errors and task life
cycle as the service, with real (placeholder) MP4 results. Point a client at it with
KLING_BASE_URL=http://127.0.0.1:PORT KLING_API_KEY=${SIMULATOR_API_KEY}.
A prompt containing [fail:CODE] (e.g. [fail:content_policy_violation]) makes that task fail with CODE.

  --speed N          run N times faster than the real service (default 1; --speed 10: a task of about 30 s
                     takes about 3 s). The same as the editor's klingStudio.simulatorSpeed setting.
  --time-scale MS    the same, said as milliseconds per simulated second (default 1000; --speed N is 1000/N)
  --port N           port to listen on (default: a free one)
  --balance CREDITS  starting balance (default 10000)
  --fresh            forget the tasks of earlier runs (they are kept in KLING_STATE_DIR otherwise)
  --replay FILE      serve the answers recorded in FILE (kling … --record FILE, or the editor's
                     klingStudio.recordHar) instead of simulating: each request gets the next answer recorded for
                     it, every recorded address points here, and left-out videos become placeholders. Run the
                     same command against it (KLING_BASE_URL=…) to see what the recording saw.
${COMMON_HELP}

KLING_SIMULATOR_TIME_SCALE (milliseconds per simulated second; default 1000) sets the speed of the embedded
simulator of --simulator (render, estimate, download, credits, status), and of this one when neither --speed nor
--time-scale is given.`,
  options: {
    port: { type: 'string' },
    speed: { type: 'string' },
    'time-scale': { type: 'string' },
    balance: { type: 'string' },
    fresh: { type: 'boolean' },
    replay: { type: 'string' },
  },
  async run(ctx, args, values) {
    if (args.length) throw new UsageError(`simulate takes no arguments; got ${args.join(' ')}`);
    const number = (name: string, value: string | undefined, min: number) => {
      if (value === undefined) return undefined;
      const n = Number(value);
      if (!Number.isFinite(n) || n < min) throw new UsageError(`${name.startsWith('KLING_') ? name : `--${name}`} must be a number of at least ${min}; got ${value}`);
      return n;
    };
    const port = number('port', values.port, 0);
    if (values.replay !== undefined) {
      const others = (['speed', 'time-scale', 'balance', 'fresh'] as const).filter((name) => values[name] !== undefined);
      if (others.length) throw new UsageError(`--replay serves a recording as it is: --${others[0]} does not apply`);
      const replay = await startHarReplay(path.resolve(ctx.cwd, values.replay), { port, log: (line) => out(ctx, line) }).catch((error: unknown) => {
        throw new UsageError(errorText(error));
      });
      out(ctx, `Replaying ${values.replay} on ${replay.baseUrl}`);
      out(ctx, `  KLING_BASE_URL=${replay.baseUrl} KLING_API_KEY=<any>`);
      out(ctx, 'Press Ctrl-C to stop.');
      await new Promise<void>((resolve) => ctx.signal.addEventListener('abort', () => resolve(), { once: true }));
      await replay.close();
      out(ctx, `Replay stopped.${replay.unmatched.length ? ` ${replay.unmatched.length} request(s) were not in the recording.` : ''}`);
      return 0;
    }
    if (values.speed !== undefined && values['time-scale'] !== undefined) throw new UsageError('--speed and --time-scale say the same thing: give one');
    const speed = number('speed', values.speed, 1);
    const simulator = await startSimulator({
      port,
      timeScale: speed !== undefined ? 1000 / speed : (number('time-scale', values['time-scale'], 1) ?? number('KLING_SIMULATOR_TIME_SCALE', timeScaleFromEnv(ctx.env), 1)),
      balanceCredits: number('balance', values.balance, 0),
      stateFile: values.fresh ? undefined : path.join(stateDir(ctx), 'simulator-standalone.json'),
      log: (line) => out(ctx, line),
    });
    out(ctx, `Kling simulator listening on ${simulator.baseUrl}${simulator.timeScale !== 1000 ? ` (${Math.round((1000 / simulator.timeScale) * 100) / 100}× the real service's speed)` : ''}`);
    out(ctx, `  KLING_BASE_URL=${simulator.baseUrl} KLING_API_KEY=${SIMULATOR_API_KEY}`);
    out(ctx, 'Press Ctrl-C to stop.');
    await new Promise<void>((resolve) => ctx.signal.addEventListener('abort', () => resolve(), { once: true }));
    await simulator.close();
    out(ctx, 'Simulator stopped.');
    return 0;
  },
});

/** KLING_SIMULATOR_TIME_SCALE, as --time-scale would say it: an empty variable is no setting at all. */
function timeScaleFromEnv(env: NodeJS.ProcessEnv): string | undefined {
  const value = env['KLING_SIMULATOR_TIME_SCALE']?.trim();
  return value ? value : undefined;
}
