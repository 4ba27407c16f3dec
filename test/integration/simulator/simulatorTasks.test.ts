import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { Task, TASK_ID_PATTERN } from '../../../src/core/api/apiSchemas';
import { TASK_FAILURE_CODES } from '../../../src/core/api/errorTable';
import type { Simulator } from '../../../src/core/simulator/simulatorServer';
import { call, createTask, elementRequest, getTask, start, videoRequest } from './simulatorHarness';
import { FakeClock } from '../../helpers/fakeClock';

const TIME_SCALE = 10; // ms per simulated second
const sec = (seconds: number) => seconds * TIME_SCALE;

describe('simulator: task life cycle on an injected clock', () => {
  const clock = new FakeClock(Date.UTC(2026, 0, 15, 12));
  let sim: Simulator;
  before(async () => {
    sim = await start({ now: clock.now, timeScale: TIME_SCALE });
  });
  after(() => sim.close());

  it('answers the create with the contract body', async () => {
    const task = await createTask(sim, videoRequest({ duration: 5 }));
    assert.match(task.id, TASK_ID_PATTERN);
    assert.equal(task.id.split('-')[2], String(Math.floor(clock.ms / 1000)), 'the id carries the unix seconds');
    assert.deepEqual(task, {
      id: task.id,
      object: 'video.generation.task',
      created: Math.floor(clock.ms / 1000),
      model: 'kling-v3-text-to-video',
      type: 'video',
      status: 'pending',
      progress: 0,
      // Defaults: 3 s in the queue, 20 s + 2 s per second of video processing.
      task_info: { can_cancel: true, estimated_time: 33, video_duration: 5 },
      usage: { billing_rule: 'per_second', credits_reserved: 27, user_group: 'default' },
    });
    assert.ok(Task.safeParse(task).success);
  });

  it('goes pending → processing (progress rising, time left falling) → completed', async () => {
    const created = await createTask(sim, videoRequest({ duration: 5 }));
    const seen: Array<{ status: string; progress: number; left: number | undefined }> = [];
    for (let t = 0; t <= 34; t++) {
      const task = await getTask(sim, created.id);
      seen.push({ status: task.status, progress: task.progress, left: task.task_info.estimated_time });
      await clock.advance(sec(1));
    }
    const statuses = seen.map((s) => s.status);
    assert.deepEqual([...new Set(statuses)], ['pending', 'processing', 'completed']);
    assert.equal(statuses.filter((s) => s === 'pending').length, 3);
    const running = seen.filter((s) => s.status === 'processing');
    assert.equal(running[0]!.progress, 0);
    for (let i = 1; i < running.length; i++) {
      assert.ok(running[i]!.progress > running[i - 1]!.progress, `progress rises: ${running.map((s) => s.progress)}`);
      assert.ok(running[i]!.left! < running[i - 1]!.left!, `time left falls: ${running.map((s) => s.left)}`);
    }
    assert.ok(running.every((s) => s.progress <= 99 && s.left! >= 1));
    assert.deepEqual(seen.filter((s) => s.status === 'pending').map((s) => s.left), [33, 32, 31]);
  });

  it('completes with the video link in results and result_data, and can_cancel false', async () => {
    const created = await createTask(sim, videoRequest({ duration: 7 }));
    await clock.advance(sec(3 + 20 + 14));
    const task = await getTask(sim, created.id);
    assert.equal(task.status, 'completed');
    assert.equal(task.progress, 100);
    assert.deepEqual(task.task_info, { can_cancel: false });
    const url: string = task.results[0];
    assert.ok(url.startsWith(`${sim.baseUrl}/files/videos/${created.id}.mp4?expires=`), url);
    assert.deepEqual(task.result_data, [{ video_url: url, duration: 7 }]);
    // The link is the same at every query: a client may store it.
    await clock.advance(sec(100));
    assert.equal((await getTask(sim, created.id)).results[0], url);
  });

  it('completes a custom element with its element_id after 1 credit', async () => {
    const balance = sim.balance();
    const created = await createTask(sim, elementRequest());
    assert.equal(created.usage.credits_reserved, 1);
    assert.equal(sim.balance(), balance - 1);
    await clock.advance(sec(3 + 10));
    const task = await getTask(sim, created.id);
    assert.equal(task.status, 'completed');
    assert.match(task.result_data[0].element_id, /^el-[a-z0-9]+$/);
    assert.deepEqual(Object.keys(task.result_data[0]), ['element_id']);
    assert.equal(sim.tasks().find((t) => t.id === created.id)!.elementId, task.result_data[0].element_id);
  });

  it('fails halfway through processing with each failure code of the contract, refunding the price', async () => {
    const start = sim.balance();
    const ids = new Map<string, string>();
    for (const code of TASK_FAILURE_CODES) {
      ids.set(code, (await createTask(sim, videoRequest({ prompt: `A fox [fail:${code}] in snow`, duration: 5 }))).id);
    }
    const price = 27; // 5 s at 720p without sound: 5.4 credits a second, from the contract's table
    assert.equal(sim.balance(), start - price * TASK_FAILURE_CODES.length, 'charged at creation');
    await clock.advance(sec(3 + 15) - 1); // one ms before the middle of 30 s of processing
    for (const id of ids.values()) assert.equal((await getTask(sim, id)).status, 'processing');
    await clock.advance(1);
    for (const [code, id] of ids) {
      const task = await getTask(sim, id);
      assert.equal(task.status, 'failed', code);
      assert.equal(task.error.code, code);
      assert.ok(task.error.message.length > 0);
      assert.equal(task.task_info.can_cancel, false);
      assert.equal(task.results, undefined);
    }
    assert.equal(sim.balance(), start, 'every failed task was refunded');
    const credits = (await call(sim.baseUrl, 'GET', '/v1/credits')).json;
    assert.equal(credits.data.user.remaining_credits, start);
  });

  it('fails on a mark in any shot prompt, or in an element description', async () => {
    const shots = [
      { index: 1, prompt: 'calm', duration: '2' },
      { index: 2, prompt: 'then [fail:generation_timeout]', duration: '3' },
    ];
    const video = await createTask(sim, videoRequest({ prompt: '', duration: 5, model_params: { multi_shot: true, shot_type: 'customize', multi_prompt: shots } }));
    const element = await createTask(sim, elementRequest('A fox [fail:image_processing_error]'));
    await clock.advance(sec(3 + 15));
    assert.equal((await getTask(sim, video.id)).error.code, 'generation_timeout');
    assert.equal((await getTask(sim, element.id)).error.code, 'image_processing_error');
  });

  it('answers 400 with the exact message to a malformed id, 404 to an unknown one', async () => {
    for (const id of ['abc', 'task-unified-', 'task-unified-1757169743-7CVNL5ZW', 'task-unified-1757169743-7cvnl5z', 'video-1757169743-7cvnl5zw']) {
      const answer = await call(sim.baseUrl, 'GET', `/v1/tasks/${id}`);
      assert.equal(answer.status, 400, id);
      assert.equal(answer.json.error.message, "Invalid task ID format, must start with 'task-unified-'");
      assert.equal(answer.json.error.type, 'invalid_request_error');
    }
    const unknown = await call(sim.baseUrl, 'GET', '/v1/tasks/task-unified-1757169743-7cvnl5zw');
    assert.equal(unknown.status, 404);
    assert.equal(unknown.json.error.type, 'not_found_error');
  });

  it('lists tasks with their requests', () => {
    const tasks = sim.tasks();
    assert.ok(tasks.length > TASK_FAILURE_CODES.length);
    const failed = tasks.find((t) => t.failureCode === 'content_policy_violation')!;
    assert.equal(failed.status, 'failed');
    assert.equal((failed.request as { prompt: string }).prompt, 'A fox [fail:content_policy_violation] in snow');
  });
});

describe('simulator: task life cycle on the real clock', () => {
  it('runs a 3 s video to completion in a few hundred ms at 5 ms per simulated second', async () => {
    const sim = await start({ timeScale: 5 });
    try {
      const created = await createTask(sim, videoRequest({ duration: 3 }));
      const statuses: string[] = [];
      const progress: number[] = [];
      for (;;) {
        const task = await getTask(sim, created.id);
        statuses.push(task.status);
        if (task.status === 'processing') progress.push(task.progress);
        if (task.status === 'completed') break;
        await new Promise((resolve) => setTimeout(resolve, 5));
      }
      // A loaded machine may miss the 15 ms in the queue or the processing; the order is what must hold.
      assert.equal(created.status, 'pending');
      const order = ['pending', 'processing', 'completed'];
      assert.ok(statuses.every((s, i) => i === 0 || order.indexOf(s) >= order.indexOf(statuses[i - 1]!)), String(statuses));
      assert.ok(progress.every((p, i) => i === 0 || p >= progress[i - 1]!), String(progress));
    } finally {
      await sim.close();
    }
  });
});
