// The part of mediabunny that Kling Studio uses (reading and writing MP4), behind one ES module. Add a name here before
// using it elsewhere.
//
// Why this file exists: mediabunny ships as an ES module and this project compiles to CommonJS (module Node16),
// where TypeScript refuses a static `import … from 'mediabunny'` (TS1479). A dynamic `import('mediabunny')` would
// compile, but esbuild cannot tree-shake a dynamically imported namespace, and the bundle grows to about 700 KB.
// Importing this module dynamically instead (`await import('./mediabunny.mjs')`) keeps both: tsc is content, and
// esbuild keeps only what is re-exported here. It also defers loading the library until it is first needed.
//
// One module, not a reading and a writing half: every code that loads the library in a process must reach the same
// copy, or mediabunny warns that it was loaded twice (a symbol on globalThis) and may misbehave.
export {
  BufferSource,
  BufferTarget,
  EncodedAudioPacketSource,
  EncodedPacketSink,
  EncodedVideoPacketSource,
  FilePathSource,
  Input,
  MP4,
  Mp4OutputFormat,
  Output,
  QTFF,
} from 'mediabunny';
