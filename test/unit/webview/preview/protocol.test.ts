import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parsePageMessage } from '../../../../src/webview/preview/protocol';

function parse(raw: unknown) {
  const lines: string[] = [];
  return { message: parsePageMessage(raw, (line) => lines.push(line)), lines };
}

describe('Kling Preview protocol: messages from the page', () => {
  it('accepts each message the page sends', () => {
    for (const raw of [
      { type: 'preview/ready' },
      { type: 'preview/action', action: 'regenerate' },
      { type: 'preview/action', action: 'reopenDefault' },
      { type: 'preview/playback', playback: { loop: false, rate: 1.5 } },
      { type: 'preview/loadFailed', detail: '4: MEDIA_ELEMENT_ERROR: Format error' },
    ]) {
      const { message, lines } = parse(raw);
      assert.deepEqual(message, raw);
      assert.deepEqual(lines, []);
    }
  });

  it('ignores a forged or malformed message, with a log line that names it', () => {
    const cases: Array<[unknown, RegExp]> = [
      [{ type: 'preview/action', action: 'deleteEverything' }, /"preview\/action"/],
      [{ type: 'preview/playback', playback: { loop: true, rate: 16 } }, /"preview\/playback"/],
      [{ type: 'preview/loadFailed', detail: 'x'.repeat(501) }, /"preview\/loadFailed"/],
      [{ type: 'task/submit', request: {} }, /"task\/submit"/],
      ['preview/ready', /without a type/],
      [null, /without a type/],
    ];
    for (const [raw, logged] of cases) {
      const { message, lines } = parse(raw);
      assert.equal(message, undefined, JSON.stringify(raw));
      assert.equal(lines.length, 1);
      assert.match(lines[0]!, /^Kling Preview: ignored a message from the page/);
      assert.match(lines[0]!, logged);
    }
  });
});
