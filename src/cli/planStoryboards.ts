import { createHash } from 'node:crypto';
import * as path from 'node:path';
import type { JournalEntry } from '../core/journal/taskState';
import { readKnownElements } from '../core/render/renderStoryboard';
import { planStoryboard, type StoryboardPlan } from '../core/render/storyboardPlan';
import { isInShard, type VideoShard } from '../core/render/videoShard';
import { checkStoryboardText, storyboardLocations } from '../core/storyboard/validateStoryboard';
import type { Backend } from '../core/journal/taskState';
import { UsageError, type CliContext } from './cliContext';
import { GitRevision } from './gitRevision';
import { checkStoryboardFile, reportProblems, type CheckedStoryboard } from './loadStoryboard';

/** Which videos of the storyboards a run is about. */
export interface VideoSelection {
  /** --only NAME…: these names (each must name a video of some storyboard given). */
  only?: readonly string[] | undefined;
  /** --shard K/N: this part of each storyboard. */
  shard?: VideoShard | undefined;
  /** --since REF: the videos whose request differs from the same-named video at REF, and new ones. */
  since?: string | undefined;
  force?: boolean | undefined;
}

export interface PlannedStoryboard {
  checked: CheckedStoryboard & { storyboard: NonNullable<CheckedStoryboard['storyboard']> };
  /** Undefined when no video of this storyboard is selected (another shard's, or unchanged since REF). */
  plan: StoryboardPlan | undefined;
  /** Videos left out by --since: the same request as at the revision. */
  unchanged: string[];
}

export interface PlannedRun {
  storyboards: PlannedStoryboard[];
  /** Storyboards with problems: nothing of them is planned. */
  invalid: CheckedStoryboard[];
}

/**
 * Checks every storyboard (printing problems as text or GitHub annotations), then plans the selected videos of the
 * valid ones against the journal and the claims of `backend`, with the element ids already known.
 */
export async function planStoryboards(
  ctx: CliContext,
  files: readonly string[],
  options: { root?: string | undefined; selection: VideoSelection; backend?: Backend | undefined; journal?: readonly JournalEntry[] | undefined; takes?: number | undefined },
): Promise<PlannedRun> {
  const checks: CheckedStoryboard[] = [];
  for (const file of files) {
    const checked = await checkStoryboardFile(ctx, file, options.root);
    reportProblems(ctx, checked);
    checks.push(checked);
  }
  const valid = checks.filter((c): c is PlannedStoryboard['checked'] => c.storyboard !== undefined);
  const only = options.selection.only ?? [];
  const unknownNames = only.filter((name) => !valid.some((c) => c.storyboard.videos.some((v) => v.name === name)));
  if (unknownNames.length && checks.length === valid.length) {
    throw new UsageError(`--only names no video of ${files.length === 1 ? 'this storyboard' : 'these storyboards'}: ${unknownNames.join(', ')}`);
  }
  const revision = options.selection.since ? await GitRevision.open(options.selection.since, path.dirname(valid[0]?.storyboardPath ?? ctx.cwd)) : undefined;

  const storyboards: PlannedStoryboard[] = [];
  for (const checked of valid) {
    let names = checked.storyboard.videos.map((v) => v.name);
    if (only.length) names = names.filter((name) => only.includes(name));
    names = names.filter((name) => isInShard(name, options.selection.shard));
    let unchanged: string[] = [];
    if (revision && names.length) {
      const changed = await changedSince(checked, names, revision);
      unchanged = names.filter((name) => !changed.has(name));
      names = names.filter((name) => changed.has(name));
    }
    if (names.length === 0) {
      storyboards.push({ checked, plan: undefined, unchanged });
      continue;
    }
    const plan = await planStoryboard(checked.storyboard, {
      storyboardPath: checked.storyboardPath,
      workspaceRoot: checked.workspaceRoot,
      only: names,
      force: options.selection.force,
      journal: options.journal,
      backend: options.backend,
      takes: options.takes,
      knownElements: options.backend ? await readKnownElements(storyboardLocations(checked.storyboardPath, checked.storyboard), options.backend) : undefined,
    });
    storyboards.push({ checked, plan, unchanged });
  }
  return { storyboards, invalid: checks.filter((c) => c.storyboard === undefined) };
}

/**
 * The names among `names` whose request differs from the same-named video's in the storyboard at the revision (its
 * images as they were then), or that had no such video. A storyboard that did not exist, or could not be read, at
 * the revision: every video is new.
 */
async function changedSince(checked: PlannedStoryboard['checked'], names: string[], revision: GitRevision): Promise<Set<string>> {
  const all = new Set(names);
  const before = await revision.read(checked.storyboardPath);
  if (!before) return all;
  const old = checkStoryboardText(before.toString('utf8').replace(/^\uFEFF/, '')).storyboard;
  if (!old) return all;
  const oldNames = new Set(old.videos.map((v) => v.name));
  const common = names.filter((name) => oldNames.has(name));
  if (common.length === 0) return all;
  const [now, then] = await Promise.all([
    planStoryboard(checked.storyboard, { storyboardPath: checked.storyboardPath, only: common }),
    planStoryboard(old, {
      storyboardPath: checked.storyboardPath,
      only: common,
      hashFile: async (absolute) => {
        const bytes = await revision.read(absolute);
        return bytes ? createHash('sha256').update(bytes).digest('hex') : `missing:${absolute}`;
      },
    }),
  ]);
  const thenHash = new Map(then.videos.map((v) => [v.name, v.requestHash]));
  const changed = new Set(names.filter((name) => !oldNames.has(name)));
  for (const video of now.videos) if (thenHash.get(video.name) !== video.requestHash) changed.add(video.name);
  return changed;
}
