/**
 * Merchant settlement, pure (docs/settlement.md): the periods a statement covers, what the entries
 * of a merchant's payable add up to, and the fee. No I/O: the store reads the payable's days, this
 * decides what they mean.
 *
 * A statement covers the entries POSTED in its period (their campus day of posting, the day of
 * their `SYS#merchant:<id>:payable#<day>` index key), never the day a sale happened at an offline
 * terminal: a record uploaded after the close falls into the next statement, so a closed statement
 * never needs to change.
 */
import { stringify } from 'csv-stringify/sync';
import { addDays, campusDay, SHANGHAI_OFFSET_MS } from '../../shared/campus-day';
import { formatYuan } from '../../shared/money';
import { SETTLEMENT_PERIODS, type RefundCause, type SettlementPeriod } from '../../shared/vocabulary';
import { changeOf, system, type MerchantPayable, type Transfer } from './chart';
import { MERCHANT_TERMS } from './merchant';

export { SETTLEMENT_PERIODS, type SettlementPeriod };

/** The agreement's defaults (merchant.ts), for a merchant record made before the terms existed. */
const SETTLEMENT_DEFAULTS = { feeRateBps: MERCHANT_TERMS.defaultFeeRateBps, settlementPeriod: MERCHANT_TERMS.defaultSettlementPeriod };

/**
 * How long after a period ends it is closed. The payable's days are read from a global secondary
 * index, which is eventually consistent (usually well under a second behind on DynamoDB): a period
 * is read only once its last entries have had this long to reach the index. The schedule runs at
 * 00:30 Asia/Shanghai, half an hour after the periods it closes ended.
 */
export const SETTLEMENT_GRACE_MINUTES = 15;

/** How many past periods each run makes sure are closed (a run missed in an outage is caught up by the next). */
export const SETTLEMENT_LOOKBACK: Record<SettlementPeriod, number> = { daily: 7, weekly: 2, monthly: 2 };

export interface Period {
  kind: SettlementPeriod;
  /** First campus day (YYYY-MM-DD), inclusive. */
  from: string;
  /** Last campus day, inclusive. */
  to: string;
}


/** 00:00 Asia/Shanghai of a campus day, as an instant. */
export function dayStart(day: string): Date {
  return new Date(Date.parse(`${day}T00:00:00.000Z`) - SHANGHAI_OFFSET_MS);
}


/** The campus days from..to, inclusive. */
export function daysOf(period: Pick<Period, 'from' | 'to'>): string[] {
  const days: string[] = [];
  for (let day = period.from; day <= period.to; day = addDays(day, 1)) days.push(day);
  return days;
}

/** The period of `kind` that contains campus day `day`: the day; its week, Monday to Sunday; its calendar month. */
export function periodContaining(kind: SettlementPeriod, day: string): Period {
  if (kind === 'daily') return { kind, from: day, to: day };
  if (kind === 'weekly') {
    const weekday = (new Date(`${day}T00:00:00.000Z`).getUTCDay() + 6) % 7; // Monday 0 … Sunday 6
    const from = addDays(day, -weekday);
    return { kind, from, to: addDays(from, 6) };
  }
  const from = `${day.slice(0, 8)}01`;
  const [year, month] = [Number(day.slice(0, 4)), Number(day.slice(5, 7))];
  const to = new Date(Date.UTC(year, month, 0)).toISOString().slice(0, 10); // day 0 of the next month: this month's last
  return { kind, from, to };
}

/** When the period ends: 00:00 Asia/Shanghai of the day after its last. */
export function periodEnd(period: Pick<Period, 'to'>): Date {
  return dayStart(addDays(period.to, 1));
}

/** True once the period has ended and the grace for the index has passed. */
export function isClosable(period: Pick<Period, 'to'>, now: Date): boolean {
  return now.getTime() >= periodEnd(period).getTime() + SETTLEMENT_GRACE_MINUTES * 60_000;
}

/** The last `count` periods of `kind` that may be closed at `now`, oldest first. */
export function closablePeriods(kind: SettlementPeriod, now: Date, count: number = SETTLEMENT_LOOKBACK[kind]): Period[] {
  let period = periodContaining(kind, campusDay(new Date(now.getTime() - SETTLEMENT_GRACE_MINUTES * 60_000)));
  const periods: Period[] = [];
  while (periods.length < count) {
    period = periodContaining(kind, addDays(period.from, -1));
    periods.unshift(period);
  }
  return periods;
}

const PERIOD_LETTER: Record<SettlementPeriod, string> = { daily: 'D', weekly: 'W', monthly: 'M' };
const LETTER_PERIOD: Record<string, SettlementPeriod> = { D: 'daily', W: 'weekly', M: 'monthly' };

/** A merchant id as statement ids, keys and URLs carry it. */
export const MERCHANT_ID_PATTERN = /^[A-Za-z0-9_-]{1,40}$/;
export const STATEMENT_ID_PATTERN = /^([DWM])(\d{4})(\d{2})(\d{2})-([A-Za-z0-9_-]{1,40})$/;

/** `W20261130-M1`: the period's letter, its first day, the merchant. One id per merchant and period, so a second close finds the first. */
export function statementIdOf(merchantId: string, period: Pick<Period, 'kind' | 'from'>): string {
  return `${PERIOD_LETTER[period.kind]}${period.from.replaceAll('-', '')}-${merchantId}`;
}

/** The merchant and period a statement id names; undefined when it is not one (or its first day does not begin a period). */
export function parseStatementId(statementId: string): { merchantId: string; period: Period } | undefined {
  const match = STATEMENT_ID_PATTERN.exec(statementId);
  if (!match) return undefined;
  const kind = LETTER_PERIOD[match[1]!]!;
  const from = `${match[2]}-${match[3]}-${match[4]}`;
  if (Number.isNaN(Date.parse(`${from}T00:00:00.000Z`)) || new Date(`${from}T00:00:00.000Z`).toISOString().slice(0, 10) !== from) return undefined;
  const period = periodContaining(kind, from);
  return period.from === from ? { merchantId: match[5]!, period } : undefined;
}

/**
 * The fee on `baseFen` (the turnover net of refunds and adjustments) at `feeRateBps` basis points:
 * computed once per statement, rounded half-up to the fen (0.5 fen and more rounds up). No fee on
 * a base of zero or less: the card centre charges on what the merchant earned, and never pays a
 * fee back. Integer arithmetic only (BigInt: base × rate may pass 2^53 in theory).
 */
export function feeOf(baseFen: number, feeRateBps: number): number {
  if (!Number.isSafeInteger(baseFen)) throw new RangeError(`not a whole number of fen: ${baseFen}`);
  if (!Number.isInteger(feeRateBps) || feeRateBps < 0 || feeRateBps > 10_000) throw new RangeError(`not a fee rate in basis points: ${feeRateBps}`);
  if (baseFen <= 0) return 0;
  return Number((BigInt(baseFen) * BigInt(feeRateBps) + 5_000n) / 10_000n);
}

/** Entries the settlement itself books on the payable: never turnover or refunds of a later statement. */
export const SETTLEMENT_ENTRY_TYPES = ['merchant_fee', 'merchant_payout'] as const;

/** A card-centre refund of a duplicate charge the system caused (vocabulary.ts REFUND_CAUSES): shown as an adjustment. */
export const DUPLICATE_CHARGE_REASON: RefundCause = 'duplicate_charge';

/** What settlement reads of an entry on the payable (a holder's movement or a system entry). */
export interface PayableEntry {
  entryId: string;
  type: string;
  transfers: readonly Transfer[];
  campusDay: string;
  createdAt: string;
  receiptNo?: string;
  reason?: string;
  /** Refunds: who refunded and why (vocabulary.ts REFUND_CAUSES). */
  refundCause?: string;
}

export interface StatementDay {
  day: string;
  entries: number;
  turnoverFen: number;
  refundsFen: number;
  adjustmentsFen: number;
}

/** How many adjustments a statement lists one by one. */
export const MAX_LISTED_ADJUSTMENTS = 200;

export interface StatementAdjustment {
  entryId: string;
  amountFen: number;
  reason: string;
}

export interface StatementTotals {
  entries: number;
  turnoverFen: number;
  refundsFen: number;
  adjustmentsFen: number;
  /** Turnover − refunds − adjustments: what the payable grew by in the period (the fee's base). */
  netTurnoverFen: number;
  feeFen: number;
  /** What the merchant is paid: net turnover − fee. */
  netPayableFen: number;
  days: StatementDay[];
  adjustments: StatementAdjustment[];
  /** The first and last entry included (ULIDs, time-ordered): what the statement is bounded by. */
  firstEntryId?: string;
  lastEntryId?: string;
}

/** Card-centre refunds that adjust the merchant's settlement: a duplicate charge the system made, a holder's dispute upheld. */
export const ADJUSTMENT_REFUND_CAUSES: readonly RefundCause[] = [DUPLICATE_CHARGE_REASON, 'dispute'];

/** True when a refund entry is the card centre adjusting the merchant's settlement (a duplicate charge, an upheld dispute). */
export function isDuplicateChargeAdjustment(entry: Pick<PayableEntry, 'type' | 'reason' | 'refundCause'>): boolean {
  if (entry.type !== 'refund') return false;
  return ADJUSTMENT_REFUND_CAUSES.some((cause) => cause === entry.refundCause) || (entry.reason ?? '').startsWith(DUPLICATE_CHARGE_REASON);
}

/**
 * A statement's figures from the entries of the merchant's payable in the period, by day. Every
 * credit to the payable is turnover (purchases, water used from the small wallet, utility payments,
 * payment-code sales); a debit is a refund, or an adjustment when it is a duplicate-charge refund.
 * The settlement's own fee and payout entries are left out. Entries outside the period's days are
 * refused (the caller read the wrong days).
 */
export function statementTotals(merchantId: string, period: Pick<Period, 'from' | 'to'>, entries: readonly PayableEntry[], feeRateBps: number): StatementTotals {
  const payable: MerchantPayable = system.merchantPayable(merchantId);
  const days = new Map<string, StatementDay>(daysOf(period).map((day) => [day, { day, entries: 0, turnoverFen: 0, refundsFen: 0, adjustmentsFen: 0 }]));
  const adjustments: StatementAdjustment[] = [];
  const seen = new Set<string>();
  let firstEntryId: string | undefined;
  let lastEntryId: string | undefined;
  for (const entry of entries) {
    if ((SETTLEMENT_ENTRY_TYPES as readonly string[]).includes(entry.type)) continue;
    if (seen.has(entry.entryId)) continue; // the same entry read twice (an index page boundary) counts once
    seen.add(entry.entryId);
    const day = days.get(entry.campusDay);
    if (!day) throw new RangeError(`entry ${entry.entryId} was posted on ${entry.campusDay}, outside ${period.from}..${period.to}`);
    let credited = 0;
    let debited = 0;
    for (const transfer of entry.transfers) {
      if (transfer.credit === payable) credited += transfer.amountFen;
      if (transfer.debit === payable) debited += transfer.amountFen;
    }
    if (credited === 0 && debited === 0) continue;
    day.entries++;
    day.turnoverFen += credited;
    if (debited > 0 && isDuplicateChargeAdjustment(entry)) {
      day.adjustmentsFen += debited;
      adjustments.push({ entryId: entry.entryId, amountFen: debited, reason: entry.reason ?? DUPLICATE_CHARGE_REASON });
    } else day.refundsFen += debited;
    if (firstEntryId === undefined || entry.entryId < firstEntryId) firstEntryId = entry.entryId;
    if (lastEntryId === undefined || entry.entryId > lastEntryId) lastEntryId = entry.entryId;
  }
  const byDay = [...days.values()];
  const sum = (field: 'entries' | 'turnoverFen' | 'refundsFen' | 'adjustmentsFen') => byDay.reduce((total, day) => total + day[field], 0);
  const turnoverFen = sum('turnoverFen');
  const refundsFen = sum('refundsFen');
  const adjustmentsFen = sum('adjustmentsFen');
  const netTurnoverFen = turnoverFen - refundsFen - adjustmentsFen;
  const feeFen = feeOf(netTurnoverFen, feeRateBps);
  return {
    entries: sum('entries'),
    turnoverFen,
    refundsFen,
    adjustmentsFen,
    netTurnoverFen,
    feeFen,
    netPayableFen: netTurnoverFen - feeFen,
    days: byDay,
    // Listed for finance up to a bound that keeps the statement item far below DynamoDB's 400 KB (duplicate charges are rare); the totals count them all.
    adjustments: adjustments.sort((a, b) => (a.entryId < b.entryId ? -1 : 1)).slice(0, MAX_LISTED_ADJUSTMENTS),
    ...(firstEntryId ? { firstEntryId, lastEntryId } : {}),
  };
}

/** The payable's change over the entries (credits − debits), the settlement's own entries left out: equals net turnover. */
export function payableChangeOf(merchantId: string, entries: readonly PayableEntry[]): number {
  const payable = system.merchantPayable(merchantId);
  return entries.filter((entry) => !(SETTLEMENT_ENTRY_TYPES as readonly string[]).includes(entry.type)).reduce((sum, entry) => sum + changeOf(payable, entry.transfers), 0);
}

/**
 * What a statement is: `closed` (payable, not yet paid), `paid`, `nothing_to_pay` (net payable of
 * zero or less: a negative net stays on the merchant's payable, recovered by the agreement), or
 * `report` (a daily statement of a merchant settled weekly or monthly: figures only, no fee).
 */
export const STATEMENT_STATUSES = ['closed', 'paid', 'nothing_to_pay', 'report'] as const;
export type StatementStatus = (typeof STATEMENT_STATUSES)[number];

export interface Statement extends StatementTotals {
  statementId: string;
  merchantId: string;
  merchantName: string;
  periodKind: SettlementPeriod;
  from: string;
  to: string;
  /** True when this statement settles (the merchant's agreement period): its fee is booked and its net is paid. */
  settles: boolean;
  feeRateBps: number;
  /** The merchant's settlement bank account as the record keeps it (masked), at the close. */
  settlementAccountMasked?: string;
  status: StatementStatus;
  closedAt: string;
  /** The `merchant_fee` system entry, when there was a fee. */
  feeEntryId?: string;
  payout?: { bankReference: string; paidAt: string; paidBy: string; entryId: string };
}

export interface MerchantTerms {
  merchantId: string;
  name: string;
  feeRateBps?: number;
  settlementPeriod?: SettlementPeriod;
  settlementAccount?: { masked?: string };
}

/**
 * The statement of `merchant` for `period`, from the period's payable entries. A daily statement of
 * a merchant that does not settle daily is a report: no fee, nothing to pay.
 */
export function statementOf(merchant: MerchantTerms, period: Period, entries: readonly PayableEntry[], now: Date): Statement {
  const settles = period.kind === (merchant.settlementPeriod ?? SETTLEMENT_DEFAULTS.settlementPeriod);
  const feeRateBps = merchant.feeRateBps ?? SETTLEMENT_DEFAULTS.feeRateBps;
  const totals = statementTotals(merchant.merchantId, period, entries, settles ? feeRateBps : 0);
  const status: StatementStatus = !settles ? 'report' : totals.netPayableFen > 0 ? 'closed' : 'nothing_to_pay';
  return {
    statementId: statementIdOf(merchant.merchantId, period),
    merchantId: merchant.merchantId,
    merchantName: merchant.name,
    periodKind: period.kind,
    from: period.from,
    to: period.to,
    settles,
    feeRateBps: settles ? feeRateBps : 0,
    ...(merchant.settlementAccount?.masked ? { settlementAccountMasked: merchant.settlementAccount.masked } : {}),
    ...totals,
    status,
    closedAt: now.toISOString(),
  };
}

/** The periods a merchant's statements are closed for: a daily statement always, and its agreement's period. */
export function statementKindsOf(merchant: Pick<MerchantTerms, 'settlementPeriod'>): SettlementPeriod[] {
  const agreed = merchant.settlementPeriod ?? SETTLEMENT_DEFAULTS.settlementPeriod;
  return agreed === 'daily' ? ['daily'] : ['daily', agreed];
}

/** Text a spreadsheet would run as a formula (=, +, -, @ first) is written with a leading apostrophe (CSV injection). */
function cell(text: string): string {
  return /^[=+\-@\t\r]/.test(text) ? `'${text}` : text;
}

const PERIOD_NAMES: Record<SettlementPeriod, string> = { daily: '日', weekly: '周', monthly: '月' };
const STATUS_NAMES: Record<StatementStatus, string> = { closed: '待付款', paid: '已付款', nothing_to_pay: '无应付', report: '日报表' };

/** A CSV that Excel opens as it is: UTF-8 with a byte-order mark, CRLF line ends, yuan with two decimals, Chinese headers. */
function excelCsv(rows: (string | number)[][]): string {
  return stringify(rows, { bom: true, record_delimiter: 'windows' });
}

/** One statement: a line per campus day, then the totals line with the fee and the net payable (the fee is the statement's, never a day's). */
export function statementCsv(statement: Statement): string {
  const header = ['日期', '笔数', '营业额(元)', '退款(元)', '调整(元)', '净营业额(元)', '管理费(元)', '应付商户(元)'];
  const lines = statement.days.map((day) => [day.day, day.entries, formatYuan(day.turnoverFen), formatYuan(day.refundsFen), formatYuan(day.adjustmentsFen), formatYuan(day.turnoverFen - day.refundsFen - day.adjustmentsFen), '', '']);
  const totals = [
    '合计',
    statement.entries,
    formatYuan(statement.turnoverFen),
    formatYuan(statement.refundsFen),
    formatYuan(statement.adjustmentsFen),
    formatYuan(statement.netTurnoverFen),
    formatYuan(statement.feeFen),
    formatYuan(statement.netPayableFen),
  ];
  const title = [
    ['结算单', statement.statementId],
    ['商户', cell(statement.merchantName), statement.merchantId],
    ['结算周期', `${PERIOD_NAMES[statement.periodKind]} ${statement.from} 至 ${statement.to}`],
    ['费率(‱)', statement.feeRateBps],
    ['状态', STATUS_NAMES[statement.status]],
  ];
  return excelCsv([...title, [], header, ...lines, totals]);
}

/** Every merchant's statement of one period: a line per merchant, then the totals line. */
export function periodCsv(statements: readonly Statement[]): string {
  const header = ['结算单号', '商户编号', '商户名称', '周期', '起始日', '截止日', '笔数', '营业额(元)', '退款(元)', '调整(元)', '净营业额(元)', '费率(‱)', '管理费(元)', '应付商户(元)', '状态', '结算账户', '银行流水号'];
  const lines = statements.map((s) => [
    s.statementId,
    s.merchantId,
    cell(s.merchantName),
    PERIOD_NAMES[s.periodKind],
    s.from,
    s.to,
    s.entries,
    formatYuan(s.turnoverFen),
    formatYuan(s.refundsFen),
    formatYuan(s.adjustmentsFen),
    formatYuan(s.netTurnoverFen),
    s.feeRateBps,
    formatYuan(s.feeFen),
    formatYuan(s.netPayableFen),
    STATUS_NAMES[s.status],
    cell(s.settlementAccountMasked ?? ''),
    cell(s.payout?.bankReference ?? ''),
  ]);
  const total = (field: 'entries' | 'turnoverFen' | 'refundsFen' | 'adjustmentsFen' | 'netTurnoverFen' | 'feeFen' | 'netPayableFen') => statements.reduce((sum, s) => sum + s[field], 0);
  const totals = [
    '合计',
    '',
    `${statements.length} 户`,
    '',
    '',
    '',
    total('entries'),
    formatYuan(total('turnoverFen')),
    formatYuan(total('refundsFen')),
    formatYuan(total('adjustmentsFen')),
    formatYuan(total('netTurnoverFen')),
    '',
    formatYuan(total('feeFen')),
    formatYuan(total('netPayableFen')),
    '',
    '',
    '',
  ];
  return excelCsv([header, ...lines, totals]);
}
