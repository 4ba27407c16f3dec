import { EXIT_CODES } from '../../core/report/exitCode';
import type { ValidateReport } from '../../core/report/validateReport';
import { formatMegabytes, STORYBOARD_MAX_BYTES, STORYBOARD_MAX_DEPTH, STORYBOARD_MAX_PROBLEMS } from '../../core/storyboard/storyboardLimits';
import { COMMON_HELP, defineCommand } from '../cliCommand';
import { out, printDocument, UsageError } from '../cliContext';
import { CLI_VERSION } from '../cliVersion';
import { checkStoryboardFile, problemsOf, reportProblems } from '../loadStoryboard';

export const validateCommand = defineCommand({
  name: 'validate',
  summary: 'validate FILE…    check storyboards (*.kling.json); problems as FILE:LINE:COL: message',
  help: `Usage: kling validate FILE… [--json] [--root DIR] [--format github]

Checks storyboards (*.kling.json) against the format: fields, values, shot sums, names, images, paths.
Prints each problem as FILE:LINE:COL: message (in GitHub mode, as an annotation at that place on the pull
request's diff), and exits 2 if there is any.

  --json       one JSON document on stdout (schemas/kling-validate.schema.json; docs/cli.md)
  --root DIR   the workspace folder paths must stay in (default: the git work tree the file is in, else the
               file's folder; never the current folder). Paths are judged by where they really lead: a symbolic
               link out of the workspace is refused, and named.
${COMMON_HELP}

Limits (the same in render, estimate and the editor):
  - a storyboard is a regular file (not a FIFO, socket or device) of at most ${formatMegabytes(STORYBOARD_MAX_BYTES)} (${STORYBOARD_MAX_BYTES.toLocaleString('en-US')} bytes);
    a UTF-8 byte order mark is accepted
  - it nests at most ${STORYBOARD_MAX_DEPTH} levels of { and [ (a storyboard needs 5)
  - at most ${STORYBOARD_MAX_PROBLEMS} problems are printed per file, then "… and N more problems"
Exit codes: 0 every storyboard is valid, 2 a storyboard has problems (or the usage is wrong).`,
  options: { json: { type: 'boolean' }, root: { type: 'string' } },
  async run(ctx, files, values) {
    if (files.length === 0) throw new UsageError('validate needs at least one storyboard file');
    const report: ValidateReport = { command: 'validate', version: CLI_VERSION, exitCode: EXIT_CODES.done, files: [], problemCount: 0 };
    for (const file of files) {
      const checked = await checkStoryboardFile(ctx, file, values.root);
      reportProblems(ctx, checked);
      const { problems, problemCount } = problemsOf(checked);
      report.files.push({ file, valid: checked.storyboard !== undefined, ...(checked.storyboard ? { videos: checked.storyboard.videos.length } : {}), problems, problemCount });
      if (checked.storyboard) {
        const n = checked.storyboard.videos.length;
        const warnings = checked.problems.filter((p) => p.severity === 'warning').length;
        out(ctx, `OK ${file}: ${n} video${n === 1 ? '' : 's'}, ${warnings ? `${warnings} warning${warnings === 1 ? '' : 's'} (above)` : 'no problems'}`);
      } else {
        report.problemCount += problemCount;
        report.exitCode = EXIT_CODES.invalid;
      }
    }
    if (ctx.github && report.exitCode !== EXIT_CODES.done) {
      const bad = report.files.filter((f) => !f.valid);
      ctx.github.appendSummary(
        `### Kling validate\n\n${bad.map((f) => `- \`${f.file}\`: ${f.problemCount} problem${f.problemCount === 1 ? '' : 's'}`).join('\n')}\n`,
      );
    }
    if (values.json) printDocument(ctx, report);
    return report.exitCode;
  },
});
