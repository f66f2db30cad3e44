/**
 * Utility payments in the table (docs/utilities.md). Each paid network week is its own item in the
 * holder's partition (`NETWEEK#<week>`), put with the money on condition it does not exist, so two
 * requests can never both pay a week. Each payment's delivery to the outside system is a pending
 * `utility_delivery` record (`UTILDELIVERY#<id>`, functions/store/pending.ts), written in the
 * payment's transaction: the outbox the sender and the scheduled retrier work from.
 */
import { GetCommand, QueryCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import type { Pending } from '../domain/pending';
import type { IsoWeek, UtilitySystem } from '../domain/utilities';
import { isConditionFailed } from './conditions';
import { queryAll, type Db } from './db';
import { keys, withoutKeys } from './keys';
import type { TransactItem } from './movements';
import { listOpenPending, openPendingAttributes, resolvePending, resolvePendingItem, type Resolution } from './pending';

export interface PaidNetworkWeek {
  accountNo: string;
  week: IsoWeek;
  /** The payment that bought it. */
  receiptNo: string;
  paidAt: string;
}

/** A payment's delivery: the pending transfer (holder balance → the utility's payable) until the outside system has it. */
export interface UtilityDelivery extends Pending {
  /** The payment's receipt number (one delivery per payment: a replayed payment finds it). */
  deliveryId: string;
  system: UtilitySystem;
  accountNo: string;
  merchantId: string;
  amountFen: number;
  /** Network fee: the student id and the weeks. */
  studentId?: string;
  weeks?: IsoWeek[];
  /** Electricity: the dormitory room. */
  roomId?: string;
  /** Failed tries so far and when the next is due (backoff). */
  attempts: number;
  nextAttemptAt: string;
  lastError?: string;
  /** Once delivered: the system's reference. */
  systemRef?: string;
  /** Once refunded: the system's reason (or `timeout`) and the refund's receipt. */
  refundReceiptNo?: string;
}

export async function listPaidNetworkWeeks(db: Db, accountNo: string): Promise<PaidNetworkWeek[]> {
  const items = await queryAll<Record<string, unknown>>(db, {
    KeyConditionExpression: 'pk = :pk AND begins_with(sk, :prefix)',
    ExpressionAttributeValues: { ':pk': keys.account(accountNo).pk, ':prefix': keys.networkWeekPrefix },
    ConsistentRead: true,
  });
  return items.map((item) => withoutKeys(item) as unknown as PaidNetworkWeek);
}

/** One conditional put per week, for the payment's transaction: a week already paid fails it. */
export function networkWeekPut(db: Db, week: PaidNetworkWeek): NonNullable<TransactItem['Put']> {
  return { TableName: db.tableName, Item: { ...keys.networkWeek(week.accountNo, week.week), ...week }, ConditionExpression: 'attribute_not_exists(pk)' };
}

/** A refunded payment frees its weeks (only its own: the receipt must match). */
export function networkWeekDelete(db: Db, accountNo: string, week: IsoWeek, receiptNo: string): NonNullable<TransactItem['Delete']> {
  return {
    TableName: db.tableName,
    Key: keys.networkWeek(accountNo, week),
    ConditionExpression: 'receiptNo = :receipt',
    ExpressionAttributeValues: { ':receipt': receiptNo },
  };
}

/** The delivery record, for the payment's transaction (its id is the payment's receipt, so it is new). */
export function utilityDeliveryPut(db: Db, delivery: UtilityDelivery): NonNullable<TransactItem['Put']> {
  return {
    TableName: db.tableName,
    Item: {
      ...keys.utilityDelivery(delivery.deliveryId),
      ...keys.utilityDeliveryAccountIndex(delivery.accountNo, delivery.createdAt, delivery.deliveryId),
      ...delivery,
      ...openPendingAttributes(delivery, delivery.deliveryId),
    },
    ConditionExpression: 'attribute_not_exists(pk)',
  };
}

export async function getUtilityDelivery(db: Db, deliveryId: string): Promise<UtilityDelivery | undefined> {
  const { Item } = await db.doc.send(new GetCommand({ TableName: db.tableName, Key: keys.utilityDelivery(deliveryId), ConsistentRead: true }));
  return Item ? (withoutKeys(Item) as unknown as UtilityDelivery) : undefined;
}

/** The account's latest deliveries, newest first. */
export async function listAccountDeliveries(db: Db, accountNo: string, limit: number): Promise<UtilityDelivery[]> {
  const { Items } = await db.doc.send(
    new QueryCommand({
      TableName: db.tableName,
      IndexName: 'gsi1',
      KeyConditionExpression: 'gsi1pk = :pk',
      ExpressionAttributeValues: { ':pk': keys.utilityDeliveryAccountIndex(accountNo, '', '').gsi1pk },
      ScanIndexForward: false,
      Limit: limit,
    }),
  );
  return (Items ?? []).map((item) => withoutKeys(item) as unknown as UtilityDelivery);
}

/** Deliveries still pending (the retrier's list), oldest timeout first. */
export function listOpenDeliveries(db: Db): Promise<UtilityDelivery[]> {
  return listOpenPending<UtilityDelivery>(db, 'utility_delivery');
}

/** A failed try: counted, and the next one put off (only while still pending; false if it was settled meanwhile). */
export async function noteDeliveryAttempt(db: Db, deliveryId: string, attempt: { attempts: number; nextAttemptAt: string; lastError: string }): Promise<boolean> {
  try {
    await db.doc.send(
      new UpdateCommand({
        TableName: db.tableName,
        Key: keys.utilityDelivery(deliveryId),
        UpdateExpression: 'SET attempts = :attempts, nextAttemptAt = :next, lastError = :error',
        ConditionExpression: '#state = :pending',
        ExpressionAttributeNames: { '#state': 'state' },
        ExpressionAttributeValues: { ':attempts': attempt.attempts, ':next': attempt.nextAttemptAt, ':error': attempt.lastError.slice(0, 500), ':pending': 'pending' },
      }),
    );
    return true;
  } catch (error) {
    if (isConditionFailed(error)) return false;
    throw error;
  }
}

/** Settles the delivery (posted: the system has it; voided/expired: refunded), only while pending. */
export function resolveDeliveryItem(db: Db, deliveryId: string, to: 'posted' | 'voided' | 'expired', at: string, extra?: Resolution): TransactItem {
  return resolvePendingItem(db, keys.utilityDelivery(deliveryId), to, at, extra);
}

/** The same, on its own; false when it was no longer pending. */
export function resolveDelivery(db: Db, deliveryId: string, to: 'posted' | 'voided' | 'expired', at: string, extra?: Resolution): Promise<boolean> {
  return resolvePending(db, keys.utilityDelivery(deliveryId), to, at, extra);
}
