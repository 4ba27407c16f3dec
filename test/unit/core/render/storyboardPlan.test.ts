import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { mkdir, writeFile } from 'node:fs/promises';
import * as path from 'node:path';
import { describe, it } from 'node:test';
import { canonicalJson } from '../../../../src/core/request/requestHash';
import { aSidecar } from '../../../helpers/sidecars';
import { removeDir, tempDir } from '../../../helpers/simulatorBed';
import { formatAmount } from '../../../../src/core/pricing/decimal';
import { planStoryboard } from '../../../../src/core/render/storyboardPlan';
import { checkStoryboardText } from '../../../../src/core/storyboard/validateStoryboard';

const TEXT = `{
  "version": 1,
  "videos": [ { "name": "wave", "prompt": "<<<element_1>>> waves", "elements": ["robot"], "duration": 3 } ],
  "elements": [ { "name": "robot", "description": "A robot", "frontal_image": "https://example.com/r.png", "refer_images": ["https://example.com/s.png"] } ]
}`;

describe('planStoryboard: elements', () => {
  it('counts an element with no id yet as new, and its credit in what rendering costs', async () => {
    const storyboard = checkStoryboardText(TEXT).storyboard!;
    const plan = await planStoryboard(storyboard, { storyboardPath: '/nowhere/a.kling.json' });
    assert.deepEqual(
      plan.elements.map((e) => [e.element.name, e.elementId]),
      [['robot', undefined]],
    );
    assert.equal(formatAmount(plan.cost.credits), '17.2', '3 s at 5.4 credits, and 1 for the element');

    const known = new Map([[plan.elements[0]!.definitionHash, 'el-123']]);
    const again = await planStoryboard(storyboard, { storyboardPath: '/nowhere/a.kling.json', knownElements: known });
    assert.deepEqual(
      again.elements.map((e) => [e.element.name, e.elementId]),
      [['robot', 'el-123']],
      'the video still needs it, and it exists: nothing to create',
    );
    assert.equal(formatAmount(again.cost.credits), '16.2');
  });
});

describe('planStoryboard: videos rendered before the watermark was always sent', () => {
  it('stays up to date, whether the storyboard said nothing or "watermark": false', async () => {
    const dir = await tempDir('watermark-plan');
    try {
      const storyboardPath = path.join(dir, 'a.kling.json');
      const text = `{ "version": 1, "output": "out", "videos": [ { "name": "quiet", "prompt": "A dog" }, { "name": "said", "prompt": "A cat", "watermark": false } ] }`;
      const storyboard = checkStoryboardText(text).storyboard!;
      // The hashes earlier versions wrote: the request without watermark_info, and with the explicit false.
      const oldRequest = (prompt: string, params?: object) => ({
        model: 'kling-v3-text-to-video', prompt, duration: 5, aspect_ratio: '16:9', quality: '720p', sound: 'off', ...(params ? { model_params: params } : {}),
      });
      const oldHash = (request: object) => `sha256:${createHash('sha256').update(canonicalJson(request)).digest('hex')}`;
      await mkdir(path.join(dir, 'out'));
      for (const [name, request] of [['quiet', oldRequest('A dog')], ['said', oldRequest('A cat', { watermark_info: { enabled: false } })]] as const) {
        await writeFile(path.join(dir, 'out', `${name}.mp4`), 'video');
        await writeFile(path.join(dir, 'out', `${name}.mp4.json`), JSON.stringify(aSidecar({ request, requestHash: oldHash(request), bytes: 5 })));
      }
      const plan = await planStoryboard(storyboard, { storyboardPath });
      assert.deepEqual(plan.videos.map((v) => [v.name, v.state.kind]), [['quiet', 'up-to-date'], ['said', 'up-to-date']]);
      assert.deepEqual(plan.videos.map((v) => v.hashedRequest.model_params), [{ watermark_info: { enabled: false } }, { watermark_info: { enabled: false } }]);
    } finally {
      await removeDir(dir);
    }
  });
});
