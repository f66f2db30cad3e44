/**
 * A held offline record decided by the card centre (DOMAIN.md, "Offline POS and reconciliation"):
 * the upload kept it without charging (the card was lost, the balance short...), and the merchant's
 * claim waits in the reconciliation queue. Approved, it is the offline purchase it would have been,
 * charged now: the holder's balance to the merchant's payable, once. Rejected, nothing moves.
 */
import { AppError } from '../app-error';
import { spentOn, type Account } from './account';
import { deltaOf, holder, system } from './chart';
import type { MovementPlan } from './ledger';

export interface HeldOfflineApproval {
  amountFen: number;
  merchantId: string;
  terminalId: string;
  recordId: string;
  /** The staff member who approved it, and why. */
  operator: string;
  reason: string;
}

/**
 * The purchase an approval posts. The payment happened at the POS long ago, so neither the account's
 * status nor today's limit refuses it (nor counts it); only the balance can. The chip is not
 * touched: whatever the card and the database disagree on is levelled at the counter, as before.
 */
export function planHeldOfflineApproval(account: Account, record: HeldOfflineApproval, today: string): MovementPlan {
  // A stored record's amount was checked at upload: anything else is a bug, not a refusal.
  if (!Number.isSafeInteger(record.amountFen) || record.amountFen <= 0) throw new Error(`a held offline record of ${record.amountFen}`);
  if (record.amountFen > account.balanceFen) throw new AppError('INSUFFICIENT_BALANCE', `${account.balanceFen} < ${record.amountFen}`);
  const transfers = [{ debit: holder.balance(account.accountNo), credit: system.merchantPayable(record.merchantId), amountFen: record.amountFen }];
  const delta = deltaOf(account.accountNo, transfers);
  return {
    after: { balanceFen: account.balanceFen + delta.balanceFen, transitionalFen: account.transitionalFen, smallWalletFen: account.smallWalletFen },
    dailySpentFen: spentOn(account, today),
    dailySpentDay: today,
    entry: {
      type: 'purchase',
      transfers,
      amountFen: record.amountFen,
      delta,
      channel: 'offline_pos',
      merchantId: record.merchantId,
      terminalId: record.terminalId,
      externalRef: record.recordId,
      operator: record.operator,
      reason: record.reason,
    },
  };
}
