// What pages get for zod's `locales` namespace: English only. zod classic re-exports all of its ~50 locales (about
// 250 KB minified) as `z.locales`, which a bundler cannot drop; the pages use none but the default English, which
// zod registers itself. esbuild.js redirects zod's locales index here for webview builds only.
export { default as en } from 'zod/v4/locales/en.js';
