/**
 * The counts the card centre's dashboard shows, each a Query of a sparse index with `Select: COUNT`
 * (no item comes back, no scan of the table): frozen accounts among the blocked ones (gsi2
 * BLOCKED#ACCOUNT) and open reconciliation findings (gsi2 FINDING#OPEN).
 */
import { QueryCommand, type QueryCommandInput } from '@aws-sdk/lib-dynamodb';
import type { Db } from './db';
import { keys } from './keys';

async function countAll(db: Db, input: Omit<QueryCommandInput, 'TableName' | 'ExclusiveStartKey' | 'Select'>): Promise<number> {
  let count = 0;
  let startKey: Record<string, unknown> | undefined;
  do {
    const page = await db.doc.send(new QueryCommand({ ...input, TableName: db.tableName, Select: 'COUNT', ...(startKey ? { ExclusiveStartKey: startKey } : {}) }));
    count += page.Count ?? 0;
    startKey = page.LastEvaluatedKey;
  } while (startKey);
  return count;
}

/** Accounts frozen now (the blocked-accounts index holds lost, cancelled and expired ones too). */
export function countFrozenAccounts(db: Db): Promise<number> {
  return countAll(db, {
    IndexName: 'gsi2',
    KeyConditionExpression: 'gsi2pk = :pk',
    FilterExpression: '#status = :frozen',
    ExpressionAttributeNames: { '#status': 'status' },
    ExpressionAttributeValues: { ':pk': keys.blockedAccountIndex('').gsi2pk, ':frozen': 'frozen' },
  });
}

export function countOpenFindings(db: Db): Promise<number> {
  return countAll(db, { IndexName: 'gsi2', KeyConditionExpression: 'gsi2pk = :pk', ExpressionAttributeValues: { ':pk': keys.openFindingIndex('', '').gsi2pk } });
}
