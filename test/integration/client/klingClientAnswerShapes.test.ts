/**
 * Answers of shapes the client does not expect (docs/cli.md, "When the service differs"), for every answer it reads:
 * fields missing, extra fields, fields of other types. Served over real HTTP by `kling simulate --replay`'s server
 * from recorded exchanges, as a user's recording would be. A field that is missing or of another type gets a message
 * naming it and pointing to --record; on a create the outcome is unknown (the task may exist); extra fields are fine.
 */
import assert from 'node:assert/strict';
import { writeFile } from 'node:fs/promises';
import * as path from 'node:path';
import { after, describe, it } from 'node:test';
import { KlingClient } from '../../../src/core/api/klingClient';
import { startHarReplay, type HarReplay } from '../../../src/core/simulator/harReplay';
import { apiErrorOf } from '../../helpers/apiErrors';
import { writeHar, type RecordedAnswer } from '../../helpers/harBuilder';
import { DISTINCT_KEY, tempDir } from '../../helpers/simulatorBed';
import { aVideoRequest } from '../../helpers/taskDrafts';

const LIMIT = { timeout: 20_000 };
const TASK_ID = 'task-unified-1757169743-7cvnl5zw';
const TASK = { id: TASK_ID, object: 'video.generation.task', created: 1757169743, model: 'kling-v3-text-to-video', status: 'processing', progress: 40 };
const CREDITS = { success: true, message: '', data: { user: { remaining_credits: 10, used_credits: 1 }, token: { remaining_credits: 9, used_credits: 1, unlimited_credits: false } } };
const RECORD = /Run it again with --record FILE \(kling\) or the klingStudio\.recordHar setting \(the editor\)/;

describe('KlingClient: answers of unexpected shapes, replayed over HTTP', { concurrency: true }, () => {
  const replays: HarReplay[] = [];
  after(() => Promise.all(replays.map((r) => r.close())));

  /** A client of a replay that answers `method path` with `body` (status 200 unless said). */
  async function clientAnswering(name: string, answer: Omit<RecordedAnswer, 'url' | 'status'> & { path: string; status?: number }): Promise<KlingClient> {
    const dir = await tempDir(`shapes-${name}`);
    const file = path.join(dir, 'answers.har');
    writeHar(file, [{ method: answer.method, url: `https://api.evolink.ai${answer.path}`, status: answer.status ?? 200, body: answer.body, contentType: answer.contentType }]);
    const replay = await startHarReplay(file);
    replays.push(replay);
    return new KlingClient({ baseUrl: replay.baseUrl, apiKey: DISTINCT_KEY, backoff: { maxAttempts: 1 } });
  }

  const task = (body: unknown) => ({ method: 'GET' as const, path: `/v1/tasks/${TASK_ID}`, body });

  for (const [name, body, expected] of [
    ['status missing', { ...TASK, status: undefined }, /`status` is missing \(expected text\)/],
    ['id of another type', { ...TASK, id: 42 }, /`id` is a number \(42\), not text/],
    ['progress as text', { ...TASK, progress: '40' }, /`progress` is text \("40"\), not a number/],
    ['results as text', { ...TASK, status: 'completed', results: 'https://cdn.example.com/v.mp4' }, /`results` is text \("https:\/\/cdn\.example\.com\/v\.mp4"\), not a list/],
    ['result_data items of another type', { ...TASK, status: 'completed', result_data: [{ video_url: 7 }] }, /`result_data\.0\.video_url` is a number \(7\), not text/],
    ['an error code of another type', { ...TASK, status: 'failed', error: { code: { deep: true }, message: 'x' } }, /`error\.code`/],
    ['a list instead of a task', [TASK], /the answer is a list, not an object/],
  ] as const) {
    it(`task query, ${name}: a bad-response naming the field, pointing to --record`, LIMIT, async () => {
      const client = await clientAnswering(name.replace(/\W+/g, '-'), task(body));
      const error = await apiErrorOf(client.getTask(TASK_ID));
      assert.equal(error.kind, 'bad-response');
      assert.match(error.message, /^The service's answer about task task-unified-1757169743-7cvnl5zw was not what Kling Studio expects: /);
      assert.match(error.message, expected);
      assert.match(error.message, RECORD);
      await client.close();
    });
  }

  it('task query, not JSON at all: says so', LIMIT, async () => {
    const client = await clientAnswering('html', { ...task('<html><body>maintenance</body></html>'), contentType: 'text/html' });
    const error = await apiErrorOf(client.getTask(TASK_ID));
    assert.match(error.message, /not what Kling Studio expects: it is not JSON\./);
    await client.close();
  });

  it('task query with fields this client does not know (at every level): read as usual', LIMIT, async () => {
    const client = await clientAnswering('extra', task({ ...TASK, brand_new: { nested: [1, 2] }, task_info: { can_cancel: true, queue_position: 3 }, usage: { credits_reserved: 27, discount: 'x' } }));
    const answer = await client.getTask(TASK_ID);
    assert.deepEqual([answer.id, answer.status, answer.progress], [TASK_ID, 'processing', 40]);
    await client.close();
  });

  it('credits: a balance of another type, and no data at all, name the field', LIMIT, async () => {
    const credits = (body: unknown) => ({ method: 'GET' as const, path: '/v1/credits', body });
    const typed = await clientAnswering('credits-type', credits({ ...CREDITS, data: { user: { remaining_credits: '10', used_credits: 1 } } }));
    assert.match((await apiErrorOf(typed.getCredits())).message, /`data\.user\.remaining_credits` is text \("10"\), not a number/);
    const missing = await clientAnswering('credits-missing', credits({ success: true }));
    assert.match((await apiErrorOf(missing.getCredits())).message, /`data` is missing \(expected an object\)/);
    const extra = await clientAnswering('credits-extra', credits({ ...CREDITS, data: { ...CREDITS.data, plan: 'pro' }, trace: 'x' }));
    assert.equal((await extra.getCredits()).data.user?.remaining_credits, 10);
    await Promise.all([typed.close(), missing.close(), extra.close()]);
  });

  it('create: an accepted answer without an id is an unknown outcome (a task may exist), naming the field', LIMIT, async () => {
    const client = await clientAnswering('create', { method: 'POST', path: '/v1/videos/generations', body: { ...TASK, id: undefined, status: 'pending' } });
    const error = await apiErrorOf(client.createTask(aVideoRequest()));
    assert.equal(error.kind, 'outcome-unknown');
    assert.match(error.message, /it was accepted \(HTTP 200\) and the answer was not what Kling Studio expects \(`id` is missing \(expected text\)\)/);
    assert.match(error.message, RECORD);
    assert.match(error.message, /Kling Studio did not send it again/);
    await client.close();
  });

  it('upload: an answer without data.file_url names it; errors in the envelope with extra fields and a text code stay typed', LIMIT, async () => {
    const dir = await tempDir('shapes-upload');
    const image = path.join(dir, 'a.png');
    await writeFile(image, Buffer.from([0x89, 0x50, 0x4e, 0x47]));
    const upload = await clientAnswering('upload', { method: 'POST', path: '/api/v1/files/upload/stream', body: { success: true, data: { url: 'https://x' } } });
    assert.match((await apiErrorOf(upload.uploadFile(image))).message, /`data\.file_url` is missing \(expected text\)/);
    const refused = await clientAnswering('envelope', {
      ...task({ error: { code: '401', message: 'Invalid API key', type: 'authentication_error', hint: 'new field' }, request_id: 'r-1' }),
      status: 401,
    });
    const error = await apiErrorOf(refused.getTask(TASK_ID));
    assert.equal(error.kind, 'auth');
    assert.match(error.message, /The API key was not accepted: Invalid API key/);
    await Promise.all([upload.close(), refused.close()]);
  });
});
