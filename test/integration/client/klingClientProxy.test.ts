import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { KlingClient } from '../../../src/core/api/klingClient';
import { startLoopbackProxy } from '../../helpers/loopbackProxy';

// The editor's proxy settings (VS Code's http.proxy, http.noProxy) reach the client's dispatcher: its requests go
// through the proxy, except to hosts the no-proxy list names and to loopback.

describe('the client behind the editor\'s proxy', () => {
  let proxy: Awaited<ReturnType<typeof startLoopbackProxy>>;
  before(async () => {
    proxy = await startLoopbackProxy();
  });
  after(() => proxy.close());

  const client = (settings: ConstructorParameters<typeof KlingClient>[0]['proxy']) =>
    new KlingClient({ baseUrl: 'https://api.kling.test', apiKey: 'sk-proxy-test', proxy: settings, backoff: { maxAttempts: 1 } });

  it('sends its requests through http.proxy', async () => {
    const before = proxy.seen.length;
    const c = client({ url: proxy.url, strictSSL: true, noProxy: [] });
    await assert.rejects(c.getCredits());
    await c.close();
    assert.deepEqual(proxy.seen.slice(before), ['CONNECT api.kling.test:443']);
  });

  it('reaches a host that http.noProxy names directly, not through the proxy', async () => {
    const before = proxy.seen.length;
    const c = client({ url: proxy.url, strictSSL: true, noProxy: ['kling.test'] });
    await assert.rejects(c.getCredits(), /Could not reach api\.kling\.test/);
    await c.close();
    assert.deepEqual(proxy.seen.slice(before), []);
  });

  it('never sends loopback traffic (the simulator) through it', async () => {
    const before = proxy.seen.length;
    const c = new KlingClient({ baseUrl: 'http://127.0.0.1:9', apiKey: 'sk-proxy-test', proxy: { url: proxy.url }, backoff: { maxAttempts: 1 } });
    await assert.rejects(c.getCredits());
    await c.close();
    assert.deepEqual(proxy.seen.slice(before), []);
  });
});
