import { mkdir, readdir, stat } from 'node:fs/promises';
import * as path from 'node:path';
import { isDownloadPending } from '../../../src/core/journal/taskState';
import { SIMULATED_FRAME_SIZES, SimulatedVideoRenderer, findSimulatorClipsDir } from '../../../src/core/media/simulatedVideo';
import { NotMeasured, type RowResult, type SoakContext, type SoakRow } from '../soakRow';
import { RenderBed, tally } from '../support/renderBed';
import { SOAK_VIDEO_SECONDS } from '../support/soakStoryboard';
import { mountFailure, mountTmpfs } from '../support/tmpfsMount';
import { diskLines, simulatorLine } from './faultRow';

const PAGE = 4096;
/** Whole videos (with their sidecars) the output folder holds before it is full. */
const VIDEOS_THAT_FIT = 40;
const FREED_BYTES = 64 * 1024 * 1024;
/** How long a render may take to end once the disk is full: it has nothing left to do but fail or wait for a retry. */
const FULL_DISK_PATIENCE_MS = 60_000;

/**
 * The output folder is a tmpfs that fills up after about 40 videos: downloads fail with ENOSPC (paid for, "download
 * pending"), and claims can no longer be written (those videos fail before their create is sent). Then space is
 * freed, a new process fetches the pending videos with the engine's downloadAgain (what `kling download` does), and
 * a render again makes the videos that were never created. Every video ends saved, each created once.
 */
export const diskFull: SoakRow = {
  fault: 'disk full, then freed',
  timeoutMs: 180_000,
  async run(ctx: SoakContext): Promise<RowResult> {
    const bed = await RenderBed.open(ctx);
    let disk: Awaited<ReturnType<typeof mountTmpfs>> | undefined;
    try {
      await mkdir(bed.outputDir);
      const videoBytes = await soakVideoBytes();
      const size = (VIDEOS_THAT_FIT * (Math.ceil(videoBytes / PAGE) + 1) + 8) * PAGE;
      try {
        disk = await mountTmpfs(bed.outputDir, size);
      } catch (error) {
        throw new NotMeasured(`a tmpfs could not be mounted over the output folder (${mountFailure(error)}); without one no write fails with ENOSPC`);
      }
      const mounted = disk;
      ctx.defer(() => mounted.unmount());

      ctx.log(`output folder: a ${size}-byte tmpfs`);
      const problems: string[] = [];
      const first = await bed.engine('a');
      const rendering = bed.render(first);
      // A render on a full disk must end (with what to do); one that does not is a hang, freed here so the row goes on.
      let hung = false;
      if ((await settledWithin(rendering, FULL_DISK_PATIENCE_MS)) === 'pending') {
        hung = true;
        problems.push(
          `HANG: the render had not ended ${FULL_DISK_PATIENCE_MS / 1000} s into the full disk; it went on only once space was freed (${describeLeftovers(await leftoversOf(bed.outputDir))})`,
        );
        ctx.log('the render hangs on the full disk; freeing space');
        await disk.resize(FREED_BYTES);
        if ((await settledWithin(rendering, FULL_DISK_PATIENCE_MS)) === 'pending') throw new Error('the render did not end even after space was freed');
      }
      const firstOutcomes = tally(await rendering);
      ctx.log(`full disk: ${firstOutcomes.text}`);
      const pending = first.journal.list().filter((e) => isDownloadPending(e) || e.state.status === 'downloading');
      const messages = new Map<string, number>();
      for (const entry of pending) {
        const gist = /disk is full/i.test(entry.lastError ?? '') ? 'says the disk is full' : `says: ${(entry.lastError ?? 'nothing').slice(0, 120)}`;
        messages.set(gist, (messages.get(gist) ?? 0) + 1);
      }
      const createsBefore = bed.sim.tasks().length;
      await first.close();

      if (!hung) await disk.resize(FREED_BYTES);
      const second = await bed.engine('a');
      const fetched = await Promise.allSettled(pending.map((e) => second.engine.downloadAgain(e.id)));
      const refused = fetched.filter((r) => r.status === 'rejected').map((r) => String((r as PromiseRejectedResult).reason));
      ctx.log(`space freed; fetching ${pending.length} pending videos`);
      const ended = await second.engine.waitFor(pending.map((e) => e.id), ctx.signal);
      ctx.log('fetched; rendering again');
      const savedByDownload = ended.filter((e) => e.state.status === 'saved').length;
      const createsAfterDownload = bed.sim.tasks().length;
      const lastOutcomes = tally(await bed.render(second));

      const unknown = new Set([...firstOutcomes.unknown, ...lastOutcomes.unknown]);
      const { counts, inspection, outside } = await bed.measure(unknown);
      if (pending.length === 0 && !hung) problems.push('no paid video was left waiting for its download when the disk filled: the row did not test what it says');
      const silent = pending.filter((e) => !/disk is full/i.test(e.lastError ?? '')).length;
      if (silent > 0) problems.push(`${silent} of ${pending.length} videos left waiting for their download do not say that the disk is full, nor to free some space`);
      if (createsAfterDownload !== createsBefore) problems.push(`fetching the pending videos created ${createsAfterDownload - createsBefore} tasks`);
      problems.push(...refused.map((why) => `downloadAgain refused: ${why}`));
      return {
        videos: bed.videos.length,
        measured: counts,
        expected: { creates: bed.videos.length, saved: bed.videos.length, corrupt: 0, outside: 0, unknown: 0 },
        notes: [
          `the output folder: a ${Math.round(size / 1024)} KiB tmpfs (about ${VIDEOS_THAT_FIT} videos of ${videoBytes} bytes with their sidecars), then ${FREED_BYTES / 1024 / 1024} MiB.`,
          `full disk: ${firstOutcomes.text}; ${createsBefore} created; ${pending.length} paid for and waiting for their download${messages.size ? ` (${[...messages.entries()].map(([gist, n]) => `${n} ${gist}`).join('; ')})` : ''}.`,
          `space freed, a new process: downloadAgain saved ${savedByDownload} of ${pending.length}, creating ${createsAfterDownload - createsBefore}; a render again: ${lastOutcomes.text}, creating ${bed.sim.tasks().length - createsAfterDownload}.`,
          simulatorLine(bed, [], { used: () => 0 }),
          'expected: every video saved once the disk has room, each created once (a paid video is fetched, never made again).',
          ...diskLines(inspection, outside),
        ],
        problems,
      };
    } finally {
      await bed.close();
      await disk?.unmount();
    }
  },
};

async function settledWithin(work: Promise<unknown>, ms: number): Promise<'settled' | 'pending'> {
  let timer: NodeJS.Timeout | undefined;
  const outcome = await Promise.race([
    work.then(() => 'settled' as const, () => 'settled' as const),
    new Promise<'pending'>((resolve) => (timer = setTimeout(() => resolve('pending'), ms))),
  ]);
  clearTimeout(timer);
  return outcome;
}

/** The hidden files in the output folder, with their sizes: what a full disk left behind. */
async function leftoversOf(folder: string): Promise<Array<{ name: string; size: number }>> {
  const names = (await readdir(folder)).filter((name) => name.startsWith('.') && !name.endsWith('.claim'));
  return Promise.all(names.map(async (name) => ({ name, size: (await stat(path.join(folder, name))).size })));
}

function describeLeftovers(files: Array<{ name: string; size: number }>): string {
  return files.length ? `hidden files then: ${files.map((f) => `${f.name} (${f.size} bytes)`).join(', ')}` : 'no hidden file but claims';
}

/** The size of a soak video as the simulator serves it (the same for every video of the storyboard). */
async function soakVideoBytes(): Promise<number> {
  const { width, height } = SIMULATED_FRAME_SIZES['720p']['1:1'];
  const renderer = new SimulatedVideoRenderer({ clipsDir: findSimulatorClipsDir(__dirname), maxCachedVideos: 1 });
  return (await renderer.render({ durationSeconds: SOAK_VIDEO_SECONDS, width, height })).byteLength;
}
