/**
 * Test entries written by hand (audit rule tests): the transfers a movement of that kind makes for
 * the entry's delta, so that a hand-made entry is double entry like a planned one. Only for tests:
 * production derives the delta from the transfers (domain/chart.ts deltaOf), never the reverse.
 */
import { fundingAccountOf, holder, system, type Transfer } from '../../functions/domain/chart';
import type { LedgerEntry } from '../../functions/domain/ledger';

type Loose = Omit<LedgerEntry, 'transfers' | 'type'> & { type: LedgerEntry['type']; transfers?: unknown };

export function withTransfers(entry: Loose): LedgerEntry {
  const { accountNo, delta: d, amountFen } = entry;
  const balance = holder.balance(accountNo);
  const transitional = holder.transitional(accountNo);
  const wallet = holder.smallWallet(accountNo);
  const merchant = system.merchantPayable(entry.merchantId ?? 'M1');
  const t = (debit: Transfer['debit'], credit: Transfer['credit'], fen: number): Transfer => ({ debit, credit, amountFen: fen });
  let transfers: Transfer[];
  switch (entry.type) {
    case 'topup':
      transfers = [t(fundingAccountOf(entry.channel), balance, d.balanceFen)];
      break;
    case 'transitional_credit':
      transfers = [t(fundingAccountOf(entry.channel), transitional, d.transitionalFen)];
      break;
    case 'purchase':
    case 'utility_payment':
      transfers = [t(balance, merchant, -d.balanceFen)];
      break;
    case 'refund':
      transfers = [t(merchant, balance, d.balanceFen)];
      break;
    case 'deposit_refund':
      transfers = [t(balance, fundingAccountOf(entry.channel), -d.balanceFen)];
      break;
    case 'fee':
      transfers = [t(transitional, balance, -d.transitionalFen), t(balance, system.feeIncome, -(d.balanceFen + d.transitionalFen))];
      break;
    case 'adjustment':
    case 'levelling':
      transfers = [d.balanceFen >= 0 ? t(system.adjustments, balance, d.balanceFen) : t(balance, system.adjustments, -d.balanceFen)];
      break;
    case 'card_load':
    case 'transitional_release':
      transfers = [t(transitional, balance, d.balanceFen)];
      break;
    case 'small_wallet_preload':
      transfers = [t(balance, wallet, d.smallWalletFen)];
      break;
    case 'small_wallet_settle':
      transfers = [t(wallet, merchant, amountFen), t(wallet, balance, d.balanceFen)];
      break;
    case 'cancellation_refund':
    case 'closing_settlement': {
      const to = entry.destination === 'cash' ? system.cashDesk : system.refundsPayable;
      transfers = [t(balance, to, -d.balanceFen), t(transitional, to, -d.transitionalFen), t(wallet, to, -d.smallWalletFen)];
      break;
    }
  }
  const atMerchant = entry.type === 'purchase' || entry.type === 'utility_payment' || entry.type === 'refund' || entry.type === 'small_wallet_settle';
  return { ...entry, ...(atMerchant ? { merchantId: entry.merchantId ?? 'M1' } : {}), transfers: transfers.filter((transfer) => transfer.amountFen > 0) } as LedgerEntry;
}
