/**
 * The terminal's day: the sales it took today (campus day) and their totals, for the cashier's
 * refund pick and the day's close. Read from the merchant's payable day index (gsi2/gsi3
 * SYS#merchant:<id>:payable#<day>, the same one settlement reads), which every sale and refund of
 * the merchant is on, written with the entry itself; this terminal's are kept (functions/domain/pos-day.ts).
 * No index of its own, so no extra write on any payment; the cost is the merchant's day (docs/kiosk.md).
 */
import { POS_DAY_LIMIT } from '../../shared/api/kiosk';
import type { Deps } from '../deps';
import { maskHolderName } from '../domain/account';
import { campusDay } from '../domain/campus-day';
import { system } from '../domain/chart';
import type { Terminal } from '../domain/merchant';
import { dayTotals, terminalSales, type DaySale } from '../domain/pos-day';
import { getAccounts } from '../store/accounts';
import { getOfflineRecord } from '../store/offline';
import { systemAccountEntries } from '../store/system-accounts';

export async function terminalDay(deps: Pick<Deps, 'db' | 'clock'>, terminal: Terminal) {
  const day = campusDay(deps.clock());
  const sales = terminalSales(await systemAccountEntries(deps.db, system.merchantPayable(terminal.merchantId), day), terminal.terminalId);
  const shown = sales.slice(0, POS_DAY_LIMIT);
  const [holders] = await Promise.all([
    getAccounts(deps.db, [...new Set(shown.flatMap((sale) => (sale.accountNo ? [sale.accountNo] : [])))]),
    // An offline sale's method is on its upload record (a card or a QR code): few a day, each read once.
    ...sales.map(async (sale) => {
      if (!sale.offline) return;
      if ((await getOfflineRecord(deps.db, terminal.terminalId, sale.posTxnId))?.tokenId) sale.method = 'qr';
    }),
  ]);
  const names = new Map(holders.map((account) => [account.accountNo, account.holderName]));
  const view = ({ accountNo, ...sale }: DaySale) => {
    const name = accountNo ? names.get(accountNo) : undefined;
    return { ...sale, ...(name !== undefined ? { holderDisplayName: maskHolderName(name) } : {}) };
  };
  return {
    terminalId: terminal.terminalId,
    campusDay: day,
    sales: shown.map(view),
    truncated: sales.length > shown.length,
    // The whole day, listed or not.
    totals: dayTotals(sales),
  };
}
