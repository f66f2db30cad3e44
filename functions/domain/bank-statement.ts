/**
 * The bank's daily statement of the settlement account against our kiosk bank transfer intents:
 * pure, over normalised statement lines, so the same comparison can later be pointed at the bank
 * clearing account. Each line is looked at once (a line the statement repeats is counted once) and
 * ends matched, handed to the bank reconciler (the bank debited or reversed a transfer we have not
 * settled: the reconciler asks the bank and credits or records it, the one credit path), or as a
 * finding for the card centre. Every transfer we credited must be on the statement of its day.
 *
 * Which day a transfer is booked on: the bank debits within `abandonAfterMinutes` of the intent
 * (after that the intent is given up and the id barred), so an intent made on day D before the last
 * such window of D is booked on D; one made in that window may be booked on D or D+1. So day D's
 * run expects the intents credited from D's start to its window, plus those of D-1's window that
 * the statement of D-1 did not have (the caller passes D-1's lines for them); D's own window waits
 * for the next day's run.
 */
import type { FindingKind } from '../../shared/vocabulary';
import type { StatementLine } from '../payments/bank';
import { BANK_TRANSFER_POLICY, type BankTransferIntent } from './bank-transfer';
import { addDays, campusDay } from './campus-day';
import type { LedgerEntry } from './ledger';

/** The day whose statement a run at `now` reconciles: the campus day before its own. */
export function statementDayFor(now: Date): string {
  return campusDay(new Date(now.getTime() - 24 * 3_600_000));
}

/** The campus day before `day` (YYYY-MM-DD). */
export function dayBefore(day: string): string {
  return addDays(day, -1);
}

/** A difference for the card centre, before it is stored (the store gives it its id and state). */
export interface StatementFindingDraft {
  kind: FindingKind;
  /** The bank's transaction id the finding is about (for a line with none, its transfer id). */
  ref: string;
  accountNo?: string;
  /** What the statement says, fen. */
  statementFen?: number;
  /** What we have, fen. */
  oursFen?: number;
  detail: string;
}

export interface StatementRecords {
  day: string;
  /** The statement's lines (any order, repeats allowed). */
  lines: readonly StatementLine[];
  /** Our intents that can be on this statement (made on the day before and on the day), by the id the bank sees (`bankTransferId`). */
  intents: ReadonlyMap<string, BankTransferIntent>;
  /** The statement of the day before, when some credited intent made in its last window is not on this one. */
  previousLines?: readonly StatementLine[];
  /** Minutes from an intent to its latest possible debit; default the bank transfer policy's. */
  windowMinutes?: number;
}

export interface StatementComparison {
  /** Distinct lines looked at, and how many the statement repeated. */
  lines: number;
  duplicates: number;
  matched: number;
  /** Intents the bank has acted on that we have not settled: for the bank reconciler (each once). */
  handOver: BankTransferIntent[];
  findings: StatementFindingDraft[];
  /** Credited intents made in this day's last window that are not on this statement: the next day's statement decides. */
  deferred: number;
}

const lineKey = (line: StatementLine) => `${line.kind}|${line.bankTxnId}|${line.transferId}`;

/** Where an intent made at `createdAt` must be booked, seen from statement day `day`. */
export function expectation(createdAt: string, day: string, windowMinutes: number = BANK_TRANSFER_POLICY.abandonAfterMinutes): 'this_day' | 'this_or_previous' | 'next_day_decides' | 'not_this_day' {
  const made = Date.parse(createdAt);
  const window = windowMinutes * 60_000;
  const madeOn = campusDay(new Date(made));
  const late = campusDay(new Date(made + window)) !== madeOn;
  if (madeOn === day) return late ? 'next_day_decides' : 'this_day';
  if (madeOn === dayBefore(day) && late) return 'this_or_previous';
  return 'not_this_day';
}

/** True when day D's run needs the statement of D-1 (a credited intent of D-1's last window is not on D's). */
export function needsPreviousDay(records: Omit<StatementRecords, 'previousLines'>): boolean {
  const credited = new Set(records.lines.filter((l) => l.kind === 'transfer').map((l) => l.bankTxnId));
  return [...records.intents.values()].some(
    (intent) => intent.status === 'credited' && expectation(intent.createdAt, records.day, records.windowMinutes) === 'this_or_previous' && !credited.has(intent.bankTxnId ?? ''),
  );
}

export function compareStatement(records: StatementRecords): StatementComparison {
  const seen = new Map<string, StatementLine>();
  for (const line of records.lines) if (!seen.has(lineKey(line))) seen.set(lineKey(line), line);
  const result: StatementComparison = { lines: seen.size, duplicates: records.lines.length - seen.size, matched: 0, handOver: [], findings: [], deferred: 0 };
  const handed = new Set<string>();
  const handOver = (intent: BankTransferIntent) => {
    if (!handed.has(intent.bankTransferId)) result.handOver.push(intent);
    handed.add(intent.bankTransferId);
  };
  const lines = [...seen.values()];
  const transferLine = new Map(lines.filter((l) => l.kind === 'transfer').map((l) => [l.bankTxnId, l]));
  const reversalLine = new Map(lines.filter((l) => l.kind === 'reversal').map((l) => [l.bankTxnId, l]));

  for (const line of lines) {
    const intent = records.intents.get(line.transferId);
    const ref = line.bankTxnId || line.transferId;
    const base = { ref, statementFen: line.amountFen };
    if (!intent) {
      result.findings.push({ kind: 'unknown_bank_line', ...base, detail: `the statement has a ${line.kind} of ${line.amountFen} fen for transfer "${line.transferId}", which is not one of ours` });
      continue;
    }
    const ours = { ...base, accountNo: intent.accountNo, oursFen: intent.amountFen };
    if (line.amountFen !== intent.amountFen) {
      result.findings.push({ kind: 'amount_mismatch', ...ours, detail: `the statement has a ${line.kind} of ${line.amountFen} fen for transfer ${intent.bankTransferId}, we asked for ${intent.amountFen} (${intent.status})` });
      continue;
    }
    // Another debit under a transfer the bank already gave us a transaction id for.
    if (intent.bankTxnId !== undefined && intent.bankTxnId !== line.bankTxnId) {
      result.findings.push({ kind: 'unknown_bank_line', ...ours, detail: `the statement has ${line.kind} ${line.bankTxnId} under transfer ${intent.bankTransferId}, which the bank booked as ${intent.bankTxnId}` });
      continue;
    }
    if (intent.status === 'pending' || intent.status === 'reversing') {
      handOver(intent);
      continue;
    }
    if (line.kind === 'transfer') {
      if (intent.status === 'credited') result.matched++;
      else if (intent.status === 'reversed') {
        // Given back: the reversal is on this statement, or on a later day's (the intent was reversed after this day).
        if (reversalLine.has(line.bankTxnId) || campusDay(new Date(intent.updatedAt)) > records.day) result.matched++;
        else result.findings.push({ kind: 'missing_from_statement', ...ours, detail: `transfer ${intent.bankTransferId} was reversed at the bank on ${campusDay(new Date(intent.updatedAt))}; the statement has its debit but not its reversal` });
      } else {
        result.findings.push({ kind: 'debit_without_transfer', ...ours, detail: `the statement has a debit of ${line.amountFen} fen for transfer ${intent.bankTransferId}, which we recorded as ${intent.status} (${intent.refusal ?? 'never debited'})` });
      }
      continue;
    }
    // A reversal.
    if (intent.status === 'reversed') result.matched++;
    else if (intent.status === 'credited') {
      result.findings.push({ kind: 'reversal_of_credited', ...ours, detail: `the statement gives back transfer ${intent.bankTransferId} to the holder's bank card; we credited it to the campus account (receipt ${intent.receiptNo ?? '?'})` });
    } else if (transferLine.has(line.bankTxnId)) result.matched++; // the debit's own line is the finding
    else result.findings.push({ kind: 'unknown_bank_line', ...ours, detail: `the statement reverses transfer ${intent.bankTransferId}, which we recorded as ${intent.status} and never saw debited` });
  }

  const previous = new Set((records.previousLines ?? []).filter((l) => l.kind === 'transfer').map((l) => l.bankTxnId));
  for (const intent of records.intents.values()) {
    if (intent.status !== 'credited' || !intent.bankTxnId || transferLine.has(intent.bankTxnId)) continue;
    const expected = expectation(intent.createdAt, records.day, records.windowMinutes);
    if (expected === 'next_day_decides') {
      result.deferred++;
      continue;
    }
    if (expected === 'not_this_day' || (expected === 'this_or_previous' && (records.previousLines === undefined || previous.has(intent.bankTxnId)))) continue;
    result.findings.push({
      kind: 'missing_from_statement',
      ref: intent.bankTxnId,
      accountNo: intent.accountNo,
      oursFen: intent.amountFen,
      detail: `we credited transfer ${intent.bankTransferId} (bank txn ${intent.bankTxnId}, receipt ${intent.receiptNo ?? '?'}); the statement of ${records.day} does not have it`,
    });
  }
  return result;
}

/**
 * The books' side: a credit the ledger made from `clearing:bank` on `day` that no kiosk intent
 * explains (a credit made outside the intents: by hand, by a bug) must still be on the statement.
 * Credits that have an intent are judged through it above; one made in the day's last window may be
 * booked the next day and is left to that day's run.
 */
export function unexplainedBankCredits(
  entries: readonly Pick<LedgerEntry, 'type' | 'channel' | 'externalRef' | 'amountFen' | 'accountNo' | 'receiptNo' | 'createdAt'>[],
  records: Pick<StatementRecords, 'day' | 'lines' | 'previousLines' | 'windowMinutes'> & { intentTxnIds: ReadonlySet<string> },
): StatementFindingDraft[] {
  const booked = new Set([...records.lines, ...(records.previousLines ?? [])].filter((line) => line.kind === 'transfer').map((line) => line.bankTxnId));
  return entries
    .filter((entry) => (entry.type === 'topup' || entry.type === 'transitional_credit') && entry.channel === 'bank')
    .filter((entry) => !records.intentTxnIds.has(entry.externalRef) && !booked.has(entry.externalRef) && expectation(entry.createdAt, records.day, records.windowMinutes) === 'this_day')
    .map((entry) => ({
      kind: 'missing_from_statement' as const,
      ref: entry.externalRef,
      accountNo: entry.accountNo,
      oursFen: entry.amountFen,
      detail: `the ledger credited ${entry.amountFen} fen from clearing:bank as bank transaction ${entry.externalRef} (receipt ${entry.receiptNo}) with no kiosk transfer behind it, and the statement does not have it`,
    }));
}
