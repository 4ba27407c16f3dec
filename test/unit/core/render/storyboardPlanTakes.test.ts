import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { describe, it } from 'node:test';
import { ClaimStore, takeOfClaimKey, videoClaimRef } from '../../../../src/core/claims/claimStore';
import { writeSidecar } from '../../../../src/core/download/sidecar';
import { formatAmount, formatUsd } from '../../../../src/core/pricing/decimal';
import { newOwner } from '../../../../src/core/process/processOwner';
import { planStoryboard, type PlanOptions } from '../../../../src/core/render/storyboardPlan';
import { checkStoryboardText } from '../../../../src/core/storyboard/validateStoryboard';
import { takePathOf } from '../../../../src/core/takes/takeLayout';
import { anEntry } from '../../../helpers/builders';
import { aSidecar } from '../../../helpers/sidecars';

const SIMULATOR = { kind: 'simulator' as const };

function storyboardAt(text: string) {
  const dir = mkdtempSync(path.join(tmpdir(), 'kling-plan-takes-'));
  const storyboardPath = path.join(dir, 'site.kling.json');
  writeFileSync(storyboardPath, text);
  const storyboard = checkStoryboardText(text).storyboard;
  assert.ok(storyboard, 'the storyboard is valid');
  const plan = (options: Partial<PlanOptions> = {}) => planStoryboard(storyboard, { storyboardPath, backend: SIMULATOR, ...options });
  return { dir, plan, output: path.join(dir, 'out') };
}

/** A saved take (its file and sidecar) with this request hash; `chosen` also puts it at the video's path. */
async function saveTake(video: string, hash: string, options: { minute: number; chosen?: boolean }) {
  const created = Date.UTC(2026, 10, 25, 10, options.minute);
  const taskId = `task-unified-1764064800-take${String(options.minute).padStart(4, '0')}`;
  const take = takePathOf(video, created, taskId);
  mkdirSync(path.dirname(take), { recursive: true });
  writeFileSync(take, 'video bytes');
  const sidecar = aSidecar({ requestHash: hash, taskId, bytes: 11, createdAt: new Date(created).toISOString() });
  await writeSidecar(take, sidecar);
  if (options.chosen) {
    writeFileSync(video, 'video bytes');
    await writeSidecar(video, sidecar);
  }
  return take;
}

const ONE_VIDEO = (takes: string) => `{ "version": 1, "output": "out", "videos": [ { "name": "hero", "prompt": "A dog", "duration": 5${takes} } ] }`;

describe('planStoryboard: takes', () => {
  it('prices a video of "takes": 3 three times, and plans three takes to create', async () => {
    const { plan } = storyboardAt(ONE_VIDEO(', "takes": 3'));
    const p = await plan();
    const hero = p.videos[0]!;
    assert.equal(hero.takeCount, 3);
    assert.deepEqual(hero.takes.map((t) => [t.take, t.state.kind]), [[1, 'to-render'], [2, 'to-render'], [3, 'to-render']]);
    assert.equal(formatUsd(hero.price.usd), '$0.375', 'the price of one take: 5 s at $0.075');
    assert.equal(formatUsd(p.cost.usd), '$1.125', 'three takes');
    assert.equal(formatAmount(p.cost.credits), '81');
    assert.equal(formatUsd(p.fullCost.usd), '$1.125');
  });

  it('takes "takes" from the video, else from defaults, and --takes over both', async () => {
    const text = `{ "version": 1, "output": "out", "defaults": { "takes": 2 }, "videos": [
      { "name": "a", "prompt": "A", "duration": 3 }, { "name": "b", "prompt": "B", "duration": 3, "takes": 4 } ] }`;
    const { plan } = storyboardAt(text);
    assert.deepEqual((await plan()).videos.map((v) => [v.name, v.takeCount, v.takes.length]), [['a', 2, 2], ['b', 4, 4]]);
    const once = await plan({ takes: 1 });
    assert.deepEqual(once.videos.map((v) => [v.name, v.takeCount, v.takes.length]), [['a', 1, 1], ['b', 1, 1]]);
    assert.equal(formatUsd(once.cost.usd), '$0.45', 'one take each: 2 × 3 s at $0.075');
  });

  it('refuses "takes" outside 1 to 4 with a message that says so', () => {
    for (const bad of ['0', '5', '2.5', '"2"']) {
      const problems = checkStoryboardText(ONE_VIDEO(`, "takes": ${bad}`)).problems.map((p) => p.message);
      assert.ok(problems.some((m) => /^takes must be a whole number from 1 to 4; got /.test(m)), `${bad}: ${problems.join(' | ')}`);
    }
  });
});

describe('planStoryboard: the up-to-date check with several takes reads the chosen take only', () => {
  it('up to date when the chosen take is of this request, whatever other takes there are', async () => {
    const { plan, output } = storyboardAt(ONE_VIDEO(', "takes": 2'));
    const video = path.join(output, 'hero.mp4');
    const hash = (await plan()).videos[0]!.requestHash;
    await saveTake(video, `sha256:${'0'.repeat(64)}`, { minute: 1 });
    await saveTake(video, hash, { minute: 2, chosen: true });
    await saveTake(video, hash, { minute: 3 });
    const p = await plan();
    assert.equal(p.videos[0]!.state.kind, 'up-to-date');
    assert.deepEqual(p.videos[0]!.takes, [], 'nothing to create or follow');
    assert.equal(formatUsd(p.cost.usd), '$0.00', 'nothing to pay');
  });

  it('to render when the chosen take is of an older request, even with a take of this one among the takes', async () => {
    const { plan, output } = storyboardAt(ONE_VIDEO(''));
    const video = path.join(output, 'hero.mp4');
    const hash = (await plan()).videos[0]!.requestHash;
    await saveTake(video, hash, { minute: 1 });
    await saveTake(video, `sha256:${'0'.repeat(64)}`, { minute: 2, chosen: true });
    const p = await plan();
    assert.equal(p.videos[0]!.state.kind, 'to-render');
    assert.equal(formatUsd(p.cost.usd), '$0.375');
  });

  it('to render when no take is chosen (the video was deleted), though its takes are kept', async () => {
    const { plan, output } = storyboardAt(ONE_VIDEO(''));
    const video = path.join(output, 'hero.mp4');
    const hash = (await plan()).videos[0]!.requestHash;
    await saveTake(video, hash, { minute: 1 });
    assert.equal((await plan()).videos[0]!.state.kind, 'to-render');
  });

  it('follows a take still under way from a render of more takes, without pricing it, though the video is up to date', async () => {
    const { plan, output } = storyboardAt(ONE_VIDEO(''));
    const video = path.join(output, 'hero.mp4');
    const hash = (await plan()).videos[0]!.requestHash;
    await saveTake(video, hash, { minute: 1, chosen: true });
    // Take 3 of an earlier `--takes 3`, still being made by a live process.
    const ref = videoClaimRef(video, hash, SIMULATOR, 3);
    const owner = newOwner('kling render');
    const decision = await new ClaimStore(owner, () => Date.now()).acquire(ref, anEntry({ outputPath: video, requestHash: hash, state: { status: 'submitting' }, taskId: undefined }), { linkTtlMs: 86_400_000 });
    assert.equal(decision.kind, 'create');
    const p = await plan();
    assert.equal(p.videos[0]!.state.kind, 'in-flight');
    assert.deepEqual(p.videos[0]!.takes.map((t) => [t.take, t.state.kind]), [[3, 'in-flight']]);
    assert.equal(formatUsd(p.cost.usd), '$0.00');
  });

  it('claims each take apart: take 1 keeps the key a video had before takes', () => {
    const video = '/w/out/hero.mp4';
    const hash = `sha256:${'ab'.repeat(32)}`;
    const keys = [1, 2, 3, 4].map((take) => videoClaimRef(video, hash, SIMULATOR, take).key);
    assert.equal(keys[0], `hero.mp4.sim.${'ab'.repeat(8)}`);
    assert.equal(keys[2], `hero.mp4.take3.sim.${'ab'.repeat(8)}`);
    assert.equal(new Set(keys).size, 4);
    assert.deepEqual(keys.map((key) => takeOfClaimKey(key, video)), [1, 2, 3, 4]);
  });
});
