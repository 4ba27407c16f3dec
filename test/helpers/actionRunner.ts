import { spawn } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { CLI } from './cliRunner';

export interface ActionRun {
  code: number | null;
  stdout: string;
  stderr: string;
  /** What the step wrote to $GITHUB_OUTPUT, read back as the runner reads it. */
  outputs: Record<string, string>;
  /** What the step appended to $GITHUB_STEP_SUMMARY. */
  summary: string;
}

/**
 * Runs the Action's entry as a runner runs it: `kling action` in a child process whose inputs are INPUT_<NAME>
 * variables (a JavaScript action's form: the name upper-cased, `-` kept), with GITHUB_ACTIONS=true, the checkout
 * as GITHUB_WORKSPACE, and empty GITHUB_OUTPUT and GITHUB_STEP_SUMMARY files of its own.
 */
/**
 * Runs the Action's entry as a runner would. With `script` (the composite step's `run:` text), that script runs in
 * bash with GITHUB_ACTION_PATH at this checkout, as the runner runs the step; otherwise the built CLI's entry directly.
 */
export function runAction(inputs: Record<string, string>, options: { workspace: string; state: string; env?: Record<string, string>; name?: string; script?: string }): Promise<ActionRun> {
  const files = path.join(options.state, '..', `.github-${options.name ?? 'step'}`);
  const outputFile = `${files}-output`;
  const summaryFile = `${files}-summary.md`;
  writeFileSync(outputFile, '');
  writeFileSync(summaryFile, '');
  const env: NodeJS.ProcessEnv = { ...process.env };
  for (const name of ['KLING_API_KEY', 'KLING_BASE_URL', 'HTTP_PROXY', 'HTTPS_PROXY', 'NO_PROXY', 'http_proxy', 'https_proxy', 'no_proxy']) delete env[name];
  for (const name of Object.keys(env)) if (name.startsWith('INPUT_') || name.startsWith('GITHUB_')) delete env[name];
  Object.assign(env, {
    GITHUB_ACTIONS: 'true',
    GITHUB_WORKSPACE: options.workspace,
    GITHUB_OUTPUT: outputFile,
    GITHUB_STEP_SUMMARY: summaryFile,
    KLING_STATE_DIR: options.state,
    KLING_SIMULATOR_TIME_SCALE: '10',
    ...options.env,
  });
  for (const [name, value] of Object.entries(inputs)) env[`INPUT_${name.replace(/ /g, '_').toUpperCase()}`] = value;
  if (options.script !== undefined) env['GITHUB_ACTION_PATH'] = path.resolve(path.dirname(CLI), '..');
  const child =
    options.script !== undefined
      ? spawn('bash', ['-c', options.script], { cwd: options.workspace, env, stdio: ['ignore', 'pipe', 'pipe'] })
      : spawn(process.execPath, [CLI, 'action'], { cwd: options.workspace, env, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  return new Promise((resolve) =>
    child.on('close', (code) => resolve({ code, stdout, stderr, outputs: readOutputs(readFileSync(outputFile, 'utf8')), summary: readFileSync(summaryFile, 'utf8') })),
  );
}

/** $GITHUB_OUTPUT as the runner reads it: `name=value` lines and `name<<DELIMITER` … `DELIMITER` blocks. */
export function readOutputs(text: string): Record<string, string> {
  const outputs: Record<string, string> = {};
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!;
    const heredoc = /^([^=<]+)<<(.+)$/.exec(line);
    if (heredoc) {
      const end = lines.indexOf(heredoc[2]!, i + 1);
      if (end < 0) throw new Error(`GITHUB_OUTPUT: ${heredoc[1]} is never closed by ${heredoc[2]}`);
      outputs[heredoc[1]!] = lines.slice(i + 1, end).join('\n');
      i = end;
    } else if (line.includes('=')) {
      outputs[line.slice(0, line.indexOf('='))] = line.slice(line.indexOf('=') + 1);
    }
  }
  return outputs;
}

/** The workflow commands of a step's log: `::name props::message`, unescaped as GitHub's runner reads them. */
export function workflowCommands(stdout: string): Array<{ name: string; properties: Record<string, string>; message: string }> {
  const unescape = (s: string) => s.replace(/%0A/g, '\n').replace(/%0D/g, '\r').replace(/%3A/g, ':').replace(/%2C/g, ',').replace(/%25/g, '%');
  return stdout
    .split('\n')
    .filter((line) => line.startsWith('::'))
    .map((line) => {
      const match = /^::([a-z-]+)(?: ([^:]*))?::(.*)$/.exec(line);
      if (!match) throw new Error(`not a well-formed workflow command: ${line}`);
      const properties: Record<string, string> = {};
      for (const pair of (match[2] ?? '').split(',').filter(Boolean)) {
        const at = pair.indexOf('=');
        if (at <= 0) throw new Error(`a property without a name or value in: ${line}`);
        properties[pair.slice(0, at)] = unescape(pair.slice(at + 1));
      }
      return { name: match[1]!, properties, message: unescape(match[3]!) };
    });
}
