/**
 * Issue 17 item 6: a holder's history on one account with 5,000 ledger entries. Seeds the account
 * and its entries with BatchWriteItem exactly as movements write them (ledger items with their
 * receipt and system-account indexes; the account's purses, lastEntryId and version in step), over
 * `--days` campus days, then times ≥ 50 requests each through the real services (what the
 * `/v1/holder/ledger` and `/v1/holder/statements/{month}` handlers call) beside the raw Query of the
 * same items in the same run:
 *   - the first history page (20 newest), against one Query of 21 items;
 *   - the first page of one rare type (refunds: 1 entry in 100), against one Query of the same
 *     range with the same filter, paged by DynamoDB until 20 are found;
 *   - the fullest month's statement, against the raw Query of that month's items (every page), both
 *     projected to type and amount as the statement reads them and whole (as it read them before).
 * Prints p50/p99 of each and the items each read. Figures only.
 *
 *   npx tsx bench/scale/history.ts [--entries 5000] [--days 150] [--requests 50]
 */
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { QueryCommand, type QueryCommandInput } from '@aws-sdk/lib-dynamodb';
import { batchSeed, benchAccount } from '../seed';
import { campusDay } from '../../functions/domain/campus-day';
import { holder, system, systemAccountsOf } from '../../functions/domain/chart';
import type { LedgerEntry } from '../../functions/domain/ledger';
import { startDynamoDbLocal } from '../../functions/local/dynamodb-local';
import { prepareEnvironment } from '../../functions/local/platform';
import { holderHistory, holderStatement } from '../../functions/services/holder-views';
import type { Db } from '../../functions/store/db';
import { keys, systemAccountIndexes } from '../../functions/store/keys';
import { ledgerKeyRange } from '../../functions/store/ledger';
import { nextEntryId } from '../../functions/store/movements';
import { putMerchant } from '../../functions/store/terminals';

export interface HistoryOptions {
  holders: number;
  /** Entries on the one account: 5,000 at the scale (holders ≥ 20,000), 500 for a quick run. */
  entries?: number;
  /** Campus days the entries span (150: about 1,000 entries in each month at 5,000). */
  days?: number;
  requests?: number;
}

const ACCOUNT = '9000001';
/** The merchant of the history's purchases and refunds. */
export const MERCHANT = 'M001';

export type HistoryKind = 'topup' | 'purchase' | 'refund';

/**
 * An account's items as movements write them, oldest first: entry i at `times[i]` of `kindOf(i)`
 * (top-ups of 500 yuan, purchases of 3–25 yuan at M001, refunds of the last purchase), `after` the
 * running balance, then the account with its balance, lastEntryId and version. Also the entries per month.
 */
export function ledgerHistoryItems(accountNo: string, times: Date[], kindOf: (i: number) => HistoryKind): { items: Record<string, unknown>[]; months: Map<string, number> } {
  const items: Record<string, unknown>[] = [];
  const months = new Map<string, number>();
  let balanceFen = 0;
  let lastEntryId: string | undefined;
  let lastPurchase: LedgerEntry | undefined;
  for (const [i, at] of times.entries()) {
    const day = campusDay(at);
    const wanted = kindOf(i);
    const kind = wanted === 'refund' && !lastPurchase ? 'purchase' : wanted === 'purchase' && balanceFen < 2_500 ? 'topup' : wanted;
    const amountFen = kind === 'topup' ? 50_000 : kind === 'refund' ? lastPurchase!.amountFen : 300 + ((i * 37) % 2_200);
    const delta = kind === 'purchase' ? -amountFen : amountFen;
    balanceFen += delta;
    lastEntryId = nextEntryId(at, lastEntryId);
    const transfers =
      kind === 'topup'
        ? { type: 'topup' as const, transfers: [{ debit: system.cashDesk, credit: holder.balance(accountNo), amountFen }] }
        : kind === 'refund'
          ? { type: 'refund' as const, transfers: [{ debit: system.merchantPayable(MERCHANT), credit: holder.balance(accountNo), amountFen }], refundOf: lastPurchase!.receiptNo }
          : { type: 'purchase' as const, transfers: [{ debit: holder.balance(accountNo), credit: system.merchantPayable(MERCHANT), amountFen }] };
    const entry: LedgerEntry = {
      entryId: lastEntryId,
      receiptNo: lastEntryId,
      accountNo,
      ...transfers,
      amountFen,
      delta: { balanceFen: delta, transitionalFen: 0, smallWalletFen: 0 },
      after: { balanceFen, transitionalFen: 0, smallWalletFen: 0 },
      channel: kind === 'topup' ? 'counter' : 'pos',
      ...(kind === 'topup' ? {} : { merchantId: MERCHANT, terminalId: 'POS-M001-01' }),
      externalRef: `${accountNo}-${i}`,
      createdAt: at.toISOString(),
      campusDay: day,
    };
    if (kind === 'purchase') lastPurchase = entry;
    items.push({ ...keys.ledgerEntry(accountNo, entry.entryId), ...keys.receiptIndex(entry.receiptNo), ...systemAccountIndexes(systemAccountsOf(entry.transfers), day, entry.entryId), ...entry });
    months.set(day.slice(0, 7), (months.get(day.slice(0, 7)) ?? 0) + 1);
  }
  const first = times[0] ?? new Date();
  const account = benchAccount(accountNo, { balanceFen, version: times.length, dailySpentDay: campusDay(first), ...(lastEntryId ? { lastEntryId } : {}), createdAt: first.toISOString() });
  items.push({ ...keys.account(accountNo), ...keys.personIndex(account.personId), ...account });
  return { items, months };
}

/** The bench's account: a top-up every 25th entry, a refund every 100th, purchases otherwise, evenly over `days`. */
function accountItems(entries: number, from: Date, days: number) {
  const stepMs = Math.floor((days * 86_400_000) / entries);
  const times = Array.from({ length: entries }, (_, i) => new Date(from.getTime() + i * stepMs));
  return ledgerHistoryItems(ACCOUNT, times, (i) => (i % 25 === 0 ? 'topup' : i % 100 === 51 ? 'refund' : 'purchase'));
}

/** Every page of a raw Query; answers the items read. */
async function rawQuery(db: Db, input: Omit<QueryCommandInput, 'TableName'>, stopAt = Infinity): Promise<number> {
  let read = 0;
  let found = 0;
  let startKey: Record<string, unknown> | undefined;
  do {
    const page = await db.doc.send(new QueryCommand({ TableName: db.tableName, ...input, ...(startKey ? { ExclusiveStartKey: startKey } : {}) }));
    read += page.ScannedCount ?? 0;
    found += page.Count ?? 0;
    startKey = page.LastEvaluatedKey;
  } while (startKey && found < stopAt);
  return read;
}

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;
}

async function timed(requests: number, work: () => Promise<unknown>): Promise<{ p50: number; p99: number }> {
  for (let i = 0; i < 3; i++) await work(); // warm: the first calls pay for connections and code loading
  const ms: number[] = [];
  for (let i = 0; i < requests; i++) {
    const t = performance.now();
    await work();
    ms.push(performance.now() - t);
  }
  ms.sort((a, b) => a - b);
  return { p50: percentile(ms, 50), p99: percentile(ms, 99) };
}

const fmt = ({ p50, p99 }: { p50: number; p99: number }) => `p50 ${p50.toFixed(1).padStart(6)} ms, p99 ${p99.toFixed(1).padStart(6)} ms`;

export async function run(options: HistoryOptions): Promise<void> {
  const entries = options.entries ?? (options.holders >= 20_000 ? 5_000 : 500);
  const days = options.days ?? Math.max(5, Math.round((150 * entries) / 5_000));
  const requests = Math.max(50, options.requests ?? 50);
  const previous = process.env.LOG_LEVEL;
  process.env.LOG_LEVEL = 'silent';
  const dynamodb = await startDynamoDbLocal();
  try {
    const { deps } = await prepareEnvironment(dynamodb.endpoint, `bench${Date.now()}`);
    const now = new Date();
    const from = new Date(now.getTime() - days * 86_400_000);
    await putMerchant(deps.db, { merchantId: MERCHANT, name: '第一食堂', category: 'canteen', status: 'active', createdAt: from.toISOString() });
    const { items, months } = accountItems(entries, from, days);
    let t = performance.now();
    await batchSeed(deps.db, 1, () => items, 60_000);
    console.log(`history: one account with ${entries} entries over ${days} days, seeded in ${((performance.now() - t) / 1000).toFixed(1)} s`);

    const pk = keys.account(ACCOUNT).pk;
    const all = ledgerKeyRange(undefined, undefined);
    const first = { service: await timed(requests, () => holderHistory(deps, ACCOUNT, { limit: 20 })), raw: await timed(requests, () => rawQuery(deps.db, firstPage(pk, all), 21)) };
    console.log(`  first page (20)         service ${fmt(first.service)} | raw Query ${fmt(first.raw)}`);

    const refunds = Math.floor(entries / 100);
    const filterQuery: Omit<QueryCommandInput, 'TableName'> = {
      ...firstPage(pk, all),
      Limit: undefined,
      FilterExpression: '#type IN (:t0)',
      ExpressionAttributeNames: { '#type': 'type' },
      ExpressionAttributeValues: { ...firstPage(pk, all).ExpressionAttributeValues, ':t0': 'refund' },
    };
    const rawFilterRead = await rawQuery(deps.db, filterQuery, 21);
    const typed = {
      service: await timed(requests, () => holderHistory(deps, ACCOUNT, { type: ['refund'], limit: 20 })),
      raw: await timed(requests, () => rawQuery(deps.db, filterQuery, 21)),
    };
    console.log(`  refunds page (${refunds} of ${entries}) service ${fmt(typed.service)} | raw Query ${fmt(typed.raw)} (raw reads ${rawFilterRead} items)`);

    // The fullest whole month (not the first, which starts mid-month, unless it is the only one).
    const [month, count] = [...months].sort((a, b) => b[1] - a[1])[0]!;
    const [year, monthNo] = month.split('-').map(Number) as [number, number];
    const range = ledgerKeyRange(`${month}-01`, `${month}-${String(new Date(Date.UTC(year, monthNo, 0)).getUTCDate()).padStart(2, '0')}`);
    const monthQuery = {
      KeyConditionExpression: 'pk = :pk AND sk BETWEEN :low AND :high',
      ExpressionAttributeValues: { ':pk': pk, ':low': range.low, ':high': range.high },
      ConsistentRead: true,
    };
    const projected = { ...monthQuery, ProjectionExpression: '#type, amountFen', ExpressionAttributeNames: { '#type': 'type' } };
    const statement = {
      service: await timed(requests, () => holderStatement(deps, ACCOUNT, month)),
      raw: await timed(requests, () => rawQuery(deps.db, projected)),
      rawWhole: await timed(requests, () => rawQuery(deps.db, monthQuery)),
    };
    const check = await holderStatement(deps, ACCOUNT, month);
    console.log(`  statement ${month} (${count} entries) service ${fmt(statement.service)} | raw Query (type, amount) ${fmt(statement.raw)} | raw Query (whole items) ${fmt(statement.rawWhole)} (counted ${check.count})`);
    t = performance.now();
    const whole = await rawQuery(deps.db, { KeyConditionExpression: 'pk = :pk AND sk BETWEEN :low AND :high', ExpressionAttributeValues: { ':pk': pk, ':low': all.low, ':high': all.high } });
    console.log(`  (for scale: reading all ${whole} entries raw takes ${(performance.now() - t).toFixed(0)} ms)`);
  } finally {
    await dynamodb.stop();
    if (previous === undefined) delete process.env.LOG_LEVEL;
    else process.env.LOG_LEVEL = previous;
  }
}

function firstPage(pk: string, range: { low: string; high: string }) {
  return {
    KeyConditionExpression: 'pk = :pk AND sk BETWEEN :low AND :high',
    ExpressionAttributeValues: { ':pk': pk, ':low': range.low, ':high': range.high } as Record<string, unknown>,
    ScanIndexForward: false,
    Limit: 21 as number | undefined,
  };
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const { values } = parseArgs({ options: { entries: { type: 'string', default: '500' }, days: { type: 'string' }, requests: { type: 'string', default: '50' } } });
  run({ holders: 0, entries: Number(values.entries), ...(values.days ? { days: Number(values.days) } : {}), requests: Number(values.requests) }).catch((error: unknown) => {
    console.error(error);
    process.exit(1);
  });
}
