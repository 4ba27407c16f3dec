import type { RowResult, SoakContext, SoakRow } from '../soakRow';
import { RenderBed, tally } from '../support/renderBed';
import { diskLines, simulatorLine } from './faultRow';

/**
 * Two renders of the same storyboard at once, each its own "process" with its own journal (a terminal and a VS Code
 * window): the claims beside the results make each video be created by one of them, and the other follow it.
 */
export const twoRenders: SoakRow = {
  fault: 'two renders, two journals',
  timeoutMs: 180_000,
  async run(ctx: SoakContext): Promise<RowResult> {
    const bed = await RenderBed.open(ctx);
    try {
      const [a, b] = await Promise.all([bed.engine('a'), bed.engine('b')]);
      const [fromA, fromB] = (await Promise.all([bed.render(a), bed.render(b)])).map(tally);
      const unknown = new Set([...fromA!.unknown, ...fromB!.unknown]);
      const { counts, inspection, outside } = await bed.measure(unknown);
      const createdBy = (journal: typeof a.journal, token: string) => journal.list().filter((e) => e.taskId !== undefined && e.owner?.token === token).length;
      return {
        videos: bed.videos.length,
        measured: counts,
        expected: { creates: bed.videos.length, saved: bed.videos.length, corrupt: 0, outside: 0, unknown: 0 },
        notes: [
          `render A: ${fromA!.text}; render B: ${fromB!.text}.`,
          `tasks driven at the end: ${createdBy(a.journal, a.engine.owner.token)} by A, ${createdBy(b.journal, b.engine.owner.token)} by B.`,
          simulatorLine(bed, [], { used: () => 0 }),
          'expected: each video created once by one of the two and saved once; neither calls the other\'s create unknown.',
          ...diskLines(inspection, outside),
        ],
        problems: [fromA, fromB].flatMap((t, i) => (t!.byKind.get('saved') ?? 0) + (t!.byKind.get('up-to-date') ?? 0) === bed.videos.length ? [] : [`render ${'AB'[i]} did not end with every video saved (${t!.text})`]),
      };
    } finally {
      await bed.close();
    }
  },
};
