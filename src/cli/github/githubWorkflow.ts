import { randomUUID } from 'node:crypto';
import { appendFileSync } from 'node:fs';
import { workflowCommand } from './workflowCommands';

/** Where an annotation points: a file relative to the repository's root, 1-based lines and columns. */
export interface AnnotationPlace {
  file: string;
  line?: number | undefined;
  col?: number | undefined;
  endLine?: number | undefined;
  endColumn?: number | undefined;
  title?: string | undefined;
}

/**
 * GitHub's workflow language for one run (docs/cli.md, "GitHub mode"): annotations, groups and masks as workflow
 * commands on the output stream, step outputs appended to $GITHUB_OUTPUT and the job summary to
 * $GITHUB_STEP_SUMMARY, written the way GitHub's toolkit writes them. Outside a runner (no such files) the outputs
 * and the summary are skipped: `--format github` on a laptop shows the commands only.
 */
export class GitHubWorkflow {
  private readonly masked = new Set<string>();

  constructor(
    private readonly out: NodeJS.WritableStream,
    private readonly env: NodeJS.ProcessEnv,
  ) {}

  /** Hides a secret in every later line of the job's log. Said once per secret. */
  mask(secret: string | undefined): void {
    const value = secret?.trim();
    if (!value || this.masked.has(value)) return;
    this.masked.add(value);
    this.command('add-mask', {}, value);
  }

  annotate(level: 'error' | 'warning' | 'notice', place: AnnotationPlace, message: string): void {
    this.command(level, { file: place.file, line: place.line, col: place.col, endLine: place.endLine, endColumn: place.endColumn, title: place.title }, message);
  }

  /** A foldable group in the log around `lines`, printed at once so that concurrent videos never interleave. */
  group(title: string, lines: readonly string[]): void {
    this.command('group', {}, title);
    for (const line of lines) this.out.write(`${line}\n`);
    this.command('endgroup', {}, '');
  }

  /** One step output, in $GITHUB_OUTPUT's heredoc form (any value, several lines included). */
  setOutput(name: string, value: string | number): void {
    const file = this.env['GITHUB_OUTPUT'];
    if (!file) return;
    const text = String(value);
    // As the toolkit's prepareKeyValueMessage: a delimiter no value can contain.
    const delimiter = `ghadelimiter_${randomUUID()}`;
    appendFileSync(file, `${name}<<${delimiter}\n${text}\n${delimiter}\n`, 'utf8');
  }

  /** Markdown appended to the job's summary page. */
  appendSummary(markdown: string): void {
    const file = this.env['GITHUB_STEP_SUMMARY'];
    if (!file) return;
    appendFileSync(file, markdown.endsWith('\n') ? markdown : `${markdown}\n`, 'utf8');
  }

  private command(name: string, properties: Parameters<typeof workflowCommand>[1], message: string): void {
    this.out.write(`${workflowCommand(name, properties, message)}\n`);
  }
}

/** GitHub mode: `--format github`, or a GitHub Actions runner unless `--format text` says otherwise. */
export function isGitHubMode(env: NodeJS.ProcessEnv, format: string | undefined): boolean {
  if (format === 'github') return true;
  if (format === 'text') return false;
  return env['GITHUB_ACTIONS'] === 'true';
}
