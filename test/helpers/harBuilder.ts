import { writeFileSync } from 'node:fs';
import type { Har, HarEntry } from '../../src/core/http/harFile';

export interface RecordedAnswer {
  method: 'GET' | 'POST';
  /** Where it was sent, on any host: the replay serves every recorded host. */
  url: string;
  status: number;
  /** The answer's body: JSON for an object, as it is for a string. */
  body: unknown;
  contentType?: string;
}

/** A HAR 1.2 file of these exchanges, as a user's `--record` would hold them. */
export function writeHar(file: string, answers: readonly RecordedAnswer[]): void {
  const started = Date.UTC(2026, 0, 15, 12, 0, 0);
  const entries: HarEntry[] = answers.map((answer, i) => {
    const text = typeof answer.body === 'string' ? answer.body : JSON.stringify(answer.body);
    return {
      startedDateTime: new Date(started + i * 1000).toISOString(),
      time: 10,
      request: { method: answer.method, url: answer.url, httpVersion: 'HTTP/1.1', cookies: [], headers: [], queryString: [], headersSize: -1, bodySize: 0 },
      response: {
        status: answer.status,
        statusText: '',
        httpVersion: 'HTTP/1.1',
        cookies: [],
        headers: [{ name: 'content-type', value: answer.contentType ?? 'application/json' }],
        content: { size: Buffer.byteLength(text), mimeType: answer.contentType ?? 'application/json', text },
        redirectURL: '',
        headersSize: -1,
        bodySize: Buffer.byteLength(text),
      },
      cache: {},
      timings: { send: 0, wait: 10, receive: 0 },
    };
  });
  const har: Har = { log: { version: '1.2', creator: { name: 'test', version: '1' }, entries } };
  writeFileSync(file, JSON.stringify(har));
}
