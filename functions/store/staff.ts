/**
 * Card-centre staff accounts: one item each, holding the role, the status, the password and its
 * sign-in lockout counter (`failedAttempts`, `lockedUntil`, `lockTicket` on the item itself, kept by
 * functions/store/attempt-counter.ts as the holders' password records are).
 */
import { GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import { PASSWORD_POLICY } from '../domain/passwords';
import { staffRoleOf, type StaffMember } from '../domain/staff';
import { clearAfterSuccess, countAttempt, type CountedAttempt } from './attempt-counter';
import { isConditionFailed, transactWriteIfFirstHolds } from './conditions';
import { queryAll, type Db } from './db';
import { keys } from './keys';
import type { TransactItem } from './movements';

const LOCKOUT = { maxFailures: PASSWORD_POLICY.maxFailedAttempts, lockMinutes: PASSWORD_POLICY.lockMinutes };

export type CountedStaffAttempt = Extract<CountedAttempt, { outcome: 'counted' }> & { member: StaffMember };

function staffOf(item: Record<string, unknown>): StaffMember {
  // lockTicket is the counter's own bookkeeping, not part of the member.
  const { pk: _pk, sk: _sk, gsi1pk: _listPk, gsi1sk: _listSk, lockTicket: _ticket, ...member } = item;
  // An older record's role reads as today's (supervisor → administrator); an unknown one signs nobody in (admin-auth.ts).
  return { ...member, role: staffRoleOf(member.role) } as unknown as StaffMember;
}

export async function getStaff(db: Db, username: string): Promise<StaffMember | undefined> {
  const { Item } = await db.doc.send(new GetCommand({ TableName: db.tableName, Key: keys.staff(username), ConsistentRead: true }));
  return Item ? staffOf(Item) : undefined;
}

/** The put of a new staff member (its username must be free), listed on gsi1 STAFF. */
export function staffPut(db: Db, member: StaffMember): NonNullable<TransactItem['Put']> {
  return { TableName: db.tableName, Item: { ...keys.staff(member.username), ...keys.staffListIndex(member.username), ...member }, ConditionExpression: 'attribute_not_exists(pk)' };
}

/** Creates the staff member with `alsoWrite` (its action-log entry) in one transaction; false (nothing changed) if the username is taken. */
export function createStaffWith(db: Db, member: StaffMember, alsoWrite: TransactItem[]): Promise<boolean> {
  return transactWriteIfFirstHolds(db, [{ Put: staffPut(db, member) }, ...alsoWrite]);
}

/**
 * Every staff member listed on gsi1 STAFF, by username (one Query: a card centre has tens). Members
 * created before the list existed are not on it until they are changed.
 */
export async function listStaff(db: Db): Promise<StaffMember[]> {
  const items = await queryAll<Record<string, unknown>>(db, { IndexName: 'gsi1', KeyConditionExpression: 'gsi1pk = :pk', ExpressionAttributeValues: { ':pk': keys.staffListIndex('').gsi1pk } });
  return items.map(staffOf);
}

/**
 * Disables an active staff member with `alsoWrite` (the action-log entry): every request of its
 * sessions is refused from then on (admin-auth.ts reads the member each time). False if there is no
 * such member or it is disabled already.
 */
export function disableStaff(db: Db, username: string, alsoWrite: TransactItem[]): Promise<boolean> {
  return transactWriteIfFirstHolds(db, [
    {
      Update: {
        TableName: db.tableName,
        Key: keys.staff(username),
        UpdateExpression: 'SET #status = :disabled, version = version + :one, gsi1pk = :listPk, gsi1sk = :listSk',
        ConditionExpression: 'attribute_exists(pk) AND #status = :active',
        ExpressionAttributeNames: { '#status': 'status' },
        ExpressionAttributeValues: { ':disabled': 'disabled', ':active': 'active', ':one': 1, ':listPk': keys.staffListIndex(username).gsi1pk, ':listSk': username },
      },
    },
    ...alsoWrite,
  ]);
}

/** Creates the staff account if the username is free; false (nothing changed) if it is taken. */
export async function createStaff(db: Db, member: StaffMember): Promise<boolean> {
  try {
    await db.doc.send(new PutCommand(staffPut(db, member)));
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
