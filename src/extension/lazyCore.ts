// Loads dist/klingCore.js the first time a feature needs it. The path is kept out of esbuild's sight (it is marked
// external), so the activation bundle does not swallow the heavy modules; under tsc (tests) the same require
// finds the compiled klingCore.js beside this file. The bundle is typed as its two halves (src/extension/lazy/):
// this loader gives the core, which code of any layer may use; lazyFeatures.ts gives the editor features, and only
// registrations in the activation bundle import it, so no import cycle closes through the boundary.
import * as vscode from 'vscode';

export type Core = typeof import('./lazy/coreModules');

let core: Core | undefined;

/** The core and the storyboard editor's words: the API client, schemas, pricing, the task engine, the simulator. */
export function loadCore(): Core {
  if (!core) {
    core = require('./klingCore.js') as Core;
    // The storyboard editor's words (storyboardPresentation.ts) speak through this bundle's own @vscode/l10n.
    const contents = vscode.l10n.bundle;
    if (contents) core.configureL10n({ contents });
  }
  return core;
}
