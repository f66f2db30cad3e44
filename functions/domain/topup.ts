/** Online top-ups: the policy limits, which purse the money lands in, and how an order moves. */
import { AppError } from '../app-error';
import { ONLINE_TOPUP_MAX_FEN, ONLINE_TOPUP_MIN_FEN } from '../../shared/limits';
import type { Account } from './account';

export const TOPUP_POLICY = {
  /** WeChat Pay / Alipay in the app: 1 to 999 yuan per payment. */
  onlineMinFen: ONLINE_TOPUP_MIN_FEN,
  onlineMaxFen: ONLINE_TOPUP_MAX_FEN,
  /** Bank transfer at a kiosk (圈存): 1 to 500 yuan. */
  bankMinFen: 100,
  bankMaxFen: 50_000,
  /** How long the platform may take the payment before the order is closed. */
  orderMinutes: 15,
  /** A pending order older than this is asked about (polling and the scheduled reconciler). */
  queryAfterSeconds: 5,
} as const;

export type TopupChannel = 'wechat' | 'alipay' | 'bank';
export type OrderStatus = 'pending' | 'paid' | 'closed';

export interface TopupOrder {
  orderId: string;
  accountNo: string;
  channel: TopupChannel;
  amountFen: number;
  /** Decided when the order is made: a CPU-card holder's top-up waits as transitional balance. */
  purse: 'balance' | 'transitional';
  status: OrderStatus;
  payerId: string;
  createdAt: string;
  /** The platform takes the payment until then. (Not `expiresAt`: that is the table's TTL attribute.) */
  payBy: string;
  paidAt?: string;
  platformTxnId?: string;
  receiptNo?: string;
}

export function assertTopupAmount(amountFen: number, channel: TopupChannel): void {
  const [min, max] = channel === 'bank' ? [TOPUP_POLICY.bankMinFen, TOPUP_POLICY.bankMaxFen] : [TOPUP_POLICY.onlineMinFen, TOPUP_POLICY.onlineMaxFen];
  if (!Number.isSafeInteger(amountFen) || amountFen < min || amountFen > max) throw new AppError('TOPUP_AMOUNT_OUT_OF_RANGE', `${amountFen} not in ${min}..${max}`);
}

/** Policy: with a physical CPU card, online money must be written to the chip first (transitional balance). */
export function topupPurse(account: Account): TopupOrder['purse'] {
  return account.activePhysicalCardKind === 'cpu' ? 'transitional' : 'balance';
}
