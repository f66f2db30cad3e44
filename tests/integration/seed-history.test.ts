/**
 * The demo campus with a past (functions/local/seed-history.ts) on real DynamoDB Local: the last 21
 * campus days of canteen and shop sales (breakfast, lunch and dinner peaks), counter deposits and a
 * few refunds, posted through the movement store at past instants; the history's statements closed
 * but the last ended week; a restart writes nothing new; the books audit clean; ECARD_SEED_HISTORY=0
 * seeds an empty campus as before.
 */
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { DeleteCommand, ScanCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Deps } from '../../functions/deps';
import { addDays, campusDay } from '../../functions/domain/campus-day';
import { system } from '../../functions/domain/chart';
import { periodContaining, periodEnd } from '../../functions/domain/settlement';
import { demoHolders, seedDemoCampus, type SeedReport } from '../../functions/local/seed';
import { SEED_HISTORY_DAYS } from '../../functions/local/seed-history';
import { PROJECT_ROOT } from '../../functions/local/serverless-config';
import { getAccount } from '../../functions/store/accounts';
import { keys } from '../../functions/store/keys';
import { getStatement } from '../../functions/store/statements';
import { systemAccountEntries } from '../../functions/store/system-accounts';
import { getMerchant } from '../../functions/store/terminals';
import { useTestPlatform } from '../helpers/platform';

const run = promisify(execFile);
const platform = useTestPlatform();
const empty = useTestPlatform();
const saved = process.env.ECARD_SEED_HISTORY;

beforeAll(() => {
  delete process.env.ECARD_SEED_HISTORY;
});
afterAll(() => {
  if (saved === undefined) delete process.env.ECARD_SEED_HISTORY;
  else process.env.ECARD_SEED_HISTORY = saved;
});

async function itemCount(deps: Deps): Promise<number> {
  let count = 0;
  let start: Record<string, unknown> | undefined;
  do {
    const page = await deps.db.doc.send(new ScanCommand({ TableName: deps.db.tableName, Select: 'COUNT', ...(start ? { ExclusiveStartKey: start } : {}) }));
    count += page.Count ?? 0;
    start = page.LastEvaluatedKey;
  } while (start);
  return count;
}

const today = campusDay(new Date());
const firstDay = addDays(today, -SEED_HISTORY_DAYS);
const hourOf = (iso: string) => (new Date(iso).getUTCHours() + 8) % 24;
let first: SeedReport;
let firstItems: number;

describe('the demo campus with 21 days of history', () => {
  it('sells at the canteen (lunch and dinner peaks) and the shop every day, deposits at the counter, refunds now and then; fast', { timeout: 120_000 }, async () => {
    // The same seed without its history, for what the history adds to a start.
    process.env.ECARD_SEED_HISTORY = '0';
    const bare = Date.now();
    await seedDemoCampus(empty.deps);
    const bareSeconds = (Date.now() - bare) / 1000;
    delete process.env.ECARD_SEED_HISTORY;
    const started = Date.now();
    first = await seedDemoCampus(platform.deps);
    const seconds = (Date.now() - started) / 1000;
    console.log(`seed without history ${bareSeconds.toFixed(1)} s; with ${seconds.toFixed(1)} s (history ${(first.history.ms / 1000).toFixed(1)} s, its statements ${((first.history.ms - first.history.movementsMs) / 1000).toFixed(1)} s)`, first.history);
    expect(first.history).toMatchObject({ days: SEED_HISTORY_DAYS, replayed: 0 });
    expect(first.history.sales).toBeGreaterThan(SEED_HISTORY_DAYS * 25);
    expect(first.history.topups).toBeGreaterThanOrEqual(SEED_HISTORY_DAYS * 2);
    expect(first.history.refunds).toBeGreaterThan(0);
    expect(first.history.skipped).toBeLessThan(first.history.sales / 20);
    expect(first.history.ms).toBeLessThan(60_000); // about 5 s on a quiet 2-core machine (reported); a loaded one is slower

    const amounts = new Set<number>();
    for (let day = firstDay; day < today; day = addDays(day, 1)) {
      const canteen = (await systemAccountEntries(platform.deps.db, system.merchantPayable('M001'), day)).filter((entry: any) => entry.type === 'purchase') as any[];
      const shop = (await systemAccountEntries(platform.deps.db, system.merchantPayable('M002'), day)).filter((entry: any) => entry.type === 'purchase') as any[];
      const deposits = (await systemAccountEntries(platform.deps.db, system.cashDesk, day)).filter((entry: any) => entry.type === 'topup') as any[];
      expect(canteen.length, day).toBeGreaterThanOrEqual(12);
      expect(shop.length, day).toBeGreaterThanOrEqual(3);
      expect(deposits.length, day).toBeGreaterThanOrEqual(2);
      const lunch = canteen.filter((entry) => hourOf(entry.createdAt) >= 11 && hourOf(entry.createdAt) < 13).length;
      const dinner = canteen.filter((entry) => hourOf(entry.createdAt) >= 17 && hourOf(entry.createdAt) < 19).length;
      const afternoon = canteen.filter((entry) => hourOf(entry.createdAt) >= 14 && hourOf(entry.createdAt) < 16).length;
      expect(lunch, day).toBeGreaterThan(afternoon + 4);
      expect(dinner, day).toBeGreaterThan(afternoon + 3);
      for (const entry of [...canteen, ...shop]) {
        expect(campusDay(new Date(entry.createdAt))).toBe(day);
        amounts.add(entry.amountFen);
      }
    }
    expect(amounts.size).toBeGreaterThan(100);
    // Nothing today, fees included (each statement closed at 00:30 after its period, as the schedule does): today is today's own.
    expect(await systemAccountEntries(platform.deps.db, system.merchantPayable('M001'), today)).toEqual([]);
  });

  it('the campus opened on the history’s first day; the printed samples keep their opening balances', async () => {
    expect(campusDay(new Date((await getMerchant(platform.deps.db, 'M001'))!.createdAt))).toBe(firstDay);
    const holders = demoHolders(new Date());
    expect(campusDay(new Date((await getAccount(platform.deps.db, holders[5]!.account.accountNo))!.createdAt))).toBe(firstDay);
    for (const sample of first.samples) {
      const opening = holders.find((holder) => holder.account.accountNo === sample.account.accountNo)!.openingBalanceFen;
      expect(sample.account.balanceFen, sample.account.accountNo).toBe(opening);
    }
  });

  it('closes the history’s daily statements and its weeks but the last ended one, which finance closes from the console', async () => {
    const day = addDays(today, -3);
    const daily = (await getStatement(platform.deps.db, 'M001', periodContaining('daily', day)))!;
    expect(daily).toMatchObject({ status: 'report', periodKind: 'daily', from: day });
    expect(daily.turnoverFen).toBeGreaterThan(10_000);
    const lastEnded = periodContaining('weekly', addDays(today, -7));
    expect(await getStatement(platform.deps.db, 'M001', lastEnded)).toBeUndefined();
    const before = periodContaining('weekly', addDays(lastEnded.from, -1));
    expect(periodEnd(before).getTime()).toBeGreaterThan(new Date(`${firstDay}T00:00:00+08:00`).getTime()); // the history covers it
    const week = (await getStatement(platform.deps.db, 'M001', before))!;
    expect(week).toMatchObject({ status: 'closed', settles: true, periodKind: 'weekly' });
    expect(week.feeFen).toBeGreaterThan(0);
    expect(week.refundsFen).toBeGreaterThanOrEqual(0);
  });

  it('a restart writes nothing new: every movement replays, every statement is found closed', { timeout: 120_000 }, async () => {
    firstItems = await itemCount(platform.deps);
    const started = Date.now();
    const again = await seedDemoCampus(platform.deps);
    console.log(`restart seed: ${((Date.now() - started) / 1000).toFixed(1)} s`, again.history);
    expect(again.history).toMatchObject({ days: SEED_HISTORY_DAYS, found: true, sales: 0, statementsClosed: 0 });
    expect(await itemCount(platform.deps)).toBe(firstItems);
  });

  it('a seed interrupted before its statements replays every movement and writes only what was missing', { timeout: 120_000 }, async () => {
    // As if the first start had stopped before closing the history's last day: the marker is not there.
    const last = periodContaining('daily', addDays(today, -1));
    const marker = (await getStatement(platform.deps.db, 'M001', last))!;
    await platform.deps.db.doc.send(new DeleteCommand({ TableName: platform.deps.db.tableName, Key: keys.statement('M001', 'daily', last.from) }));
    const again = await seedDemoCampus(platform.deps);
    expect(again.history).toMatchObject({ found: false, sales: first.history.sales, topups: first.history.topups, refunds: first.history.refunds, statementsClosed: 1 });
    expect(again.history.replayed).toBe(first.history.sales + first.history.topups + first.history.refunds);
    expect(await itemCount(platform.deps)).toBe(firstItems);
    expect((await getStatement(platform.deps.db, 'M001', last))!.turnoverFen).toBe(marker.turnoverFen);
  });

  it('`npm run audit` is clean over the history', { timeout: 180_000 }, async () => {
    let result: { code: number; stdout: string };
    try {
      const { stdout } = await run('npm', ['run', 'audit', '--silent'], { cwd: PROJECT_ROOT, env: { ...process.env, TABLE_NAME: platform.tableName } });
      result = { code: 0, stdout };
    } catch (error) {
      result = error as { code: number; stdout: string };
    }
    expect(result.stdout).toContain(' 0 differences');
    expect(result.code).toBe(0);
  });
});

describe('ECARD_SEED_HISTORY=0', () => {
  it('seeds the empty campus as before: opened today, no past, no statements', { timeout: 120_000 }, async () => {
    process.env.ECARD_SEED_HISTORY = '0';
    try {
      const seeded = await seedDemoCampus(empty.deps);
      expect(seeded.history).toMatchObject({ days: 0, sales: 0, topups: 0 });
      expect(campusDay(new Date((await getMerchant(empty.deps.db, 'M001'))!.createdAt))).toBe(today);
      expect(await systemAccountEntries(empty.deps.db, system.merchantPayable('M001'), addDays(today, -1))).toEqual([]);
      expect(await getStatement(empty.deps.db, 'M001', periodContaining('daily', addDays(today, -1)))).toBeUndefined();
      // Turned on later, a campus opened today still has no past: the window is its opening day's.
      delete process.env.ECARD_SEED_HISTORY;
      expect((await seedDemoCampus(empty.deps)).history.days).toBe(0);
    } finally {
      delete process.env.ECARD_SEED_HISTORY;
    }
  });
});
