/**
 * Snapshots of the offline bundle's keys (format 2): built at most once per interval for the whole
 * campus, stored as gzipped chunks (an item holds 400 KB; 50,000 rows gzip to about 2.6 MB), kept for
 * the retention so a terminal's delta can be made from the version it holds. A snapshot never changes
 * once written, so a container keeps the few it has read in memory.
 */
import { gunzipSync, gzipSync } from 'node:zlib';
import { GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import type { OFFLINE_BLOCKED_REASONS } from '../../shared/api/pos';
import type { KeyRow } from '../../shared/offline-bundle';
import { isConditionFailed } from './conditions';
import { queryAll, type Db } from './db';
import { keys } from './keys';

export interface BundleSnapshot {
  version: string;
  builtAt: string;
  /** SHA-256 of the rows (shared/offline-bundle.ts rowsDigest). */
  digest: string;
  /** Until when it may serve as a delta's base (its retention). */
  keptUntil: string;
  rows: KeyRow[];
  /** Accounts of the rows that could not pay when it was built (a cap of 0 in their row). */
  refused: Record<string, (typeof OFFLINE_BLOCKED_REASONS)[number]>;
  /** Their active cards' chips, with the same reason (an expired account is in no blocked index). */
  refusedChips: Record<string, (typeof OFFLINE_BLOCKED_REASONS)[number]>;
}

const CHUNK_BYTES = 350_000;
const CACHE_LIMIT = 3;
const cache = new Map<string, BundleSnapshot>();

function remember(db: Db, snapshot: BundleSnapshot): BundleSnapshot {
  const key = `${db.tableName}#${snapshot.version}`;
  if (!cache.has(key) && cache.size >= CACHE_LIMIT) cache.delete(cache.keys().next().value!);
  cache.set(key, snapshot);
  return snapshot;
}

/** The newest snapshot's version and build time, if any. */
export async function getLatestSnapshotRef(db: Db): Promise<{ version: string; builtAt: string } | undefined> {
  const { Item } = await db.doc.send(new GetCommand({ TableName: db.tableName, Key: keys.bundleSnapshotLatest(), ConsistentRead: true }));
  return Item ? { version: String(Item.version), builtAt: String(Item.builtAt) } : undefined;
}

/**
 * Stores a snapshot (chunks, then the meta that marks it whole) and makes it the newest unless a newer
 * one got there first (two terminals asking at once may each build one: both stay readable).
 */
export async function putSnapshot(db: Db, snapshot: BundleSnapshot): Promise<void> {
  const expiresAt = new Date(snapshot.keptUntil);
  const zipped = gzipSync(JSON.stringify({ rows: snapshot.rows, refused: snapshot.refused, refusedChips: snapshot.refusedChips }));
  const ttl = Math.floor(expiresAt.getTime() / 1000);
  const chunks: Uint8Array[] = [];
  for (let at = 0; at < zipped.length || chunks.length === 0; at += CHUNK_BYTES) chunks.push(zipped.subarray(at, at + CHUNK_BYTES));
  await Promise.all(chunks.map((data, n) => db.doc.send(new PutCommand({ TableName: db.tableName, Item: { ...keys.bundleSnapshotChunk(snapshot.version, n), data, expiresAt: ttl } }))));
  await db.doc.send(
    new PutCommand({
      TableName: db.tableName,
      Item: { ...keys.bundleSnapshotMeta(snapshot.version), version: snapshot.version, builtAt: snapshot.builtAt, digest: snapshot.digest, chunks: chunks.length, keptUntil: snapshot.keptUntil, expiresAt: ttl },
    }),
  );
  try {
    await db.doc.send(
      new PutCommand({
        TableName: db.tableName,
        Item: { ...keys.bundleSnapshotLatest(), version: snapshot.version, builtAt: snapshot.builtAt },
        ConditionExpression: 'attribute_not_exists(pk) OR builtAt < :builtAt',
        ExpressionAttributeValues: { ':builtAt': snapshot.builtAt },
      }),
    );
  } catch (error) {
    if (!isConditionFailed(error)) throw error;
  }
  remember(db, snapshot);
}

/** A stored snapshot, or undefined when it is unknown, incomplete or past its retention (TTL deletes lazily: checked here). */
export async function getSnapshot(db: Db, version: string, now: Date): Promise<BundleSnapshot | undefined> {
  const cached = cache.get(`${db.tableName}#${version}`);
  if (cached) return Date.parse(cached.keptUntil) > now.getTime() ? cached : undefined;
  const items = await queryAll<Record<string, unknown>>(db, { KeyConditionExpression: 'pk = :pk', ExpressionAttributeValues: { ':pk': keys.bundleSnapshotMeta(version).pk } });
  const meta = items.find((item) => item.sk === 'META');
  if (!meta || Date.parse(String(meta.keptUntil)) <= now.getTime()) return undefined;
  const chunks = items.filter((item) => String(item.sk).startsWith('CHUNK#')).sort((a, b) => (String(a.sk) < String(b.sk) ? -1 : 1));
  if (chunks.length !== meta.chunks) return undefined;
  const body = JSON.parse(gunzipSync(Buffer.concat(chunks.map((item) => item.data as Uint8Array))).toString('utf8')) as Pick<BundleSnapshot, 'rows' | 'refused' | 'refusedChips'>;
  return remember(db, { version, builtAt: String(meta.builtAt), digest: String(meta.digest), keptUntil: String(meta.keptUntil), ...body });
}

/** Forgets the snapshots this container has read (a cold container, for the benchmark). */
export function forgetSnapshots(): void {
  cache.clear();
}
