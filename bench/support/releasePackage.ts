import { execFile } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, rmSync, statSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

/** The repository this bench was compiled from (the bench runs from out/bench/support/). */
export const REPO_DIR = path.resolve(__dirname, '..', '..', '..');

export interface ReleasePackage {
  /** The `.vsix`, as `npm run package` makes it. */
  vsix: string;
  /** The production `dist/extension.js` that went into it. */
  extensionJs: string;
  /** Seconds the packaging took (the production build included). */
  seconds: number;
}

let packaged: Promise<ReleasePackage> | undefined;

/**
 * Packages the extension the release way, once per bench run: `vsce package --no-dependencies`, which runs
 * `vscode:prepublish` (the production build: minified, no source maps). It runs in a copy of the working tree (the
 * files git tracks or would track, so uncommitted work counts and ignored output does not), with node_modules linked
 * in: the repository's own dist/ and schemas/ are left as they were. The copy is removed when the bench exits.
 */
export function releasePackage(): Promise<ReleasePackage> {
  packaged ??= build();
  return packaged;
}

async function build(): Promise<ReleasePackage> {
  const started = performance.now();
  const root = mkdtempSync(path.join(tmpdir(), 'kling-bench-release-'));
  process.once('exit', () => rmSync(root, { recursive: true, force: true }));
  const copy = path.join(root, 'kling-studio');
  mkdirSync(copy);
  const { stdout } = await run('git', ['ls-files', '-z', '--cached', '--others', '--exclude-standard'], { cwd: REPO_DIR, maxBuffer: 64 << 20 });
  for (const file of stdout.split('\0')) {
    // A tracked file deleted in the working tree is not part of what would be released.
    if (file && existsSync(path.join(REPO_DIR, file))) cpSync(path.join(REPO_DIR, file), path.join(copy, file), { recursive: true });
  }
  symlinkSync(path.join(REPO_DIR, 'node_modules'), path.join(copy, 'node_modules'), 'dir');
  const vsix = path.join(root, 'kling-studio.vsix');
  const vsce = path.join(path.dirname(require.resolve('@vscode/vsce/package.json')), 'vsce');
  await run(process.execPath, [vsce, 'package', '--no-dependencies', '--out', vsix], { cwd: copy, maxBuffer: 64 << 20 });
  const extensionJs = path.join(copy, 'dist', 'extension.js');
  if (!statSync(vsix).isFile() || !statSync(extensionJs).isFile()) throw new Error('vsce package made no vsix or no dist/extension.js');
  return { vsix, extensionJs, seconds: (performance.now() - started) / 1000 };
}
