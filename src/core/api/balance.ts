import { z } from 'zod';

/**
 * The account's balance as the editor knows it: not asked yet, being read, known, or unreadable. The status bar
 * keeps it and the composer shows the same one (it crosses to the page, so the page's messages parse it).
 */
export const Balance = z.discriminatedUnion('kind', [
  z.strictObject({ kind: z.literal('unknown') }),
  z.strictObject({ kind: z.literal('loading') }),
  z.strictObject({ kind: z.literal('known'), credits: z.number() }),
  z.strictObject({ kind: z.literal('error'), message: z.string() }),
]);
export type Balance = z.infer<typeof Balance>;
