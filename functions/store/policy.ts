/** The campus policy item (one per deployment): stored settings over the defaults. */
import { GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import { DEFAULT_POLICY, type CampusPolicy } from '../domain/policy';
import { transactWrite } from './conditions';
import type { Db } from './db';
import type { TransactItem } from './movements';

const KEY = { pk: 'POLICY', sk: 'CAMPUS' };

export async function getPolicy(db: Db): Promise<CampusPolicy> {
  const { Item } = await db.doc.send(new GetCommand({ TableName: db.tableName, Key: KEY }));
  const { pk: _pk, sk: _sk, updatedAt: _u, updatedBy: _b, ...stored } = Item ?? {};
  return { ...DEFAULT_POLICY, ...(stored as Partial<CampusPolicy>) };
}

/** Stores the settings; with `alsoWrite` (an action-log entry) in one transaction, so neither lands without the other. */
export async function putPolicy(db: Db, policy: CampusPolicy, updatedBy: string, now: Date, alsoWrite: TransactItem[] = []): Promise<void> {
  const put = { TableName: db.tableName, Item: { ...KEY, ...policy, updatedBy, updatedAt: now.toISOString() } };
  if (alsoWrite.length === 0) await db.doc.send(new PutCommand(put));
  else await transactWrite(db, [{ Put: put }, ...alsoWrite]);
}
