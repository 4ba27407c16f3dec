import { EXIT_CODES, EXIT_CODES_HELP } from '../core/report/exitCode';
import type { CliCommand } from './cliCommand';
import { err, out, StopRequest, UsageError, type CliContext } from './cliContext';
import { CLI_VERSION } from './cliVersion';
import { actionCommand } from './commands/actionCommand';
import { creditsCommand } from './commands/creditsCommand';
import { doctorCommand } from './commands/doctorCommand';
import { downloadCommand } from './commands/downloadCommand';
import { estimateCommand } from './commands/estimateCommand';
import { renderCommand } from './commands/renderCommand';
import { schemaCommand } from './commands/schemaCommand';
import { simulateCommand } from './commands/simulateCommand';
import { statusCommand } from './commands/statusCommand';
import { takesCommand } from './commands/takesCommand';
import { useCommand } from './commands/useCommand';
import { validateCommand } from './commands/validateCommand';
import { errorText } from '../core/text/errorText';

const COMMANDS: readonly CliCommand[] = [
  validateCommand,
  estimateCommand,
  renderCommand,
  downloadCommand,
  statusCommand,
  creditsCommand,
  doctorCommand,
  schemaCommand,
  simulateCommand,
  takesCommand,
  useCommand,
  actionCommand,
];

const HELP = `kling ${CLI_VERSION}: make short videos with Kling 3.0 from the terminal and from CI.

Usage: kling <command> [options]

Commands:
${COMMANDS.map((c) => `  ${c.summary}`).join('\n')}

Run kling <command> --help for a command's options; each command takes only its own (any other is an error).
Every command takes --record FILE (the HTTP exchanges as HAR) and --format github (GitHub's workflow commands,
on by itself when GITHUB_ACTIONS=true). kling --version prints the version.

${EXIT_CODES_HELP}

Environment: KLING_API_KEY (your key; never written anywhere), KLING_BASE_URL, KLING_STATE_DIR (the journal),
KLING_SIMULATOR_TIME_SCALE (ms per simulated second of the built-in simulator; default 1000).
Documentation: docs/cli.md.`;

/** Runs one CLI invocation and returns its exit code. Every expected failure is a message, never a stack trace. */
export async function runCli(argv: string[], ctx: CliContext): Promise<number> {
  const [name, ...rest] = argv;
  if (!name || name === '--help' || name === '-h' || name === 'help') {
    const command = COMMANDS.find((c) => c.name === rest[0]);
    out(ctx, command ? command.help : HELP);
    return name ? EXIT_CODES.done : EXIT_CODES.invalid;
  }
  if (name === '--version' || name === '-V' || name === 'version') {
    if (rest.length) {
      err(ctx, `kling: --version takes nothing more; got ${rest.join(' ')}. See kling --help.`);
      return EXIT_CODES.invalid;
    }
    out(ctx, CLI_VERSION);
    return EXIT_CODES.done;
  }
  const command = COMMANDS.find((c) => c.name === name);
  if (!command && name.startsWith('-')) {
    err(ctx, `kling: Unknown option '${name}'; before a command kling takes only --help (-h) and --version (-V). Each command's own options go after it (kling <command> --help).`);
    return EXIT_CODES.invalid;
  }
  if (!command) {
    err(ctx, `kling: unknown command "${name}". Commands: ${COMMANDS.map((c) => c.name).join(', ')}. See kling --help.`);
    return EXIT_CODES.invalid;
  }
  try {
    return await command.run(ctx, rest);
  } catch (error) {
    if (error instanceof UsageError || (error as { code?: string }).code?.startsWith('ERR_PARSE_ARGS')) {
      err(ctx, `kling ${name}: ${(error as Error).message}. See kling ${name} --help.`);
      return EXIT_CODES.invalid;
    }
    err(ctx, `kling ${name}: ${errorText(error)}`);
    if (ctx.env['KLING_DEBUG']) err(ctx, error instanceof Error ? (error.stack ?? '') : '');
    return EXIT_CODES.failed;
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
      process.stderr.write(`kling: ${errorText(error)}\n`);
      process.exitCode = EXIT_CODES.failed;
    },
  );
}
