/**
 * The demo campus's past: the last 21 campus days of activity, written through the real money path
 * (the movement store with the plans every purchase, refund and top-up goes through, the
 * settlement's own close) with the clock set to the past instant of each event, so the dashboard's
 * charts, the merchants' statements and the reconciliation have something to show.
 *
 * - Sales at the demo terminals: the canteen's two windows (breakfast, a lunch and a dinner peak)
 *   and the shop's till (through the day), varied amounts, fewer at the weekend; now and then a
 *   same-day refund at the canteen (the terminal's refund, `refundPurchase`).
 * - Top-ups: counter deposits (cash desk). WeChat Pay, Alipay and kiosk bank transfers credit only
 *   from a platform's or the bank's answer (an order the platform knows of): written here they
 *   would be money no bill or bank statement has, so the reconciliation would rightly flag them.
 * - Statements: every history day's daily statements, and the weeks that ended more than a week
 *   ago, closed as the schedule would have; the last ended week is left for finance to close from
 *   the console.
 *
 * Deterministic (a seeded random per day; idempotency keys named by day and sequence), anchored to
 * the day the campus opened (the demo canteen's `createdAt`): a restart finds it written (or replays
 * every movement of an interrupted one) and never moves the window. A campus seeded without a
 * history (before there was one, or with it off) never gets one. The printed sample holders are left
 * out, so what `npm start` tells about them stays true. ECARD_SEED_HISTORY=0 turns it off.
 */
import type { Deps } from '../deps';
import { AppError } from '../app-error';
import { addDays, campusDay } from '../domain/campus-day';
import { fingerprint } from '../domain/fingerprint';
import { planPurchase, planTopup } from '../domain/movement-plans';
import { dayStart, daysOf, isClosable, periodContaining, periodEnd, type Period } from '../domain/settlement';
import { closeStatement } from '../services/settlement';
import { refundPurchase } from '../services/movements';
import { posPaymentKey } from '../services/pos-transactions';
import { createMovementStore } from '../store/movements';
import { getAccount } from '../store/accounts';
import { getStatement } from '../store/statements';
import { getMerchant } from '../store/terminals';

/** How many campus days before the campus opened in the demo the history covers. */
export const SEED_HISTORY_DAYS = 21;

/** False when ECARD_SEED_HISTORY=0: tests that need an empty campus. */
export function seedHistoryEnabled(env: NodeJS.ProcessEnv = process.env): boolean {
  return env.ECARD_SEED_HISTORY !== '0';
}

/** The merchant whose record dates the campus: made once, at the first day of the history. */
const ANCHOR_MERCHANT = 'M001';

export interface HistoryWindow {
  /** The campus days the history covers, oldest first (empty: none). */
  days: string[];
  /** When the demo campus opened: its merchants' and holders' creation, the opening balances. */
  openedAt: Date;
}

/**
 * A fresh campus opens 21 days ago at 06:30 and its history runs to yesterday. An existing one keeps
 * the window its canteen's creation dates (a restart on a later day writes no new days), if it was
 * opened with a history: its first holder made at the very instant of its canteen, as only a seed
 * with a history makes them. A campus seeded without one (its holders made before its merchants)
 * never gets one.
 */
export async function historyWindow(deps: Pick<Deps, 'db' | 'clock'>, enabled: boolean, firstAccountNo: string): Promise<HistoryWindow> {
  const now = deps.clock();
  const today = campusDay(now);
  const anchor = await getMerchant(deps.db, ANCHOR_MERCHANT);
  if (anchor) {
    const openedAt = new Date(anchor.createdAt);
    const opened = (await getAccount(deps.db, firstAccountNo))?.createdAt === anchor.createdAt;
    const start = campusDay(openedAt);
    const last = [addDays(start, SEED_HISTORY_DAYS - 1), addDays(today, -1)].sort()[0]!;
    return { days: enabled && opened && start <= last ? daysOf({ from: start, to: last }) : [], openedAt };
  }
  if (!enabled) return { days: [], openedAt: now };
  const start = addDays(today, -SEED_HISTORY_DAYS);
  return { days: daysOf({ from: start, to: addDays(today, -1) }), openedAt: at(start, 6 * 60 + 30) };
}

export interface HistoryHolder {
  accountNo: string;
  openingBalanceFen: number;
  dailyLimitFen: number;
}

export interface HistoryReport {
  days: number;
  sales: number;
  refunds: number;
  topups: number;
  /** Of those, movements found posted already (a restart): nothing written. */
  replayed: number;
  /** Events the plans refused (a holder short of money after a restart's own spending). */
  skipped: number;
  statementsClosed: number;
  /** True when a restart found the history written (its last statement closed) and posted nothing. */
  found: boolean;
  ms: number;
  movementsMs: number;
}

/** The schedule's close runs at 00:30 Beijing (serverless.yml settleMerchants). */
const SCHEDULED_CLOSE_MINUTES = 30;

/** A campus day's minute as an instant (Asia/Shanghai). */
function at(day: string, minute: number, second = 0): Date {
  return new Date(dayStart(day).getTime() + minute * 60_000 + second * 1000);
}

/** A small deterministic PRNG (mulberry32), seeded per day so a day's events never depend on another's. */
function randomFor(seed: string): () => number {
  let state = [...seed].reduce((hash, ch) => Math.imul(hash ^ ch.charCodeAt(0), 16777619), 2166136261) | 0;
  return () => {
    state = (state + 0x6d2b79f5) | 0;
    let t = Math.imul(state ^ (state >>> 15), 1 | state);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

type HistoryEvent =
  | { kind: 'sale'; id: string; at: Date; accountNo: string; merchantId: string; terminalId: string; amountFen: number }
  | { kind: 'refund'; id: string; at: Date; accountNo: string; of: string; merchantId: string; terminalId: string; amountFen: number }
  | { kind: 'topup'; id: string; at: Date; accountNo: string; amountFen: number };

/** A meal's minute, clustered around the peak (the mean of three uniforms: a bell between from and to). */
function peakMinute(random: () => number, from: number, to: number): number {
  return Math.floor(from + ((random() + random() + random()) / 3) * (to - from));
}

/** The day's events, in time order, with the holders' balances and day spending kept as the plans will see them. */
export function historyEvents(day: string, holders: readonly HistoryHolder[], balances: Map<string, number>): HistoryEvent[] {
  const random = randomFor(`ecard-history-${day}`);
  const weekday = (new Date(`${day}T00:00:00.000Z`).getUTCDay() + 6) % 7;
  const scale = weekday >= 5 ? 0.6 : 1;
  const compact = day.replaceAll('-', '');
  const drafts: { at: Date; merchantId: string; terminalId: string; amountFen: number }[] = [];
  const meal = (count: number, from: number, to: number, minYuan: number, maxYuan: number) => {
    for (let i = 0; i < Math.round(count * scale); i++) {
      const jiao = Math.round((minYuan + random() * (maxYuan - minYuan)) * 10);
      drafts.push({ at: at(day, peakMinute(random, from, to), Math.floor(random() * 60)), merchantId: 'M001', terminalId: random() < 0.55 ? 'POS-M001-01' : 'POS-M001-02', amountFen: jiao * 10 });
    }
  };
  meal(4 + Math.floor(random() * 3), 7 * 60, 8 * 60 + 40, 2.5, 8); // breakfast
  meal(10 + Math.floor(random() * 5), 11 * 60, 13 * 60, 8, 22); // lunch
  meal(8 + Math.floor(random() * 4), 17 * 60, 19 * 60, 7, 20); // dinner
  for (let i = 0; i < Math.round((6 + Math.floor(random() * 5)) * scale); i++) {
    const amountFen = Math.round((1.5 + random() ** 2 * 58) * 10) * 10;
    drafts.push({ at: at(day, 8 * 60 + 30 + Math.floor(random() * 13 * 60), Math.floor(random() * 60)), merchantId: 'M002', terminalId: 'POS-M002-01', amountFen });
  }
  drafts.sort((a, b) => a.at.getTime() - b.at.getTime());

  const events: HistoryEvent[] = [];
  const spent = new Map<string, number>();
  const pick = () => holders[Math.floor(random() * holders.length)]!;
  // Counter deposits: morning to afternoon, to holders running low (whom the day's meals then may use).
  const topups = Math.round((3 + Math.floor(random() * 4)) * scale);
  for (let i = 0; i < topups; i++) {
    const low = holders.filter((holder) => (balances.get(holder.accountNo) ?? 0) < 3_000);
    const holder = low.length > 0 ? low[Math.floor(random() * low.length)]! : pick();
    const amountFen = [5_000, 10_000, 10_000, 20_000, 30_000][Math.floor(random() * 5)]!;
    events.push({ kind: 'topup', id: `seed#history#topup#${compact}#${i + 1}`, at: at(day, 8 * 60 + 30 + Math.floor(((i + random()) / topups) * 8 * 60)), accountNo: holder.accountNo, amountFen });
  }
  const credited = [...events];
  let seq = 0;
  for (const draft of drafts) {
    // A deposit before this sale counts for it.
    for (const topup of credited.filter((event) => event.at <= draft.at)) {
      balances.set(topup.accountNo, (balances.get(topup.accountNo) ?? 0) + topup.amountFen);
      credited.splice(credited.indexOf(topup), 1);
    }
    for (let attempt = 0; attempt < 6; attempt++) {
      const holder = pick();
      const balance = balances.get(holder.accountNo) ?? 0;
      const daySpent = spent.get(holder.accountNo) ?? 0;
      if (balance < draft.amountFen || daySpent + draft.amountFen > holder.dailyLimitFen) continue;
      balances.set(holder.accountNo, balance - draft.amountFen);
      spent.set(holder.accountNo, daySpent + draft.amountFen);
      const id = `H${compact}${String(++seq).padStart(3, '0')}`;
      events.push({ kind: 'sale', id, accountNo: holder.accountNo, ...draft });
      // Now and then a window gives back (part of) a lunch a few minutes later.
      if (draft.merchantId === 'M001' && draft.amountFen >= 1_000 && random() < 0.04) {
        const back = random() < 0.5 ? draft.amountFen : Math.round(draft.amountFen / 20) * 10;
        balances.set(holder.accountNo, balance - draft.amountFen + back);
        events.push({ kind: 'refund', id: `HR${id.slice(1)}`, at: new Date(draft.at.getTime() + (3 + Math.floor(random() * 10)) * 60_000), accountNo: holder.accountNo, of: id, merchantId: draft.merchantId, terminalId: draft.terminalId, amountFen: back });
      }
      break;
    }
  }
  for (const topup of credited) balances.set(topup.accountNo, (balances.get(topup.accountNo) ?? 0) + topup.amountFen);
  return events.sort((a, b) => a.at.getTime() - b.at.getTime());
}

/** The deps of one past instant: every clock the movement and the services read says it. */
function depsAt(deps: Deps, instant: Date): Deps {
  const clock = () => new Date(instant.getTime());
  return { ...deps, clock, movements: createMovementStore(deps.db, clock) };
}

/** Batches of events on distinct accounts, in time order: each account's entries are posted in the order they happened. */
function batches(events: readonly HistoryEvent[], size: number): HistoryEvent[][] {
  const out: HistoryEvent[][] = [];
  let current: HistoryEvent[] = [];
  let accounts = new Set<string>();
  for (const event of events) {
    if (current.length >= size || accounts.has(event.accountNo)) {
      out.push(current);
      current = [];
      accounts = new Set();
    }
    current.push(event);
    accounts.add(event.accountNo);
  }
  if (current.length > 0) out.push(current);
  return out;
}

/**
 * Writes the history of `window.days` (the seed calls it once the merchants and terminals exist).
 * `holders`: who may pay (with the balances they opened with); `merchantIds`: whose statements are closed.
 */
export async function seedHistory(deps: Deps, window: HistoryWindow, holders: readonly HistoryHolder[], merchantIds: readonly string[]): Promise<HistoryReport> {
  const started = Date.now();
  const report: HistoryReport = { days: window.days.length, sales: 0, refunds: 0, topups: 0, replayed: 0, skipped: 0, statementsClosed: 0, found: false, ms: 0, movementsMs: 0 };
  if (window.days.length === 0) return { ...report, ms: Date.now() - started };
  // The statements are closed after every movement: the canteen's last daily one closed means a
  // restart has nothing to post (an interrupted seed has no such statement and replays it all).
  const lastDay = periodContaining('daily', window.days.at(-1)!);
  if (await getStatement(deps.db, ANCHOR_MERCHANT, lastDay)) {
    report.found = true;
    report.statementsClosed = await closeHistoryStatements(deps, window, merchantIds);
    return { ...report, ms: Date.now() - started };
  }
  const balances = new Map(holders.map((holder) => [holder.accountNo, holder.openingBalanceFen]));
  const events = window.days.flatMap((day) => historyEvents(day, holders, balances));
  const receipts = new Map<string, string>();

  for (const batch of batches(events, 32)) {
    await Promise.all(
      batch.map(async (event) => {
        const past = depsAt(deps, event.at);
        try {
          if (event.kind === 'sale') {
            const { entry, replayed } = await past.movements.post({
              accountNo: event.accountNo,
              idempotencyKey: posPaymentKey(event.terminalId, event.id),
              fingerprint: fingerprint({ type: 'purchase', accountNo: event.accountNo, amountFen: event.amountFen }),
              plan: (account, today) =>
                planPurchase(account, { amountFen: event.amountFen, channel: 'pos', merchantId: event.merchantId, terminalId: event.terminalId, externalRef: event.id, placeCategory: event.merchantId === 'M001' ? 'canteen' : 'shop' }, today),
            });
            receipts.set(event.id, entry.receiptNo);
            report.sales++;
            if (replayed) report.replayed++;
          } else if (event.kind === 'refund') {
            const receiptNo = receipts.get(event.of);
            if (!receiptNo) return void report.skipped++;
            if ((await refundPurchase(past, { merchantId: event.merchantId, terminalId: event.terminalId }, { receiptNo, amountFen: event.amountFen, refundId: event.id })).replayed) report.replayed++;
            report.refunds++;
          } else {
            const { replayed } = await past.movements.post({
              accountNo: event.accountNo,
              idempotencyKey: event.id,
              fingerprint: fingerprint({ type: 'topup', accountNo: event.accountNo, amountFen: event.amountFen }),
              plan: (account, today) => planTopup(account, { amountFen: event.amountFen, channel: 'counter', externalRef: event.id.replaceAll('#', '-') }, today),
            });
            report.topups++;
            if (replayed) report.replayed++;
          }
        } catch (error) {
          if (!(error instanceof AppError)) throw error;
          report.skipped++;
        }
      }),
    );
  }
  report.movementsMs = Date.now() - started;
  report.statementsClosed = await closeHistoryStatements(deps, window, merchantIds);
  return { ...report, ms: Date.now() - started };
}

/**
 * The history's daily statements and its weeks that ended more than a week ago, each closed when
 * the schedule would have (00:30 Beijing after it ended: its fee is posted on that day), once that
 * time has come. The last daily statement is closed last (the marker a restart looks for).
 */
async function closeHistoryStatements(deps: Deps, window: HistoryWindow, merchantIds: readonly string[]): Promise<number> {
  const now = deps.clock();
  const lastWeekEnd = periodEnd(periodContaining('weekly', addDays(campusDay(now), -7)));
  const weeks = new Map<string, Period>();
  for (const day of window.days) {
    const week = periodContaining('weekly', day);
    if (periodEnd(week) < lastWeekEnd) weeks.set(week.from, week);
  }
  const closedAt = (period: Period) => new Date(periodEnd(period).getTime() + SCHEDULED_CLOSE_MINUTES * 60_000);
  const periods = [...weeks.values(), ...window.days.map((day) => periodContaining('daily', day))].filter((period) => closedAt(period) <= now && isClosable(period, closedAt(period)));
  const last = periods.findLast((period) => period.kind === 'daily');
  const merchants = (await Promise.all(merchantIds.map((id) => getMerchant(deps.db, id)))).filter((m) => m !== undefined);
  let closed = 0;
  const close = async (merchant: (typeof merchants)[number], period: Period) => {
    if (period.kind !== 'daily' && period.kind !== merchant.settlementPeriod) return;
    if ((await closeStatement(depsAt(deps, closedAt(period)), merchant, period)).closed) closed++;
  };
  await Promise.all(
    merchants.map(async (merchant) => {
      for (const period of periods) if (period !== last) await close(merchant, period);
    }),
  );
  if (last) {
    await Promise.all(merchants.filter((merchant) => merchant.merchantId !== ANCHOR_MERCHANT).map((merchant) => close(merchant, last)));
    const anchor = merchants.find((merchant) => merchant.merchantId === ANCHOR_MERCHANT);
    if (anchor) await close(anchor, last);
  }
  return closed;
}
