/** Reading the ledger: a holder's history, month statements, look-up by receipt number, refund totals. */
import { GetCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import { encodeTime } from 'ulid';
import { addDays } from '../domain/campus-day';
import type { LedgerEntry, MovementType } from '../domain/ledger';
import { findByGsi1, queryAll, type Db } from './db';
import { keys, withoutKeys } from './keys';

const SHANGHAI_OFFSET_MS = 8 * 60 * 60 * 1000;

/** The first instant of a campus day (YYYY-MM-DD, Asia/Shanghai) in Unix ms. */
export function campusDayStartMs(day: string): number {
  return Date.parse(`${day}T00:00:00.000Z`) - SHANGHAI_OFFSET_MS;
}


/** Sort-key bounds covering every entry from the start of `fromDay` to the end of `toDay` (inclusive). */
export function ledgerKeyRange(fromDay: string | undefined, toDay: string | undefined): { low: string; high: string } {
  const low = fromDay ? `${keys.ledgerPrefix}${encodeTime(campusDayStartMs(fromDay), 10)}` : keys.ledgerPrefix;
  const high = toDay ? `${keys.ledgerPrefix}${encodeTime(campusDayStartMs(addDays(toDay, 1)), 10)}` : `${keys.ledgerPrefix}~`;
  return { low, high };
}

/** The most entries one filtered history Query reads (its items are ~0.5 KB: well inside a 1 MB page). */
export const FILTERED_PAGE_MAX = 1_000;

export interface HistoryQuery {
  fromDay?: string;
  toDay?: string;
  types?: MovementType[];
  /** The entryId to continue after (exclusive), from the previous page. */
  after?: string;
  limit: number;
}

/** A page of an account's entries, newest first, and where the next page starts (if there is one). */
export async function listLedger(db: Db, accountNo: string, query: HistoryQuery): Promise<{ entries: LedgerEntry[]; next?: string }> {
  const { low, high } = ledgerKeyRange(query.fromDay, query.toDay);
  // Newest first: continuing after an entry means everything strictly older than it.
  const upper = query.after !== undefined && `${keys.ledgerPrefix}${query.after}` < high ? `${keys.ledgerPrefix}${query.after}` : high;
  const entries: LedgerEntry[] = [];
  let startKey: Record<string, unknown> | undefined;
  const filter = query.types?.length
    ? { FilterExpression: `#type IN (${query.types.map((_, i) => `:t${i}`).join(', ')})`, ExpressionAttributeNames: { '#type': 'type' } }
    : {};
  const typeValues = Object.fromEntries((query.types ?? []).map((type, i) => [`:t${i}`, type]));
  // DynamoDB's Limit counts the items read, before the filter: at limit + 1 per Query a rare type on
  // a long history costs one round trip per 21 entries (5,000 entries: ~240). With a filter each
  // further Query reads twice as many (up to FILTERED_PAGE_MAX), so it is a handful; the cursor is
  // the last entry answered, so what was read past the page is simply read again next page.
  let pageLimit = query.limit + 1;
  do {
    const page = await db.doc.send(
      new QueryCommand({
        TableName: db.tableName,
        KeyConditionExpression: 'pk = :pk AND sk BETWEEN :low AND :high',
        ExpressionAttributeValues: { ':pk': keys.account(accountNo).pk, ':low': low, ':high': upper, ...typeValues },
        ...filter,
        ScanIndexForward: false,
        Limit: pageLimit,
        ...(startKey ? { ExclusiveStartKey: startKey } : {}),
      }),
    );
    if (query.types?.length) pageLimit = Math.min(FILTERED_PAGE_MAX, pageLimit * 2);
    for (const item of page.Items ?? []) {
      if (item.sk === upper) continue; // BETWEEN is inclusive; the cursor entry was on the last page
      entries.push(withoutKeys(item) as unknown as LedgerEntry);
    }
    startKey = page.LastEvaluatedKey;
  } while (startKey && entries.length <= query.limit);
  const pageEntries = entries.slice(0, query.limit);
  return entries.length > query.limit ? { entries: pageEntries, next: pageEntries[pageEntries.length - 1]!.entryId } : { entries: pageEntries };
}

/** Every entry of an account in a range of campus days, oldest first (statements, audit). */
export async function entriesInRange(db: Db, accountNo: string, fromDay?: string, toDay?: string): Promise<LedgerEntry[]> {
  const { low, high } = ledgerKeyRange(fromDay, toDay);
  const items = await queryAll<Record<string, unknown>>(db, {
    KeyConditionExpression: 'pk = :pk AND sk BETWEEN :low AND :high',
    ExpressionAttributeValues: { ':pk': keys.account(accountNo).pk, ':low': low, ':high': high },
    ConsistentRead: true,
  });
  return items.map((item) => withoutKeys(item) as unknown as LedgerEntry);
}

/**
 * The type and amount of every entry of an account in a range of campus days (a month statement's
 * totals): the same bounded Query of the range's sort keys as entriesInRange, projected to the two
 * attributes the totals need, so DynamoDB sends (and the function parses) those, not whole entries
 * with their transfers, purses and indexes. (On AWS the read units are the same: they count whole items.)
 */
export async function entryAmountsInRange(db: Db, accountNo: string, fromDay: string, toDay: string): Promise<Pick<LedgerEntry, 'type' | 'amountFen'>[]> {
  return entryFieldsInRange(db, accountNo, fromDay, toDay, ['type', 'amountFen']);
}

/** The named fields of an account's entries in a range of campus days: one bounded Query of their sort keys, projected. */
export async function entryFieldsInRange<F extends keyof LedgerEntry>(db: Db, accountNo: string, fromDay: string, toDay: string, fields: readonly F[]): Promise<Pick<LedgerEntry, F>[]> {
  const { low, high } = ledgerKeyRange(fromDay, toDay);
  return queryAll<Pick<LedgerEntry, F>>(db, {
    KeyConditionExpression: 'pk = :pk AND sk BETWEEN :low AND :high',
    ExpressionAttributeValues: { ':pk': keys.account(accountNo).pk, ':low': low, ':high': high },
    ProjectionExpression: fields.map((field) => `#${String(field)}`).join(', '),
    ExpressionAttributeNames: Object.fromEntries(fields.map((field) => [`#${String(field)}`, String(field)])),
    ConsistentRead: true,
  });
}

/** Looks a receipt number up (card centre, refunds). Read through the index, then consistently from the account. */
export async function findEntryByReceipt(db: Db, receiptNo: string): Promise<LedgerEntry | undefined> {
  const hit = await findByGsi1<LedgerEntry>(db, keys.receiptIndex(receiptNo));
  return hit ? getLedgerEntry(db, hit.accountNo, hit.entryId) : undefined;
}

export async function getLedgerEntry(db: Db, accountNo: string, entryId: string): Promise<LedgerEntry | undefined> {
  const { Item } = await db.doc.send(new GetCommand({ TableName: db.tableName, Key: keys.ledgerEntry(accountNo, entryId), ConsistentRead: true }));
  return Item ? (withoutKeys(Item) as unknown as LedgerEntry) : undefined;
}

/** How much of a purchase has been refunded so far. */
export async function refundedSoFar(db: Db, receiptNo: string): Promise<number> {
  const { Item } = await db.doc.send(new GetCommand({ TableName: db.tableName, Key: keys.refundTotal(receiptNo), ConsistentRead: true }));
  return (Item?.refundedFen as number | undefined) ?? 0;
}
