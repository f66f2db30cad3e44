/**
 * The reads of the card centre's reconciliation queue, each one Query on a sparse index: frozen
 * accounts (gsi3 `FROZEN#ACCOUNT`, kept by keys.accountStatusUpdate), open findings (gsi2
 * `FINDING#OPEN`; a held offline record is one, made with the hold) and pending transfers past
 * their timeout (gsi3 `PENDING#<kind>`, store/pending.ts).
 */
import { queryAll, type Db } from './db';
import { keys, withoutKeys } from './keys';
import type { ReconciliationFinding } from './reconciliation-findings';

export interface FrozenAccountRow {
  accountNo: string;
  frozenAt: string;
  frozenReason?: string;
  balanceFen: number;
}

/** Every frozen account, oldest freeze first (frozen since the index existed: docs/console-api.md). */
export async function listFrozenAccounts(db: Db): Promise<FrozenAccountRow[]> {
  const items = await queryAll<Record<string, unknown>>(db, {
    IndexName: 'gsi3',
    KeyConditionExpression: 'gsi3pk = :pk',
    ExpressionAttributeValues: { ':pk': keys.frozenAccountPartition },
    ProjectionExpression: 'accountNo, frozenReason, balanceFen, gsi3sk',
  });
  return items.map((item) => ({
    accountNo: item.accountNo as string,
    // The sort key is `<frozenAt>#<accountNo>`.
    frozenAt: (item.gsi3sk as string).slice(0, (item.gsi3sk as string).lastIndexOf('#')),
    ...(typeof item.frozenReason === 'string' ? { frozenReason: item.frozenReason } : {}),
    balanceFen: item.balanceFen as number,
  }));
}

/** Every open finding, oldest first. */
export async function listAllOpenFindings(db: Db): Promise<ReconciliationFinding[]> {
  const items = await queryAll<Record<string, unknown>>(db, {
    IndexName: 'gsi2',
    KeyConditionExpression: 'gsi2pk = :pk',
    ExpressionAttributeValues: { ':pk': keys.openFindingIndex('', '').gsi2pk },
  });
  return items.map((item) => withoutKeys(item) as unknown as ReconciliationFinding);
}
