// Replaced by the build (esbuild.js `define`) with package.json's version, so the bundle and the tarball know theirs.
declare const KLING_STUDIO_VERSION: string | undefined;

/** The version of this `kling`, from package.json at build time ("development" when run unbundled). */
export const CLI_VERSION: string = typeof KLING_STUDIO_VERSION === 'string' ? KLING_STUDIO_VERSION : 'development';
