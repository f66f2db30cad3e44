/**
 * The offline bundle's compact format (GET /v1/pos/offline-bundle?format=2): one row per device key
 * instead of an object (the field names were half of every key's bytes), a version per campus-wide
 * snapshot, and a delta since the version a terminal holds (the rows that changed and the key ids
 * gone). The blacklist is small and always sent whole, live. Pure: the server builds with it and the
 * terminal client applies with it, so both compute the same digest over the same rows.
 */
import { sha256 } from '@noble/hashes/sha2';
import { bytesToHex, utf8ToBytes } from '@noble/hashes/utils';

/** [keyId, publicKey (base64url), accountNo, offlineCapFen as of the snapshot]. */
export type KeyRow = [keyId: number, publicKey: string, accountNo: string, offlineCapFen: number];

/** A version is the snapshot's build time in epoch milliseconds, 13 digits. */
export const BUNDLE_VERSION_PATTERN = /^\d{13}$/;

export function sortRows(rows: KeyRow[]): KeyRow[] {
  return [...rows].sort((a, b) => a[0] - b[0]);
}

/** SHA-256 (hex) of the rows by key id: the terminal checks the rows it holds after a delta against it. */
export function rowsDigest(rows: KeyRow[]): string {
  return bytesToHex(sha256(utf8ToBytes(JSON.stringify(sortRows(rows)))));
}

export interface RowDelta {
  upsert: KeyRow[];
  remove: number[];
}

function sameRow(a: KeyRow, b: KeyRow): boolean {
  return a[0] === b[0] && a[1] === b[1] && a[2] === b[2] && a[3] === b[3];
}

/** What turns `from` into `to`: rows new or changed (by key id), and key ids no longer there. */
export function diffRows(from: KeyRow[], to: KeyRow[]): RowDelta {
  const old = new Map(from.map((row) => [row[0], row]));
  const upsert: KeyRow[] = [];
  const kept = new Set<number>();
  for (const row of to) {
    kept.add(row[0]);
    const before = old.get(row[0]);
    if (!before || !sameRow(before, row)) upsert.push(row);
  }
  const remove = from.filter((row) => !kept.has(row[0])).map((row) => row[0]);
  return { upsert: sortRows(upsert), remove: remove.sort((a, b) => a - b) };
}

/** The rows after a delta, by key id. */
export function applyRows(rows: KeyRow[], delta: RowDelta): KeyRow[] {
  const byId = new Map(rows.map((row) => [row[0], row]));
  for (const keyId of delta.remove) byId.delete(keyId);
  for (const row of delta.upsert) byId.set(row[0], row);
  return sortRows([...byId.values()]);
}
