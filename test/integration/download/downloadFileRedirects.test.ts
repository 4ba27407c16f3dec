import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { readdir, readFile } from 'node:fs/promises';
import * as path from 'node:path';
import { after, afterEach, before, beforeEach, describe, it } from 'node:test';
import { Agent, type Dispatcher } from 'undici';
import type { KlingClient } from '../../../src/core/api/klingClient';
import { DownloadError, downloadFile, MAX_REDIRECTS, redirectTarget } from '../../../src/core/download/downloadFile';
import type { Simulator } from '../../../src/core/simulator/simulatorServer';
import { recordingClient, removeDir, startTestSimulator, tempDir } from '../../helpers/simulatorBed';
import { aVideoRequest } from '../../helpers/taskDrafts';
import { FakeClock } from '../../helpers/fakeClock';

// Result links behind a CDN answer with redirects. Over real HTTP against the simulator's redirect fault: a chain is
// followed to the same bytes, a cut after it resumes at the final address, and a chain too long is refused.

const LIMIT = { timeout: 15_000 };

describe('downloadFile: redirects on result links', () => {
  const clock = new FakeClock(Date.UTC(2026, 0, 15, 12));
  let sim: Simulator;
  let client: KlingClient;
  let url: string;
  let reference: Buffer;
  let dir: string;
  let logFrom: number;

  /** Every request since the test began that is part of the link's chain: [path kind, status, host, fault]. */
  const chain = () =>
    sim
      .stats()
      .requests.slice(logFrom)
      .filter((r) => r.path.startsWith('/files/'))
      .map((r) => [r.path.startsWith('/files/redirects/') ? 'step' : 'video', r.status, r.host?.replace(/:\d+$/, ''), r.fault ?? '']);

  before(async () => {
    sim = await startTestSimulator({ now: clock.now, videoPaddingBytes: 512 * 1024 });
    client = recordingClient(sim).client;
    const task = await client.createTask(aVideoRequest({ duration: 5 }));
    await clock.advance(60_000);
    url = (await client.getTask(task.id)).results![0]!;
    const refDir = await tempDir('redirect-reference');
    reference = await readFile((await downloadFile({ url, targetPath: path.join(refDir, 'r.mp4') })).filePath);
    await removeDir(refDir);
  });
  after(async () => {
    await client.close();
    await sim.close();
  });
  beforeEach(async () => {
    sim.clearFaults();
    dir = await tempDir('redirects');
    logFrom = sim.stats().requests.length;
  });
  afterEach(() => removeDir(dir));

  it('follows a chain of three 302s to the video and saves the same bytes', LIMIT, async () => {
    sim.inject({ on: 'download', kind: 'redirect', hops: 3 });
    const target = path.join(dir, 'hero.mp4');
    const result = await downloadFile({ url, targetPath: target, sleep: async () => {} });
    assert.equal(result.requests, 1);
    assert.deepEqual(await readFile(target), reference);
    assert.deepEqual(chain(), [
      ['video', 302, '127.0.0.1', 'redirect ×3'],
      ['step', 302, '127.0.0.1', ''],
      ['step', 302, '127.0.0.1', ''],
      ['video', 200, '127.0.0.1', ''],
    ]);
    assert.deepEqual(await readdir(dir), ['hero.mp4']);
  });

  it('moves to another host (still loopback) with the dispatcher chosen for each address, and never sends Authorization', LIMIT, async () => {
    sim.inject({ on: 'download', kind: 'redirect', hops: 2, toHost: 'localhost' });
    const asked: string[] = [];
    const agent = new Agent();
    try {
      const dispatcherFor = (address: string): Dispatcher => {
        asked.push(new URL(address).hostname);
        return agent;
      };
      await downloadFile({ url, targetPath: path.join(dir, 'hero.mp4'), dispatcherFor, sleep: async () => {} });
    } finally {
      await agent.close();
    }
    assert.deepEqual(asked, ['127.0.0.1', 'localhost', 'localhost']);
    assert.deepEqual(chain(), [
      ['video', 302, '127.0.0.1', 'redirect ×2'],
      ['step', 302, 'localhost', ''],
      ['video', 200, 'localhost', ''],
    ]);
    const withKey = sim.stats().requests.slice(logFrom).filter((r) => r.withAuthorization);
    assert.deepEqual(withKey, [], 'no request of the chain carried an Authorization header');
    assert.deepEqual(await readFile(path.join(dir, 'hero.mp4')), reference);
  });

  it('resumes a transfer cut after a redirect with a Range request at the final address', LIMIT, async () => {
    sim.inject({ on: 'download', kind: 'redirect', hops: 2 });
    sim.inject({ on: 'download', kind: 'cut', afterBytes: 200_000 });
    sim.inject({ on: 'download', kind: 'redirect', hops: 2 });
    const target = path.join(dir, 'hero.mp4');
    const starts: number[] = [];
    let last = Infinity;
    const result = await downloadFile({
      url,
      targetPath: target,
      sleep: async () => {},
      onProgress: (received) => {
        if (received <= last) starts.push(received);
        last = received;
      },
    });
    assert.equal(result.requests, 2);
    assert.deepEqual(starts, [0, 200_000], 'the second attempt resumes from the byte the first reached');
    assert.deepEqual(chain(), [
      ['video', 302, '127.0.0.1', 'redirect ×2'],
      ['step', 302, '127.0.0.1', ''],
      ['video', 200, '127.0.0.1', 'cut'],
      ['video', 302, '127.0.0.1', 'redirect ×2'],
      ['step', 302, '127.0.0.1', ''],
      ['video', 206, '127.0.0.1', ''],
    ]);
    assert.deepEqual(await readFile(target), reference);
  });

  it(`refuses a chain longer than ${MAX_REDIRECTS} redirects, with nothing at the target`, LIMIT, async () => {
    sim.inject({ on: 'download', kind: 'redirect', hops: MAX_REDIRECTS + 1 });
    const target = path.join(dir, 'hero.mp4');
    await assert.rejects(downloadFile({ url, targetPath: target, sleep: async () => {} }), (error: unknown) => {
      assert.ok(error instanceof DownloadError);
      assert.equal(error.linkExpired, false);
      assert.equal(error.message, "The result link's redirect was not followed: it redirected more than 5 times (the 6th time to 127.0.0.1" + `:${new URL(url).port}).`);
      return true;
    });
    assert.equal(chain().length, MAX_REDIRECTS + 1, 'five redirects followed, the sixth not');
    assert.equal(existsSync(target), false);
  });

  it(`follows exactly ${MAX_REDIRECTS}`, LIMIT, async () => {
    sim.inject({ on: 'download', kind: 'redirect', hops: MAX_REDIRECTS });
    await downloadFile({ url, targetPath: path.join(dir, 'hero.mp4'), sleep: async () => {} });
    assert.deepEqual(await readFile(path.join(dir, 'hero.mp4')), reference);
  });
});

describe('redirectTarget', () => {
  const from = new URL('https://api.example.com/files/videos/t.mp4?sig=1');
  const refusal = (location: string, hops = 1, visited: string[] = [from.href]) => {
    try {
      return redirectTarget(from, location, hops, new Set(visited)).href;
    } catch (error) {
      assert.ok(error instanceof DownloadError);
      return error.message;
    }
  };

  it('follows https anywhere and resolves relative locations', () => {
    assert.equal(refusal('https://cdn.example.net/v.mp4?x=2'), 'https://cdn.example.net/v.mp4?x=2');
    assert.equal(refusal('/other/v.mp4'), 'https://api.example.com/other/v.mp4');
  });

  it('refuses a downgrade to plain http on a public host, but follows http to loopback', () => {
    assert.equal(refusal('http://cdn.example.net/v.mp4'), "The result link's redirect was not followed: it leads to plain http on cdn.example.net, down from https; only https is followed.");
    assert.equal(refusal('http://127.0.0.1:8080/v.mp4'), 'http://127.0.0.1:8080/v.mp4');
    assert.equal(refusal('http://localhost:8080/v.mp4'), 'http://localhost:8080/v.mp4');
  });

  it('refuses a location that is not http(s), a loop, and a hop past the limit', () => {
    assert.equal(refusal('file:///etc/passwd'), "The result link's redirect was not followed: it leads to a file: address; only https is followed.");
    assert.equal(refusal('ftp://cdn.example.net/v.mp4'), "The result link's redirect was not followed: it leads to a ftp: address; only https is followed.");
    assert.equal(refusal('https://api.example.com/files/videos/t.mp4?sig=1'), "The result link's redirect was not followed: it redirects in a loop (back to api.example.com/files/videos/t.mp4).");
    assert.match(refusal('https://cdn.example.net/v.mp4', MAX_REDIRECTS + 1), /more than 5 times \(the 6th time to cdn\.example\.net\)/);
    assert.equal(refusal('http://[::1', 1), "The result link's redirect was not followed: its Location \"http://[::1\" is not an address.");
  });
});
