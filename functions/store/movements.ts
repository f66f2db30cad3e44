/**
 * The one way money moves: a single TransactWriteItems that
 *   1. updates the account's purses, guarded by its version (so `after` in the ledger is exact),
 *   2. appends the immutable ledger entry (its linked transfers; indexed by the one system account it names, see keys.ts),
 *   3. writes the idempotency record holding the request's fingerprint and the result.
 *   4. and, when the movement is one the holder is told of, its outbox item (domain/outbox.ts).
 * A retry with the same key and fingerprint returns the original result; a different fingerprint
 * under the same key is IDEMPOTENCY_CONFLICT; a key closed unused (`closeUnlessPosted`) is refused
 * for ever (POS_TXN_CLOSED). Overdraft is impossible because the plan refuses it
 * and the version condition guarantees the plan saw the balance it is replacing.
 */
import { randomFillSync } from 'node:crypto';
import { GetCommand, PutCommand, TransactWriteCommand, type TransactWriteCommandInput } from '@aws-sdk/lib-dynamodb';
import { incrementBase32, ulid } from 'ulid';
import { AppError } from '../app-error';
import type { Account } from '../domain/account';
import { campusDay, type Clock } from '../domain/campus-day';
import type { LedgerEntry, MovementPlan } from '../domain/ledger';
import { systemAccountsOf } from '../domain/chart';
import { getAccount } from './accounts';
import type { Db } from './db';
import { KeyedSerializer } from './keyed-serializer';
import { accountStatusUpdate, keys, systemAccountIndexes } from './keys';
import { failedItems, isConditionFailed, isTransactionConflict } from './conditions';
import { movementEvents, movementSourceId } from '../domain/outbox';
import { outboxPut } from './outbox';

export interface MovementCommand {
  accountNo: string;
  /** Scoped by its source, e.g. `pos#<terminalId>#<posTxnId>`. */
  idempotencyKey: string;
  /** Hash of everything the request asks for; the same key with another fingerprint is a conflict. */
  fingerprint: string;
  /** Decides the movement from the account as read, or throws the refusal (async only to read what else it depends on). */
  plan: (account: Account, today: string) => MovementPlan | Promise<MovementPlan>;
  /**
   * Other writes that must commit with the movement or not at all (a token marked used, an order
   * marked paid, a refund total). If one's condition fails, `onConflict` says what to answer
   * (a refusal to throw, or 'retry' to re-read and re-plan).
   */
  alsoWrite?: (entry: LedgerEntry) => { item: TransactItem; onConflict: () => AppError | 'retry' }[];
}

export type TransactItem = NonNullable<TransactWriteCommandInput['TransactItems']>[number];

/** A conditional put that must commit with a movement (a terminal's request nonce), and what its failure means. */
export interface OnceOnly {
  put: NonNullable<TransactItem['Put']>;
  reused(): AppError;
}

/** The `alsoWrite` entries for once-only puts (absent ones are skipped). */
export function onceOnly(...items: (OnceOnly | undefined)[]): { item: TransactItem; onConflict: () => AppError }[] {
  return items.flatMap((once) => (once ? [{ item: { Put: once.put }, onConflict: () => once.reused() }] : []));
}

export interface MovementResult {
  entry: LedgerEntry;
  holderName: string;
  /** True when this answers a retry of a movement that was already posted. */
  replayed: boolean;
}

export interface MovementStore {
  post(command: MovementCommand): Promise<MovementResult>;
}

type IdempotencyRecord =
  | { fingerprint: string; entry: LedgerEntry; holderName: string; closed?: undefined }
  /** A key closed before anything posted under it (a terminal was told "not found"). */
  | { closed: true; closedAt: string };

/** DynamoDB's limit on one TransactWriteItems. */
const MAX_TRANSACTION_ITEMS = 100;

/** How many times a movement is re-planned when another writer changed the account first. */
const MAX_ATTEMPTS = 60;

export function createMovementStore(db: Db, clock: Clock): MovementStore {
  const serializer = new KeyedSerializer();
  const accounts = new RememberedAccounts();

  async function readAccount(accountNo: string): Promise<Account> {
    const account = await getAccount(db, accountNo);
    if (!account) throw new AppError('ACCOUNT_NOT_FOUND', accountNo);
    return account;
  }

  /**
   * One try. The idempotency record is read up front only on retries: a first request finds out
   * from the transaction's own condition that it is a repeat (then the next try replays), which
   * saves a read on every payment. A refusal is checked against the record too, so a retry of a
   * posted movement answers as the original did even if the account could no longer afford it.
   */
  async function attempt(command: MovementCommand, isRetry: boolean): Promise<MovementResult | 'retry'> {
    if (isRetry) {
      const existing = await readIdempotency(db, command.idempotencyKey);
      if (existing) return replay(existing, command);
    }

    const now = clock();
    const today = campusDay(now);
    let account = isRetry ? undefined : accounts.get(command.accountNo);
    let plan: MovementPlan;
    try {
      try {
        account ??= await readAccount(command.accountNo);
        plan = await command.plan(account, today);
      } catch (error) {
        // A refusal made on a remembered account is not trusted: it may be stale (a top-up elsewhere).
        if (!(error instanceof AppError) || !accounts.has(command.accountNo)) throw error;
        accounts.delete(command.accountNo);
        account = await readAccount(command.accountNo);
        plan = await command.plan(account, today);
      }
    } catch (error) {
      if (!isRetry) return answerAsOriginal(db, command.idempotencyKey, command.fingerprint, error);
      throw error;
    }
    const entryId = nextEntryId(now, account.lastEntryId);
    const entry: LedgerEntry = {
      ...plan.entry,
      entryId,
      receiptNo: entryId,
      accountNo: account.accountNo,
      after: plan.after,
      createdAt: now.toISOString(),
      campusDay: today,
    };

    const extras = command.alsoWrite?.(entry) ?? [];
    // What the holder is told of (a payment, a top-up, a low balance): one Put, last, in the same transaction (domain/outbox.ts).
    const outbox = outboxPut(db, movementSourceId(account.accountNo, entryId), account.accountNo, movementEvents(entry, account), entry.createdAt);
    if (3 + extras.length + (outbox ? 1 : 0) > MAX_TRANSACTION_ITEMS) throw new Error(`movement ${command.idempotencyKey} needs more than ${MAX_TRANSACTION_ITEMS} items`);
    const status =
      plan.statusAfter !== undefined
        ? accountStatusUpdate(account.accountNo, plan.statusAfter, now.toISOString(), {
            // Who: the plan's word (a kiosk's replacement is the holder's), else the entry's staff operator, else a terminal's finding.
            by: plan.statusBy ?? plan.entry.operator ?? 'system',
            from: account.status,
            ...(plan.entry.reason !== undefined ? { reason: plan.entry.reason } : {}),
          })
        : undefined;
    const fields = Object.entries(plan.accountFields ?? {});
    const optional = [
      ...(status ? [status.set] : []),
      ...(plan.chipBalanceFen !== undefined ? ['chipBalanceFen = :chip'] : []),
      ...fields.map(([name], i) => `${name} = :field${i}`),
    ];
    try {
      await db.doc.send(
        new TransactWriteCommand({
          TransactItems: [
            {
              Update: {
                TableName: db.tableName,
                Key: keys.account(account.accountNo),
                UpdateExpression:
                  'SET balanceFen = :balance, transitionalFen = :transitional, smallWalletFen = :smallWallet, ' +
                  ['dailySpentFen = :spent, dailySpentDay = :day, lastEntryId = :entryId, version = :next', ...optional].join(', ') +
                  (status?.remove ? ` REMOVE ${status.remove}` : ''),
                ConditionExpression: 'version = :current',
                ...(status ? { ExpressionAttributeNames: status.names } : {}),
                ExpressionAttributeValues: {
                  ':balance': plan.after.balanceFen,
                  ':transitional': plan.after.transitionalFen,
                  ':smallWallet': plan.after.smallWalletFen,
                  ':spent': plan.dailySpentFen,
                  ':day': plan.dailySpentDay,
                  ':entryId': entryId,
                  ':next': account.version + 1,
                  ':current': account.version,
                  ...status?.values,
                  ...(plan.chipBalanceFen !== undefined ? { ':chip': plan.chipBalanceFen } : {}),
                  ...Object.fromEntries(fields.map(([, value], i) => [`:field${i}`, value])),
                },
              },
            },
            {
              Put: {
                TableName: db.tableName,
                Item: {
                  ...keys.ledgerEntry(account.accountNo, entryId),
                  ...keys.receiptIndex(entry.receiptNo),
                  ...systemIndexOf(entry),
                  ...entry,
                },
                ConditionExpression: 'attribute_not_exists(pk)',
              },
            },
            {
              Put: {
                TableName: db.tableName,
                Item: {
                  ...keys.idempotency(command.idempotencyKey),
                  fingerprint: command.fingerprint,
                  entry,
                  holderName: account.holderName,
                } satisfies IdempotencyRecord & Record<string, unknown>,
                ConditionExpression: 'attribute_not_exists(pk)',
              },
            },
            ...extras.map((extra) => extra.item),
            ...(outbox ? [outbox] : []),
          ],
        }),
      );
    } catch (error) {
      // Items in order: the account (0), the ledger entry (1), the idempotency record (2), the extras, the outbox item.
      const failed = failedItems(error);
      // Another request with the same key won the race: answer as it did (or as a conflict).
      if (failed.includes(2)) return 'retry';
      // The outbox item (after the extras) cannot fail on its own: its id is this attempt's new entry.
      const failedExtra = failed.find((index) => index > 2 && index < 3 + extras.length);
      if (failedExtra !== undefined && !failed.includes(0)) {
        const answer = extras[failedExtra - 3]!.onConflict();
        if (answer !== 'retry') throw answer;
        return 'retry';
      }
      // Someone changed the account since we read it, or DynamoDB saw a concurrent transaction.
      if (failed.includes(0) || isTransactionConflict(error)) {
        accounts.delete(account.accountNo);
        return 'retry';
      }
      throw error;
    }
    accounts.remember({
      ...account,
      ...plan.after,
      dailySpentFen: plan.dailySpentFen,
      dailySpentDay: plan.dailySpentDay,
      lastEntryId: entryId,
      version: account.version + 1,
      ...(plan.statusAfter ? { status: plan.statusAfter } : {}),
      ...(plan.chipBalanceFen !== undefined ? { chipBalanceFen: plan.chipBalanceFen } : {}),
      ...plan.accountFields,
    });
    return { entry, holderName: account.holderName, replayed: false };
  }

  async function post(command: MovementCommand): Promise<MovementResult> {
    for (let attemptNo = 0; attemptNo < MAX_ATTEMPTS; attemptNo++) {
      const result = await attempt(command, attemptNo > 0);
      if (result !== 'retry') return result;
      await backoff(attemptNo);
    }
    throw new AppError('BUSY_RETRY', `account ${command.accountNo} stayed contended for ${MAX_ATTEMPTS} attempts`);
  }

  return {
    post: (command) => serializer.run(command.accountNo, () => post(command)),
  };
}

/** A holder's entry names at most one system account (chart.ts): it is indexed under it, so only the holder's item is updated. */
function systemIndexOf(entry: LedgerEntry): Record<string, string> {
  const named = systemAccountsOf(entry.transfers);
  if (named.length > 1) throw new Error(`entry ${entry.entryId} (${entry.type}) names ${named.length} system accounts: ${named.join(', ')}`);
  return systemAccountIndexes(named, entry.campusDay, entry.entryId);
}

async function readIdempotency(db: Db, key: string): Promise<IdempotencyRecord | undefined> {
  const { Item } = await db.doc.send(new GetCommand({ TableName: db.tableName, Key: keys.idempotency(key), ConsistentRead: true }));
  return Item as IdempotencyRecord | undefined;
}

function replay(record: IdempotencyRecord, command: Pick<MovementCommand, 'idempotencyKey' | 'fingerprint'>): MovementResult {
  if (record.closed) throw new AppError('POS_TXN_CLOSED', `key ${command.idempotencyKey} closed at ${record.closedAt}`);
  if (record.fingerprint !== command.fingerprint) {
    throw new AppError('IDEMPOTENCY_CONFLICT', `key ${command.idempotencyKey}`);
  }
  return { entry: record.entry, holderName: record.holderName, replayed: true };
}

/**
 * For a request refused before its movement was tried (a QR code's time window, a password): if it
 * retries a movement already posted under this key, the original result (a retry answers as the
 * original did, whatever has changed since); another request under the key is IDEMPOTENCY_CONFLICT,
 * a closed key POS_TXN_CLOSED; a request never posted gets its refusal. Costs a read only on refusals.
 */
export async function answerAsOriginal(db: Db, idempotencyKey: string, fingerprint: string, refusal: unknown): Promise<MovementResult> {
  if (!(refusal instanceof AppError)) throw refusal;
  const existing = await readIdempotency(db, idempotencyKey);
  if (existing) return replay(existing, { idempotencyKey, fingerprint });
  throw refusal;
}

/**
 * What became of the movement under this key. If nothing ever posted, the key is closed in the same
 * step (one conditional write), so a request still on its way can never post under it afterwards:
 * its transaction's idempotency condition fails and the closed record answers it.
 */
export async function closeUnlessPosted(db: Db, idempotencyKey: string, now: Date): Promise<{ posted: Omit<MovementResult, 'replayed'> } | { closed: true }> {
  try {
    await db.doc.send(
      new PutCommand({
        TableName: db.tableName,
        Item: { ...keys.idempotency(idempotencyKey), closed: true, closedAt: now.toISOString() } satisfies IdempotencyRecord & Record<string, unknown>,
        ConditionExpression: 'attribute_not_exists(pk)',
      }),
    );
    return { closed: true };
  } catch (error) {
    if (!isConditionFailed(error)) throw error;
  }
  // A record exists (the movement posted, or the key was closed before), and records never change.
  const record = (await readIdempotency(db, idempotencyKey))!;
  return record.closed ? { closed: true } : { posted: { entry: record.entry, holderName: record.holderName } };
}

/**
 * The accounts this container last wrote, exactly as it wrote them. A movement on one of them plans
 * from the remembered copy instead of reading it again (a payment is then one read fewer). Safe
 * because every change to an account bumps its version and the transaction requires the version it
 * planned from: if anyone else changed the account, the write is refused and the movement is
 * re-planned from a fresh read.
 */
class RememberedAccounts {
  private static readonly LIMIT = 10_000;
  private readonly items = new Map<string, Account>();

  get(accountNo: string): Account | undefined {
    return this.items.get(accountNo);
  }
  has(accountNo: string): boolean {
    return this.items.has(accountNo);
  }
  delete(accountNo: string): void {
    this.items.delete(accountNo);
  }
  remember(account: Account): void {
    this.items.delete(account.accountNo);
    if (this.items.size >= RememberedAccounts.LIMIT) this.items.delete(this.items.keys().next().value!);
    this.items.set(account.accountNo, account);
  }
}

/**
 * A new ledger entry id: a ULID of now, but always after the account's previous entry, so that an
 * account's ledger in key order is its commit order even within one millisecond or across
 * containers whose clocks differ a little (the version condition serialises the commits).
 */
export function nextEntryId(now: Date, lastEntryId: string | undefined): string {
  const candidate = ulid(now.getTime(), pooledRandom);
  return lastEntryId !== undefined && candidate <= lastEntryId ? incrementBase32(lastEntryId) : candidate;
}

/**
 * ulid's own PRNG asks the OS for one byte per character (16 calls per id) and looks for a crypto
 * source each time: a pool of random bytes drawn in one call serves 256 ids (issue 17, CPU per payment).
 */
const randomPool = Buffer.alloc(4_096);
let randomPoolAt = randomPool.length;
function pooledRandom(): number {
  if (randomPoolAt === randomPool.length) {
    randomFillSync(randomPool);
    randomPoolAt = 0;
  }
  return randomPool[randomPoolAt++]! / 256;
}

/** Full jitter, capped: spreads competing writers out instead of having them collide in lockstep. */
function backoff(attemptNo: number): Promise<void> {
  const capMs = Math.min(50, 2 ** Math.min(attemptNo, 6));
  return new Promise((resolve) => setTimeout(resolve, Math.random() * capMs));
}
