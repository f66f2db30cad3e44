/** Mini-program sign-in identities bound to accounts, and the binding and sign-in attempt counters (lockout). */
import { GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import { clearAfterSuccess, countAttempt, type CountedAttempt, type LockoutPolicy } from './attempt-counter';
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

/** Binding tries per student/staff id, whatever was typed and whether the id exists (the lock reveals nothing). */
export function countBindingAttempt(db: Db, personId: string, policy: LockoutPolicy, now: Date): Promise<CountedAttempt> {
  return countAttempt(db, keys.bindingAttempts(personId), policy, now, { mustExist: false, expiresAt: expiresAt(now) });
}

export function clearBindingAttempts(db: Db, personId: string, attempt: Extract<CountedAttempt, { outcome: 'counted' }>, now: Date): Promise<boolean> {
  return clearAfterSuccess(db, keys.bindingAttempts(personId), attempt, now);
}

/** H5 sign-in tries on an id with no password to check: counted and locked like a real password's. */
export function countUnknownSignInAttempt(db: Db, personId: string, policy: LockoutPolicy, now: Date): Promise<CountedAttempt> {
  return countAttempt(db, keys.signInAttempts(personId), policy, now, { mustExist: false, expiresAt: expiresAt(now) });
}

/** A day: longer than any lock, so the item outlives its lock and then goes away by itself. */
function expiresAt(now: Date): number {
  return Math.floor(now.getTime() / 1000) + 24 * 3600;
}
