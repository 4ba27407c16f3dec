import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { ElementRequest, VideoRequest } from '../../../src/core/api/apiSchemas';
import { BILLING_URL, SIMULATOR_API_KEY, startSimulator, type Simulator } from '../../../src/core/simulator/simulatorServer';
import { call, createTask, elementRequest, start, TEXT_TO_VIDEO, videoRequest } from './simulatorHarness';
import { FakeClock } from '../../helpers/fakeClock';

const CREATE = '/v1/videos/generations';
const shots = (...durations: number[]) => durations.map((d, i) => ({ index: i + 1, prompt: `shot ${i + 1}`, duration: String(d) }));
const customize = (multi_prompt: unknown, fields: Record<string, unknown> = {}) =>
  videoRequest({ prompt: '', duration: 5, model_params: { multi_shot: true, shot_type: 'customize', multi_prompt }, ...fields });

describe('simulator: keys', () => {
  let sim: Simulator;
  before(async () => {
    sim = await start({ apiKeys: ['key-one', 'key-two'] });
  });
  after(() => sim.close());

  for (const [label, key] of [
    ['no key', null],
    ['a wrong key', 'nope'],
    ['the default key when others were given', SIMULATOR_API_KEY],
  ] as const) {
    it(`answers 401 authentication_error to ${label}`, async () => {
      for (const [method, path, body] of [
        ['GET', '/v1/credits', undefined],
        ['POST', CREATE, videoRequest()],
        ['GET', '/v1/tasks/task-unified-1757169743-7cvnl5zw', undefined],
        ['POST', '/api/v1/files/upload/base64', { base64_data: 'iVBORw0KGgo=' }],
      ] as const) {
        const answer = await call(sim.baseUrl, method, path, { key, body });
        assert.equal(answer.status, 401, `${method} ${path}`);
        assert.equal(answer.json.error.code, 401);
        assert.equal(answer.json.error.type, 'authentication_error');
        assert.match(answer.json.error.message, key === null ? /Missing API key/ : /Invalid API key/);
      }
    });
  }

  it('accepts every configured key', async () => {
    for (const key of ['key-one', 'key-two']) assert.equal((await call(sim.baseUrl, 'GET', '/v1/credits', { key })).status, 200);
  });

  it('answers 404 with the error body off the map', async () => {
    for (const [method, path] of [['GET', '/v2/nothing'], ['GET', CREATE], ['DELETE', '/v1/tasks/task-unified-1-aaaaaaaa']] as const) {
      const answer = await call(sim.baseUrl, method, path, { key: 'key-one' });
      assert.equal(answer.status, 404);
      assert.equal(answer.json.error.type, 'not_found_error');
    }
  });
});

describe('simulator: create validation', () => {
  let sim: Simulator;
  before(async () => {
    sim = await start();
  });
  after(() => sim.close());

  // [label, body, param]: every rule of docs/service-contract.md's create table that a request can break.
  const rows: Array<[string, unknown, string]> = [
    ['duration below 3', videoRequest({ duration: 2 }), 'duration'],
    ['duration above 15', videoRequest({ duration: 16 }), 'duration'],
    ['duration as a string', videoRequest({ duration: '5' }), 'duration'],
    ['duration with a fraction', videoRequest({ duration: 5.5 }), 'duration'],
    ['an unknown aspect ratio', videoRequest({ aspect_ratio: '4:3' }), 'aspect_ratio'],
    ['an unknown quality', videoRequest({ quality: '4k' }), 'quality'],
    ['an unknown sound', videoRequest({ sound: 'yes' }), 'sound'],
    ['no prompt', { model: TEXT_TO_VIDEO }, 'prompt'],
    ['an empty prompt without custom shots', videoRequest({ prompt: '' }), 'prompt'],
    ['a blank prompt with intelligent shots', videoRequest({ prompt: '  ', model_params: { multi_shot: true, shot_type: 'intelligence' } }), 'prompt'],
    ['a prompt over 2500 characters', videoRequest({ prompt: 'x'.repeat(2501) }), 'prompt'],
    ['a negative prompt over 2500 characters', videoRequest({ negative_prompt: 'x'.repeat(2501) }), 'negative_prompt'],
    ['multi_shot without shot_type', videoRequest({ model_params: { multi_shot: true } }), 'model_params.shot_type'],
    ['an unknown shot_type', videoRequest({ model_params: { multi_shot: true, shot_type: 'auto' } }), 'model_params.shot_type'],
    ['customize without multi_prompt', videoRequest({ model_params: { multi_shot: true, shot_type: 'customize' } }), 'model_params.multi_prompt'],
    ['shot durations that do not add up', customize(shots(2, 2)), 'model_params.multi_prompt'],
    ['shot durations against the default duration', videoRequest({ prompt: '', model_params: { multi_shot: true, shot_type: 'customize', multi_prompt: shots(3, 3) } }), 'model_params.multi_prompt'],
    ['seven shots', customize(shots(1, 1, 1, 1, 1, 1, 1), { duration: 7 }), 'model_params.multi_prompt'],
    ['no shots', customize([]), 'model_params.multi_prompt'],
    ['a shot of 0 s', customize([{ index: 1, prompt: 'a', duration: '0' }, { index: 2, prompt: 'b', duration: '5' }]), 'model_params.multi_prompt.0.duration'],
    ['a shot duration as a number', customize([{ index: 1, prompt: 'a', duration: 5 }]), 'model_params.multi_prompt.0.duration'],
    ['shot indexes out of order', customize([{ index: 1, prompt: 'a', duration: '2' }, { index: 3, prompt: 'b', duration: '3' }]), 'model_params.multi_prompt.1.index'],
    ['a shot prompt over 512 characters', customize([{ index: 1, prompt: 'x'.repeat(513), duration: '5' }]), 'model_params.multi_prompt.0.prompt'],
    ['an unknown field', videoRequest({ seed: 42 }), 'seed'],
    ['an unknown field in model_params', videoRequest({ model_params: { cfg_scale: 0.5 } }), 'model_params.cfg_scale'],
    ['an unknown field in a shot', customize([{ index: 1, prompt: 'a', duration: '5', camera: 'pan' }]), 'model_params.multi_prompt.0.camera'],
    ['image_end without image_start', { ...videoRequest({ image_end: 'https://example.com/end.png' }), model: 'kling-v3-image-to-video' }, 'image_start'],
    ['image-to-video without images', { ...videoRequest(), model: 'kling-v3-image-to-video' }, 'image_start'],
    ['images with text-to-video', videoRequest({ image_start: 'https://example.com/start.png' }), 'image_start'],
    ['an image that is not a URL', { ...videoRequest({ image_start: 'start.png' }), model: 'kling-v3-image-to-video' }, 'image_start'],
    ['an http callback_url', videoRequest({ callback_url: 'http://example.com/hook' }), 'callback_url'],
    ['a loopback callback_url', videoRequest({ callback_url: 'https://127.0.0.1/hook' }), 'callback_url'],
    ['a watermark without enabled', videoRequest({ model_params: { watermark_info: {} } }), 'model_params.watermark_info.enabled'],
    ['an element the list lacks', videoRequest({ prompt: '<<<element_2>>> waves', model_params: { element_list: [{ element_id: 'el-1' }] } }), 'model_params.element_list'],
    ['an element name over 20 characters', { ...elementRequest(), model_params: { ...(elementRequest().model_params as object), element_name: 'x'.repeat(21) } }, 'model_params.element_name'],
    ['four reference images', { ...elementRequest(), model_params: { ...(elementRequest().model_params as object), element_image_list: { frontal_image: 'https://example.com/a.png', refer_images: Array(4).fill({ image_url: 'https://example.com/b.png' }) } } }, 'model_params.element_image_list.refer_images'],
    ['an unknown field in an element', { ...elementRequest(), voice: 'deep' }, 'voice'],
  ];

  for (const [label, body, param] of rows) {
    it(`rejects ${label}: 400, param ${param}, the schema's message`, async () => {
      const answer = await call(sim.baseUrl, 'POST', CREATE, { body });
      assert.equal(answer.status, 400, answer.text);
      assert.equal(answer.json.error.code, 400);
      assert.equal(answer.json.error.type, 'invalid_request_error');
      assert.equal(answer.json.error.param, param);
      const schema = (body as { model: string }).model === 'kling-custom-element' ? ElementRequest : VideoRequest;
      const parsed = schema.safeParse(body);
      assert.equal(parsed.success, false);
      assert.equal(answer.json.error.message, parsed.error!.issues[0]!.message);
    });
  }

  it('suggests the duration range as the contract shows', async () => {
    const answer = await call(sim.baseUrl, 'POST', CREATE, { body: videoRequest({ duration: 20 }) });
    assert.equal(answer.json.error.fallback_suggestion, 'use duration between 3-15 seconds');
  });

  it('rejects malformed JSON and bodies that are not objects with 400', async () => {
    for (const body of ['{"model": "kling-v3-text-to-video", ', '[1, 2]', 'null', '"text"']) {
      const answer = await call(sim.baseUrl, 'POST', CREATE, { body });
      assert.equal(answer.status, 400, body);
      assert.equal(answer.json.error.type, 'invalid_request_error');
    }
    const malformed = await call(sim.baseUrl, 'POST', CREATE, { body: '{"model": ' });
    assert.match(malformed.json.error.message, /^Malformed JSON body/);
  });

  it('asks for a model, and answers 404 not_found_error to an unknown one', async () => {
    const missing = await call(sim.baseUrl, 'POST', CREATE, { body: { prompt: 'a fox' } });
    assert.equal(missing.status, 400);
    assert.equal(missing.json.error.param, 'model');
    const wrongType = await call(sim.baseUrl, 'POST', CREATE, { body: { model: 3, prompt: 'a fox' } });
    assert.equal(wrongType.status, 400);
    const unknown = await call(sim.baseUrl, 'POST', CREATE, { body: videoRequest({ model: 'kling-v2-master' }) });
    assert.equal(unknown.status, 404);
    assert.equal(unknown.json.error.type, 'not_found_error');
    assert.equal(unknown.json.error.param, 'model');
    assert.match(unknown.json.error.message, /kling-v2-master/);
  });

  it('accepts the valid shapes: custom shots with an empty prompt, image-to-video, elements, every option', async () => {
    // An element_id must be one the simulator made and finished: its own clock, moved past the element's processing.
    const clock = new FakeClock(Date.UTC(2026, 0, 15, 12));
    const own = await start({ now: clock.now });
    try {
      const element = await createTask(own, elementRequest());
      await clock.advance(3_600_000);
      const elementId = own.tasks().find((t) => t.id === element.id)!.elementId!;
      const bodies = [
        customize(shots(2, 3)),
        { ...videoRequest({ image_start: 'https://example.com/a.png', image_end: 'https://example.com/b.png' }), model: 'kling-v3-image-to-video' },
        videoRequest({
          negative_prompt: 'blur',
          duration: 15,
          aspect_ratio: '9:16',
          quality: '1080p',
          sound: 'on',
          callback_url: 'https://example.com/hook',
          model_params: { watermark_info: { enabled: false }, element_list: [{ element_id: elementId }] },
          prompt: '<<<element_1>>> runs',
        }),
        elementRequest(),
      ];
      for (const body of bodies) assert.equal((await call(own.baseUrl, 'POST', CREATE, { body })).status, 200, JSON.stringify(body));
      assert.equal(own.tasks().length, bodies.length + 1);
    } finally {
      await own.close();
    }
  });
});

describe('simulator: credits', () => {
  const clock = new FakeClock(Date.UTC(2026, 0, 15, 12));
  let sim: Simulator;
  before(async () => {
    sim = await start({ now: clock.now, balanceCredits: 1000 });
  });
  after(() => sim.close());

  const credits = async () => (await call(sim.baseUrl, 'GET', '/v1/credits')).json;

  it('answers the contract body', async () => {
    const body = await credits();
    assert.deepEqual(body, {
      success: true,
      message: '',
      data: {
        user: { remaining_credits: 1000, used_credits: 0 },
        token: { remaining_credits: 1000, used_credits: 0, unlimited_credits: false },
      },
    });
  });

  it('drops by the exact price of each task, with credits_reserved saying the same', async () => {
    sim.setBalance(1000);
    const before = await credits();
    // Each with its price worked out by hand from the contract's table (credits per second × seconds), not by the
    // pricing code the simulator itself uses: a wrong row or rounding there fails here.
    const requests = [
      [{ duration: 3, quality: '1080p', sound: 'off' }, 21.5946], // 7.1982 × 3
      [{ duration: 7, quality: '1080p', sound: 'on' }, 75.6], // 10.8 × 7
      [{ duration: 5 }, 27], // 720p, no sound by default: 5.4 × 5
      [{ duration: 11, quality: '720p', sound: 'on' }, 89.1], // 8.1 × 11
    ] as const;
    for (const [fields, credits] of requests) {
      const task = await createTask(sim, videoRequest(fields));
      assert.equal(task.usage.credits_reserved, credits, JSON.stringify(fields));
    }
    const element = await createTask(sim, elementRequest());
    assert.equal(element.usage.credits_reserved, 1);
    const after = await credits();
    // 21.5946 + 75.6 + 27 + 89.1 + 1 for the element = 214.2946 credits, in ten-thousandths to compare exactly.
    const spentInTenThousandths = 2_142_946;
    assert.equal(after.data.user.remaining_credits, (Math.round(before.data.user.remaining_credits * 10_000) - spentInTenThousandths) / 10_000);
    assert.equal(Math.round(after.data.user.used_credits * 10_000) - Math.round(before.data.user.used_credits * 10_000), spentInTenThousandths);
    assert.equal(sim.balance(), after.data.user.remaining_credits);
  });

  it('answers 402 insufficient_quota_error with a billing link once the balance cannot pay', async () => {
    sim.setBalance(30);
    await createTask(sim, videoRequest({ duration: 5 })); // 27 credits
    const count = sim.tasks().length;
    const refused = await call(sim.baseUrl, 'POST', CREATE, { body: videoRequest({ duration: 5 }) });
    assert.equal(refused.status, 402);
    assert.equal(refused.json.error.type, 'insufficient_quota_error');
    assert.ok(refused.json.error.fallback_suggestion.includes(BILLING_URL));
    assert.equal(sim.tasks().length, count, 'nothing was created');
    assert.equal(sim.balance(), 3);
    // An element (1 credit) still fits; validation comes before the price.
    assert.equal((await call(sim.baseUrl, 'POST', CREATE, { body: elementRequest() })).status, 200);
    assert.equal((await call(sim.baseUrl, 'POST', CREATE, { body: videoRequest({ duration: 1 }) })).status, 400);
  });
});

describe('simulator: log and stats', () => {
  it('logs method, path, status and task id, never the key, and counts each route', async () => {
    const lines: string[] = [];
    const sim = await startSimulator({ timeScale: 1, log: (line) => lines.push(line), apiKeys: ['secret-key-123'] });
    try {
      const opts = { key: 'secret-key-123' };
      const task = (await call(sim.baseUrl, 'POST', CREATE, { ...opts, body: videoRequest() })).json;
      await call(sim.baseUrl, 'GET', `/v1/tasks/${task.id}`, opts);
      await call(sim.baseUrl, 'GET', '/v1/tasks/bad-id', opts);
      await call(sim.baseUrl, 'GET', '/v1/credits', opts);
      await call(sim.baseUrl, 'GET', '/v1/credits', { key: 'wrong-key-456' });
      assert.ok(lines.some((line) => line === `POST ${CREATE} 200 ${task.id}`), lines.join('\n'));
      assert.ok(lines.some((line) => line === `GET /v1/tasks/${task.id} 200 ${task.id}`));
      assert.ok(lines.some((line) => line === 'GET /v1/credits 401'));
      assert.ok(lines.every((line) => !line.includes('secret-key-123') && !line.includes('wrong-key-456')));

      const stats = sim.stats();
      assert.deepEqual([stats.creates, stats.taskGets, stats.credits, stats.downloads, stats.uploads], [1, 2, 2, 0, 0]);
      assert.deepEqual(
        stats.requests.map((entry) => [entry.method, entry.path, entry.status]),
        [
          ['POST', CREATE, 200],
          ['GET', `/v1/tasks/${task.id}`, 200],
          ['GET', '/v1/tasks/bad-id', 400],
          ['GET', '/v1/credits', 200],
          ['GET', '/v1/credits', 401],
        ],
      );
      assert.ok(stats.requests.every((entry) => typeof entry.at === 'number'));
    } finally {
      await sim.close();
    }
  });

  it('refuses connections after close, and close can be called twice', async () => {
    const sim = await startSimulator();
    await sim.close();
    await sim.close();
    await assert.rejects(call(sim.baseUrl, 'GET', '/v1/credits'));
  });
});
