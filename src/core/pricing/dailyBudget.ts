import type { Backend, JournalEntry } from '../journal/taskState';
import { addAmounts, amountFromNumber, parseAmount, ZERO, type Amount } from './decimal';

/**
 * Dollars spent on this backend's kind since local midnight, from the journal (tasks the service rejected are not in
 * it), as an exact decimal: ten videos at $0.075 are $0.75, not 0.7499999999999999.
 */
export function spentToday(entries: readonly JournalEntry[], backend: Backend, now = new Date()): Amount {
  const midnight = new Date(now.getFullYear(), now.getMonth(), now.getDate()).getTime();
  return addAmounts(ZERO, ...entries.filter((e) => e.createdAt >= midnight && e.backend.kind === backend.kind).map((e) => parseAmount(e.price.usd)));
}

/** Whether spending `price` after `spent` goes over a daily budget of `budgetUsd` (the setting's number); reaching it exactly does not. */
export function exceedsDailyBudget(spent: Amount, price: Amount, budgetUsd: number): boolean {
  return addAmounts(spent, price) > amountFromNumber(budgetUsd);
}
