/**
 * Merchant settlement (docs/settlement.md): closing statements (the scheduled run), the payout
 * finance marks, and the card centre's reads and CSV exports. A statement is closed once: one
 * conditional Put, committed with its fee's system entry (`merchant_fee`, idempotent on the
 * statement id); only its payout changes it afterwards, committed with the `merchant_payout` system
 * entry and the action-log entry.
 */
import { payStatement as payStatementRoute } from '../../shared/api/settlement';
import { AppError } from '../app-error';
import type { Deps } from '../deps';
import { campusDay } from '../domain/campus-day';
import { system } from '../domain/chart';
import { fingerprint } from '../domain/fingerprint';
import { ID_NUMBER_LIKE } from '../domain/action-log';
import type { Merchant } from '../domain/merchant';
import {
  closablePeriods,
  isClosable,
  parseStatementId,
  periodContaining,
  periodCsv,
  statementCsv,
  statementKindsOf,
  statementOf,
  type Period,
  type SettlementPeriod,
  type Statement,
  type StatementStatus,
} from '../domain/settlement';
import { requireRole, type Actor } from '../domain/staff';
import { transactWrite } from '../store/conditions';
import { getStatement, merchantStatements, payableEntries, periodStatements, statementPaidUpdate, statementPut, unpaidStatements } from '../store/statements';
import { postSystemEntry } from '../store/system-entries';
import { listMerchantRecords } from '../store/merchants';
import { getMerchant } from '../store/terminals';
import { actionLogPut } from './admin/action-log';

type SettlementDeps = Pick<Deps, 'db' | 'clock'>;

/**
 * Closes the merchant's statement of `period` (a period that has ended, grace included), or
 * answers the one already closed: a second close is a no-op, whatever was posted since.
 */
export async function closeStatement(deps: SettlementDeps, merchant: Merchant, period: Period): Promise<{ statement: Statement; closed: boolean }> {
  const now = deps.clock();
  if (!isClosable(period, now)) throw new AppError('STATEMENT_NOT_CLOSED', `${period.kind} ${period.from} of ${merchant.merchantId} has not ended (with its grace) at ${now.toISOString()}`);
  const stored = await getStatement(deps.db, merchant.merchantId, period);
  if (stored) return { statement: stored, closed: false };

  const entries = await payableEntries(deps.db, merchant.merchantId, period);
  const statement = statementOf(merchant, period, entries, now);
  try {
    if (!statement.settles || statement.feeFen === 0) {
      await transactWrite(deps.db, [statementPut(deps.db, statement)]);
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
      alsoWrite: (feeEntry) => [statementPut(deps.db, { ...statement, feeEntryId: feeEntry.entryId })],
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
