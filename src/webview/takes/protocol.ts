import { z } from 'zod';
import { parseMessage, type Parsed } from '../../core/protocol/parseMessage';
import { RecipeRow } from '../../core/takes/recipeRow';

// The one protocol of the Compare Takes page, shared by the host (src/extension/takes/) and the page (main.ts).
// Messages are named 'area/verb'. The page is untrusted input: the host checks every message with these zod schemas
// and names a take only by an id it gave the page (the take's file name), which it looks up among the takes it
// listed; a path from the page is never used. Strict schemas both ways, as every webview protocol here
// (src/core/protocol/parseMessage.ts): the page checks the host's messages too.

/** A take's file name, as the host gave it. */
const TakeId = z.string().min(1).max(200);

export const CompareMessage = z.discriminatedUnion('type', [
  /** The page has its listeners: the host may post the state. */
  z.strictObject({ type: z.literal('compare/ready') }),
  /** "Use This Take" on one take. */
  z.strictObject({ type: z.literal('compare/use'), take: TakeId }),
  /** "Delete" on one take (the host asks first, and moves it to the trash). */
  z.strictObject({ type: z.literal('compare/delete'), take: TakeId }),
  /** "Open in Kling Preview" on one take. */
  z.strictObject({ type: z.literal('compare/open'), take: TakeId }),
  /** A video element could not load its file (for the log; the page shows it in the take's column). */
  z.strictObject({ type: z.literal('compare/loadFailed'), take: TakeId, detail: z.string().max(500) }),
]);
export type CompareMessage = z.infer<typeof CompareMessage>;

/** Checks a message from the page (untrusted) on the host. */
export function parseCompareMessage(data: unknown): Parsed<CompareMessage> {
  return parseMessage(CompareMessage, data);
}

export const CompareTake = z.strictObject({
  id: TakeId,
  /** "Take 2" */
  title: z.string(),
  chosen: z.boolean(),
  /** The file as a webview resource, with a version that changes when the file does. */
  src: z.string(),
  /** Why its recipe is unknown, when it is. */
  note: z.string().optional(),
});
export type CompareTake = z.infer<typeof CompareTake>;

/** Everything the page shows; posted after 'compare/ready' and whenever the takes change. */
export const CompareState = z.strictObject({
  type: z.literal('compare/state'),
  /** "hero.mp4" */
  videoName: z.string(),
  /** How many takes the video has in all (the page shows at most four of them). */
  takeCount: z.int().nonnegative(),
  takes: z.array(CompareTake),
  /** The recipes side by side, values in the order of `takes`. */
  rows: z.array(RecipeRow),
});
export type CompareState = z.infer<typeof CompareState>;

/** A take is being used or deleted (the page holds its buttons), or no longer. */
export const CompareBusy = z.strictObject({ type: z.literal('compare/busy'), take: TakeId.optional() });

export const CompareHostMessage = z.discriminatedUnion('type', [CompareState, CompareBusy]);
export type CompareHostMessage = z.infer<typeof CompareHostMessage>;

/** Checks a message from the host on the page. */
export function parseCompareHostMessage(data: unknown): Parsed<CompareHostMessage> {
  return parseMessage(CompareHostMessage, data);
}
