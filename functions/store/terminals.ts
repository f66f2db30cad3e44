/** Merchants, terminals and the used-nonce register for terminal request signatures (with the refusals replays answer). */
import { GetCommand, PutCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import type { ErrorCode, ErrorParamValues } from '../../shared/errors';
import { withMerchantTerms, type Merchant, type MerchantInput, type PendingActivation, type TerminalRecord } from '../domain/merchant';
import { queryAll, type Db } from './db';
import { keys, withoutKeys } from './keys';
import type { TransactItem } from './movements';
import { isConditionFailed, transactWriteIfFirstHolds } from './conditions';

export async function getTerminal(db: Db, terminalId: string): Promise<TerminalRecord | undefined> {
  const { Item } = await db.doc.send(new GetCommand({ TableName: db.tableName, Key: keys.terminal(terminalId), ConsistentRead: true }));
  return Item ? (withoutKeys(Item) as unknown as TerminalRecord) : undefined;
}

/**
 * Terminals change rarely (disable, secret rotation), so a container keeps each for a short while.
 * A disabled terminal is refused everywhere within this many seconds.
 */
export const TERMINAL_CACHE_SECONDS = 30;

/**
 * A per-container copy of items that change rarely, each kept `TERMINAL_CACHE_SECONDS`; an item not
 * found is not kept (a terminal or merchant created a moment ago is found at once). `fresh` reads the
 * item again and keeps that (a secret rotated a moment ago), `forget` drops it (this container's own
 * change is seen at once; other containers see it within the cache time).
 */
function keptBriefly<T>(load: (db: Db, id: string) => Promise<T | undefined>) {
  const kept = new Map<string, { item: T; until: number }>();
  const fresh = async (db: Db, id: string, now: Date): Promise<T | undefined> => {
    const cacheKey = `${db.tableName}#${id}`;
    const item = await load(db, id);
    if (item) kept.set(cacheKey, { item, until: now.getTime() + TERMINAL_CACHE_SECONDS * 1000 });
    else kept.delete(cacheKey);
    return item;
  };
  const cached = async (db: Db, id: string, now: Date): Promise<T | undefined> => {
    const hit = kept.get(`${db.tableName}#${id}`);
    if (hit && hit.until > now.getTime()) return hit.item;
    return fresh(db, id, now);
  };
  return Object.assign(cached, { fresh, forget: (db: Db, id: string) => void kept.delete(`${db.tableName}#${id}`) });
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

/**
 * The conditional put that spends a request nonce; kept (TTL) a little longer than the clock window.
 * It names the HTTP request that spends it (API Gateway's request id), so the SDK resending this put
 * after its answer was lost meets its own write and passes, while any other request with the same
 * nonce (a replay is always another HTTP request) is refused.
 */
export function terminalNoncePut(db: Db, terminalId: string, nonce: string, now: Date, keepSeconds: number, spentBy: string): NonNullable<TransactItem['Put']> {
  return {
    TableName: db.tableName,
    Item: { ...keys.nonce(terminalId, nonce), expiresAt: expiresAt(now, keepSeconds), spentBy },
    ConditionExpression: 'attribute_not_exists(pk) OR spentBy = :spentBy',
    ExpressionAttributeValues: { ':spentBy': spentBy },
  };
}

/** Spends a nonce on its own: undefined if it was unspent, else what it remembers from the request that spent it. */
export async function useTerminalNonce(db: Db, terminalId: string, nonce: string, now: Date, keepSeconds: number, spentBy: string): Promise<SpentNonce | undefined> {
  try {
    await db.doc.send(new PutCommand(terminalNoncePut(db, terminalId, nonce, now, keepSeconds, spentBy)));
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

/** The merchants named by these entries (ledger entries, say), each read once: a page names only a few. */
export async function merchantsNamedBy(db: Db, items: readonly { merchantId?: string }[]): Promise<Map<string, Merchant>> {
  const ids = [...new Set(items.flatMap((item) => (item.merchantId ? [item.merchantId] : [])))];
  const merchants = await Promise.all(ids.map((id) => getMerchant(db, id)));
  return new Map(merchants.flatMap((merchant) => (merchant ? [[merchant.merchantId, merchant] as const] : [])));
}

export async function getMerchant(db: Db, merchantId: string): Promise<Merchant | undefined> {
  const { Item } = await db.doc.send(new GetCommand({ TableName: db.tableName, Key: keys.merchant(merchantId), ConsistentRead: true }));
  return Item ? withMerchantTerms(withoutKeys(Item) as unknown as MerchantInput) : undefined;
}

/** Creates or replaces a merchant (seeding and test fixtures; the card centre's changes go through store/merchants.ts). */
export async function putMerchant(db: Db, merchant: MerchantInput): Promise<void> {
  await db.doc.send(new PutCommand({ TableName: db.tableName, Item: { ...keys.merchant(merchant.merchantId), ...keys.merchantListIndex(merchant.merchantId), ...withMerchantTerms(merchant) } }));
}

/** Creates the terminal if its id is free; returns false (and changes nothing) if it exists. */
export async function createTerminal(db: Db, terminal: TerminalRecord, alsoWrite: TransactItem[] = []): Promise<boolean> {
  return transactWriteIfFirstHolds(db, [
    {
      Put: {
        TableName: db.tableName,
        Item: { ...keys.terminal(terminal.terminalId), ...keys.merchantTerminalIndex(terminal.merchantId, terminal.terminalId), ...terminal },
        ConditionExpression: 'attribute_not_exists(pk)',
      },
    },
    ...alsoWrite,
  ]);
}

/** A merchant's terminals, by id. */
export async function listMerchantTerminals(db: Db, merchantId: string): Promise<TerminalRecord[]> {
  const index = keys.merchantTerminalIndex(merchantId, '');
  const items = await queryAll<Record<string, unknown>>(db, {
    IndexName: 'gsi1',
    KeyConditionExpression: 'gsi1pk = :pk',
    ExpressionAttributeValues: { ':pk': index.gsi1pk },
  });
  return items.map((item) => withoutKeys(item) as unknown as TerminalRecord);
}

/**
 * Keeps a new activation code's hash on the terminal (a code issued before it is void: the last one
 * issued counts). False if the terminal does not exist.
 */
export async function setActivationCode(db: Db, terminalId: string, activation: PendingActivation, alsoWrite: TransactItem[] = []): Promise<boolean> {
  return transactWriteIfFirstHolds(db, [
    {
      Update: {
        TableName: db.tableName,
        Key: keys.terminal(terminalId),
        UpdateExpression: 'SET activation = :activation, version = if_not_exists(version, :zero) + :one',
        ConditionExpression: 'attribute_exists(pk)',
        ExpressionAttributeValues: { ':activation': activation, ':zero': 0, ':one': 1 },
      },
    },
    ...alsoWrite,
  ]);
}

/**
 * Spends an activation code: one conditional write that checks the code's hash and its expiry and
 * sets the new secret, so of two exchanges of one code exactly one wins. The terminal as it is now,
 * or undefined when no such code is waiting (unknown terminal, wrong, expired or used code alike).
 */
export async function exchangeActivationCode(db: Db, terminalId: string, codeHash: string, secret: string, now: Date): Promise<TerminalRecord | undefined> {
  try {
    const { Attributes } = await db.doc.send(
      new UpdateCommand({
        TableName: db.tableName,
        Key: keys.terminal(terminalId),
        UpdateExpression: 'SET secret = :secret, #status = :active, activatedAt = :now, version = if_not_exists(version, :zero) + :one REMOVE activation, disabledAt',
        ConditionExpression: 'activation.codeHash = :hash AND activation.expiresAt > :now',
        ExpressionAttributeNames: { '#status': 'status' },
        ExpressionAttributeValues: { ':secret': secret, ':active': 'active', ':now': now.toISOString(), ':hash': codeHash, ':zero': 0, ':one': 1 },
        ReturnValues: 'ALL_NEW',
      }),
    );
    return Attributes ? (withoutKeys(Attributes) as unknown as TerminalRecord) : undefined;
  } catch (error) {
    if (isConditionFailed(error)) return undefined;
    throw error;
  }
}

/**
 * Disables a terminal: its requests are refused and any waiting activation code is void (only a new
 * code from the card centre brings it back, with a new secret). False if it does not exist or is
 * disabled already.
 */
export async function disableTerminalRecord(db: Db, terminalId: string, at: string, alsoWrite: TransactItem[] = []): Promise<boolean> {
  return transactWriteIfFirstHolds(db, [
    {
      Update: {
        TableName: db.tableName,
        Key: keys.terminal(terminalId),
        UpdateExpression: 'SET #status = :disabled, disabledAt = :at, version = if_not_exists(version, :zero) + :one REMOVE activation',
        ConditionExpression: 'attribute_exists(pk) AND #status <> :disabled',
        ExpressionAttributeNames: { '#status': 'status' },
        ExpressionAttributeValues: { ':disabled': 'disabled', ':at': at, ':zero': 0, ':one': 1 },
      },
    },
    ...alsoWrite,
  ]);
}

/** A terminal's last sight is written at most this often (the dashboard counts it online for minutes). */
export const TERMINAL_SEEN_EVERY_SECONDS = 60;

/** When this container last wrote each terminal's sight: most requests write nothing. */
const seenWritten = new Map<string, number>();

/**
 * Records that the terminal signed a request now, cheaply: at most once a minute per container (the
 * map above), and the write itself only if the stored sight is older than a minute (so many
 * containers still write about once a minute between them). Never fails the request: a sight not
 * written is only a terminal shown offline a minute early.
 */
export async function noteTerminalSeen(db: Db, terminalId: string, now: Date): Promise<void> {
  const cacheKey = `${db.tableName}#${terminalId}`;
  const every = TERMINAL_SEEN_EVERY_SECONDS * 1000;
  const last = seenWritten.get(cacheKey);
  if (last !== undefined && now.getTime() - last < every && now.getTime() >= last) return;
  seenWritten.set(cacheKey, now.getTime());
  try {
    await db.doc.send(
      new UpdateCommand({
        TableName: db.tableName,
        Key: keys.terminal(terminalId),
        UpdateExpression: 'SET lastSeenAt = :now',
        ConditionExpression: 'attribute_exists(pk) AND (attribute_not_exists(lastSeenAt) OR lastSeenAt < :before)',
        ExpressionAttributeValues: { ':now': now.toISOString(), ':before': new Date(now.getTime() - every).toISOString() },
      }),
    );
  } catch {
    // Another container wrote it within the minute, or the write failed: either way the request goes on.
  }
}

/** Merchants change even more rarely than terminals; a container keeps each as long as a terminal. */
export const getMerchantCached = keptBriefly(getMerchant);
