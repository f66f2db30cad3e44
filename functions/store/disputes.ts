/**
 * Holders' disputes: `DISPUTE#<receiptNo>` / `DISPUTE`, one item per disputed payment (so a
 * conditional put makes concurrent raises one), indexed by the holder (gsi1) and by where it stands
 * (gsi2 DISPUTE#OPEN, moved to DISPUTE#RESOLVED by the resolution, which commits with its refund).
 */
import { GetCommand, PutCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import { disputeState, type Dispute } from '../domain/disputes';
import { isConditionFailed, transactWriteIfFirstHolds } from './conditions';
import type { Db } from './db';
import { keys, withoutKeys } from './keys';
import type { TransactItem } from './movements';

function fromItem(item: Record<string, unknown>): Dispute {
  return withoutKeys(item) as unknown as Dispute;
}

export async function getDispute(db: Db, receiptNo: string): Promise<Dispute | undefined> {
  const { Item } = await db.doc.send(new GetCommand({ TableName: db.tableName, Key: keys.dispute(receiptNo), ConsistentRead: true }));
  return Item ? fromItem(Item) : undefined;
}

/** Stores a new dispute; when the payment has one already, that one (nothing written). */
export async function createDispute(db: Db, dispute: Dispute): Promise<{ created: true } | { created: false; existing: Dispute }> {
  try {
    await db.doc.send(
      new PutCommand({
        TableName: db.tableName,
        Item: {
          ...keys.dispute(dispute.receiptNo),
          ...keys.accountDisputeIndex(dispute.accountNo, dispute.createdAt, dispute.receiptNo),
          ...keys.disputeStateIndex('open', dispute.createdAt, dispute.receiptNo),
          ...dispute,
        },
        ConditionExpression: 'attribute_not_exists(pk)',
      }),
    );
    return { created: true };
  } catch (error) {
    if (!isConditionFailed(error)) throw error;
  }
  // Disputes are never deleted: the one that won is there to read.
  return { created: false, existing: (await getDispute(db, dispute.receiptNo))! };
}

export interface DisputeResolution {
  status: 'refunded' | 'refused';
  resolvedAt: string;
  resolvedBy: string;
  resolution: string;
  refundReceiptNo?: string;
  refundFen?: number;
}

/** The update that resolves an open dispute (and moves it to the resolved index), for a transaction; its condition fails if it is resolved already. */
export function disputeResolutionUpdate(db: Db, receiptNo: string, resolution: DisputeResolution): NonNullable<TransactItem['Update']> {
  const index = keys.disputeStateIndex(disputeState(resolution.status), resolution.resolvedAt, receiptNo);
  const refund = resolution.refundReceiptNo !== undefined && resolution.refundFen !== undefined;
  return {
    TableName: db.tableName,
    Key: keys.dispute(receiptNo),
    UpdateExpression:
      'SET #status = :status, resolvedAt = :at, resolvedBy = :by, resolution = :resolution, gsi2pk = :gsi2pk, gsi2sk = :gsi2sk' + (refund ? ', refundReceiptNo = :refundReceiptNo, refundFen = :refundFen' : ''),
    ConditionExpression: '#status = :submitted',
    ExpressionAttributeNames: { '#status': 'status' },
    ExpressionAttributeValues: {
      ':status': resolution.status,
      ':at': resolution.resolvedAt,
      ':by': resolution.resolvedBy,
      ':resolution': resolution.resolution,
      ':gsi2pk': index.gsi2pk,
      ':gsi2sk': index.gsi2sk,
      ':submitted': 'submitted',
      ...(refund ? { ':refundReceiptNo': resolution.refundReceiptNo, ':refundFen': resolution.refundFen } : {}),
    },
  };
}

/** Resolves an open dispute without money (a refusal) with the writes that go with it (its action-log entry); false if it was no longer open. */
export function resolveDispute(db: Db, receiptNo: string, resolution: DisputeResolution, alsoWrite: TransactItem[]): Promise<boolean> {
  return transactWriteIfFirstHolds(db, [{ Update: disputeResolutionUpdate(db, receiptNo, resolution) }, ...alsoWrite]);
}

/** The holder's disputes, newest first. */
export async function listAccountDisputes(db: Db, accountNo: string, limit: number): Promise<Dispute[]> {
  const output = await db.doc.send(
    new QueryCommand({
      TableName: db.tableName,
      IndexName: 'gsi1',
      KeyConditionExpression: 'gsi1pk = :pk',
      ExpressionAttributeValues: { ':pk': keys.accountDisputePartition(accountNo) },
      ScanIndexForward: false,
      Limit: limit,
    }),
  );
  return (output.Items ?? []).map(fromItem);
}

/** Open disputes oldest first (the work), resolved ones newest first; `after` is the previous page's last index key. */
export async function listDisputesByState(db: Db, state: 'open' | 'resolved', page: { after?: string | undefined; limit: number }): Promise<{ disputes: Dispute[]; next?: string }> {
  const forward = state === 'open';
  const output = await db.doc.send(
    new QueryCommand({
      TableName: db.tableName,
      IndexName: 'gsi2',
      KeyConditionExpression: page.after ? `gsi2pk = :pk AND gsi2sk ${forward ? '>' : '<'} :after` : 'gsi2pk = :pk',
      ExpressionAttributeValues: { ':pk': keys.disputeStatePartition(state), ...(page.after ? { ':after': page.after } : {}) },
      ScanIndexForward: forward,
      Limit: page.limit,
    }),
  );
  const items = output.Items ?? [];
  const last = items.at(-1);
  return {
    disputes: items.map(fromItem),
    ...(output.LastEvaluatedKey && last ? { next: String(last.gsi2sk) } : {}),
  };
}

/** How many disputes wait for the card centre (a count of the open index; tens, not millions). */
export async function countOpenDisputes(db: Db): Promise<number> {
  let count = 0;
  let start: Record<string, unknown> | undefined;
  do {
    const output = await db.doc.send(
      new QueryCommand({
        TableName: db.tableName,
        IndexName: 'gsi2',
        KeyConditionExpression: 'gsi2pk = :pk',
        ExpressionAttributeValues: { ':pk': keys.disputeStatePartition('open') },
        Select: 'COUNT',
        ...(start ? { ExclusiveStartKey: start } : {}),
      }),
    );
    count += output.Count ?? 0;
    start = output.LastEvaluatedKey;
  } while (start);
  return count;
}
