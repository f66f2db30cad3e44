/**
 * The staff action log: `AUDIT#<campusDay>` / `<isoTime>#<ulid>`, one item per admin action, never changed
 * or deleted (no TTL). An entry commits in the same transaction as the change it describes (the store
 * function of the change takes its put in `alsoWrite`), so the log has no action that did not happen
 * and no change without its entry.
 */
import { PutCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import type { ActionLogEntry } from '../domain/action-log';
import { staffRoleOf } from '../domain/staff';
import type { Db } from './db';
import { keys, withoutKeys } from './keys';
import type { TransactItem } from './movements';

export function actionLogEntryPut(db: Db, entry: ActionLogEntry): NonNullable<TransactItem['Put']> {
  return {
    TableName: db.tableName,
    Item: { ...keys.auditEntry(entry.campusDay, entry.at, entry.auditId), ...accountIndexOf(entry), ...entry },
    ConditionExpression: 'attribute_not_exists(pk)',
  };
}

/**
 * An entry that changed an account is also indexed by that account (gsi1 on the same item), so its
 * history is one Query. Looks (`account.view`) are not: they change nothing and would crowd it out.
 */
function accountIndexOf(entry: ActionLogEntry): Record<string, string> {
  if (entry.action === 'account.view') return {};
  const accountNo = /^account:(\d+)$/.exec(entry.target)?.[1];
  return accountNo !== undefined ? keys.accountActionIndex(accountNo, entry.at, entry.auditId) : {};
}

/** The newest action-log entries on an account (target `account:<no>`), newest first: gsi1 `AUDIT#ACCT#<no>`. */
export async function listAccountActions(db: Db, accountNo: string, limit: number): Promise<ActionLogEntry[]> {
  const output = await db.doc.send(
    new QueryCommand({
      TableName: db.tableName,
      IndexName: 'gsi1',
      KeyConditionExpression: 'gsi1pk = :pk',
      ExpressionAttributeValues: { ':pk': keys.accountActionPartition(accountNo) },
      ScanIndexForward: false,
      Limit: limit,
    }),
  );
  return (output.Items ?? []).map((item) => ({ ...withoutKeys(item), role: staffRoleOf(item.role) ?? item.role }) as unknown as ActionLogEntry);
}

/** For actions that change nothing (a staff member looked at an account): the entry on its own. */
export async function writeActionLogEntry(db: Db, entry: ActionLogEntry): Promise<void> {
  await db.doc.send(new PutCommand(actionLogEntryPut(db, entry)));
}

export async function listActionLogDay(db: Db, day: string, page: { after?: string; limit: number }): Promise<{ entries: ActionLogEntry[]; next?: string }> {
  const output = await db.doc.send(
    new QueryCommand({
      TableName: db.tableName,
      KeyConditionExpression: page.after ? 'pk = :pk AND sk > :after' : 'pk = :pk',
      ExpressionAttributeValues: { ':pk': keys.auditDay(day), ...(page.after ? { ':after': page.after } : {}) },
      Limit: page.limit,
    }),
  );
  const items = output.Items ?? [];
  // An entry from before the roles were renamed reads with today's name (supervisor → administrator).
  const entries = items.map((item) => ({ ...withoutKeys(item), role: staffRoleOf(item.role) ?? item.role }) as unknown as ActionLogEntry);
  const last = items[items.length - 1];
  return { entries, ...(output.LastEvaluatedKey && last ? { next: last.sk as string } : {}) };
}
