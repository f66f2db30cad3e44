/**
 * Online top-ups: make the order and the platform's payment, then credit the account exactly once
 * when the platform says it was paid — by notification, by the holder's app polling, or by the
 * scheduled reconciler asking about stale orders. All three paths end in `applyPaymentEvent`, which
 * credits in one transaction with the order's status change (idempotent on the platform's
 * transaction id), so their order and number do not matter. A payment that cannot be credited is
 * refunded through the platform: recorded on the order first, then asked for until it is done.
 */
import { ulid } from 'ulid';
import { formatYuan } from '../../shared/money';
import { AppError } from '../app-error';
import type { Deps } from '../deps';
import { assertTopupAmount, newOrder, refundIdOf, topupPurse, TOPUP_POLICY, type RefundReason, type TopupOrder } from '../domain/topup';
import {
  NotificationRejected,
  PlatformCallFailed,
  type CreateTopupResult,
  type IncomingNotification,
  type NotificationAnswer,
  type PaymentChannel,
  type PaymentChannelName,
  type PaymentEvent,
} from '../payments/channel';
import { getAccount } from '../store/accounts';
import type { OnceOnly, TransactItem } from '../store/movements';
import type { GuardianPayer } from '../domain/guardian';
import { reloadRefusalOutbox } from '../store/outbox';
import { closeOrder, createOrder, getOrder, listOrdersToReconcile, markOrderPaidItem, markOrderRefunded, notificationSeenItem, recordRefundIntent } from '../store/orders';
import { creditTransitional, topUp } from './movements';

type TopupDeps = Pick<Deps, 'db' | 'clock' | 'movements' | 'logger' | 'payments' | 'config'>;

async function channelOf(deps: TopupDeps, name: PaymentChannelName): Promise<PaymentChannel> {
  const channel = (await deps.payments())[name];
  if (!channel) throw new AppError('PAYMENT_CHANNEL_UNAVAILABLE', `${name} is not configured`);
  return channel;
}

export async function createTopupOrder(
  deps: TopupDeps,
  accountNo: string,
  request: { amountFen: number; channel: PaymentChannelName; payerId: string; guardian?: GuardianPayer },
  /** A guardian deposit's own writes (its daily cap), committed with the order; and what the payer's statement says. */
  options: { alsoWrite?: TransactItem[]; description?: string } = {},
): Promise<{ order: TopupOrder; payment: CreateTopupResult }> {
  assertTopupAmount(request.amountFen, request.channel);
  const account = await getAccount(deps.db, accountNo);
  if (!account) throw new AppError('ACCOUNT_NOT_FOUND', accountNo);
  const now = deps.clock();
  // A lost or frozen card may still be topped up; only a closed account may not.
  if (account.status === 'cancelled') throw new AppError('CARD_CANCELLED', accountNo);
  const channel = await channelOf(deps, request.channel);
  const order = newOrder(
    { orderId: `T${ulid(now.getTime())}`, accountNo, channel: request.channel, amountFen: request.amountFen, purse: topupPurse(account), payerId: request.payerId, ...(request.guardian ? { guardian: request.guardian } : {}) },
    now,
  );
  // Stored first: a payment the platform takes always has an order to land on.
  await createOrder(deps.db, order, options.alsoWrite);
  try {
    const payment = await channel.createTopup({
      orderId: order.orderId,
      amountFen: order.amountFen,
      description: options.description ?? `校园卡充值 ${formatYuan(order.amountFen)} 元`,
      payerId: request.payerId,
      notifyUrl: `${deps.config.publicBaseUrl}/v1/payments/${request.channel}/notify`,
      expiresAt: new Date(order.payBy),
    });
    return { order, payment };
  } catch (error) {
    if (error instanceof PlatformCallFailed) {
      await closeOrder(deps.db, order.orderId, 'voided', 'platform_unavailable', deps.clock().toISOString());
      throw new AppError('PAYMENT_CHANNEL_UNAVAILABLE', error.message);
    }
    throw error;
  }
}

export type ApplyOutcome = 'credited' | 'already_credited' | 'still_pending' | 'closed' | 'refund_pending' | 'refunded';

/**
 * Applies what a platform said about an order. Idempotent; refuses an event that does not match the
 * order. A payment the account cannot take (closed meanwhile, or another amount than ordered) is
 * given back instead of refused forever: the refund is recorded on the order, then asked for.
 */
export async function applyPaymentEvent(deps: TopupDeps, event: PaymentEvent): Promise<ApplyOutcome> {
  const order = await getOrder(deps.db, event.orderId);
  if (!order || order.channel !== event.channel) throw new AppError('ORDER_NOT_FOUND', `${event.channel} ${event.orderId}`);
  // A payment being given back is never credited; a repeat of its payment only finishes the refund.
  if (order.status === 'refund_pending' || order.status === 'refunded') return event.state === 'paid' ? finishRefundOrLeaveIt(deps, order) : order.status;
  if (event.state === 'pending') return order.status === 'paid' ? 'already_credited' : 'still_pending';
  if (event.state === 'closed') {
    if (order.status === 'pending') {
      // An automatic reload the platform closed unpaid tells its holder in the same write (nothing for other orders).
      const at = deps.clock().toISOString();
      await closeOrder(deps.db, order.orderId, 'voided', 'platform_closed', at, reloadRefusalOutbox(deps.db, order, 'platform_closed', at));
    }
    return order.status === 'paid' ? 'already_credited' : 'closed';
  }
  if (event.amountFen === undefined || !event.platformTxnId) {
    throw new AppError('PAYMENT_AMOUNT_MISMATCH', `${order.orderId}: a paid event without amount or transaction id`);
  }
  const now = deps.clock();
  const platformTxnId = event.platformTxnId;
  const paidAt = event.paidAt ?? now.toISOString();
  const payment = { platformTxnId, paidAt, paidFen: event.amountFen };
  if (event.amountFen !== order.amountFen) {
    // Credited already with the amount ordered: this contradicts the payment we booked, and there is nothing of it to give back. Refused, so the platform retries and an operator sees it.
    if (order.status === 'paid') {
      deps.logger.error('payment amount does not match the order credited: refused', { orderId: order.orderId, channel: order.channel, paid: event.amountFen, credited: order.amountFen });
      throw new AppError('PAYMENT_AMOUNT_MISMATCH', `${order.orderId}: ${event.amountFen} reported for an order credited with ${order.amountFen}`);
    }
    deps.logger.error('payment amount does not match the order: giving it back', { orderId: order.orderId, channel: order.channel, paid: event.amountFen, ordered: order.amountFen });
    return giveBack(deps, order, payment, 'PAYMENT_AMOUNT_MISMATCH');
  }
  // Paid after we closed it: its pending transfer is over, so the payment goes back (a late payment is never a new credit).
  if (order.status === 'closed') return giveBack(deps, order, payment, 'ORDER_CLOSED');
  const credit = {
    accountNo: order.accountNo,
    amountFen: order.amountFen,
    channel: order.channel,
    externalRef: platformTxnId,
    paidAt,
    orderId: order.orderId,
    // A guardian deposit's entry says who paid, as the holder sees it.
    ...(order.guardian ? { guardianLabel: order.guardian.label } : {}),
    // An automatic reload's entry (and so its history line and top-up message) says it was automatic.
    ...(order.trigger ? { trigger: order.trigger } : {}),
  };
  // A guardian deposit ordered from a browser knew its payer only by a stand-in: the payment names them.
  const paidBy = order.guardian?.identifiedBy === 'address' && event.payerId && event.payerId !== order.payerId ? event.payerId : undefined;
  const notification: OnceOnly | undefined = event.notificationId
    ? { put: notificationSeenItem(deps.db, order.channel, event.notificationId, order.orderId, now).Put!, reused: () => new AppError('IDEMPOTENCY_CONFLICT', event.notificationId) }
    : undefined;
  const settle = (entry: { receiptNo: string }) => [
    // No longer pending: closed meanwhile (the payment then goes back), or credited by another path (the retry replays it).
    {
      item: markOrderPaidItem(deps.db, order, { platformTxnId, paidAt, receiptNo: entry.receiptNo, ...(paidBy ? { paidBy } : {}) }, now.toISOString()),
      onConflict: () => new AppError('ORDER_CLOSED', order.orderId),
    },
    ...(notification ? [{ item: { Put: notification.put }, onConflict: () => 'retry' as const }] : []),
  ];
  try {
    const result = order.purse === 'transitional' ? await creditTransitional(deps, credit, settle) : await topUp(deps, credit, settle);
    return result.replayed ? 'already_credited' : 'credited';
  } catch (error) {
    // The movement store answers a repeat of a posted credit as posted, so this payment was never credited.
    if (error instanceof AppError && error.code === 'ORDER_CLOSED') {
      const now = await getOrder(deps.db, order.orderId);
      if (now?.status === 'paid') return 'already_credited';
      return now && (now.status === 'refund_pending' || now.status === 'refunded') ? finishRefundOrLeaveIt(deps, now) : giveBack(deps, order, payment, 'ORDER_CLOSED');
    }
    if (error instanceof AppError && error.code === 'CARD_CANCELLED') {
      deps.logger.warn('top-up for a closed account: giving it back', { orderId: order.orderId, channel: order.channel });
      return giveBack(deps, order, payment, 'CARD_CANCELLED');
    }
    throw error;
  }
}

/** What the payer's statement says of a refund, by its reason. */
const REFUND_TEXT: Record<RefundReason, string> = {
  CARD_CANCELLED: '校园卡账户已注销，充值原路退回',
  PAYMENT_AMOUNT_MISMATCH: '支付金额与订单不符，原路退回',
  ORDER_CLOSED: '充值订单已关闭，原路退回',
};

/** Records the refund on the order (the intent), then asks the platform for it. No holder money moves. */
async function giveBack(deps: TopupDeps, order: TopupOrder, payment: { platformTxnId: string; paidAt: string; paidFen: number }, reason: RefundReason): Promise<ApplyOutcome> {
  const refund = { refundId: refundIdOf(order.orderId), amountFen: payment.paidFen, reason, requestedAt: deps.clock().toISOString() };
  const { order: recorded } = await recordRefundIntent(deps.db, order, payment, refund);
  if (recorded.status === 'paid') return 'already_credited';
  return finishRefundOrLeaveIt(deps, recorded);
}

/**
 * Asks the platform for an order's recorded refund (again: the same refund number, so at most one
 * refund) and marks it refunded once the platform says so. Throws PlatformCallFailed if the platform
 * cannot be reached or refuses it: the order stays refund_pending.
 */
async function finishRefund(deps: TopupDeps, order: TopupOrder): Promise<'refund_pending' | 'refunded'> {
  if (order.status === 'refunded') return 'refunded';
  const { refund, platformTxnId } = order;
  if (order.status !== 'refund_pending' || !refund || !platformTxnId || order.channel === 'bank') throw new Error(`order ${order.orderId} has no refund to finish`);
  const result = await (await channelOf(deps, order.channel)).refund({
    orderId: order.orderId,
    refundId: refund.refundId,
    platformTxnId,
    amountFen: refund.amountFen,
    paidFen: refund.amountFen,
    reason: REFUND_TEXT[refund.reason],
  });
  if (result.state === 'processing') return 'refund_pending';
  await markOrderRefunded(deps.db, order.orderId, {
    refundId: refund.refundId,
    refundedAt: result.refundedAt ?? deps.clock().toISOString(),
    ...(result.platformRefundId ? { platformRefundId: result.platformRefundId } : {}),
  });
  deps.logger.info('top-up refunded', { orderId: order.orderId, refundId: refund.refundId, amountFen: refund.amountFen, reason: refund.reason });
  return 'refunded';
}

/** finishRefund for a notification or a poll: the refund is recorded, so a platform that cannot do it now leaves it to the reconciler. */
async function finishRefundOrLeaveIt(deps: TopupDeps, order: TopupOrder): Promise<'refund_pending' | 'refunded'> {
  try {
    return await finishRefund(deps, order);
  } catch (error) {
    if (!(error instanceof PlatformCallFailed)) throw error;
    deps.logger.warn('refund not made yet: the reconciler asks again', { orderId: order.orderId, error: error.message });
    return 'refund_pending';
  }
}

/** A platform's notification: believed only if it verifies; answered the way the platform expects. */
export async function handlePaymentNotification(deps: TopupDeps, channelName: PaymentChannelName, notification: IncomingNotification): Promise<NotificationAnswer> {
  const channel = await channelOf(deps, channelName);
  try {
    const event = await channel.verifyNotification(notification);
    const outcome = await applyPaymentEvent(deps, event);
    deps.logger.info('payment notification applied', { channel: channelName, orderId: event.orderId, outcome });
    return channel.answer(true);
  } catch (error) {
    if (error instanceof NotificationRejected) {
      deps.logger.warn('payment notification rejected', { channel: channelName, problem: error.problem });
      return channel.answer(false);
    }
    // Our own transient failure (a contended account, BUSY_RETRY) is a 5xx like a database outage: the
    // platform retries either way, and the 5xx alarm sees it.
    if (error instanceof AppError && error.status < 500) {
      deps.logger.warn('payment notification not applied', { channel: channelName, code: error.code, detail: error.detail });
      return channel.answer(false);
    }
    throw error;
  }
}

/** Asks the platform about a pending order and applies the answer (polling and reconciliation). */
export async function refreshOrder(deps: TopupDeps, order: TopupOrder): Promise<TopupOrder> {
  if (order.status !== 'pending' || order.channel === 'bank') return order;
  const now = deps.clock();
  if (now.getTime() - Date.parse(order.createdAt) < TOPUP_POLICY.queryAfterSeconds * 1000) return order;
  try {
    const event = await (await channelOf(deps, order.channel)).query(order.orderId);
    const outcome = await applyPaymentEvent(deps, event);
    // Past its pay-by time and still not paid: the platform will not take it any more. An automatic
    // reload closed so tells its holder in the same write (reloadRefusalOutbox: nothing for other orders).
    if (outcome === 'still_pending' && now.toISOString() > order.payBy) {
      const at = now.toISOString();
      await closeOrder(deps.db, order.orderId, 'expired', 'not_paid_in_time', at, reloadRefusalOutbox(deps.db, order, 'not_paid_in_time', at));
    }
  } catch (error) {
    if (!(error instanceof PlatformCallFailed)) throw error;
    deps.logger.warn('payment query failed', { orderId: order.orderId, error: error.message });
  }
  return (await getOrder(deps.db, order.orderId)) ?? order;
}

export async function holderOrder(deps: TopupDeps, accountNo: string, orderId: string): Promise<TopupOrder> {
  const order = await getOrder(deps.db, orderId);
  if (!order || order.accountNo !== accountNo) throw new AppError('ORDER_NOT_FOUND', orderId);
  return refreshOrder(deps, order);
}

export interface ReconcileReport {
  checked: number;
  credited: number;
  closed: number;
  refunded: number;
  /** Refunds the platform has accepted but not finished (asked again next run). */
  refundPending: number;
  /** Orders that could not be reconciled this run (a refund the platform did not take is one); the others were, whatever these did. */
  failed: { orderId: string; code: string }[];
}

/**
 * The scheduled reconciler: every pending order older than a minute is asked about, and every
 * recorded refund is asked for again until it is done. Each order answers for itself.
 */
export async function reconcilePendingOrders(deps: TopupDeps): Promise<ReconcileReport> {
  const before = new Date(deps.clock().getTime() - 60_000).toISOString();
  const orders = await listOrdersToReconcile(deps.db, before);
  const report: ReconcileReport = { checked: orders.length, credited: 0, closed: 0, refunded: 0, refundPending: 0, failed: [] };
  for (const order of orders) {
    try {
      const status = order.status === 'refund_pending' ? await finishRefund(deps, order) : (await refreshOrder(deps, order)).status;
      if (status === 'paid') report.credited++;
      if (status === 'closed') report.closed++;
      if (status === 'refunded') report.refunded++;
      if (status === 'refund_pending') report.refundPending++;
    } catch (error) {
      const code = error instanceof AppError ? error.code : error instanceof PlatformCallFailed ? 'PAYMENT_CHANNEL_UNAVAILABLE' : error instanceof Error ? error.name : 'UNKNOWN';
      deps.logger.error('order not reconciled', { orderId: order.orderId, channel: order.channel, code, error: error instanceof Error ? error.message : String(error) });
      report.failed.push({ orderId: order.orderId, code });
    }
  }
  // Guardian deposits the card centre gave back: asked for until the platform has made them. (Loaded
  // here, not at the top: guardian-deposits.ts builds on this module.)
  const { finishOpenGuardianRefunds } = await import('./guardian-deposits');
  const guardian = await finishOpenGuardianRefunds(deps);
  report.refunded += guardian.refunded;
  report.refundPending += guardian.pending;
  report.failed.push(...guardian.failed);
  return report;
}
