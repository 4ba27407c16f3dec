import assert from 'node:assert/strict';
import { mkdtemp, readdir, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { describe, it } from 'node:test';
import { ClaimStore, claimFile, elementClaimRef, listClaims, readClaim, videoClaimRef, type Claim, type ClaimRef } from '../../../../src/core/claims/claimStore';
import type { JournalEntry } from '../../../../src/core/journal/taskState';
import { newOwner, type ProcessOwner } from '../../../../src/core/process/processOwner';
import { anEntry } from '../../../helpers/builders';
import { goneOwner } from '../../../helpers/owners';

const DAY = 24 * 3_600_000;
const NOW = 1_700_000_000_000;
const OPTIONS = { linkTtlMs: DAY };

async function aRef(): Promise<ClaimRef> {
  const dir = await mkdtemp(path.join(tmpdir(), 'kling-claims-'));
  return videoClaimRef(path.join(dir, 'hero.mp4'), `sha256:${'ab'.repeat(32)}`, { kind: 'simulator' });
}

/** A claim on disk as another process would have left it. */
async function leave(ref: ClaimRef, owner: ProcessOwner, entry: Partial<JournalEntry>, generation = 1): Promise<Claim> {
  const claim: Claim = { version: 1, key: ref.key, generation, owner, ownerSeenAt: NOW, entry: anEntry({ owner, ...entry }) };
  await writeFile(claimFile(ref), JSON.stringify(claim));
  return claim;
}

const store = (owner = newOwner('test')) => new ClaimStore(owner, () => NOW);
const submitting = (): JournalEntry => anEntry({ state: { status: 'submitting' }, taskId: undefined });

describe('ClaimStore', () => {
  it('names a claim after its video, backend and request, hidden beside the result', () => {
    const ref = videoClaimRef('/w/media/hero.mp4', 'sha256:0123456789abcdef0123', { kind: 'api', baseUrl: 'https://api.evolink.ai' });
    assert.equal(ref.dir, '/w/media');
    assert.match(claimFile(ref), /^\/w\/media\/\.hero\.mp4\.api-[0-9a-f]{6}\.0123456789abcdef\.claim$/);
    const other = videoClaimRef('/w/media/hero.mp4', 'sha256:0123456789abcdef0123', { kind: 'simulator' });
    assert.notEqual(other.key, ref.key, 'the simulator and the API are different tasks');
    assert.match(elementClaimRef('/w/media', 'sha256:ffff', { kind: 'simulator' }).key, /^element\.sim\.ffff$/);
  });

  it('decides "create" once, whoever asks at the same time', async () => {
    const ref = await aRef();
    const stores = Array.from({ length: 6 }, () => store());
    const decisions = await Promise.all(stores.map((s) => s.acquire(ref, submitting(), OPTIONS)));
    assert.deepEqual(decisions.map((d) => d.kind).sort(), ['create', 'follow', 'follow', 'follow', 'follow', 'follow']);
    const made = decisions.find((d) => d.kind === 'create');
    assert.equal((await readClaim(ref))?.generation, made?.kind === 'create' ? made.claim.generation : -1, 'the claim the one create made');
  });

  it('refuses to decide a create the caller may not make (its price was not shown)', async () => {
    const ref = await aRef();
    const decision = await store().acquire(ref, submitting(), { ...OPTIONS, mayCreate: false });
    assert.equal(decision.kind, 'refused');
    assert.deepEqual(await readdir(ref.dir), [], 'nothing recorded');
  });

  it('a create whose sender ended is unknown, recorded as such, and made again only when forced', async () => {
    const ref = await aRef();
    const sender = goneOwner();
    await leave(ref, sender, { state: { status: 'submitting' }, taskId: undefined });
    const decision = await store().acquire(ref, submitting(), OPTIONS);
    assert.equal(decision.kind, 'unknown');
    const onDisk = await readClaim(ref);
    assert.equal(onDisk?.entry.state.status, 'unknown');
    assert.match(onDisk?.entry.state.status === 'unknown' ? onDisk.entry.state.reason : '', new RegExp(`process ${sender.pid} \\(kling render\\) stopped while it was sending the create; a task may have been created and charged`));
    assert.equal((await store().acquire(ref, submitting(), OPTIONS)).kind, 'unknown', 'asked again: still unknown');
    const forced = await store().acquire(ref, submitting(), { ...OPTIONS, force: true });
    assert.equal(forced.kind, 'create');
    assert.ok(forced.kind === 'create' && forced.claim.generation > 1, 'a later generation than the lost create');
  });

  it('follows a task a live process drives, and takes over one whose owner ended', async () => {
    const ref = await aRef();
    const live = newOwner('kling render');
    await leave(ref, live, { state: { status: 'processing', progress: 40 } });
    assert.equal((await store().acquire(ref, submitting(), OPTIONS)).kind, 'follow');

    const ref2 = await aRef();
    await leave(ref2, goneOwner(), { state: { status: 'processing', progress: 40 } });
    const me = newOwner('VS Code');
    const decision = await store(me).acquire(ref2, submitting(), OPTIONS);
    assert.equal(decision.kind, 'take-over');
    assert.equal((await readClaim(ref2))?.owner.token, me.token);
    assert.equal(decision.kind === 'take-over' && decision.refetch, false);
  });

  it('a completed video waiting for its download is taken over, never created again', async () => {
    const ref = await aRef();
    await leave(ref, goneOwner(), { state: { status: 'completed', videoUrl: 'https://cdn/v.mp4' }, completedAt: NOW - 3_600_000, lastError: 'HTTP 503' });
    assert.equal((await store().acquire(ref, submitting(), { ...OPTIONS, mayCreate: false })).kind, 'take-over');
  });

  it('an element with its id is done', async () => {
    const ref = await aRef();
    await leave(ref, goneOwner(), { kind: 'element', state: { status: 'completed', elementId: 'el-1' } });
    assert.equal((await store().acquire(ref, submitting(), OPTIONS)).kind, 'done');
  });

  it('a saved video whose file went is fetched again while its link lasts, and made anew after', async () => {
    const ref = await aRef();
    await leave(ref, goneOwner(), { state: { status: 'saved', filePath: '/x/hero.mp4' }, completedAt: NOW - DAY + 60_000 });
    const fresh = await store().acquire(ref, submitting(), OPTIONS);
    assert.ok(fresh.kind === 'take-over' && fresh.refetch);

    const ref2 = await aRef();
    await leave(ref2, goneOwner(), { state: { status: 'saved', filePath: '/x/hero.mp4' }, completedAt: NOW - DAY - 1 });
    assert.equal((await store().acquire(ref2, submitting(), OPTIONS)).kind, 'create');
  });

  it('a failed or expired task is created anew, under the next generation', async () => {
    for (const state of [{ status: 'failed', code: 'generation_timeout', message: 'x', retryable: true }, { status: 'expired', reason: 'x' }] as const) {
      const ref = await aRef();
      await leave(ref, newOwner(), { state }, 3);
      const decision = await store().acquire(ref, submitting(), OPTIONS);
      assert.equal(decision.kind, 'create');
      assert.ok(decision.kind === 'create' && decision.claim.generation > 3, 'a later generation than the ended task');
    }
  });

  it('no claim but the same request saved beside it (another process just finished): "saved", nothing created, unless forced', async () => {
    const ref = await aRef();
    const outputPath = path.join(ref.dir, 'hero.mp4');
    const entry = anEntry({ state: { status: 'submitting' }, taskId: undefined, outputPath });
    await writeFile(outputPath, 'x'.repeat(10));
    await writeFile(`${outputPath}.json`, JSON.stringify({ kling: 1, request: {}, requestHash: entry.requestHash, taskId: 'task-unified-1757169743-aaaaaaaa', model: 'm', price: { estimated: { usd: '0.3', credits: '1', seconds: 3 } }, simulated: true, bytes: 10, createdAt: 'x', savedAt: 'y' }));
    assert.deepEqual(await store().acquire(ref, entry, OPTIONS), { kind: 'saved', taskId: 'task-unified-1757169743-aaaaaaaa', filePath: outputPath });
    assert.equal((await store().acquire(ref, { ...entry, requestHash: 'sha256:other' }, OPTIONS)).kind, 'create', 'another request is made');
    await writeFile(outputPath, 'x'.repeat(9));
    assert.equal((await store().acquire(ref, entry, { ...OPTIONS, force: false })).kind, 'follow', 'a cut file is not "saved" (and the claim the last call made is followed)');
  });

  it('updates and removes a claim only while it is its own', async () => {
    const ref = await aRef();
    const mine = store();
    const created = await mine.acquire(ref, submitting(), OPTIONS);
    assert.equal(created.kind, 'create');
    const generation = created.kind === 'create' ? created.claim.generation : -1;
    const entry = anEntry({ state: { status: 'processing', progress: 10 } });
    assert.equal(await mine.update(ref, generation, entry), true);
    assert.equal(await store().update(ref, generation, entry), false, 'another owner may not write it');
    assert.equal(await mine.update(ref, generation + 1, entry), false, 'nor may another generation');
    await store().remove(ref, generation);
    assert.ok(await readClaim(ref), 'another owner cannot remove it');
    await mine.remove(ref, generation);
    assert.equal(await readClaim(ref), undefined);
    assert.deepEqual(await readdir(ref.dir), [], 'no claim, no lock left');
    assert.equal(await mine.update(ref, generation, entry), true, 'a late write about the ended task is let go');
    assert.deepEqual(await readdir(ref.dir), [], 'and does not bring the claim back');
  });

  it('lists the claims of a folder', async () => {
    const ref = await aRef();
    await leave(ref, newOwner(), { state: { status: 'pending' } });
    await writeFile(path.join(ref.dir, 'hero.mp4'), 'not a claim');
    const found = await listClaims(ref.dir);
    assert.deepEqual(found.map((c) => c.ref.key), [ref.key]);
  });
});
