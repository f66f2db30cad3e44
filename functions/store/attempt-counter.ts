/**
 * Lockout counters that hold under any concurrency and across Lambda containers: a try is counted
 * (one conditional UpdateItem) BEFORE anything is checked, so a wrong try is on the record before
 * its answer, and a crash mid-check leaves it counted. Only a try proved right takes its count back,
 * by resetting the counter on condition that no lock was set meanwhile: a right answer can never
 * pass once a lock exists. No read-check-write, so there is nothing to retry under contention.
 *
 * Item attributes: `failedAttempts` (tries counted since the last success or lock, pending ones
 * included), `lockedUntil` (ISO; a lock in the past counts as none), `lockTicket` (which try set the
 * lock: the last try allowed may still prove right, and then only it may lift the lock).
 */
import { randomUUID } from 'node:crypto';
import { UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { conditionFailedAt, isConditionFailed, transactWrite } from './conditions';
import type { Db } from './db';
import type { TransactItem } from './movements';

export interface LockoutPolicy {
  /** Counted tries that lock: the last one allowed sets the lock as it is counted. */
  maxFailures: number;
  lockMinutes: number;
}

type Key = { pk: string; sk: string };

export type CountedAttempt =
  | {
      outcome: 'counted';
      /** The item after counting (for a password record: the hash to check against). */
      item: Record<string, unknown>;
      /** This try set the lock as it was counted: it answers LOCKED unless it proves right. */
      setLock: boolean;
      ticket: string;
    }
  | { outcome: 'locked' }
  /** The item does not exist and `mustExist` was asked (no password set). */
  | { outcome: 'missing' };

const NOT_LOCKED = '(attribute_not_exists(lockedUntil) OR lockedUntil <= :now)';

/** The counter as the failed condition saw it (ALL_OLD: the document client leaves that item marshalled). */
function seenState(item: Record<string, unknown> | undefined): { failedAttempts: number; lockedUntil?: string } | undefined {
  if (!item) return undefined;
  const plain = (value: unknown) => (value !== null && typeof value === 'object' ? ((value as { N?: string; S?: string }).N ?? (value as { S?: string }).S) : value);
  const lockedUntil = plain(item.lockedUntil);
  return { failedAttempts: Number(plain(item.failedAttempts) ?? 0), ...(typeof lockedUntil === 'string' ? { lockedUntil } : {}) };
}

/**
 * Counts one try. Below the last allowed try: ADD 1. The last allowed try: counter back to 0 and the
 * lock set, in the same write. Anything beyond (a live lock): refused without counting.
 */
export async function countAttempt(
  db: Db,
  key: Key,
  policy: LockoutPolicy,
  now: Date,
  options: { mustExist: boolean; expiresAt?: number },
): Promise<CountedAttempt> {
  const ticket = randomUUID();
  const exists = options.mustExist ? 'attribute_exists(pk) AND ' : '';
  const expiry = options.expiresAt !== undefined ? { ':expires': options.expiresAt } : {};
  // Bounded: going round again needs a success resetting the counter between our two writes.
  for (let round = 0; round < 10; round++) {
    let seen: ReturnType<typeof seenState>;
    try {
      const { Attributes } = await db.doc.send(
        new UpdateCommand({
          TableName: db.tableName,
          Key: key,
          UpdateExpression: `ADD failedAttempts :one${options.expiresAt !== undefined ? ' SET expiresAt = :expires' : ''}`,
          ConditionExpression: `${exists}${NOT_LOCKED} AND (attribute_not_exists(failedAttempts) OR failedAttempts < :last)`,
          ExpressionAttributeValues: { ':one': 1, ':now': now.toISOString(), ':last': policy.maxFailures - 1, ...expiry },
          ReturnValues: 'ALL_NEW',
          ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
        }),
      );
      return { outcome: 'counted', item: Attributes ?? {}, setLock: false, ticket };
    } catch (error) {
      if (!isConditionFailed(error)) throw error;
      seen = seenState(error.Item);
    }
    if (!seen && options.mustExist) return { outcome: 'missing' };
    if (isLiveLock(seen, now)) return { outcome: 'locked' };
    try {
      const lockedUntil = new Date(now.getTime() + policy.lockMinutes * 60_000).toISOString();
      const { Attributes } = await db.doc.send(
        new UpdateCommand({
          TableName: db.tableName,
          Key: key,
          UpdateExpression: `SET failedAttempts = :zero, lockedUntil = :until, lockTicket = :ticket${options.expiresAt !== undefined ? ', expiresAt = :expires' : ''}`,
          ConditionExpression: `${exists}${NOT_LOCKED} AND failedAttempts = :seen`,
          ExpressionAttributeValues: { ':zero': 0, ':until': lockedUntil, ':ticket': ticket, ':now': now.toISOString(), ':seen': seen?.failedAttempts ?? 0, ...expiry },
          ReturnValues: 'ALL_NEW',
          ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
        }),
      );
      return { outcome: 'counted', item: Attributes ?? {}, setLock: true, ticket };
    } catch (error) {
      if (!isConditionFailed(error)) throw error;
      const after = seenState(error.Item);
      if (!after && options.mustExist) return { outcome: 'missing' };
      if (isLiveLock(after, now)) return { outcome: 'locked' };
    }
  }
  // Only a stream of successes could keep us here: refusing is the safe answer.
  return { outcome: 'locked' };
}

/**
 * A counted try proved right: the counter starts again. Conditional on no lock set by another try
 * since (or, for the try that set the lock, on its own lock), and on `unchanged` (attributes that must
 * still hold what was checked, e.g. the password hash; a dotted name is a path into a map). With
 * `alsoWrite` (an action-log entry) all commit in one transaction. False: the try must be refused as locked.
 */
export async function clearAfterSuccess(
  db: Db,
  key: Key,
  attempt: Extract<CountedAttempt, { outcome: 'counted' }>,
  now: Date,
  unchanged: Record<string, string> = {},
  alsoWrite: TransactItem[] = [],
): Promise<boolean> {
  const names: Record<string, string> = {};
  const paths = Object.keys(unchanged).map((name, i) =>
    name
      .split('.')
      .map((part, j) => {
        names[`#u${i}_${j}`] = part;
        return `#u${i}_${j}`;
      })
      .join('.'),
  );
  const values = Object.fromEntries(Object.values(unchanged).map((value, i) => [`:u${i}`, value]));
  const same = paths.map((path, i) => ` AND ${path} = :u${i}`).join('');
  const clear = {
    TableName: db.tableName,
    Key: key,
    UpdateExpression: 'SET failedAttempts = :zero REMOVE lockedUntil, lockTicket',
    ConditionExpression: `attribute_exists(pk) AND ${attempt.setLock ? 'lockTicket = :ticket' : NOT_LOCKED}${same}`,
    ...(Object.keys(names).length > 0 ? { ExpressionAttributeNames: names } : {}),
    ExpressionAttributeValues: { ':zero': 0, ...(attempt.setLock ? { ':ticket': attempt.ticket } : { ':now': now.toISOString() }), ...values },
  };
  try {
    if (alsoWrite.length === 0) await db.doc.send(new UpdateCommand(clear));
    else await transactWrite(db, [{ Update: clear }, ...alsoWrite]);
    return true;
  } catch (error) {
    if (conditionFailedAt(error, 0)) return false;
    throw error;
  }
}

function isLiveLock(state: { lockedUntil?: string } | undefined, now: Date): boolean {
  return state?.lockedUntil !== undefined && state.lockedUntil > now.toISOString();
}
