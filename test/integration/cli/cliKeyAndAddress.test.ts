/** What the `kling` command refuses before it sends anything: a key that cannot be one, an address that would carry it in clear. */
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import * as path from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { Simulator } from '../../../src/core/simulator/simulatorServer';
import { cliWorkspace, runKling } from '../../helpers/cliRun';
import { DISTINCT_KEY, startTestSimulator } from '../../helpers/simulatorBed';

const STORYBOARD = '{ "version": 1, "output": "out", "videos": [ { "name": "a", "prompt": "A dog", "duration": 3 } ] }\n';
const LIMIT = { timeout: 30_000 };

describe('kling: the key and the address are checked before anything is sent', () => {
  let sim: Simulator;
  /** An HTTP proxy that only counts: any request for a host off this machine would come through it. */
  let proxy: Server;
  let proxied = 0;
  let proxyUrl: string;

  before(async () => {
    sim = await startTestSimulator();
    proxy = createServer((req, res) => {
      proxied++;
      req.resume();
      res.writeHead(502).end();
    });
    await new Promise<void>((resolve) => proxy.listen(0, '127.0.0.1', resolve));
    proxyUrl = `http://127.0.0.1:${(proxy.address() as AddressInfo).port}`;
  });
  after(async () => {
    await sim.close();
    await new Promise<void>((resolve) => proxy.close(() => resolve()));
  });

  function workspace() {
    const ws = cliWorkspace('cli-refusals');
    writeFileSync(path.join(ws.dir, 's.kling.json'), STORYBOARD);
    return ws;
  }

  for (const [name, key, position, unicode] of [
    ['an accented letter and an ellipsis', 'sk-é…', 4, 'U+00E9'],
    ['an accented letter only (which undici would send, mangled)', 'sk-caf\u00e9', 7, 'U+00E9'],
  ] as const) {
    it(`KLING_API_KEY with ${name}: render, credits and status exit 2 naming the problem, and the service sees nothing`, LIMIT, async () => {
      const ws = workspace();
      const env = { KLING_API_KEY: key, KLING_BASE_URL: sim.baseUrl };
      const before = sim.stats().requests.length;
      for (const args of [['render', 's.kling.json', '--yes'], ['credits'], ['status', 'task-unified-1757169743-abcd1234']]) {
        const run = await runKling(args, { cwd: ws.dir, state: ws.state, env });
        assert.equal(run.code, 2, `${args[0]}: ${run.stderr}${run.stdout}`);
        assert.ok(
          run.stderr.includes(`KLING_API_KEY cannot be used. The key has a character that is not printable ASCII at position ${position} (${unicode})`),
          run.stderr,
        );
        assert.match(run.stderr, /nothing was sent/);
        assert.doesNotMatch(run.stderr + run.stdout, /may have been created|charged/);
        assert.ok(!(run.stderr + run.stdout).includes(key), 'the key is not printed');
      }
      assert.equal(sim.stats().requests.length, before, 'the simulator received no request');
      assert.equal(sim.tasks().length, 0);
    });
  }

  it('--base-url or KLING_BASE_URL with http:// off this machine: exit 2, and nothing goes out (not even through a proxy)', LIMIT, async () => {
    const ws = workspace();
    const env = { KLING_API_KEY: DISTINCT_KEY, HTTP_PROXY: proxyUrl, http_proxy: proxyUrl };
    const flag = await runKling(['render', 's.kling.json', '--yes', '--base-url', 'http://api.example.com'], { cwd: ws.dir, state: ws.state, env });
    assert.equal(flag.code, 2, flag.stderr + flag.stdout);
    assert.match(flag.stderr, /^--base-url: The API base URL http:\/\/api\.example\.com uses http:\/\/, which would send your API key unencrypted to api\.example\.com\. Use https:\/\/; http:\/\/ is allowed only on this machine \(localhost, 127\.0\.0\.1, \[::1\]\)\. Nothing was sent\.$/m);
    for (const args of [['render', 's.kling.json', '--yes'], ['credits']]) {
      const run = await runKling(args, { cwd: ws.dir, state: ws.state, env: { ...env, KLING_BASE_URL: 'HTTP://10.0.0.1:8080' } });
      assert.equal(run.code, 2, `${args[0]}: ${run.stderr}`);
      assert.match(run.stderr, /^KLING_BASE_URL: The API base URL http:\/\/10\.0\.0\.1:8080 uses http:\/\//m);
      assert.ok(!(run.stderr + run.stdout).includes(DISTINCT_KEY));
    }
    assert.equal(proxied, 0, 'no request left for the remote host');
  });

  it('http:// on loopback is fine: a render against the simulator at 127.0.0.1 spends and saves', LIMIT, async () => {
    const ws = workspace();
    const run = await runKling(['render', 's.kling.json', '--yes'], { cwd: ws.dir, state: ws.state, env: { KLING_API_KEY: DISTINCT_KEY, KLING_BASE_URL: sim.baseUrl } });
    assert.equal(run.code, 0, run.stderr + run.stdout);
    assert.match(run.stdout, /1 rendered/);
  });
});
