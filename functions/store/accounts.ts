/** Reading and creating accounts. Money changes go through movements.ts only. */
import { BatchGetCommand, GetCommand, PutCommand, UpdateCommand, type BatchGetCommandOutput } from '@aws-sdk/lib-dynamodb';
import type { Account } from '../domain/account';
import { findByGsi1, type Db } from './db';
import { keys, withoutKeys } from './keys';

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
    return true;
  } catch (error) {
    if (error instanceof Error && error.name === 'ConditionalCheckFailedException') return false;
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
