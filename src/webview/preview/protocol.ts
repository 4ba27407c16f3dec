import { z } from 'zod';
import { parseMessage, type Parsed } from '../../core/protocol/parseMessage';
import { VideoRecipe } from '../../core/preview/videoRecipeSchema';

// The one protocol of the Kling Preview page, shared by the host (src/extension/preview/) and the page (main.ts).
// Messages are named 'area/verb'. As the composer's (src/core/composer/composerProtocol.ts): strict zod schemas, the
// one source of each message's type, checked in both directions (the page is untrusted input to the host; the host's
// messages and settings are checked by the page too), with a Result that says why a message was refused. Both ends
// are in lazily loaded bundles (the preview's host side and its page), so classic zod costs activation nothing.

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
export const Playback = z.strictObject({
  loop: z.boolean(),
  rate: z.number().min(0.25).max(2),
});
export type Playback = z.infer<typeof Playback>;

/** The page has its listeners: the host may post the state. */
export const ReadyMessage = z.strictObject({ type: z.literal('preview/ready') });
/** A button: the host does the work (the page never opens, reveals or spends anything itself). */
export const ActionMessage = z.strictObject({ type: z.literal('preview/action'), action: z.enum(PREVIEW_ACTIONS) });
/** The user changed loop or speed. */
export const PlaybackMessage = z.strictObject({ type: z.literal('preview/playback'), playback: Playback });
/**
 * A frame the page decoded (drawn from the <video> at its own size) for Save Frame…, Use as First/Last Frame or
 * Continue from Last Frame: PNG and JPEG bytes as base64, the host writes the one the user wants.
 */
export const FrameMessage = z.strictObject({
  type: z.literal('preview/frame'),
  purpose: z.enum(FRAME_PURPOSES),
  timeSeconds: z.number().nonnegative(),
  width: z.int().positive().max(8192),
  height: z.int().positive().max(8192),
  png: z.string().max(FRAME_BASE64_MAX),
  jpeg: z.string().max(FRAME_BASE64_MAX),
});
/** The page could not decode a frame (for the user: the host shows why). */
export const FrameFailedMessage = z.strictObject({ type: z.literal('preview/frameFailed'), purpose: z.enum(FRAME_PURPOSES), detail: z.string().max(500) });
/** The video element could not load the file (for the log; the page shows its own error state). */
export const LoadFailedMessage = z.strictObject({ type: z.literal('preview/loadFailed'), detail: z.string().max(500) });

export const PageMessage = z.discriminatedUnion('type', [ReadyMessage, ActionMessage, PlaybackMessage, FrameMessage, FrameFailedMessage, LoadFailedMessage]);
export type PageMessage = z.infer<typeof PageMessage>;

/** What the page should show besides the video; posted after `preview/ready` and on each change. */
export const PreviewState = z.strictObject({
  type: z.literal('preview/state'),
  fileName: z.string(),
  /** From the sidecar; absent when there is none or it cannot be read (`recipeNote` then says which). */
  recipe: VideoRecipe.optional(),
  recipeNote: z.string().optional(),
  /** Webview URIs of the recipe's local frame sources (by source), for thumbnails: only files that are there now. */
  thumbnails: z.record(z.string(), z.string()),
  /** An audio track is AAC, which VS Code's player cannot decode: the video plays silent in the editor. */
  aacAudio: z.boolean(),
  /** What is wrong with the file when its tracks cannot be read (incomplete, damaged); shown if it does not play. */
  fileProblem: z.string().optional(),
  /** The file as a web page would use it: its size, its frame, and the `<video>` element Copy HTML copies. */
  file: z.strictObject({ bytes: z.int().nonnegative(), width: z.int().nonnegative(), height: z.int().nonnegative(), html: z.string() }).optional(),
  /** Where this video is among the takes of its video ("take 2 of 3"), when there is more than one. */
  take: z.strictObject({ index: z.int().positive(), count: z.int().positive(), inUse: z.boolean() }).optional(),
  actions: z.strictObject({
    /**
     * Regenerate is offered (a sidecar, a trusted workspace); `price` is today's price of the same request, unknown
     * when the sidecar's request cannot be sent as it is (the host explains why when it is clicked).
     */
    regenerate: z.strictObject({ price: z.string().optional() }).optional(),
    editInComposer: z.boolean(),
    openStoryboard: z.boolean(),
  }),
});
export type PreviewState = z.infer<typeof PreviewState>;

export const HostMessage = z.discriminatedUnion('type', [PreviewState]);
export type HostMessage = z.infer<typeof HostMessage>;

/** What the page needs before anything else, in the `data-settings` attribute of `#settings`. */
export const PreviewSettings = z.strictObject({
  /** The video as a webview resource, with a version that changes when the file does (cache busting). */
  src: z.string(),
  fileName: z.string(),
  playback: Playback,
});
export type PreviewSettings = z.infer<typeof PreviewSettings>;

/** Checks a message from the page (untrusted) on the host; the reason, when refused, fits a log line. */
export function parsePageMessage(data: unknown): Parsed<PageMessage> {
  return parseMessage(PageMessage, data);
}

/** Checks a message from the host on the page, as the composer's page does. */
export function parseHostMessage(data: unknown): Parsed<HostMessage> {
  return parseMessage(HostMessage, data);
}
