/** Uploaded offline POS records, held records with their account freeze, and the blacklist for bundles. */
import { GetCommand } from '@aws-sdk/lib-dynamodb';
import type { Account } from '../domain/account';
import type { CardStatus } from '../domain/card';
import type { HoldReason } from '../domain/offline';
import { queryAll, type Db } from './db';
import { accountStatusUpdate, keys, withoutKeys } from './keys';
import type { TransactItem } from './movements';
import { failedItems, transactWrite, transactWriteIfFirstHolds } from './conditions';

export type OfflineOutcome =
  | { outcome: 'applied'; receiptNo: string; balanceFen: number; frozen: boolean }
  | { outcome: 'held'; reason: HoldReason; frozen: boolean }
  | { outcome: 'rejected'; reason: string }
  /** Already in the account through a levelling to the card: stored, never deducted again. */
  | { outcome: 'reflected'; reason: 'levelled' };

export interface StoredOfflineRecord {
  terminalId: string;
  recordId: string;
  fingerprint: string;
  accountNo?: string;
  amountFen: number;
  occurredAt: string;
  receivedAt: string;
  result: OfflineOutcome;
  /** What paid, kept for the ledger check: the card (judged by its status log then) or the QR token (once only). */
  cardId?: string;
  tokenId?: string;
}

export async function getOfflineRecord(db: Db, terminalId: string, recordId: string): Promise<StoredOfflineRecord | undefined> {
  const { Item } = await db.doc.send(new GetCommand({ TableName: db.tableName, Key: keys.offlineRecord(terminalId, recordId), ConsistentRead: true }));
  return Item ? (withoutKeys(Item) as unknown as StoredOfflineRecord) : undefined;
}

/** The conditional put that stores a record once, whatever became of it. */
export function offlineRecordPut(db: Db, record: StoredOfflineRecord): NonNullable<TransactItem['Put']> {
  return {
    TableName: db.tableName,
    Item: { ...keys.offlineRecord(record.terminalId, record.recordId), ...record },
    ConditionExpression: 'attribute_not_exists(pk)',
  };
}

/**
 * Stores a held record and (if asked and the account is active) freezes the account, together, as
 * long as the account is still the version the decision was made on. False: it changed, decide again.
 */
export async function holdOfflineRecord(db: Db, account: Account, record: StoredOfflineRecord, freeze: boolean, alsoWrite: TransactItem[] = []): Promise<boolean> {
  const freezing = freeze && account.status === 'active';
  // Why, for the card centre's queue: the hold's reason (a terminal's record, so the system froze it).
  const why = record.result.outcome === 'held' ? `offline_${record.result.reason}` : 'offline_record_held';
  const change = freezing ? accountStatusUpdate(account.accountNo, 'frozen', record.receivedAt, { by: 'system', from: account.status, reason: why }) : undefined;
  try {
    await transactWrite(db, [
      { Put: offlineRecordPut(db, record) },
      {
        Update: {
          TableName: db.tableName,
          Key: keys.account(account.accountNo),
          UpdateExpression: `SET version = :next${change ? `, ${change.set}` : ''}`,
          ConditionExpression: 'version = :current',
          ...(change ? { ExpressionAttributeNames: change.names } : {}),
          ExpressionAttributeValues: { ':next': account.version + 1, ':current': account.version, ...change?.values },
        },
      },
      ...alsoWrite,
    ]);
    return true;
  } catch (error) {
    // The record was stored meanwhile (a concurrent upload) or the account changed: decide again.
    if (failedItems(error).length > 0) return false;
    throw error;
  }
}

/** Stores a record that names no account we can charge (e.g. a forged code), so it is never lost. False if it was stored before. */
export async function rejectOfflineRecord(db: Db, record: StoredOfflineRecord, alsoWrite: TransactItem[] = []): Promise<boolean> {
  return transactWriteIfFirstHolds(db, [{ Put: offlineRecordPut(db, record) }, ...alsoWrite]);
}

/** Accounts that are not active, with their physical card's chip UID: what an offline POS must refuse. */
export async function listBlockedAccounts(db: Db): Promise<Pick<Account, 'accountNo' | 'status' | 'activeChipUid'>[]> {
  return queryAll(db, {
    IndexName: 'gsi2',
    KeyConditionExpression: 'gsi2pk = :blocked',
    ExpressionAttributeValues: { ':blocked': keys.blockedAccountIndex('').gsi2pk },
    ProjectionExpression: 'accountNo, #status, activeChipUid',
    ExpressionAttributeNames: { '#status': 'status' },
  });
}

/** Every card that may not pay (lost, replaced, cancelled) with its status, from the sparse blocked-cards index. */
export function listBlockedCards(db: Db): Promise<{ chipUid: string; status: CardStatus }[]> {
  return queryAll(db, {
    IndexName: 'gsi2',
    KeyConditionExpression: 'gsi2pk = :blocked',
    ExpressionAttributeValues: { ':blocked': keys.blockedCardIndex('').gsi2pk },
    ProjectionExpression: 'chipUid, #status',
    ExpressionAttributeNames: { '#status': 'status' },
  });
}
