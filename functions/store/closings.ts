/** Closed accounts' holdbacks: what a closing keeps back for offline terminals, until it is settled. */
import type { RefundDestination } from '../domain/ledger';
import { queryAll, type Db } from './db';
import { keys, withoutKeys } from './keys';
import type { TransactItem } from './movements';

export interface Holdback {
  accountNo: string;
  cancellationId: string;
  destination: RefundDestination;
  heldBackFen: number;
  holdbackUntil: string;
}

/** Written with the closing's movement (once: a second closing cannot happen on a cancelled account). */
export function holdbackPut(db: Db, holdback: Holdback): NonNullable<TransactItem['Put']> {
  return {
    TableName: db.tableName,
    Item: { ...keys.holdback(holdback.accountNo), ...keys.openHoldbackIndex(holdback.holdbackUntil, holdback.accountNo), ...holdback },
    ConditionExpression: 'attribute_not_exists(pk)',
  };
}

/** Removed with the settlement's movement, so a holdback is settled once. */
export function holdbackDelete(db: Db, accountNo: string): NonNullable<TransactItem['Delete']> {
  return { TableName: db.tableName, Key: keys.holdback(accountNo), ConditionExpression: 'attribute_exists(pk)' };
}

/** Holdbacks whose end has passed, oldest first. */
export async function listDueHoldbacks(db: Db, now: Date): Promise<Holdback[]> {
  const items = await queryAll<Record<string, unknown>>(db, {
    IndexName: 'gsi2',
    KeyConditionExpression: 'gsi2pk = :open AND gsi2sk < :now',
    ExpressionAttributeValues: { ':open': keys.openHoldbackIndex('', '').gsi2pk, ':now': now.toISOString() },
  });
  return items.map((item) => withoutKeys(item) as unknown as Holdback);
}
