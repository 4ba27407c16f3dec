import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { describe, it } from 'node:test';
import { bundlePath, bundleText, exportL10nBundle, L10N_COMMAND, LANGUAGES, manifestNlsPath } from '../../../../scripts/l10n/l10nBundle';
import { translationProblems } from '../../../../scripts/l10n/translationProblems';

// Compiled to out/test/unit/scripts/l10n/: the checkout is five folders up.
const REPO_ROOT = path.resolve(__dirname, '..', '..', '..', '..', '..');
const readJson = (file: string) => JSON.parse(readFileSync(file, 'utf8')) as Record<string, string>;

/** Where package.json puts words a person reads (VS Code resolves each %key% from package.nls*.json). */
const USER_VISIBLE = new Set(['title', 'shortTitle', 'description', 'markdownDescription', 'enumDescriptions', 'markdownEnumDescriptions', 'deprecationMessage', 'name', 'contents', 'displayName', 'altText', 'label']);
/** Product names, the same in every language. */
const NAMES = new Set(['Kling', 'Kling Studio', 'kling-studio']);

function userVisibleStrings(value: unknown, at: string, found: Array<[string, string]>): Array<[string, string]> {
  if (Array.isArray(value)) value.forEach((item, i) => userVisibleStrings(item, `${at}[${i}]`, found));
  else if (value && typeof value === 'object') {
    for (const [key, item] of Object.entries(value)) {
      if (USER_VISIBLE.has(key) && typeof item === 'string') found.push([`${at}.${key}`, item]);
      else if (USER_VISIBLE.has(key) && Array.isArray(item)) item.forEach((s, i) => typeof s === 'string' && found.push([`${at}.${key}[${i}]`, s]));
      else userVisibleStrings(item, `${at}.${key}`, found);
    }
  }
  return found;
}

describe('localization', () => {
  it('l10n/bundle.l10n.json has every string the extension and its pages localize, and no other', async () => {
    const fresh = bundleText(await exportL10nBundle(REPO_ROOT));
    assert.ok(
      fresh === readFileSync(bundlePath(REPO_ROOT), 'utf8'),
      `l10n/bundle.l10n.json is stale against the l10n.t(...) calls in src/extension and src/webview. Run \`${L10N_COMMAND}\`, translate what it lists, and commit the result.`,
    );
  });

  it('every user-visible string of package.json is a %key% of package.nls.json', () => {
    const manifest = JSON.parse(readFileSync(path.join(REPO_ROOT, 'package.json'), 'utf8')) as { description: string; contributes: unknown };
    const english = readJson(manifestNlsPath(REPO_ROOT));
    const strings = userVisibleStrings(manifest.contributes, 'contributes', [['description', manifest.description]]);
    assert.ok(strings.length > 50, 'found the manifest strings');
    const literal = strings.filter(([, text]) => !NAMES.has(text) && !/^%[^%]+%$/.test(text));
    assert.deepEqual(literal, [], 'put these in package.nls.json (and its translations) and write "%key%" in package.json');
    const unknown = strings.filter(([, text]) => /^%[^%]+%$/.test(text) && !(text.slice(1, -1) in english));
    assert.deepEqual(unknown, [], 'these %keys% are not in package.nls.json');
  });

  for (const language of LANGUAGES) {
    it(`the ${language} translation of the extension's strings is complete`, () => {
      const problems = translationProblems(readJson(bundlePath(REPO_ROOT)), readJson(bundlePath(REPO_ROOT, language)));
      assert.deepEqual(problems, [], `l10n/bundle.l10n.${language}.json`);
    });

    it(`the ${language} translation of the manifest is complete`, () => {
      const problems = translationProblems(readJson(manifestNlsPath(REPO_ROOT)), readJson(manifestNlsPath(REPO_ROOT, language)));
      assert.deepEqual(problems, [], `package.nls.${language}.json`);
    });
  }
});
