// Kept apart from takeLayout.ts (which needs node:path) so that the storyboard schema, which the composer's page
// bundles for the browser, can say the limit too.

/** A render makes at most this many takes of one video at once ("takes", `--takes`, the composer's Variants). */
export const MAX_TAKES = 4;
