import * as path from 'node:path';
import { parseArgs, type ParseArgsConfig } from 'node:util';
import { HarRecorder } from '../core/http/harRecorder';
import { err, out, UsageError, type CliContext } from './cliContext';
import { GitHubWorkflow, isGitHubMode } from './github/githubWorkflow';
import { CLI_VERSION } from './cliVersion';
import { errorText } from '../core/text/errorText';

export type OptionSpecs = NonNullable<ParseArgsConfig['options']>;

/** Options every command takes. */
export const COMMON_OPTIONS = {
  help: { type: 'boolean', short: 'h' },
  record: { type: 'string' },
  format: { type: 'string' },
} as const satisfies OptionSpecs;

/** Options of the commands that talk to a service. */
export const BACKEND_OPTIONS = {
  simulator: { type: 'boolean' },
  'base-url': { type: 'string' },
  verbose: { type: 'boolean', short: 'v' },
} as const satisfies OptionSpecs;

/** The lines every command's --help ends with, for the options of COMMON_OPTIONS. */
export const COMMON_HELP = `  --record FILE    write the HTTP exchanges as HAR 1.2 (no key, no upload or video bytes), for a bug report
  --format F       text (default), or github: GitHub's workflow commands, summary and outputs (on by itself
                   when GITHUB_ACTIONS=true; --format text turns it off)
  --help           this help`;

type Parsed<O extends OptionSpecs> = ReturnType<typeof parseArgs<{ args: string[]; options: O & typeof COMMON_OPTIONS; allowPositionals: true; strict: true }>>;

export interface CliCommand {
  name: string;
  /** One line for `kling --help`: the arguments and what the command does. */
  summary: string;
  help: string;
  /** Parses its own arguments (each command knows only its own options: any other is an error), then runs. */
  run(ctx: CliContext, argv: string[]): Promise<number>;
}

export interface CommandSpec<O extends OptionSpecs> {
  name: string;
  summary: string;
  help: string;
  options: O;
  run(ctx: CliContext, positionals: string[], values: Parsed<O>['values']): Promise<number> | number;
}

/**
 * A command with its own option set. What every command shares happens here: --help, GitHub mode (and the key
 * masked the moment the run starts), --json sending everything but the document to stderr, and --record.
 */
export function defineCommand<const O extends OptionSpecs>(spec: CommandSpec<O>): CliCommand {
  const options = { ...COMMON_OPTIONS, ...spec.options };
  return {
    name: spec.name,
    summary: spec.summary,
    help: spec.help,
    async run(outer, argv) {
      const { values, positionals } = parseOwnArgs(spec.name, argv, options, { ...spec.options, ...COMMON_OPTIONS });
      const common = values as { help?: boolean; record?: string; format?: string; json?: boolean };
      if (common.help) {
        out(outer, spec.help);
        return 0;
      }
      if (common.format !== undefined && common.format !== 'text' && common.format !== 'github') {
        throw new UsageError(`--format is text or github; got ${common.format}`);
      }
      const ctx: CliContext = common.json ? { ...outer, stdout: outer.stderr, documentOut: outer.stdout } : { ...outer };
      if (isGitHubMode(outer.env, common.format)) {
        ctx.github = new GitHubWorkflow(ctx.stdout, outer.env);
        ctx.github.mask(outer.env['KLING_API_KEY']);
      }
      let recordTo: string | undefined;
      if (common.record !== undefined) {
        if (!common.record) throw new UsageError('--record needs a file name');
        recordTo = path.resolve(outer.cwd, common.record);
        ctx.recorder = new HarRecorder({ secrets: () => [ctx.env['KLING_API_KEY']], creator: { name: 'kling-studio', version: CLI_VERSION } });
      }
      try {
        return await spec.run(ctx, positionals, values as Parsed<O>['values']);
      } finally {
        if (ctx.recorder && recordTo) {
          await ctx.recorder.write(recordTo).then(
            () => err(ctx, `Recorded ${ctx.recorder!.size} HTTP exchange${ctx.recorder!.size === 1 ? '' : 's'} in ${path.relative(outer.cwd, recordTo!) || recordTo}.`),
            (error: unknown) => err(ctx, `Could not write ${recordTo}: ${errorText(error)}`),
          );
        }
      }
    },
  };
}

/**
 * parseArgs, with a flag the command does not take refused by name along with the ones it does take: a typo
 * (`--jsn`) or another command's flag is never silently ignored, and the message says what to type instead.
 */
function parseOwnArgs<O extends OptionSpecs>(command: string, argv: string[], options: O, listed: OptionSpecs) {
  try {
    return parseArgs({ args: argv, options, allowPositionals: true, strict: true });
  } catch (error) {
    if ((error as { code?: string }).code !== 'ERR_PARSE_ARGS_UNKNOWN_OPTION') throw error;
    const flag = /'([^']+)'/.exec((error as Error).message)?.[1] ?? 'an option';
    throw new UsageError(`Unknown option '${flag}'; ${command} takes ${validFlags(listed)}`);
  }
}

/** A command's flags as its --help names them: `--json, --only NAME, --help (-h)`. */
export function validFlags(options: OptionSpecs): string {
  return Object.entries(options)
    .map(([name, spec]) => `--${name}${spec.type === 'string' ? ' VALUE' : ''}${spec.short ? ` (-${spec.short})` : ''}`)
    .join(', ');
}
