/** What the benchmarks share to seed DynamoDB Local fast: a holder's account as movements write it, and parallel BatchWriteItem writers. */
import { BatchWriteCommand } from '@aws-sdk/lib-dynamodb';
import { DEFAULT_DAILY_LIMIT_FEN, type Account } from '../functions/domain/account';
import type { Db } from '../functions/store/db';

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
