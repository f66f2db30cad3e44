/**
 * The daily bills of WeChat Pay and Alipay against the books: the channel's clearing account's
 * credits of that day's payments, and the orders the bill names (functions/domain/bill-reconciliation.ts compares). A paid order we never credited is credited
 * through the same path as a notification (`applyPaymentEvent`: exactly once, or given back if the
 * account cannot take it); every other difference becomes a finding in the reconciliation queue.
 * Each channel, and each credit, answers for itself: a failure is reported and the run goes on.
 */
import type { FindingSource } from '../../shared/vocabulary';
import { AppError } from '../app-error';
import type { Deps } from '../deps';
import { compareBill, creditsOfDay } from '../domain/bill-reconciliation';
import { addDays } from '../domain/campus-day';
import type { TopupOrder } from '../domain/topup';
import { PlatformCallFailed, type BillRow, type PaymentChannelName } from '../payments/channel';
import { getOrder } from '../store/orders';
import { systemAccountEntries } from '../store/system-accounts';
import { system } from '../domain/chart';
import { recordFinding } from '../store/reconciliation-findings';
import { applyPaymentEvent } from './topups';

type BillDeps = Pick<Deps, 'db' | 'clock' | 'movements' | 'logger' | 'payments' | 'config'>;

export interface ChannelBillReport {
  channel: PaymentChannelName;
  /** Distinct rows in the bill, and how many it repeated. */
  rows: number;
  duplicates: number;
  matched: number;
  /** Paid orders we had never credited, credited now. */
  credited: number;
  /** Of those, payments the account could not take: given back instead (refund recorded). */
  refunding: number;
  /** Findings new in this run; those already in the queue from an earlier run of this bill. */
  findings: number;
  knownFindings: number;
}

export interface BillReconcileReport {
  day: string;
  channels: ChannelBillReport[];
  /** A channel whose bill could not be had or read, or one credit that failed; the rest were done. */
  failures: { channel: PaymentChannelName; ref?: string; code: string; error: string }[];
}

const SOURCE: Record<PaymentChannelName, FindingSource> = { wechat: 'wechat_bill', alipay: 'alipay_bill' };

/** Reconciles the bill of campus day `day` (YYYY-MM-DD) of every configured channel. */
export async function reconcileBills(deps: BillDeps, day: string): Promise<BillReconcileReport> {
  const channels = await deps.payments();
  const report: BillReconcileReport = { day, channels: [], failures: [] };
  for (const name of ['wechat', 'alipay'] as const) {
    const channel = channels[name];
    if (!channel) continue;
    let rows: BillRow[];
    try {
      rows = await channel.downloadBill(day);
    } catch (error) {
      const code = error instanceof PlatformCallFailed ? 'PAYMENT_CHANNEL_UNAVAILABLE' : error instanceof Error ? error.name : 'UNKNOWN';
      const message = error instanceof Error ? error.message : String(error);
      deps.logger.error('bill not reconciled', { channel: name, day, code, error: message });
      report.failures.push({ channel: name, code, error: message });
      continue;
    }
    try {
      report.channels.push(await reconcileChannelBill(deps, name, day, rows, report.failures));
    } catch (error) {
      // The database, most likely: this channel is left for the next run (which repeats nothing done), the other still runs.
      const message = error instanceof Error ? error.message : String(error);
      deps.logger.error('bill not reconciled', { channel: name, day, error: message });
      report.failures.push({ channel: name, code: error instanceof AppError ? error.code : error instanceof Error ? error.name : 'UNKNOWN', error: message });
    }
  }
  return report;
}

async function reconcileChannelBill(deps: BillDeps, channel: PaymentChannelName, day: string, rows: BillRow[], failures: BillReconcileReport['failures']): Promise<ChannelBillReport> {
  const orders = new Map<string, TopupOrder>();
  const ids = [...new Set(rows.map((row) => row.outTradeNo))];
  // A few at a time: a day's bill can have thousands of rows, each one Get.
  for (let at = 0; at < ids.length; at += 25) {
    const found = await Promise.all(ids.slice(at, at + 25).map((id) => getOrder(deps.db, id)));
    for (const order of found) if (order) orders.set(order.orderId, order);
  }
  // A payment of `day` is credited that day or, credited late (by this run, say), the next: both days of the clearing account.
  const clearing = system.clearing(channel);
  const entries = (await Promise.all([day, addDays(day, 1)].map((d) => systemAccountEntries(deps.db, clearing, d)))).flat();
  const creditedThatDay = creditsOfDay(entries, day);
  const comparison = compareBill({ channel, rows, orders, creditedThatDay });
  const result: ChannelBillReport = { channel, rows: comparison.rows, duplicates: comparison.duplicates, matched: comparison.matched, credited: 0, refunding: 0, findings: 0, knownFindings: 0 };

  for (const credit of comparison.credits) {
    try {
      const outcome = await applyPaymentEvent(deps, { channel, orderId: credit.orderId, state: 'paid', platformTxnId: credit.platformTxnId, amountFen: credit.amountFen, paidAt: credit.paidAt });
      if (outcome === 'credited') result.credited++;
      else if (outcome === 'refund_pending' || outcome === 'refunded') result.refunding++;
      else result.matched++; // credited meanwhile (a late notification): nothing to do
      deps.logger.info('bill: paid order credited', { channel, day, orderId: credit.orderId, outcome });
    } catch (error) {
      const code = error instanceof AppError ? error.code : error instanceof PlatformCallFailed ? 'PAYMENT_CHANNEL_UNAVAILABLE' : error instanceof Error ? error.name : 'UNKNOWN';
      const message = error instanceof Error ? error.message : String(error);
      deps.logger.error('bill: paid order not credited', { channel, day, orderId: credit.orderId, code, error: message });
      failures.push({ channel, ref: credit.orderId, code, error: message });
    }
  }

  const createdAt = deps.clock().toISOString();
  for (const draft of comparison.findings) {
    const { billFen, ...rest } = draft;
    const recorded = await recordFinding(deps.db, { ...rest, source: SOURCE[channel], day, createdAt, ...(billFen !== undefined ? { outsideFen: billFen } : {}) });
    if (recorded.created) {
      result.findings++;
      deps.logger.warn('bill: finding', { channel, day, kind: draft.kind, ref: draft.ref, findingId: recorded.findingId });
    } else result.knownFindings++;
  }
  return result;
}
