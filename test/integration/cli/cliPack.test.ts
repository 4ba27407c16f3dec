/**
 * The CLI installs on its own: `npm pack` of this repository gives a tarball whose `kling` runs after
 * `npm install -g` into an empty prefix, offline and with an empty npm cache, so nothing can come from a registry:
 * the bundle carries everything it uses, and none of the extension's packages is needed.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { describe, it } from 'node:test';
import { readMp4Info } from '../../../src/core/media/mp4Info';

const ROOT = path.resolve(__dirname, '..', '..', '..', '..');

describe('npm pack', () => {
  it('a tarball that installs into an empty prefix offline and renders on its simulator', { timeout: 180_000 }, async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'kling-pack-'));
    const cache = path.join(dir, 'empty-cache');
    mkdirSync(cache);
    // --ignore-scripts: pack the bundles this test run built (prepack would rebuild dist/ under the other tests).
    const packed = JSON.parse(execFileSync('npm', ['pack', '--ignore-scripts', '--json', '--pack-destination', dir], { cwd: ROOT, encoding: 'utf8' })) as Array<{
      filename: string;
      files: Array<{ path: string }>;
    }>;
    const files = packed[0]!.files.map((f) => f.path);
    for (const needed of ['dist/cli.js', 'media/simulator/clip-1280x720.mp4', 'schemas/kling.schema.json', 'schemas/kling-render.schema.json', 'docs/cli.md', 'package.json']) {
      assert.ok(files.includes(needed), `${needed} is in the tarball`);
    }
    assert.deepEqual(files.filter((f) => /^(src|test|node_modules|out)\//.test(f) || f.endsWith('.map') || f.startsWith('dist/webview')), [], 'no sources, maps or pages');
    const manifest = JSON.parse(readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as { version: string; dependencies?: Record<string, string> };
    assert.deepEqual(manifest.dependencies ?? {}, {}, 'nothing to install with it: every bundle carries what it uses');

    const prefix = path.join(dir, 'prefix');
    const env = { ...process.env, npm_config_cache: cache, npm_config_prefix: prefix, npm_config_update_notifier: 'false' };
    execFileSync('npm', ['install', '--global', '--prefix', prefix, '--offline', '--no-audit', '--no-fund', path.join(dir, packed[0]!.filename)], { cwd: dir, env, encoding: 'utf8' });
    assert.deepEqual(readdirSync(path.join(prefix, 'lib', 'node_modules')), ['kling-studio']);
    assert.equal(existsSync(path.join(prefix, 'lib', 'node_modules', 'kling-studio', 'node_modules')), false, 'no dependency was installed');

    const kling = path.join(prefix, 'bin', 'kling');
    const clean: NodeJS.ProcessEnv = { PATH: process.env['PATH'], HOME: dir };
    assert.equal(execFileSync(kling, ['--version'], { cwd: dir, env: clean, encoding: 'utf8' }).trim(), manifest.version);

    const work = path.join(dir, 'work');
    mkdirSync(work);
    writeFileSync(path.join(work, 's.kling.json'), '{ "version": 1, "output": "out", "videos": [ { "name": "packed", "prompt": "From the tarball", "duration": 3 } ] }\n');
    const render = execFileSync(kling, ['render', 's.kling.json', '--simulator', '--yes'], {
      cwd: work,
      env: { ...clean, KLING_STATE_DIR: path.join(dir, 'state'), KLING_SIMULATOR_TIME_SCALE: '10' },
      encoding: 'utf8',
    });
    assert.match(render, /1 rendered, 0 up to date, 0 failed/);
    const info = await readMp4Info(path.join(work, 'out', 'packed.mp4'));
    assert.deepEqual([info.width, info.height, Math.round(info.durationSeconds)], [1280, 720, 3]);
  });
});
