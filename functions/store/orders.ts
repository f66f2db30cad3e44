/**
 * Top-up orders. An order's money is a pending transfer (functions/store/pending.ts): while pending
 * it is in the open index of `topup_order`, where the reconciler finds it; its status (what the
 * holder sees) is written with its pending state, here only. A refund still to be made sits in a
 * sparse index of its own (gsi2 ORDER#REFUNDING) until the platform has made it.
 */
import { GetCommand, PutCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { type OrderStatus, type TopupOrder, type TopupRefund } from '../domain/topup';
import type { Db } from './db';
import { keys, withoutKeys } from './keys';
import { assignments } from './update-expression';
import type { TransactItem } from './movements';
import { conditionFailedAt, isConditionFailed, transactWrite } from './conditions';
import { listOpenWithFollowUps, openPendingAttributes, resolvePending, resolvePendingItem } from './pending';

/**
 * With `alsoWrite` (a guardian deposit's daily cap), one transaction with the order as its first
 * item: the order exists exactly when they were written; their refusals are the caller's to read.
 */
export async function createOrder(db: Db, order: TopupOrder, alsoWrite: TransactItem[] = []): Promise<void> {
  const put = {
    TableName: db.tableName,
    Item: { ...keys.topupOrder(order.orderId), ...order, ...openPendingAttributes(order, order.orderId) },
    ConditionExpression: 'attribute_not_exists(pk)',
  };
  if (alsoWrite.length > 0) await transactWrite(db, [{ Put: put }, ...alsoWrite]);
  else await db.doc.send(new PutCommand(put));
}

export async function getOrder(db: Db, orderId: string): Promise<TopupOrder | undefined> {
  const { Item } = await db.doc.send(new GetCommand({ TableName: db.tableName, Key: keys.topupOrder(orderId), ConsistentRead: true }));
  return Item ? (withoutKeys(Item) as unknown as TopupOrder) : undefined;
}

/** Orders the reconciler has work on, created before `before` (ISO): still pending, and with a refund still to make. */
export function listOrdersToReconcile(db: Db, before: string): Promise<TopupOrder[]> {
  return listOpenWithFollowUps<TopupOrder>(db, 'topup_order', keys.refundingOrderIndex('', '').gsi2pk, before);
}

/** The order's side of crediting it, committed with the money: its pending transfer posted, once, for the amount ordered. */
export function markOrderPaidItem(db: Db, order: TopupOrder, paid: { platformTxnId: string; paidAt: string; receiptNo: string; paidBy?: string }, at: string): TransactItem {
  return resolvePendingItem(db, keys.topupOrder(order.orderId), 'posted', at, {
    set: { status: 'paid' satisfies OrderStatus, platformTxnId: paid.platformTxnId, paidAt: paid.paidAt, receiptNo: paid.receiptNo, ...(paid.paidBy ? { paidBy: paid.paidBy } : {}) },
    condition: 'amountFen = :amount',
    values: { ':amount': order.amountFen },
  });
}

/**
 * Closes a still-pending order: voided (the platform closed it, or could not be asked to take it) or
 * expired (its pay-by time passed unpaid). False if it was no longer pending. With `alsoWrite` (an
 * automatic reload's outbox item telling its holder) one transaction, the close first: they are
 * written exactly when the order is closed, once.
 */
export async function closeOrder(db: Db, orderId: string, to: 'voided' | 'expired', resolution: string, at: string, alsoWrite: TransactItem[] = []): Promise<boolean> {
  const extra = { set: { status: 'closed' satisfies OrderStatus }, resolution };
  if (alsoWrite.length === 0) return resolvePending(db, keys.topupOrder(orderId), to, at, extra);
  try {
    await transactWrite(db, [resolvePendingItem(db, keys.topupOrder(orderId), to, at, extra), ...alsoWrite]);
    return true;
  } catch (error) {
    if (conditionFailedAt(error, 0)) return false;
    throw error;
  }
}

/** Remembers a notification id we applied (dedupe), committed with the money. */
export function notificationSeenItem(db: Db, channel: string, notificationId: string, orderId: string, now: Date): TransactItem {
  return {
    Put: {
      TableName: db.tableName,
      Item: { ...keys.paymentNotification(channel, notificationId), orderId, expiresAt: Math.floor(now.getTime() / 1000) + 30 * 24 * 3600 },
      ConditionExpression: 'attribute_not_exists(pk)',
    },
  };
}

/**
 * The refund intent, written before the platform is asked: a payment that cannot be credited voids
 * the order's pending transfer (if it was still pending) and records its refund, in the refunding
 * index until the platform has made it. Answers the order's refund: this one, or the one an earlier
 * attempt recorded (or the order as credited, if it was).
 */
export async function recordRefundIntent(
  db: Db,
  order: Pick<TopupOrder, 'orderId' | 'createdAt'>,
  payment: { platformTxnId: string; paidAt: string },
  refund: TopupRefund,
): Promise<{ order: TopupOrder; recorded: boolean }> {
  const key = keys.topupOrder(order.orderId);
  const fields = { status: 'refund_pending' satisfies OrderStatus, refund, platformTxnId: payment.platformTxnId, paidAt: payment.paidAt, ...keys.refundingOrderIndex(order.createdAt, order.orderId) };
  // Still pending: voided with the refund, in one write.
  if (await resolvePending(db, key, 'voided', refund.requestedAt, { set: fields, resolution: refund.reason })) return { order: (await getOrder(db, order.orderId))!, recorded: true };
  // Closed already (voided or expired, no refund yet): the refund is added.
  try {
    const set = assignments(fields);
    const { Attributes } = await db.doc.send(
      new UpdateCommand({
        TableName: db.tableName,
        Key: key,
        UpdateExpression: `SET ${set.clauses.join(', ')}`,
        ConditionExpression: '#state IN (:voided, :expired) AND attribute_not_exists(refund)',
        ExpressionAttributeNames: { '#state': 'state', ...set.names },
        ExpressionAttributeValues: { ':voided': 'voided', ':expired': 'expired', ...set.values },
        ReturnValues: 'ALL_NEW',
      }),
    );
    return { order: withoutKeys(Attributes!) as unknown as TopupOrder, recorded: true };
  } catch (error) {
    if (!isConditionFailed(error)) throw error;
    const current = await getOrder(db, order.orderId);
    if (!current) throw error;
    return { order: current, recorded: false };
  }
}

/** The platform says the refund is done: refunded, out of the refunding index. False if it was not refund_pending with this refund. */
export async function markOrderRefunded(db: Db, orderId: string, done: { refundId: string; refundedAt: string; platformRefundId?: string }): Promise<boolean> {
  try {
    await db.doc.send(
      new UpdateCommand({
        TableName: db.tableName,
        Key: keys.topupOrder(orderId),
        UpdateExpression: `SET #status = :refunded, refund.refundedAt = :at${done.platformRefundId ? ', refund.platformRefundId = :platformRefundId' : ''} REMOVE gsi2pk, gsi2sk`,
        ConditionExpression: '#status = :refundPending AND refund.refundId = :refundId',
        ExpressionAttributeNames: { '#status': 'status' },
        ExpressionAttributeValues: {
          ':refunded': 'refunded' satisfies OrderStatus,
          ':refundPending': 'refund_pending' satisfies OrderStatus,
          ':refundId': done.refundId,
          ':at': done.refundedAt,
          ...(done.platformRefundId ? { ':platformRefundId': done.platformRefundId } : {}),
        },
      }),
    );
    return true;
  } catch (error) {
    if (isConditionFailed(error)) return false;
    throw error;
  }
}
