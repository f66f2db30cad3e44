/**
 * Settlement statements: `STATEMENT#<merchantId>` / `<periodKind>#<from>`, written once when the
 * period closes (a conditional Put, in the same transaction as the fee's system entry) and changed
 * only by its payout. Every merchant's statement of a period is on gsi1
 * (`STATEMENT#PERIOD#<kind>#<from>`), and those with money still to pay on the sparse gsi2
 * `STATEMENT#UNPAID`. The payable's entries are read from the system-account day index.
 */
import { GetCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import { system } from '../domain/chart';
import { daysOf, type PayableEntry, type Period, type SettlementPeriod, type Statement } from '../domain/settlement';
import { queryAll, type Db } from './db';
import { keys, withoutKeys } from './keys';
import type { TransactItem } from './movements';
import { systemAccountEntries } from './system-accounts';

/** The entries of the merchant's payable posted in the period: one Query per index and campus day, the days at once. */
export async function payableEntries(db: Db, merchantId: string, period: Pick<Period, 'from' | 'to'>): Promise<PayableEntry[]> {
  const days = await Promise.all(daysOf(period).map((day) => systemAccountEntries(db, system.merchantPayable(merchantId), day)));
  return days.flat() as PayableEntry[];
}

/** The conditional Put that closes a statement: it exists once, and a second close cannot replace it. */
export function statementPut(db: Db, statement: Statement): TransactItem {
  return {
    Put: {
      TableName: db.tableName,
      Item: {
        ...keys.statement(statement.merchantId, statement.periodKind, statement.from),
        ...keys.statementPeriodIndex(statement.periodKind, statement.from, statement.merchantId),
        ...(statement.status === 'closed' ? keys.unpaidStatementIndex(statement.to, statement.statementId) : {}),
        ...statement,
      },
      ConditionExpression: 'attribute_not_exists(pk)',
    },
  };
}

/** Marks a closed statement paid; its condition (still `closed`) makes a statement paid once. */
export function statementPaidUpdate(db: Db, statement: Pick<Statement, 'merchantId' | 'periodKind' | 'from'>, payout: NonNullable<Statement['payout']>): TransactItem {
  return {
    Update: {
      TableName: db.tableName,
      Key: keys.statement(statement.merchantId, statement.periodKind, statement.from),
      UpdateExpression: 'SET #status = :paid, payout = :payout REMOVE gsi2pk, gsi2sk',
      ConditionExpression: 'attribute_exists(pk) AND #status = :closed',
      ExpressionAttributeNames: { '#status': 'status' },
      ExpressionAttributeValues: { ':paid': 'paid', ':closed': 'closed', ':payout': payout },
    },
  };
}

export async function getStatement(db: Db, merchantId: string, period: Pick<Period, 'kind' | 'from'>): Promise<Statement | undefined> {
  const { Item } = await db.doc.send(new GetCommand({ TableName: db.tableName, Key: keys.statement(merchantId, period.kind, period.from), ConsistentRead: true }));
  return Item ? (withoutKeys(Item) as unknown as Statement) : undefined;
}

/** A merchant's statements, oldest first: of one period kind, and from a first day on, if given. */
export async function merchantStatements(db: Db, merchantId: string, filter: { periodKind?: SettlementPeriod; from?: string; to?: string }): Promise<Statement[]> {
  const low = filter.periodKind ? `${filter.periodKind}#${filter.from ?? ''}` : undefined;
  const high = filter.periodKind ? `${filter.periodKind}#${filter.to ?? '~'}` : undefined;
  const items = await queryAll<Record<string, unknown>>(db, {
    KeyConditionExpression: low ? 'pk = :pk AND sk BETWEEN :low AND :high' : 'pk = :pk',
    ExpressionAttributeValues: { ':pk': keys.statementPartition(merchantId), ...(low ? { ':low': low, ':high': high } : {}) },
  });
  const statements = items.map((item) => withoutKeys(item) as unknown as Statement);
  return statements.filter((s) => (!filter.from || s.from >= filter.from) && (!filter.to || s.from <= filter.to)).sort(byPeriod);
}

/** Every merchant's statement of one period, by merchant id. */
export async function periodStatements(db: Db, period: Pick<Period, 'kind' | 'from'>): Promise<Statement[]> {
  const items = await queryAll<Record<string, unknown>>(db, {
    IndexName: 'gsi1',
    KeyConditionExpression: 'gsi1pk = :pk',
    ExpressionAttributeValues: { ':pk': keys.statementPeriodIndex(period.kind, period.from, '').gsi1pk },
  });
  return items.map((item) => withoutKeys(item) as unknown as Statement);
}

/** Statements with money to pay, not yet paid, oldest period first (at most `limit`). */
export async function unpaidStatements(db: Db, limit: number): Promise<Statement[]> {
  const { Items } = await db.doc.send(
    new QueryCommand({
      TableName: db.tableName,
      IndexName: 'gsi2',
      KeyConditionExpression: 'gsi2pk = :pk',
      ExpressionAttributeValues: { ':pk': keys.unpaidStatementPartition },
      Limit: limit,
    }),
  );
  return (Items ?? []).map((item) => withoutKeys(item) as unknown as Statement);
}

function byPeriod(a: Statement, b: Statement): number {
  return a.from === b.from ? a.periodKind.localeCompare(b.periodKind) : a.from < b.from ? -1 : 1;
}
