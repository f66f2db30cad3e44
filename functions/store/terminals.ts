/** Merchants, terminals and the used-nonce register for terminal request signatures. */
import { GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import type { Merchant, Terminal } from '../domain/merchant';
import type { Db } from './db';
import { keys, withoutKeys } from './keys';
import type { TransactItem } from './movements';

export async function getTerminal(db: Db, terminalId: string): Promise<Terminal | undefined> {
  const { Item } = await db.doc.send(new GetCommand({ TableName: db.tableName, Key: keys.terminal(terminalId) }));
  return Item ? (withoutKeys(Item) as unknown as Terminal) : undefined;
}

/**
 * Terminals change rarely (disable, secret rotation), so a container keeps each for a short while.
 * A disabled terminal is refused everywhere within this many seconds.
 */
export const TERMINAL_CACHE_SECONDS = 30;
const terminalCache = new Map<string, { terminal: Terminal; until: number }>();

export async function getTerminalCached(db: Db, terminalId: string, now: Date): Promise<Terminal | undefined> {
  const cacheKey = `${db.tableName}#${terminalId}`;
  const hit = terminalCache.get(cacheKey);
  if (hit && hit.until > now.getTime()) return hit.terminal;
  const terminal = await getTerminal(db, terminalId);
  if (terminal) terminalCache.set(cacheKey, { terminal, until: now.getTime() + TERMINAL_CACHE_SECONDS * 1000 });
  else terminalCache.delete(cacheKey);
  return terminal;
}

/** The conditional put that spends a request nonce; kept (TTL) a little longer than the clock window. */
export function terminalNoncePut(db: Db, terminalId: string, nonce: string, now: Date, keepSeconds: number): NonNullable<TransactItem['Put']> {
  return {
    TableName: db.tableName,
    Item: { ...keys.nonce(terminalId, nonce), expiresAt: Math.floor(now.getTime() / 1000) + keepSeconds },
    ConditionExpression: 'attribute_not_exists(pk)',
  };
}

/** Records a nonce as used on its own; false if it was used before. */
export async function useTerminalNonce(db: Db, terminalId: string, nonce: string, now: Date, keepSeconds: number): Promise<boolean> {
  try {
    await db.doc.send(new PutCommand(terminalNoncePut(db, terminalId, nonce, now, keepSeconds)));
    return true;
  } catch (error) {
    if (error instanceof Error && error.name === 'ConditionalCheckFailedException') return false;
    throw error;
  }
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
    if (error instanceof Error && error.name === 'ConditionalCheckFailedException') return false;
    throw error;
  }
}
