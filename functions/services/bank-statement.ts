/**
 * The bank's daily statement of the settlement account against our kiosk bank transfers
 * (functions/domain/bank-statement.ts compares). A transfer the bank debited (or gave back) that
 * we have not settled goes to the bank reconciler's own path (`reconcileOne`: asks the bank, then
 * credits exactly once or records the reversal), never a second credit path; every other
 * difference becomes a finding in the reconciliation queue (source `bank_statement`). Each intent
 * answers for itself: a failure is reported and the run goes on.
 */
import { AppError } from '../app-error';
import type { Deps } from '../deps';
import type { BankTransferIntent } from '../domain/bank-transfer';
import { compareStatement, dayBefore, needsPreviousDay, unexplainedBankCredits } from '../domain/bank-statement';
import { system } from '../domain/chart';
import type { LedgerEntry } from '../domain/ledger';
import { systemAccountEntries } from '../store/system-accounts';
import { BankStatementRefused, BankUnavailable, type StatementLine } from '../payments/bank';
import { listBankTransfersMadeOn } from '../store/bank-statement';
import { recordFinding } from '../store/reconciliation-findings';
import { reconcileOne } from './bank-transfers';

type StatementDeps = Pick<Deps, 'db' | 'clock' | 'movements' | 'bank' | 'logger'>;

export interface BankStatementReport {
  day: string;
  /** False when the statement could not be had or was refused: nothing was reconciled. */
  reconciled: boolean;
  /** Distinct lines on the statement, and how many it repeated. */
  lines: number;
  duplicates: number;
  matched: number;
  /** Transfers the statement showed we had not settled, handed to the bank reconciler, and what became of them. */
  handedOver: number;
  credited: number;
  reversed: number;
  /** Handed over and still pending or reversing (the bank not reachable, say): the next run tries again. */
  stillOpen: number;
  /** Findings new in this run; those already queued by an earlier run of this statement. */
  findings: number;
  knownFindings: number;
  /** Credited transfers made in the last minutes of the day: the next day's statement decides. */
  deferred: number;
  failures: { ref?: string; code: string; error: string }[];
}

const codeOf = (error: unknown) =>
  error instanceof AppError ? error.code : error instanceof BankStatementRefused ? 'BANK_STATEMENT_REFUSED' : error instanceof BankUnavailable ? 'BANK_UNAVAILABLE' : error instanceof Error ? error.name : 'UNKNOWN';
const messageOf = (error: unknown) => (error instanceof Error ? error.message : String(error));

/** Reconciles the settlement account's statement of campus day `day` (YYYY-MM-DD). */
export async function reconcileBankStatement(deps: StatementDeps, day: string): Promise<BankStatementReport> {
  const report: BankStatementReport = { day, reconciled: false, lines: 0, duplicates: 0, matched: 0, handedOver: 0, credited: 0, reversed: 0, stillOpen: 0, findings: 0, knownFindings: 0, deferred: 0, failures: [] };
  const fail = (error: unknown, ref?: string) => {
    const failure = { ...(ref ? { ref } : {}), code: codeOf(error), error: messageOf(error) };
    deps.logger.error('bank statement: not reconciled', { day, ...failure });
    report.failures.push(failure);
  };
  const bank = await deps.bank();
  if (!bank) {
    fail(new BankUnavailable('no bank configured'));
    return report;
  }
  let lines: StatementLine[];
  try {
    lines = await bank.statement(day);
  } catch (error) {
    fail(error);
    return report;
  }

  const intents = new Map<string, BankTransferIntent>();
  for (const made of [dayBefore(day), day]) for (const intent of await listBankTransfersMadeOn(deps.db, made)) intents.set(intent.bankTransferId, intent);
  let previousLines: StatementLine[] | undefined;
  if (needsPreviousDay({ day, lines, intents })) {
    try {
      previousLines = await bank.statement(dayBefore(day));
    } catch (error) {
      // Those few are left unchecked this run (reported); everything else goes on.
      fail(error, `statement of ${dayBefore(day)}`);
    }
  }
  const comparison = compareStatement({ day, lines, intents, ...(previousLines ? { previousLines } : {}) });
  // And the books: what the ledger credited from the bank's clearing account that day, intent or not.
  const intentTxnIds = new Set([...intents.values()].flatMap((intent) => (intent.bankTxnId ? [intent.bankTxnId] : [])));
  const ledger = (await systemAccountEntries(deps.db, system.clearing('bank'), day)).filter((entry): entry is LedgerEntry => 'accountNo' in entry);
  comparison.findings.push(...unexplainedBankCredits(ledger, { day, lines, intentTxnIds, ...(previousLines ? { previousLines } : {}) }));
  Object.assign(report, { reconciled: true, lines: comparison.lines, duplicates: comparison.duplicates, matched: comparison.matched, deferred: comparison.deferred });

  const now = deps.clock();
  for (const intent of comparison.handOver) {
    report.handedOver++;
    try {
      const after = await reconcileOne(deps, bank, intent, now);
      if (after.status === 'credited') report.credited++;
      else if (after.status === 'reversed') report.reversed++;
      else if (after.status === 'pending' || after.status === 'reversing') report.stillOpen++;
      deps.logger.info('bank statement: transfer settled', { day, transfer: intent.bankTransferId, status: after.status });
    } catch (error) {
      report.stillOpen++;
      fail(error, intent.bankTransferId);
    }
  }

  const createdAt = now.toISOString();
  for (const draft of comparison.findings) {
    const { statementFen, ...rest } = draft;
    try {
      const recorded = await recordFinding(deps.db, { ...rest, source: 'bank_statement', channel: 'bank', day, createdAt, ...(statementFen !== undefined ? { outsideFen: statementFen } : {}) });
      if (recorded.created) {
        report.findings++;
        deps.logger.warn('bank statement: finding', { day, kind: draft.kind, ref: draft.ref, findingId: recorded.findingId });
      } else report.knownFindings++;
    } catch (error) {
      fail(error, draft.ref);
    }
  }
  return report;
}
