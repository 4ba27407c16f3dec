import * as vscode from 'vscode';
import type { Backend, JournalEntry } from '../../core/journal/taskState';
import { exceedsDailyBudget, spentToday } from '../../core/pricing/dailyBudget';
import { amountFromNumber, formatUsd, parseAmount, type Amount } from '../../core/pricing/decimal';
import { ensureTrusted } from '../trust/ensureTrusted';
import { klingSettings } from '../settings/klingSettings';

export interface Spend {
  /** Exact: the budget and the question add and compare it without float noise. */
  usd: Amount;
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


/** `$0.375`, `$1.125`, `$0.30`: a price as the journal and sidecars keep it (a decimal string), exactly. */
export const money = (usd: string | Amount): string => formatUsd(typeof usd === 'string' ? parseAmount(usd) : usd);

/**
 * The checks every generation passes before anything is sent, whichever way it was started: the workspace is
 * trusted, today's spending stays within klingStudio.dailyBudgetUsd, and above klingStudio.confirmAboveUsd the
 * user confirms with the price in front of them. Returns false when the generation must not go ahead.
 */
export async function passMoneyGuards(spend: Spend, entries: readonly JournalEntry[], options: GuardOptions = {}): Promise<boolean> {
  if (!(await ensureTrusted())) return false;
  const simulated = spend.backend.kind === 'simulator';
  const budget = klingSettings.dailyBudgetUsd();
  if (budget !== undefined) {
    const spent = spentToday(entries, spend.backend);
    if (exceedsDailyBudget(spent, spend.usd, budget)) {
      const open = vscode.l10n.t('Open Settings');
      // Not awaited: the refusal is final whatever the user does with the message, and a render or a generation
      // must not stay pending until the notification is closed.
      void vscode.window
        .showWarningMessage(
          `${
            simulated
              ? vscode.l10n.t('Daily budget reached: {0} of {1} spent today on the simulator, and {2} costs {3}.', money(spent), money(amountFromNumber(budget)), spend.what, money(spend.usd))
              : vscode.l10n.t('Daily budget reached: {0} of {1} spent today, and {2} costs {3}.', money(spent), money(amountFromNumber(budget)), spend.what, money(spend.usd))
          } ${vscode.l10n.t('Raise "{0}" in your user settings to generate more today.', 'klingStudio.dailyBudgetUsd')}`,
          open,
        )
        .then((picked) => (picked === open ? vscode.commands.executeCommand('workbench.action.openSettings', 'klingStudio.dailyBudgetUsd') : undefined));
      return false;
    }
  }
  if (!options.alreadyConfirmed && (options.alwaysConfirm || spend.usd > amountFromNumber(klingSettings.confirmAboveUsd()))) {
    const question: SpendQuestion = {
      message: vscode.l10n.t('Generate {0} for {1} ({2} credits)?', spend.what, money(spend.usd), spend.credits),
      detail: [
        spend.detail,
        simulated ? vscode.l10n.t('This runs on the built-in simulator: nothing real is generated or spent.') : vscode.l10n.t('Credits are charged when the task is created.'),
      ]
        .filter(Boolean)
        .join('\n\n'),
      go: simulated ? vscode.l10n.t('Generate (simulated)') : vscode.l10n.t('Spend {0}', money(spend.usd)),
    };
    if (options.ask) return options.ask(question);
    const picked = await vscode.window.showInformationMessage(question.message, { modal: true, detail: question.detail }, question.go);
    return picked === question.go;
  }
  return true;
}
