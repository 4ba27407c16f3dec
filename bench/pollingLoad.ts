import * as path from 'node:path';
import { Agent } from 'undici';
import type { VideoRequest } from '../src/core/api/apiSchemas';
import { KlingClient } from '../src/core/api/klingClient';
import { TaskJournal } from '../src/core/journal/taskJournal';
import { formatAmount } from '../src/core/pricing/decimal';
import { priceVideo } from '../src/core/pricing/pricing';
import { requestHash } from '../src/core/request/requestHash';
import { SIMULATOR_API_KEY, startSimulator } from '../src/core/simulator/simulatorServer';
import { pollPolicyFor } from '../src/core/tasks/pollPolicyFor';
import { TaskEngine } from '../src/core/tasks/taskEngine';
import { ratioAtMost, type BenchContext, type Benchmark, type Measurement } from './benchmark';
import { median } from './support/median';
import { round } from './support/units';

const TASKS = 50;
/** Real milliseconds per simulated second: ten times faster than the service, slow enough for the journal's disk writes. */
const TIME_SCALE = 100;
const DURATION_SECONDS = 5;
/** Simulated seconds: a task waits `QUEUE` then takes `PROCESSING + PER_VIDEO_SECOND × duration` (73 s here). */
const QUEUE = 3;
const PROCESSING = 60;
const PER_VIDEO_SECOND = 2;

/**
 * 50 video tasks in flight at once through the real `TaskEngine` (journal on disk, one poll scheduler, downloads,
 * sidecars) against the simulator over HTTP, with the poll schedule scaled by `pollPolicyFor`. The figure is how many
 * GET /v1/tasks/{id} each task cost, against the ideal of one per poll interval over the task's life. The simulator
 * shares this process: what is counted here is requests, not time, and the simulator answers a poll in well under
 * a poll interval (the notes give how late each completion was seen, which would show a starved scheduler).
 */
export const pollingLoad: Benchmark = {
  name: 'polling-50-tasks',
  metric: `task polls per completed task, ${TASKS} in flight`,
  target: ratioAtMost(1),
  timeoutMs: 120_000,
  async run(ctx: BenchContext): Promise<Measurement> {
    const policy = pollPolicyFor(TIME_SCALE);
    const lifetimeMs = (QUEUE + PROCESSING + PER_VIDEO_SECOND * DURATION_SECONDS) * TIME_SCALE;
    const simulator = await startSimulator({
      timeScale: TIME_SCALE,
      queueSeconds: QUEUE,
      processingSeconds: PROCESSING,
      processingSecondsPerVideoSecond: PER_VIDEO_SECOND,
    });
    const client = new KlingClient({ baseUrl: simulator.baseUrl, filesBaseUrl: simulator.filesBaseUrl, apiKey: SIMULATOR_API_KEY });
    const downloads = new Agent();
    const journal = new TaskJournal(path.join(ctx.workDir, 'journal.json'));
    await journal.load();
    const engine = new TaskEngine({
      journal,
      clientFor: async () => client,
      downloadDispatcher: () => downloads,
      pollPolicy: policy,
      log: (line) => (line.includes('failed') ? ctx.log(line) : undefined),
    });
    try {
      await engine.start();
      const started = Date.now();
      const entries = await Promise.all(
        Array.from({ length: TASKS }, (_, i) => {
          const request: VideoRequest = { model: 'kling-v3-text-to-video', prompt: `Benchmark task ${i + 1}: a lighthouse at dusk`, duration: DURATION_SECONDS };
          const price = priceVideo(request);
          return engine.submit({
            kind: 'video',
            label: `bench-${i + 1}`,
            request,
            requestHash: requestHash(request),
            price: { seconds: price.seconds, usd: formatAmount(price.usd), credits: formatAmount(price.credits) },
            backend: { kind: 'simulator' },
            outputPath: path.join(ctx.workDir, 'videos', `bench-${i + 1}.mp4`),
          });
        }),
      );
      ctx.log(`${TASKS} tasks created in ${Date.now() - started} ms; each lives ${lifetimeMs} ms, polled every ${policy.intervalMs}–${policy.intervalMs + policy.jitterMs} ms`);
      const ended = await engine.waitFor(entries.map((e) => e.id), ctx.signal);
      ctx.log(`all ended ${Date.now() - started} ms after the first create`);

      const stats = simulator.stats();
      const createdAt = new Map(simulator.tasks().map((t) => [t.id, t.createdAt]));
      const saved = ended.filter((e) => e.state.status === 'saved' && e.taskId !== undefined);
      const polls = new Map<string, number[]>();
      for (const request of stats.requests) {
        if (request.method !== 'GET' || !request.path.startsWith('/v1/tasks/')) continue;
        const taskId = request.taskId ?? request.path.slice('/v1/tasks/'.length);
        polls.set(taskId, [...(polls.get(taskId) ?? []), request.at]);
      }
      const perTask = saved.map((e) => polls.get(e.taskId!)?.length ?? 0);
      // How late the poller saw each completion: the first poll at or after the simulator completed the task.
      const lateness = saved.map((e) => {
        const doneAt = createdAt.get(e.taskId!)! + lifetimeMs;
        const seen = (polls.get(e.taskId!) ?? []).filter((at) => at >= doneAt);
        return seen.length ? Math.min(...seen) - doneAt : Number.NaN;
      });
      const loggedPolls = [...polls.values()].reduce((sum, list) => sum + list.length, 0);
      const notes = [
        `${saved.length} of ${TASKS} tasks saved; ${stats.taskGets} task polls in all (${loggedPolls} in the request log), ${stats.downloads} downloads, ${stats.creates} creates.`,
        `baseline: a task's life (${lifetimeMs} ms = ${QUEUE + PROCESSING + PER_VIDEO_SECOND * DURATION_SECONDS} simulated s at ${TIME_SCALE} ms/s) / poll interval (${policy.intervalMs} ms, before jitter).`,
        `polls per task: min ${Math.min(...perTask)}, median ${median(perTask)}, max ${Math.max(...perTask)}.`,
        `completion seen after (ms): median ${round(median(lateness))}, max ${round(Math.max(...lateness))} (${round(Math.max(...lateness) / policy.intervalMs)} poll intervals).`,
      ];
      if (saved.length < TASKS) {
        const others = ended.filter((e) => !saved.includes(e)).map((e) => `${e.label}: ${e.state.status}${e.lastError ? ` (${e.lastError})` : ''}`);
        notes.push(`not saved: ${others.join('; ')}`);
      }
      if (saved.length === 0) throw new Error(`no task was saved: ${notes.join(' ')}`);
      return {
        measured: perTask.reduce((a, b) => a + b, 0) / perTask.length,
        baseline: lifetimeMs / policy.intervalMs,
        unit: 'polls',
        baselineIs: 'life / interval',
        notes,
      };
    } finally {
      engine.dispose();
      await client.close();
      await downloads.close();
      await simulator.close();
    }
  },
};
