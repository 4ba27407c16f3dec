import assert from 'node:assert/strict';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { describe, it } from 'node:test';
import type { Task } from '../../../../src/core/api/apiSchemas';
import { ApiError } from '../../../../src/core/api/apiError';
import { TaskJournal } from '../../../../src/core/journal/taskJournal';
import { TaskPoller } from '../../../../src/core/journal/taskPoller';
import type { JournalEntry } from '../../../../src/core/journal/taskState';
import { aTask, anEntry } from '../../../helpers/builders';
import { FakeClock } from '../../../helpers/fakeClock';

async function setup(answers: (entry: JournalEntry, pollNumber: number) => Task | Error, policy = {}) {
  const clock = new FakeClock();
  const journal = new TaskJournal(path.join(await mkdtemp(path.join(tmpdir(), 'kling-poll-')), 'journal.json'));
  const polls: Array<{ id: string; at: number }> = [];
  const perEntry = new Map<string, number>();
  const poller = new TaskPoller({
    journal,
    clock,
    random: () => 0.5,
    policy,
    getTask: async (entry) => {
      polls.push({ id: entry.id, at: clock.now() - entry.createdAt });
      const n = (perEntry.get(entry.id) ?? 0) + 1;
      perEntry.set(entry.id, n);
      const answer = answers(entry, n);
      if (answer instanceof Error) throw answer;
      return answer;
    },
  });
  const add = async (changes: Partial<JournalEntry> = {}) => {
    const entry = await journal.add(anEntry({ createdAt: clock.now(), updatedAt: clock.now(), ...changes }));
    poller.watch(entry);
    return entry;
  };
  // Time moves only once every poll it started has been recorded.
  const advance = (ms: number) => clock.advance(ms, () => poller.settled());
  return { clock: { advance }, journal, poller, polls, add };
}

describe('TaskPoller', () => {
  it('looks first after about 15 s, then every 10–15 s, until the task ends', async () => {
    const { clock, journal, polls, add } = await setup((_, n) =>
      n < 4 ? aTask({ status: 'processing', progress: n * 20 }) : aTask({ status: 'completed', progress: 100, results: ['https://x/v.mp4'] }),
    );
    const entry = await add();
    await clock.advance(14_999);
    assert.equal(polls.length, 0, 'no poll before 15 s');
    await clock.advance(1);
    assert.deepEqual(polls.map((p) => p.at), [15_000]);
    await clock.advance(60_000);
    assert.deepEqual(polls.map((p) => p.at), [15_000, 27_500, 40_000, 52_500], 'every 12.5 s (10 s + half of the 5 s jitter)');
    assert.equal(journal.get(entry.id)?.state.status, 'completed');
    await clock.advance(120_000);
    assert.equal(polls.length, 4, 'no poll after the task ended');
  });

  it('polls sooner when estimated_time says the end is near, but not more often than every 3 s', async () => {
    const { clock, polls, add } = await setup((_, n) =>
      aTask({ status: 'processing', progress: 90, task_info: { estimated_time: n === 1 ? 4 : 1 } }),
    );
    await add();
    await clock.advance(15_000 + 4_000 + 3_000);
    assert.deepEqual(polls.map((p) => p.at), [15_000, 19_000, 22_000]);
  });

  it('uses one timer for many tasks and keeps at most `concurrency` polls in flight', async () => {
    let inFlight = 0;
    let most = 0;
    const clock = new FakeClock();
    const journal = new TaskJournal(path.join(await mkdtemp(path.join(tmpdir(), 'kling-poll-')), 'journal.json'));
    const poller = new TaskPoller({
      journal,
      clock,
      random: () => 0,
      concurrency: 3,
      getTask: async () => {
        inFlight++;
        most = Math.max(most, inFlight);
        await new Promise((resolve) => setTimeout(resolve, 5));
        inFlight--;
        return aTask({ status: 'processing', progress: 10 });
      },
    });
    for (let i = 0; i < 10; i++) poller.watch(await journal.add(anEntry({ createdAt: clock.now() })));
    assert.equal(clock.pendingTimers, 1, 'one timer for ten tasks');
    await clock.advance(15_000 + 200, () => poller.settled());
    assert.ok(journal.list().every((e) => e.polls === 1), 'every task polled once');
    assert.equal(most, 3);
    poller.stop();
  });

  it('reports a task past its deadline as stalled, and keeps polling it', async () => {
    const { clock, journal, polls, add } = await setup(() => aTask({ status: 'processing', progress: 50 }), {
      stallAfterMs: 60_000,
      stalledIntervalMs: 30_000,
    });
    const entry = await add();
    await clock.advance(70_000);
    assert.equal(journal.get(entry.id)?.stalled, true);
    const before = polls.length;
    await clock.advance(90_000);
    assert.equal(polls.length - before, 3, 'still polled, every 30 s');
    assert.equal(journal.get(entry.id)?.state.status, 'processing', 'never forgotten');
  });

  it('keeps a task whose polls fail, backing off, and records the error', async () => {
    const { clock, journal, polls, add } = await setup((_, n) =>
      n <= 2 ? new ApiError({ kind: 'network', message: 'Could not reach api: connection refused.' }) : aTask({ status: 'processing', progress: 5 }),
    );
    const entry = await add();
    await clock.advance(15_000);
    assert.equal(journal.get(entry.id)?.lastError, 'Could not reach api: connection refused.');
    await clock.advance(10_000 + 20_000);
    assert.deepEqual(polls.map((p) => p.at), [15_000, 25_000, 45_000], 'backs off 10 s, then 20 s');
    assert.equal(journal.get(entry.id)?.lastError, undefined);
  });

  it('gives up on a task the service does not know only after repeated answers over ten minutes', async () => {
    const { clock, journal, polls, add } = await setup(() => new ApiError({ kind: 'not-found', message: 'Not found: task not found', status: 404 }));
    const entry = await add();
    await clock.advance(15_000);
    assert.equal(polls.length, 1);
    assert.equal(journal.get(entry.id)?.state.status, 'pending', 'one 404 abandons nothing');
    assert.match(journal.get(entry.id)?.lastError ?? '', /did not find task .*asking again/);
    await clock.advance(9 * 60_000);
    assert.ok(polls.length >= 4, `asked again several times (${polls.length})`);
    assert.equal(journal.get(entry.id)?.state.status, 'pending', 'still watched before ten minutes have passed');
    await clock.advance(2 * 60_000 + 15_000);
    const state = journal.get(entry.id)?.state;
    assert.equal(state?.status, 'expired');
    assert.match(state?.status === 'expired' ? state.reason : '', /no longer knows task .* answers over 1\d min/);
  });

  it('forgets a stray 404 when the next answer knows the task', async () => {
    const { clock, journal, add } = await setup((_, n) =>
      n === 1 ? new ApiError({ kind: 'not-found', message: 'Not found', status: 404 }) : n < 4 ? aTask({ status: 'processing', progress: 50 }) : aTask({ status: 'completed', progress: 100, results: ['https://x/v.mp4'] }),
    );
    const entry = await add();
    await clock.advance(15_000);
    assert.deepEqual(journal.get(entry.id)?.notFound?.count, 1);
    await clock.advance(60_000);
    assert.equal(journal.get(entry.id)?.state.status, 'completed');
    assert.equal(journal.get(entry.id)?.notFound, undefined);
  });

  it('records a failure verbatim, with its code and whether submitting again may help', async () => {
    const { clock, journal, add } = await setup((entry) =>
      aTask({
        status: 'failed',
        error: { code: entry.label.endsWith('1') ? 'content_policy_violation' : 'generation_timeout', message: 'Verbatim message.' },
      }),
    );
    const a = await add({ label: 'video-1' });
    const b = await add({ label: 'video-2' });
    await clock.advance(15_000);
    assert.deepEqual(journal.get(a.id)?.state, { status: 'failed', code: 'content_policy_violation', message: 'Verbatim message.', retryable: false });
    assert.deepEqual(journal.get(b.id)?.state, { status: 'failed', code: 'generation_timeout', message: 'Verbatim message.', retryable: true });
  });

  it('never takes an unknown status for "still running"', async () => {
    const { clock, journal, add } = await setup(() => aTask({ status: 'paused' }));
    const entry = await add();
    await clock.advance(15_000);
    const state = journal.get(entry.id)?.state;
    assert.equal(state?.status, 'unknown');
    assert.match(state?.status === 'unknown' ? state.reason : '', /"paused"/);
  });
});
