import * as vscode from 'vscode';
import type { JournalEntry } from '../../core/journal/taskState';
import type { Backend } from '../../core/journal/taskState';
import { klingSettings } from '../settings/klingSettings';

export interface Spend {
  usd: number;
  credits: string;
  /** What is being paid for, in a few words: "hero (5 s, 720p)" or "3 videos". */
  what: string;
  backend: Backend;
  /** Lines under the question, e.g. each video of a storyboard with its price. */
  detail?: string | undefined;
}

/** The question put to the user before spending: the dialog's message and detail, and the button that says yes. */
export interface SpendQuestion {
  message: string;
  detail: string;
  go: string;
}

export interface GuardOptions {
  /** The user already accepted this exact price (a step of their own that showed it). */
  alreadyConfirmed?: boolean | undefined;
  /** Ask even below klingStudio.confirmAboveUsd: several videos at once, whose total the user must see. */
  alwaysConfirm?: boolean | undefined;
  /** Puts the question; a modal dialog unless given (tests answer it themselves: no dialog shows there). */
  ask?: ((question: SpendQuestion) => Promise<boolean>) | undefined;
}

/** Dollars spent on this backend since local midnight, from the journal (tasks the service rejected are not in it). */
export function spentToday(entries: readonly JournalEntry[], backend: Backend, now = new Date()): number {
  const midnight = new Date(now.getFullYear(), now.getMonth(), now.getDate()).getTime();
  return entries
    .filter((e) => e.createdAt >= midnight && e.backend.kind === backend.kind)
    .reduce((sum, e) => sum + Number(e.price.usd), 0);
}

/** `$0.375`, `$1.125`, `$0.30`: every price in the table has at most four decimals, so four places are exact. */
export const money = (usd: number) => `$${usd.toFixed(4).replace(/0+$/, '').replace(/\.(\d?)$/, (_, d: string) => `.${d.padEnd(2, '0')}`)}`;

/**
 * The checks every generation passes before anything is sent, whichever way it was started: the workspace is
 * trusted, today's spending stays within klingStudio.dailyBudgetUsd, and above klingStudio.confirmAboveUsd the
 * user confirms with the price in front of them. Returns false when the generation must not go ahead.
 */
export async function passMoneyGuards(spend: Spend, entries: readonly JournalEntry[], options: GuardOptions = {}): Promise<boolean> {
  if (!vscode.workspace.isTrusted) {
    const manage = 'Manage Workspace Trust';
    const picked = await vscode.window.showWarningMessage(
      'Kling Studio does not generate in Restricted Mode: trust this workspace to spend credits from it.',
      manage,
    );
    if (picked === manage) await vscode.commands.executeCommand('workbench.trust.manage');
    return false;
  }
  const simulated = spend.backend.kind === 'simulator';
  const budget = klingSettings.dailyBudgetUsd();
  if (budget !== undefined) {
    const spent = spentToday(entries, spend.backend);
    if (spent + spend.usd > budget + 1e-9) {
      const open = 'Open Settings';
      // Not awaited: the refusal is final whatever the user does with the message, and a render or a generation
      // must not stay pending until the notification is closed.
      void vscode.window
        .showWarningMessage(
          `Daily budget reached: ${money(spent)} of ${money(budget)} spent today${simulated ? ' on the simulator' : ''}, and ${spend.what} costs ${money(spend.usd)}. ` +
            'Raise "klingStudio.dailyBudgetUsd" in your user settings to generate more today.',
          open,
        )
        .then((picked) => (picked === open ? vscode.commands.executeCommand('workbench.action.openSettings', 'klingStudio.dailyBudgetUsd') : undefined));
      return false;
    }
  }
  if (!options.alreadyConfirmed && (options.alwaysConfirm || spend.usd > klingSettings.confirmAboveUsd())) {
    const question: SpendQuestion = {
      message: `Generate ${spend.what} for ${money(spend.usd)} (${spend.credits} credits)?`,
      detail: [
        spend.detail,
        simulated ? 'This runs on the built-in simulator: nothing real is generated or spent.' : 'Credits are charged when the task is created.',
      ]
        .filter(Boolean)
        .join('\n\n'),
      go: simulated ? 'Generate (simulated)' : `Spend ${money(spend.usd)}`,
    };
    if (options.ask) return options.ask(question);
    const picked = await vscode.window.showInformationMessage(question.message, { modal: true, detail: question.detail }, question.go);
    return picked === question.go;
  }
  return true;
}
