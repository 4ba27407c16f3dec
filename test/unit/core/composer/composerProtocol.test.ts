import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { emptyDraft } from '../../../../src/core/composer/composerForm';
import { HostMessage, PageMessage, parsePageMessage } from '../../../../src/core/composer/composerProtocol';

const draft = { ...emptyDraft(), prompt: 'A paper boat' };

describe('composer protocol', () => {
  it('accepts every message the page sends', () => {
    const messages = [
      { type: 'composer/ready' },
      { type: 'composer/generate', draft },
      { type: 'composer/saveAsStoryboard', draft },
      { type: 'composer/saveAsStoryboard', draft, source: { uri: 'file:///w/a.kling.json', file: 'a.kling.json', video: 'hero' } },
      { type: 'composer/refreshBalance' },
      { type: 'composer/showTasks' },
      { type: 'composer/setUp', action: 'useSimulator' },
    ];
    for (const message of messages) {
      const result = parsePageMessage(message);
      assert.ok(result.ok, `${JSON.stringify(message)}: ${result.ok ? '' : result.reason}`);
      assert.deepEqual(result.message, message);
    }
  });

  it('names every message area/verb', () => {
    const names = [...PageMessage.options, ...HostMessage.options].map((schema) => schema.shape.type.value);
    for (const name of names) assert.match(name, /^composer\/[a-z][A-Za-z]+$/);
  });

  it('refuses forged shapes with a reason short enough for a log line', () => {
    const forged: Array<[unknown, RegExp]> = [
      [null, /a message without a type/],
      ['composer/generate', /a message without a type/],
      [{ type: 'composer/deleteEverything' }, /"composer\/deleteEverything"/],
      [{ type: 'composer/generate' }, /"composer\/generate": .* at draft/],
      [{ type: 'composer/generate', draft: { ...draft, duration: 5 } }, /at draft\.duration/],
      [{ type: 'composer/generate', draft: { ...draft, quality: '4k' } }, /at draft\.quality/],
      [{ type: 'composer/generate', draft: { ...draft, model: 'kling-v9' } }, /model/],
      [{ type: 'composer/generate', draft, price: '0' }, /price/],
      [{ type: 'composer/generate', draft: { ...draft, prompt: 'x'.repeat(20_001) } }, /at draft\.prompt/],
      [{ type: 'composer/generate', draft: { ...draft, shots: Array(7).fill({ prompt: '', duration: '1' }) } }, /at draft\.shots/],
      [{ type: 'composer/setUp', action: 'workbench.action.terminal.new' }, /at action/],
      [{ type: 'composer/saveAsStoryboard', draft, source: { uri: '', file: 'a', video: 'b' } }, /at source\.uri/],
    ];
    for (const [message, reason] of forged) {
      const result = parsePageMessage(message);
      assert.equal(result.ok, false, `accepted ${JSON.stringify(message).slice(0, 80)}`);
      if (!result.ok) {
        assert.match(result.reason, reason);
        assert.ok(result.reason.length < 300, result.reason);
      }
    }
  });

  it('holds a draft that is still wrong: the form reports it, the protocol only bounds its shape', () => {
    const result = parsePageMessage({ type: 'composer/generate', draft: { ...draft, prompt: 'x'.repeat(3000), duration: 'abc' } });
    assert.ok(result.ok);
  });

  it('describes what the host sends', () => {
    assert.ok(HostMessage.safeParse({ type: 'composer/context', backend: 'simulator', ready: true, trusted: true, balance: { kind: 'known', credits: 12.5 } }).success);
    assert.ok(HostMessage.safeParse({ type: 'composer/submitted', outcome: 'created', label: 'A paper boat' }).success);
    assert.ok(HostMessage.safeParse({ type: 'composer/load', draft, from: 'a in a.kling.json', source: { uri: 'file:///a.kling.json', file: 'a.kling.json', video: 'a' }, notes: [] }).success);
    assert.ok(HostMessage.safeParse({ type: 'composer/load', draft, from: 'the video "A paper boat"', notes: [] }).success, 'a request has no storyboard');
    assert.equal(HostMessage.safeParse({ type: 'composer/balance', balance: { kind: 'rich' } }).success, false);
  });
});
