/**
 * Online top-ups: make the order and the platform's payment, then credit the account exactly once
 * when the platform says it was paid — by notification, by the holder's app polling, or by the
 * scheduled reconciler asking about stale orders. All three paths end in `applyPaymentEvent`, which
 * credits in one transaction with the order's status change (idempotent on the platform's
 * transaction id), so their order and number do not matter.
 */
import { ulid } from 'ulid';
import { formatYuan } from '../../shared/money';
import { AppError } from '../app-error';
import type { Deps } from '../deps';
import { assertTopupAmount, topupPurse, TOPUP_POLICY, type TopupOrder } from '../domain/topup';
import { NotificationRejected, PlatformCallFailed, type CreateTopupResult, type IncomingNotification, type NotificationAnswer, type PaymentChannel, type PaymentChannelName, type PaymentEvent } from '../payments/channel';
import { getAccount } from '../store/accounts';
import type { OnceOnly } from '../store/movements';
import { closeOrder, createOrder, getOrder, listPendingOrders, markOrderPaidItem, notificationSeenItem } from '../store/orders';
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
  request: { amountFen: number; channel: PaymentChannelName; payerId: string },
): Promise<{ order: TopupOrder; payment: CreateTopupResult }> {
  assertTopupAmount(request.amountFen, request.channel);
  const account = await getAccount(deps.db, accountNo);
  if (!account) throw new AppError('ACCOUNT_NOT_FOUND', accountNo);
  const now = deps.clock();
  // A lost or frozen card may still be topped up; only a closed account may not.
  if (account.status === 'cancelled') throw new AppError('CARD_CANCELLED', accountNo);
  const channel = await channelOf(deps, request.channel);
  const order: TopupOrder = {
    orderId: `T${ulid(now.getTime())}`,
    accountNo,
    channel: request.channel,
    amountFen: request.amountFen,
    purse: topupPurse(account),
    status: 'pending',
    payerId: request.payerId,
    createdAt: now.toISOString(),
    payBy: new Date(now.getTime() + TOPUP_POLICY.orderMinutes * 60_000).toISOString(),
  };
  // Stored first: a payment the platform takes always has an order to land on.
  await createOrder(deps.db, order);
  try {
    const payment = await channel.createTopup({
      orderId: order.orderId,
      amountFen: order.amountFen,
      description: `校园卡充值 ${formatYuan(order.amountFen)} 元`,
      payerId: request.payerId,
      notifyUrl: `${deps.config.publicBaseUrl}/v1/payments/${request.channel}/notify`,
      expiresAt: new Date(order.payBy),
    });
    return { order, payment };
  } catch (error) {
    if (error instanceof PlatformCallFailed) {
      await closeOrder(deps.db, order.orderId);
      throw new AppError('PAYMENT_CHANNEL_UNAVAILABLE', error.message);
    }
    throw error;
  }
}

export type ApplyOutcome = 'credited' | 'already_credited' | 'still_pending' | 'closed';

/** Applies what a platform said about an order. Idempotent; refuses an event that does not match the order. */
export async function applyPaymentEvent(deps: TopupDeps, event: PaymentEvent): Promise<ApplyOutcome> {
  const order = await getOrder(deps.db, event.orderId);
  if (!order || order.channel !== event.channel) throw new AppError('ORDER_NOT_FOUND', `${event.channel} ${event.orderId}`);
  if (event.state === 'pending') return order.status === 'paid' ? 'already_credited' : 'still_pending';
  if (event.state === 'closed') {
    if (order.status === 'pending') await closeOrder(deps.db, order.orderId);
    return order.status === 'paid' ? 'already_credited' : 'closed';
  }
  if (event.amountFen !== order.amountFen || !event.platformTxnId) {
    deps.logger.error('payment amount does not match the order', { orderId: order.orderId, channel: order.channel, paid: event.amountFen, ordered: order.amountFen });
    throw new AppError('PAYMENT_AMOUNT_MISMATCH', `${order.orderId}: paid ${event.amountFen}, ordered ${order.amountFen}`);
  }
  const now = deps.clock();
  const platformTxnId = event.platformTxnId;
  const paidAt = event.paidAt ?? now.toISOString();
  const credit = { accountNo: order.accountNo, amountFen: order.amountFen, channel: order.channel, externalRef: platformTxnId };
  const notification: OnceOnly | undefined = event.notificationId
    ? { put: notificationSeenItem(deps.db, order.channel, event.notificationId, order.orderId, now).Put!, reused: () => new AppError('IDEMPOTENCY_CONFLICT', event.notificationId) }
    : undefined;
  const settle = (entry: { receiptNo: string }) => [
    { item: markOrderPaidItem(deps.db, order, { platformTxnId, paidAt, receiptNo: entry.receiptNo }), onConflict: () => 'retry' as const },
    ...(notification ? [{ item: { Put: notification.put }, onConflict: () => 'retry' as const }] : []),
  ];
  const result = order.purse === 'transitional' ? await creditTransitional(deps, credit, settle) : await topUp(deps, credit, settle);
  return result.replayed ? 'already_credited' : 'credited';
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
    if (error instanceof AppError) {
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
    // Past its pay-by time and still not paid: the platform will not take it any more.
    if (outcome === 'still_pending' && now.toISOString() > order.payBy) await closeOrder(deps.db, order.orderId);
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

/** The scheduled reconciler: every pending order older than a minute is asked about. */
export async function reconcilePendingOrders(deps: TopupDeps): Promise<{ checked: number; credited: number; closed: number }> {
  const before = new Date(deps.clock().getTime() - 60_000).toISOString();
  const pending = await listPendingOrders(deps.db, before);
  let credited = 0;
  let closed = 0;
  for (const order of pending) {
    const after = await refreshOrder(deps, order);
    if (after.status === 'paid') credited++;
    if (after.status === 'closed') closed++;
  }
  return { checked: pending.length, credited, closed };
}
