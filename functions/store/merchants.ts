/** The card centre's merchant registry: created once, changed on condition of the version read, listed from one gsi1 partition. */
import { withMerchantTerms, type Merchant, type MerchantInput } from '../domain/merchant';
import { transactWriteIfFirstHolds } from './conditions';
import { queryAll, type Db } from './db';
import { keys, withoutKeys } from './keys';
import type { TransactItem } from './movements';

function merchantItem(merchant: Merchant): Record<string, unknown> {
  return { ...keys.merchant(merchant.merchantId), ...keys.merchantListIndex(merchant.merchantId), ...merchant };
}

/** Creates the merchant (with the writes that must commit with it) if its id is free; false if it exists. */
export async function createMerchantRecord(db: Db, merchant: Merchant, alsoWrite: TransactItem[]): Promise<boolean> {
  return transactWriteIfFirstHolds(db, [{ Put: { TableName: db.tableName, Item: merchantItem(merchant), ConditionExpression: 'attribute_not_exists(pk)' } }, ...alsoWrite]);
}

/**
 * Writes the changed merchant on condition that it is still the version read (`version` absent on
 * merchants the seed or a fixture wrote); false when someone changed it first (read and decide again).
 */
export async function replaceMerchantRecord(db: Db, read: Merchant, changed: Merchant, alsoWrite: TransactItem[]): Promise<boolean> {
  const condition =
    read.version === undefined
      ? { ConditionExpression: 'attribute_exists(pk) AND attribute_not_exists(version)' }
      : { ConditionExpression: 'version = :read', ExpressionAttributeValues: { ':read': read.version } };
  return transactWriteIfFirstHolds(db, [{ Put: { TableName: db.tableName, Item: merchantItem({ ...changed, version: (read.version ?? 0) + 1 }), ...condition } }, ...alsoWrite]);
}

/** Every merchant, by id. */
export async function listMerchantRecords(db: Db): Promise<Merchant[]> {
  const items = await queryAll<Record<string, unknown>>(db, {
    IndexName: 'gsi1',
    KeyConditionExpression: 'gsi1pk = :pk',
    ExpressionAttributeValues: { ':pk': keys.merchantListIndex('').gsi1pk },
  });
  return items.map((item) => withMerchantTerms(withoutKeys(item) as unknown as MerchantInput));
}
