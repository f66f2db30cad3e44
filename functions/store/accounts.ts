/** Reading and creating accounts. Money changes go through movements.ts only. */
import { GetCommand, PutCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import type { Account } from '../domain/account';
import type { Db } from './db';
import { keys, withoutKeys } from './keys';

export async function getAccount(db: Db, accountNo: string): Promise<Account | undefined> {
  const { Item } = await db.doc.send(new GetCommand({ TableName: db.tableName, Key: keys.account(accountNo), ConsistentRead: true }));
  return Item ? (withoutKeys(Item) as unknown as Account) : undefined;
}

export async function findAccountByPersonId(db: Db, personId: string): Promise<Account | undefined> {
  const index = keys.personIndex(personId);
  const { Items } = await db.doc.send(
    new QueryCommand({
      TableName: db.tableName,
      IndexName: 'gsi1',
      KeyConditionExpression: 'gsi1pk = :pk AND gsi1sk = :sk',
      ExpressionAttributeValues: { ':pk': index.gsi1pk, ':sk': index.gsi1sk },
    }),
  );
  const item = Items?.[0];
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
