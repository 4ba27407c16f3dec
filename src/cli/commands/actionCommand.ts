import * as path from 'node:path';
import { glob } from 'tinyglobby';
import { EXIT_CODES } from '../../core/report/exitCode';
import { COMMON_HELP, defineCommand, type CliCommand } from '../cliCommand';
import { err, UsageError, type CliContext } from '../cliContext';
import { ACTION_INPUTS, type ActionInput } from '../github/actionInputs';
import { GitHubWorkflow } from '../github/githubWorkflow';
import { downloadCommand } from './downloadCommand';
import { estimateCommand } from './estimateCommand';
import { renderCommand } from './renderCommand';
import { validateCommand } from './validateCommand';

const RUNS: Record<string, CliCommand> = { validate: validateCommand, estimate: estimateCommand, render: renderCommand, download: downloadCommand };
const COMMANDS = ['validate', 'estimate', 'render', 'download'] as const;
/** Which inputs each command uses; any other that is set is named in a warning and left out. */
const USES: Record<(typeof COMMANDS)[number], readonly ActionInput[]> = {
  validate: [],
  estimate: ['api-key', 'base-url', 'shard', 'since', 'simulator'],
  render: ['api-key', 'base-url', 'max-usd', 'shard', 'since', 'simulator'],
  download: ['api-key', 'base-url', 'simulator'],
};

export const actionCommand = defineCommand({
  name: 'action',
  summary: "action            the GitHub Action's entry: runs the command its INPUT_* variables name",
  help: `Usage: kling action

What the GitHub Action (action.yml) runs: reads its inputs from the environment as a runner passes them
(INPUT_COMMAND, INPUT_STORYBOARDS, INPUT_API-KEY or INPUT_API_KEY, …), finds the storyboards, and runs
kling <command> in GitHub mode: annotations, the job summary, and the step outputs spent-usd, rendered,
failed, unknown (also estimated-usd and summary). The key is masked the moment it is read.

Inputs: command (validate | estimate | render | download), storyboards (globs, one per line; default
**/*.kling.json, node_modules and .git left out), api-key, base-url, max-usd, shard, since, simulator (true to
use the built-in simulator). render accepts the price as --yes does: set max-usd to cap it.
${COMMON_HELP}
Exit codes: those of the command run (see kling --help); 2 for inputs that cannot be used.`,
  options: {},
  async run(ctx, args) {
    if (args.length) throw new UsageError(`action takes no arguments (its inputs are INPUT_* variables); got ${args.join(' ')}`);
    const github = ctx.github ?? new GitHubWorkflow(ctx.stdout, ctx.env);
    const input = (name: ActionInput) => (ctx.env[`INPUT_${name.toUpperCase()}`] ?? ctx.env[`INPUT_${name.replace(/-/g, '_').toUpperCase()}`] ?? '').trim();
    const apiKey = input('api-key');
    // Masked before anything else is printed: from here on the runner hides it in every line of the log.
    github.mask(apiKey);
    const fail = (message: string) => {
      github.annotate('error', { file: '', title: 'Kling Studio' }, message);
      return EXIT_CODES.invalid;
    };
    const command = input('command') || 'validate';
    if (!(COMMANDS as readonly string[]).includes(command)) return fail(`The input command is ${JSON.stringify(command)}; it must be one of ${COMMANDS.join(', ')}.`);
    const used = USES[command as (typeof COMMANDS)[number]];
    for (const name of ACTION_INPUTS) {
      // simulator's default, "false", is the same as not setting it.
      const set = name === 'simulator' ? /^true$/i.test(input(name)) : input(name) !== '';
      if (name !== 'command' && name !== 'storyboards' && set && !used.includes(name)) {
        github.annotate('warning', { file: '', title: 'Kling Studio' }, `The input ${name} does not apply to ${command}; it was left out.`);
      }
    }
    const simulator = input('simulator');
    if (simulator && !/^(true|false)$/i.test(simulator)) return fail(`The input simulator is true or false; got ${JSON.stringify(simulator)}.`);

    const workspace = path.resolve(ctx.cwd, ctx.env['GITHUB_WORKSPACE'] || '.');
    const patterns = (input('storyboards') || '**/*.kling.json').split(/\r?\n/).map((p) => p.trim()).filter(Boolean);
    const files = (await glob(patterns, { cwd: workspace, ignore: ['**/node_modules/**', '**/.git/**'], onlyFiles: true, dot: false })).sort();
    if (files.length === 0) return fail(`No storyboard matches ${patterns.join(', ')} in ${workspace}. Set the input storyboards to a glob of your *.kling.json files.`);

    const argv: string[] = [...files, '--format', 'github'];
    const flag = (name: ActionInput, option = `--${name}`) => {
      const value = input(name);
      if (value && used.includes(name)) argv.push(option, value);
    };
    if (used.includes('simulator') && /^true$/i.test(simulator)) argv.push('--simulator');
    flag('base-url');
    flag('max-usd');
    flag('shard');
    flag('since');
    if (command === 'render') argv.push('--yes');
    const env: NodeJS.ProcessEnv = { ...ctx.env, GITHUB_WORKSPACE: workspace };
    if (apiKey) env['KLING_API_KEY'] = apiKey;
    const inner: CliContext = { ...ctx, cwd: workspace, env, github: undefined };
    try {
      return await RUNS[command]!.run(inner, argv);
    } catch (error) {
      if (!(error instanceof UsageError) && !(error as { code?: string }).code?.startsWith('ERR_PARSE_ARGS')) throw error;
      err(ctx, `kling ${command}: ${(error as Error).message}.`);
      return fail(`kling ${command}: ${(error as Error).message}. Check the action's inputs.`);
    }
  },
});
