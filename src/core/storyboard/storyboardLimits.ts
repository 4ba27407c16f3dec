// What a storyboard may be before it is even parsed. A storyboard comes with a repo, and a repo can be hostile: a
// file so large or so deeply nested that parsing it takes the editor down, a named pipe that never ends, a typo
// repeated a million times. These bounds are far above any real storyboard (a hundred videos is a few dozen KB,
// nested five levels deep) and are documented in `kling validate --help`.

/** Largest storyboard read or checked, in bytes of UTF-8: 5 MB. */
export const STORYBOARD_MAX_BYTES = 5 * 1024 * 1024;

/** Deepest nesting of `{` and `[` accepted (a storyboard needs five); checked before the text is parsed. */
export const STORYBOARD_MAX_DEPTH = 64;

/** Problems reported for one storyboard; the rest are counted ("… and 1,234 more"), not described. */
export const STORYBOARD_MAX_PROBLEMS = 200;

/** `5 MB` for 5 × 1024 × 1024 bytes: how the limits are worded in messages and help. */
export function formatMegabytes(bytes: number): string {
  const mb = bytes / (1024 * 1024);
  return `${Number.isInteger(mb) ? mb : mb.toFixed(1)} MB`;
}

/** What follows "this storyboard" (or the file's name) when it is over STORYBOARD_MAX_BYTES. */
export function tooLargeProblem(bytes: number): string {
  const size = (n: number) => `${formatMegabytes(n)} (${n.toLocaleString('en-US')} bytes)`;
  return `is ${size(bytes)}; a storyboard is at most ${size(STORYBOARD_MAX_BYTES)}: split it into several files`;
}
