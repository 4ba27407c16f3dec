import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
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
