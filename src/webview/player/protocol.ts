import { z } from 'zod';
import { TimelineChapter, TimelineShot } from '../../core/player/storyboardTimeline';
import { parseMessage, type Parsed } from '../../core/protocol/parseMessage';

// The one protocol of the Play Storyboard page, shared by the host (src/extension/takes/) and the page (main.ts).
// The page is untrusted input: every message from it is checked with these zod schemas on the host, and a video is
// named by its name in the storyboard, which the host looks up in the storyboard it planned. Strict schemas both
// ways, as every webview protocol here (src/core/protocol/parseMessage.ts): the page checks the host's state too.

const VideoName = z.string().min(1).max(200);

export const PlayerMessage = z.discriminatedUnion('type', [
  /** The page has its listeners: the host may post the state. */
  z.strictObject({ type: z.literal('player/ready') }),
  /** "Render…" on a video not rendered yet: the usual render, price and guards first. */
  z.strictObject({ type: z.literal('player/render'), video: VideoName }),
  /** "Open" on a video: it opens in Kling Preview. */
  z.strictObject({ type: z.literal('player/open'), video: VideoName }),
  /** A video element could not load its file (for the log). */
  z.strictObject({ type: z.literal('player/loadFailed'), video: VideoName, detail: z.string().max(500) }),
]);
export type PlayerMessage = z.infer<typeof PlayerMessage>;

/** Checks a message from the page (untrusted) on the host. */
export function parsePlayerMessage(data: unknown): Parsed<PlayerMessage> {
  return parseMessage(PlayerMessage, data);
}

/** One video of the cut as the page plays it: a file (`src`, a webview resource) or a gap. */
export const PlayerItem = z.strictObject({
  name: z.string(),
  index: z.int().nonnegative(),
  start: z.number().nonnegative(),
  end: z.number().nonnegative(),
  shots: z.array(TimelineShot),
  kind: z.enum(['video', 'gap']),
  src: z.string().optional(),
  /** A chosen take of another request than the storyboard's now (it plays, marked). */
  outdated: z.boolean(),
});
export type PlayerItem = z.infer<typeof PlayerItem>;

export const PlayerState = z.strictObject({
  type: z.literal('player/state'),
  /** The storyboard's file name. */
  title: z.string(),
  items: z.array(PlayerItem),
  total: z.number().nonnegative(),
  chapters: z.array(TimelineChapter),
  /** Why there is nothing to play (problems in the storyboard), when there is nothing. */
  problem: z.string().optional(),
});
export type PlayerState = z.infer<typeof PlayerState>;

export const PlayerHostMessage = z.discriminatedUnion('type', [PlayerState]);
export type PlayerHostMessage = z.infer<typeof PlayerHostMessage>;

/** Checks a message from the host on the page. */
export function parsePlayerHostMessage(data: unknown): Parsed<PlayerHostMessage> {
  return parseMessage(PlayerHostMessage, data);
}
