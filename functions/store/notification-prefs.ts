/**
 * A holder's notification preferences (ACCT#<accountNo> / NOTIFYPREFS): which kinds they turned
 * off, where messages go (the WeChat openid or Alipay user id they signed in with, checked against
 * its binding when they subscribe), and which kinds' templates they accepted on the platform.
 * The low-balance threshold is on the account item itself (`lowBalanceAlertFen`), because the
 * movement store decides the crossing from the account it already read: no extra read per payment.
 */
import { GetCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import type { Account } from '../domain/account';
import type { OutboxEventKind } from '../domain/outbox';
import { isConditionFailed } from './conditions';
import type { Db } from './db';
import { keys } from './keys';

export type NotificationPlatform = 'wechat' | 'alipay';

export interface NotificationPrefs {
  /** Kinds the holder turned off (everything is on until they do). */
  off: OutboxEventKind[];
  recipient?: { platform: NotificationPlatform; userId: string };
  /** Kinds whose template the holder accepted (a refusal by the platform takes it out again). */
  subscribed: OutboxEventKind[];
  updatedAt?: string;
}

interface StoredPrefs {
  off?: OutboxEventKind[];
  recipient?: { platform: NotificationPlatform; userId: string };
  subscribedKinds?: Set<string>;
  updatedAt?: string;
}

export async function getNotificationPrefs(db: Db, accountNo: string): Promise<NotificationPrefs> {
  const { Item } = await db.doc.send(new GetCommand({ TableName: db.tableName, Key: keys.notificationPrefs(accountNo), ConsistentRead: true }));
  const stored = (Item ?? {}) as StoredPrefs;
  return {
    off: stored.off ?? [],
    ...(stored.recipient ? { recipient: stored.recipient } : {}),
    subscribed: [...(stored.subscribedKinds ?? [])].sort() as OutboxEventKind[],
    ...(stored.updatedAt ? { updatedAt: stored.updatedAt } : {}),
  };
}

export async function setKindsOff(db: Db, accountNo: string, off: OutboxEventKind[], now: Date): Promise<void> {
  await db.doc.send(
    new UpdateCommand({
      TableName: db.tableName,
      Key: keys.notificationPrefs(accountNo),
      UpdateExpression: 'SET #off = :off, updatedAt = :at',
      ExpressionAttributeNames: { '#off': 'off' },
      ExpressionAttributeValues: { ':off': [...new Set(off)].sort(), ':at': now.toISOString() },
    }),
  );
}

/** What the holder accepted and refused in the platform's subscription dialog, and where to send. */
export async function recordSubscriptions(
  db: Db,
  accountNo: string,
  recipient: { platform: NotificationPlatform; userId: string },
  accepted: OutboxEventKind[],
  rejected: OutboxEventKind[],
  now: Date,
): Promise<void> {
  // ADD and DELETE of one set cannot share an expression: accepted first, rejected after.
  await db.doc.send(
    new UpdateCommand({
      TableName: db.tableName,
      Key: keys.notificationPrefs(accountNo),
      UpdateExpression: `SET recipient = :recipient, updatedAt = :at${accepted.length ? ' ADD subscribedKinds :accepted' : ''}`,
      ExpressionAttributeValues: { ':recipient': recipient, ':at': now.toISOString(), ...(accepted.length ? { ':accepted': new Set(accepted) } : {}) },
    }),
  );
  if (rejected.length) await unsubscribe(db, accountNo, rejected);
}

/** The platform said the holder is not (or no longer) subscribed: nothing more is sent until they accept again. */
export async function unsubscribe(db: Db, accountNo: string, kinds: OutboxEventKind[]): Promise<void> {
  await db.doc.send(
    new UpdateCommand({
      TableName: db.tableName,
      Key: keys.notificationPrefs(accountNo),
      UpdateExpression: 'DELETE subscribedKinds :kinds',
      ExpressionAttributeValues: { ':kinds': new Set(kinds) },
    }),
  );
}

/**
 * Sets (or, undefined, clears) the account's low-balance threshold, guarded by the version read and
 * bumping it: a movement store that remembers the account re-reads it on its next write, so no
 * payment decides a crossing on a stale threshold. False: the account changed meanwhile.
 */
export async function setLowBalanceAlert(db: Db, account: Account, thresholdFen: number | undefined): Promise<boolean> {
  try {
    await db.doc.send(
      new UpdateCommand({
        TableName: db.tableName,
        Key: keys.account(account.accountNo),
        UpdateExpression: thresholdFen === undefined ? 'SET version = :next REMOVE lowBalanceAlertFen' : 'SET lowBalanceAlertFen = :threshold, version = :next',
        ConditionExpression: 'version = :current',
        ExpressionAttributeValues: { ':next': account.version + 1, ':current': account.version, ...(thresholdFen === undefined ? {} : { ':threshold': thresholdFen }) },
      }),
    );
    return true;
  } catch (error) {
    if (isConditionFailed(error)) return false;
    throw error;
  }
}
