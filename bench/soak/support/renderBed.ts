import { mkdir, readFile, writeFile } from 'node:fs/promises';
import * as path from 'node:path';
import { Agent } from 'undici';
import { sleep } from '../../../src/core/api/backoff';
import { KlingClient } from '../../../src/core/api/klingClient';
import { TaskJournal } from '../../../src/core/journal/taskJournal';
import { renderStoryboard, type VideoOutcome } from '../../../src/core/render/renderStoryboard';
import { planStoryboard, type StoryboardPlan } from '../../../src/core/render/storyboardPlan';
import { startSimulator, type Simulator, type SimulatorOptions } from '../../../src/core/simulator/simulatorServer';
import { validateStoryboard } from '../../../src/core/storyboard/validateStoryboard';
import { pollPolicyFor } from '../../../src/core/tasks/pollPolicyFor';
import type { Backend } from '../../../src/core/journal/taskState';
import { TaskEngine, type TaskEngineDeps } from '../../../src/core/tasks/taskEngine';
import type { SoakContext, SoakCounts } from '../soakRow';
import { inspectOutput, type OutputInspection } from './outputInspection';
import { OutsideWatch } from './outsideWatch';
import { soakStoryboardText, soakVideos, type SoakVideo } from './soakStoryboard';

/** Real milliseconds per simulated second: 250× the service's pace, so a video's life takes about 60 ms. */
export const SOAK_TIME_SCALE = 4;
/** Videos in flight at once, as `kling render --concurrency 8` would have them. */
export const SOAK_CONCURRENCY = 8;
/** A key that is only ever this soak's. */
export const SOAK_KEY = 'sk-kling-SOAK-5c2e91d7a04b36f8';
/** Between two chunks of a video: a stalled body is given up after this long (the engine's default is 30 s). */
export const SOAK_STALL_MS = 500;
const BACKEND: Backend = { kind: 'simulator' };

/** One "process" of the row: an engine with its own owner, journal object, client and download dispatcher. */
export interface SoakEngine {
  engine: TaskEngine;
  journal: TaskJournal;
  client: KlingClient;
  /** Every wait the client asked for before trying again (in the service's milliseconds, before scaling). */
  waits: number[];
  logs: string[];
  /** Stops it as a process that ends: its owner is gone from then on, and another engine may take its tasks over. */
  close(): Promise<void>;
}

export interface BedOptions {
  videos?: number;
  /** On top of the soak's simulator (time scale, short tasks, the soak's key). */
  simulator?: SimulatorOptions;
}

/**
 * A row's world: a folder with the workspace (the storyboard, its output folder `out/`), the journals' folder beside
 * it, and an "outside" folder that is also the current folder while the row runs; a simulator on a fast clock; and
 * engines that render the storyboard as `kling render` does (plan, then render with concurrency).
 */
export class RenderBed {
  readonly workspace: string;
  readonly state: string;
  readonly outside: string;
  readonly storyboardPath: string;
  readonly outputDir: string;
  private readonly engines: SoakEngine[] = [];

  private constructor(
    private readonly ctx: SoakContext,
    readonly sim: Simulator,
    readonly videos: readonly SoakVideo[],
    private readonly watch: OutsideWatch,
    private readonly cwd: string,
  ) {
    this.workspace = path.join(ctx.workDir, 'workspace');
    this.state = path.join(ctx.workDir, 'state');
    this.outside = path.join(ctx.workDir, 'outside');
    this.storyboardPath = path.join(this.workspace, 'soak.kling.json');
    this.outputDir = path.join(this.workspace, 'out');
  }

  static async open(ctx: SoakContext, options: BedOptions = {}): Promise<RenderBed> {
    const videos = soakVideos(options.videos ?? 100);
    const workspace = path.join(ctx.workDir, 'workspace');
    const outside = path.join(ctx.workDir, 'outside');
    await mkdir(workspace, { recursive: true });
    await mkdir(path.join(ctx.workDir, 'state'), { recursive: true });
    // A decoy where a path resolved against the current folder would land (`out/v001.mp4`).
    await mkdir(path.join(outside, 'out'), { recursive: true });
    await writeFile(path.join(outside, 'out', 'v001.mp4'), 'not a video: a file the soak watches\n');
    await writeFile(path.join(workspace, 'soak.kling.json'), soakStoryboardText(videos));
    const watch = await OutsideWatch.start(ctx.workDir, [workspace, path.join(ctx.workDir, 'state')]);
    const sim = await startSimulator({
      timeScale: SOAK_TIME_SCALE,
      queueSeconds: 1,
      processingSeconds: 10,
      processingSecondsPerVideoSecond: 1,
      apiKeys: [SOAK_KEY],
      ...options.simulator,
    });
    const cwd = process.cwd();
    process.chdir(outside);
    return new RenderBed(ctx, sim, videos, watch, cwd);
  }

  /**
   * Starts an engine on the journal `state/<journal>/journal.json` and picks up what that journal holds, as a new
   * `kling render` process does. The client's waits before a retry (a Retry-After, a backoff) are scaled to the
   * simulator's clock like the poll schedule, and recorded as asked.
   */
  async engine(journalName = 'a', deps: Partial<TaskEngineDeps> = {}): Promise<SoakEngine> {
    const scale = this.sim.timeScale / 1000;
    const journal = new TaskJournal(path.join(this.state, journalName, 'journal.json'));
    const loaded = await journal.load();
    if (loaded.problem) throw new Error(loaded.problem);
    const waits: number[] = [];
    const logs: string[] = [];
    // SOAK_VERBOSE=1 shows what each engine and client log, as it happens (to find where a row hangs).
    const verbose = process.env['SOAK_VERBOSE'] === '1';
    const log = (line: string) => {
      logs.push(line);
      if (verbose) this.ctx.log(`[${journalName}] ${line}`);
    };
    const client = new KlingClient({
      baseUrl: this.sim.baseUrl,
      filesBaseUrl: this.sim.filesBaseUrl,
      apiKey: SOAK_KEY,
      sleep: (ms, signal) => {
        waits.push(ms);
        return sleep(ms * scale, signal);
      },
      log,
    });
    const downloads = new Agent({ bodyTimeout: SOAK_STALL_MS });
    const engine = new TaskEngine({
      journal,
      clientFor: async () => client,
      downloadDispatcher: () => downloads,
      pollPolicy: pollPolicyFor(this.sim.timeScale),
      downloadSleep: (ms, signal) => sleep(ms * scale, signal),
      log,
      tool: `soak ${journalName}`,
      observeMs: 25,
      ...deps,
    });
    let closed: Promise<void> | undefined;
    const soakEngine: SoakEngine = {
      engine,
      journal,
      client,
      waits,
      logs,
      close: () =>
        (closed ??= (async () => {
          engine.dispose();
          await client.close();
          await downloads.close();
        })()),
    };
    this.engines.push(soakEngine);
    await engine.start();
    return soakEngine;
  }

  /** Plans the storyboard against the engine's journal and the claims beside the results. */
  async plan(engine: SoakEngine): Promise<StoryboardPlan> {
    const text = await readFile(this.storyboardPath, 'utf8');
    const { storyboard, problems } = await validateStoryboard(text, { storyboardPath: this.storyboardPath, workspaceRoot: this.workspace });
    if (!storyboard) throw new Error(`the soak's storyboard is not valid: ${problems.map((p) => p.message).join('; ')}`);
    return planStoryboard(storyboard, { storyboardPath: this.storyboardPath, workspaceRoot: this.workspace, journal: engine.journal.list(), backend: BACKEND });
  }

  /** What `kling render` does after its confirmation: plan, then render every video the plan says to, 8 at a time. */
  async render(engine: SoakEngine): Promise<VideoOutcome[]> {
    const plan = await this.plan(engine);
    return renderStoryboard(plan, {
      engine: engine.engine,
      backend: BACKEND,
      concurrency: SOAK_CONCURRENCY,
      signal: this.ctx.signal,
      upload: () => Promise.reject(new Error('the soak storyboard has no images')),
    });
  }

  /** The simulator's tasks, by id with the prompt each was made for. */
  tasks(): Array<{ id: string; prompt: string }> {
    return this.sim.tasks().map((task) => ({ id: task.id, prompt: 'prompt' in task.request ? task.request.prompt : '' }));
  }

  /** Counts the row's columns from the simulator and the disk; `unknown` is what the render(s) reported. */
  async measure(unknown: ReadonlySet<string>): Promise<{ counts: SoakCounts; inspection: OutputInspection; outside: string[] }> {
    const inspection = await inspectOutput(this.outputDir, new Map(this.videos.map((v) => [v.name, v])), this.tasks());
    const outside = await this.watch.changes();
    return {
      counts: { creates: this.sim.tasks().length, saved: inspection.saved.size, corrupt: inspection.corrupt.length, outside: outside.length, unknown: unknown.size },
      inspection,
      outside,
    };
  }

  /** How many answers the simulator shaped with an injected fault, on one route (`create`, `task`, `download`). */
  faultsAnswered(route: 'create' | 'task' | 'download', fault?: string): number {
    return this.sim.stats().requests.filter((r) => routeOf(r.method, r.path) === route && r.fault !== undefined && (fault === undefined || r.fault === fault)).length;
  }

  async close(): Promise<void> {
    process.chdir(this.cwd);
    for (const engine of this.engines) await engine.close();
    await this.sim.close();
  }
}

function routeOf(method: string, urlPath: string): string {
  if (method === 'POST' && urlPath === '/v1/videos/generations') return 'create';
  if (urlPath.startsWith('/v1/tasks/')) return 'task';
  if (urlPath.startsWith('/files/videos/')) return 'download';
  return 'other';
}

/** The render's outcomes, counted by kind, with the videos it reported as unknown. */
export function tally(outcomes: readonly VideoOutcome[]): { unknown: Set<string>; text: string; byKind: Map<VideoOutcome['kind'], number> } {
  const byKind = new Map<VideoOutcome['kind'], number>();
  for (const outcome of outcomes) byKind.set(outcome.kind, (byKind.get(outcome.kind) ?? 0) + 1);
  const text = [...byKind.entries()].map(([kind, n]) => `${n} ${kind}`).join(', ') || 'no outcome';
  return { unknown: new Set(outcomes.filter((o) => o.kind === 'unknown').map((o) => o.name)), text, byKind };
}
