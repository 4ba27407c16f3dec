// What a translation lacks against its English source (package.nls.json or bundle.l10n.json): a missing key, a key
// the English no longer has, or placeholders that differ ({0} {1} must all be kept, or a message loses its values).

/** Strings that read the same in every language: product names, formats and bare placeholders. */
const SAME_IN_EVERY_LANGUAGE = /^(?:[\s\d{}%·:.,()/×x+\-–—…|"'`$]|Kling|Kling Studio|EvoLink|MP4|API|HAR|PNG|JPEG|URL|CodeLens|HTML)*$/;

const placeholders = (text: string): string[] => [...text.matchAll(/\{\d+\}/g)].map((m) => m[0]).sort();

export function translationProblems(english: Record<string, string>, translated: Record<string, string>): string[] {
  const problems: string[] = [];
  for (const [key, source] of Object.entries(english)) {
    const target = translated[key];
    if (target === undefined) {
      problems.push(`missing: ${JSON.stringify(key)}`);
      continue;
    }
    if (placeholders(source).join() !== placeholders(target).join()) {
      problems.push(`placeholders differ: ${JSON.stringify(key)} has ${placeholders(source).join(' ') || 'none'}, the translation ${placeholders(target).join(' ') || 'none'}`);
    }
    if (target === source && !SAME_IN_EVERY_LANGUAGE.test(source)) problems.push(`not translated: ${JSON.stringify(key)}`);
  }
  for (const key of Object.keys(translated)) if (!(key in english)) problems.push(`no longer in the English: ${JSON.stringify(key)}`);
  return problems;
}
