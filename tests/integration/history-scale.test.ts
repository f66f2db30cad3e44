/**
 * A holder's history on a long ledger (issue 17 item 6), on real DynamoDB Local: a page of a rare
 * type costs a handful of Queries, not one per 21 entries, and pages by cursor answer each entry
 * once; a month's statement is one bounded Query of that month's keys, projected to what the
 * totals need, and adds up as the whole entries do.
 */
import { BatchWriteCommand, QueryCommand, ScanCommand, type QueryCommandInput } from '@aws-sdk/lib-dynamodb';
import { describe, expect, it } from 'vitest';
import { holderHistory, holderStatement, monthlyStatement } from '../../functions/services/holder-views';
import type { Db, DocSend } from '../../functions/store/db';
import { entriesInRange, ledgerKeyRange } from '../../functions/store/ledger';
import { ledgerHistoryItems, type HistoryKind } from '../../bench/scale/history';
import { useTestPlatform } from '../helpers/platform';

const platform = useTestPlatform();

async function write(items: Record<string, unknown>[]): Promise<void> {
  for (let i = 0; i < items.length; i += 25) {
    let requests = items.slice(i, i + 25).map((Item) => ({ PutRequest: { Item } }));
    while (requests.length) {
      const out = await platform.deps.db.doc.send(new BatchWriteCommand({ RequestItems: { [platform.tableName]: requests } }));
      requests = (out.UnprocessedItems?.[platform.tableName] ?? []) as typeof requests;
    }
  }
}

/** The platform's table through a client that records every Query and counts Scans. */
function recording(): { db: Db; queries: QueryCommandInput[]; scans: () => number } {
  const queries: QueryCommandInput[] = [];
  let scans = 0;
  const send = ((command: unknown) => {
    if (command instanceof QueryCommand) queries.push(command.input);
    if (command instanceof ScanCommand) scans++;
    return platform.deps.db.doc.send(command as QueryCommand);
  }) as DocSend['send'];
  return { db: { doc: { send }, tableName: platform.tableName }, queries, scans: () => scans };
}

/** `count` entries one hour apart from `from`, refunds at the given positions, purchases (and top-ups when low) otherwise. */
async function seedHistory(accountNo: string, from: Date, count: number, kindOf: (i: number) => HistoryKind) {
  const times = Array.from({ length: count }, (_, i) => new Date(from.getTime() + i * 3_600_000));
  const { items, months } = ledgerHistoryItems(accountNo, times, kindOf);
  await write(items);
  return months;
}

describe('history on a long ledger', () => {
  it('a rare type\'s page takes a handful of Queries, and paging by cursor answers each entry once', async () => {
    const refundsAt = new Set([3, 10, 200, 590, 595]);
    await seedHistory('8800001', new Date(Date.UTC(2026, 5, 1)), 600, (i) => (refundsAt.has(i) ? 'refund' : 'purchase'));

    const { db, queries } = recording();
    const deps = { db, clock: platform.deps.clock };
    const first = await holderHistory(deps, '8800001', { type: ['refund'], limit: 3 });
    expect(first.entries.map((e) => e.type)).toEqual(['refund', 'refund', 'refund']);
    // At limit + 1 items read per Query this page (595, 590, 200: 400 entries back) took ~100 Queries.
    expect(queries.length).toBeLessThanOrEqual(10);
    const second = await holderHistory(deps, '8800001', { type: ['refund'], limit: 3, cursor: first.nextCursor! });
    expect(second.nextCursor).toBeUndefined();
    const receipts = [...first.entries, ...second.entries].map((e) => e.receiptNo);
    expect(new Set(receipts).size).toBe(5);
    const all = (await entriesInRange(platform.deps.db, '8800001')).filter((e) => e.type === 'refund').map((e) => e.receiptNo).reverse();
    expect(receipts).toEqual(all);

    // Unfiltered, the first page is still one Query of limit + 1.
    queries.length = 0;
    const page = await holderHistory(deps, '8800001', { limit: 20 });
    expect(page.entries).toHaveLength(20);
    expect(queries).toHaveLength(1);
    expect(queries[0]!.Limit).toBe(21);
    // Small pages of a common type stay exact across the doubling reads.
    const pages: string[] = [];
    let cursor: string | undefined;
    do {
      const next = await holderHistory(deps, '8800001', { type: ['purchase'], limit: 7, ...(cursor ? { cursor } : {}), from: '2026-06-20' });
      pages.push(...next.entries.map((e) => e.receiptNo));
      cursor = next.nextCursor;
    } while (cursor);
    const purchases = (await entriesInRange(platform.deps.db, '8800001', '2026-06-20')).filter((e) => e.type === 'purchase').map((e) => e.receiptNo).reverse();
    expect(pages).toEqual(purchases);
  });

  it("a month's statement is one bounded Query of that month, projected, with the same totals as its whole entries", async () => {
    // 2,000 entries an hour apart from 1 July: July, August and part of September.
    const months = await seedHistory('8800002', new Date(Date.UTC(2026, 6, 1)), 2_000, (i) => (i % 50 === 7 ? 'refund' : 'purchase'));
    const { db, queries, scans } = recording();
    const statement = await holderStatement({ db, clock: platform.deps.clock }, '8800002', '2026-08');

    const whole = await entriesInRange(platform.deps.db, '8800002', '2026-08-01', '2026-08-31');
    expect(statement).toEqual(monthlyStatement('2026-08', whole));
    expect(statement.count).toBe(months.get('2026-08'));
    expect(statement.count).toBeLessThan(2_000);
    expect(scans()).toBe(0);
    const range = ledgerKeyRange('2026-08-01', '2026-08-31');
    expect(queries.length).toBeGreaterThanOrEqual(1);
    for (const query of queries) {
      expect(query.ExpressionAttributeValues).toMatchObject({ ':low': range.low, ':high': range.high });
      expect(query.ProjectionExpression).toBe('#type, #amountFen');
      expect(query.ExpressionAttributeNames).toEqual({ '#type': 'type', '#amountFen': 'amountFen' });
    }
  });
});
