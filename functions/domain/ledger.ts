/** Ledger entries: the immutable record of every money movement, and how one is planned. */
import { AppError } from '../app-error';
import { assertCanSpend, spentOn, type Account, type Purses } from './account';

export const MOVEMENT_TYPES = [
  'topup',
  'purchase',
  'refund',
  'fee',
  'adjustment',
  'transitional_credit',
  'card_load',
  'small_wallet_preload',
  'small_wallet_settle',
  'cancellation_refund',
] as const;
export type MovementType = (typeof MOVEMENT_TYPES)[number];

export const CHANNELS = ['pos', 'qr', 'wechat', 'alipay', 'bank', 'counter', 'admin', 'offline_pos'] as const;
export type Channel = (typeof CHANNELS)[number];

export interface LedgerEntry {
  /** ULID: unique and time-ordered. Also the receipt number the holder quotes to the card centre. */
  entryId: string;
  receiptNo: string;
  accountNo: string;
  type: MovementType;
  /** The size of the movement, always positive. */
  amountFen: number;
  /** Signed change of each purse; the account's purses are the sums of these. */
  delta: Purses;
  after: Purses;
  channel: Channel;
  merchantId?: string;
  terminalId?: string;
  /** The outside world's id for this movement (POS transaction id, platform transaction id, ...). */
  externalRef: string;
  reason?: string;
  createdAt: string;
  campusDay: string;
}

/** What a movement changes: computed from the account as read, applied only if it is still that version. */
export interface MovementPlan {
  after: Purses;
  dailySpentFen: number;
  dailySpentDay: string;
  entry: Omit<LedgerEntry, 'entryId' | 'receiptNo' | 'accountNo' | 'createdAt' | 'campusDay' | 'after'>;
}

export interface PurchaseRequest {
  amountFen: number;
  channel: Channel;
  merchantId: string;
  terminalId: string;
  externalRef: string;
}

/** A purchase: spends from the account balance, never below zero, and counts toward today's spending. */
export function planPurchase(account: Account, request: PurchaseRequest, today: string): MovementPlan {
  assertCanSpend(account, today);
  const balanceFen = account.balanceFen - request.amountFen;
  if (balanceFen < 0) {
    throw new AppError('INSUFFICIENT_BALANCE', `account ${account.accountNo} has ${account.balanceFen}, needs ${request.amountFen}`);
  }
  return {
    after: { balanceFen, transitionalFen: account.transitionalFen, smallWalletFen: account.smallWalletFen },
    dailySpentFen: spentOn(account, today) + request.amountFen,
    dailySpentDay: today,
    entry: {
      type: 'purchase',
      amountFen: request.amountFen,
      delta: { balanceFen: -request.amountFen, transitionalFen: 0, smallWalletFen: 0 },
      channel: request.channel,
      merchantId: request.merchantId,
      terminalId: request.terminalId,
      externalRef: request.externalRef,
    },
  };
}

export interface TopupRequest {
  amountFen: number;
  channel: Channel;
  externalRef: string;
}

/** A top-up straight into the account balance (cash at the counter; online channels add their own rules). */
export function planTopup(account: Account, request: TopupRequest, today: string): MovementPlan {
  if (account.status === 'cancelled') throw new AppError('CARD_CANCELLED', `account ${account.accountNo}`);
  return {
    after: { balanceFen: account.balanceFen + request.amountFen, transitionalFen: account.transitionalFen, smallWalletFen: account.smallWalletFen },
    dailySpentFen: spentOn(account, today),
    dailySpentDay: today,
    entry: {
      type: 'topup',
      amountFen: request.amountFen,
      delta: { balanceFen: request.amountFen, transitionalFen: 0, smallWalletFen: 0 },
      channel: request.channel,
      externalRef: request.externalRef,
    },
  };
}
