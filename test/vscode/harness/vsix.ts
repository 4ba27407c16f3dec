/** Packages an extension folder into a `.vsix` with the repo's own vsce, as a release would. */
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { exec } from './exec';

export interface PackageOptions {
  /** Folder for the `.vsix`; a fresh temp folder unless told. */
  outDir?: string;
  /** Extra vsce flags. */
  extraArgs?: string[];
}

/** Returns the path of the `.vsix`. Dependencies are not bundled (`--no-dependencies`). */
export async function packageExtension(extensionDir: string, options: PackageOptions = {}): Promise<string> {
  const manifest = JSON.parse(readFileSync(join(extensionDir, 'package.json'), 'utf8')) as { name: string; version: string };
  const outDir = options.outDir ?? mkdtempSync(join(tmpdir(), 'kling-vsix-'));
  const out = join(outDir, `${manifest.name}-${manifest.version}.vsix`);
  const vsce = join(dirname(require.resolve('@vscode/vsce/package.json')), 'vsce');
  await exec(
    process.execPath,
    [vsce, 'package', '--no-dependencies', '--allow-missing-repository', '--skip-license', '--out', out, ...(options.extraArgs ?? [])],
    { cwd: extensionDir },
  );
  return out;
}
