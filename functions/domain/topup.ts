/** Online top-ups: the policy limits, which purse the money lands in, and how an order moves. */
import { AppError } from '../app-error';
import { yuanParam } from '../../shared/errors';
import { ONLINE_TOPUP_MAX_FEN, ONLINE_TOPUP_MIN_FEN } from '../../shared/limits';
import type { Account } from './account';
import type { GuardianPayer } from './guardian';
import type { TopupTrigger } from '../../shared/vocabulary';
import { fundingAccountOf, holder } from './chart';
import { pendingOf, type Pending, type PendingState } from './pending';

export const TOPUP_POLICY = {
  /** WeChat Pay / Alipay in the app: 1 to 999 yuan per payment. */
  onlineMinFen: ONLINE_TOPUP_MIN_FEN,
  onlineMaxFen: ONLINE_TOPUP_MAX_FEN,
  /** Bank transfer at a kiosk (圈存): 1 to 500 yuan. */
  bankMinFen: 100,
  bankMaxFen: 50_000,
  /** A pending order older than this is asked about (polling and the scheduled reconciler). */
  queryAfterSeconds: 5,
  /** A refund asked for must be answered by the platform within this (the reconciler asks; the ledger check reports one older). */
  refundSettleMinutes: 24 * 60,
} as const;

export type TopupChannel = 'wechat' | 'alipay' | 'bank';
export type { TopupTrigger } from '../../shared/vocabulary';
/**
 * The order as the holder sees it. Its money is a pending transfer (pending.ts) from the channel's
 * clearing to the holder: pending, then posted (paid) or voided / expired (closed); a payment that
 * arrives for an order that cannot be credited voids it with a refund to the payer
 * (refund_pending, then refunded: the platform gave it back).
 */
export type OrderStatus = 'pending' | 'paid' | 'closed' | 'refund_pending' | 'refunded';

/** Why a payment could not be credited and is given back (ORDER_CLOSED: it came after the order was closed). */
export type RefundReason = 'CARD_CANCELLED' | 'PAYMENT_AMOUNT_MISMATCH' | 'ORDER_CLOSED';

/** What the pending state of an order's money is, for each status (the store writes both together; voided stands for voided or expired). */
export const ORDER_STATE: Record<OrderStatus, PendingState> = { pending: 'pending', paid: 'posted', closed: 'voided', refund_pending: 'voided', refunded: 'voided' };

/** A refund of an order's payment, recorded on the order before the platform is asked (the intent). */
export interface TopupRefund {
  /** Our refund number (WeChat out_refund_no, Alipay out_request_no): one per order, so every retry is the same refund. */
  refundId: string;
  /** What the platform says was paid, all of it. */
  amountFen: number;
  reason: RefundReason;
  requestedAt: string;
  /** The platform's refund id, once it has one. */
  platformRefundId?: string;
  refundedAt?: string;
}

export interface TopupOrder extends Pending {
  pendingKind: 'topup_order';
  orderId: string;
  accountNo: string;
  channel: TopupChannel;
  amountFen: number;
  /** Decided when the order is made: a CPU-card holder's top-up waits as transitional balance. */
  purse: 'balance' | 'transitional';
  status: OrderStatus;
  payerId: string;
  createdAt: string;
  /** The platform takes the payment until then: the pending transfer's timeout. (Not `expiresAt`: that is the table's TTL attribute.) */
  payBy: string;
  paidAt?: string;
  platformTxnId?: string;
  receiptNo?: string;
  refund?: TopupRefund;
  /** A guardian deposit (issue 18): made by someone else for this account, recorded before the platform is asked. */
  guardian?: GuardianPayer;
  /** A guardian deposit's payer as the platform reported the payment, when the order knew them only by a stand-in (H5). */
  paidBy?: string;
  /** An automatic reload's order (the holder did not pay it by hand): carried to its ledger entry and its top-up message. */
  trigger?: TopupTrigger;
  /** A paid guardian deposit the card centre gave back to its payer (the bill's refund row names this refund number). */
  depositRefund?: { refundId: string; amountFen: number };
}

export function assertTopupAmount(amountFen: number, channel: TopupChannel): void {
  const [min, max] = channel === 'bank' ? [TOPUP_POLICY.bankMinFen, TOPUP_POLICY.bankMaxFen] : [TOPUP_POLICY.onlineMinFen, TOPUP_POLICY.onlineMaxFen];
  if (!Number.isSafeInteger(amountFen) || amountFen < min || amountFen > max) throw new AppError('TOPUP_AMOUNT_OUT_OF_RANGE', `${amountFen} not in ${min}..${max}`, { min: yuanParam(min), max: yuanParam(max) });
}

/** The one refund number an order can have: the same on every retry, so the platform refunds it at most once. */
export function refundIdOf(orderId: string): string {
  return `R${orderId}`;
}

/**
 * Policy: with a physical CPU card (even a lost one, until it is replaced), online money must be
 * written to the chip first (transitional balance). Asked when the order is made and again when it
 * is credited (planTransitionalCredit): the card may have changed in between.
 */
export function topupPurse(account: Account): TopupOrder['purse'] {
  return account.activePhysicalCardKind === 'cpu' ? 'transitional' : 'balance';
}

/** A new order: its money a pending transfer from the channel's clearing to the purse it will credit, timing out when the platform stops taking it. */
export function newOrder(order: Pick<TopupOrder, 'orderId' | 'accountNo' | 'channel' | 'amountFen' | 'purse' | 'payerId'> & Pick<Partial<TopupOrder>, 'guardian' | 'trigger'>, now: Date): TopupOrder {
  const credit = order.purse === 'transitional' ? holder.transitional(order.accountNo) : holder.balance(order.accountNo);
  const pending = pendingOf('topup_order', { debit: fundingAccountOf(order.channel), credit, amountFen: order.amountFen }, now);
  return { ...order, ...pending, pendingKind: 'topup_order', status: 'pending', payBy: pending.timeoutAt };
}
