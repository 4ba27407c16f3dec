import * as z from 'zod/mini';
import type { VideoRecipe } from '../../core/preview/videoRecipe';

// The one protocol of the Kling Preview page, shared by the host (src/extension/preview/) and the page (main.ts).
// Messages are named 'area/verb'. The page is untrusted input: every message from it is checked with these zod
// schemas on the host, and one that does not fit is ignored with a log line. zod's mini API keeps the activation
// bundle small (docs/architecture.md, "Two editor bundles").

export const PREVIEW_ACTIONS = [
  'regenerate',
  'editInComposer',
  'openStoryboard',
  'reveal',
  'openExternal',
  'reopenDefault',
  // Takes (docs/storyboard-format.md, "Takes"): the one before or after this, all side by side, this one in use.
  'previousTake',
  'nextTake',
  'compareTakes',
  'useTake',
  // The `<video>` element for a web page, to the clipboard.
  'copyHtml',
] as const;
export type PreviewAction = (typeof PREVIEW_ACTIONS)[number];

/** What a decoded frame is for: a file the user names, the composer's first or last frame, or a new video from it. */
export const FRAME_PURPOSES = ['save', 'first', 'last', 'continue'] as const;
export type FramePurpose = (typeof FRAME_PURPOSES)[number];
/** A 4K PNG is a few tens of MB at most; base64 adds a third. */
const FRAME_BASE64_MAX = 96 * 1024 * 1024;

/** Loop and speed, remembered across previews (speeds: PLAYBACK_RATES in timeline.ts). */
export const Playback = z.object({
  loop: z.boolean(),
  rate: z.number().check(z.gte(0.25), z.lte(2)),
});
export type Playback = z.infer<typeof Playback>;

export const PageMessage = z.discriminatedUnion('type', [
  /** The page has its listeners: the host may post the state. */
  z.object({ type: z.literal('preview/ready') }),
  /** A button: the host does the work (the page never opens, reveals or spends anything itself). */
  z.object({ type: z.literal('preview/action'), action: z.enum(PREVIEW_ACTIONS) }),
  /** The user changed loop or speed. */
  z.object({ type: z.literal('preview/playback'), playback: Playback }),
  /**
   * A frame the page decoded (drawn from the <video> at its own size) for Save Frame…, Use as First/Last Frame or
   * Continue from Last Frame: PNG and JPEG bytes as base64, the host writes the one the user wants.
   */
  z.object({
    type: z.literal('preview/frame'),
    purpose: z.enum(FRAME_PURPOSES),
    timeSeconds: z.number().check(z.gte(0)),
    width: z.int().check(z.positive(), z.lte(8192)),
    height: z.int().check(z.positive(), z.lte(8192)),
    png: z.string().check(z.maxLength(FRAME_BASE64_MAX)),
    jpeg: z.string().check(z.maxLength(FRAME_BASE64_MAX)),
  }),
  /** The page could not decode a frame (for the user: the host shows why). */
  z.object({ type: z.literal('preview/frameFailed'), purpose: z.enum(FRAME_PURPOSES), detail: z.string().check(z.maxLength(500)) }),
  /** The video element could not load the file (for the log; the page shows its own error state). */
  z.object({ type: z.literal('preview/loadFailed'), detail: z.string().check(z.maxLength(500)) }),
]);
export type PageMessage = z.infer<typeof PageMessage>;

/** Checks a message from the page; undefined (and the reason logged) for anything that does not fit the protocol. */
export function parsePageMessage(raw: unknown, log: (line: string) => void): PageMessage | undefined {
  const parsed = PageMessage.safeParse(raw);
  if (parsed.success) return parsed.data;
  const type = raw && typeof raw === 'object' && 'type' in raw ? JSON.stringify((raw as { type: unknown }).type) : 'without a type';
  log(`Kling Preview: ignored a message from the page (${type}) that does not fit the protocol: ${parsed.error.issues[0]?.message ?? 'invalid'}`);
  return undefined;
}

/** The host's view of what the page should show besides the video; posted after `preview/ready` and on each change. */
export interface PreviewState {
  type: 'preview/state';
  fileName: string;
  /** From the sidecar; undefined when there is none or it cannot be read (`recipeNote` then says which). */
  recipe: VideoRecipe | undefined;
  recipeNote: string | undefined;
  /** Webview URIs of the recipe's local frame sources (by source), for thumbnails: only files that are there now. */
  thumbnails: Record<string, string>;
  /** An audio track is AAC, which VS Code's player cannot decode: the video plays silent in the editor. */
  aacAudio: boolean;
  /** What is wrong with the file when its tracks cannot be read (incomplete, damaged); shown if it does not play. */
  fileProblem: string | undefined;
  /** The file as a web page would use it: its size, its frame, and the `<video>` element Copy HTML copies. */
  file: { bytes: number; width: number; height: number; html: string } | undefined;
  /** Where this video is among the takes of its video ("take 2 of 3"), when there is more than one. */
  take: { index: number; count: number; inUse: boolean } | undefined;
  actions: {
    /**
     * Regenerate is offered (a sidecar, a trusted workspace); `price` is today's price of the same request, unknown
     * when the sidecar's request cannot be sent as it is (the host explains why when it is clicked).
     */
    regenerate: { price: string | undefined } | undefined;
    editInComposer: boolean;
    openStoryboard: boolean;
  };
}

export type HostMessage = PreviewState;

/** What the page needs before anything else, in the `data-settings` attribute of `#settings`. */
export interface PreviewSettings {
  /** The video as a webview resource, with a version that changes when the file does (cache busting). */
  src: string;
  fileName: string;
  playback: Playback;
}
