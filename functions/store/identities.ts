/** Mini-program sign-in identities bound to accounts, and the binding attempt counter (lockout). */
import { GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import type { Db } from './db';
import { keys } from './keys';

export async function accountOfIdentity(db: Db, platform: string, platformUserId: string): Promise<string | undefined> {
  const { Item } = await db.doc.send(new GetCommand({ TableName: db.tableName, Key: keys.platformIdentity(platform, platformUserId), ConsistentRead: true }));
  return Item?.accountNo as string | undefined;
}

/** Binds (or re-binds) a platform identity to an account: one WeChat/Alipay user signs in to one account. */
export async function linkIdentity(db: Db, platform: string, platformUserId: string, accountNo: string, now: Date): Promise<void> {
  await db.doc.send(new PutCommand({ TableName: db.tableName, Item: { ...keys.platformIdentity(platform, platformUserId), accountNo, boundAt: now.toISOString() } }));
}

export interface BindingAttempts {
  failures: number;
  lockedUntil?: string;
}

export async function getBindingAttempts(db: Db, personId: string): Promise<BindingAttempts> {
  const { Item } = await db.doc.send(new GetCommand({ TableName: db.tableName, Key: keys.bindingAttempts(personId), ConsistentRead: true }));
  return { failures: (Item?.failures as number | undefined) ?? 0, ...(Item?.lockedUntil ? { lockedUntil: Item.lockedUntil as string } : {}) };
}

/** Records the attempts after a try, if they are still what was read (parallel guesses each count). */
export async function saveBindingAttempts(db: Db, personId: string, previous: BindingAttempts, next: BindingAttempts, now: Date): Promise<boolean> {
  try {
    await db.doc.send(
      new PutCommand({
        TableName: db.tableName,
        Item: { ...keys.bindingAttempts(personId), ...next, expiresAt: Math.floor(now.getTime() / 1000) + 24 * 3600 },
        ConditionExpression: previous.failures === 0 && !previous.lockedUntil ? 'attribute_not_exists(pk) OR failures = :zero' : 'failures = :failures',
        ExpressionAttributeValues: previous.failures === 0 && !previous.lockedUntil ? { ':zero': 0 } : { ':failures': previous.failures },
      }),
    );
    return true;
  } catch (error) {
    if (error instanceof Error && error.name === 'ConditionalCheckFailedException') return false;
    throw error;
  }
}
