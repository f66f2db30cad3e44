/** Password records (scrypt hash + lockout state), one item per account and kind, apart from the money item. */
import { GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import { PASSWORD_POLICY, type PasswordKind, type PasswordRecord } from '../domain/passwords';
import { clearAfterSuccess, countAttempt, type CountedAttempt } from './attempt-counter';
import type { Db } from './db';
import { keys } from './keys';
import { isConditionFailed } from './conditions';

const LOCKOUT = { maxFailures: PASSWORD_POLICY.maxFailedAttempts, lockMinutes: PASSWORD_POLICY.lockMinutes };

export type CountedPasswordAttempt = Extract<CountedAttempt, { outcome: 'counted' }> & { record: PasswordRecord };

/** Counts a try on the password's lockout before it is checked; the record comes back with the count. */
export async function countPasswordAttempt(
  db: Db,
  accountNo: string,
  kind: PasswordKind,
  now: Date,
): Promise<CountedPasswordAttempt | { outcome: 'locked' } | { outcome: 'missing' }> {
  const attempt = await countAttempt(db, keys.password(accountNo, kind), LOCKOUT, now, { mustExist: true });
  if (attempt.outcome !== 'counted') return attempt;
  return { ...attempt, record: withoutKeys(attempt.item) };
}

/** The counted try was right: the count starts again, unless a lock came meanwhile or the password changed. */
export function clearPasswordAttempts(db: Db, accountNo: string, kind: PasswordKind, attempt: CountedPasswordAttempt, now: Date): Promise<boolean> {
  return clearAfterSuccess(db, keys.password(accountNo, kind), attempt, now, { hash: attempt.record.hash });
}

/** A new password for the one just verified: only if that one is still stored (no change or reset in between). */
export async function replacePasswordRecord(db: Db, accountNo: string, kind: PasswordKind, record: PasswordRecord, verified: PasswordRecord): Promise<boolean> {
  try {
    await db.doc.send(
      new PutCommand({
        TableName: db.tableName,
        Item: { ...keys.password(accountNo, kind), ...record },
        ConditionExpression: '#hash = :hash',
        ExpressionAttributeNames: { '#hash': 'hash' },
        ExpressionAttributeValues: { ':hash': verified.hash },
      }),
    );
    return true;
  } catch (error) {
    if (isConditionFailed(error)) return false;
    throw error;
  }
}

function withoutKeys(item: Record<string, unknown>): PasswordRecord {
  // lockTicket and expiresAt are the counter's own bookkeeping, not part of the record.
  const { pk: _pk, sk: _sk, lockTicket: _ticket, ...record } = item;
  return record as unknown as PasswordRecord;
}

export async function getPasswordRecord(db: Db, accountNo: string, kind: PasswordKind): Promise<PasswordRecord | undefined> {
  const { Item } = await db.doc.send(new GetCommand({ TableName: db.tableName, Key: keys.password(accountNo, kind), ConsistentRead: true }));
  return Item ? withoutKeys(Item) : undefined;
}

/**
 * Writes a whole record (seeding, tests) only if it is still the one read (`previous`). Tries are
 * counted with countPasswordAttempt, never by writing a record back.
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
    if (isConditionFailed(error)) return false;
    throw error;
  }
}
