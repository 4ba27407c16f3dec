import assert from 'node:assert/strict';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { describe, it } from 'node:test';
import { ClaimStore, claimFile, videoClaimRef, type Claim, type ClaimRef } from '../../../../src/core/claims/claimStore';
import type { JournalEntry } from '../../../../src/core/journal/taskState';
import { newOwner } from '../../../../src/core/process/processOwner';
import { anEntry } from '../../../helpers/builders';
import { goneOwner } from '../../../helpers/owners';

// A claim that exists but cannot be read says "something is being, or was, paid for here" all the same. Taken for
// no claim at all, it lets a create through over a task that may exist (an unknown outcome, a task under way), and
// the claim that said so is overwritten and lost.

const DAY = 24 * 3_600_000;
const NOW = 1_700_000_000_000;
const OPTIONS = { linkTtlMs: DAY };

async function aRef(): Promise<ClaimRef> {
  const dir = await mkdtemp(path.join(tmpdir(), 'kling-claims-unreadable-'));
  return videoClaimRef(path.join(dir, 'hero.mp4'), `sha256:${'cd'.repeat(32)}`, { kind: 'simulator' });
}

const submitting = (): JournalEntry => anEntry({ state: { status: 'submitting' }, taskId: undefined });

/** The text of a claim whose create's answer was lost: a task may exist and be charged. */
function unknownClaimText(ref: ClaimRef): string {
  const owner = goneOwner();
  const claim: Claim = {
    version: 1,
    key: ref.key,
    generation: 1,
    owner,
    ownerSeenAt: NOW,
    entry: anEntry({ owner, taskId: undefined, state: { status: 'unknown', reason: 'the answer to the create was lost' } }),
  };
  return JSON.stringify(claim, null, 1);
}

describe('ClaimStore: a claim that is there but cannot be read', () => {
  it('a claim cut short (a sync tool, a copy interrupted) does not let a create through', async () => {
    const ref = await aRef();
    const text = unknownClaimText(ref);
    await writeFile(claimFile(ref), text.slice(0, Math.floor(text.length / 2)));
    const decision = await new ClaimStore(newOwner('test'), () => NOW).acquire(ref, submitting(), OPTIONS);
    assert.notEqual(decision.kind, 'create', 'a claim whose content is unreadable may stand for a paid task: not created again unless forced');
  });

  it('a claim written by a newer version (a state this one does not know) does not let a create through', async () => {
    const ref = await aRef();
    const newer = JSON.parse(unknownClaimText(ref)) as Record<string, unknown> & { entry: Record<string, unknown> };
    newer.entry.state = { status: 'queued-upstream' };
    await writeFile(claimFile(ref), JSON.stringify(newer));
    const decision = await new ClaimStore(newOwner('test'), () => NOW).acquire(ref, submitting(), OPTIONS);
    assert.notEqual(decision.kind, 'create', 'the CLI and the editor of two versions share the folder: one must not pay over the other\'s task');
  });
});
