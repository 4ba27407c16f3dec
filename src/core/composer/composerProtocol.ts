import { z } from 'zod';
import { ComposerDraft } from './composerForm';

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

/** The balance as the status bar knows it. */
export const Balance = z.discriminatedUnion('kind', [
  z.strictObject({ kind: z.literal('unknown') }),
  z.strictObject({ kind: z.literal('loading') }),
  z.strictObject({ kind: z.literal('known'), credits: z.number() }),
  z.strictObject({ kind: z.literal('error'), message: z.string() }),
]);
export type Balance = z.infer<typeof Balance>;

export const SETUP_ACTIONS = ['setApiKey', 'useSimulator'] as const;

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

export const PageMessage = z.discriminatedUnion('type', [
  ReadyMessage,
  GenerateMessage,
  SaveAsStoryboardMessage,
  RefreshBalanceMessage,
  ShowTasksMessage,
  SetUpMessage,
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
  /** What could not be brought into the form (images, elements), in a sentence each. */
  notes: z.array(z.string()),
});
/** The end of a Generate: created (the task is in the Tasks view) or stopped (a guard or an error said why). */
export const SubmittedMessage = z.strictObject({
  type: z.literal('composer/submitted'),
  outcome: z.enum(['created', 'stopped']),
  label: z.string().optional(),
});
export const SavedMessage = z.strictObject({ type: z.literal('composer/saved'), source: StoryboardSource.optional() });

export const HostMessage = z.discriminatedUnion('type', [ContextMessage, BalanceMessage, LoadMessage, SubmittedMessage, SavedMessage]);
export type HostMessage = z.infer<typeof HostMessage>;

export type PageMessageResult = { ok: true; message: PageMessage } | { ok: false; reason: string };

/** Parses a message from the page; the reason, when it is refused, is short enough for a log line. */
export function parsePageMessage(data: unknown): PageMessageResult {
  const result = PageMessage.safeParse(data);
  if (result.success) return { ok: true, message: result.data };
  const type = data !== null && typeof data === 'object' && typeof (data as { type?: unknown }).type === 'string' ? (data as { type: string }).type : undefined;
  const first = result.error.issues[0];
  const where = first && first.path.length > 0 ? ` at ${first.path.join('.')}` : '';
  return { ok: false, reason: `${type ? `"${type.slice(0, 60)}"` : 'a message without a type'}: ${first?.message ?? 'invalid'}${where}` };
}
