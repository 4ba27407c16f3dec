import { parseArgs } from 'node:util';
import { err, out, StopRequest, UsageError, type CliContext } from './cliContext';
import { CREDITS_HELP, creditsCommand } from './commands/creditsCommand';
import { DOWNLOAD_HELP, downloadCommand } from './commands/downloadCommand';
import { ESTIMATE_HELP, estimateCommand } from './commands/estimateCommand';
import { RENDER_HELP, renderCommand } from './commands/renderCommand';
import { SCHEMA_HELP, schemaCommand } from './commands/schemaCommand';
import { SIMULATE_HELP, simulateCommand } from './commands/simulateCommand';
import { STATUS_HELP, statusCommand } from './commands/statusCommand';
import { TAKES_HELP, takesCommand } from './commands/takesCommand';
import { USE_HELP, useCommand } from './commands/useCommand';
import { VALIDATE_HELP, validateCommand } from './commands/validateCommand';

const HELP = `kling: make short videos with Kling 3.0 from the terminal.

Usage: kling <command> [options]

Commands:
  validate FILE…   check storyboards (*.kling.json); problems as FILE:LINE:COL: message
  estimate FILE    what a storyboard costs, per video and in total (--json)
  render FILE      render a storyboard's videos: price, confirm, create, watch, download
  download [TASK|FILE…]  fetch videos that are paid for but not saved (nothing is paid again)
  status [TASK]    the tasks in the journal, or what the service says about one task
  credits          the credits left on your key
  schema           the JSON Schema of storyboards
  simulate         run the API simulator on 127.0.0.1
  takes FILE [VIDEO]      a storyboard's takes: every render kept, and which one is chosen
  use FILE VIDEO TAKE     choose another take as the video

Run kling <command> --help for a command's options.
Environment: KLING_API_KEY, KLING_BASE_URL, KLING_STATE_DIR.`;

const HELPS: Record<string, string> = {
  validate: VALIDATE_HELP,
  estimate: ESTIMATE_HELP,
  render: RENDER_HELP,
  download: DOWNLOAD_HELP,
  status: STATUS_HELP,
  credits: CREDITS_HELP,
  schema: SCHEMA_HELP,
  simulate: SIMULATE_HELP,
  takes: TAKES_HELP,
  use: USE_HELP,
};

const OPTIONS = {
  help: { type: 'boolean', short: 'h' },
  json: { type: 'boolean' },
  root: { type: 'string' },
  only: { type: 'string', multiple: true },
  force: { type: 'boolean' },
  yes: { type: 'boolean', short: 'y' },
  concurrency: { type: 'string' },
  simulator: { type: 'boolean' },
  'base-url': { type: 'string' },
  verbose: { type: 'boolean', short: 'v' },
  port: { type: 'string' },
  'time-scale': { type: 'string' },
  balance: { type: 'string' },
  fresh: { type: 'boolean' },
  takes: { type: 'string' },
} as const;

/** Runs one CLI invocation and returns its exit code. Every expected failure is a message, never a stack trace. */
export async function runCli(argv: string[], ctx: CliContext): Promise<number> {
  const [command, ...rest] = argv;
  if (!command || command === '--help' || command === '-h' || command === 'help') {
    out(ctx, rest[0] && HELPS[rest[0]] ? HELPS[rest[0]] : HELP);
    return command ? 0 : 2;
  }
  if (command === '--version') {
    out(ctx, process.env['KLING_STUDIO_VERSION'] ?? 'kling-studio');
    return 0;
  }
  if (!HELPS[command]) {
    err(ctx, `kling: unknown command "${command}". Commands: ${Object.keys(HELPS).join(', ')}. See kling --help.`);
    return 2;
  }
  try {
    const { values, positionals } = parseArgs({ args: rest, options: OPTIONS, allowPositionals: true, strict: true });
    if (values.help) {
      out(ctx, HELPS[command]);
      return 0;
    }
    switch (command) {
      case 'validate':
        return await validateCommand(ctx, positionals, { root: values.root });
      case 'estimate':
        return await estimateCommand(ctx, positionals, { json: values.json, root: values.root });
      case 'render':
        return await renderCommand(ctx, positionals, {
          only: values.only,
          force: values.force,
          yes: values.yes,
          concurrency: values.concurrency,
          simulator: values.simulator,
          baseUrl: values['base-url'],
          root: values.root,
          verbose: values.verbose,
          takes: values.takes,
        });
      case 'download':
        return await downloadCommand(ctx, positionals, { simulator: values.simulator, baseUrl: values['base-url'], root: values.root, verbose: values.verbose });
      case 'status':
        return await statusCommand(ctx, positionals, { simulator: values.simulator, baseUrl: values['base-url'] });
      case 'credits':
        return await creditsCommand(ctx, { simulator: values.simulator, baseUrl: values['base-url'] });
      case 'schema':
        return schemaCommand(ctx);
      case 'simulate':
        return await simulateCommand(ctx, { port: values.port, timeScale: values['time-scale'], balance: values.balance, fresh: values.fresh });
      case 'takes':
        return await takesCommand(ctx, positionals, { json: values.json, root: values.root });
      case 'use':
        return await useCommand(ctx, positionals, { root: values.root });
    }
    return 2;
  } catch (error) {
    if (error instanceof UsageError || (error as { code?: string }).code?.startsWith('ERR_PARSE_ARGS')) {
      err(ctx, `kling ${command}: ${(error as Error).message}. See kling ${command} --help.`);
      return 2;
    }
    err(ctx, `kling ${command}: ${error instanceof Error ? error.message : String(error)}`);
    if (process.env['KLING_DEBUG']) err(ctx, error instanceof Error ? (error.stack ?? '') : '');
    return 1;
  }
}

if (require.main === module) {
  const controller = new AbortController();
  // The first signal stops cleanly: every wait ends (polls, downloads, a create's wait to retry), a create already
  // on its way is answered and journaled, and the command says how to resume. A second signal leaves at once; the
  // journal is still whole, since every write of it is a rename.
  const stop = (signalName: 'SIGINT' | 'SIGTERM') => {
    const request = new StopRequest(signalName);
    if (controller.signal.aborted) process.exit(request.exitCode);
    controller.abort(request);
  };
  process.on('SIGINT', () => stop('SIGINT'));
  process.on('SIGTERM', () => stop('SIGTERM'));
  const ctx: CliContext = { env: process.env, cwd: process.cwd(), stdout: process.stdout, stderr: process.stderr, stdin: process.stdin, signal: controller.signal };
  runCli(process.argv.slice(2), ctx).then(
    (code) => {
      process.exitCode = code;
    },
    (error: unknown) => {
      process.stderr.write(`kling: ${error instanceof Error ? error.message : String(error)}\n`);
      process.exitCode = 1;
    },
  );
}
