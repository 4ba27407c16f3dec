// `npm run l10n`: writes l10n/bundle.l10n.json from the sources, then lists what each translation lacks (a person
// translates; nothing here invents a translation).
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { bundlePath, bundleText, exportL10nBundle, LANGUAGES, manifestNlsPath } from './l10n/l10nBundle';
import { translationProblems } from './l10n/translationProblems';

// Compiled to out/scripts/writeL10n.js: the checkout is two folders up.
const repoRoot = path.resolve(__dirname, '..', '..');

const readJson = (file: string): Record<string, string> => (existsSync(file) ? (JSON.parse(readFileSync(file, 'utf8')) as Record<string, string>) : {});

async function main(): Promise<void> {
  const file = bundlePath(repoRoot);
  const messages = await exportL10nBundle(repoRoot);
  const text = bundleText(messages);
  const before = existsSync(file) ? readFileSync(file, 'utf8') : '';
  if (text !== before) writeFileSync(file, text);
  console.log(`${path.relative(repoRoot, file)}: ${Object.keys(messages).length} strings${text === before ? ', up to date' : ', written'}`);
  for (const language of LANGUAGES) {
    for (const [english, translated] of [
      [file, bundlePath(repoRoot, language)],
      [manifestNlsPath(repoRoot), manifestNlsPath(repoRoot, language)],
    ] as const) {
      const problems = translationProblems(readJson(english), readJson(translated));
      if (problems.length) console.log(`${path.relative(repoRoot, translated)} (${problems.length}):\n  ${problems.join('\n  ')}`);
    }
  }
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : String(error));
  process.exitCode = 1;
});
