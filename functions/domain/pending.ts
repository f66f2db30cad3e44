/**
 * Pending transfers, in TigerBeetle's sense: a transfer decided now whose outcome is not known yet
 * (a payment the platform has not confirmed, a bank debit not yet answered, money being written to a
 * chip, water being used). One primitive for every such thing:
 *
 *   pending ──post──▶ posted    (the transfer happened: its ledger entry commits with this)
 *      │    ──void──▶ voided    (it will not happen; `resolution` says why)
 *      └── timeout ─▶ expired   (nobody answered in time: nothing was moved, or what was held goes back)
 *
 * Only a pending transfer moves, and only once: every resolution is conditional on `state =
 * pending` (functions/store/pending.ts), so two racing paths cannot both post, or post and void.
 * A pending record is the kind's own item (an order, a bank transfer intent, a card load...) with
 * these fields at its top level; while pending it sits in one sparse index by kind and timeout, so
 * one resolver finds what is due. What resolving means outside (asking the platform before
 * expiring, reversing at the bank) stays with each kind.
 */
import type { Transfer } from './chart';

export const PENDING_KINDS = ['topup_order', 'bank_transfer', 'card_load', 'small_wallet_preload', 'utility_delivery', 'payment_code'] as const;
export type PendingKind = (typeof PENDING_KINDS)[number];

export type PendingState = 'pending' | 'posted' | 'voided' | 'expired';
export type PendingOutcome = Exclude<PendingState, 'pending'>;

/** How long each kind may stay pending (seconds), in one place. */
export const PENDING_TIMEOUT_SECONDS = {
  /** The platform takes a top-up payment for 15 minutes (the order's payBy). */
  topup_order: 15 * 60,
  /** The bank's own timeout: an intent it has not seen by then is given up (BANK_TRANSFER_POLICY). */
  bank_transfer: 10 * 60,
  /**
   * Another terminal may take over a card load not confirmed by then; only the card's next tap
   * settles it (its counter says whether the load reached the chip), never the clock alone.
   */
  card_load: 60,
  /** A pre-deduction nobody settled (the holder went to another controller): the unused part goes back. */
  small_wallet_preload: 24 * 60 * 60,
  /** An outside system (the electricity system) that has not accepted a delivery in three days: refunded. */
  utility_delivery: 3 * 24 * 60 * 60,
  /** A payer who has not entered the password within about 45 s: the payment is cancelled at the platform. */
  payment_code: 45,
} as const satisfies Record<PendingKind, number>;

/** The fields every pending record carries. */
export interface Pending<Resolution extends string = string> {
  pendingKind: PendingKind;
  state: PendingState;
  /** The transfer it makes when posted (a partial post, e.g. the water used, makes less). */
  transfer: Transfer;
  createdAt: string;
  /** Past this the resolver expires it (after asking the outside world, where there is one). */
  timeoutAt: string;
  resolvedAt?: string;
  /** Why it was voided or expired, or how it was posted (a code, for the card centre). */
  resolution?: Resolution;
}

export function pendingOf(kind: PendingKind, transfer: Transfer, now: Date, timeoutSeconds: number = PENDING_TIMEOUT_SECONDS[kind]): Pending<never> {
  if (!Number.isSafeInteger(transfer.amountFen) || transfer.amountFen <= 0) throw new Error(`a pending ${kind} of ${transfer.amountFen}`);
  return { pendingKind: kind, state: 'pending', transfer, createdAt: now.toISOString(), timeoutAt: new Date(now.getTime() + timeoutSeconds * 1000).toISOString() };
}

export function isPending(record: Pick<Pending, 'state'>): boolean {
  return record.state === 'pending';
}

/** Still pending with its timeout passed: the resolver's work. */
export function isDue(record: Pick<Pending, 'state' | 'timeoutAt'>, now: Date): boolean {
  return record.state === 'pending' && record.timeoutAt <= now.toISOString();
}

/** Still pending this long after its timeout: the resolver missed it (the audit reports it). */
export function isOverdue(record: Pick<Pending, 'state' | 'timeoutAt'>, now: Date, graceMinutes: number): boolean {
  return record.state === 'pending' && Date.parse(record.timeoutAt) + graceMinutes * 60_000 < now.getTime();
}
