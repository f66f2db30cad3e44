/**
 * Spending at a glance (消费分析): a holder's spending per month and category. Pure: the entries of the
 * months and the categories of the merchants they name in, totals out.
 */
import type { MerchantCategory, SpendingCategory } from '../../shared/vocabulary';
import { SPENDING_CATEGORIES } from '../../shared/vocabulary';
import { SPENDING_TYPES, type LedgerEntry } from './ledger';

export type SpendingEntry = Pick<LedgerEntry, 'type' | 'amountFen' | 'campusDay'> & { merchantId?: string };

export interface MonthSpending {
  month: string;
  totalFen: number;
  byCategory: { category: SpendingCategory; amountFen: number; count: number }[];
}

/** A merchant's category as the holder reads their spending: water and showers are one line, bills another. */
export function spendingCategoryOf(entry: Pick<SpendingEntry, 'type'>, merchantCategory: MerchantCategory | undefined): SpendingCategory {
  if (entry.type === 'utility_payment') return 'utilities';
  switch (merchantCategory) {
    case 'canteen':
    case 'shop':
      return merchantCategory;
    case 'water':
    case 'shower':
      return 'water';
    case 'utility':
      return 'utilities';
    default:
      return 'other';
  }
}

/**
 * Totals per month (the `months` given, in their order) and category. Spending is what statements count as
 * spending (SPENDING_TYPES) less refunds, each refund taken off its merchant's category in the month it was
 * refunded; a line is never below zero (a refund of last month's meal is not negative canteen spending).
 */
export function spendingByMonth(months: readonly string[], entries: readonly SpendingEntry[], categoryOfMerchant: ReadonlyMap<string, MerchantCategory>): MonthSpending[] {
  const totals = new Map(months.map((month) => [month, new Map(SPENDING_CATEGORIES.map((category) => [category, { amountFen: 0, count: 0 }]))]));
  for (const entry of entries) {
    const sign = SPENDING_TYPES.includes(entry.type) ? 1 : entry.type === 'refund' ? -1 : 0;
    if (!sign) continue;
    const month = totals.get(entry.campusDay.slice(0, 7));
    if (!month) continue;
    const line = month.get(spendingCategoryOf(entry, entry.merchantId ? categoryOfMerchant.get(entry.merchantId) : undefined))!;
    line.amountFen += sign * entry.amountFen;
    if (sign > 0) line.count += 1;
  }
  return months.map((month) => {
    const byCategory = SPENDING_CATEGORIES.map((category) => ({ category, ...totals.get(month)!.get(category)! })).map((line) => ({ ...line, amountFen: Math.max(0, line.amountFen) }));
    return { month, totalFen: byCategory.reduce((sum, line) => sum + line.amountFen, 0), byCategory };
  });
}
