/** Top-up orders. A pending order sits in a sparse index (gsi2 ORDER#PENDING) so the reconciler finds it. */
import { GetCommand, PutCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import type { OrderStatus, TopupOrder } from '../domain/topup';
import { queryAll, type Db } from './db';
import { keys, withoutKeys } from './keys';
import type { TransactItem } from './movements';

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

/** Pending orders created before `before` (ISO), oldest first. */
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
      UpdateExpression: 'SET #status = :paid, platformTxnId = :txn, paidAt = :at, receiptNo = :receipt REMOVE gsi2pk, gsi2sk',
      ConditionExpression: '#status <> :paid AND amountFen = :amount',
      ExpressionAttributeNames: { '#status': 'status' },
      ExpressionAttributeValues: { ':paid': 'paid', ':txn': paid.platformTxnId, ':at': paid.paidAt, ':receipt': paid.receiptNo, ':amount': order.amountFen },
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
    if (error instanceof Error && error.name === 'ConditionalCheckFailedException') return false;
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
