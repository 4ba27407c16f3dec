import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { checkDraft, emptyDraft, type ComposerDraft } from '../../../../src/core/composer/composerForm';
import {
  balanceText,
  exceedsBalance,
  freshPageState,
  generateBlocker,
  markTouched,
  priceText,
  restorePageState,
  visibleProblems,
} from '../../../../src/core/composer/composerPageState';

const draft = (change: Partial<ComposerDraft> = {}): ComposerDraft => ({ ...emptyDraft(), prompt: 'A lighthouse at dusk', ...change });

describe('composer page state', () => {
  it('restores what the page saved, and starts fresh from anything else', () => {
    const saved = { ...freshPageState(), draft: draft({ duration: '9' }), touched: ['duration'] };
    assert.deepEqual(restorePageState(JSON.parse(JSON.stringify(saved))), saved);
    for (const other of [undefined, null, 'x', { version: 2 }, { ...saved, draft: { prompt: 1 } }, { ...saved, touched: ['<script>'] }]) {
      assert.deepEqual(restorePageState(other), freshPageState());
    }
  });

  it('does not scold an untouched empty form, but says why Generate waits', () => {
    const state = freshPageState();
    const check = checkDraft(state.draft);
    assert.deepEqual(visibleProblems(check, state), {});
    assert.equal(generateBlocker(check), 'Describe the video to generate.');
    const touched = markTouched(state, 'prompt');
    assert.deepEqual(visibleProblems(check, touched), { prompt: 'Describe the video to generate.' });
    assert.deepEqual(visibleProblems(check, { ...state, showAll: true }), { prompt: 'Describe the video to generate.' });
  });

  it('shows the shot total once a shot or the duration was touched', () => {
    const d = draft({ multi_shot: 'custom', shots: [{ prompt: 'a', duration: '4' }, { prompt: 'b', duration: '3' }] });
    const check = checkDraft(d);
    assert.deepEqual(visibleProblems(check, { touched: [], showAll: false }), {});
    assert.match(visibleProblems(check, { touched: ['shot.1.duration'], showAll: false }).shots!, /add up to 7 s/);
  });

  it('counts what is left to fix', () => {
    const check = checkDraft(draft({ prompt: '', duration: '99', negative_prompt: 'n'.repeat(2501) }));
    assert.equal(generateBlocker(check), 'negative_prompt is 2501 characters long; the limit is 2500 (and 1 more to fix)', 'the first in the form\'s order');
    assert.deepEqual(Object.keys(check.problems), ['negative_prompt', 'duration']);
    assert.equal(generateBlocker(checkDraft(draft())), undefined);
  });

  it('says the price in dollars and credits', () => {
    assert.deepEqual(priceText(checkDraft(draft({ duration: '15', quality: '1080p', sound: 'on' }))), { usd: '$2.25', credits: '162.00 credits', exactCredits: '162 credits', seconds: 15, newElements: 0, imageToVideo: false });
    const withElement = draft({ prompt: '<<<element_1>>> waves', image: 'https://cdn.example.com/a.png', elements: [{ kind: 'storyboard', name: 'm', file: 'a.kling.json' }] });
    assert.deepEqual(priceText(checkDraft(withElement, { newElements: [true] })), { usd: '$0.389', credits: '28.00 credits', exactCredits: '28 credits', seconds: 5, newElements: 1, imageToVideo: true }, 'the element to create is in the price');
    assert.equal(priceText(checkDraft(draft({ duration: '1' }))), undefined);
  });

  it('says the balance for the backend in use, and whether the price is over it', () => {
    assert.equal(balanceText({ kind: 'known', credits: 1095.3996 }, 'api', true), 'Balance: 1,095 credits');
    assert.equal(balanceText({ kind: 'known', credits: 100 }, 'simulator', true), 'Balance: 100 credits (simulator)');
    assert.equal(balanceText({ kind: 'loading' }, 'api', true), 'Balance: checking…');
    assert.equal(balanceText({ kind: 'error', message: 'offline' }, 'api', true), 'Balance unavailable: offline');
    assert.equal(balanceText({ kind: 'known', credits: 5 }, 'api', false), 'Balance: set an API key to see it');
    const check = checkDraft(draft());
    assert.equal(exceedsBalance(check, { kind: 'known', credits: 26.9 }), true);
    assert.equal(exceedsBalance(check, { kind: 'known', credits: 27 }), false);
    assert.equal(exceedsBalance(check, { kind: 'unknown' }), false);
  });
});
