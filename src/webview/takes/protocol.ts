import * as z from 'zod/mini';
import type { RecipeRow } from '../../core/takes/takeComparison';

// The one protocol of the Compare Takes page, shared by the host (src/extension/takes/) and the page (main.ts).
// Messages are named 'area/verb'. The page is untrusted input: the host checks every message with these zod schemas
// and names a take only by an id it gave the page (the take's file name), which it looks up among the takes it
// listed; a path from the page is never used.

/** A take's file name, as the host gave it. */
const TakeId = z.string().check(z.minLength(1), z.maxLength(200));

export const CompareMessage = z.discriminatedUnion('type', [
  /** The page has its listeners: the host may post the state. */
  z.object({ type: z.literal('compare/ready') }),
  /** "Use This Take" on one take. */
  z.object({ type: z.literal('compare/use'), take: TakeId }),
  /** "Delete" on one take (the host asks first, and moves it to the trash). */
  z.object({ type: z.literal('compare/delete'), take: TakeId }),
  /** "Open in Kling Preview" on one take. */
  z.object({ type: z.literal('compare/open'), take: TakeId }),
  /** A video element could not load its file (for the log; the page shows it in the take's column). */
  z.object({ type: z.literal('compare/loadFailed'), take: TakeId, detail: z.string().check(z.maxLength(500)) }),
]);
export type CompareMessage = z.infer<typeof CompareMessage>;

/** Checks a message from the page; undefined (and the reason logged) for anything that does not fit the protocol. */
export function parseCompareMessage(raw: unknown, log: (line: string) => void): CompareMessage | undefined {
  const parsed = CompareMessage.safeParse(raw);
  if (parsed.success) return parsed.data;
  const type = raw && typeof raw === 'object' && 'type' in raw ? JSON.stringify((raw as { type: unknown }).type) : 'without a type';
  log(`Compare Takes: ignored a message from the page (${type}) that does not fit the protocol: ${parsed.error.issues[0]?.message ?? 'invalid'}`);
  return undefined;
}

export interface CompareTake {
  id: string;
  /** "Take 2" */
  title: string;
  chosen: boolean;
  /** The file as a webview resource, with a version that changes when the file does. */
  src: string;
  /** Why its recipe is unknown, when it is. */
  note: string | undefined;
}

/** Everything the page shows; posted after 'compare/ready' and whenever the takes change. */
export interface CompareState {
  type: 'compare/state';
  /** "hero.mp4" */
  videoName: string;
  /** How many takes the video has in all (the page shows at most four of them). */
  takeCount: number;
  takes: CompareTake[];
  /** The recipes side by side, values in the order of `takes`. */
  rows: RecipeRow[];
}

export type CompareHostMessage = CompareState | { type: 'compare/busy'; take: string | undefined };
