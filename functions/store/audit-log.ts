/**
 * The audit log: `AUDIT#<campusDay>` / `<isoTime>#<ulid>`, one item per admin action, never changed
 * or deleted (no TTL). An entry commits in the same transaction as the change it describes, so the
 * log has no action that did not happen and no change without its entry.
 */
import {
  BatchGetCommand,
  GetCommand,
  PutCommand,
  QueryCommand,
  TransactWriteCommand,
  type DynamoDBDocumentClient,
} from '@aws-sdk/lib-dynamodb';
import type { AuditEntry } from '../domain/audit-log';
import type { Db, DocSend } from './db';
import { keys, withoutKeys } from './keys';
import type { TransactItem } from './movements';

export function auditEntryPut(db: Db, entry: AuditEntry): NonNullable<TransactItem['Put']> {
  return {
    TableName: db.tableName,
    Item: { ...keys.auditEntry(entry.campusDay, entry.at, entry.auditId), ...entry },
    ConditionExpression: 'attribute_not_exists(pk)',
  };
}

/** For actions that change nothing (a staff member looked at an account): the entry on its own. */
export async function writeAuditEntry(db: Db, entry: AuditEntry): Promise<void> {
  await db.doc.send(new PutCommand(auditEntryPut(db, entry)));
}

export async function listAuditDay(db: Db, day: string, page: { after?: string; limit: number }): Promise<{ entries: AuditEntry[]; next?: string }> {
  const output = await db.doc.send(
    new QueryCommand({
      TableName: db.tableName,
      KeyConditionExpression: page.after ? 'pk = :pk AND sk > :after' : 'pk = :pk',
      ExpressionAttributeValues: { ':pk': keys.auditDay(day), ...(page.after ? { ':after': page.after } : {}) },
      Limit: page.limit,
    }),
  );
  const items = output.Items ?? [];
  const entries = items.map((item) => withoutKeys(item) as unknown as AuditEntry);
  const last = items[items.length - 1];
  return { entries, ...(output.LastEvaluatedKey && last ? { next: last.sk as string } : {}) };
}

/**
 * A Db for one store function whose change is a single write owned by another module (issueCard,
 * changeAccountStatus, putPolicy): its one TransactWriteItems gets the audit entry as one more item,
 * and its one unconditional Put becomes a transaction of the two. Reads pass through. Anything else
 * (a second write, a conditional single write whose error the caller would misread) is refused as a
 * programming error, and `assertCommitted` fails if the change never reached this Db, so a store
 * function that changes shape is caught by the tests instead of silently losing its audit.
 */
export function joiningAudit(db: Db, entry: AuditEntry): { db: Db; assertCommitted(): void } {
  let joined = false;
  const audit = { Put: auditEntryPut(db, entry) };
  const send = (async (command: unknown) => {
    if (command instanceof GetCommand || command instanceof QueryCommand || command instanceof BatchGetCommand) return db.doc.send(command as never);
    if (joined) throw new Error('an audited change must be one write');
    if (command instanceof TransactWriteCommand) {
      joined = true;
      return db.doc.send(new TransactWriteCommand({ ...command.input, TransactItems: [...(command.input.TransactItems ?? []), audit] }));
    }
    if (command instanceof PutCommand && !command.input.ConditionExpression) {
      joined = true;
      const { TableName, Item } = command.input;
      return db.doc.send(new TransactWriteCommand({ TransactItems: [{ Put: { TableName, Item } }, audit] }));
    }
    throw new Error(`an audited change cannot join ${(command as { constructor: { name: string } }).constructor.name}`);
  }) as DynamoDBDocumentClient['send'];
  return {
    db: { doc: { send } satisfies DocSend, tableName: db.tableName },
    assertCommitted: () => {
      if (!joined) throw new Error('the audited change wrote nothing: its audit entry was not committed');
    },
  };
}
