/**
 * Accounts the card centre issues: new account numbers, the account with its default passwords and
 * its audit entry in one transaction, re-import updates, and password resets. Money never moves here
 * (a new account starts at zero; everything after goes through movements.ts).
 */
import { GetCommand, TransactWriteCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import type { Account } from '../domain/account';
import type { PasswordKind, PasswordRecord } from '../domain/passwords';
import { accountSearchPuts } from './account-search';
import { findAccountByPersonId, getAccount } from './accounts';
import { conditionFailedAt } from './conditions';
import type { Db } from './db';
import { accountStatusUpdate, keys } from './keys';
import type { TransactItem } from './movements';

/**
 * Account numbers the card centre hands out are ACCOUNT_NUMBER_BASE + a counter: six digits from
 * 100001 (a holder types it at kiosks and on the phone), seven once 900 000 are used. Older and
 * seeded accounts keep their own numbers; a collision with one is detected by the account's own
 * put condition and the next number is taken.
 */
export const ACCOUNT_NUMBER_BASE = 100_000;

/**
 * Reserves `count` consecutive account numbers with one atomic increment of the counter item (one
 * write per import, not per row). Numbers reserved but not used (a row that lost a race, a failed
 * import) are simply skipped: account numbers need to be unique, not gapless.
 */
export async function reserveAccountNumbers(db: Db, count: number): Promise<string[]> {
  if (count <= 0) return [];
  const { Attributes } = await db.doc.send(
    new UpdateCommand({
      TableName: db.tableName,
      Key: keys.accountNumberCounter,
      UpdateExpression: 'ADD lastIssued :count',
      ExpressionAttributeValues: { ':count': count },
      ReturnValues: 'UPDATED_NEW',
    }),
  );
  const last = Attributes!.lastIssued as number;
  return Array.from({ length: count }, (_, i) => String(ACCOUNT_NUMBER_BASE + last - count + 1 + i));
}

/**
 * The account of a student/staff id: by its claim item (consistent), or, for accounts made before
 * claims existed (seeded, migrated), by the person index.
 */
export async function findIssuedAccount(db: Db, personId: string): Promise<Account | undefined> {
  const { Item } = await db.doc.send(new GetCommand({ TableName: db.tableName, Key: keys.personClaim(personId), ConsistentRead: true }));
  if (Item) return getAccount(db, Item.accountNo as string);
  return findAccountByPersonId(db, personId);
}

export type CreateOutcome = 'created' | 'person_taken' | 'number_taken';

/**
 * One transaction: the account (its number must be free), the person's claim (the id must have no
 * account yet: two imports of the same list cannot both create it), both default passwords, and
 * `alsoWrite` (the action-log entry).
 */
export async function createIssuedAccount(
  db: Db,
  account: Account,
  passwords: Record<PasswordKind, PasswordRecord>,
  alsoWrite: TransactItem[],
): Promise<CreateOutcome> {
  const put = (Item: Record<string, unknown>): TransactItem => ({ Put: { TableName: db.tableName, Item, ConditionExpression: 'attribute_not_exists(pk)' } });
  try {
    await db.doc.send(
      new TransactWriteCommand({
        TransactItems: [
          put({ ...keys.account(account.accountNo), ...keys.personIndex(account.personId), ...account }),
          put({ ...keys.personClaim(account.personId), accountNo: account.accountNo, personId: account.personId, createdAt: account.createdAt }),
          put({ ...keys.password(account.accountNo, 'query'), ...passwords.query }),
          put({ ...keys.password(account.accountNo, 'consumption'), ...passwords.consumption }),
          // The card centre's search by name and mobile digits (after the conditions above: their indexes stay as they are).
          ...accountSearchPuts(db, account),
          ...alsoWrite,
        ],
      }),
    );
    return 'created';
  } catch (error) {
    if (conditionFailedAt(error, 1)) return 'person_taken';
    if (conditionFailedAt(error, 0)) return 'number_taken';
    throw error;
  }
}

export interface IssuedChanges {
  holderName?: string;
  mobile?: { mobileMasked: string; mobileDigest: string };
  expiresOn?: string;
}

/**
 * A re-import's changes (name, mobile, expiry) with `alsoWrite` (the action-log entry), on the
 * account as read (its version; bumped). Renewing an expired temporary card makes it active again
 * (at `at`). False: a condition failed (the account changed meanwhile), decide again.
 */
export async function updateIssuedAccount(db: Db, account: Account, changes: IssuedChanges, at: string, alsoWrite: TransactItem[], by = 'system'): Promise<boolean> {
  const set = ['version = :next'];
  const values: Record<string, unknown> = { ':next': account.version + 1, ':current': account.version };
  if (changes.holderName !== undefined) {
    set.push('holderName = :name');
    values[':name'] = changes.holderName;
  }
  if (changes.mobile) {
    set.push('mobileMasked = :mobileMasked, mobileDigest = :mobileDigest');
    values[':mobileMasked'] = changes.mobile.mobileMasked;
    values[':mobileDigest'] = changes.mobile.mobileDigest;
  }
  const renewed = changes.expiresOn !== undefined && account.status === 'expired';
  if (changes.expiresOn !== undefined) {
    set.push('expiresOn = :expiresOn');
    values[':expiresOn'] = changes.expiresOn;
  }
  const status = renewed ? accountStatusUpdate(account.accountNo, 'active', at, { by, from: account.status, reason: 'renewed by import' }) : undefined;
  if (status) {
    set.push(status.set);
    Object.assign(values, status.values);
  }
  try {
    await db.doc.send(
      new TransactWriteCommand({
        TransactItems: [
          {
            Update: {
              TableName: db.tableName,
              Key: keys.account(account.accountNo),
              UpdateExpression: `SET ${set.join(', ')}${status?.remove ? ` REMOVE ${status.remove}` : ''}`,
              ConditionExpression: 'version = :current',
              ...(status ? { ExpressionAttributeNames: status.names } : {}),
              ExpressionAttributeValues: values,
            },
          },
          // A new name or mobile is searched by from now on (the item is replaced: the old one is not found again).
          ...(changes.holderName !== undefined || changes.mobile
            ? accountSearchPuts(db, { accountNo: account.accountNo, holderName: changes.holderName ?? account.holderName, mobileMasked: changes.mobile?.mobileMasked ?? account.mobileMasked })
            : []),
          ...alsoWrite,
        ],
      }),
    );
    return true;
  } catch (error) {
    if (conditionFailedAt(error, 0)) return false;
    throw error;
  }
}

/**
 * Replaces a password record (the card centre's reset: the default again, no failed attempts, no
 * lock) with `alsoWrite` (the action-log entry), as long as the account exists and is not closed.
 * False: it is closed or gone.
 */
export async function resetPasswordRecord(db: Db, accountNo: string, kind: PasswordKind, record: PasswordRecord, alsoWrite: TransactItem[]): Promise<boolean> {
  try {
    await db.doc.send(
      new TransactWriteCommand({
        TransactItems: [
          {
            ConditionCheck: {
              TableName: db.tableName,
              Key: keys.account(accountNo),
              ConditionExpression: 'attribute_exists(pk) AND #status <> :cancelled',
              ExpressionAttributeNames: { '#status': 'status' },
              ExpressionAttributeValues: { ':cancelled': 'cancelled' },
            },
          },
          { Put: { TableName: db.tableName, Item: { ...keys.password(accountNo, kind), ...record } } },
          ...alsoWrite,
        ],
      }),
    );
    return true;
  } catch (error) {
    if (conditionFailedAt(error, 0)) return false;
    throw error;
  }
}
