import type { VideoOutcome } from '../../../src/core/render/renderStoryboard';
import type { SimulatorFault, SimulatorOptions } from '../../../src/core/simulator/simulatorServer';
import type { TaskEngineDeps } from '../../../src/core/tasks/taskEngine';
import type { RowResult, SoakContext, SoakCounts, SoakRow } from '../soakRow';
import { RenderBed, tally, type SoakEngine } from '../support/renderBed';

export type Route = 'create' | 'task' | 'download';

/** Faulty answers a row asked the simulator for: on which route, under which name its request log gives them. */
export interface Injected {
  route: Route;
  /** The log's name of the fault (`status 500`, `cut`, `redirect ×3`). */
  name: string;
  count: number;
  /** Whether every one must be used for the row to have tested what it says (default true). */
  mustAllBeUsed?: boolean;
}

export interface RowFacts {
  videos: number;
  bed: RenderBed;
  engine: SoakEngine;
  outcomes: VideoOutcome[];
  /** Answers the simulator shaped with an injected fault, from its request log. */
  used(route: Route, name?: string): number;
}

export interface FaultRowSpec {
  fault: string;
  timeoutMs?: number;
  simulator?: SimulatorOptions;
  engine?: Partial<TaskEngineDeps>;
  /** Sets the fault up, before the render starts. */
  prepare?(bed: RenderBed): Injected[];
  /** What creates, saved and unknown must be (corrupt and outside are always 0), and why, in a sentence. */
  expect(facts: RowFacts): { counts: Pick<SoakCounts, 'creates' | 'saved' | 'unknown'>; because: string };
  /** Anything else the row checks or tells: notes, and problems that fail it. */
  extra?(facts: RowFacts): { notes?: string[]; problems?: string[] };
}

/** Injects `count` copies of a fault, each after letting `gap` requests of its route through: faults spread over the run. */
export function spread(bed: RenderBed, fault: SimulatorFault, count: number, gap: number): void {
  for (let i = 0; i < count; i++) bed.sim.inject({ ...fault, after: gap });
}

/**
 * A row that renders the storyboard once, in one engine, with a fault set up before the render: the shape of most
 * rows. Corrupt files and files outside are expected to be 0 in every row.
 */
export function faultRow(spec: FaultRowSpec): SoakRow {
  return {
    fault: spec.fault,
    timeoutMs: spec.timeoutMs ?? 120_000,
    async run(ctx: SoakContext): Promise<RowResult> {
      const bed = await RenderBed.open(ctx, { simulator: spec.simulator });
      try {
        const injected = spec.prepare?.(bed) ?? [];
        const engine = await bed.engine('a', spec.engine);
        const outcomes = await bed.render(engine);
        const facts: RowFacts = { videos: bed.videos.length, bed, engine, outcomes, used: (route, name) => bed.faultsAnswered(route, name) };
        const rendered = tally(outcomes);
        const { counts, inspection, outside } = await bed.measure(rendered.unknown);
        const expectation = spec.expect(facts);
        const extra = spec.extra?.(facts) ?? {};
        const problems = [...usedAsInjected(injected, facts), ...(extra.problems ?? [])];
        if (outcomes.length !== bed.videos.length) problems.push(`the render gave ${outcomes.length} outcomes for ${bed.videos.length} videos`);
        return {
          videos: bed.videos.length,
          measured: counts,
          expected: { ...expectation.counts, corrupt: 0, outside: 0 },
          notes: [
            `render: ${rendered.text}.`,
            simulatorLine(bed, injected, facts),
            `expected: ${expectation.because}`,
            ...(extra.notes ?? []),
            ...diskLines(inspection, outside),
          ],
          problems,
        };
      } finally {
        await bed.close();
      }
    },
  };
}

/** Problems for injected faults the simulator did not use: the row would not have tested what it says. */
export function usedAsInjected(injected: readonly Injected[], facts: Pick<RowFacts, 'used'>): string[] {
  return injected
    .filter((i) => i.mustAllBeUsed !== false && facts.used(i.route, i.name) !== i.count)
    .map((i) => `${facts.used(i.route, i.name)} of ${i.count} injected '${i.name}' faults on ${i.route} were used: the row did not test what it says`);
}

/** The simulator's side of the row: requests per route, and the faulty answers it gave. */
export function simulatorLine(bed: RenderBed, injected: readonly Injected[], facts: Pick<RowFacts, 'used'>): string {
  const stats = bed.sim.stats();
  const faults = injected.map((i) => `${facts.used(i.route, i.name)} × ${i.name} on ${i.route}`).join(', ');
  return `simulator: ${stats.creates} create requests, ${stats.taskGets} polls, ${stats.downloads} downloads${faults ? `; faulty answers: ${faults}` : ''}.`;
}

/** What the disk holds besides whole videos: corrupt ones, leftovers, files outside. */
export function diskLines(inspection: { corrupt: string[]; leftovers: Map<string, number>; strays: string[] }, outside: string[]): string[] {
  const lines: string[] = [];
  for (const why of inspection.corrupt.slice(0, 10)) lines.push(`corrupt: ${why}`);
  if (inspection.corrupt.length > 10) lines.push(`corrupt: and ${inspection.corrupt.length - 10} more`);
  if (inspection.leftovers.size) lines.push(`left in out/: ${[...inspection.leftovers.entries()].map(([kind, n]) => `${n} ${kind}`).join(', ')}.`);
  if (inspection.strays.length) lines.push(`other files in out/: ${inspection.strays.slice(0, 10).join(', ')}`);
  for (const file of outside.slice(0, 10)) lines.push(`outside: ${file}`);
  if (outside.length > 10) lines.push(`outside: and ${outside.length - 10} more`);
  return lines;
}
