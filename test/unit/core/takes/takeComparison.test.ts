import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { compareRecipes, comparedTake } from '../../../../src/core/takes/takeComparison';
import type { Take } from '../../../../src/core/takes/takeStore';
import { aSidecar, TWO_SHOT_REQUEST } from '../../../helpers/sidecars';

const take = (index: number, changes: Partial<Take>): Take => ({
  index,
  path: `/w/out/.takes/hero/2026112${index}-100000-take000${index}.mp4`,
  sidecar: undefined,
  sidecarProblem: undefined,
  chosen: false,
  kept: true,
  bytes: 1,
  createdAt: '2026-11-25T10:00:00.000Z',
  ...changes,
});

describe('compareRecipes', () => {
  it('marks the fields whose values differ between takes, and only those', () => {
    const a = comparedTake(take(1, { chosen: true, sidecar: aSidecar({ taskId: 'task-unified-1-aaaa0001', createdAt: '2026-11-25T10:00:00.000Z' }) }));
    const b = comparedTake(take(2, {
      sidecar: aSidecar({
        taskId: 'task-unified-1-bbbb0002',
        createdAt: '2026-11-25T11:00:00.000Z',
        request: { ...aSidecar().request, prompt: 'A red kite over snowy hills', quality: '1080p' },
        price: { estimated: { usd: '0.5', credits: '35.991', seconds: 5 } },
      }),
    }));
    const rows = compareRecipes([a, b]);
    const differing = rows.filter((r) => r.differs).map((r) => r.label);
    assert.deepEqual(differing, ['Prompt', 'Quality', 'Price', 'Created', 'Task']);
    assert.deepEqual(rows.find((r) => r.label === 'Prompt')!.values, ['A red kite over green hills', 'A red kite over snowy hills']);
    assert.deepEqual(rows.find((r) => r.label === 'Duration'), { label: 'Duration', values: ['5 s', '5 s'], differs: false });
    assert.deepEqual(rows.find((r) => r.label === 'Price')!.values, ['$0.375 · 27 credits (simulated)', '$0.50 · 35.991 credits (simulated)']);
    assert.equal(rows.some((r) => r.label === 'First frame'), false, 'a field no take has is left out');
    assert.deepEqual([a.id, a.chosen, b.chosen], ['20261121-100000-take0001.mp4', true, false]);
  });

  it('shows shots, and a take without a recipe as unknown', () => {
    const shots = comparedTake(take(1, { sidecar: aSidecar({ request: TWO_SHOT_REQUEST }) }));
    const unknown = comparedTake(take(2, {}));
    assert.equal(unknown.recipe, undefined);
    assert.match(unknown.note ?? '', /No sidecar: how this take was made is unknown/);
    const row = compareRecipes([shots, unknown]).find((r) => r.label === 'Shots')!;
    assert.deepEqual(row.values, ['0–4 s: A person on a hilltop at dawn\n4–10 s: The camera pulls back to reveal the city', '—']);
    assert.equal(row.differs, true);
  });
});
