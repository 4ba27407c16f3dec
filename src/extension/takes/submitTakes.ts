import * as vscode from 'vscode';
import type { JournalEntry } from '../../core/journal/taskState';
import { videoClaimRef } from '../../core/claims/claimStore';
import { formatAmount, multiplyAmount, parseAmount } from '../../core/pricing/decimal';
import type { SubmitDraft } from '../../core/tasks/taskEngine';
import { passMoneyGuards, type GuardOptions } from '../generate/moneyGuard';
import { outgoingDetail, submitGeneration, type GenerationServices } from '../generate/submitGeneration';

/**
 * Several takes of one video made from a form (the composer's Variants): one question with the whole price (every
 * take is paid for), then one task per take, each claimed apart so that each is created once. The first to arrive
 * becomes the video; the others are kept as its takes. Stops at the first create that does not go through (its
 * error is shown): the takes not sent are not paid for.
 */
export async function submitTakes(
  services: GenerationServices,
  draft: SubmitDraft,
  takes: number,
  options: { what: string; retry?: (() => unknown) | undefined; ask?: GuardOptions['ask'] },
): Promise<JournalEntry[]> {
  if (takes <= 1) {
    const entry = await submitGeneration(services, draft, { what: options.what, retry: options.retry });
    return entry ? [entry] : [];
  }
  const usd = multiplyAmount(parseAmount(draft.price.usd), takes);
  const credits = multiplyAmount(parseAmount(draft.price.credits), takes);
  const allowed = await passMoneyGuards(
    {
      usd,
      credits: formatAmount(credits),
      what: vscode.l10n.t('{0} takes of {1}', takes, options.what),
      backend: draft.backend,
      detail: [vscode.l10n.t('{0} tasks of the same request, each a take to compare and choose from; each is paid for.', takes), outgoingDetail(draft)].filter(Boolean).join('\n\n'),
    },
    services.tasks.entries(),
    { alwaysConfirm: true, ask: options.ask },
  );
  if (!allowed) return [];
  return submitConfirmedTakes(services, draft, takes, options);
}

/**
 * The tasks of `takes` takes whose whole price the user has already accepted: one task per take, each claimed apart
 * (take 1 as a single video is), so that each is created once. Stops at the first create that does not go through.
 */
export async function submitConfirmedTakes(
  services: GenerationServices,
  draft: SubmitDraft,
  takes: number,
  options: { what: string; retry?: (() => unknown) | undefined },
): Promise<JournalEntry[]> {
  if (takes <= 1) {
    const entry = await submitGeneration(services, draft, { what: options.what, alreadyConfirmed: true, retry: options.retry });
    return entry ? [entry] : [];
  }
  const entries: JournalEntry[] = [];
  for (let take = 1; take <= takes; take++) {
    const entry = await submitGeneration(
      services,
      {
        ...draft,
        label: `${draft.label} (take ${take})`,
        claim: draft.outputPath ? videoClaimRef(draft.outputPath, draft.requestHash, draft.backend, take) : undefined,
      },
      { what: vscode.l10n.t('take {0} of {1} of {2}', take, takes, options.what), alreadyConfirmed: true, retry: options.retry },
    );
    if (!entry) break;
    entries.push(entry);
  }
  return entries;
}
