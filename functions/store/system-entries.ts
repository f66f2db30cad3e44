/**
 * Movements between two system accounts, with no holder (a merchant's fee, a payout, a payment-code
 * sale): one TransactWriteItems that puts the entry in a partition of its own (`SYSENTRY#<entryId>`,
 * indexed under both accounts it names, keys.ts `systemAccountIndexes`) and the idempotency record,
 * with whatever else must commit with it (a statement, a pending transfer resolved). No item is
 * updated, so nothing here is hot. The same idempotency rules as the movement store: a retry with
 * the same key and fingerprint answers the original; another fingerprint is IDEMPOTENCY_CONFLICT.
 */
import { GetCommand, TransactWriteCommand } from '@aws-sdk/lib-dynamodb';
import { ulid } from 'ulid';
import { AppError } from '../app-error';
import { campusDay, type Clock } from '../domain/campus-day';
import { isHolderAccount, systemAccountsOf } from '../domain/chart';
import type { SystemEntry, SystemEntryDraft } from '../domain/ledger';
import { failedItems } from './conditions';
import type { Db } from './db';
import { keys, systemAccountIndexes, withoutKeys } from './keys';
import type { TransactItem } from './movements';

/** A write that commits with the entry, and what its failed condition means (by default the DynamoDB error is thrown). */
export type SystemAlsoWrite = TransactItem | { item: TransactItem; onConflict: () => AppError };

export interface SystemEntryCommand {
  idempotencyKey: string;
  fingerprint: string;
  entry: SystemEntryDraft;
  alsoWrite?: (entry: SystemEntry) => SystemAlsoWrite[];
}

interface SystemIdempotencyRecord {
  fingerprint: string;
  systemEntry: SystemEntry;
}

export async function postSystemEntry(deps: { db: Db; clock: Clock }, command: SystemEntryCommand): Promise<{ entry: SystemEntry; replayed: boolean }> {
  const { db } = deps;
  // No read first: a repeat finds out from the idempotency record's condition, and then replays it.
  const now = deps.clock();
  const entry = systemEntryOf(command.entry, ulid(now.getTime()), now);
  const extras = (command.alsoWrite?.(entry) ?? []).map((extra) => ('item' in extra ? extra : { item: extra, onConflict: undefined }));
  try {
    await db.doc.send(
      new TransactWriteCommand({
        TransactItems: [
          {
            Put: {
              TableName: db.tableName,
              Item: { ...keys.systemEntry(entry.entryId), ...systemAccountIndexes(systemAccountsOf(entry.transfers), entry.campusDay, entry.entryId), ...entry },
              ConditionExpression: 'attribute_not_exists(pk)',
            },
          },
          {
            Put: {
              TableName: db.tableName,
              Item: { ...keys.idempotency(command.idempotencyKey), fingerprint: command.fingerprint, systemEntry: entry } satisfies SystemIdempotencyRecord & Record<string, unknown>,
              ConditionExpression: 'attribute_not_exists(pk)',
            },
          },
          ...extras.map((extra) => extra.item),
        ],
      }),
    );
  } catch (error) {
    const failed = failedItems(error);
    // The key was used before (a retry, or another request that won the race): answer as it did.
    if (failed.includes(1)) {
      const winner = await readRecord(db, command.idempotencyKey);
      if (winner) return replay(winner, command);
    }
    const failedExtra = failed.find((index) => index > 1);
    const answer = failedExtra !== undefined ? extras[failedExtra - 2]?.onConflict?.() : undefined;
    throw answer ?? error;
  }
  return { entry, replayed: false };
}

/** Stamps a draft; refuses what the chart does not allow between system accounts (checked again by the audit). */
export function systemEntryOf(draft: SystemEntryDraft, entryId: string, now: Date): SystemEntry {
  if (draft.transfers.length === 0) throw new Error(`system entry ${draft.type} has no transfers`);
  for (const transfer of draft.transfers) {
    if (!Number.isSafeInteger(transfer.amountFen) || transfer.amountFen <= 0) throw new Error(`system entry ${draft.type} moves ${transfer.amountFen}`);
    if (isHolderAccount(transfer.debit) || isHolderAccount(transfer.credit)) throw new Error(`system entry ${draft.type} names a holder purse`);
  }
  const amountFen = draft.transfers.reduce((sum, transfer) => sum + transfer.amountFen, 0);
  return { ...draft, entryId, amountFen, createdAt: now.toISOString(), campusDay: campusDay(now) } as SystemEntry;
}

export async function getSystemEntry(db: Db, entryId: string): Promise<SystemEntry | undefined> {
  const { Item } = await db.doc.send(new GetCommand({ TableName: db.tableName, Key: keys.systemEntry(entryId), ConsistentRead: true }));
  return Item ? (withoutKeys(Item) as unknown as SystemEntry) : undefined;
}

async function readRecord(db: Db, key: string): Promise<(SystemIdempotencyRecord & { closed?: boolean }) | undefined> {
  const { Item } = await db.doc.send(new GetCommand({ TableName: db.tableName, Key: keys.idempotency(key), ConsistentRead: true }));
  return Item as (SystemIdempotencyRecord & { closed?: boolean }) | undefined;
}

function replay(record: SystemIdempotencyRecord & { closed?: boolean }, command: Pick<SystemEntryCommand, 'idempotencyKey' | 'fingerprint'>): { entry: SystemEntry; replayed: true } {
  if (record.closed) throw new AppError('POS_TXN_CLOSED', `key ${command.idempotencyKey} is closed`);
  if (record.fingerprint !== command.fingerprint || !record.systemEntry) throw new AppError('IDEMPOTENCY_CONFLICT', `key ${command.idempotencyKey}`);
  return { entry: record.systemEntry, replayed: true };
}
