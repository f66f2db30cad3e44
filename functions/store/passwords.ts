/** Password records (scrypt hash + lockout state), one item per account and kind, apart from the money item. */
import { GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import type { PasswordKind, PasswordRecord } from '../domain/passwords';
import type { Db } from './db';
import { keys } from './keys';

export async function getPasswordRecord(db: Db, accountNo: string, kind: PasswordKind): Promise<PasswordRecord | undefined> {
  const { Item } = await db.doc.send(new GetCommand({ TableName: db.tableName, Key: keys.password(accountNo, kind), ConsistentRead: true }));
  if (!Item) return undefined;
  const { pk: _pk, sk: _sk, ...record } = Item;
  return record as PasswordRecord;
}

/**
 * Writes the record only if it is still the one read (`previous`), so parallel wrong guesses each
 * count: a guess whose write loses the race is checked again against the newer record.
 */
export async function savePasswordRecord(
  db: Db,
  accountNo: string,
  kind: PasswordKind,
  record: PasswordRecord,
  previous: PasswordRecord | undefined,
): Promise<boolean> {
  try {
    await db.doc.send(
      new PutCommand({
        TableName: db.tableName,
        Item: { ...keys.password(accountNo, kind), ...record },
        ...(previous
          ? {
              // lockedUntil too: the counter restarts at 0 when a lock is set, so the count alone cannot tell.
              ConditionExpression:
                'failedAttempts = :failed AND changedAt = :changed AND #hash = :hash AND ' +
                (previous.lockedUntil ? 'lockedUntil = :locked' : 'attribute_not_exists(lockedUntil)'),
              ExpressionAttributeNames: { '#hash': 'hash' },
              ExpressionAttributeValues: {
                ':failed': previous.failedAttempts,
                ':changed': previous.changedAt,
                ':hash': previous.hash,
                ...(previous.lockedUntil ? { ':locked': previous.lockedUntil } : {}),
              },
            }
          : { ConditionExpression: 'attribute_not_exists(pk)' }),
      }),
    );
    return true;
  } catch (error) {
    if (error instanceof Error && error.name === 'ConditionalCheckFailedException') return false;
    throw error;
  }
}
