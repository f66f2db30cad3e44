/** Merchants, terminals and the used-nonce register for terminal request signatures (with the refusals replays answer). */
import { GetCommand, PutCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import type { ErrorCode, ErrorParamValues } from '../../shared/errors';
import type { Merchant, Terminal } from '../domain/merchant';
import type { Db } from './db';
import { keys, withoutKeys } from './keys';
import type { TransactItem } from './movements';
import { isConditionFailed } from './conditions';

export async function getTerminal(db: Db, terminalId: string): Promise<Terminal | undefined> {
  const { Item } = await db.doc.send(new GetCommand({ TableName: db.tableName, Key: keys.terminal(terminalId) }));
  return Item ? (withoutKeys(Item) as unknown as Terminal) : undefined;
}

/**
 * Terminals change rarely (disable, secret rotation), so a container keeps each for a short while.
 * A disabled terminal is refused everywhere within this many seconds.
 */
export const TERMINAL_CACHE_SECONDS = 30;

/**
 * A per-container copy of items that change rarely, each kept `TERMINAL_CACHE_SECONDS`; an item not
 * found is not kept (a terminal or merchant created a moment ago is found at once).
 */
function keptBriefly<T>(load: (db: Db, id: string) => Promise<T | undefined>): (db: Db, id: string, now: Date) => Promise<T | undefined> {
  const kept = new Map<string, { item: T; until: number }>();
  return async (db, id, now) => {
    const cacheKey = `${db.tableName}#${id}`;
    const hit = kept.get(cacheKey);
    if (hit && hit.until > now.getTime()) return hit.item;
    const item = await load(db, id);
    if (item) kept.set(cacheKey, { item, until: now.getTime() + TERMINAL_CACHE_SECONDS * 1000 });
    else kept.delete(cacheKey);
    return item;
  };
}

export const getTerminalCached = keptBriefly(getTerminal);

/**
 * What a spent nonce remembers of the request that spent it: the refusal it got, if it was refused
 * (a payment that posted is remembered by its idempotency record instead). `request` names that
 * exact request (a hash of its signature), so only the identical request replayed gets the refusal.
 */
export interface SpentNonce {
  refusal?: StoredRefusal;
}

export interface StoredRefusal {
  code: ErrorCode;
  params?: ErrorParamValues;
  request: string;
}

/** The conditional put that spends a request nonce; kept (TTL) a little longer than the clock window. */
export function terminalNoncePut(db: Db, terminalId: string, nonce: string, now: Date, keepSeconds: number): NonNullable<TransactItem['Put']> {
  return {
    TableName: db.tableName,
    Item: { ...keys.nonce(terminalId, nonce), expiresAt: expiresAt(now, keepSeconds) },
    ConditionExpression: 'attribute_not_exists(pk)',
  };
}

/** Spends a nonce on its own: undefined if it was unspent, else what it remembers from the request that spent it. */
export async function useTerminalNonce(db: Db, terminalId: string, nonce: string, now: Date, keepSeconds: number): Promise<SpentNonce | undefined> {
  try {
    await db.doc.send(new PutCommand(terminalNoncePut(db, terminalId, nonce, now, keepSeconds)));
    return undefined;
  } catch (error) {
    if (isConditionFailed(error)) return readSpentNonce(db, terminalId, nonce);
    throw error;
  }
}

/**
 * Stores the refusal a request got with its nonce: spending the nonce, or (`spentByThisRequest`: it
 * spent the nonce before a password check) adding the refusal to it. Undefined when stored; else
 * what the nonce already remembers (another copy of the request, or another request, spent it).
 */
export async function storeNonceRefusal(
  db: Db,
  terminalId: string,
  nonce: string,
  refusal: StoredRefusal,
  options: { now: Date; keepSeconds: number; spentByThisRequest: boolean },
): Promise<SpentNonce | undefined> {
  try {
    await db.doc.send(
      new UpdateCommand({
        TableName: db.tableName,
        Key: keys.nonce(terminalId, nonce),
        UpdateExpression: 'SET refusal = :refusal, expiresAt = if_not_exists(expiresAt, :expiresAt)',
        ConditionExpression: options.spentByThisRequest ? 'attribute_exists(pk) AND attribute_not_exists(refusal)' : 'attribute_not_exists(pk)',
        ExpressionAttributeValues: { ':refusal': refusal, ':expiresAt': expiresAt(options.now, options.keepSeconds) },
      }),
    );
    return undefined;
  } catch (error) {
    if (isConditionFailed(error)) return readSpentNonce(db, terminalId, nonce);
    throw error;
  }
}

/** What a spent nonce remembers; read only after a write found it spent (replays are rare: the common path never reads it). */
export async function readSpentNonce(db: Db, terminalId: string, nonce: string): Promise<SpentNonce> {
  const { Item } = await db.doc.send(new GetCommand({ TableName: db.tableName, Key: keys.nonce(terminalId, nonce), ConsistentRead: true }));
  return Item?.refusal ? { refusal: Item.refusal as StoredRefusal } : {};
}

function expiresAt(now: Date, keepSeconds: number): number {
  return Math.floor(now.getTime() / 1000) + keepSeconds;
}

export async function getMerchant(db: Db, merchantId: string): Promise<Merchant | undefined> {
  const { Item } = await db.doc.send(new GetCommand({ TableName: db.tableName, Key: keys.merchant(merchantId) }));
  return Item ? (withoutKeys(Item) as unknown as Merchant) : undefined;
}

/** Creates or replaces a merchant (seeding and card-centre administration). */
export async function putMerchant(db: Db, merchant: Merchant): Promise<void> {
  await db.doc.send(new PutCommand({ TableName: db.tableName, Item: { ...keys.merchant(merchant.merchantId), ...merchant } }));
}

/** Creates the terminal if its id is free; returns false (and changes nothing) if it exists. */
export async function createTerminal(db: Db, terminal: Terminal): Promise<boolean> {
  try {
    await db.doc.send(
      new PutCommand({
        TableName: db.tableName,
        Item: { ...keys.terminal(terminal.terminalId), ...terminal },
        ConditionExpression: 'attribute_not_exists(pk)',
      }),
    );
    return true;
  } catch (error) {
    if (isConditionFailed(error)) return false;
    throw error;
  }
}

/** Merchants change even more rarely than terminals; a container keeps each as long as a terminal. */
export const getMerchantCached = keptBriefly(getMerchant);
