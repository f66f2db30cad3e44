/**
 * Card-centre staff accounts: one item each, holding the role, the status, the password and its
 * sign-in lockout counter (`failedAttempts`, `lockedUntil`, `lockTicket` on the item itself, kept by
 * functions/store/attempt-counter.ts as the holders' password records are).
 */
import { GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import { PASSWORD_POLICY } from '../domain/passwords';
import type { StaffMember } from '../domain/staff';
import { clearAfterSuccess, countAttempt, type CountedAttempt } from './attempt-counter';
import { isConditionFailed } from './conditions';
import type { Db } from './db';
import { keys } from './keys';
import type { TransactItem } from './movements';

const LOCKOUT = { maxFailures: PASSWORD_POLICY.maxFailedAttempts, lockMinutes: PASSWORD_POLICY.lockMinutes };

export type CountedStaffAttempt = Extract<CountedAttempt, { outcome: 'counted' }> & { member: StaffMember };

function staffOf(item: Record<string, unknown>): StaffMember {
  // lockTicket is the counter's own bookkeeping, not part of the member.
  const { pk: _pk, sk: _sk, lockTicket: _ticket, ...member } = item;
  return member as unknown as StaffMember;
}

export async function getStaff(db: Db, username: string): Promise<StaffMember | undefined> {
  const { Item } = await db.doc.send(new GetCommand({ TableName: db.tableName, Key: keys.staff(username), ConsistentRead: true }));
  return Item ? staffOf(Item) : undefined;
}

/** Creates the staff account if the username is free; false (nothing changed) if it is taken. */
export async function createStaff(db: Db, member: StaffMember): Promise<boolean> {
  try {
    await db.doc.send(new PutCommand({ TableName: db.tableName, Item: { ...keys.staff(member.username), ...member }, ConditionExpression: 'attribute_not_exists(pk)' }));
    return true;
  } catch (error) {
    if (isConditionFailed(error)) return false;
    throw error;
  }
}

/**
 * Counts a sign-in try on the staff member's lockout before the password is checked (one conditional
 * write, so parallel guesses are each counted); the member comes back with the count. `missing`: no
 * such username (nothing is written).
 */
export async function countStaffSignInAttempt(db: Db, username: string, now: Date): Promise<CountedStaffAttempt | { outcome: 'locked' } | { outcome: 'missing' }> {
  const attempt = await countAttempt(db, keys.staff(username), LOCKOUT, now, { mustExist: true });
  if (attempt.outcome !== 'counted') return attempt;
  return { ...attempt, member: staffOf(attempt.item) };
}

/**
 * The counted try was right: the counter starts again, committed with `alsoWrite` (the session's
 * log entry), unless a lock came meanwhile or the password changed. False: refuse it as locked.
 */
export function clearStaffSignInAttempts(db: Db, attempt: CountedStaffAttempt, now: Date, alsoWrite: TransactItem[] = []): Promise<boolean> {
  return clearAfterSuccess(db, keys.staff(attempt.member.username), attempt, now, { 'password.hash': attempt.member.password.hash }, alsoWrite);
}
