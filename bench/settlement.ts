/**
 * Benchmark: the weekly statement of a canteen with 100,000 payments that week, against a raw Query
 * of the same items in the same run (issue 13, Performance). Seeds the week with BatchWriteItem:
 * each payment a purchase ledger entry exactly as the movement store writes it (its account's
 * partition, the receipt index, the payable's day index `SYS#merchant:<id>:payable#<day>`), each
 * account's purses, `after` and `lastEntryId` consistent with its entries. Then, alternating twice:
 *   raw       the same Queries the statement makes (gsi2 and gsi3 of the payable, each day of the
 *             week, the days at once), items counted and nothing else;
 *   statement payableEntries + statementOf (the figures the close stores), the same reads.
 * Then the close itself once (statement + fee system entry in one transaction) and a second close
 * (a no-op). Prints both rates and their ratio; exits 1 if the ratio is under 0.8.
 *
 * Finally the hot-item check: real payments through the movement store (planPurchase, the plan
 * every POS/QR purchase goes through), with every item each payment's transaction writes recorded
 * from the client's own requests: each payment must write only its holder's account item, its own
 * ledger entry and its own idempotency record; no item may be written by payments of two holders
 * (a merchant or campus counter would be), and the merchant's payable has no item at all.
 *
 *   npm run bench:settlement                                  (100,000 payments, 10,000 accounts)
 *   npm run bench:settlement -- --payments 20000 --accounts 2000 --live 1000
 */
import { parseArgs } from 'node:util';
import { QueryCommand, TransactWriteCommand } from '@aws-sdk/lib-dynamodb';
import { batchSeed, benchAccount } from './seed';
import { campusDay } from '../functions/domain/campus-day';
import { holder, system, systemAccountsOf } from '../functions/domain/chart';
import { fingerprint } from '../functions/domain/fingerprint';
import type { LedgerEntry } from '../functions/domain/ledger';
import { planPurchase } from '../functions/domain/movement-plans';
import { closablePeriods, dayStart, daysOf, periodEnd, statementOf, type Statement } from '../functions/domain/settlement';
import { startDynamoDbLocal } from '../functions/local/dynamodb-local';
import { prepareEnvironment } from '../functions/local/platform';
import { closeStatement } from '../functions/services/settlement';
import type { Db, DocSend } from '../functions/store/db';
import { keys, systemAccountIndexes } from '../functions/store/keys';
import { createMovementStore, nextEntryId } from '../functions/store/movements';
import { payableEntries } from '../functions/store/statements';
import { getMerchant, putMerchant } from '../functions/store/terminals';

const { values } = parseArgs({
  options: {
    payments: { type: 'string', default: process.env.BENCH_PAYMENTS ?? '100000' },
    accounts: { type: 'string', default: process.env.BENCH_ACCOUNTS ?? '10000' },
    live: { type: 'string', default: process.env.BENCH_LIVE_PAYMENTS ?? '2000' },
  },
});
const PAYMENTS = Number(values.payments);
const ACCOUNTS = Number(values.accounts);
const LIVE_PAYMENTS = Number(values.live);
const MERCHANT_ID = 'BENCHCANTEEN';
const TERMINAL_ID = 'POS-BENCH-1';
const MIN_RATIO = 0.8;

/** The canteen's week: the last week that can be closed now. */
const WEEK = closablePeriods('weekly', new Date(), 1)[0]!;

/** One account's items: an opening top-up at the counter, then its share of the week's payments, each `after` the running balance. */
function accountItems(index: number): Record<string, unknown>[] {
  const accountNo = String(20_000_000 + index);
  const start = dayStart(WEEK.from).getTime();
  const span = periodEnd(WEEK).getTime() - start;
  const payments: { at: Date; amountFen: number }[] = [];
  for (let i = index; i < PAYMENTS; i += ACCOUNTS) payments.push({ at: new Date(start + Math.floor(((i + 0.5) * span) / PAYMENTS)), amountFen: 300 + ((i * 37) % 1_700) });
  const items: Record<string, unknown>[] = [];
  let balanceFen = 0;
  let lastEntryId: string | undefined;
  // The keys the movement store writes a ledger entry with (movements.ts): its account's partition, its receipt, its system account's day.
  const write = (entry: LedgerEntry) =>
    items.push({ ...keys.ledgerEntry(accountNo, entry.entryId), ...keys.receiptIndex(entry.receiptNo), ...systemAccountIndexes(systemAccountsOf(entry.transfers), entry.campusDay, entry.entryId), ...entry });
  const opening = new Date(start - 3_600_000);
  const openingFen = payments.reduce((sum, p) => sum + p.amountFen, 0) + 10_000;
  lastEntryId = nextEntryId(opening, lastEntryId);
  balanceFen += openingFen;
  write({
    entryId: lastEntryId,
    receiptNo: lastEntryId,
    accountNo,
    type: 'topup',
    transfers: [{ debit: system.cashDesk, credit: holder.balance(accountNo), amountFen: openingFen }],
    amountFen: openingFen,
    delta: { balanceFen: openingFen, transitionalFen: 0, smallWalletFen: 0 },
    after: { balanceFen, transitionalFen: 0, smallWalletFen: 0 },
    channel: 'counter',
    externalRef: `bench-opening-${accountNo}`,
    createdAt: opening.toISOString(),
    campusDay: campusDay(opening),
  });
  for (const [n, payment] of payments.entries()) {
    lastEntryId = nextEntryId(payment.at, lastEntryId);
    balanceFen -= payment.amountFen;
    write({
      entryId: lastEntryId,
      receiptNo: lastEntryId,
      accountNo,
      type: 'purchase',
      transfers: [{ debit: holder.balance(accountNo), credit: system.merchantPayable(MERCHANT_ID), amountFen: payment.amountFen }],
      amountFen: payment.amountFen,
      delta: { balanceFen: -payment.amountFen, transitionalFen: 0, smallWalletFen: 0 },
      after: { balanceFen, transitionalFen: 0, smallWalletFen: 0 },
      channel: 'qr',
      merchantId: MERCHANT_ID,
      terminalId: TERMINAL_ID,
      externalRef: `${accountNo}-${n}`,
      createdAt: payment.at.toISOString(),
      campusDay: campusDay(payment.at),
    });
  }
  const account = benchAccount(accountNo, { balanceFen, version: payments.length + 1, dailySpentDay: WEEK.to, lastEntryId, createdAt: opening.toISOString() });
  items.push({ ...keys.account(accountNo), ...account });
  return items;
}

async function seed(db: Db): Promise<{ turnoverFen: number }> {
  const started = performance.now();
  let turnoverFen = 0;
  const written = await batchSeed(
    db,
    ACCOUNTS,
    (unit) => {
      const items = accountItems(unit);
      for (const item of items) if (item.type === 'purchase') turnoverFen += item.amountFen as number;
      return items;
    },
    5_000,
  );
  const seconds = (performance.now() - started) / 1000;
  console.log(`seeded ${PAYMENTS} payments of ${ACCOUNTS} accounts at ${MERCHANT_ID} in the week ${WEEK.from}..${WEEK.to} (${written} items) in ${seconds.toFixed(1)} s`);
  return { turnoverFen };
}

/** The statement's reads alone: the same Queries (gsi2 and gsi3 of the payable's day, the days at once), items counted. */
async function rawQuery(db: Db): Promise<number> {
  const payable = system.merchantPayable(MERCHANT_ID);
  const count = async (input: { IndexName: string; KeyConditionExpression: string; ExpressionAttributeValues: Record<string, unknown> }) => {
    let items = 0;
    let startKey: Record<string, unknown> | undefined;
    do {
      const page = await db.doc.send(new QueryCommand({ TableName: db.tableName, ...input, ...(startKey ? { ExclusiveStartKey: startKey } : {}) }));
      items += page.Items?.length ?? 0;
      startKey = page.LastEvaluatedKey;
    } while (startKey);
    return items;
  };
  const days = await Promise.all(
    daysOf(WEEK).map(async (day) => {
      const [first, second] = await Promise.all([
        count({ IndexName: 'gsi2', KeyConditionExpression: 'gsi2pk = :pk', ExpressionAttributeValues: { ':pk': keys.systemAccountDayIndex(payable, day, '').gsi2pk } }),
        count({ IndexName: 'gsi3', KeyConditionExpression: 'gsi3pk = :pk', ExpressionAttributeValues: { ':pk': keys.secondSystemAccountDayIndex(payable, day, '').gsi3pk } }),
      ]);
      return first + second;
    }),
  );
  return days.reduce((a, b) => a + b, 0);
}

async function weeklyStatement(db: Db, now: Date): Promise<Statement> {
  const merchant = (await getMerchant(db, MERCHANT_ID))!;
  return statementOf(merchant, WEEK, await payableEntries(db, MERCHANT_ID, WEEK), now);
}

function line(name: string, items: number, ms: number): number {
  const rate = (items * 1000) / ms;
  console.log(`  ${name.padEnd(9)} ${items} items in ${(ms / 1000).toFixed(2)} s: ${Math.round(rate)} items/s`);
  return rate;
}

/**
 * Real payments with every written item recorded from the requests the client sends; what each
 * payment wrote is checked against its own holder.
 */
async function hotItemCheck(db: Db): Promise<boolean> {
  const writes = new Map<string, Set<string>>(); // item key → the holders whose payments wrote it
  let transactions = 0;
  const singleWrites: string[] = []; // writes outside a transaction (a payment makes none)
  const recording: DocSend = {
    send: ((command: unknown, ...rest: unknown[]) => {
      const name = (command as { constructor: { name: string } }).constructor.name;
      if (['PutCommand', 'UpdateCommand', 'DeleteCommand', 'BatchWriteCommand'].includes(name)) singleWrites.push(name);
      if (command instanceof TransactWriteCommand) {
        transactions++;
        const holderOf = String(((command.input.TransactItems ?? []).find((item) => item.Update)?.Update?.Key as { pk?: string } | undefined)?.pk ?? '?');
        for (const item of command.input.TransactItems ?? []) {
          const key = (item.Put?.Item ?? item.Update?.Key ?? item.Delete?.Key ?? item.ConditionCheck?.Key) as { pk: string; sk: string };
          const id = `${key.pk} ${key.sk}`;
          writes.set(id, (writes.get(id) ?? new Set()).add(holderOf));
        }
      }
      return (db.doc.send as (...args: unknown[]) => unknown)(command, ...rest);
    }) as DocSend['send'],
  };
  const recorded: Db = { doc: recording, tableName: db.tableName };
  const movements = createMovementStore(recorded, () => new Date());
  const payers = Array.from({ length: Math.min(200, ACCOUNTS) }, (_, i) => String(20_000_000 + i));
  let next = 0;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: 16 }, async () => {
      for (let i = next++; i < LIVE_PAYMENTS; i = next++) {
        const accountNo = payers[i % payers.length]!;
        const posTxnId = `live-${i}`;
        await movements.post({
          accountNo,
          idempotencyKey: `pos#${TERMINAL_ID}#${posTxnId}`,
          fingerprint: fingerprint({ posTxnId, amountFen: 100 }),
          plan: (account, today) => planPurchase(account, { amountFen: 100, channel: 'qr', externalRef: posTxnId, merchantId: MERCHANT_ID, terminalId: TERMINAL_ID, consumptionPasswordVerified: true }, today),
        });
      }
    }),
  );
  const seconds = (performance.now() - started) / 1000;
  const shared = [...writes].filter(([, holders]) => holders.size > 1);
  const byKind = new Map<string, number>();
  for (const [id] of writes) {
    const kind = id.startsWith('IDEM#') ? 'idempotency records' : id.endsWith(' ACCOUNT') ? 'account items' : id.includes(' LEDGER#') ? 'ledger entries' : `other (${id})`;
    byKind.set(kind, (byKind.get(kind) ?? 0) + 1);
  }
  const foreign = [...writes].filter(([id, holders]) => !id.startsWith('IDEM#pos#') && ![...holders].every((pk) => id.startsWith(`${pk} `)));
  const payableItems = [...writes.keys()].filter((id) => id.includes('merchant:') || id.startsWith('MERCHANT#') || id.startsWith('STATEMENT#'));
  console.log(
    `hot items: ${LIVE_PAYMENTS} payments of ${payers.length} holders (${Math.round(LIVE_PAYMENTS / seconds)}/s) sent ${transactions} transactions writing ${writes.size} distinct items: ` +
      [...byKind].map(([kind, n]) => `${n} ${kind}`).join(', '),
  );
  console.log(`  items written by payments of more than one holder: ${shared.length}; items outside the payer's own partition (other than its idempotency record): ${foreign.length}; merchant/payable items written: ${payableItems.length}; writes outside a transaction: ${singleWrites.length}`);
  return singleWrites.length === 0 && shared.length === 0 && foreign.length === 0 && payableItems.length === 0 && byKind.get('ledger entries') === LIVE_PAYMENTS && byKind.get('idempotency records') === LIVE_PAYMENTS;
}

async function main(): Promise<number> {
  process.env.LOG_LEVEL = 'silent';
  const dynamodb = await startDynamoDbLocal();
  try {
    const { deps } = await prepareEnvironment(dynamodb.endpoint, `bench${Date.now()}`);
    await putMerchant(deps.db, { merchantId: MERCHANT_ID, name: '压测食堂', category: 'canteen', status: 'active', createdAt: dayStart(WEEK.from).toISOString() });
    const { turnoverFen } = await seed(deps.db);

    const raw: number[] = [];
    const statement: number[] = [];
    console.log('rounds (7 days at once, gsi2 + gsi3 each):');
    for (let round = 0; round < 2; round++) {
      let t = performance.now();
      const items = await rawQuery(deps.db);
      raw.push(line('raw', items, performance.now() - t));
      t = performance.now();
      const figures = await weeklyStatement(deps.db, new Date());
      statement.push(line('statement', figures.entries, performance.now() - t));
      if (figures.entries !== PAYMENTS || figures.turnoverFen !== turnoverFen || items !== PAYMENTS) throw new Error(`the statement saw ${figures.entries} entries / ${figures.turnoverFen} fen, the raw query ${items} items; seeded ${PAYMENTS} / ${turnoverFen}`);
    }
    let t = performance.now();
    const merchant = (await getMerchant(deps.db, MERCHANT_ID))!;
    const closed = await closeStatement(deps, merchant, WEEK);
    const closeMs = performance.now() - t;
    t = performance.now();
    const again = await closeStatement(deps, merchant, WEEK);
    const againMs = performance.now() - t;
    console.log(
      `close: ${closed.statement.statementId} ${closed.statement.entries} entries, turnover ¥${(closed.statement.turnoverFen / 100).toFixed(2)}, fee ${closed.statement.feeFen} fen, ` +
        `net ¥${(closed.statement.netPayableFen / 100).toFixed(2)} in ${(closeMs / 1000).toFixed(2)} s (closed: ${closed.closed}); a second close ${againMs.toFixed(0)} ms (closed: ${again.closed})`,
    );
    const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
    const ratio = mean(statement) / mean(raw);
    console.log(`weekly statement: ${Math.round(mean(statement))} entries/s; raw Query ${Math.round(mean(raw))} items/s; ratio ${ratio.toFixed(2)} (needs ≥ ${MIN_RATIO})`);
    const cold = await hotItemCheck(deps.db);
    console.log(cold ? 'no hot item: each payment wrote only its holder’s account item, its own ledger entry and its own idempotency record' : 'HOT ITEM: a payment wrote an item outside its holder’s own');
    return ratio >= MIN_RATIO && cold && closed.closed && !again.closed ? 0 : 1;
  } finally {
    await dynamodb.stop();
  }
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    console.error(error);
    process.exit(2);
  },
);
