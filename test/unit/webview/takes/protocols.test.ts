import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parsePlayerHostMessage, parsePlayerMessage } from '../../../../src/webview/player/protocol';
import { parseCompareHostMessage, parseCompareMessage } from '../../../../src/webview/takes/protocol';

const compareState = {
  type: 'compare/state',
  videoName: 'hero.mp4',
  takeCount: 5,
  takes: [
    { id: 'hero.take-1.mp4', title: 'Take 1', chosen: true, src: 'https://r/hero.take-1.mp4?v=1' },
    { id: 'hero.take-2.mp4', title: 'Take 2', chosen: false, src: 'https://r/hero.take-2.mp4?v=1', note: 'no sidecar' },
  ],
  rows: [{ label: 'Prompt', values: ['a kite', 'a red kite'], differs: true }],
};

const playerState = {
  type: 'player/state',
  title: 'site.kling.json',
  items: [
    { name: 'hero', index: 0, start: 0, end: 5, shots: [{ index: 1, prompt: 'rise', start: 0, end: 5 }], kind: 'video', src: 'https://r/hero.mp4', outdated: false },
    { name: 'outro', index: 1, start: 5, end: 8, shots: [], kind: 'gap', outdated: false },
  ],
  total: 8,
  chapters: [{ kind: 'video', time: 0, item: 0, label: 'hero' }],
};

describe('Compare Takes protocol, both ways', () => {
  it('accepts what each side sends', () => {
    for (const raw of [{ type: 'compare/ready' }, { type: 'compare/use', take: 'hero.take-2.mp4' }, { type: 'compare/loadFailed', take: 'hero.take-1.mp4', detail: 'format error' }]) {
      assert.deepEqual(parseCompareMessage(raw), { ok: true, message: raw });
    }
    for (const raw of [compareState, { type: 'compare/busy', take: 'hero.take-2.mp4' }, { type: 'compare/busy' }]) {
      assert.deepEqual(parseCompareHostMessage(raw), { ok: true, message: raw });
    }
  });

  it('refuses a padded, forged or malformed message, saying which and where', () => {
    const fromPage: Array<[unknown, RegExp]> = [
      [{ type: 'compare/use', take: '' }, /^"compare\/use": .* at take$/],
      [{ type: 'compare/use', take: 'hero.take-2.mp4', path: '/etc/passwd' }, /^"compare\/use": /],
      [{ type: 'compare/run' }, /not a message of this protocol/],
    ];
    for (const [raw, reason] of fromPage) {
      const parsed = parseCompareMessage(raw);
      assert.ok(!parsed.ok && reason.test(parsed.reason), JSON.stringify({ raw, parsed }));
    }
    const fromHost: Array<[unknown, RegExp]> = [
      [{ ...compareState, rows: [{ label: 'Prompt', values: 'a kite', differs: true }] }, /at rows\.0\.values$/],
      [{ ...compareState, takeCount: -1 }, /at takeCount$/],
      [{ ...compareState, html: '<img onerror=alert(1)>' }, /^"compare\/state": /],
    ];
    for (const [raw, reason] of fromHost) {
      const parsed = parseCompareHostMessage(raw);
      assert.ok(!parsed.ok && reason.test(parsed.reason), JSON.stringify({ raw, parsed }).slice(0, 200));
    }
  });
});

describe('Play Storyboard protocol, both ways', () => {
  it('accepts what each side sends', () => {
    for (const raw of [{ type: 'player/ready' }, { type: 'player/render', video: 'outro' }, { type: 'player/open', video: 'hero' }]) {
      assert.deepEqual(parsePlayerMessage(raw), { ok: true, message: raw });
    }
    assert.deepEqual(parsePlayerHostMessage(playerState), { ok: true, message: playerState });
    const nothing = { type: 'player/state', title: 'broken.kling.json', items: [], total: 0, chapters: [], problem: '2 problems in the storyboard' };
    assert.deepEqual(parsePlayerHostMessage(nothing), { ok: true, message: nothing });
  });

  it('refuses a message that does not fit, saying which and where', () => {
    const page = parsePlayerMessage({ type: 'player/render', video: 'x'.repeat(201) });
    assert.ok(!page.ok && /^"player\/render": .* at video$/.test(page.reason), JSON.stringify(page));
    const host = parsePlayerHostMessage({ ...playerState, items: [{ ...playerState.items[0], kind: 'clip' }] });
    assert.ok(!host.ok && /at items\.0\.kind$/.test(host.reason), JSON.stringify(host));
    const padded = parsePlayerHostMessage({ ...playerState, chapters: [{ kind: 'video', time: 0, item: 0, label: 'hero', href: 'x' }] });
    assert.equal(padded.ok, false);
  });
});
