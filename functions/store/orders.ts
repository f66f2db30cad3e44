/** Top-up orders. A pending order sits in a sparse index (gsi2 ORDER#PENDING) so the reconciler finds it. */
import { GetCommand, PutCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import type { OrderStatus, TopupOrder, TopupRefund } from '../domain/topup';
import { queryAll, type Db } from './db';
import { keys, withoutKeys } from './keys';
import type { TransactItem } from './movements';
import { isConditionFailed } from './conditions';
import { campusDay } from '../domain/campus-day';

/** { gsi2pk, gsi2sk } → { ':gsi2pk', ':gsi2sk' } for an update expression. */
const prefixed = (index: { gsi2pk: string; gsi2sk: string }) => ({ ':gsi2pk': index.gsi2pk, ':gsi2sk': index.gsi2sk });

export async function createOrder(db: Db, order: TopupOrder): Promise<void> {
  await db.doc.send(
    new PutCommand({
      TableName: db.tableName,
      Item: { ...keys.topupOrder(order.orderId), ...keys.pendingOrderIndex(order.createdAt, order.orderId), ...order },
      ConditionExpression: 'attribute_not_exists(pk)',
    }),
  );
}

export async function getOrder(db: Db, orderId: string): Promise<TopupOrder | undefined> {
  const { Item } = await db.doc.send(new GetCommand({ TableName: db.tableName, Key: keys.topupOrder(orderId), ConsistentRead: true }));
  return Item ? (withoutKeys(Item) as unknown as TopupOrder) : undefined;
}

/** The orders of one channel paid (credited) on one campus day, by their paidAt: what that day's bill must show. */
export async function listPaidOrders(db: Db, channel: string, day: string): Promise<TopupOrder[]> {
  const items = await queryAll<Record<string, unknown>>(db, {
    IndexName: 'gsi2',
    KeyConditionExpression: 'gsi2pk = :day',
    ExpressionAttributeValues: { ':day': keys.paidOrderIndex(channel, day, '', '').gsi2pk },
  });
  return items.map((item) => withoutKeys(item) as unknown as TopupOrder);
}

/** Orders the reconciler has work on (pending, and refund_pending) created before `before` (ISO), oldest first. */
export async function listPendingOrders(db: Db, before: string): Promise<TopupOrder[]> {
  const items = await queryAll<Record<string, unknown>>(db, {
    IndexName: 'gsi2',
    KeyConditionExpression: 'gsi2pk = :pending AND gsi2sk < :before',
    ExpressionAttributeValues: { ':pending': keys.pendingOrderIndex('', '').gsi2pk, ':before': before },
  });
  return items.map((item) => withoutKeys(item) as unknown as TopupOrder);
}

/**
 * The order's side of crediting it, committed with the money: paid, once. A closed order the
 * platform says was paid after all is credited too (the money was taken).
 */
export function markOrderPaidItem(db: Db, order: TopupOrder, paid: { platformTxnId: string; paidAt: string; receiptNo: string }): TransactItem {
  return {
    Update: {
      TableName: db.tableName,
      Key: keys.topupOrder(order.orderId),
      // Out of the pending index, into its channel's paid orders of the day it was paid (what the daily bill is checked against).
      UpdateExpression: 'SET #status = :paid, platformTxnId = :txn, paidAt = :at, receiptNo = :receipt, gsi2pk = :gsi2pk, gsi2sk = :gsi2sk',
      ConditionExpression: '#status <> :paid AND amountFen = :amount',
      ExpressionAttributeNames: { '#status': 'status' },
      ExpressionAttributeValues: {
        ':paid': 'paid',
        ':txn': paid.platformTxnId,
        ':at': paid.paidAt,
        ':receipt': paid.receiptNo,
        ':amount': order.amountFen,
        ...prefixed(keys.paidOrderIndex(order.channel, campusDay(new Date(paid.paidAt)), paid.paidAt, order.orderId)),
      },
    },
  };
}

/** Closes a still-pending order (the platform will never take it). False if it was no longer pending. */
export async function closeOrder(db: Db, orderId: string): Promise<boolean> {
  try {
    await db.doc.send(
      new UpdateCommand({
        TableName: db.tableName,
        Key: keys.topupOrder(orderId),
        UpdateExpression: 'SET #status = :closed REMOVE gsi2pk, gsi2sk',
        ConditionExpression: '#status = :pending',
        ExpressionAttributeNames: { '#status': 'status' },
        ExpressionAttributeValues: { ':closed': 'closed' satisfies OrderStatus, ':pending': 'pending' satisfies OrderStatus },
      }),
    );
    return true;
  } catch (error) {
    if (isConditionFailed(error)) return false;
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
 * The refund intent, written before the platform is asked: a paid order that cannot be credited
 * becomes refund_pending with its refund. It stays in the ORDER#PENDING index so the reconciler
 * finishes it. Answers the order's refund: this one, or the one an earlier attempt recorded.
 */
export async function recordRefundIntent(
  db: Db,
  order: Pick<TopupOrder, 'orderId' | 'createdAt'>,
  payment: { platformTxnId: string; paidAt: string },
  refund: TopupRefund,
): Promise<{ order: TopupOrder; recorded: boolean }> {
  const { orderId } = order;
  // A closed order left the index; a refund to finish puts it back.
  const index = keys.pendingOrderIndex(order.createdAt, orderId);
  try {
    const { Attributes } = await db.doc.send(
      new UpdateCommand({
        TableName: db.tableName,
        Key: keys.topupOrder(orderId),
        UpdateExpression: 'SET #status = :refundPending, refund = :refund, platformTxnId = :txn, paidAt = :at, gsi2pk = :gsi2pk, gsi2sk = :gsi2sk',
        // Only from pending or closed: a paid order was credited, a refund_pending one already has its refund.
        ConditionExpression: '#status IN (:pending, :closed)',
        ExpressionAttributeNames: { '#status': 'status' },
        ExpressionAttributeValues: {
          ':refundPending': 'refund_pending' satisfies OrderStatus,
          ':pending': 'pending' satisfies OrderStatus,
          ':closed': 'closed' satisfies OrderStatus,
          ':refund': refund,
          ':txn': payment.platformTxnId,
          ':at': payment.paidAt,
          ':gsi2pk': index.gsi2pk,
          ':gsi2sk': index.gsi2sk,
        },
        ReturnValues: 'ALL_NEW',
      }),
    );
    return { order: withoutKeys(Attributes!) as unknown as TopupOrder, recorded: true };
  } catch (error) {
    if (!isConditionFailed(error)) throw error;
    const current = await getOrder(db, orderId);
    if (!current) throw error;
    return { order: current, recorded: false };
  }
}

/** The platform says the refund is done: refunded, out of the reconciler's index. False if it was not refund_pending with this refund. */
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
