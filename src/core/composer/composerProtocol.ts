import { z } from 'zod';
import { parseMessage, type Parsed } from '../protocol/parseMessage';
import { Balance } from '../api/balance';
import { ComposerDraft, DraftElement, ELEMENTS_MAX, ImageRef } from './composerForm';

// The composer's one protocol, shared by the page (src/webview/composer) and the host (src/extension/composer).
// Messages are named 'area/verb' (after GitLens's webview protocol) and each has a zod schema: the page is untrusted
// input, so the host parses every message and ignores one that does not fit, with a log line. The page says
// 'composer/ready' before the host posts anything (after vscode-pull-request-github's WebviewBase).

/** The storyboard video the form was loaded from or last saved to: "Save as storyboard" offers to update it. */
export const StoryboardSource = z.strictObject({
  /** The storyboard's URI, as `vscode.Uri.toString()` gives it. */
  uri: z.string().min(1).max(4096),
  /** The file as the user knows it: its path relative to the workspace. */
  file: z.string().max(4096),
  video: z.string().min(1).max(200),
});
export type StoryboardSource = z.infer<typeof StoryboardSource>;


export const SETUP_ACTIONS = ['setApiKey', 'useSimulator'] as const;

/**
 * Where a chosen image goes: a frame, or an element defined in the form (its front view, or one more reference view).
 * Element indexes are the form's (0-based); the host answers with the same target.
 */
export const ImageTarget = z.string().regex(/^(image|end_image|element\.\d\.(frontal|refer))$/);
export type ImageTarget = z.infer<typeof ImageTarget>;

/** An image of the form as the host found it: its verdict (the service's rules), its size, a thumbnail to show. */
export const ImageInfo = z.discriminatedUnion('ok', [
  z.strictObject({
    ok: z.literal(true),
    type: z.enum(['jpeg', 'png']),
    width: z.number(),
    height: z.number(),
    bytes: z.number(),
    /** A webview URI of the file (asWebviewUri): the page's CSP lets it load only these. */
    thumbnail: z.string().max(8192).optional(),
  }),
  z.strictObject({ ok: z.literal(false), problem: z.string().max(1000), thumbnail: z.string().max(8192).optional() }),
]);
export type ImageInfo = z.infer<typeof ImageInfo>;

/** What the host found about each element of the form, in order. */
export const ElementInfo = z.strictObject({
  /** Made already on the backend in use (reused: nothing to pay), or to create (1 credit). */
  created: z.boolean(),
  description: z.string().max(500).optional(),
  /** Its front view, as a webview URI, when it is a file of the workspace. */
  thumbnail: z.string().max(8192).optional(),
  /** What is wrong with it (its storyboard no longer defines it), if anything. */
  problem: z.string().max(1000).optional(),
});
export type ElementInfo = z.infer<typeof ElementInfo>;

/** Dropped files come as a few URIs at most: more is not a drop the composer can use. */
const DROPPED_URIS_MAX = 20;
/** A dropped image's bytes, as base64: a frame is at most 10 MB, with room for base64's third more. */
export const DROPPED_FILE_BASE64_MAX = Math.ceil((10 * 1024 * 1024) / 3) * 4 + 16;

// ---- page → host ----
export const ReadyMessage = z.strictObject({ type: z.literal('composer/ready') });
export const GenerateMessage = z.strictObject({ type: z.literal('composer/generate'), draft: ComposerDraft });
export const SaveAsStoryboardMessage = z.strictObject({
  type: z.literal('composer/saveAsStoryboard'),
  draft: ComposerDraft,
  source: StoryboardSource.optional(),
});
export const RefreshBalanceMessage = z.strictObject({ type: z.literal('composer/refreshBalance') });
export const ShowTasksMessage = z.strictObject({ type: z.literal('composer/showTasks') });
/** The page's "Set API Key…" and "Try the simulator" links: a choice of two, never a command id from the page. */
export const SetUpMessage = z.strictObject({ type: z.literal('composer/setUp'), action: z.enum(SETUP_ACTIONS) });
/** "Choose File…" beside an image: the host opens its file picker. */
export const ChooseImageMessage = z.strictObject({ type: z.literal('composer/chooseImage'), target: ImageTarget });
/** Files dropped on an image (from the Explorer, or the OS when it gives their URIs): the first one is used. */
export const DropImageMessage = z.strictObject({
  type: z.literal('composer/dropImage'),
  target: ImageTarget,
  uris: z.array(z.string().max(4096)).min(1).max(DROPPED_URIS_MAX),
});
/** A file dropped from the OS that came without a URI (a browser): its bytes, to save into the workspace if the user agrees. */
export const DropImageFileMessage = z.strictObject({
  type: z.literal('composer/dropImageFile'),
  target: ImageTarget,
  name: z.string().min(1).max(255),
  base64: z.string().max(DROPPED_FILE_BASE64_MAX),
});
/** The page asks what the host knows of its images and elements (after a load, a reload, each change of them). */
export const DescribeMessage = z.strictObject({
  type: z.literal('composer/describe'),
  refs: z.array(ImageRef).max(ELEMENTS_MAX * 4 + 2),
  elements: z.array(DraftElement).max(ELEMENTS_MAX),
});
/** "Add from Storyboards…": the host lists the elements the workspace's storyboards define. */
export const AddElementsMessage = z.strictObject({ type: z.literal('composer/addElements') });

/**
 * The page's whole state (a PageState, parsed by the host with composerPageState's schema: this module cannot name
 * it without a cycle), sent after each change: the host hands it to the other place when the composer moves between
 * the side bar and an editor tab, so there is one draft.
 */
export const StateMessage = z.strictObject({ type: z.literal('composer/state'), state: z.unknown() });
/** "Open Composer in Editor" (the view's placeholder button, while the draft is in the editor tab: show that tab). */
export const OpenInEditorMessage = z.strictObject({ type: z.literal('composer/openInEditor') });

export const PageMessage = z.discriminatedUnion('type', [
  ReadyMessage,
  GenerateMessage,
  SaveAsStoryboardMessage,
  RefreshBalanceMessage,
  ShowTasksMessage,
  SetUpMessage,
  ChooseImageMessage,
  DropImageMessage,
  DropImageFileMessage,
  DescribeMessage,
  AddElementsMessage,
  StateMessage,
  OpenInEditorMessage,
]);
export type PageMessage = z.infer<typeof PageMessage>;

// ---- host → page ----
export const ContextMessage = z.strictObject({
  type: z.literal('composer/context'),
  backend: z.enum(['api', 'simulator']),
  /** A key is set, or the simulator is chosen. */
  ready: z.boolean(),
  trusted: z.boolean(),
  balance: Balance,
  /** To the side bar's page: the draft is in the editor tab ("Open Composer in Editor"), so this page shows where. */
  elsewhere: z.boolean().optional(),
});
export const BalanceMessage = z.strictObject({ type: z.literal('composer/balance'), balance: Balance });
/** "Edit in composer": replace the form (the page keeps the previous draft to restore). */
export const LoadMessage = z.strictObject({
  type: z.literal('composer/load'),
  draft: ComposerDraft,
  /** Where the draft came from, in words: 'teaser in boards/launch.kling.json', 'the video "A red kite…"'. */
  from: z.string().max(300),
  /** The storyboard video, when it came from one: Save as Storyboard… then offers to update it. */
  source: StoryboardSource.optional(),
  /** What could not be brought into the form, in a sentence each. */
  notes: z.array(z.string()),
});
/** An image chosen (picked, dropped, copied in) for `target`, or why none was taken. */
export const ImageChosenMessage = z.strictObject({
  type: z.literal('composer/imageChosen'),
  target: ImageTarget,
  ref: ImageRef.optional(),
  problem: z.string().max(1000).optional(),
});
/** The answer to 'composer/describe': each image by ref, each element in the order asked. */
export const DescribedMessage = z.strictObject({
  type: z.literal('composer/described'),
  images: z.record(z.string(), ImageInfo),
  elements: z.array(ElementInfo),
});
/** Elements picked from the workspace's storyboards, to add to the form's list. */
export const ElementsChosenMessage = z.strictObject({ type: z.literal('composer/elementsChosen'), elements: z.array(DraftElement).max(ELEMENTS_MAX) });
/** The end of a Generate: created (the task is in the Tasks view) or stopped (a guard or an error said why). */
export const SubmittedMessage = z.strictObject({
  type: z.literal('composer/submitted'),
  outcome: z.enum(['created', 'stopped']),
  label: z.string().optional(),
});
export const SavedMessage = z.strictObject({ type: z.literal('composer/saved'), source: StoryboardSource.optional() });

/** The draft handed over from the other place (side bar ↔ editor tab): the page takes this state as its own. */
export const RestoreMessage = z.strictObject({ type: z.literal('composer/restore'), state: z.unknown() });

export const HostMessage = z.discriminatedUnion('type', [
  ContextMessage,
  BalanceMessage,
  LoadMessage,
  SubmittedMessage,
  SavedMessage,
  ImageChosenMessage,
  DescribedMessage,
  ElementsChosenMessage,
  RestoreMessage,
]);
export type HostMessage = z.infer<typeof HostMessage>;

export type PageMessageResult = Parsed<PageMessage>;

/** Parses a message from the page; the reason, when it is refused, is short enough for a log line. */
export function parsePageMessage(data: unknown): PageMessageResult {
  return parseMessage(PageMessage, data);
}
