/** Spending at a glance: which category an entry counts in, and a month's totals (functions/domain/spending.ts). */
import { describe, expect, it } from 'vitest';
import { spendingByMonth, spendingCategoryOf, type SpendingEntry } from '../../functions/domain/spending';
import type { MerchantCategory } from '../../shared/vocabulary';

const merchants = new Map<string, MerchantCategory>([
  ['CANTEEN', 'canteen'],
  ['SHOP', 'shop'],
  ['SHOWER', 'shower'],
  ['WATER', 'water'],
  ['CLINIC', 'clinic'],
]);
const entry = (campusDay: string, type: SpendingEntry['type'], amountFen: number, merchantId?: string): SpendingEntry => ({ campusDay, type, amountFen, ...(merchantId ? { merchantId } : {}) });
const line = (months: ReturnType<typeof spendingByMonth>, month: string, category: string) => months.find((m) => m.month === month)!.byCategory.find((l) => l.category === category)!;

describe('spending categories', () => {
  it('groups water and showers, names bills utilities, and the rest other', () => {
    expect(spendingCategoryOf({ type: 'purchase' }, 'canteen')).toBe('canteen');
    expect(spendingCategoryOf({ type: 'purchase' }, 'shop')).toBe('shop');
    expect(spendingCategoryOf({ type: 'purchase' }, 'shower')).toBe('water');
    expect(spendingCategoryOf({ type: 'small_wallet_settle' }, 'water')).toBe('water');
    expect(spendingCategoryOf({ type: 'utility_payment' }, undefined)).toBe('utilities');
    expect(spendingCategoryOf({ type: 'purchase' }, 'utility')).toBe('utilities');
    expect(spendingCategoryOf({ type: 'purchase' }, 'clinic')).toBe('other');
    expect(spendingCategoryOf({ type: 'fee' }, undefined)).toBe('other');
  });
});

describe('spending by month', () => {
  it('totals each month and category, in the months asked for, and counts only what statements count as spending', () => {
    const months = spendingByMonth(
      ['2026-10', '2026-11'],
      [
        entry('2026-10-03', 'purchase', 1_200, 'CANTEEN'),
        entry('2026-10-31', 'purchase', 800, 'SHOP'),
        entry('2026-11-01', 'purchase', 1_500, 'CANTEEN'),
        entry('2026-11-02', 'purchase', 300, 'SHOWER'),
        entry('2026-11-02', 'small_wallet_settle', 200, 'WATER'),
        entry('2026-11-05', 'utility_payment', 5_000),
        entry('2026-11-06', 'purchase', 900, 'CLINIC'),
        entry('2026-11-07', 'topup', 10_000),
        entry('2026-11-07', 'adjustment', 700),
        entry('2026-09-30', 'purchase', 9_999, 'CANTEEN'), // before the months asked for
      ],
      merchants,
    );
    expect(months.map((m) => m.month)).toEqual(['2026-10', '2026-11']);
    expect(months[0]).toMatchObject({ totalFen: 2_000 });
    expect(line(months, '2026-10', 'canteen')).toEqual({ category: 'canteen', amountFen: 1_200, count: 1 });
    expect(line(months, '2026-10', 'shop')).toEqual({ category: 'shop', amountFen: 800, count: 1 });
    expect(months[1]).toMatchObject({ totalFen: 7_900 });
    expect(line(months, '2026-11', 'water')).toEqual({ category: 'water', amountFen: 500, count: 2 });
    expect(line(months, '2026-11', 'utilities')).toEqual({ category: 'utilities', amountFen: 5_000, count: 1 });
    expect(line(months, '2026-11', 'other')).toEqual({ category: 'other', amountFen: 900, count: 1 });
    // Every category is listed, in one order, even when nothing was spent on it.
    expect(months[0]!.byCategory.map((l) => l.category)).toEqual(['canteen', 'shop', 'water', 'utilities', 'other']);
  });

  it('takes a refund off its merchant’s category in the month refunded, never below zero', () => {
    const months = spendingByMonth(
      ['2026-10', '2026-11'],
      [entry('2026-10-20', 'purchase', 1_000, 'CANTEEN'), entry('2026-11-01', 'purchase', 400, 'CANTEEN'), entry('2026-11-02', 'refund', 1_000, 'CANTEEN'), entry('2026-10-21', 'purchase', 600, 'SHOP'), entry('2026-10-22', 'refund', 200, 'SHOP')],
      merchants,
    );
    expect(line(months, '2026-10', 'shop')).toEqual({ category: 'shop', amountFen: 400, count: 1 });
    expect(line(months, '2026-11', 'canteen')).toEqual({ category: 'canteen', amountFen: 0, count: 1 });
    expect(months[1]!.totalFen).toBe(0);
  });

  it('an entry of an unknown merchant counts as other', () => {
    expect(line(spendingByMonth(['2026-11'], [entry('2026-11-01', 'purchase', 100, 'GONE')], merchants), '2026-11', 'other').amountFen).toBe(100);
  });
});
