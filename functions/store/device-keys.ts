/**
 * Device keys for the QR code: the phone's Ed25519 public key, registered at binding. One active key
 * per account; registering a new one revokes the old in the same transaction. Active keys sit in a
 * sparse index (gsi1 `DEVKEY#ACTIVE`) so the offline bundle can list them; a revoked key leaves it.
 */
import { randomInt } from 'node:crypto';
import { GetCommand } from '@aws-sdk/lib-dynamodb';
import { AppError } from '../app-error';
import { getAccount } from './accounts';
import { failedItems, transactWrite } from './conditions';
import { queryAll, type Db } from './db';
import { keys, withoutKeys } from './keys';
import { withVersionRetry } from './version-retry';

export interface DeviceKey {
  keyId: number;
  accountNo: string;
  /** Raw 32-byte Ed25519 public key, base64url. */
  publicKey: string;
  status: 'active' | 'revoked';
  createdAt: string;
  revokedAt?: string;
}

const ACTIVE_INDEX = 'DEVKEY#ACTIVE';

export async function getDeviceKey(db: Db, keyId: number): Promise<DeviceKey | undefined> {
  const { Item } = await db.doc.send(new GetCommand({ TableName: db.tableName, Key: keys.deviceKey(keyId), ConsistentRead: true }));
  return Item ? (withoutKeys(Item) as unknown as DeviceKey) : undefined;
}

/** What never changes about a key once registered: safe to cache. Whether it is still the active one is the account's to say. */
export type DeviceKeyMaterial = Pick<DeviceKey, 'keyId' | 'accountNo' | 'publicKey'>;

const MATERIAL_CACHE_LIMIT = 100_000;
const materialCache = new Map<string, DeviceKeyMaterial>();

/** A key's public key and account, from this container's cache when it has seen the key before. */
export async function getDeviceKeyMaterial(db: Db, keyId: number): Promise<DeviceKeyMaterial | undefined> {
  const cacheKey = `${db.tableName}#${keyId}`;
  const cached = materialCache.get(cacheKey);
  if (cached) return cached;
  const key = await getDeviceKey(db, keyId);
  if (!key) return undefined;
  const material = { keyId: key.keyId, accountNo: key.accountNo, publicKey: key.publicKey };
  if (materialCache.size >= MATERIAL_CACHE_LIMIT) materialCache.delete(materialCache.keys().next().value!);
  materialCache.set(cacheKey, material);
  return material;
}

/** Registers the key as the account's only active device key; the previous one (if any) is revoked. */
export async function registerDeviceKey(db: Db, accountNo: string, publicKey: string, now: Date): Promise<DeviceKey> {
  return withVersionRetry(
    async () => {
      const account = await getAccount(db, accountNo);
      if (!account) throw new AppError('ACCOUNT_NOT_FOUND', accountNo);
      return account;
    },
    async (account) => {
      const key: DeviceKey = { keyId: randomInt(1, 2 ** 32 - 1), accountNo, publicKey, status: 'active', createdAt: now.toISOString() };
      const previous = account.activeDeviceKeyId;
      try {
        await transactWrite(db, [
          {
            Put: {
              TableName: db.tableName,
              // gsi2: the account's keys, revoked ones too (its history); gsi1 only while active; gsi3 by the hour registered (the offline bundle's live keys).
              Item: { ...keys.deviceKey(key.keyId), gsi1pk: ACTIVE_INDEX, gsi1sk: String(key.keyId), ...keys.accountDeviceKeyIndex(accountNo, key.createdAt, key.keyId), ...keys.newDeviceKeyIndex(key.createdAt, key.keyId), ...key },
              ConditionExpression: 'attribute_not_exists(pk)',
            },
          },
          {
            Update: {
              TableName: db.tableName,
              Key: keys.account(accountNo),
              UpdateExpression: 'SET activeDeviceKeyId = :key, activeDeviceKeyAt = :at, version = :next',
              ConditionExpression: 'version = :current',
              ExpressionAttributeValues: { ':key': key.keyId, ':at': key.createdAt, ':next': account.version + 1, ':current': account.version },
            },
          },
          ...(previous !== undefined
            ? [
                {
                  Update: {
                    TableName: db.tableName,
                    Key: keys.deviceKey(previous),
                    UpdateExpression: 'SET #status = :revoked, revokedAt = :now REMOVE gsi1pk, gsi1sk',
                    ExpressionAttributeNames: { '#status': 'status' },
                    ExpressionAttributeValues: { ':revoked': 'revoked', ':now': now.toISOString() },
                  },
                },
              ]
            : []),
        ]);
        return key;
      } catch (error) {
        // A key id collision (item 0) or a concurrent change to the account (item 1): read again and retry.
        if (failedItems(error).length > 0) return false;
        throw error;
      }
    },
    { what: `device key registration for ${accountNo}` },
  );
}

/** Every active device key (for the offline POS bundle). */
export async function listActiveDeviceKeys(db: Db): Promise<DeviceKey[]> {
  const items = await queryAll<Record<string, unknown>>(db, {
    IndexName: 'gsi1',
    KeyConditionExpression: 'gsi1pk = :active',
    ExpressionAttributeValues: { ':active': ACTIVE_INDEX },
  });
  return items.map((item) => withoutKeys(item) as unknown as DeviceKey);
}

/** Active device keys registered after `since` (up to `until`), from the by-hour index: a few hours' worth at most. */
export async function listDeviceKeysRegisteredSince(db: Db, since: Date, until: Date): Promise<DeviceKey[]> {
  const hours: string[] = [];
  for (let at = Math.floor(since.getTime() / 3_600_000) * 3_600_000; at <= until.getTime(); at += 3_600_000) hours.push(new Date(at).toISOString());
  const pages = await Promise.all(
    hours.map((hour) =>
      queryAll<Record<string, unknown>>(db, {
        IndexName: 'gsi3',
        KeyConditionExpression: 'gsi3pk = :hour AND gsi3sk > :since',
        ExpressionAttributeValues: { ':hour': keys.newDeviceKeyIndex(hour, 0).gsi3pk, ':since': since.toISOString() },
      }),
    ),
  );
  return pages.flat().map((item) => withoutKeys(item) as unknown as DeviceKey).filter((key) => key.status === 'active' && key.createdAt <= until.toISOString());
}

/** Every device key of the account registered since the per-account index (gsi2 `DEVKEYS#<accountNo>`), newest first. */
export async function listAccountDeviceKeys(db: Db, accountNo: string): Promise<DeviceKey[]> {
  const items = await queryAll<Record<string, unknown>>(db, {
    IndexName: 'gsi2',
    KeyConditionExpression: 'gsi2pk = :account',
    ExpressionAttributeValues: { ':account': keys.accountDeviceKeyPartition(accountNo) },
    ScanIndexForward: false,
  });
  return items.map((item) => withoutKeys(item) as unknown as DeviceKey);
}
