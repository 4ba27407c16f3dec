// Builds every bundle of Kling Studio:
//   dist/extension.js  the activation entry: small, registers commands/views, reads the journal
//   dist/klingCore.js  what the editor loads on first use: the API client (undici), the full zod schemas,
//                      validation, the task engine and the simulator (docs/architecture.md)
//   dist/cli.js        the `kling` command
//   dist/webview/*.js  webview pages (browser)
//   schemas/kling.schema.json  generated from the zod storyboard schema (and kling.editor.schema.json for VS Code)
//   schemas/kling-<command>.schema.json  the CLI's --json documents (src/core/report/)
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
  // jsonc-parser's default entry is UMD and breaks when bundled (docs/architecture.md).
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
  {
    ...node,
    entryPoints: { cli: 'src/cli/main.ts' },
    outdir: 'dist',
    // tinyglobby's file walker (fdir) is an ES module that asks import.meta.url for a require(): in this CommonJS
    // bundle, the bundle's own URL.
    banner: { js: "#!/usr/bin/env node\nconst __klingBundleUrl = require('node:url').pathToFileURL(__filename).href;" },
    metafile: true,
    // `kling --version` (src/cli/cliVersion.ts): the version the tarball was built from.
    define: { KLING_STUDIO_VERSION: JSON.stringify(require('./package.json').version), 'import.meta.url': '__klingBundleUrl' },
  },
];

/** Pages bundle zod classic with English messages only (src/webview/shims/zodLocales.mts says why). */
const englishOnlyZod = {
  name: 'english-only-zod',
  setup(build) {
    build.onResolve({ filter: /[\\/]locales[\\/]index\.js$/ }, (args) =>
      /[\\/]node_modules[\\/]zod[\\/]/.test(args.importer) ? { path: path.resolve('src/webview/shims/zodLocales.mts') } : undefined,
    );
  },
};

const webviewDir = 'src/webview';
for (const page of fs.existsSync(webviewDir) ? fs.readdirSync(webviewDir) : []) {
  // main.mts where the page imports ES-only packages (lit, @vscode-elements/elements): see src/core/media/mediabunny.mts.
  const entry = ['main.ts', 'main.mts'].map((name) => path.join(webviewDir, page, name)).find((file) => fs.existsSync(file));
  if (entry) {
    builds.push({
      ...common,
      platform: 'browser',
      format: 'iife',
      target: 'es2022',
      entryPoints: { [page]: entry },
      outdir: 'dist/webview',
      loader: { '.ttf': 'file', '.css': 'css' },
      // The core's schemas check callback URLs with node:net's isIP; pages get a small stand-in.
      alias: { 'node:net': './src/webview/shims/nodeNet.ts' },
      plugins: [englishOnlyZod],
    });
  }
}

/**
 * The codicon font and its stylesheet, beside the pages: @vscode-elements/elements' icons link the stylesheet into
 * their shadow roots by the id "vscode-codicon-stylesheet", so it must be a file of its own, not part of a page's CSS.
 */
function copyCodicons() {
  const from = path.join('node_modules', '@vscode', 'codicons', 'dist');
  fs.mkdirSync(path.join('dist', 'webview'), { recursive: true });
  for (const file of ['codicon.css', 'codicon.ttf']) fs.copyFileSync(path.join(from, file), path.join('dist', 'webview', file));
}

/**
 * Writes schemas/kling.schema.json (published: every rule) and schemas/kling.editor.schema.json (what VS Code's
 * JSON service gets for *.kling.json: completion and hovers, no validating keywords, since the extension's own
 * diagnostics report those) from the zod schema, and beside them the schema of each CLI `--json` document
 * (schemas/kling-<command>.schema.json, src/core/report/), through throwaway bundles of the generators.
 */
async function writeStoryboardSchema() {
  const load = async (entry, name) => {
    const out = path.join('out', 'build', `${name}.js`);
    await esbuild.build({ ...node, minify: false, sourcemap: false, entryPoints: [entry], outfile: out, logLevel: 'error' });
    delete require.cache[path.resolve(out)];
    return require(path.resolve(out));
  };
  const { storyboardJsonSchema, storyboardEditorJsonSchema } = await load('src/core/storyboard/storyboardEditorSchema.ts', 'storyboardEditorSchema');
  const { reportJsonSchemas, reportSchemaFile } = await load('src/core/report/reportJsonSchemas.ts', 'reportJsonSchemas');
  fs.mkdirSync('schemas', { recursive: true });
  fs.writeFileSync(path.join('schemas', 'kling.schema.json'), `${JSON.stringify(storyboardJsonSchema(), null, 2)}\n`);
  fs.writeFileSync(path.join('schemas', 'kling.editor.schema.json'), `${JSON.stringify(storyboardEditorJsonSchema(), null, 2)}\n`);
  for (const [command, schema] of Object.entries(reportJsonSchemas())) {
    fs.writeFileSync(path.join('schemas', reportSchemaFile(command)), `${JSON.stringify(schema, null, 2)}\n`);
  }
}

function removeStaleMaps(dir) {
  for (const file of fs.existsSync(dir) ? fs.readdirSync(dir) : []) if (file.endsWith('.map')) fs.rmSync(path.join(dir, file));
}

async function main() {
  await writeStoryboardSchema();
  copyCodicons();
  if (watch) {
    for (const options of builds) {
      const context = await esbuild.context({ ...options, metafile: false });
      await context.watch();
    }
    console.log('[watch] building; press Ctrl-C to stop');
    return;
  }
  await Promise.all(builds.map((options) => esbuild.build(options)));
  // .vscodeignore ships all of dist/webview/; a production build writes no source maps, so any there are stale.
  if (production) removeStaleMaps(path.join('dist', 'webview'));
  fs.chmodSync(path.join('dist', 'cli.js'), 0o755);
}

main().catch((error) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
