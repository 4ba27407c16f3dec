import * as z from 'zod/mini';
import type { TimelineChapter, TimelineShot } from '../../core/player/storyboardTimeline';

// The one protocol of the Play Storyboard page, shared by the host (src/extension/takes/) and the page (main.ts).
// The page is untrusted input: every message from it is checked with these zod schemas on the host, and a video is
// named by its name in the storyboard, which the host looks up in the storyboard it planned.

const VideoName = z.string().check(z.minLength(1), z.maxLength(200));

export const PlayerMessage = z.discriminatedUnion('type', [
  /** The page has its listeners: the host may post the state. */
  z.object({ type: z.literal('player/ready') }),
  /** "Render…" on a video not rendered yet: the usual render, price and guards first. */
  z.object({ type: z.literal('player/render'), video: VideoName }),
  /** "Open" on a video: it opens in Kling Preview. */
  z.object({ type: z.literal('player/open'), video: VideoName }),
  /** A video element could not load its file (for the log). */
  z.object({ type: z.literal('player/loadFailed'), video: VideoName, detail: z.string().check(z.maxLength(500)) }),
]);
export type PlayerMessage = z.infer<typeof PlayerMessage>;

/** Checks a message from the page; undefined (and the reason logged) for anything that does not fit the protocol. */
export function parsePlayerMessage(raw: unknown, log: (line: string) => void): PlayerMessage | undefined {
  const parsed = PlayerMessage.safeParse(raw);
  if (parsed.success) return parsed.data;
  const type = raw && typeof raw === 'object' && 'type' in raw ? JSON.stringify((raw as { type: unknown }).type) : 'without a type';
  log(`Play Storyboard: ignored a message from the page (${type}) that does not fit the protocol: ${parsed.error.issues[0]?.message ?? 'invalid'}`);
  return undefined;
}

/** One video of the cut as the page plays it: a file (`src`, a webview resource) or a gap. */
export interface PlayerItem {
  name: string;
  index: number;
  start: number;
  end: number;
  shots: TimelineShot[];
  kind: 'video' | 'gap';
  src: string | undefined;
  /** A chosen take of another request than the storyboard's now (it plays, marked). */
  outdated: boolean;
}

export interface PlayerState {
  type: 'player/state';
  /** The storyboard's file name. */
  title: string;
  items: PlayerItem[];
  total: number;
  chapters: TimelineChapter[];
  /** Why there is nothing to play (problems in the storyboard), when there is nothing. */
  problem: string | undefined;
}
