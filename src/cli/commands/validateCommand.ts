import { formatMegabytes, STORYBOARD_MAX_BYTES, STORYBOARD_MAX_DEPTH, STORYBOARD_MAX_PROBLEMS } from '../../core/storyboard/storyboardLimits';
import { out, UsageError, type CliContext } from '../cliContext';
import { loadStoryboard } from '../loadStoryboard';

export const VALIDATE_HELP = `Usage: kling validate FILE… [--root DIR]

Checks storyboards (*.kling.json) against the format: fields, values, shot sums, names, images, paths.
Prints each problem as FILE:LINE:COL: message, and exits 1 if there is any.

  --root DIR   the workspace folder paths must stay in (default: the git work tree the file is in, else the
               file's folder; never the current folder). Paths are judged by where they really lead: a symbolic
               link out of the workspace is refused, and named.

Limits (the same in render, estimate and the editor):
  - a storyboard is a regular file (not a FIFO, socket or device) of at most ${formatMegabytes(STORYBOARD_MAX_BYTES)} (${STORYBOARD_MAX_BYTES.toLocaleString('en-US')} bytes);
    a UTF-8 byte order mark is accepted
  - it nests at most ${STORYBOARD_MAX_DEPTH} levels of { and [ (a storyboard needs 5)
  - at most ${STORYBOARD_MAX_PROBLEMS} problems are printed per file, then "… and N more problems"`;

export async function validateCommand(ctx: CliContext, files: string[], options: { root?: string | undefined }): Promise<number> {
  if (files.length === 0) throw new UsageError('validate needs at least one storyboard file');
  let failed = 0;
  for (const file of files) {
    const loaded = await loadStoryboard(ctx, file, options.root);
    if (!loaded) failed++;
    else out(ctx, `OK ${file}: ${loaded.storyboard.videos.length} video${loaded.storyboard.videos.length === 1 ? '' : 's'}, no problems`);
  }
  return failed > 0 ? 1 : 0;
}
