/** What the benchmarks share to seed DynamoDB Local fast: a holder's account as movements write it, and parallel BatchWriteItem writers. */
import { BatchWriteCommand } from '@aws-sdk/lib-dynamodb';
import type { Deps } from '../functions/deps';
import { DEFAULT_DAILY_LIMIT_FEN, MAX_DAILY_LIMIT_FEN, type Account } from '../functions/domain/account';
import { campusDay } from '../functions/domain/campus-day';
import { fingerprint } from '../functions/domain/fingerprint';
import { planTopup } from '../functions/domain/movement-plans';
import { createAccount } from '../functions/store/accounts';
import type { Db } from '../functions/store/db';
import { registerDeviceKey } from '../functions/store/device-keys';
import { generateDeviceKeyPair, signQrToken, timeStepAt } from '../shared/qr-token';

/** A bench holder's active student account with no transitional balance or small wallet. */
export function benchAccount(accountNo: string, fields: Pick<Account, 'balanceFen' | 'version' | 'dailySpentDay' | 'createdAt'> & Partial<Pick<Account, 'lastEntryId' | 'dailyLimitFen'>>): Account {
  return {
    accountNo,
    personId: `B${accountNo}`,
    holderName: '压测同学',
    cardType: 'student',
    status: 'active',
    transitionalFen: 0,
    smallWalletFen: 0,
    dailySpentFen: 0,
    dailyLimitFen: DEFAULT_DAILY_LIMIT_FEN,
    ...fields,
  };
}

/**
 * Writes the items of `count` units (`itemsOf(0)`, `itemsOf(1)`, ...) with 8 parallel writers of
 * 25-item batches, retrying what DynamoDB leaves unprocessed; prints progress to stderr every
 * `progressMs`. Answers how many items were written.
 */
export async function batchSeed(db: Db, count: number, itemsOf: (unit: number) => Record<string, unknown>[], progressMs = 2_000): Promise<number> {
  let next = 0;
  let written = 0;
  const writer = async () => {
    let batch: Record<string, unknown>[] = [];
    const flush = async () => {
      let requests = batch.map((Item) => ({ PutRequest: { Item } }));
      while (requests.length > 0) {
        const out = await db.doc.send(new BatchWriteCommand({ RequestItems: { [db.tableName]: requests } }));
        requests = (out.UnprocessedItems?.[db.tableName] ?? []) as typeof requests;
      }
      written += batch.length;
      batch = [];
    };
    while (next < count) {
      for (const item of itemsOf(next++)) {
        batch.push(item);
        if (batch.length === 25) await flush();
      }
    }
    if (batch.length > 0) await flush();
  };
  const progress = setInterval(() => console.error(`  seeded ${written} items`), progressMs);
  await Promise.all(Array.from({ length: 8 }, writer));
  clearInterval(progress);
  return written;
}

/** A bench holder's phone: its registered device key, drawing campus codes as the app does. */
export interface BenchPhone {
  accountNo: string;
  keyId: number;
  privateKey: Uint8Array;
}

/**
 * A holder who can pay all day: an account with the highest daily limit, topped up through the
 * movement store (so the ledger and the audit see the money arrive), and a phone with its device key.
 */
export async function benchHolderWithPhone(deps: Pick<Deps, 'db' | 'movements'>, accountNo: string, now: Date, balanceFen = 1_000_000): Promise<BenchPhone> {
  await createAccount(deps.db, benchAccount(accountNo, { balanceFen: 0, version: 0, dailySpentDay: campusDay(now), dailyLimitFen: MAX_DAILY_LIMIT_FEN, createdAt: now.toISOString() }));
  await deps.movements.post({
    accountNo,
    idempotencyKey: `bench#${accountNo}`,
    fingerprint: fingerprint({ accountNo }),
    plan: (current, today) => planTopup(current, { amountFen: balanceFen, channel: 'counter', externalRef: `bench-${accountNo}` }, today),
  });
  const { privateKey, publicKey } = generateDeviceKeyPair();
  const key = await registerDeviceKey(deps.db, accountNo, Buffer.from(publicKey).toString('base64url'), now);
  return { accountNo, keyId: key.keyId, privateKey };
}

/** A pay code from the phone, as the app draws it now (counter: 0..255 within one 30 s step). */
export function benchCode(phone: BenchPhone, counter: number, at = Date.now()): string {
  return signQrToken({ version: 1, purpose: 'pay', keyId: phone.keyId, timeStep: timeStepAt(at), counter: counter % 256 }, phone.privateKey);
}

/** Deterministic draws in [0, 1) (mulberry32), so two runs with the same seed make the same choices. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}
