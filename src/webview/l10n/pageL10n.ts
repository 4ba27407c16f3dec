// A page's translation: the host puts the bundle VS Code loaded for the display language (vscode.l10n.bundle, the
// same l10n/bundle.l10n.<language>.json the extension uses) on <html data-l10n>; in English there is none and
// l10n.t returns the English with its arguments filled in. Imported first by each page, so every later l10n.t
// call (lit templates render after this) reads the translation. docs/l10n.md.
import * as l10n from '@vscode/l10n';

const contents = document.documentElement.dataset['l10n'];
if (contents) l10n.config({ contents: JSON.parse(contents) as Record<string, string> });
