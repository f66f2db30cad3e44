/**
 * The reconciliation queue: `FINDING#<findingId>` / `FINDING`, one item per difference a finder
 * saw between an outside record (a platform's bill, later the bank's statement, offline records)
 * and ours. Open findings carry the sparse gsi2 `FINDING#OPEN` / `<createdAt>#<findingId>`, so the
 * card centre's list is one Query, oldest first. The id is a digest of what the finding is about
 * (source, day, channel, ref, kind), so the same bill read twice makes one finding.
 */
import { createHash } from 'node:crypto';
import { GetCommand, PutCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import type { FindingKind, FindingResolution, FindingSource } from '../../shared/vocabulary';
import { isConditionFailed, transactWriteIfFirstHolds } from './conditions';
import type { Db } from './db';
import { keys, withoutKeys } from './keys';
import type { TransactItem } from './movements';

export interface ReconciliationFinding {
  findingId: string;
  source: FindingSource;
  kind: FindingKind;
  /** The campus day of the outside record (the bill's day). */
  day: string;
  channel?: string;
  /** What it is about in the outside record (a platform transaction id, a refund, a statement line). */
  ref: string;
  orderId?: string;
  accountNo?: string;
  /** What the outside record says, fen. */
  outsideFen?: number;
  /** What we have, fen. */
  oursFen?: number;
  detail: string;
  status: 'open' | 'resolved';
  createdAt: string;
  resolution?: { resolution: FindingResolution; reason: string; by: string; at: string };
}

const BASE32 = 'abcdefghijklmnopqrstuvwxyz234567';

/**
 * One id per (source, day, channel, ref, kind): a finder that sees the same thing again finds
 * nothing new. Base32 of a SHA-256 (130 bits), mostly letters: it goes into the action log, which
 * refuses anything that looks like an ID number (a long run of digits).
 */
export function findingIdOf(finding: Pick<ReconciliationFinding, 'source' | 'day' | 'channel' | 'ref' | 'kind'>): string {
  const digest = createHash('sha256').update([finding.source, finding.day, finding.channel ?? '', finding.ref, finding.kind].join('\n')).digest();
  let id = 'F';
  for (let bit = 0; bit < 26 * 5; bit += 5) {
    const byte = bit >> 3;
    const word = ((digest[byte] ?? 0) << 8) | (digest[byte + 1] ?? 0);
    id += BASE32[(word >> (11 - (bit & 7))) & 31];
  }
  return id;
}

/** Stores a new open finding; false if this finding was already recorded (open or resolved). */
/** The put that records a finding once (its id is its digest), alone or committed with what found it. */
export function findingPut(db: Db, finding: Omit<ReconciliationFinding, 'findingId' | 'status'>): NonNullable<TransactItem['Put']> {
  const findingId = findingIdOf(finding);
  return {
    TableName: db.tableName,
    Item: { ...keys.reconciliationFinding(findingId), ...keys.openFindingIndex(finding.createdAt, findingId), ...finding, findingId, status: 'open' },
    ConditionExpression: 'attribute_not_exists(pk)',
  };
}

export async function recordFinding(db: Db, finding: Omit<ReconciliationFinding, 'findingId' | 'status'>): Promise<{ findingId: string; created: boolean }> {
  const findingId = findingIdOf(finding);
  try {
    await db.doc.send(new PutCommand(findingPut(db, finding)));
    return { findingId, created: true };
  } catch (error) {
    if (isConditionFailed(error)) return { findingId, created: false };
    throw error;
  }
}

export async function getFinding(db: Db, findingId: string): Promise<ReconciliationFinding | undefined> {
  const { Item } = await db.doc.send(new GetCommand({ TableName: db.tableName, Key: keys.reconciliationFinding(findingId), ConsistentRead: true }));
  return Item ? (withoutKeys(Item) as unknown as ReconciliationFinding) : undefined;
}

/** Open findings, oldest first, a page at a time; `after` is the previous page's `next`. */
export async function listOpenFindings(db: Db, page: { after?: string; limit: number }): Promise<{ findings: ReconciliationFinding[]; next?: string }> {
  const partition = keys.openFindingIndex('', '').gsi2pk;
  const output = await db.doc.send(
    new QueryCommand({
      TableName: db.tableName,
      IndexName: 'gsi2',
      KeyConditionExpression: page.after ? 'gsi2pk = :open AND gsi2sk > :after' : 'gsi2pk = :open',
      ExpressionAttributeValues: { ':open': partition, ...(page.after ? { ':after': page.after } : {}) },
      Limit: page.limit,
    }),
  );
  const items = output.Items ?? [];
  const last = items[items.length - 1];
  return { findings: items.map((item) => withoutKeys(item) as unknown as ReconciliationFinding), ...(output.LastEvaluatedKey && last ? { next: last.gsi2sk as string } : {}) };
}

/** Resolves an open finding (out of gsi2 FINDING#OPEN), only while it is open. */
export function findingResolutionItem(db: Db, findingId: string, resolution: NonNullable<ReconciliationFinding['resolution']>): TransactItem {
  return {
    Update: {
      TableName: db.tableName,
      Key: keys.reconciliationFinding(findingId),
      UpdateExpression: 'SET #status = :resolved, resolution = :resolution REMOVE gsi2pk, gsi2sk',
      ConditionExpression: '#status = :open',
      ExpressionAttributeNames: { '#status': 'status' },
      ExpressionAttributeValues: { ':resolved': 'resolved', ':open': 'open', ':resolution': resolution },
    },
  };
}

/**
 * Resolves an open finding, with `alsoWrite` (the action-log entry) in the same transaction: it
 * leaves the queue only if its entry is written. False if it was not open (resolved meanwhile, or never there).
 */
export async function resolveFinding(db: Db, findingId: string, resolution: NonNullable<ReconciliationFinding['resolution']>, alsoWrite: TransactItem[]): Promise<boolean> {
  return transactWriteIfFirstHolds(db, [
    findingResolutionItem(db, findingId, resolution),
    ...alsoWrite,
  ]);
}
