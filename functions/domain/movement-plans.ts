/**
 * Every kind of money movement, as a pure plan from the account as read. Each plan either refuses
 * (AppError) or says exactly how every purse changes; the store applies it atomically with its
 * ledger entry, or re-plans if the account changed meanwhile. The invariants, in one place:
 *   - amounts are positive whole fen;  - no purse ever goes below zero;
 *   - the small wallet never holds more than its cap;  - nothing moves on a cancelled account;
 *   - spending needs an active, unexpired account, and the consumption password above the daily limit.
 */
import { AppError } from '../app-error';
import { MAX_AMOUNT_FEN } from '../../shared/money';
import {
  assertCanSpend,
  assertNotCancelled,
  exceedsDailyLimit,
  SMALL_WALLET_CAP_FEN,
  spentOn,
  type Account,
  type Purses,
} from './account';
import type { Channel, LedgerEntry, MovementPlan, MovementType, RefundDestination } from './ledger';

type Delta = Purses;
const zero: Delta = { balanceFen: 0, transitionalFen: 0, smallWalletFen: 0 };

export function assertAmount(amountFen: number): void {
  if (!Number.isSafeInteger(amountFen) || amountFen <= 0 || amountFen > MAX_AMOUNT_FEN) {
    throw new AppError('INVALID_AMOUNT', String(amountFen));
  }
}

function apply(account: Account, delta: Partial<Delta>): { after: Purses; delta: Delta } {
  const full = { ...zero, ...delta };
  const after = {
    balanceFen: account.balanceFen + full.balanceFen,
    transitionalFen: account.transitionalFen + full.transitionalFen,
    smallWalletFen: account.smallWalletFen + full.smallWalletFen,
  };
  if (after.balanceFen < 0) {
    throw new AppError('INSUFFICIENT_BALANCE', `account ${account.accountNo} has ${account.balanceFen}, needs ${-full.balanceFen}`);
  }
  if (after.transitionalFen < 0 || after.smallWalletFen < 0) throw new Error(`plan would make a purse negative on ${account.accountNo}`);
  return { after, delta: full };
}

interface Common {
  amountFen: number;
  channel: Channel;
  externalRef: string;
}

function plan(
  account: Account,
  today: string,
  type: MovementType,
  request: Common & Partial<Pick<LedgerEntry, 'merchantId' | 'terminalId' | 'reason' | 'operator' | 'refundOf' | 'destination'>>,
  delta: Partial<Delta>,
  spentFen = 0,
): MovementPlan {
  const { after, delta: full } = apply(account, delta);
  const { amountFen, channel, externalRef, ...rest } = request;
  return {
    after,
    dailySpentFen: spentOn(account, today) + spentFen,
    dailySpentDay: today,
    entry: { type, amountFen, delta: full, channel, externalRef, ...rest },
  };
}

export interface PurchaseRequest extends Common {
  merchantId: string;
  terminalId: string;
  /** The POS checked the holder's consumption password for this payment. */
  consumptionPasswordVerified?: boolean;
}

/** A purchase: spends from the account balance and counts toward today's spending. */
export function planPurchase(account: Account, request: PurchaseRequest, today: string): MovementPlan {
  assertAmount(request.amountFen);
  assertCanSpend(account, today);
  if (!request.consumptionPasswordVerified && exceedsDailyLimit(account, request.amountFen, today)) {
    throw new AppError('PASSWORD_REQUIRED', `account ${account.accountNo}: ${spentOn(account, today)} + ${request.amountFen} > ${account.dailyLimitFen}`);
  }
  const { consumptionPasswordVerified: _verified, ...entry } = request;
  return plan(account, today, 'purchase', entry, { balanceFen: -request.amountFen }, request.amountFen);
}

/** A top-up straight into the account balance (cash at the counter, or an online top-up for a card-less holder). */
export function planTopup(account: Account, request: Common, today: string): MovementPlan {
  assertAmount(request.amountFen);
  assertNotCancelled(account);
  return plan(account, today, 'topup', request, { balanceFen: request.amountFen });
}

/** An online top-up for a CPU-card holder: waits in the transitional balance until a POS writes it to the chip. */
export function planTransitionalCredit(account: Account, request: Common, today: string): MovementPlan {
  assertAmount(request.amountFen);
  assertNotCancelled(account);
  return plan(account, today, 'transitional_credit', request, { transitionalFen: request.amountFen });
}

/** A POS wrote `amountFen` of the transitional balance onto the chip: it becomes account balance. */
export function planCardLoad(account: Account, request: Common & { terminalId: string; chipBalanceAfterFen: number }, today: string): MovementPlan {
  assertAmount(request.amountFen);
  assertNotCancelled(account);
  if (request.amountFen > account.transitionalFen) throw new AppError('NOTHING_TO_LOAD', `${request.amountFen} > ${account.transitionalFen}`);
  const { chipBalanceAfterFen, ...rest } = request;
  const planned = plan(account, today, 'card_load', rest, { transitionalFen: -request.amountFen, balanceFen: request.amountFen });
  return { ...planned, chipBalanceFen: chipBalanceAfterFen, entry: { ...planned.entry, chipBalanceAfterFen } };
}

export interface RefundRequest extends Common {
  merchantId: string;
  terminalId?: string;
  /** The purchase being refunded, as read from the ledger. */
  purchase: Pick<LedgerEntry, 'receiptNo' | 'accountNo' | 'type' | 'merchantId' | 'amountFen'>;
  /** How much of that purchase was refunded before. */
  refundedBeforeFen: number;
}

/** A merchant refunds (part of) one of its own purchases, never more than is left of it. */
export function planRefund(account: Account, request: RefundRequest, today: string): MovementPlan {
  assertAmount(request.amountFen);
  assertNotCancelled(account);
  const { purchase, refundedBeforeFen, ...rest } = request;
  if (purchase.type !== 'purchase' || purchase.accountNo !== account.accountNo || purchase.merchantId !== request.merchantId) {
    throw new AppError('REFUND_NOT_ALLOWED', purchase.receiptNo);
  }
  if (refundedBeforeFen + request.amountFen > purchase.amountFen) {
    throw new AppError('REFUND_EXCEEDS_PURCHASE', `${refundedBeforeFen} + ${request.amountFen} > ${purchase.amountFen}`);
  }
  return plan(account, today, 'refund', { ...rest, refundOf: purchase.receiptNo }, { balanceFen: request.amountFen });
}

/** A fee the card centre charges (replacement card): from the balance, allowed on a lost or frozen card, never below zero. */
export function planFee(account: Account, request: Common & { reason: string; operator?: string }, today: string): MovementPlan {
  assertAmount(request.amountFen);
  assertNotCancelled(account);
  return plan(account, today, 'fee', request, { balanceFen: -request.amountFen });
}

/** A correction by the card centre, with its reason: credit or debit of the balance, never below zero. */
export function planAdjustment(
  account: Account,
  request: Common & { direction: 'credit' | 'debit'; reason: string; operator: string },
  today: string,
): MovementPlan {
  assertAmount(request.amountFen);
  assertNotCancelled(account);
  if (!request.reason.trim()) throw new AppError('VALIDATION_FAILED', 'an adjustment needs a reason');
  const { direction, ...rest } = request;
  return plan(account, today, 'adjustment', rest, { balanceFen: direction === 'credit' ? request.amountFen : -request.amountFen });
}

/** The first tap at a water settlement POS moves up to the cap from the balance into the small wallet. */
export function planSmallWalletPreload(account: Account, request: Common & { terminalId: string; merchantId: string }, today: string): MovementPlan {
  assertAmount(request.amountFen);
  assertCanSpend(account, today);
  if (account.smallWalletFen + request.amountFen > SMALL_WALLET_CAP_FEN) {
    throw new AppError('SMALL_WALLET_FULL', `${account.smallWalletFen} + ${request.amountFen} > ${SMALL_WALLET_CAP_FEN}`);
  }
  return plan(account, today, 'small_wallet_preload', request, { balanceFen: -request.amountFen, smallWalletFen: request.amountFen });
}

/**
 * The next settlement tap: the water used (`amountFen`, may be 0 → no movement needed, refused here)
 * is spent from the small wallet and the rest goes back to the balance; the small wallet is emptied.
 */
export function planSmallWalletSettle(account: Account, request: Common & { terminalId: string; merchantId: string }, today: string): MovementPlan {
  assertAmount(request.amountFen);
  assertNotCancelled(account);
  if (request.amountFen > account.smallWalletFen) {
    throw new AppError('SMALL_WALLET_USAGE_INVALID', `${request.amountFen} > ${account.smallWalletFen}`);
  }
  const unused = account.smallWalletFen - request.amountFen;
  return plan(account, today, 'small_wallet_settle', request, { smallWalletFen: -account.smallWalletFen, balanceFen: unused }, request.amountFen);
}

/**
 * Closing an account: everything it holds (balance, transitional, small wallet) is refunded to the
 * destination and the account is cancelled, in the same movement. A zero-balance account is closed
 * with a zero refund entry so the closing is on the ledger too.
 */
export function planCancellationRefund(
  account: Account,
  request: Omit<Common, 'amountFen'> & { destination: RefundDestination; reason: string; operator: string },
  today: string,
): MovementPlan {
  assertNotCancelled(account);
  const total = account.balanceFen + account.transitionalFen + account.smallWalletFen;
  const planned = plan(
    account,
    today,
    'cancellation_refund',
    { ...request, amountFen: total },
    { balanceFen: -account.balanceFen, transitionalFen: -account.transitionalFen, smallWalletFen: -account.smallWalletFen },
  );
  return { ...planned, statusAfter: 'cancelled' };
}

