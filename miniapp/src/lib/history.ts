/** History screen logic: months, filters, signed amounts. Campus days are Beijing dates. */
import { SHANGHAI_OFFSET_MS } from '@shared/campus-day';
import { formatYuan } from '@shared/money';
import type { MovementType } from '@shared/vocabulary';
import type { LedgerEntry } from './api';
import type { TextKey } from './i18n';

export { monthRange, recentMonths } from '@shared/campus-day';

export type HistoryFilterName = 'all' | 'spending' | 'topups' | 'refunds' | 'other';

export const HISTORY_FILTERS: { name: HistoryFilterName; label: TextKey; types?: MovementType[] }[] = [
  { name: 'all', label: 'history.all' },
  { name: 'spending', label: 'history.spending', types: ['purchase', 'fee', 'utility_payment'] },
  { name: 'topups', label: 'history.topups', types: ['topup', 'transitional_credit'] },
  { name: 'refunds', label: 'history.refunds', types: ['refund', 'cancellation_refund'] },
  { name: 'other', label: 'history.other', types: ['adjustment', 'card_load', 'small_wallet_preload', 'small_wallet_settle'] },
];

/** What the entry did to the holder's money in all purses (a card load or small-wallet move is 0). */
export function netChangeFen(entry: Pick<LedgerEntry, 'delta'>): number {
  return entry.delta.balanceFen + entry.delta.transitionalFen + entry.delta.smallWalletFen;
}

/** "+50.00", "-12.50"; a move between purses (net 0) shows its amount unsigned. */
export function signedAmountText(entry: Pick<LedgerEntry, 'delta' | 'amountFen'>): string {
  const change = netChangeFen(entry);
  return `${change > 0 ? '+' : change < 0 ? '-' : ''}${formatYuan(Math.abs(change) || entry.amountFen)}`;
}

/** Local time of day in Beijing, "HH:MM", and the date "MM-DD", for list rows. */
export function beijingTime(iso: string): { date: string; time: string; full: string } {
  const shifted = new Date(Date.parse(iso) + SHANGHAI_OFFSET_MS).toISOString();
  return { date: shifted.slice(5, 10), time: shifted.slice(11, 16), full: `${shifted.slice(0, 10)} ${shifted.slice(11, 19)}` };
}
