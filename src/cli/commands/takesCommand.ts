import * as path from 'node:path';
import { formatUsd, parseAmount } from '../../core/pricing/decimal';
import { listTakes, type Take } from '../../core/takes/takeStore';
import { EXIT_CODES } from '../../core/report/exitCode';
import { defineCommand } from '../cliCommand';
import { out, printDocument, UsageError, type CliContext } from '../cliContext';
import { takeTargets, type TakeTarget } from '../takeTargets';

const TAKES_HELP = `Usage: kling takes FILE [VIDEO] [--json] [--root DIR]

Lists the takes of a storyboard's videos (or of the one named VIDEO), oldest first: every render of a video is a
take, kept in <output>/.takes/<name>/ with its sidecar, and one of them is the chosen one at <output>/<name>.mp4.
FILE may also be an MP4 file, for the takes of that video. Choose another take with kling use.

  --json       {"videos":[{"name","path","takes":[{"take","file","taskId","chosen","current","createdAt","usd","seconds"}]}]}
  --root DIR   the workspace folder paths must stay in

A take marked "older recipe" was made from a request the storyboard no longer asks for.`;

export const takesCommand = defineCommand({
  name: 'takes',
  summary: "takes FILE [VIDEO]  a storyboard's takes: every render kept, and which one is chosen",
  help: TAKES_HELP,
  options: { json: { type: 'boolean' }, root: { type: 'string' } },
  run: (ctx, positionals, values) => listTakesOf(ctx, positionals, { json: values.json, root: values.root }),
});

async function listTakesOf(ctx: CliContext, args: string[], flags: { json?: boolean | undefined; root?: string | undefined }): Promise<number> {
  if (args.length < 1 || args.length > 2) throw new UsageError('takes takes a storyboard (or an MP4 file) and, optionally, a video name');
  const targets = await takeTargets(ctx, args[0]!, args[1], flags.root);
  if (!targets) return EXIT_CODES.invalid;
  const lists = await Promise.all(targets.map(async (target) => ({ target, list: await listTakes(target.place, { root: target.workspaceRoot }) })));
  const rel = (p: string) => path.relative(ctx.cwd, p) || p;
  if (flags.json) {
    printDocument(ctx, { videos: lists.map(({ target, list }) => ({ name: target.name, path: rel(target.videoPath), takes: list.takes.map((take) => takeJson(take, target, rel)) })) });
    return 0;
  }
  for (const { target, list } of lists) {
    const count = list.takes.length;
    out(ctx, `${target.name}  ${rel(target.videoPath)}  ${count === 0 ? 'not rendered yet' : `${count} take${count === 1 ? '' : 's'}`}`);
    if (list.problem) out(ctx, `  (${list.problem})`);
    for (const take of list.takes) out(ctx, takeLine(take, target, rel));
  }
  return 0;
}

function takeLine(take: Take, target: TakeTarget, rel: (p: string) => string): string {
  const s = take.sidecar;
  const notes = [
    take.chosen ? 'chosen' : '',
    isOlder(take, target) ? 'older recipe' : '',
    take.kept ? '' : 'not kept among the takes yet',
    take.sidecarProblem ? `sidecar cannot be used: ${take.sidecarProblem}` : s ? '' : 'no sidecar: recipe unknown',
  ].filter(Boolean);
  const price = s ? `${s.price.estimated.seconds} s  ${usd(s.price.estimated.usd)}` : '';
  return `${take.chosen ? '*' : ' '} ${String(take.index).padStart(2)}  ${take.createdAt.slice(0, 19).replace('T', ' ')}  ${s?.taskId ?? '-'}  ${price}  ${rel(take.path)}${notes.length ? `  (${notes.join('; ')})` : ''}`;
}

function takeJson(take: Take, target: TakeTarget, rel: (p: string) => string) {
  const s = take.sidecar;
  return {
    take: take.index,
    file: rel(take.path),
    taskId: s?.taskId ?? null,
    chosen: take.chosen,
    current: s !== undefined && target.requestHash !== undefined ? s.requestHash === target.requestHash : null,
    createdAt: take.createdAt,
    usd: s ? Number(s.price.estimated.usd) : null,
    seconds: s?.price.estimated.seconds ?? null,
  };
}

function isOlder(take: Take, target: TakeTarget): boolean {
  return take.sidecar !== undefined && target.requestHash !== undefined && take.sidecar.requestHash !== target.requestHash;
}

function usd(amount: string): string {
  try {
    return formatUsd(parseAmount(amount));
  } catch {
    return `$${amount}`;
  }
}
