/**
 * A platform's daily bill against our books of that day: the clearing account's credits of the
 * payments of that day (what the ledger says came in through the channel) and the orders the rows
 * name. Each bill row is looked at once (a row the bill repeats is counted once) and ends matched,
 * as a credit to make (paid, never credited: no notification came), or as a finding for the card
 * centre. Every payment the ledger credited from the channel for that day must be in the bill, for
 * the same amount.
 */
import type { FindingKind } from '../../shared/vocabulary';
import type { BillRow, PaymentChannelName } from '../payments/channel';
import type { LedgerEntry, SystemEntry } from './ledger';
import type { TopupOrder } from './topup';
import { campusDay } from './campus-day';

/** The day whose bills a run at `now` reconciles: the campus day before its own (bills of day D are ready the next morning). */
export function billDayFor(now: Date): string {
  return campusDay(new Date(now.getTime() - 24 * 3_600_000));
}

/** A difference for the card centre, before it is stored (the store gives it its id and state). */
export interface FindingDraft {
  kind: FindingKind;
  channel: PaymentChannelName;
  /** What it is about on the platform: the payment's transaction id, or `<txn>/<refundId>` for a refund. */
  ref: string;
  orderId?: string;
  /** What the bill says, fen. */
  billFen?: number;
  /** What we have, fen. */
  oursFen?: number;
  detail: string;
}

/** A paid order we never credited: credit it the way a notification would have. */
export interface BillCredit {
  orderId: string;
  platformTxnId: string;
  amountFen: number;
  paidAt: string;
}

export interface BillComparison {
  /** Distinct rows looked at. */
  rows: number;
  /** Rows the bill repeated (counted once). */
  duplicates: number;
  matched: number;
  credits: BillCredit[];
  findings: FindingDraft[];
}

export interface BillRecords {
  channel: PaymentChannelName;
  /** The bill's rows (any order, repeats allowed). */
  rows: readonly BillRow[];
  /** Our orders, by order id, for every order a row names that exists. */
  orders: ReadonlyMap<string, TopupOrder>;
  /** The ledger's credits from this channel's clearing account of payments made on the bill's day. */
  creditedThatDay: readonly LedgerCredit[];
}

/** A credit the ledger made from a clearing account: a top-up entry, by the platform's transaction id. */
export interface LedgerCredit {
  platformTxnId: string;
  orderId?: string;
  amountFen: number;
  accountNo: string;
  receiptNo: string;
}

/**
 * The ledger's credits of payments made on `day` (by the payer's time; an entry without one by its
 * own) from a channel's clearing account entries: top-ups to holders, and sales paid at a terminal
 * with a payment code (system entries, booked to the merchant).
 */
export function creditsOfDay(entries: readonly (LedgerEntry | SystemEntry)[], day: string): LedgerCredit[] {
  const credits: LedgerCredit[] = [];
  for (const entry of entries) {
    if (campusDay(new Date(entry.paidAt ?? entry.createdAt)) !== day) continue;
    if (entry.type === 'topup' || entry.type === 'transitional_credit') {
      credits.push({ platformTxnId: entry.externalRef, amountFen: entry.amountFen, accountNo: entry.accountNo, receiptNo: entry.receiptNo, ...(entry.orderId ? { orderId: entry.orderId } : {}) });
    } else if (entry.type === 'payment_code_sale' && entry.platformTxnId) {
      credits.push({ platformTxnId: entry.platformTxnId, amountFen: entry.amountFen, accountNo: `merchant ${entry.merchantId ?? '?'}`, receiptNo: entry.entryId, ...(entry.orderId ? { orderId: entry.orderId } : {}) });
    }
  }
  return credits;
}

const rowKey = (row: BillRow) => `${row.kind}|${row.platformTxnId}|${row.refundId ?? ''}`;

export function compareBill(records: BillRecords): BillComparison {
  const seen = new Map<string, BillRow>();
  for (const row of records.rows) if (row.channel === records.channel && !seen.has(rowKey(row))) seen.set(rowKey(row), row);
  const result: BillComparison = { rows: seen.size, duplicates: records.rows.length - seen.size, matched: 0, credits: [], findings: [] };
  const finding = (draft: Omit<FindingDraft, 'channel'>) => result.findings.push({ channel: records.channel, ...draft });

  const booked = new Map(records.creditedThatDay.filter((credit) => !credit.orderId || !records.orders.has(credit.orderId)).map((credit) => [credit.platformTxnId, credit]));
  for (const row of seen.values()) {
    const found = records.orders.get(row.outTradeNo);
    const order = found && found.channel === records.channel ? found : undefined;
    if (row.kind === 'payment') {
      // A sale paid with a payment code has no top-up order: the ledger's booking of it is what the row must match.
      const sale = !order ? booked.get(row.platformTxnId) : undefined;
      if (sale) {
        if (sale.amountFen === row.amountFen) result.matched++;
        // (another amount is reported below, against the ledger's credit)
        continue;
      }
      if (!order) {
        finding({ kind: 'unknown_payment', ref: row.platformTxnId, billFen: row.amountFen, detail: `the bill has a payment for ${row.outTradeNo}, which is not one of our ${records.channel} orders` });
        continue;
      }
      const ids = { ref: row.platformTxnId, orderId: order.orderId, billFen: row.amountFen };
      if (order.platformTxnId !== undefined && order.platformTxnId !== row.platformTxnId) {
        finding({ kind: 'unknown_payment', ...ids, detail: `a second payment under order ${order.orderId}, which was paid by ${order.platformTxnId}` });
        continue;
      }
      // A payment being given back was taken in full, whatever was ordered: the refund is for what was paid.
      const expected = order.refund ? order.refund.amountFen : order.amountFen;
      if (row.amountFen !== expected) {
        finding({ kind: 'amount_mismatch', ...ids, oursFen: expected, detail: `the bill says ${row.amountFen} fen, order ${order.orderId} (${order.status}) ${expected}` });
        continue;
      }
      if (order.status === 'pending' || order.status === 'closed') {
        result.credits.push({ orderId: order.orderId, platformTxnId: row.platformTxnId, amountFen: row.amountFen, paidAt: row.at });
        continue;
      }
      result.matched++;
      continue;
    }
    // A refund: one we asked for (the order's one refund number, or a guardian deposit's refund to its payer), for what we recorded.
    const ref = `${row.platformTxnId}/${row.refundId ?? ''}`;
    const asked = order?.refund?.refundId === row.refundId ? order?.refund : order?.depositRefund?.refundId === row.refundId ? order?.depositRefund : undefined;
    if (!order || !asked) {
      finding({ kind: 'unknown_refund', ref, ...(order ? { orderId: order.orderId } : {}), billFen: row.amountFen, detail: `the bill has refund ${row.refundId ?? '(no number)'} of ${row.outTradeNo}, which we never asked for` });
      continue;
    }
    if (asked.amountFen !== row.amountFen) {
      finding({ kind: 'amount_mismatch', ref, orderId: order.orderId, billFen: row.amountFen, oursFen: asked.amountFen, detail: `the bill refunds ${row.amountFen} fen, we asked for ${asked.amountFen}` });
      continue;
    }
    result.matched++;
  }

  const billed = new Map([...seen.values()].filter((row) => row.kind === 'payment').map((row) => [row.platformTxnId, row]));
  const reported = new Set(result.findings.map((draft) => draft.ref));
  for (const credit of records.creditedThatDay) {
    const row = billed.get(credit.platformTxnId);
    const ids = { ref: credit.platformTxnId, ...(credit.orderId ? { orderId: credit.orderId } : {}) };
    if (reported.has(credit.platformTxnId)) continue; // its row made a finding already
    if (!row) {
      finding({ kind: 'missing_from_bill', ...ids, oursFen: credit.amountFen, detail: `the ledger credited ${credit.amountFen} fen from ${records.channel} (receipt ${credit.receiptNo}, account ${credit.accountNo}); the bill of its day does not have the payment` });
    } else if (row.amountFen !== credit.amountFen) {
      finding({ kind: 'amount_mismatch', ...ids, billFen: row.amountFen, oursFen: credit.amountFen, detail: `the bill says ${row.amountFen} fen, the ledger credited ${credit.amountFen} (receipt ${credit.receiptNo})` });
    }
  }
  return result;
}
