import { out, UsageError, type CliContext } from '../cliContext';
import { loadStoryboard } from '../loadStoryboard';

export const VALIDATE_HELP = `Usage: kling validate FILE… [--root DIR]

Checks storyboards (*.kling.json) against the format: fields, values, shot sums, names, images, paths.
Prints each problem as FILE:LINE:COL: message, and exits 1 if there is any.

  --root DIR   the workspace folder paths must stay in (default: the repo the file is in)`;

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
