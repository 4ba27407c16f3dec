// The English bundle (l10n/bundle.l10n.json) as the sources give it: every string passed to `vscode.l10n.t` in the
// extension and to `l10n.t` (@vscode/l10n) in the webview pages and the page text the core builds for them, one bundle
// for all (docs/l10n.md).
import { readdirSync, readFileSync, statSync } from 'node:fs';
import * as path from 'node:path';
import { getL10nJson, type l10nJsonFormat } from '@vscode/l10n-dev';

export const L10N_COMMAND = 'npm run l10n';
/** The languages Kling Studio ships a translation for, besides English. */
export const LANGUAGES = ['zh-cn'] as const;

// The core's composer words are the page's (composerPageState.ts); the rest of the core speaks English (docs/l10n.md).
const SOURCE_FOLDERS = ['src/extension', 'src/webview', 'src/core/composer'];

export const bundlePath = (repoRoot: string, language?: string): string =>
  path.join(repoRoot, 'l10n', language ? `bundle.l10n.${language}.json` : 'bundle.l10n.json');
export const manifestNlsPath = (repoRoot: string, language?: string): string =>
  path.join(repoRoot, language ? `package.nls.${language}.json` : 'package.nls.json');

function sourceFiles(dir: string): string[] {
  return readdirSync(dir)
    .sort()
    .flatMap((name) => {
      const file = path.join(dir, name);
      if (statSync(file).isDirectory()) return sourceFiles(file);
      return /\.m?ts$/.test(name) && !name.endsWith('.d.ts') ? [file] : [];
    });
}

/**
 * The bundle's messages, keys sorted so that a change shows as a small diff. The exporter's own CLI reads `.ts` only;
 * the composer's page is `.mts` (ES-only imports), so the files are handed to its library as TypeScript.
 */
export async function exportL10nBundle(repoRoot: string): Promise<Record<string, string>> {
  const files = SOURCE_FOLDERS.flatMap((folder) => sourceFiles(path.join(repoRoot, folder)));
  const messages: l10nJsonFormat = await getL10nJson(files.map((file) => ({ contents: readFileSync(file, 'utf8'), extension: '.ts' })));
  return Object.fromEntries(
    Object.keys(messages)
      .sort()
      .map((key) => {
        const message = messages[key]!;
        return [key, typeof message === 'string' ? message : message.message];
      }),
  );
}

export const bundleText = (messages: Record<string, string>): string => `${JSON.stringify(messages, null, 2)}\n`;
