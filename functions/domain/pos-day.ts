/**
 * A terminal's day, pure: from the entries of its merchant's payable day (holder purchases and
 * refunds, payment-code sales), this terminal's sales newest first, what was refunded of each, and
 * the totals by method. Storage and names are the service's (functions/services/pos-day.ts).
 */
import { system } from './chart';
import type { LedgerEntry, SystemEntry } from './ledger';

export type SaleMethod = 'card' | 'qr' | 'wechat' | 'alipay';
export const SALE_METHODS: readonly SaleMethod[] = ['card', 'qr', 'wechat', 'alipay'];

export interface DaySale {
  receiptNo: string;
  posTxnId: string;
  postedAt: string;
  amountFen: number;
  method: SaleMethod;
  /** Taken offline and uploaded: its method (card or QR) is on the upload record, read by the service. */
  offline?: true;
  refundedFen: number;
  /** The holder who paid (absent for payment-code sales: the payer is not a holder). */
  accountNo?: string;
}

export interface DayTotal {
  count: number;
  amountFen: number;
  refundedFen: number;
}

const isLedgerEntry = (entry: LedgerEntry | SystemEntry): entry is LedgerEntry => 'accountNo' in entry && typeof entry.accountNo === 'string';

/** This terminal's sales among the merchant's day, newest first, each with what was refunded of it in that day. */
export function terminalSales(entries: readonly (LedgerEntry | SystemEntry)[], terminalId: string): DaySale[] {
  // Refunds by the receipt they refund, wherever they were made (this terminal or the card centre).
  const refunded = new Map<string, number>();
  for (const entry of entries) {
    if (isLedgerEntry(entry) && entry.type === 'refund' && entry.refundOf) refunded.set(entry.refundOf, (refunded.get(entry.refundOf) ?? 0) + entry.amountFen);
  }
  const sales: DaySale[] = [];
  for (const entry of entries) {
    if (entry.terminalId !== terminalId) continue;
    if (isLedgerEntry(entry)) {
      if (entry.type !== 'purchase') continue;
      sales.push({
        receiptNo: entry.receiptNo,
        posTxnId: entry.externalRef,
        postedAt: entry.createdAt,
        amountFen: entry.amountFen,
        method: entry.channel === 'qr' ? 'qr' : 'card',
        ...(entry.channel === 'offline_pos' ? { offline: true as const } : {}),
        refundedFen: refunded.get(entry.receiptNo) ?? 0,
        accountNo: entry.accountNo,
      });
    } else if (entry.type === 'payment_code_sale') {
      sales.push({
        receiptNo: entry.entryId,
        posTxnId: entry.externalRef,
        postedAt: entry.createdAt,
        amountFen: entry.amountFen,
        method: entry.transfers[0]?.debit === system.clearing('alipay') ? 'alipay' : 'wechat',
        refundedFen: refunded.get(entry.entryId) ?? 0,
      });
    }
  }
  // Newest first; the receipt (a ULID) orders sales of the same millisecond.
  return sales.sort((a, b) => (a.postedAt !== b.postedAt ? (a.postedAt < b.postedAt ? 1 : -1) : a.receiptNo < b.receiptNo ? 1 : a.receiptNo > b.receiptNo ? -1 : 0));
}

export function dayTotals(sales: readonly Pick<DaySale, 'method' | 'amountFen' | 'refundedFen'>[]): DayTotal & { byMethod: Record<SaleMethod, DayTotal> } {
  const zero = (): DayTotal => ({ count: 0, amountFen: 0, refundedFen: 0 });
  const totals = { ...zero(), byMethod: { card: zero(), qr: zero(), wechat: zero(), alipay: zero() } };
  for (const sale of sales) {
    for (const bucket of [totals, totals.byMethod[sale.method]]) {
      bucket.count += 1;
      bucket.amountFen += sale.amountFen;
      bucket.refundedFen += sale.refundedFen;
    }
  }
  return totals;
}
