/**
 * What the ledger audit reads and writes: one parallel-scan segment of the items it checks, an
 * account's cards, holdback and ledger in one Query, and the nightly report item. It needs `Scan`,
 * which only the audit's own role has (serverless.yml `AuditLedgerRole`).
 */
import { GetCommand, PutCommand, ScanCommand } from '@aws-sdk/lib-dynamodb';
import type { Account } from '../domain/account';
import type { Card } from '../domain/card';
import type { LedgerEntry } from '../domain/ledger';
import { queryAll, type Db } from './db';
import { keys, withoutKeys } from './keys';
import type { Holdback } from './closings';

export type ScannedItem = Record<string, unknown> & { sk: string };

/** One segment of a parallel scan, page by page (each page's items of the kinds the audit checks). */
export async function* scanAuditSegment(db: Db, segment: number, totalSegments: number, pageSize?: number): AsyncGenerator<ScannedItem[]> {
  const kinds = keys.auditScannedKinds;
  let startKey: Record<string, unknown> | undefined;
  do {
    const page = await db.doc.send(
      new ScanCommand({
        TableName: db.tableName,
        Segment: segment,
        TotalSegments: totalSegments,
        FilterExpression: `sk IN (${kinds.map((_, i) => `:k${i}`).join(', ')})`,
        ExpressionAttributeValues: Object.fromEntries(kinds.map((kind, i) => [`:k${i}`, kind])),
        ConsistentRead: true,
        ...(pageSize ? { Limit: pageSize } : {}),
        ...(startKey ? { ExclusiveStartKey: startKey } : {}),
      }),
    );
    yield (page.Items ?? []) as ScannedItem[];
    startKey = page.LastEvaluatedKey;
  } while (startKey);
}

export interface AccountPartition {
  cards: Card[];
  holdback?: Holdback;
  /** Oldest first (key order is commit order). */
  entries: LedgerEntry[];
}

/** An account's cards, holdback and whole ledger, read consistently in one (paged) Query. */
export async function readAccountPartition(db: Db, accountNo: string): Promise<AccountPartition> {
  const items = await queryAll<Record<string, unknown> & { sk: string }>(db, {
    KeyConditionExpression: 'pk = :pk AND sk BETWEEN :low AND :high',
    ExpressionAttributeValues: { ':pk': keys.account(accountNo).pk, ':low': keys.accountAuditRange.low, ':high': keys.accountAuditRange.high },
    ConsistentRead: true,
  });
  const partition: AccountPartition = { cards: [], entries: [] };
  for (const item of items) {
    if (item.sk.startsWith(keys.ledgerPrefix)) partition.entries.push(withoutKeys(item) as unknown as LedgerEntry);
    else if (item.sk.startsWith(keys.cardPrefix)) partition.cards.push(withoutKeys(item) as unknown as Card);
    else if (item.sk === keys.holdback(accountNo).sk) partition.holdback = withoutKeys(item) as unknown as Holdback;
  }
  return partition;
}

export function isAccountItem(item: ScannedItem): boolean {
  return item.sk === keys.account('').sk;
}

/** What a scanned item is, by its sort key. */
export function scannedKind(item: ScannedItem): 'account' | 'order' | 'bank_transfer' | 'card_load' | 'offline_record' | 'used_token' | 'system_entry' | undefined {
  switch (item.sk) {
    case keys.account('').sk:
      return 'account';
    case keys.topupOrder('').sk:
      return 'order';
    case keys.bankTransfer('', '').sk:
      return 'bank_transfer';
    case keys.cardLoad('').sk:
      return 'card_load';
    case keys.offlineRecord('', '').sk:
      return 'offline_record';
    case keys.usedQrToken('').sk:
      return 'used_token';
    case keys.systemEntry('').sk:
      return 'system_entry';
    default:
      return undefined;
  }
}

/** A used-token item's token id (its key) and the payment that spent it. */
export function scannedUsedToken(item: ScannedItem): { tokenId: string; usedFor: string } {
  return { tokenId: String(item.pk).slice(keys.usedQrToken('').pk.length), usedFor: String(item.usedFor) };
}

export function scannedAccount(item: ScannedItem): Account {
  return withoutKeys(item) as unknown as Account;
}

/** Stores a night's report (a re-run the same campus day replaces it). */
export async function putAuditReport(db: Db, campusDay: string, report: Record<string, unknown>): Promise<void> {
  await db.doc.send(new PutCommand({ TableName: db.tableName, Item: { ...keys.auditReport(campusDay), campusDay, ...report } }));
}

export async function getAuditReport(db: Db, campusDay: string): Promise<Record<string, unknown> | undefined> {
  const { Item } = await db.doc.send(new GetCommand({ TableName: db.tableName, Key: keys.auditReport(campusDay), ConsistentRead: true }));
  return Item ? withoutKeys(Item) : undefined;
}
