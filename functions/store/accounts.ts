/** Reading and creating accounts. Money changes go through movements.ts only. */
import { BatchGetCommand, GetCommand, PutCommand, UpdateCommand, type BatchGetCommandOutput } from '@aws-sdk/lib-dynamodb';
import type { Account } from '../domain/account';
import { accountSearchPuts } from './account-search';
import { failedItems, isConditionFailed, transactWrite } from './conditions';
import { findByGsi1, type Db } from './db';
import { accountStatusUpdate, cardStatusUpdate, keys, withoutKeys, type StatusChangeWho } from './keys';
import type { TransactItem } from './movements';
import { statusEvents, statusSourceId } from '../domain/outbox';
import { outboxPut } from './outbox';

export async function getAccount(db: Db, accountNo: string): Promise<Account | undefined> {
  const { Item } = await db.doc.send(new GetCommand({ TableName: db.tableName, Key: keys.account(accountNo), ConsistentRead: true }));
  return Item ? (withoutKeys(Item) as unknown as Account) : undefined;
}

export async function findAccountByPersonId(db: Db, personId: string): Promise<Account | undefined> {
  const item = await findByGsi1<Record<string, unknown>>(db, keys.personIndex(personId));
  return item ? (withoutKeys(item) as unknown as Account) : undefined;
}

/** Creates the account if its number is free; returns false (and changes nothing) if it exists. */
export async function createAccount(db: Db, account: Account): Promise<boolean> {
  try {
    await db.doc.send(
      new PutCommand({
        TableName: db.tableName,
        Item: { ...keys.account(account.accountNo), ...keys.personIndex(account.personId), ...account },
        ConditionExpression: 'attribute_not_exists(pk)',
      }),
    );
    // Seeded accounts are searched for like issued ones (the seed's own path: the card centre issues through issued-accounts.ts).
    const search = accountSearchPuts(db, account);
    if (search.length) await transactWrite(db, search);
    return true;
  } catch (error) {
    if (isConditionFailed(error)) return false;
    throw error;
  }
}

/** Many accounts by number (eventually consistent reads: for bundles, not for money). */
export async function getAccounts(db: Db, accountNos: string[]): Promise<Account[]> {
  const found: Account[] = [];
  for (let i = 0; i < accountNos.length; i += 100) {
    let pending: Record<string, unknown>[] | undefined = accountNos.slice(i, i + 100).map((accountNo) => keys.account(accountNo));
    for (let round = 0; pending?.length && round < 8; round++) {
      const output: BatchGetCommandOutput = await db.doc.send(new BatchGetCommand({ RequestItems: { [db.tableName]: { Keys: pending } } }));
      found.push(...(output.Responses?.[db.tableName] ?? []).map((item) => withoutKeys(item) as unknown as Account));
      pending = output.UnprocessedKeys?.[db.tableName]?.Keys;
      if (pending?.length) await new Promise((resolve) => setTimeout(resolve, 20 * 2 ** round));
    }
    if (pending?.length) throw new Error(`${pending.length} accounts were not read after retries`);
  }
  return found;
}

/** Binds the one debit card the kiosk may transfer from (card-centre business). */
export async function bindBankCard(db: Db, accountNo: string, bankCardNo: string): Promise<void> {
  await db.doc.send(
    new UpdateCommand({
      TableName: db.tableName,
      Key: keys.account(accountNo),
      UpdateExpression: 'SET boundBankCardNo = :card, version = version + :one',
      ConditionExpression: 'attribute_exists(pk)',
      ExpressionAttributeValues: { ':card': bankCardNo, ':one': 1 },
    }),
  );
}

/**
 * Changes an account's status (and its active physical card's, when given) as one transaction,
 * guarded by the version read; keeps the blocked-accounts index in step. `alsoWrite`: items that
 * commit with the change or not at all (an action-log entry). False: a condition failed (the account
 * or the card changed meanwhile, or an extra's, e.g. an entry id taken): decide again, with fresh
 * items. A conflict with another transaction is sent again; any other refusal is thrown.
 */
export async function changeAccountStatus(
  db: Db,
  account: Account,
  status: Account['status'],
  card: { cardId: string; chipUid?: string | undefined; status: 'active' | 'lost' } | undefined,
  at: string,
  alsoWrite: TransactItem[] = [],
  who: Omit<StatusChangeWho, 'from'> = { by: 'system' },
): Promise<boolean> {
  const change = accountStatusUpdate(account.accountNo, status, at, { ...who, from: account.status });
  // A loss report or an unfreeze tells the holder, from the outbox written with the change (domain/outbox.ts).
  const outbox = outboxPut(db, statusSourceId(account.accountNo, account.version + 1), account.accountNo, statusEvents(account.accountNo, account.status, status, account.version + 1, at), at);
  const own: TransactItem[] = [
    {
      Update: {
        TableName: db.tableName,
        Key: keys.account(account.accountNo),
        UpdateExpression: `SET ${change.set}, version = :next${change.remove ? ` REMOVE ${change.remove}` : ''}`,
        ConditionExpression: 'version = :current',
        ExpressionAttributeNames: change.names,
        ExpressionAttributeValues: { ...change.values, ':next': account.version + 1, ':current': account.version },
      },
    },
    ...(card
      ? [
          {
            Update: (() => {
              const update = cardStatusUpdate({ accountNo: account.accountNo, ...card }, card.status, at, who);
              return {
                TableName: db.tableName,
                ...update,
                // A replaced or cancelled card never comes back.
                ConditionExpression: '#status IN (:active, :lost)',
                ExpressionAttributeValues: { ...update.ExpressionAttributeValues, ':active': 'active', ':lost': 'lost' },
              };
            })(),
          },
        ]
      : []),
  ];
  try {
    await transactWrite(db, [...own, ...alsoWrite, ...(outbox ? [outbox] : [])]);
    return true;
  } catch (error) {
    if (failedItems(error).length > 0) return false;
    throw error;
  }
}

/** Sets the holder's daily limit, guarded by the version read. False: the account changed meanwhile. */
export async function setDailyLimit(db: Db, account: Account, dailyLimitFen: number): Promise<boolean> {
  try {
    await db.doc.send(
      new UpdateCommand({
        TableName: db.tableName,
        Key: keys.account(account.accountNo),
        UpdateExpression: 'SET dailyLimitFen = :limit, version = :next',
        ConditionExpression: 'version = :current',
        ExpressionAttributeValues: { ':limit': dailyLimitFen, ':next': account.version + 1, ':current': account.version },
      }),
    );
    return true;
  } catch (error) {
    if (isConditionFailed(error)) return false;
    throw error;
  }
}

/** Records the holder's identity for binding (masks and keyed digests only, see domain/identity.ts). */
export async function setIdentity(
  db: Db,
  accountNo: string,
  identity: Required<Pick<Account, 'idType' | 'idNumberMasked' | 'idNumberDigest' | 'mobileMasked' | 'mobileDigest'>>,
): Promise<void> {
  await db.doc.send(
    new UpdateCommand({
      TableName: db.tableName,
      Key: keys.account(accountNo),
      UpdateExpression: 'SET idType = :t, idNumberMasked = :im, idNumberDigest = :id, mobileMasked = :mm, mobileDigest = :md, version = version + :one',
      ConditionExpression: 'attribute_exists(pk)',
      ExpressionAttributeValues: {
        ':t': identity.idType,
        ':im': identity.idNumberMasked,
        ':id': identity.idNumberDigest,
        ':mm': identity.mobileMasked,
        ':md': identity.mobileDigest,
        ':one': 1,
      },
    }),
  );
  const search = accountSearchPuts(db, { accountNo, mobileMasked: identity.mobileMasked });
  if (search.length) await transactWrite(db, search);
}
