import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { checkDraft, ComposerDraft, draftToVideo, emptyDraft } from '../../../../src/core/composer/composerForm';
import { exceedsBalance, priceText } from '../../../../src/core/composer/composerPageState';
import { storyboardVideoFor } from '../../../../src/core/composer/composerStoryboard';

// The composer's Variants: how many takes Generate makes of the video (issue 14). The field, its price, and what
// Save as Storyboard writes.

const draft = (change: Partial<ComposerDraft> = {}): ComposerDraft => ({ ...emptyDraft(), prompt: 'A red kite over green hills', ...change });

describe('the composer\'s Variants', () => {
  it('prices every take: three takes of 5 s at 720p cost three times $0.375', () => {
    assert.deepEqual(priceText(checkDraft(draft({ takes: 3 }))), { usd: '$1.125', credits: '81.00 credits', exactCredits: '81 credits', seconds: 5, newElements: 0, imageToVideo: false, takes: 3 });
    assert.deepEqual(priceText(checkDraft(draft())), { usd: '$0.375', credits: '27.00 credits', exactCredits: '27 credits', seconds: 5, newElements: 0, imageToVideo: false }, 'one take when left out: said as before');
  });

  it('warns over the balance when all the takes together cost more than it, though one take would not', () => {
    assert.equal(exceedsBalance(checkDraft(draft({ takes: 3 })), { kind: 'known', credits: 80 }), true);
    assert.equal(exceedsBalance(checkDraft(draft({ takes: 3 })), { kind: 'known', credits: 81 }), false);
    assert.equal(exceedsBalance(checkDraft(draft()), { kind: 'known', credits: 80 }), false);
  });

  it('makes the same request whatever the number of takes (each take is the same video asked for again)', () => {
    const one = checkDraft(draft());
    const three = checkDraft(draft({ takes: 3 }));
    assert.deepEqual(three.request, one.request);
    assert.equal(three.takes, 3);
    assert.equal(draftToVideo(draft({ takes: 3 }))['takes'], 3);
    assert.equal('takes' in draftToVideo(draft({ takes: 1 })), false, 'one take is the default: not written');
  });

  it('holds 1 to 4 takes and refuses anything else from the page', () => {
    for (const takes of [0, 5, 2.5]) assert.equal(ComposerDraft.safeParse(draft({ takes })).success, false, String(takes));
    assert.equal(ComposerDraft.safeParse(draft({ takes: 4 })).success, true);
    assert.equal(ComposerDraft.safeParse(emptyDraft()).success, true, 'a draft saved before Variants existed still loads');
  });

  it('Save as Storyboard writes "takes" where the file\'s defaults would say otherwise', () => {
    const video = checkDraft(draft({ takes: 2 })).video!;
    assert.equal(storyboardVideoFor('kite', video, {}).takes, 2);
    assert.equal(storyboardVideoFor('kite', video, { takes: 2 }).takes, undefined, 'the defaults say it already');
    assert.equal(storyboardVideoFor('kite', checkDraft(draft()).video!, { takes: 3 }).takes, 1, 'one take, where the defaults say three');
    assert.equal(storyboardVideoFor('kite', video, 'unknown').takes, 2);
  });
});
