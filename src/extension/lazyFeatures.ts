// The editor features of the lazy bundle (dist/klingCore.js, the same file lazyCore.ts loads): Kling Preview, the
// composer's host, the takes panels, Retry's frame planning. Only the activation bundle's registrations import this
// loader; the features themselves never do (they import each other directly), which keeps the boundary acyclic.
export type Features = typeof import('./lazy/editorFeatures');

let features: Features | undefined;

export function loadFeatures(): Features {
  features ??= require('./klingCore.js') as Features;
  return features;
}
