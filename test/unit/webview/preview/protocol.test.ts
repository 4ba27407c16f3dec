import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseHostMessage, parsePageMessage, PreviewSettings } from '../../../../src/webview/preview/protocol';

const recipe = {
  title: 'hero',
  model: 'kling-v3',
  prompt: 'A red kite over green hills',
  shots: [{ index: 1, prompt: 'the kite rises', startSeconds: 0, endSeconds: 3 }],
  shotsPlannedByModel: false,
  durationSeconds: 5,
  aspectRatio: '16:9',
  quality: '720p',
  sound: 'off',
  elementCount: 1,
  frames: [{ role: 'First frame', url: 'https://files.example/a.png', source: 'art/a.png' }],
  elements: [{ token: '<<<element_1>>>', name: 'Kite', elementId: 'el-1', frontalImage: 'art/kite.png' }],
  price: { usd: '$0.375', credits: '27' },
  taskId: 'task-1',
  createdAt: '2026-12-03T10:00:00Z',
  savedAt: '2026-12-03T10:01:00Z',
  simulated: true,
  storyboard: { path: '/w/site.kling.json', relativePath: 'site.kling.json', video: 'hero' },
};

const state = {
  type: 'preview/state',
  fileName: 'hero.mp4',
  recipe,
  thumbnails: { 'art/a.png': 'https://file+.vscode-resource.vscode-cdn.net/w/art/a.png' },
  aacAudio: false,
  file: { bytes: 1234, width: 1280, height: 720, html: '<video src="hero.mp4"></video>' },
  take: { index: 2, count: 3, inUse: false },
  actions: { regenerate: { price: '$0.375' }, editInComposer: true, openStoryboard: true },
};

describe('Kling Preview protocol: messages from the page', () => {
  it('accepts each message the page sends', () => {
    for (const raw of [
      { type: 'preview/ready' },
      { type: 'preview/action', action: 'regenerate' },
      { type: 'preview/action', action: 'reopenDefault' },
      { type: 'preview/playback', playback: { loop: false, rate: 1.5 } },
      { type: 'preview/loadFailed', detail: '4: MEDIA_ELEMENT_ERROR: Format error' },
      { type: 'preview/frameFailed', purpose: 'save', detail: 'the canvas is tainted' },
      { type: 'preview/frame', purpose: 'last', timeSeconds: 4.96, width: 1280, height: 720, png: 'iVBOR', jpeg: '/9j/' },
    ]) {
      assert.deepEqual(parsePageMessage(raw), { ok: true, message: raw });
    }
  });

  it('refuses a forged, malformed or padded message, with a reason that names it and where it is wrong', () => {
    const cases: Array<[unknown, RegExp]> = [
      [{ type: 'preview/action', action: 'deleteEverything' }, /^"preview\/action": .* at action$/],
      [{ type: 'preview/playback', playback: { loop: true, rate: 16 } }, /^"preview\/playback": .* at playback\.rate$/],
      [{ type: 'preview/loadFailed', detail: 'x'.repeat(501) }, /^"preview\/loadFailed": .* at detail$/],
      // Strict: a key the protocol does not have is refused, not dropped (a page cannot smuggle a field in).
      [{ type: 'preview/ready', command: 'workbench.action.terminal.new' }, /^"preview\/ready": /],
      [{ type: 'preview/frame', purpose: 'save', timeSeconds: 0, width: 99999, height: 720, png: '', jpeg: '' }, /at width$/],
      [{ type: 'task/submit', request: {} }, /^"task\/submit": not a message of this protocol at type$/],
      ['preview/ready', /^a message without a type/],
      [null, /^a message without a type/],
    ];
    for (const [raw, reason] of cases) {
      const parsed = parsePageMessage(raw);
      assert.equal(parsed.ok, false, JSON.stringify(raw));
      if (!parsed.ok) assert.match(parsed.reason, reason);
    }
  });
});

describe('Kling Preview protocol: messages from the host, checked by the page', () => {
  it('accepts a full state, and the smallest one (no sidecar, no file facts)', () => {
    assert.deepEqual(parseHostMessage(state), { ok: true, message: state });
    const bare = { type: 'preview/state', fileName: 'x.mp4', recipeNote: 'no sidecar', thumbnails: {}, aacAudio: true, actions: { editInComposer: false, openStoryboard: false } };
    assert.deepEqual(parseHostMessage(bare), { ok: true, message: bare });
  });

  it('refuses a state that does not fit: a recipe with a wrong field, an extra key, an unknown message', () => {
    const cases: Array<[unknown, RegExp]> = [
      [{ ...state, recipe: { ...recipe, durationSeconds: 'five' } }, /^"preview\/state": .* at recipe\.durationSeconds$/],
      [{ ...state, recipe: { ...recipe, frames: [{ role: 'Middle frame', url: 'x' }] } }, /at recipe\.frames\.0\.role$/],
      [{ ...state, script: 'alert(1)' }, /^"preview\/state": /],
      [{ ...state, take: { index: 0, count: 3, inUse: true } }, /at take\.index$/],
      [{ type: 'preview/exec' }, /not a message of this protocol/],
    ];
    for (const [raw, reason] of cases) {
      const parsed = parseHostMessage(raw);
      assert.equal(parsed.ok, false, JSON.stringify(raw).slice(0, 80));
      if (!parsed.ok) assert.match(parsed.reason, reason);
    }
  });

  it("checks the page's settings: the video's address, its name and the remembered playback", () => {
    assert.deepEqual(PreviewSettings.parse({ src: 'https://x/hero.mp4?v=1', fileName: 'hero.mp4', playback: { loop: true, rate: 1 } }).playback, { loop: true, rate: 1 });
    assert.throws(() => PreviewSettings.parse({ src: 'https://x/hero.mp4', fileName: 'hero.mp4', playback: { loop: true, rate: 9 } }));
  });
});
