import * as path from 'node:path';
import { chooseTake, findTake, listTakes } from '../../core/takes/takeStore';
import { EXIT_CODES } from '../../core/report/exitCode';
import { defineCommand } from '../cliCommand';
import { err, out, UsageError, type CliContext } from '../cliContext';
import { takeTargets } from '../takeTargets';

const USE_HELP = `Usage: kling use FILE VIDEO TAKE [--root DIR]
       kling use VIDEO.mp4 TAKE

Makes TAKE the chosen take of a storyboard's VIDEO: <output>/<name>.mp4 and its sidecar become that take's, in one
rename (the file is never missing or half written). The take that was chosen stays a take. TAKE is its number in
kling takes, its file name, or its task id.

  --root DIR   the workspace folder paths must stay in

A take of an older recipe can be chosen: the storyboard then shows its video as "to render" until its request
matches again.`;

export const useCommand = defineCommand({
  name: 'use',
  summary: 'use FILE VIDEO TAKE  choose another take as the video',
  help: USE_HELP,
  options: { root: { type: 'string' } },
  run: (ctx, positionals, values) => useTake(ctx, positionals, { root: values.root }),
});

async function useTake(ctx: CliContext, args: string[], flags: { root?: string | undefined }): Promise<number> {
  const bareVideo = args[0]?.toLowerCase().endsWith('.mp4') === true;
  if (bareVideo ? args.length !== 2 : args.length !== 3) throw new UsageError('use takes a storyboard, a video name and a take (or an MP4 file and a take)');
  const [file, videoName, reference] = bareVideo ? [args[0]!, undefined, args[1]!] : [args[0]!, args[1]!, args[2]!];
  const targets = await takeTargets(ctx, file, videoName, flags.root);
  if (!targets) return EXIT_CODES.invalid;
  const target = targets[0]!;
  const rel = (p: string) => path.relative(ctx.cwd, p) || p;
  const before = await listTakes(target.place, { root: target.workspaceRoot });
  const take = findTake(before, reference);
  if (!take) {
    const known = before.takes.map((t) => `${t.index} (${path.basename(t.path)})`).join(', ');
    throw new UsageError(before.takes.length ? `${target.name} has no take "${reference}"; its takes are ${known}` : `${target.name} has no takes yet: render it first`);
  }
  if (take.chosen) {
    out(ctx, `${target.name}: take ${take.index} is already the chosen one (${rel(target.videoPath)}). Nothing changed.`);
    return 0;
  }
  const after = await chooseTake(target.place, take.path, { root: target.workspaceRoot });
  const chosen = after.chosen;
  if (!chosen || chosen.sidecar?.taskId !== take.sidecar?.taskId) {
    err(ctx, `${target.name}: ${rel(target.videoPath)} did not become take ${take.index}; run kling takes to see where things stand.`);
    return 1;
  }
  const previous = before.chosen;
  const stale = target.requestHash !== undefined && take.sidecar !== undefined && take.sidecar.requestHash !== target.requestHash;
  out(ctx, `${target.name}: ${rel(target.videoPath)} is now take ${chosen.index} (${take.sidecar?.taskId ?? path.basename(take.path)}).`);
  if (previous) out(ctx, `The take it replaces stays in ${rel(after.takesDir)}.`);
  if (stale) out(ctx, 'This take is of an older recipe: the storyboard shows the video as "to render" until its request matches again.');
  return 0;
}
