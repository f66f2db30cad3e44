/** Spending at a glance: a holder's months of spending by category (functions/domain/spending.ts). */
import { campusDay, monthRange, recentMonths } from '../../shared/campus-day';
import type { MerchantCategory } from '../../shared/vocabulary';
import type { Deps } from '../deps';
import { spendingByMonth, type MonthSpending } from '../domain/spending';
import { entryFieldsInRange } from '../store/ledger';
import { merchantsNamedBy } from '../store/terminals';

export async function holderSpending(deps: Pick<Deps, 'db' | 'clock'>, accountNo: string, monthCount: number): Promise<{ months: MonthSpending[] }> {
  const today = campusDay(deps.clock());
  const months = recentMonths(today, monthCount).reverse();
  // One Query of the months' sort keys, four fields each: half a year of a busy holder is a few hundred items.
  const entries = await entryFieldsInRange(deps.db, accountNo, monthRange(months[0]!).from, today, ['type', 'amountFen', 'campusDay', 'merchantId']);
  const categories = new Map<string, MerchantCategory>([...(await merchantsNamedBy(deps.db, entries))].map(([id, merchant]) => [id, merchant.category]));
  return { months: spendingByMonth(months, entries, categories) };
}
