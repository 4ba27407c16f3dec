import { z } from 'zod';

/** One field of the takes' recipes side by side, as Compare Takes shows it (no Node import: the page checks it). */
export const RecipeRow = z.strictObject({
  label: z.string(),
  /** One value per take, in the order of the takes ('—' where a take has none). */
  values: z.array(z.string()),
  /** Not every take has the same value. */
  differs: z.boolean(),
});
export type RecipeRow = z.infer<typeof RecipeRow>;
