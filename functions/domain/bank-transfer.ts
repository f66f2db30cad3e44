/**
 * A kiosk bank transfer (圈存) as an intent: stored before the bank is asked to debit, and ending
 * credited (the money is on the campus account) or with nothing owed (refused, reversed, expired).
 * In TigerBeetle's words it is a pending transfer, posted by the credit or voided at the bank.
 *
 *   pending ──credit──────────────▶ credited
 *      │   ──bank refused─────────▶ refused      (nothing was debited)
 *      └──void──▶ reversing ──bank─▶ reversed    (debited, then given back)
 *                          └──bank─▶ expired     (never debited, and the bank now refuses the id)
 *
 * `reversing` is written before the bank is asked to reverse, and a credit commits only while the
 * intent is `pending`: so a transfer is never both credited and reversed, whatever races.
 */
import { AppError } from '../app-error';
import type { BankRefusal, BankTransferState } from '../payments/bank';
import type { TopupOrder } from './topup';
import { holder, system } from './chart';
import { pendingOf, PENDING_TIMEOUT_SECONDS, type Pending, type PendingState } from './pending';

export const BANK_TRANSFER_POLICY = {
  /** The reconciler asks the bank about intents still open this long after they were made. */
  queryAfterSeconds: 60,
  /**
   * The bank's own timeout: an intent the bank still has not seen this long after it was made is
   * given up (and the bank told to refuse the id, so a late request cannot debit it): its pending
   * transfer's timeout.
   */
  abandonAfterMinutes: PENDING_TIMEOUT_SECONDS.bank_transfer / 60,
} as const;

export type BankTransferStatus = 'pending' | 'reversing' | 'credited' | 'refused' | 'reversed' | 'expired';

/**
 * What the pending state of the intent's money is, for each status (the store writes both together):
 * `reversing` and `reversed` are voided (no credit can follow), and reversing still owes the bank's answer.
 */
export const BANK_TRANSFER_STATE: Record<BankTransferStatus, PendingState> = {
  pending: 'pending',
  credited: 'posted',
  refused: 'voided',
  reversing: 'voided',
  reversed: 'voided',
  expired: 'expired',
};

export interface BankTransferIntent extends Pending {
  pendingKind: 'bank_transfer';
  terminalId: string;
  /** The kiosk's id for the transfer; unique per kiosk. */
  transferId: string;
  /** The id the bank sees: scoped by kiosk, so a retry after a lost answer is the same transfer. */
  bankTransferId: string;
  fingerprint: string;
  accountNo: string;
  chipUid: string;
  bankCardNo: string;
  amountFen: number;
  /** Decided when the intent is made (like a top-up order), so every path credits the same purse. */
  purse: TopupOrder['purse'];
  status: BankTransferStatus;
  createdAt: string;
  updatedAt: string;
  bankTxnId?: string;
  receiptNo?: string;
  refusal?: BankRefusal;
  /** Why it was voided: the credit's refusal code, or 'abandoned' when the bank never saw it. */
  voidReason?: string;
  reversalId?: string;
}

/** Still owes an answer: pending (its pending transfer's index) or reversing (the reversals' index). */
export function isOpen(status: BankTransferStatus): boolean {
  return status === 'pending' || status === 'reversing';
}

/**
 * True when a credit was refused because the account cannot take the money (closed, gone, or a
 * status that refuses credits): the debit must go back to the bank. Not for a conflict (the bank
 * transaction was already credited differently: an operator looks) nor for a transient failure.
 * Reversing is always money-safe (the intent is `reversing` first, so no credit can follow).
 */
export function creditRefused(error: unknown): error is AppError {
  return error instanceof AppError && error.status < 500 && error.code !== 'IDEMPOTENCY_CONFLICT' && !BANK_TRANSFER_ANSWERS.has(error.code);
}

/** Codes the transfer answers with about itself (not about the account). */
const BANK_TRANSFER_ANSWERS = new Set<string>(['BANK_TRANSFER_REVERSED', 'BANK_TRANSFER_EXPIRED']);

export type ReconcileStep =
  | { do: 'credit'; bankTxnId: string }
  | { do: 'refuse'; refusal: BankRefusal }
  | { do: 'void'; reason: string }
  | { do: 'record_reversed'; reversalId: string }
  | { do: 'wait' };

/** What the reconciler does with a pending intent, given what the bank says about it. */
export function reconcileStep(intent: Pick<BankTransferIntent, 'createdAt' | 'amountFen'>, bank: BankTransferState, now: Date): ReconcileStep {
  switch (bank.state) {
    case 'debited':
      // The bank debited another amount than we asked: never credit a guess; give it back.
      if (bank.amountFen !== intent.amountFen) return { do: 'void', reason: 'amount_mismatch' };
      return { do: 'credit', bankTxnId: bank.bankTxnId };
    case 'reversed':
      return { do: 'record_reversed', reversalId: bank.reversalId };
    case 'refused':
      return { do: 'refuse', refusal: bank.refusal };
    case 'unknown': {
      const age = now.getTime() - Date.parse(intent.createdAt);
      return age >= BANK_TRANSFER_POLICY.abandonAfterMinutes * 60_000 ? { do: 'void', reason: 'abandoned' } : { do: 'wait' };
    }
  }
}

/** A new intent: its money a pending transfer from the bank's clearing to the purse it will credit, timing out with the bank's own timeout. */
export function newBankTransferIntent(
  intent: Omit<BankTransferIntent, keyof Pending | 'pendingKind' | 'status' | 'updatedAt' | 'bankTransferId'>,
  now: Date,
): BankTransferIntent {
  const credit = intent.purse === 'transitional' ? holder.transitional(intent.accountNo) : holder.balance(intent.accountNo);
  const pending = pendingOf('bank_transfer', { debit: system.clearing('bank'), credit, amountFen: intent.amountFen }, now);
  // The id the bank sees is scoped by kiosk, so a retry after a lost answer is the same transfer.
  return { ...intent, ...pending, pendingKind: 'bank_transfer', bankTransferId: `${intent.terminalId}-${intent.transferId}`, status: 'pending', updatedAt: pending.createdAt };
}
