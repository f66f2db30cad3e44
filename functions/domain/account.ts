/** The account: who holds it, its state, and its purses, all in integer fen. */
import type { ErrorCode } from '../../shared/errors';
import { AppError } from '../app-error';

export const CARD_TYPES = ['staff', 'student', 'employee', 'temporary', 'merchant', 'family'] as const;
export type CardType = (typeof CARD_TYPES)[number];

export const ACCOUNT_STATUSES = ['active', 'lost', 'frozen', 'cancelled', 'expired'] as const;
export type AccountStatus = (typeof ACCOUNT_STATUSES)[number];

/** The money an account holds, by purse. */
export interface Purses {
  /** The authoritative, spendable account balance. */
  balanceFen: number;
  /** Online top-ups waiting to be written to the physical CPU card (过渡余额). */
  transitionalFen: number;
  /** The water-control sub-purse (小钱包). */
  smallWalletFen: number;
}

export const PURSE_NAMES = ['balanceFen', 'transitionalFen', 'smallWalletFen'] as const satisfies readonly (keyof Purses)[];

export interface Account extends Purses {
  accountNo: string;
  /** Student or staff id. */
  personId: string;
  holderName: string;
  cardType: CardType;
  status: AccountStatus;
  /** Last valid campus day (YYYY-MM-DD) for cards that expire (temporary cards). */
  expiresOn?: string;
  /** Cumulative spending on `dailySpentDay`; a new campus day starts from zero. */
  dailySpentFen: number;
  dailySpentDay: string;
  dailyLimitFen: number;
  /** Bumped by every change: the optimistic lock that keeps balanceAfter in the ledger exact. */
  version: number;
  createdAt: string;
}

export const DEFAULT_DAILY_LIMIT_FEN = 5_000;

const STATUS_REFUSAL: Record<Exclude<AccountStatus, 'active'>, ErrorCode> = {
  lost: 'CARD_LOST',
  frozen: 'CARD_FROZEN',
  cancelled: 'CARD_CANCELLED',
  expired: 'CARD_EXPIRED',
};

/** Throws the refusal a POS should show if the account may not spend today. */
export function assertCanSpend(account: Account, today: string): void {
  if (account.status !== 'active') throw new AppError(STATUS_REFUSAL[account.status], `account ${account.accountNo}`);
  if (account.expiresOn !== undefined && account.expiresOn < today) {
    throw new AppError('CARD_EXPIRED', `account ${account.accountNo} expired on ${account.expiresOn}`);
  }
}

/** Spending so far on `today` (yesterday's total does not count). */
export function spentOn(account: Account, today: string): number {
  return account.dailySpentDay === today ? account.dailySpentFen : 0;
}

/** "张三明" → "张*明", "李四" → "*四": enough for a cashier to recognise, not enough to identify. */
export function maskHolderName(name: string): string {
  const chars = [...name];
  if (chars.length <= 1) return '*';
  if (chars.length === 2) return `*${chars[1]}`;
  return `${chars[0]}${'*'.repeat(chars.length - 2)}${chars[chars.length - 1]}`;
}
