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
import type { RefundCause } from '../../shared/vocabulary';
import {
  assertCanSpend,
  assertNotCancelled,
  exceedsDailyLimit,
  placeRefusal,
  SMALL_WALLET_CAP_FEN,
  spentOn,
  type Account,
  type Purses,
} from './account';
import type { Channel, EntryDraft, KindTransfers, LedgerEntry, MovementPlan, MovementType, RefundDestination } from './ledger';
import { deltaOf, fundingAccountOf, holder, linked, system, type CashDesk, type RefundsPayable } from './chart';
import { chipPlanFields, observeOnlineTap, type ChipObservation } from './chip';
import { bundleExpiry, closingHoldbackFen } from './offline';
import { topupPurse, type TopupTrigger } from './topup';

export function assertAmount(amountFen: number): void {
  if (!Number.isSafeInteger(amountFen) || amountFen <= 0 || amountFen > MAX_AMOUNT_FEN) {
    throw new AppError('INVALID_AMOUNT', String(amountFen));
  }
}

function apply(account: Account, full: Purses): Purses {
  const after = {
    balanceFen: account.balanceFen + full.balanceFen,
    transitionalFen: account.transitionalFen + full.transitionalFen,
    smallWalletFen: account.smallWalletFen + full.smallWalletFen,
  };
  if (after.balanceFen < 0) {
    throw new AppError('INSUFFICIENT_BALANCE', `account ${account.accountNo} has ${account.balanceFen}, needs ${-full.balanceFen}`);
  }
  if (after.transitionalFen < 0 || after.smallWalletFen < 0) throw new Error(`plan would make a purse negative on ${account.accountNo}`);
  return after;
}

interface Common {
  amountFen: number;
  channel: Channel;
  externalRef: string;
}

/**
 * Every plan ends here: the movement is its linked transfers (zero-amount ones dropped), and the
 * purse change is derived from them (deltaOf), never given beside them. `K` ties the transfers to
 * the kind, so a transfer of the wrong kind of account does not compile.
 */
function plan<K extends MovementType>(
  account: Account,
  today: string,
  type: K,
  request: Common & Partial<Pick<LedgerEntry, 'merchantId' | 'terminalId' | 'reason' | 'operator' | 'refundOf' | 'refundCause' | 'destination' | 'paidAt' | 'orderId' | 'guardianLabel' | 'trigger'>>,
  transfers: KindTransfers[K][],
  spentFen = 0,
): MovementPlan {
  const moved = linked(...transfers);
  const delta = deltaOf(account.accountNo, moved);
  const after = apply(account, delta);
  const { amountFen, channel, externalRef, ...rest } = request;
  return {
    after,
    dailySpentFen: spentOn(account, today) + spentFen,
    dailySpentDay: today,
    // The cast only joins `type` and `transfers` of the same K, which TypeScript cannot see through a generic.
    entry: { type, transfers: moved, amountFen, delta, channel, externalRef, ...rest } as EntryDraft,
  };
}

/** Where a closing's money goes: back to the holder's bank card (owed until paid) or out of the cash desk. */
function refundAccountOf(destination: RefundDestination): RefundsPayable | CashDesk {
  return destination === 'cash' ? system.cashDesk : system.refundsPayable;
}

export interface PurchaseRequest extends Common {
  merchantId: string;
  terminalId: string;
  /** The POS checked the holder's consumption password for this payment. */
  consumptionPasswordVerified?: boolean;
  /** The merchant's category: a card replaced today is refused at some places (account.placeRefusal). */
  placeCategory?: string;
}

/** A purchase: spends from the account balance and counts toward today's spending. */
export function planPurchase(account: Account, request: PurchaseRequest, today: string): MovementPlan {
  assertAmount(request.amountFen);
  assertCanSpend(account, today);
  const place = placeRefusal(account, request.placeCategory, today);
  if (place) throw new AppError(place, `account ${account.accountNo} at a ${request.placeCategory}`);
  if (!request.consumptionPasswordVerified && exceedsDailyLimit(account, request.amountFen, today)) {
    throw new AppError('PASSWORD_REQUIRED', `account ${account.accountNo}: ${spentOn(account, today)} + ${request.amountFen} > ${account.dailyLimitFen}`);
  }
  const { consumptionPasswordVerified: _verified, placeCategory: _place, ...entry } = request;
  return plan(account, today, 'purchase', entry, [{ debit: holder.balance(account.accountNo), credit: system.merchantPayable(request.merchantId), amountFen: request.amountFen }], request.amountFen);
}

/** A top-up straight into the account balance (cash at the counter, or an online top-up for a card-less holder). */
export function planTopup(account: Account, request: Common & { paidAt?: string; orderId?: string; guardianLabel?: string; trigger?: TopupTrigger }, today: string): MovementPlan {
  assertAmount(request.amountFen);
  assertNotCancelled(account);
  return plan(account, today, 'topup', request, [{ debit: fundingAccountOf(request.channel), credit: holder.balance(account.accountNo), amountFen: request.amountFen }]);
}

/**
 * An online top-up for a CPU-card holder: waits in the transitional balance until a POS writes it to
 * the chip. The purse is decided again from the account as it is now: an order made with a CPU card
 * and paid after that card was replaced by an M1 card has no chip to wait for, so it is balance.
 */
export function planTransitionalCredit(account: Account, request: Common & { paidAt?: string; orderId?: string; guardianLabel?: string; trigger?: TopupTrigger }, today: string): MovementPlan {
  if (topupPurse(account) === 'balance') return planTopup(account, request, today);
  assertAmount(request.amountFen);
  assertNotCancelled(account);
  return plan(account, today, 'transitional_credit', request, [{ debit: fundingAccountOf(request.channel), credit: holder.transitional(account.accountNo), amountFen: request.amountFen }]);
}

/** A POS wrote `amountFen` of the transitional balance onto the chip: it becomes account balance. */
export function planCardLoad(account: Account, request: Common & { terminalId: string; chipBalanceAfterFen: number }, today: string): MovementPlan {
  assertAmount(request.amountFen);
  assertNotCancelled(account);
  if (request.amountFen > account.transitionalFen) throw new AppError('NOTHING_TO_LOAD', `${request.amountFen} > ${account.transitionalFen}`);
  const { chipBalanceAfterFen, ...rest } = request;
  const planned = plan(account, today, 'card_load', rest, [{ debit: holder.transitional(account.accountNo), credit: holder.balance(account.accountNo), amountFen: request.amountFen }]);
  return { ...planned, chipBalanceFen: chipBalanceAfterFen, entry: { ...planned.entry, chipBalanceAfterFen } };
}

export interface RefundRequest extends Common {
  merchantId: string;
  terminalId?: string;
  /** The card centre's refunds say why and who. */
  reason?: string;
  operator?: string;
  refundCause?: RefundCause;
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
  return plan(account, today, 'refund', { ...rest, refundOf: purchase.receiptNo }, [{ debit: system.merchantPayable(request.merchantId), credit: holder.balance(account.accountNo), amountFen: request.amountFen }]);
}

/**
 * A guardian deposit given back to its payer (issue 18): the whole deposit out of the balance, back
 * through the clearing it came in by (the platform then refunds the payer). Never below zero: money
 * already spent is not the payer's to take back.
 */
export function planDepositRefund(
  account: Account,
  request: Common & { channel: 'wechat' | 'alipay'; orderId: string; refundOf: string; guardianLabel: string; reason: string; operator: string },
  today: string,
): MovementPlan {
  assertAmount(request.amountFen);
  assertNotCancelled(account);
  return plan(account, today, 'deposit_refund', { ...request, refundCause: 'guardian_deposit' }, [
    { debit: holder.balance(account.accountNo), credit: system.clearing(request.channel), amountFen: request.amountFen },
  ]);
}

/** A fee the card centre charges (replacement card): from the balance, allowed on a lost or frozen card, never below zero. */
export function planFee(account: Account, request: Common & { reason: string; operator?: string }, today: string): MovementPlan {
  assertAmount(request.amountFen);
  assertNotCancelled(account);
  return plan(account, today, 'fee', request, [{ debit: holder.balance(account.accountNo), credit: system.feeIncome, amountFen: request.amountFen }]);
}

/**
 * A replacement card's fee. A new card that is not a CPU card leaves the transitional balance with
 * no chip to be written to: it becomes balance in the same movement (and may pay the fee).
 */
export function planReplacementFee(
  account: Account,
  request: Common & { reason: string; operator?: string; releaseTransitional: boolean },
  today: string,
): MovementPlan {
  assertAmount(request.amountFen);
  assertNotCancelled(account);
  const { releaseTransitional, ...rest } = request;
  const releasedFen = releaseTransitional ? account.transitionalFen : 0;
  const fee = { debit: holder.balance(account.accountNo), credit: system.feeIncome, amountFen: request.amountFen };
  if (releasedFen === 0) return plan(account, today, 'fee', rest, [fee]);
  const planned = plan(
    account,
    today,
    'fee',
    { ...rest, reason: `${request.reason}; transitional balance released (the new card is not a CPU card)` },
    // Linked: the release first, then the fee (which the released money may pay).
    [{ debit: holder.transitional(account.accountNo), credit: holder.balance(account.accountNo), amountFen: releasedFen }, fee],
  );
  return { ...planned, entry: { ...planned.entry, releasedTransitionalFen: releasedFen } };
}

/**
 * The card centre releases transitional balance that has no CPU card to wait for (money from before
 * the release at replacement existed): all of it becomes balance. While the account has a CPU card,
 * even a lost one, the money waits for that card or its replacement (TRANSITIONAL_WAITS_FOR_CARD).
 */
export function planTransitionalRelease(
  account: Account,
  request: Omit<Common, 'amountFen'> & { reason: string; operator: string },
  today: string,
): MovementPlan {
  assertNotCancelled(account);
  if (account.activePhysicalCardKind === 'cpu') throw new AppError('TRANSITIONAL_WAITS_FOR_CARD', account.accountNo);
  if (account.transitionalFen === 0) throw new AppError('NOTHING_TO_RELEASE', account.accountNo);
  if (!request.reason.trim()) throw new AppError('VALIDATION_FAILED', 'a release needs a reason');
  const amountFen = account.transitionalFen;
  const planned = plan(account, today, 'transitional_release', { ...request, amountFen }, [{ debit: holder.transitional(account.accountNo), credit: holder.balance(account.accountNo), amountFen }]);
  return { ...planned, entry: { ...planned.entry, releasedTransitionalFen: amountFen } };
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
  const balance = holder.balance(account.accountNo);
  return plan(account, today, 'adjustment', rest, [
    direction === 'credit' ? { debit: system.adjustments, credit: balance, amountFen: request.amountFen } : { debit: balance, credit: system.adjustments, amountFen: request.amountFen },
  ]);
}

/** The first tap at a water settlement POS moves up to the cap from the balance into the small wallet. */
export function planSmallWalletPreload(account: Account, request: Common & { terminalId: string; merchantId: string }, today: string): MovementPlan {
  assertAmount(request.amountFen);
  assertCanSpend(account, today);
  if (account.smallWalletFen + request.amountFen > SMALL_WALLET_CAP_FEN) {
    throw new AppError('SMALL_WALLET_FULL', `${account.smallWalletFen} + ${request.amountFen} > ${SMALL_WALLET_CAP_FEN}`);
  }
  return plan(account, today, 'small_wallet_preload', request, [{ debit: holder.balance(account.accountNo), credit: holder.smallWallet(account.accountNo), amountFen: request.amountFen }]);
}

/**
 * The next settlement tap: the water used (`amountFen`; 0 gives the whole wallet back) is spent
 * from the small wallet and the rest goes back to the balance; the small wallet is emptied.
 */
export function planSmallWalletSettle(account: Account, request: Common & { terminalId: string; merchantId: string; reason?: string }, today: string): MovementPlan {
  // Nothing used is a settlement too (a session given back whole), as long as there is a wallet to return.
  if (request.amountFen !== 0 || account.smallWalletFen === 0) assertAmount(request.amountFen);
  assertNotCancelled(account);
  if (request.amountFen > account.smallWalletFen) {
    throw new AppError('SMALL_WALLET_USAGE_INVALID', `${request.amountFen} > ${account.smallWalletFen}`);
  }
  const unused = account.smallWalletFen - request.amountFen;
  const wallet = holder.smallWallet(account.accountNo);
  return plan(
    account,
    today,
    'small_wallet_settle',
    request,
    [
      { debit: wallet, credit: system.merchantPayable(request.merchantId), amountFen: request.amountFen },
      { debit: wallet, credit: holder.balance(account.accountNo), amountFen: unused },
    ],
    request.amountFen,
  );
}

/**
 * A settlement terminal's tap (the small wallet on the chip): the water the controllers let run since
 * the last settlement is spent from the small wallet to the water merchant, and the rest STAYS in the
 * small wallet, because the chip still holds it and the controllers may still spend it.
 */
export function planSmallWalletUsage(account: Account, request: Common & { terminalId: string; merchantId: string }, today: string): MovementPlan {
  assertAmount(request.amountFen);
  assertNotCancelled(account);
  if (request.amountFen > account.smallWalletFen) {
    throw new AppError('SMALL_WALLET_USAGE_INVALID', `${request.amountFen} > ${account.smallWalletFen}`);
  }
  return plan(
    account,
    today,
    'small_wallet_settle',
    request,
    [{ debit: holder.smallWallet(account.accountNo), credit: system.merchantPayable(request.merchantId), amountFen: request.amountFen }],
    request.amountFen,
  );
}

/** A CPU card tapped at a terminal that moves money: the chip's main purse as read there. */
export interface ChipTap {
  cardId: string;
  chipReadFen: number;
  at: string;
}

/** The freeze rule at a tap (domain/chip.ts): card and database differ by more than anything explains. */
export class ChipMismatch extends AppError<'CARD_FROZEN'> {
  constructor(accountNo: string, seen: ChipObservation) {
    super('CARD_FROZEN', `card/database differ on ${accountNo}: unexplained ${seen.unexplainedFen}, gap ${seen.chip.chipGapFen}`);
  }
}

/**
 * A movement made at an online tap of a CPU card keeps the chip's main purse in step, by the card
 * charge's rule (domain/chip.ts, observeOnlineTap): the chip as read is judged against what we know
 * of it, and the plan stores, and its entry tells the terminal to write, what the chip must hold
 * after this movement (the balance after it, less card spending not uploaded yet). Used by the water
 * taps, whose preloads and returns move the balance the chip carries.
 */
export function planAtChipTap(account: Account, planned: MovementPlan, tap: ChipTap): MovementPlan {
  const seen = observeOnlineTap(account, { ...tap, balanceAfterFen: planned.after.balanceFen });
  if (seen.freeze && account.status === 'active') throw new ChipMismatch(account.accountNo, seen);
  const chip = chipPlanFields(seen.chip);
  return {
    ...planned,
    chipBalanceFen: chip.chipBalanceFen,
    accountFields: { ...planned.accountFields, ...chip.accountFields },
    entry: { ...planned.entry, chipBalanceAfterFen: seen.chipToWriteFen },
  };
}

/**
 * Closing an account: it is cancelled and what it holds is refunded to the destination, in the same
 * movement, except what offline terminals with a bundle from before the closing may still charge
 * (domain/offline.ts, closingHoldbackFen): that stays as balance until `holdbackUntil`, when those
 * bundles have expired, and is then settled (planClosingSettlement). A zero-balance account is closed
 * with a zero refund entry so the closing is on the ledger too.
 */
export function planCancellationRefund(
  account: Account,
  request: Omit<Common, 'amountFen'> & { destination: RefundDestination; reason: string; operator: string; at: Date },
  today: string,
): MovementPlan {
  assertNotCancelled(account);
  const heldBackFen = closingHoldbackFen(account);
  const refundFen = account.balanceFen - heldBackFen + account.transitionalFen + account.smallWalletFen;
  const { at, ...entry } = request;
  const planned = plan(
    account,
    today,
    'cancellation_refund',
    { ...entry, amountFen: refundFen },
    purseTransfers(account, { ...account, balanceFen: account.balanceFen - heldBackFen }, refundAccountOf(request.destination)),
  );
  // Every bundle issued before the closing has expired then; nothing held back: the holdback is over at once.
  const holdbackUntil = heldBackFen > 0 ? bundleExpiry(at) : at.toISOString();
  return {
    ...planned,
    statusAfter: 'cancelled',
    accountFields: { closedAt: at.toISOString(), holdbackUntil },
    ...(heldBackFen > 0 ? { entry: { ...planned.entry, holdbackUntil } } : {}),
  };
}

/**
 * After the holdback: whatever the closed account still holds (the offline payments from before the
 * closing have been charged to it meanwhile) is refunded to the closing's destination. Offline
 * records that arrive later are held for the card centre (the merchant's claim is kept).
 */
export function planClosingSettlement(
  account: Account,
  request: Omit<Common, 'amountFen'> & { destination: RefundDestination; reason: string; at: Date },
  today: string,
): MovementPlan {
  if (account.status !== 'cancelled') throw new AppError('ACCOUNT_NOT_CLOSED', account.accountNo);
  const total = account.balanceFen + account.transitionalFen + account.smallWalletFen;
  const { at, ...entry } = request;
  const planned = plan(
    account,
    today,
    'closing_settlement',
    { ...entry, amountFen: total },
    purseTransfers(account, account, refundAccountOf(request.destination)),
  );
  return { ...planned, accountFields: { holdbackUntil: at.toISOString() } };
}

/** A closing's transfers: each purse's `out` amount to where the refund goes (empty purses move nothing). */
function purseTransfers(account: Account, out: Purses, to: RefundsPayable | CashDesk): KindTransfers['cancellation_refund'][] {
  return [
    { debit: holder.balance(account.accountNo), credit: to, amountFen: out.balanceFen },
    { debit: holder.transitional(account.accountNo), credit: to, amountFen: out.transitionalFen },
    { debit: holder.smallWallet(account.accountNo), credit: to, amountFen: out.smallWalletFen },
  ];
}

/**
 * Levelling (DOMAIN.md): the account is set to what its card shows. Card spending the chip has and
 * the database lacks (records a terminal has not uploaded: the chip gap) is taken from the balance,
 * and when card staff level after reconciling, a chip holding more than it should is believed too.
 * The chip is not written; what it holds becomes the basis of the next tap, and that card's records
 * from before `at` are recognised as already reflected when they arrive (domain/offline.ts).
 */
export function planLevelling(
  account: Account,
  request: Omit<Common, 'amountFen'> & { cardId: string; chipReadFen: number; at: string; reason: string; operator?: string; believeHigherChip: boolean },
  today: string,
): MovementPlan {
  assertNotCancelled(account);
  const seen = observeOnlineTap(account, { cardId: request.cardId, chipReadFen: request.chipReadFen, balanceAfterFen: account.balanceFen, at: request.at });
  const raw = -seen.chip.chipGapFen + (request.believeHigherChip ? Math.max(0, -seen.unexplainedFen) : 0);
  // Never below zero: a larger gap than the balance stays for card staff (the account is frozen then).
  const deltaFen = Math.max(raw, -account.balanceFen);
  const { cardId, chipReadFen, at, believeHigherChip: _believe, ...rest } = request;
  const balance = holder.balance(account.accountNo);
  const amountFen = Math.abs(deltaFen);
  const planned = plan(account, today, 'levelling', { ...rest, amountFen }, [
    deltaFen >= 0 ? { debit: system.adjustments, credit: balance, amountFen } : { debit: balance, credit: system.adjustments, amountFen },
  ]);
  // The chip as read becomes the basis, with no gap left; that card's records from before `at` are reflected.
  const chip = chipPlanFields({ chipBalanceFen: chipReadFen, chipBalanceAt: at, chipGapFen: 0, chipGapSince: null, chipCardId: cardId });
  return {
    ...planned,
    chipBalanceFen: chip.chipBalanceFen,
    accountFields: { ...chip.accountFields, levelledAt: at, levelledCardId: cardId },
    entry: { ...planned.entry, chipBalanceAfterFen: chipReadFen },
  };
}

export interface UtilityPaymentRequest extends Common {
  /** The utility's merchant (network centre, dormitory power office). */
  merchantId: string;
  /** What is paid for, for the holder's history ("网费 2026-W49–W50", "电费 3-512"). */
  reason: string;
  /** The holder confirmed with the consumption password (needed above the daily limit, as at a POS). */
  consumptionPasswordVerified?: boolean;
}

/** A utility bill paid in the app (domain/utilities.ts): spends from the balance like a purchase and counts toward today's spending. */
export function planUtilityPayment(account: Account, request: UtilityPaymentRequest, today: string): MovementPlan {
  assertAmount(request.amountFen);
  assertCanSpend(account, today);
  if (!request.consumptionPasswordVerified && exceedsDailyLimit(account, request.amountFen, today)) {
    throw new AppError('PASSWORD_REQUIRED', `account ${account.accountNo}: ${spentOn(account, today)} + ${request.amountFen} > ${account.dailyLimitFen}`);
  }
  const { consumptionPasswordVerified: _verified, ...entry } = request;
  return plan(account, today, 'utility_payment', entry, [{ debit: holder.balance(account.accountNo), credit: system.merchantPayable(request.merchantId), amountFen: request.amountFen }], request.amountFen);
}

/**
 * A utility payment the outside system finally refused (or never accepted in time) is given back
 * whole, from the utility's payable: allowed on a lost or frozen account (the holder's money).
 */
export function planUtilityRefund(
  account: Account,
  request: Common & { merchantId: string; reason: string; payment: Pick<LedgerEntry, 'receiptNo' | 'accountNo' | 'type' | 'merchantId' | 'amountFen'> },
  today: string,
): MovementPlan {
  assertAmount(request.amountFen);
  assertNotCancelled(account);
  const { payment, ...rest } = request;
  if (payment.type !== 'utility_payment' || payment.accountNo !== account.accountNo || payment.merchantId !== request.merchantId || payment.amountFen !== request.amountFen) {
    throw new AppError('REFUND_NOT_ALLOWED', payment.receiptNo);
  }
  return plan(account, today, 'refund', { ...rest, refundOf: payment.receiptNo }, [{ debit: system.merchantPayable(request.merchantId), credit: holder.balance(account.accountNo), amountFen: request.amountFen }]);
}
