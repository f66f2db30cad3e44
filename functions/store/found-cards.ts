/**
 * Lost and found (docs/lost-and-found.md). A lost card's refused tap is its own outbox item
 * (`OUTBOX#L#…`, one Put, indexed on gsi1 by the account so the holder's card page is one Query); a
 * found card's report is `FOUNDCARD#<foundId>`, written with its `card_found` outbox item in one
 * transaction, indexed by the owner (gsi1) and by where it stands (gsi2 FOUNDCARD#OPEN → COLLECTED).
 */
import { PutCommand, QueryCommand, GetCommand } from '@aws-sdk/lib-dynamodb';
import type { FoundCard, FoundCardState } from '../domain/lost-found';
import type { OutboxEvent, OutboxRecord } from '../domain/outbox';
import { countAttempt, type CountedAttempt, type LockoutPolicy } from './attempt-counter';
import { isConditionFailed, transactWrite, transactWriteIfFirstHolds } from './conditions';
import type { Db } from './db';
import { keys, withoutKeys } from './keys';
import type { TransactItem } from './movements';
import { outboxPut } from './outbox';

/** As long as any outbox item (store/outbox.ts): "recent" taps are the last week's. */
const LOST_TAP_KEEP_SECONDS = 7 * 24 * 3600;

/**
 * The one Put of a refused tap: its outbox item, indexed for the holder. False when the bucket's
 * item exists already (the same card at the same terminal a moment ago): nothing written.
 */
export async function putLostTap(db: Db, sourceId: string, event: OutboxEvent): Promise<boolean> {
  const record: OutboxRecord = { sourceId, accountNo: event.accountNo, createdAt: event.at, events: [event] };
  try {
    await db.doc.send(
      new PutCommand({
        TableName: db.tableName,
        Item: {
          ...keys.outbox(sourceId),
          ...keys.lostTapIndex(event.accountNo, event.at, sourceId),
          ...record,
          expiresAt: Math.floor(Date.parse(event.at) / 1000) + LOST_TAP_KEEP_SECONDS,
        },
        ConditionExpression: 'attribute_not_exists(pk)',
      }),
    );
    return true;
  } catch (error) {
    if (isConditionFailed(error)) return false;
    throw error;
  }
}

/** The account's refused lost-card taps, newest first (an expired one may linger until TTL removes it: filtered by the caller). */
export async function listLostTaps(db: Db, accountNo: string, limit: number): Promise<OutboxEvent[]> {
  const output = await db.doc.send(
    new QueryCommand({
      TableName: db.tableName,
      IndexName: 'gsi1',
      KeyConditionExpression: 'gsi1pk = :pk',
      ExpressionAttributeValues: { ':pk': keys.lostTapPartition(accountNo) },
      ScanIndexForward: false,
      Limit: limit,
    }),
  );
  return (output.Items ?? []).flatMap((item) => (item.events as OutboxEvent[] | undefined) ?? []);
}

function fromItem(item: Record<string, unknown>): FoundCard {
  return withoutKeys(item) as unknown as FoundCard;
}

/** A found card's report and its outbox event, in one transaction (the event is told exactly when the find is recorded). */
export async function recordFoundCard(db: Db, found: FoundCard, sourceId: string, event: OutboxEvent): Promise<void> {
  const items: TransactItem[] = [
    {
      Put: {
        TableName: db.tableName,
        Item: {
          ...keys.foundCard(found.foundId),
          ...keys.accountFoundCardIndex(found.accountNo, found.reportedAt, found.foundId),
          ...keys.foundCardStateIndex('open', found.reportedAt, found.foundId),
          ...found,
        },
        ConditionExpression: 'attribute_not_exists(pk)',
      },
    },
  ];
  const outbox = outboxPut(db, sourceId, found.accountNo, [event], found.reportedAt);
  if (outbox) items.push(outbox);
  await transactWrite(db, items);
}

export async function getFoundCard(db: Db, foundId: string): Promise<FoundCard | undefined> {
  const { Item } = await db.doc.send(new GetCommand({ TableName: db.tableName, Key: keys.foundCard(foundId), ConsistentRead: true }));
  return Item ? fromItem(Item) : undefined;
}

/** The owner's found-card reports, newest first. */
export async function listAccountFoundCards(db: Db, accountNo: string, limit: number): Promise<FoundCard[]> {
  const output = await db.doc.send(
    new QueryCommand({
      TableName: db.tableName,
      IndexName: 'gsi1',
      KeyConditionExpression: 'gsi1pk = :pk',
      ExpressionAttributeValues: { ':pk': keys.accountFoundCardPartition(accountNo) },
      ScanIndexForward: false,
      Limit: limit,
    }),
  );
  return (output.Items ?? []).map(fromItem);
}

/** Found cards in one state, newest first; `after` is the previous page's last index key. */
export async function listFoundCardsByState(db: Db, state: FoundCardState, page: { after?: string | undefined; limit: number }): Promise<{ foundCards: FoundCard[]; next?: string }> {
  const output = await db.doc.send(
    new QueryCommand({
      TableName: db.tableName,
      IndexName: 'gsi2',
      KeyConditionExpression: page.after ? 'gsi2pk = :pk AND gsi2sk < :after' : 'gsi2pk = :pk',
      ExpressionAttributeValues: { ':pk': keys.foundCardStatePartition(state), ...(page.after ? { ':after': page.after } : {}) },
      ScanIndexForward: false,
      Limit: page.limit,
    }),
  );
  const items = output.Items ?? [];
  const last = items.at(-1);
  return { foundCards: items.map(fromItem), ...(output.LastEvaluatedKey && last ? { next: String(last.gsi2sk) } : {}) };
}

export interface Collection {
  collectedAt: string;
  collectedBy: string;
  collectReason: string;
}

/** Marks an open found card collected (moved to the collected index) with its action-log entry; false if it was no longer open. */
export function collectFoundCard(db: Db, foundId: string, collection: Collection, alsoWrite: TransactItem[]): Promise<boolean> {
  const index = keys.foundCardStateIndex('collected', collection.collectedAt, foundId);
  return transactWriteIfFirstHolds(db, [
    {
      Update: {
        TableName: db.tableName,
        Key: keys.foundCard(foundId),
        UpdateExpression: 'SET #status = :collected, collectedAt = :at, collectedBy = :by, collectReason = :reason, gsi2pk = :gsi2pk, gsi2sk = :gsi2sk',
        ConditionExpression: '#status = :open',
        ExpressionAttributeNames: { '#status': 'status' },
        ExpressionAttributeValues: {
          ':collected': 'collected',
          ':open': 'open',
          ':at': collection.collectedAt,
          ':by': collection.collectedBy,
          ':reason': collection.collectReason,
          ':gsi2pk': index.gsi2pk,
          ':gsi2sk': index.gsi2sk,
        },
      },
    },
    ...alsoWrite,
  ]);
}

/** Counts one found-card report by a kiosk or holder: `locked` once the rate limit is reached (until its pause ends). */
export function countFoundCardReport(db: Db, subject: string, policy: LockoutPolicy, now: Date): Promise<CountedAttempt> {
  // A day outlives any pause; then the counter goes away by itself (TTL).
  return countAttempt(db, keys.foundCardReports(subject), policy, now, { mustExist: false, expiresAt: Math.floor(now.getTime() / 1000) + 24 * 3600 });
}
