/**
 * Water control in the table (functions/domain/small-wallet.ts): pre-deduction sessions (one item per
 * session, and the account's single open one, ACCT#…/OPENWATER); settlement terminal taps
 * (WATERTAP#…, with the account's settlement record ACCT#…/WATERSETTLE#…); and the controllers'
 * uploaded usage records (ACCT#…/WATERUSE#…), all in keys.ts.
 */
import { DeleteCommand, GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import type { spendRefusal } from '../domain/account';
import type { PendingOutcome } from '../domain/pending';
import type { SettledUsage, UsageRecord, WaterResolution, WaterSession } from '../domain/small-wallet';
import { isConditionFailed } from './conditions';
import { queryAll, type Db } from './db';
import { keys, withoutKeys } from './keys';
import type { TransactItem } from './movements';
import { openPendingAttributes, resolvePendingItem } from './pending';
import { assignments } from './update-expression';

export async function getWaterSession(db: Db, accountNo: string, sessionId: string): Promise<WaterSession | undefined> {
  const { Item } = await db.doc.send(new GetCommand({ TableName: db.tableName, Key: keys.waterSession(accountNo, sessionId), ConsistentRead: true }));
  return Item ? (withoutKeys(Item) as unknown as WaterSession) : undefined;
}

export async function getOpenWaterSession(db: Db, accountNo: string): Promise<WaterSession | undefined> {
  const { Item } = await db.doc.send(new GetCommand({ TableName: db.tableName, Key: keys.openWaterSession(accountNo), ConsistentRead: true }));
  return Item ? getWaterSession(db, accountNo, Item.sessionId as string) : undefined;
}

/** The writes that open a session with its preload: the session (pending) and the account's one open-session marker (only if none is open). */
export function openWaterSessionItems(db: Db, session: WaterSession): TransactItem[] {
  return [
    {
      Put: {
        TableName: db.tableName,
        Item: { ...keys.waterSession(session.accountNo, session.sessionId), ...session, ...openPendingAttributes(session, session.sessionId) },
        ConditionExpression: 'attribute_not_exists(pk)',
      },
    },
    {
      Put: {
        TableName: db.tableName,
        Item: { ...keys.openWaterSession(session.accountNo), sessionId: session.sessionId, terminalId: session.terminalId },
        ConditionExpression: 'attribute_not_exists(pk)',
      },
    },
  ];
}

/** The writes that end a session with its settlement: resolved (posted with the water used, or expired) and the account freed for the next. */
export function endWaterSessionItems(db: Db, session: WaterSession, to: PendingOutcome, resolution: WaterResolution, usedFen: number, at: string): TransactItem[] {
  return [
    resolvePendingItem(db, keys.waterSession(session.accountNo, session.sessionId), to, at, { resolution, set: { usedFen } }),
    {
      Delete: {
        TableName: db.tableName,
        Key: keys.openWaterSession(session.accountNo),
        ConditionExpression: 'sessionId = :session',
        ExpressionAttributeValues: { ':session': session.sessionId },
      },
    },
  ];
}

/** A settlement terminal's tap on a card with its small wallet on the chip (services/small-wallet.ts, settleChipWallet). */
export interface WalletTap {
  terminalId: string;
  tapId: string;
  merchantId: string;
  fingerprint: string;
  accountNo: string;
  chipUid: string;
  /** The chip's wallet as read at the tap. */
  chipWalletFen: number;
  /** A CPU card's main purse as read at the tap, and that card (the water moves the balance the chip carries). */
  chipBalanceFen?: number;
  cardId?: string;
  /** What the main purse must hold, as the latest movement of this tap planned it (absent: no movement judged the read). */
  chipBalanceToWriteFen?: number;
  /** What was settled to the water merchant (0: nothing used, no movement). */
  usageFen: number;
  usageReceiptNo?: string;
  settledAt: string;
  /** Set when the tap is finished: what was preloaded after the settlement (0: nothing, see refillRefused). */
  refillFen?: number;
  refillReceiptNo?: string;
  /** Why nothing was preloaded although the wallet had room (the account may not spend). */
  refillRefused?: NonNullable<ReturnType<typeof spendRefusal>>;
  /** The purses when the tap finished: the small wallet is what the chip is told to write. */
  balanceFen?: number;
  smallWalletFen?: number;
  holderDisplayName?: string;
}

export type FinishedWalletTap = WalletTap & Required<Pick<WalletTap, 'refillFen' | 'balanceFen' | 'smallWalletFen' | 'holderDisplayName'>>;

export function isFinished(tap: WalletTap): tap is FinishedWalletTap {
  return tap.refillFen !== undefined;
}

export async function getWalletTap(db: Db, terminalId: string, tapId: string): Promise<WalletTap | undefined> {
  const { Item } = await db.doc.send(new GetCommand({ TableName: db.tableName, Key: keys.waterWalletTap(terminalId, tapId), ConsistentRead: true }));
  return Item ? (withoutKeys(Item) as unknown as WalletTap) : undefined;
}

/** The writes of a tap's settlement (with its usage movement, or alone when nothing was used): the tap, once, and the account's settlement record. */
export function walletTapItems(db: Db, tap: WalletTap): TransactItem[] {
  return [
    { Put: { TableName: db.tableName, Item: { ...keys.waterWalletTap(tap.terminalId, tap.tapId), ...tap }, ConditionExpression: 'attribute_not_exists(pk)' } },
    {
      Put: {
        TableName: db.tableName,
        Item: { ...keys.waterWalletSettlement(tap.accountNo, tap.settledAt, tap.terminalId, tap.tapId), settledAt: tap.settledAt, usageFen: tap.usageFen, terminalId: tap.terminalId, tapId: tap.tapId },
      },
    },
  ];
}

/** Finishes a tap (with its refill movement, or alone): only once. */
export function finishWalletTapItem(db: Db, tap: Pick<WalletTap, 'terminalId' | 'tapId'>, finished: Pick<FinishedWalletTap, 'refillFen' | 'balanceFen' | 'smallWalletFen' | 'holderDisplayName'> & Pick<WalletTap, 'refillReceiptNo' | 'refillRefused' | 'chipBalanceToWriteFen'>): TransactItem {
  const fields = assignments(finished);
  return {
    Update: {
      TableName: db.tableName,
      Key: keys.waterWalletTap(tap.terminalId, tap.tapId),
      UpdateExpression: `SET ${fields.clauses.join(', ')}`,
      ConditionExpression: 'attribute_exists(pk) AND attribute_not_exists(refillFen)',
      ExpressionAttributeNames: fields.names,
      ExpressionAttributeValues: fields.values,
    },
  };
}

export async function listWalletSettlements(db: Db, accountNo: string): Promise<SettledUsage[]> {
  const items = await queryAll<Record<string, unknown>>(db, {
    KeyConditionExpression: 'pk = :pk AND begins_with(sk, :prefix)',
    ExpressionAttributeValues: { ':pk': keys.account(accountNo).pk, ':prefix': keys.waterWalletSettlementPrefix },
    ConsistentRead: true,
  });
  return items.map((item) => ({ settledAt: item.settledAt as string, usageFen: item.usageFen as number }));
}

export interface StoredUsageRecord extends UsageRecord {
  accountNo: string;
  chipUid: string;
  merchantId: string;
  uploadedAt: string;
  chipWalletAfterFen?: number;
}

/** Stores a controller's record once: 'stored', or the record already stored under its id (kept as it was). */
export async function putUsageRecord(db: Db, record: StoredUsageRecord): Promise<{ stored: true } | { stored: false; existing: StoredUsageRecord }> {
  try {
    await db.doc.send(
      new PutCommand({ TableName: db.tableName, Item: { ...keys.waterUsage(record.accountNo, record.terminalId, record.recordId), ...record }, ConditionExpression: 'attribute_not_exists(pk)' }),
    );
    return { stored: true };
  } catch (error) {
    if (!isConditionFailed(error)) throw error;
  }
  const { Item } = await db.doc.send(new GetCommand({ TableName: db.tableName, Key: keys.waterUsage(record.accountNo, record.terminalId, record.recordId), ConsistentRead: true }));
  return { stored: false, existing: withoutKeys(Item!) as unknown as StoredUsageRecord };
}

export async function listUsageRecords(db: Db, accountNo: string): Promise<StoredUsageRecord[]> {
  const items = await queryAll<Record<string, unknown>>(db, {
    KeyConditionExpression: 'pk = :pk AND begins_with(sk, :prefix)',
    ExpressionAttributeValues: { ':pk': keys.account(accountNo).pk, ':prefix': keys.waterUsagePrefix },
    ConsistentRead: true,
  });
  return items.map((item) => withoutKeys(item) as unknown as StoredUsageRecord);
}

/** Keeps the account's marker of records no settlement has taken: put with the oldest one, or removed when there are none. */
export async function markUnsettledUsage(db: Db, accountNo: string, oldestAt: string | undefined): Promise<void> {
  if (oldestAt === undefined) {
    await db.doc.send(new DeleteCommand({ TableName: db.tableName, Key: keys.waterUnsettled(accountNo) }));
    return;
  }
  await db.doc.send(new PutCommand({ TableName: db.tableName, Item: { ...keys.waterUnsettled(accountNo), ...keys.waterUnsettledIndex(oldestAt, accountNo), accountNo, oldestAt } }));
}

/** Accounts whose oldest unsettled record is before `before` (ISO). */
export async function listUnsettledUsageAccounts(db: Db, before: string): Promise<string[]> {
  const items = await queryAll<Record<string, unknown>>(db, {
    IndexName: 'gsi2',
    KeyConditionExpression: 'gsi2pk = :pk AND gsi2sk < :before',
    ExpressionAttributeValues: { ':pk': keys.waterUnsettledIndex('', '').gsi2pk, ':before': before },
  });
  return items.map((item) => item.accountNo as string);
}
