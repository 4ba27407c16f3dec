import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import { startLoopbackProxy } from '../../../helpers/loopbackProxy';
import { suite, test } from '../../harness/hostRunner';
import { eventually, klingExtension } from './klingExtension';

// VS Code's own proxy settings (`http.proxy`, `http.noProxy`) reach Kling Studio's requests: a user who configured
// their proxy in VS Code reaches the service through it, without setting HTTPS_PROXY as well.

suite("VS Code's proxy settings", () => {
  test("the extension's requests to the service go through http.proxy, and not to a host in http.noProxy", async () => {
    const api = await klingExtension();
    const proxy = await startLoopbackProxy();
    const http = vscode.workspace.getConfiguration('http');
    const kling = vscode.workspace.getConfiguration('klingStudio');
    const before = { proxy: http.inspect('proxy')?.globalValue, noProxy: http.inspect('noProxy')?.globalValue, baseUrl: kling.inspect('baseUrl')?.globalValue };
    const hadKey = api.keys.get();
    try {
      await api.keys.set('sk-proxy-test-0123456789');
      await kling.update('baseUrl', 'https://api.kling.test', vscode.ConfigurationTarget.Global);
      await http.update('proxy', proxy.url, vscode.ConfigurationTarget.Global);
      await http.update('noProxy', [], vscode.ConfigurationTarget.Global);
      const backend = { kind: 'api' as const, baseUrl: 'https://api.kling.test' };
      // The client is made anew once the settings changed (and the key): ask until the new one is in use.
      await eventually('a request through the proxy', async () => {
        await (await api.backends.clientFor(backend)).getCredits().catch(() => undefined);
        return proxy.seen.includes('CONNECT api.kling.test:443') ? true : undefined;
      });

      await http.update('noProxy', ['kling.test'], vscode.ConfigurationTarget.Global);
      await eventually('a client that leaves kling.test out of the proxy', async () => {
        const error = await (await api.backends.clientFor(backend)).getCredits().then(() => undefined, (e: unknown) => String(e));
        return error && /Could not reach api\.kling\.test/.test(error) ? error : undefined;
      });
      const seen = proxy.seen.length;
      await (await api.backends.clientFor(backend)).getCredits().catch(() => undefined);
      assert.equal(proxy.seen.length, seen, 'a host in http.noProxy is reached directly');
    } finally {
      await http.update('proxy', before.proxy, vscode.ConfigurationTarget.Global);
      await http.update('noProxy', before.noProxy, vscode.ConfigurationTarget.Global);
      await kling.update('baseUrl', before.baseUrl, vscode.ConfigurationTarget.Global);
      if (hadKey) await api.keys.set(hadKey);
      else await api.keys.clear();
      await proxy.close();
    }
  });
});
