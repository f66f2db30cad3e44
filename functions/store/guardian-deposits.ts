/**
 * Guardian deposits' own records (issue 18). The deposit itself is a top-up order (orders.ts) with
 * its payer on it; here: the daily cap per payer (one counter item per payer and campus day, added
 * to in the order's own transaction, so concurrent orders can never pass it), the look-up counter
 * per caller, and a deposit's refund to its payer.
 */
import { GetCommand, QueryCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { countAttempt, type CountedAttempt } from './attempt-counter';
import { conditionFailedAt, isConditionFailed } from './conditions';
import type { Db } from './db';
import { GUARDIAN_LOOKUP_LIMIT } from '../domain/guardian';
import { keys, withoutKeys } from './keys';
import type { TransactItem } from './movements';

/** Two days: the counter outlives its campus day (Beijing) wherever the clock is, then goes by itself. */
const CAP_TTL_SECONDS = 2 * 24 * 3600;

/** One look-up by `subject` (the caller's address), counted before anything is compared. */
export function countGuardianLookup(db: Db, subject: string, now: Date): Promise<CountedAttempt> {
  // Never cleared by a success (GUARDIAN_LOOKUP_LIMIT): the counter ends with its lock, or after a day (TTL).
  return countAttempt(db, keys.guardianLookupAttempts(subject), GUARDIAN_LOOKUP_LIMIT, now, { mustExist: false, expiresAt: Math.floor(now.getTime() / 1000) + 24 * 3600 });
}

/**
 * The payer's day counter, added to with the order: refused (the transaction fails on this item)
 * when what the payer ordered today is above `roomBeforeFen` (the cap less this deposit).
 */
export function guardianCapItem(db: Db, cap: { channel: string; payerId: string; campusDay: string; amountFen: number; roomBeforeFen: number; now: Date }): TransactItem {
  return {
    Update: {
      TableName: db.tableName,
      Key: keys.guardianCap(cap.channel, cap.payerId, cap.campusDay),
      UpdateExpression: 'ADD depositedFen :amount, orders :one SET expiresAt = :expires',
      ConditionExpression: 'attribute_not_exists(depositedFen) OR depositedFen <= :room',
      ExpressionAttributeValues: { ':amount': cap.amountFen, ':one': 1, ':room': cap.roomBeforeFen, ':expires': Math.floor(cap.now.getTime() / 1000) + CAP_TTL_SECONDS },
    },
  };
}

/** An order the platform never took (it could not be asked): its amount leaves the payer's day again. */
export async function releaseGuardianCap(db: Db, cap: { channel: string; payerId: string; campusDay: string; amountFen: number }): Promise<void> {
  try {
    await db.doc.send(
      new UpdateCommand({
        TableName: db.tableName,
        Key: keys.guardianCap(cap.channel, cap.payerId, cap.campusDay),
        UpdateExpression: 'ADD depositedFen :minus, orders :minusOne',
        ConditionExpression: 'depositedFen >= :amount',
        ExpressionAttributeValues: { ':minus': -cap.amountFen, ':minusOne': -1, ':amount': cap.amountFen },
      }),
    );
  } catch (error) {
    if (!isConditionFailed(error)) throw error;
  }
}

/** The order transaction was refused by the cap (its item `index`), not by anything else. */
export function isGuardianCapRefusal(error: unknown, index: number): boolean {
  return conditionFailedAt(error, index);
}

export async function depositedToday(db: Db, channel: string, payerId: string, campusDay: string): Promise<number> {
  const { Item } = await db.doc.send(new GetCommand({ TableName: db.tableName, Key: keys.guardianCap(channel, payerId, campusDay), ConsistentRead: true }));
  return typeof Item?.depositedFen === 'number' ? Item.depositedFen : 0;
}

/**
 * A guardian deposit's refund to its payer. `requested`: the holder's money is out (the
 * deposit_refund entry, written with this record) and the platform is being asked; `refunded`: the
 * platform has made it.
 */
export interface GuardianRefund {
  orderId: string;
  accountNo: string;
  refundId: string;
  amountFen: number;
  channel: 'wechat' | 'alipay';
  platformTxnId: string;
  reason: string;
  operator: string;
  state: 'requested' | 'refunded';
  /** The deposit_refund entry that took the money out of the holder's balance. */
  receiptNo?: string;
  requestedAt: string;
  refundedAt?: string;
  platformRefundId?: string;
}

/** The intent, written in the movement's transaction: at most one per deposit. */
export function guardianRefundPut(db: Db, refund: GuardianRefund): NonNullable<TransactItem['Put']> {
  return {
    TableName: db.tableName,
    Item: { ...keys.guardianRefund(refund.orderId), ...refund, ...keys.guardianRefundOpenIndex(refund.requestedAt, refund.orderId) },
    ConditionExpression: 'attribute_not_exists(pk)',
  };
}

/** The refund on its deposit's order (what the platform's bill is checked against): once, and only on a paid order. */
export function depositRefundOnOrderItem(db: Db, orderId: string, refund: { refundId: string; amountFen: number }): TransactItem {
  return {
    Update: {
      TableName: db.tableName,
      Key: keys.topupOrder(orderId),
      UpdateExpression: 'SET depositRefund = :refund',
      ConditionExpression: '#status = :paid AND attribute_not_exists(depositRefund)',
      ExpressionAttributeNames: { '#status': 'status' },
      ExpressionAttributeValues: { ':refund': refund, ':paid': 'paid' },
    },
  };
}

export async function getGuardianRefund(db: Db, orderId: string): Promise<GuardianRefund | undefined> {
  const { Item } = await db.doc.send(new GetCommand({ TableName: db.tableName, Key: keys.guardianRefund(orderId), ConsistentRead: true }));
  return Item ? (withoutKeys(Item) as unknown as GuardianRefund) : undefined;
}

/** The platform made it: refunded, out of the open index. False if it was not requested. */
export async function markGuardianRefunded(db: Db, orderId: string, done: { refundedAt: string; platformRefundId?: string }): Promise<boolean> {
  try {
    await db.doc.send(
      new UpdateCommand({
        TableName: db.tableName,
        Key: keys.guardianRefund(orderId),
        UpdateExpression: `SET #state = :refunded, refundedAt = :at${done.platformRefundId ? ', platformRefundId = :pr' : ''} REMOVE gsi2pk, gsi2sk`,
        ConditionExpression: '#state = :requested',
        ExpressionAttributeNames: { '#state': 'state' },
        ExpressionAttributeValues: { ':refunded': 'refunded', ':requested': 'requested', ':at': done.refundedAt, ...(done.platformRefundId ? { ':pr': done.platformRefundId } : {}) },
      }),
    );
    return true;
  } catch (error) {
    if (isConditionFailed(error)) return false;
    throw error;
  }
}

/** Refunds the platform has not made yet, oldest first (the reconciler asks again). */
export async function listOpenGuardianRefunds(db: Db): Promise<GuardianRefund[]> {
  const { Items } = await db.doc.send(
    new QueryCommand({
      TableName: db.tableName,
      IndexName: 'gsi2',
      KeyConditionExpression: 'gsi2pk = :pk',
      ExpressionAttributeValues: { ':pk': keys.guardianRefundOpenIndex('', '').gsi2pk },
      Limit: 100,
    }),
  );
  return (Items ?? []).map((item) => withoutKeys(item) as unknown as GuardianRefund);
}
