// Builds every bundle of Kling Studio:
//   dist/extension.js  the activation entry: small, registers commands/views, reads the journal
//   dist/klingCore.js  what the editor loads on first use: the API client (undici), the full zod schemas,
//                      validation, the task engine and the simulator (shared/notes/bundle-facts.md)
//   dist/cli.js        the `kling` command
//   dist/webview/*.js  webview pages (browser)
//   schemas/kling.schema.json  generated from the zod storyboard schema (and kling.editor.schema.json for VS Code)
// Usage: node esbuild.js [--production] [--watch]
const esbuild = require('esbuild');
const fs = require('node:fs');
const path = require('node:path');

const production = process.argv.includes('--production');
const watch = process.argv.includes('--watch');

const common = {
  bundle: true,
  minify: production,
  sourcemap: !production,
  sourcesContent: false,
  logLevel: 'warning',
  // jsonc-parser's default entry is UMD and breaks when bundled (shared/notes/bundle-facts.md).
  mainFields: ['module', 'main'],
  legalComments: 'linked',
};

const node = { ...common, platform: 'node', format: 'cjs', target: 'node20' };

/** @type {import('esbuild').BuildOptions[]} */
const builds = [
  {
    ...node,
    entryPoints: { extension: 'src/extension/extension.ts' },
    outdir: 'dist',
    // klingCore.js is loaded lazily with require('./klingCore.js'); it must stay a separate file. (Its name must
    // not match a file name inside a dependency: an external './core.js' also cut zod's own ./core.js out.)
    external: ['vscode', './klingCore.js'],
    metafile: true,
  },
  { ...node, entryPoints: { klingCore: 'src/extension/klingCore.ts' }, outdir: 'dist', external: ['vscode', './klingCore.js'], metafile: true },
  { ...node, entryPoints: { cli: 'src/cli/main.ts' }, outdir: 'dist', banner: { js: '#!/usr/bin/env node' }, metafile: true },
];

const webviewDir = 'src/webview';
for (const page of fs.existsSync(webviewDir) ? fs.readdirSync(webviewDir) : []) {
  const entry = path.join(webviewDir, page, 'main.ts');
  if (fs.existsSync(entry)) {
    builds.push({
      ...common,
      platform: 'browser',
      format: 'iife',
      target: 'es2022',
      entryPoints: { [page]: entry },
      outdir: 'dist/webview',
      loader: { '.ttf': 'file', '.css': 'css' },
    });
  }
}

/**
 * Writes schemas/kling.schema.json (published: every rule) and schemas/kling.editor.schema.json (what VS Code's
 * JSON service gets for *.kling.json: completion and hovers, no validating keywords, since the extension's own
 * diagnostics report those) from the zod schema, through a throwaway bundle of the generators.
 */
async function writeStoryboardSchema() {
  const out = path.join('out', 'build', 'storyboardEditorSchema.js');
  await esbuild.build({ ...node, minify: false, sourcemap: false, entryPoints: ['src/core/storyboard/storyboardEditorSchema.ts'], outfile: out, logLevel: 'error' });
  delete require.cache[path.resolve(out)];
  const { storyboardJsonSchema, storyboardEditorJsonSchema } = require(path.resolve(out));
  fs.mkdirSync('schemas', { recursive: true });
  fs.writeFileSync(path.join('schemas', 'kling.schema.json'), `${JSON.stringify(storyboardJsonSchema(), null, 2)}\n`);
  fs.writeFileSync(path.join('schemas', 'kling.editor.schema.json'), `${JSON.stringify(storyboardEditorJsonSchema(), null, 2)}\n`);
}

async function main() {
  await writeStoryboardSchema();
  if (watch) {
    for (const options of builds) {
      const context = await esbuild.context({ ...options, metafile: false });
      await context.watch();
    }
    console.log('[watch] building; press Ctrl-C to stop');
    return;
  }
  await Promise.all(builds.map((options) => esbuild.build(options)));
  fs.chmodSync(path.join('dist', 'cli.js'), 0o755);
}

main().catch((error) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
