/** The campus policy item (one per deployment): stored settings over the defaults. */
import { GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import { DEFAULT_POLICY, type CampusPolicy } from '../domain/policy';
import type { Db } from './db';

const KEY = { pk: 'POLICY', sk: 'CAMPUS' };

export async function getPolicy(db: Db): Promise<CampusPolicy> {
  const { Item } = await db.doc.send(new GetCommand({ TableName: db.tableName, Key: KEY }));
  const { pk: _pk, sk: _sk, updatedAt: _u, updatedBy: _b, ...stored } = Item ?? {};
  return { ...DEFAULT_POLICY, ...(stored as Partial<CampusPolicy>) };
}

export async function putPolicy(db: Db, policy: CampusPolicy, updatedBy: string, now: Date): Promise<void> {
  await db.doc.send(new PutCommand({ TableName: db.tableName, Item: { ...KEY, ...policy, updatedBy, updatedAt: now.toISOString() } }));
}
