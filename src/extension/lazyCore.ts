// Loads dist/klingCore.js the first time a feature needs it. The path is kept out of esbuild's sight (it is marked
// external), so the activation bundle does not swallow the heavy modules; under tsc (tests) the same require
// finds the compiled klingCore.js beside this file.
export type Core = typeof import('./klingCore');

let core: Core | undefined;

export function loadCore(): Core {
  core ??= require('./klingCore.js') as Core;
  return core;
}
