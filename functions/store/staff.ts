/** Card-centre staff accounts: one item each, holding the role, the status and the password with its lockout. */
import { GetCommand, PutCommand, TransactWriteCommand } from '@aws-sdk/lib-dynamodb';
import { TransactionCanceledException } from '@aws-sdk/client-dynamodb';
import type { PasswordRecord } from '../domain/passwords';
import type { StaffMember } from '../domain/staff';
import type { Db } from './db';
import { keys, withoutKeys } from './keys';
import type { TransactItem } from './movements';

export async function getStaff(db: Db, username: string): Promise<StaffMember | undefined> {
  const { Item } = await db.doc.send(new GetCommand({ TableName: db.tableName, Key: keys.staff(username), ConsistentRead: true }));
  return Item ? (withoutKeys(Item) as unknown as StaffMember) : undefined;
}

/** Creates the staff account if the username is free; false (nothing changed) if it is taken. */
export async function createStaff(db: Db, member: StaffMember): Promise<boolean> {
  try {
    await db.doc.send(new PutCommand({ TableName: db.tableName, Item: { ...keys.staff(member.username), ...member }, ConditionExpression: 'attribute_not_exists(pk)' }));
    return true;
  } catch (error) {
    if (error instanceof Error && error.name === 'ConditionalCheckFailedException') return false;
    throw error;
  }
}

/**
 * Stores the password record after a sign-in attempt (the lockout counter) with the attempt's audit
 * entry, if the staff item is still the version read. False: a parallel attempt wrote first, so
 * this attempt must be judged again against the newer counter.
 */
export async function recordStaffSignIn(db: Db, member: StaffMember, record: PasswordRecord, audit: NonNullable<TransactItem['Put']>): Promise<boolean> {
  try {
    await db.doc.send(
      new TransactWriteCommand({
        TransactItems: [
          {
            Update: {
              TableName: db.tableName,
              Key: keys.staff(member.username),
              UpdateExpression: 'SET #password = :password, version = :next',
              ConditionExpression: 'version = :current',
              ExpressionAttributeNames: { '#password': 'password' },
              ExpressionAttributeValues: { ':password': record, ':next': member.version + 1, ':current': member.version },
            },
          },
          { Put: audit },
        ],
      }),
    );
    return true;
  } catch (error) {
    if (error instanceof TransactionCanceledException && error.CancellationReasons?.[0]?.Code === 'ConditionalCheckFailed') return false;
    throw error;
  }
}
