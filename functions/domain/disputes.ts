/**
 * A holder's dispute of a payment (issue 18): which entries may be disputed, and where a dispute
 * stands. Pure; the store keeps one dispute per payment, the service commits a refund with the
 * dispute's resolution in one movement.
 */
import { AppError } from '../app-error';
import { DISPUTE_REASONS, DISPUTE_STATUSES, type DisputeReason, type DisputeStatus } from '../../shared/vocabulary';
import { addDays } from './campus-day';
import type { LedgerEntry } from './ledger';

export { DISPUTE_REASONS, DISPUTE_STATUSES, type DisputeReason, type DisputeStatus };

export interface Dispute {
  /** The disputed payment's receipt number: the dispute's identity (one per payment). */
  receiptNo: string;
  accountNo: string;
  status: DisputeStatus;
  reason: DisputeReason;
  description: string;
  /** The payment as it was charged, kept with the dispute so the card centre reads it in one place. */
  amountFen: number;
  merchantId: string;
  merchantName?: string;
  terminalId?: string;
  terminalPlace?: string;
  chargedAt: string;
  createdAt: string;
  resolvedAt?: string;
  resolvedBy?: string;
  /** The card centre's reason for its decision (the holder reads it). */
  resolution?: string;
  refundReceiptNo?: string;
  refundFen?: number;
}

/** Open disputes wait for the card centre; refunded and refused ones are resolved and never change again. */
export function disputeState(status: DisputeStatus): 'open' | 'resolved' {
  return status === 'submitted' ? 'open' : 'resolved';
}

/**
 * Throws why this entry may not be disputed by this holder today: only their own payments (a
 * purchase, which has a merchant to give the money back), only within the policy's window of campus
 * days, and not once it has been refunded (the refund already answers it).
 */
export function assertDisputable(entry: Pick<LedgerEntry, 'receiptNo' | 'accountNo' | 'type' | 'campusDay' | 'merchantId'>, context: { accountNo: string; today: string; windowDays: number; refundedFen: number }): void {
  // Another holder's receipt is answered as not found: a receipt number says nothing about other accounts.
  if (entry.accountNo !== context.accountNo) throw new AppError('RECEIPT_NOT_FOUND', entry.receiptNo);
  if (entry.type !== 'purchase' || !entry.merchantId) throw new AppError('DISPUTE_NOT_A_PAYMENT', `${entry.receiptNo} is a ${entry.type}`);
  if (context.today > addDays(entry.campusDay, context.windowDays)) {
    throw new AppError('DISPUTE_WINDOW_PASSED', `${entry.receiptNo} of ${entry.campusDay}, today ${context.today}`, { days: context.windowDays });
  }
  if (context.refundedFen > 0) throw new AppError('DISPUTE_ENTRY_REFUNDED', `${entry.receiptNo}: ${context.refundedFen} fen refunded`);
}

/** A new dispute of `entry`, as the holder raised it. */
export function newDispute(
  entry: Pick<LedgerEntry, 'receiptNo' | 'accountNo' | 'amountFen' | 'merchantId' | 'terminalId' | 'createdAt'>,
  request: { reason: DisputeReason; description: string },
  where: { merchantName?: string | undefined; terminalPlace?: string | undefined },
  now: Date,
): Dispute {
  return {
    receiptNo: entry.receiptNo,
    accountNo: entry.accountNo,
    status: 'submitted',
    reason: request.reason,
    description: request.description,
    amountFen: entry.amountFen,
    merchantId: entry.merchantId ?? '',
    ...(where.merchantName ? { merchantName: where.merchantName } : {}),
    ...(entry.terminalId ? { terminalId: entry.terminalId } : {}),
    ...(where.terminalPlace ? { terminalPlace: where.terminalPlace } : {}),
    chargedAt: entry.createdAt,
    createdAt: now.toISOString(),
  };
}

/** The same raise again (a retry, a double tap): answered with the dispute it made, not refused. */
export function isSameRaise(existing: Pick<Dispute, 'accountNo' | 'reason' | 'description'>, accountNo: string, request: { reason: DisputeReason; description: string }): boolean {
  return existing.accountNo === accountNo && existing.reason === request.reason && existing.description === request.description;
}

/** Throws unless the dispute still waits for a decision. */
export function assertOpen(dispute: Pick<Dispute, 'receiptNo' | 'status'>): void {
  if (dispute.status !== 'submitted') throw new AppError('DISPUTE_ALREADY_RESOLVED', `${dispute.receiptNo} is ${dispute.status}`);
}

/**
 * A decision asked for again: the same decision answers as it was made (idempotent); any other
 * decision on a resolved dispute is refused. `refundFen` undefined asks for the default amount.
 */
export function isSameDecision(dispute: Dispute, decision: { kind: 'refund'; refundFen?: number | undefined } | { kind: 'refuse'; resolution: string }): boolean {
  if (decision.kind === 'refuse') return dispute.status === 'refused' && dispute.resolution === decision.resolution;
  return dispute.status === 'refunded' && (decision.refundFen === undefined || decision.refundFen === dispute.refundFen);
}
