// The reading half of mediabunny that Kling Studio uses, behind one ES module (the writing half is in
// mediabunnyOutput.mts, so that code that only reads, like the preview's AAC check, does not carry the muxer).
//
// Why these files exist: mediabunny ships as an ES module and this project compiles to CommonJS (module Node16),
// where TypeScript refuses a static `import … from 'mediabunny'` (TS1479). A dynamic `import('mediabunny')` would
// compile, but esbuild cannot tree-shake a dynamically imported namespace, and the bundle grows to about 700 KB.
// Importing this module dynamically instead (`await import('./mediabunnyInput.mjs')`) keeps both: tsc is content,
// and esbuild keeps only what is re-exported here. It also defers loading the library until it is first needed.
// Add a name here before using it elsewhere.
export { BufferSource, EncodedPacketSink, FilePathSource, Input, MP4, QTFF } from 'mediabunny';
