/**
 * The audit rule, pure: an account's purses must equal the sums of its ledger's deltas, every
 * entry's `after` must equal the running sums in ledger order, and nothing may ever be negative.
 */
import { PURSE_NAMES, type Account } from './account';
import type { LedgerEntry, MovementType } from './ledger';

/** The only movements that may take money out of the transitional balance (to the chip, to the balance, or refunded at closing). */
const TRANSITIONAL_OUT: readonly MovementType[] = ['card_load', 'transitional_release', 'cancellation_refund', 'closing_settlement', 'fee'];

export interface AuditFinding {
  accountNo: string;
  problem: string;
}

/** `entries` in ledger (key) order, oldest first. */
export function auditAccount(account: Account, entries: LedgerEntry[]): AuditFinding[] {
  const findings: AuditFinding[] = [];
  const report = (problem: string) => findings.push({ accountNo: account.accountNo, problem });
  const running = { balanceFen: 0, transitionalFen: 0, smallWalletFen: 0 };
  for (const entry of entries) {
    for (const purse of PURSE_NAMES) {
      running[purse] += entry.delta[purse];
      if (entry.after[purse] !== running[purse]) {
        report(`entry ${entry.entryId} (${entry.type}): ${purse} after is ${entry.after[purse]}, the ledger before it sums to ${running[purse]}`);
      }
      if (running[purse] < 0) report(`entry ${entry.entryId} (${entry.type}): ${purse} goes negative (${running[purse]})`);
    }
    if (!Number.isSafeInteger(entry.amountFen) || entry.amountFen < 0) report(`entry ${entry.entryId}: amount ${entry.amountFen} is not whole non-negative fen`);
    // A fee takes transitional balance only as a replacement's release, which says how much.
    const transitionalOut = -entry.delta.transitionalFen;
    if (transitionalOut > 0 && (!TRANSITIONAL_OUT.includes(entry.type) || (entry.type === 'fee' && entry.releasedTransitionalFen !== transitionalOut))) {
      report(`entry ${entry.entryId} (${entry.type}): takes ${transitionalOut} out of the transitional balance, which this movement may not`);
    }
  }
  for (const purse of PURSE_NAMES) {
    if (account[purse] !== running[purse]) report(`${purse} is ${account[purse]}, its ledger sums to ${running[purse]} (difference ${account[purse] - running[purse]})`);
    if (account[purse] < 0) report(`${purse} is negative (${account[purse]})`);
  }
  return findings;
}
