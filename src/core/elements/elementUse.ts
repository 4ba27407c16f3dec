import * as z from 'zod/mini';

/**
 * An element a video names, in the order of its `element_list` (the prompt's <<<element_N>>>): the journal entry and
 * the sidecar keep the name beside the id, so the preview can say "mascot" where the request only says `el-…`.
 */
export const ElementUse = z.object({
  name: z.string(),
  element_id: z.string(),
  description: z.optional(z.string()),
  /** The element's front view as a workspace file (workspace-relative, `/`), when it came from one: the preview's thumbnail. */
  frontal_image: z.optional(z.string()),
});
export type ElementUse = z.infer<typeof ElementUse>;
