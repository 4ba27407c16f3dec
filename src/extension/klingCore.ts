// The editor's second bundle (dist/klingCore.js), loaded on first use so that dist/extension.js stays small and quick
// to activate (docs/architecture.md, "Two editor bundles"). It is the two halves of src/extension/lazy/: the core
// (loadCore()) and the editor features (loadFeatures()). Nothing imports this file: each half is typed on its own,
// so the boundary closes no import cycle. Add an export to the half it belongs to, never here.
export * from './lazy/coreModules';
export * from './lazy/editorFeatures';
