/**
 * Merchant settlement (docs/settlement.md): closing statements (the scheduled run), the payout
 * finance marks, and the card centre's reads and CSV exports. A statement is closed once: one
 * conditional Put, committed with its fee's system entry (`merchant_fee`, idempotent on the
 * statement id); only its payout changes it afterwards, committed with the `merchant_payout` system
 * entry and the action-log entry.
 */
import { closeStatementPeriodRoute, payStatement as payStatementRoute, TURNOVER_REPORT_MAX_DAYS } from '../../shared/api/settlement';
import { AppError } from '../app-error';
import type { Deps } from '../deps';
import { campusDay } from '../domain/campus-day';
import { CLEARING_CHANNELS, system, type SystemAccount } from '../domain/chart';
import { TOPUP_TYPES, type MovementType } from '../domain/ledger';
import { fingerprint } from '../domain/fingerprint';
import { ID_NUMBER_LIKE } from '../domain/action-log';
import type { Merchant } from '../domain/merchant';
import {
  closablePeriods,
  daysOf,
  isClosable,
  parseStatementId,
  periodContaining,
  periodCsv,
  periodEnd,
  SETTLEMENT_GRACE_MINUTES,
  statementCsv,
  statementKindsOf,
  statementOf,
  statementTotals,
  type Period,
  type SettlementPeriod,
  type Statement,
  type StatementStatus,
} from '../domain/settlement';
import { requireRole, type Actor } from '../domain/staff';
import { transactWrite } from '../store/conditions';
import type { TransactItem } from '../store/movements';
import { getStatement, merchantStatements, payableEntries, periodStatements, statementPaidUpdate, statementPut, unpaidStatements } from '../store/statements';
import { systemAccountEntries, type SystemAccountEntry } from '../store/system-accounts';
import { postSystemEntry } from '../store/system-entries';
import { listMerchantRecords } from '../store/merchants';
import { getMerchant } from '../store/terminals';
import { actionLogPut } from './admin/action-log';

type SettlementDeps = Pick<Deps, 'db' | 'clock'>;

/**
 * Closes the merchant's statement of `period` (a period that has ended, grace included), or
 * answers the one already closed: a second close is a no-op, whatever was posted since.
 */
export async function closeStatement(
  deps: SettlementDeps,
  merchant: Merchant,
  period: Period,
  /** Items that must commit with the statement (a staff close's action-log entry): written only by the close that writes it. */
  alsoWrite: (statement: Statement) => TransactItem[] = () => [],
): Promise<{ statement: Statement; closed: boolean }> {
  const now = deps.clock();
  if (!isClosable(period, now)) throw new AppError('STATEMENT_NOT_CLOSED', `${period.kind} ${period.from} of ${merchant.merchantId} has not ended (with its grace) at ${now.toISOString()}`);
  const stored = await getStatement(deps.db, merchant.merchantId, period);
  if (stored) return { statement: stored, closed: false };

  const entries = await payableEntries(deps.db, merchant.merchantId, period);
  const statement = statementOf(merchant, period, entries, now);
  try {
    if (!statement.settles || statement.feeFen === 0) {
      await transactWrite(deps.db, [statementPut(deps.db, statement), ...alsoWrite(statement)]);
      return { statement, closed: true };
    }
    const { entry, replayed } = await postSystemEntry(deps, {
      idempotencyKey: `statement-fee#${statement.statementId}`,
      fingerprint: fingerprint({ statementId: statement.statementId, feeFen: statement.feeFen }),
      entry: {
        type: 'merchant_fee',
        transfers: [{ debit: system.merchantPayable(merchant.merchantId), credit: system.feeIncome, amountFen: statement.feeFen }],
        externalRef: statement.statementId,
        merchantId: merchant.merchantId,
        reason: `management fee ${statement.feeRateBps} bps of ${statement.netTurnoverFen} fen`,
      },
      alsoWrite: (feeEntry) => {
        const closing = { ...statement, feeEntryId: feeEntry.entryId };
        return [statementPut(deps.db, closing), ...alsoWrite(closing)];
      },
    });
    if (!replayed) return { statement: { ...statement, feeEntryId: entry.entryId }, closed: true };
  } catch (error) {
    // Another run closed it first (its statement Put, or its fee entry with another fee, came first): the stored one stands.
    const winner = await getStatement(deps.db, merchant.merchantId, period);
    if (winner) return { statement: winner, closed: false };
    throw error;
  }
  // The fee entry was there (it commits only with its statement): answer the statement it closed.
  const winner = await getStatement(deps.db, merchant.merchantId, period);
  if (!winner) throw new Error(`the fee of ${statement.statementId} is booked but its statement is missing`);
  return { statement: winner, closed: false };
}

export interface SettlementRunReport {
  merchants: number;
  /** Statements closed by this run. */
  closed: number;
  /** Statements this run found closed already. */
  alreadyClosed: number;
  /** Fees booked by this run, fen. */
  feesFen: number;
  failures: { statementId: string; error: string }[];
}

/**
 * One run of the scheduled close: for every merchant, its daily statements and its agreement's
 * period, each period that has ended (with the grace) within the lookback, so a missed run is
 * caught up. Periods that ended before the merchant existed are skipped. One merchant's failure
 * does not stop the others.
 */
export async function closeDueStatements(deps: SettlementDeps, merchants: readonly Merchant[]): Promise<SettlementRunReport> {
  const now = deps.clock();
  const report: SettlementRunReport = { merchants: merchants.length, closed: 0, alreadyClosed: 0, feesFen: 0, failures: [] };
  for (const merchant of merchants) {
    const since = campusDay(new Date(merchant.createdAt));
    const periods = statementKindsOf(merchant).flatMap((kind) => closablePeriods(kind, now).filter((period) => period.to >= since));
    for (const period of periods) {
      try {
        const { statement, closed } = await closeStatement(deps, merchant, period);
        if (closed) {
          report.closed++;
          if (statement.feeEntryId) report.feesFen += statement.feeFen;
        } else report.alreadyClosed++;
      } catch (error) {
        report.failures.push({ statementId: `${period.kind}:${period.from}:${merchant.merchantId}`, error: error instanceof Error ? error.message : String(error) });
      }
    }
  }
  return report;
}

export interface StatementClosing {
  period: Period;
  closed: number;
  alreadyClosed: number;
  statements: Omit<Statement, 'days' | 'adjustments' | 'firstEntryId' | 'lastEntryId'>[];
}

/**
 * Finance closes one ended period now, as the scheduled run would: the statement of that period of
 * every merchant that has statements of its kind (the daily ones, or its agreement's week or
 * month) and existed by the period's end. A period that has not ended with its grace is refused
 * before anything is read. Each statement this call closes commits with its own action-log entry
 * (`statement.close`: who, why, the figures), so a close that was interrupted and retried is still
 * audited statement by statement, and a statement closed by the schedule or an earlier call is
 * answered as it is, with nothing written.
 */
export async function closeStatementPeriod(
  deps: SettlementDeps,
  actor: Actor,
  request: { periodKind: SettlementPeriod; from: string; reason: string },
): Promise<StatementClosing> {
  requireRole(actor, closeStatementPeriodRoute.roles);
  const period = periodContaining(request.periodKind, request.from);
  if (!isClosable(period, deps.clock())) {
    throw new AppError('STATEMENT_PERIOD_NOT_ENDED', `${period.kind} ${period.from}..${period.to} ends at ${periodEnd(period).toISOString()}, closable ${SETTLEMENT_GRACE_MINUTES} minutes later`, { minutes: SETTLEMENT_GRACE_MINUTES });
  }
  const merchants = (await listMerchantRecords(deps.db))
    .filter((merchant) => statementKindsOf(merchant).includes(period.kind) && campusDay(new Date(merchant.createdAt)) <= period.to)
    .sort((a, b) => (a.merchantId < b.merchantId ? -1 : 1));
  const closing: StatementClosing = { period, closed: 0, alreadyClosed: 0, statements: [] };
  for (const merchant of merchants) {
    const { statement, closed } = await closeStatement(deps, merchant, period, (toClose) => [
      {
        Put: actionLogPut(deps, actor, {
          action: 'statement.close',
          target: `statement:${toClose.statementId}`,
          reason: request.reason,
          details: { merchantId: toClose.merchantId, periodKind: period.kind, from: period.from, to: period.to, status: toClose.status, netTurnoverFen: toClose.netTurnoverFen, feeFen: toClose.feeFen, netPayableFen: toClose.netPayableFen },
        }),
      },
    ]);
    if (closed) closing.closed++;
    else closing.alreadyClosed++;
    // The summary: a month across every merchant stays small (the console opens one for its days).
    const { days: _days, adjustments: _adjustments, firstEntryId: _first, lastEntryId: _last, ...summary } = statement;
    closing.statements.push(summary);
  }
  return closing;
}

/** The scheduled run: every merchant of the registry. */
export async function closeMerchantStatements(deps: SettlementDeps): Promise<SettlementRunReport> {
  return closeDueStatements(deps, await listMerchantRecords(deps.db));
}

/** The stored statement an id names, or the refusal: unknown merchant or id → not found; a period not closed yet → not closed. */
async function statementNamed(deps: SettlementDeps, statementId: string): Promise<Statement> {
  const named = parseStatementId(statementId);
  if (!named) throw new AppError('STATEMENT_NOT_FOUND', statementId);
  const stored = await getStatement(deps.db, named.merchantId, named.period);
  if (stored) return stored;
  if (!(await getMerchant(deps.db, named.merchantId))) throw new AppError('STATEMENT_NOT_FOUND', statementId);
  throw new AppError('STATEMENT_NOT_CLOSED', statementId);
}

export async function readStatement(deps: SettlementDeps, statementId: string): Promise<Statement> {
  return statementNamed(deps, statementId);
}

export async function readStatementCsv(deps: SettlementDeps, statementId: string): Promise<{ fileName: string; csv: string }> {
  const statement = await statementNamed(deps, statementId);
  return { fileName: `${statement.statementId}.csv`, csv: statementCsv(statement) };
}

export interface StatementQuery {
  merchantId?: string | undefined;
  periodKind?: SettlementPeriod | undefined;
  from?: string | undefined;
  to?: string | undefined;
  status?: StatementStatus | undefined;
}

/**
 * The card centre's list: a merchant's statements (of a period kind, from..to), or every merchant's
 * statement of one period (`periodKind` + `from`), or the statements waiting for payout
 * (`status=closed` alone), oldest first.
 */
export async function listStatements(deps: SettlementDeps, query: StatementQuery): Promise<Statement[]> {
  let statements: Statement[];
  if (query.merchantId) {
    if (!(await getMerchant(deps.db, query.merchantId))) throw new AppError('STATEMENT_NOT_FOUND', `merchant ${query.merchantId}`);
    statements = await merchantStatements(deps.db, query.merchantId, query);
  } else if (query.periodKind && query.from) statements = await periodStatements(deps.db, periodContaining(query.periodKind, query.from));
  else if (query.status === 'closed') statements = await unpaidStatements(deps.db, 500);
  else throw new AppError('VALIDATION_FAILED', 'name a merchant, a period (periodKind and from), or status=closed');
  return statements.filter((s) => (!query.status || s.status === query.status) && (!query.periodKind || s.periodKind === query.periodKind));
}

/** Every merchant's statement of the period containing `from`, as one CSV with a totals line. */
export async function periodExportCsv(deps: SettlementDeps, periodKind: SettlementPeriod, from: string): Promise<{ fileName: string; csv: string }> {
  const period = periodContaining(periodKind, from);
  const statements = (await periodStatements(deps.db, period)).sort((a, b) => (a.merchantId < b.merchantId ? -1 : 1));
  return { fileName: `statements-${periodKind}-${period.from}.csv`, csv: periodCsv(statements) };
}

/** What the action log keeps of a bank reference: all of it, unless it could be read as an ID number (then its tail). */
function loggedReference(bankReference: string): string {
  return ID_NUMBER_LIKE.test(bankReference) ? `…${bankReference.slice(-6)}` : bankReference;
}

/**
 * Finance marks a closed statement paid with the bank's reference: the net payable leaves the
 * merchant's payable for the bank clearing account (money leaves through our bank), as a
 * `merchant_payout` system entry committed with the statement's change and the action-log entry.
 * Idempotent: the same reference again answers the paid statement; another reference is refused.
 */
export async function payStatement(deps: SettlementDeps, actor: Actor, statementId: string, request: { bankReference: string; reason: string }): Promise<Statement> {
  requireRole(actor, payStatementRoute.roles);
  const statement = await statementNamed(deps, statementId);
  if (statement.status === 'paid') {
    if (statement.payout?.bankReference === request.bankReference) return statement;
    throw new AppError('STATEMENT_ALREADY_PAID', statementId);
  }
  if (statement.status !== 'closed' || statement.netPayableFen <= 0) throw new AppError('STATEMENT_NOT_PAYABLE', `${statementId} is ${statement.status}`);

  const now = deps.clock();
  const payable = system.merchantPayable(statement.merchantId);
  let payout: NonNullable<Statement['payout']> | undefined;
  try {
    const { entry, replayed } = await postSystemEntry(deps, {
      idempotencyKey: `statement-payout#${statementId}`,
      fingerprint: fingerprint({ statementId, bankReference: request.bankReference, amountFen: statement.netPayableFen }),
      entry: {
        type: 'merchant_payout',
        transfers: [{ debit: payable, credit: system.clearing('bank'), amountFen: statement.netPayableFen }],
        externalRef: statementId,
        merchantId: statement.merchantId,
        reason: request.reason,
        operator: actor.username,
      },
      alsoWrite: (payoutEntry) => {
        payout = { bankReference: request.bankReference, paidAt: now.toISOString(), paidBy: actor.username, entryId: payoutEntry.entryId };
        return [
          { item: statementPaidUpdate(deps.db, statement, payout), onConflict: () => new AppError('STATEMENT_ALREADY_PAID', statementId) },
          {
            Put: actionLogPut(deps, actor, {
              action: 'statement.payout',
              target: `statement:${statementId}`,
              reason: request.reason,
              details: { merchantId: statement.merchantId, amountFen: statement.netPayableFen, bankReference: loggedReference(request.bankReference), entryId: payoutEntry.entryId },
            }),
          },
        ];
      },
    });
    if (replayed) return statementNamed(deps, statementId);
    return { ...statement, status: 'paid', payout: payout ?? { bankReference: request.bankReference, paidAt: now.toISOString(), paidBy: actor.username, entryId: entry.entryId } };
  } catch (error) {
    // Paid meanwhile under another reference (its idempotency record has another fingerprint).
    if (error instanceof AppError && error.code === 'IDEMPOTENCY_CONFLICT') throw new AppError('STATEMENT_ALREADY_PAID', statementId);
    throw error;
  }
}

/** What one merchant's payable did on one day: the daily statement's figures, closed or computed the same way. */
interface DayFigures {
  turnoverFen: number;
  refundsFen: number;
  netFen: number;
  entries: number;
}

const TOPUP_FUNDING: { channel: 'wechat' | 'alipay' | 'bank' | 'cash_desk'; account: SystemAccount }[] = [
  ...CLEARING_CHANNELS.map((channel) => ({ channel, account: system.clearing(channel) as SystemAccount })),
  { channel: 'cash_desk' as const, account: system.cashDesk },
];

/** Runs `work` over `items`, `limit` at a time (DynamoDB Local and a Lambda's connections both prefer a few). */
async function eachLimited<T, R>(items: readonly T[], limit: number, work: (item: T) => Promise<R>): Promise<R[]> {
  const results: R[] = new Array(items.length);
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(limit, items.length) }, async () => {
      while (next < items.length) {
        const index = next++;
        results[index] = await work(items[index]!);
      }
    }),
  );
  return results;
}

/**
 * The console's charts over `from..to` (at most TURNOVER_REPORT_MAX_DAYS): turnover per day and per
 * merchant, top-ups per channel per day. Key and index reads only: each merchant's closed daily
 * statements in one Query, its payable's day index for the days not closed yet (never before the
 * merchant existed, never after today), and each funding account's day index for the top-ups.
 */
export async function turnoverReport(deps: SettlementDeps, from: string, to: string) {
  const days = daysOf({ from, to });
  if (days.length > TURNOVER_REPORT_MAX_DAYS) throw new AppError('VALIDATION_FAILED', `${from}..${to} is more than ${TURNOVER_REPORT_MAX_DAYS} days`);
  const today = campusDay(deps.clock());
  const merchants = await listMerchantRecords(deps.db);
  const perMerchant = await eachLimited(merchants, 8, async (merchant) => {
    const closed = new Map((await merchantStatements(deps.db, merchant.merchantId, { periodKind: 'daily', from, to })).map((statement) => [statement.from, statement]));
    const since = campusDay(new Date(merchant.createdAt));
    const open = days.filter((day) => !closed.has(day) && day >= since && day <= today);
    const computed = await eachLimited(open, 4, async (day) => statementTotals(merchant.merchantId, { from: day, to: day }, await payableEntries(deps.db, merchant.merchantId, { from: day, to: day }), 0));
    const figures = new Map<string, DayFigures>();
    for (const totals of [...closed.values(), ...computed]) {
      const day = totals.days[0]?.day;
      if (!day) continue;
      figures.set(day, { turnoverFen: totals.turnoverFen, refundsFen: totals.refundsFen + totals.adjustmentsFen, netFen: totals.netTurnoverFen, entries: totals.entries });
    }
    return { merchant, figures };
  });
  const zero = (): DayFigures => ({ turnoverFen: 0, refundsFen: 0, netFen: 0, entries: 0 });
  const add = (sum: DayFigures, figures: DayFigures | undefined) => {
    if (!figures) return sum;
    sum.turnoverFen += figures.turnoverFen;
    sum.refundsFen += figures.refundsFen;
    sum.netFen += figures.netFen;
    sum.entries += figures.entries;
    return sum;
  };
  const topupDays = await eachLimited(
    days.filter((day) => day <= today),
    4,
    async (day) => {
      const byChannel = await Promise.all(TOPUP_FUNDING.map(async ({ channel, account }) => ({ channel, ...debitedBy(await systemAccountEntries(deps.db, account, day), account, TOPUP_TYPES) })));
      return { day, totalFen: byChannel.reduce((sum, channel) => sum + channel.amountFen, 0), byChannel };
    },
  );
  const topups = new Map(topupDays.map((figures) => [figures.day, figures]));
  return {
    from,
    to,
    days: days.map((day) => ({ day, ...perMerchant.reduce((sum, { figures }) => add(sum, figures.get(day)), zero()) })),
    merchants: perMerchant
      .map(({ merchant, figures }) => ({ merchantId: merchant.merchantId, name: merchant.name, ...[...figures.values()].reduce(add, zero()) }))
      .filter((merchant) => merchant.entries > 0)
      .sort((a, b) => b.turnoverFen - a.turnoverFen || (a.merchantId < b.merchantId ? -1 : 1)),
    topups: days.map((day) => topups.get(day) ?? { day, totalFen: 0, byChannel: TOPUP_FUNDING.map(({ channel }) => ({ channel, amountFen: 0, count: 0 })) }),
  };
}

/** What entries of `types` took out of a funding account (a top-up debits it): the amount and how many. */
function debitedBy(entries: readonly SystemAccountEntry[], account: string, types: readonly MovementType[]): { amountFen: number; count: number } {
  let amountFen = 0;
  let count = 0;
  for (const entry of entries) {
    const type = (entry as { type?: MovementType }).type;
    if (!type || !types.includes(type)) continue;
    const sum = (entry.transfers ?? []).reduce((total, transfer) => total + (transfer.debit === account ? transfer.amountFen : 0), 0);
    if (sum > 0) {
      amountFen += sum;
      count++;
    }
  }
  return { amountFen, count };
}
