/**
 * Pending transfers (functions/domain/pending.ts) in the table: the fields live on the kind's own
 * item; while pending it is in the sparse index gsi3 `PENDING#<kind>` / `<timeoutAt>#<id>`. Every
 * resolution is one conditional update (state = pending), alone or inside the transaction that
 * moves the money, and takes the item out of the index.
 */
import { UpdateCommand } from '@aws-sdk/lib-dynamodb';
import type { Pending, PendingKind, PendingOutcome } from '../domain/pending';
import { isConditionFailed } from './conditions';
import { queryAll, type Db } from './db';
import { keys, withoutKeys } from './keys';
import { assignments } from './update-expression';
import type { TransactItem } from './movements';

type Key = { pk: string; sk: string };

/** Spread into a new record's Put Item: the pending fields, its id (`pendingId`, for the audit's findings) and its place in the open index. */
export function openPendingAttributes(pending: Pending, id: string): Record<string, unknown> {
  return { ...pending, pendingId: id, ...keys.openPendingIndex(pending.pendingKind, pending.timeoutAt, id) };
}

export interface Resolution {
  /** More attributes set with the resolution (the platform's transaction id, a receipt...). */
  set?: Record<string, unknown>;
  resolution?: string;
  /** A further condition, e.g. `amountFen = :amount` (its values in `values`). */
  condition?: string;
  values?: Record<string, unknown>;
}

/** The Update that resolves a pending record, only while it is pending: commit it with the money (alsoWrite) or alone (resolvePending). */
export function resolvePendingItem(db: Db, key: Key, to: PendingOutcome, at: string, extra: Resolution = {}): TransactItem {
  const set = assignments({ ...extra.set, ...(extra.resolution !== undefined ? { resolution: extra.resolution } : {}) }, 's');
  return {
    Update: {
      TableName: db.tableName,
      Key: key,
      UpdateExpression: ['SET #state = :to, resolvedAt = :at', ...set.clauses].join(', ') + ' REMOVE gsi3pk, gsi3sk',
      ConditionExpression: `#state = :pending${extra.condition ? ` AND (${extra.condition})` : ''}`,
      ExpressionAttributeNames: { '#state': 'state', ...set.names },
      ExpressionAttributeValues: { ':to': to, ':at': at, ':pending': 'pending', ...set.values, ...extra.values },
    },
  };
}

/** Resolves a pending record on its own; false when it was no longer pending (someone resolved it first). */
export async function resolvePending(db: Db, key: Key, to: PendingOutcome, at: string, extra?: Resolution): Promise<boolean> {
  try {
    await db.doc.send(new UpdateCommand(resolvePendingItem(db, key, to, at, extra).Update!));
    return true;
  } catch (error) {
    if (isConditionFailed(error)) return false;
    throw error;
  }
}

/** Pending records of a kind whose timeout is before `before` (ISO; default: all), oldest timeout first. */
export async function listOpenPending<T>(db: Db, kind: PendingKind, before?: string): Promise<T[]> {
  const items = await queryAll<Record<string, unknown>>(db, {
    IndexName: 'gsi3',
    KeyConditionExpression: before !== undefined ? 'gsi3pk = :kind AND gsi3sk < :before' : 'gsi3pk = :kind',
    ExpressionAttributeValues: { ':kind': keys.openPendingIndex(kind, '', '').gsi3pk, ...(before !== undefined ? { ':before': before } : {}) },
  });
  return items.map((item) => withoutKeys(item) as unknown as T);
}

/**
 * A reconciler's work, made before `before` (ISO), oldest first: the kind's records still pending,
 * and those resolved that still owe something outside (a refund, a reversal), kept in their own
 * sparse gsi2 partition `followUpPartition` by `<createdAt>#…`.
 */
export async function listOpenWithFollowUps<T extends Pending>(db: Db, kind: PendingKind, followUpPartition: string, before: string): Promise<T[]> {
  const [pending, followUps] = await Promise.all([
    listOpenPending<T>(db, kind),
    queryAll<Record<string, unknown>>(db, {
      IndexName: 'gsi2',
      KeyConditionExpression: 'gsi2pk = :partition AND gsi2sk < :before',
      ExpressionAttributeValues: { ':partition': followUpPartition, ':before': before },
    }),
  ]);
  return [...pending.filter((record) => record.createdAt < before), ...followUps.map((item) => withoutKeys(item) as unknown as T)].sort((a, b) =>
    a.createdAt < b.createdAt ? -1 : a.createdAt > b.createdAt ? 1 : 0,
  );
}

/** Pending records of a kind whose timeout has passed: the resolver's work. */
export function listDuePending<T>(db: Db, kind: PendingKind, now: Date): Promise<T[]> {
  // `~` sorts after any `<timeoutAt>#<id>` that starts with this instant.
  return listOpenPending<T>(db, kind, `${now.toISOString()}~`);
}
