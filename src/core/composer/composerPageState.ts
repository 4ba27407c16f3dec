// The page's words: @vscode/l10n, no VS Code API (the composer page configures it; elsewhere it is English).
import * as l10n from '@vscode/l10n';
import { z } from 'zod';
import { formatAmount, formatCredits, formatUsd } from '../pricing/decimal';
import { formatBytes } from '../text/formatBytes';
import { ComposerDraft, emptyDraft, type DraftCheck, type FieldKey } from './composerForm';
import type { Balance } from '../api/balance';
import { StoryboardSource, type ImageInfo } from './composerProtocol';

// What the composer page keeps with setState (so a hidden or reloaded view comes back as it was left) and how it
// turns a check into what the user sees. No DOM here: the page renders these, the unit tests call them.

const FIELD_KEY = /^(prompt|negative_prompt|duration|shots|form|image|end_image|elements|callback_url|file_name|element\.\d|shot\.\d\.(prompt|duration))$/;

export const PageState = z.strictObject({
  version: z.literal(1),
  draft: ComposerDraft,
  /** The draft an "Edit in composer" replaced, until the user restores it or moves on. */
  previous: ComposerDraft.optional(),
  /** The storyboard video the form was loaded from or saved to. */
  source: StoryboardSource.optional(),
  /** Where a loaded draft came from, in words. */
  from: z.string().max(300).optional(),
  /** Fields the user has changed: their messages show; an untouched empty form is not scolded. */
  touched: z.array(z.string().regex(FIELD_KEY)).max(64),
  /** Every message shows (after a Generate was tried, or a video was loaded). */
  showAll: z.boolean(),
  /** What a load could not bring into the form. */
  notes: z.array(z.string().max(500)).max(10),
});
export type PageState = z.infer<typeof PageState>;

export function freshPageState(): PageState {
  return { version: 1, draft: emptyDraft(), touched: [], showAll: false, notes: [] };
}

/** The state the page saved, or a fresh one when there is none or it is not what this version wrote. */
export function restorePageState(saved: unknown): PageState {
  const parsed = PageState.safeParse(saved);
  return parsed.success ? parsed.data : freshPageState();
}

/** The messages to show now: those of touched fields, or all of them. */
export function visibleProblems(check: DraftCheck, state: Pick<PageState, 'touched' | 'showAll'>): Partial<Record<FieldKey, string>> {
  if (state.showAll) return check.problems;
  const shown: Partial<Record<FieldKey, string>> = {};
  for (const [key, message] of Object.entries(check.problems) as Array<[FieldKey, string]>) {
    // A shot total is about every shot and the duration: it shows once any of them was touched.
    const touched = key === 'shots' ? state.touched.some((t) => t === 'duration' || t.startsWith('shot')) : state.touched.includes(key);
    if (touched || key === 'form') shown[key] = message;
  }
  return shown;
}

export function markTouched(state: PageState, key: FieldKey): PageState {
  return state.touched.includes(key) ? state : { ...state, touched: [...state.touched, key] };
}

/**
 * "$0.389" and "28 credits" for the price line (every take of Variants, and the elements to create with it), or
 * undefined while the duration is not valid; `newElements` says how many of those credits are new elements, `takes`
 * is set only for Variants (so the line for one take reads as it did).
 */
export function priceText(
  check: DraftCheck,
): { usd: string; credits: string; exactCredits: string; seconds: number; newElements: number; imageToVideo: boolean; takes?: number } | undefined {
  if (!check.price || !check.total) return undefined;
  const text = {
    usd: formatUsd(check.total.usd),
    // Two places where it is read; the exact amount (what is billed) in the tooltip.
    credits: l10n.t('{0} credits', formatCredits(check.total.credits)),
    exactCredits: l10n.t('{0} credits', formatAmount(check.total.credits)),
    seconds: check.price.seconds,
    newElements: check.total.newElements,
    imageToVideo: check.imageToVideo,
  };
  return check.takes > 1 ? { ...text, takes: check.takes } : text;
}

/** The balance line: what the status bar knows, said for the backend in use. */
export function balanceText(balance: Balance, backend: 'api' | 'simulator', ready: boolean): string {
  if (!ready) return l10n.t('Balance: set an API key to see it');
  const where = backend === 'simulator' ? l10n.t(' (simulator)') : '';
  switch (balance.kind) {
    case 'known':
      return `${l10n.t('Balance: {0} credits', Math.floor(balance.credits).toLocaleString('en-US'))}${where}`;
    case 'loading':
      return `${l10n.t('Balance: checking…')}${where}`;
    case 'error':
      return l10n.t('Balance unavailable: {0}', balance.message);
    case 'unknown':
      return `${l10n.t('Balance: unknown')}${where}`;
  }
}

/**
 * The balance as the compact footer shows it beside the price ("9,928 left"); the whole sentence (balanceText) is what
 * screen readers hear and the tooltip says.
 */
export function balanceShortText(balance: Balance, ready: boolean): string {
  if (!ready) return l10n.t('No API key');
  switch (balance.kind) {
    case 'known':
      return l10n.t('{0} left', Math.floor(balance.credits).toLocaleString('en-US'));
    case 'loading':
      return l10n.t('Balance…');
    case 'error':
      return l10n.t('Balance unavailable');
    case 'unknown':
      return l10n.t('Balance unknown');
  }
}

/** True when the price is known to be more than what is left. */
export function exceedsBalance(check: DraftCheck, balance: Balance): boolean {
  if (!check.total || balance.kind !== 'known') return false;
  return Number(formatAmount(check.total.credits)) > balance.credits;
}

/** Why Generate is disabled, in one sentence, or undefined when it is not. */
export function generateBlocker(check: DraftCheck): string | undefined {
  if (check.problemCount === 0) return undefined;
  const first = Object.values(check.problems)[0]!;
  return check.problemCount === 1 ? first : `${first} (and ${check.problemCount - 1} more to fix)`;
}

/** "640×640 · PNG · 12 KB": what the page prints beside a thumbnail. */
export function imageSummary(info: Extract<ImageInfo, { ok: true }>): string {
  return `${info.width}×${info.height} · ${info.type.toUpperCase()} · ${formatBytes(info.bytes)}`;
}
