/**
 * The outbox items (written inside the transaction of the change they tell of) and the claims that
 * make their delivery at most once per (event, subscriber). docs/notifications.md.
 */
import { GetCommand, PutCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { reloadRefusalEvents, reloadRefusalSourceId, type DeliveryOutcome, type DeliveryStatus, type OutboxEvent, type OutboxRecord } from '../domain/outbox';
import type { TopupOrder } from '../domain/topup';
import { isConditionFailed } from './conditions';
import type { Db } from './db';
import { keys, withoutKeys } from './keys';
import type { TransactItem } from './movements';

/** An outbox item outlives any stream's retention (24 h) by far; a week keeps it for looking into. */
const OUTBOX_KEEP_SECONDS = 7 * 24 * 3600;
/** A claim is kept long after any redelivery could come (the stream's 24 h), so it is the record of what was sent. */
const DELIVERY_KEEP_SECONDS = 90 * 24 * 3600;

/** The one extra Put a change pays to tell of itself; undefined when it makes no event. */
export function outboxPut(db: Db, sourceId: string, accountNo: string, events: OutboxEvent[], at: string): TransactItem | undefined {
  if (events.length === 0) return undefined;
  const record: OutboxRecord = { sourceId, accountNo, createdAt: at, events };
  return {
    Put: {
      TableName: db.tableName,
      Item: { ...keys.outbox(sourceId), ...record, expiresAt: Math.floor(Date.parse(at) / 1000) + OUTBOX_KEEP_SECONDS },
      // The id is the change's own: it can exist only if this very change was already written.
      ConditionExpression: 'attribute_not_exists(pk)',
    },
  };
}

/**
 * An automatic reload's order closed without money tells its holder (domain/outbox.ts
 * reloadRefusalEvents): the Put to commit with the close. None for any other order.
 */
export function reloadRefusalOutbox(db: Db, order: Pick<TopupOrder, 'orderId' | 'accountNo' | 'amountFen' | 'channel' | 'trigger'>, refusal: string, at: string): TransactItem[] {
  const put = outboxPut(db, reloadRefusalSourceId(order.orderId), order.accountNo, reloadRefusalEvents(order, refusal, at), at);
  return put ? [put] : [];
}

export async function getOutboxRecord(db: Db, sourceId: string): Promise<OutboxRecord | undefined> {
  const { Item } = await db.doc.send(new GetCommand({ TableName: db.tableName, Key: keys.outbox(sourceId), ConsistentRead: true }));
  return Item ? (withoutKeys(Item) as unknown as OutboxRecord) : undefined;
}

export interface DeliveryRecord {
  eventId: string;
  subscriber: string;
  accountNo: string;
  kind: OutboxEvent['kind'];
  status: DeliveryStatus;
  claimedAt: string;
  doneAt?: string;
  detail?: string;
  attempts?: number;
}

/** Claims the event for the subscriber: true for exactly one caller, ever (the claim is the conditional write). */
export async function claimDelivery(db: Db, event: OutboxEvent, subscriber: string, now: Date): Promise<boolean> {
  const record: DeliveryRecord = { eventId: event.eventId, subscriber, accountNo: event.accountNo, kind: event.kind, status: 'claimed', claimedAt: now.toISOString() };
  try {
    await db.doc.send(
      new PutCommand({
        TableName: db.tableName,
        Item: { ...keys.outboxDelivery(event.eventId, subscriber), ...record, expiresAt: Math.floor(now.getTime() / 1000) + DELIVERY_KEEP_SECONDS },
        ConditionExpression: 'attribute_not_exists(pk)',
      }),
    );
    return true;
  } catch (error) {
    if (isConditionFailed(error)) return false;
    throw error;
  }
}

/** Records what became of a claimed delivery (only a claim still open: an outcome is written once). */
export async function recordDelivery(db: Db, eventId: string, subscriber: string, outcome: DeliveryOutcome, now: Date): Promise<void> {
  try {
    await db.doc.send(
      new UpdateCommand({
        TableName: db.tableName,
        Key: keys.outboxDelivery(eventId, subscriber),
        UpdateExpression: `SET #status = :status, doneAt = :at, attempts = :attempts${outcome.detail !== undefined ? ', detail = :detail' : ''}`,
        ConditionExpression: '#status = :claimed',
        ExpressionAttributeNames: { '#status': 'status' },
        ExpressionAttributeValues: {
          ':status': outcome.status,
          ':at': now.toISOString(),
          ':attempts': outcome.attempts ?? 0,
          ':claimed': 'claimed',
          ...(outcome.detail !== undefined ? { ':detail': outcome.detail.slice(0, 500) } : {}),
        },
      }),
    );
  } catch (error) {
    if (!isConditionFailed(error)) throw error;
  }
}

export async function getDelivery(db: Db, eventId: string, subscriber: string): Promise<DeliveryRecord | undefined> {
  const { Item } = await db.doc.send(new GetCommand({ TableName: db.tableName, Key: keys.outboxDelivery(eventId, subscriber), ConsistentRead: true }));
  return Item ? (withoutKeys(Item) as unknown as DeliveryRecord) : undefined;
}
