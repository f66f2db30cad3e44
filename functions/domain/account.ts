/** The account: who holds it, its state, and its purses, all in integer fen. */
import type { ErrorCode } from '../../shared/errors';
import { AppError } from '../app-error';
import { ACCOUNT_STATUSES, CARD_TYPES, type AccountStatus, type CardType } from '../../shared/vocabulary';

export { ACCOUNT_STATUSES, CARD_TYPES, type AccountStatus, type CardType };

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
  /** The physical card (CPU or M1) currently in use, if any: one at a time. */
  activePhysicalCardId?: string;
  /** Last chip balance a POS reported for the physical card (the card's own purse, not ours). */
  chipBalanceFen?: number;
  /** The phone key that signs this account's QR codes (one at a time). */
  activeDeviceKeyId?: number;
  /** Campus day the current card replaced an old one: refused at library, clinic and bus that day. */
  replacedOn?: string;
  /** When card staff last levelled the account (set the database to the chip balance): offline records from before it are duplicates. */
  levelledAt?: string;
  /** Chip UID of the active physical card, for the offline blacklist. */
  activeChipUid?: string;
  /** Identity for binding, never in full: masked for people, keyed digests for checking (domain/identity.ts). */
  idType?: 'id_card' | 'passport';
  idNumberMasked?: string;
  idNumberDigest?: string;
  mobileMasked?: string;
  mobileDigest?: string;
  /** The one debit card the kiosk may transfer from (bound at the card centre). */
  boundBankCardNo?: string;
  /** Kind of the active physical card: a CPU card makes online top-ups transitional. */
  activePhysicalCardKind?: 'cpu' | 'm1';
  /** The newest ledger entry's id: the next one is always greater (ledger order = commit order). */
  lastEntryId?: string;
  /** Bumped by every change: the optimistic lock that keeps balanceAfter in the ledger exact. */
  version: number;
  createdAt: string;
}

export const DEFAULT_DAILY_LIMIT_FEN = 5_000;
export { MAX_DAILY_LIMIT_FEN } from '../../shared/limits';
/** Water control's small wallet may hold at most this much between settlements (policy: 10 yuan). */
export const SMALL_WALLET_CAP_FEN = 1_000;

const STATUS_REFUSAL = {
  lost: 'CARD_LOST',
  frozen: 'CARD_FROZEN',
  cancelled: 'CARD_CANCELLED',
  expired: 'CARD_EXPIRED',
} as const satisfies Record<Exclude<AccountStatus, 'active'>, ErrorCode>;

/** Why the account may not spend (or pass a gate) today, or undefined if it may. */
export function spendRefusal(account: Account, today: string): (typeof STATUS_REFUSAL)[keyof typeof STATUS_REFUSAL] | undefined {
  if (account.status !== 'active') return STATUS_REFUSAL[account.status];
  if (account.expiresOn !== undefined && account.expiresOn < today) return 'CARD_EXPIRED';
  return undefined;
}

/** Throws the refusal a POS should show if the account may not spend today. */
export function assertCanSpend(account: Account, today: string): void {
  const refusal = spendRefusal(account, today);
  if (refusal) throw new AppError(refusal, `account ${account.accountNo} (${account.status}, expires ${account.expiresOn ?? 'never'})`);
}

/** Throws if the account is closed: nothing moves on a cancelled account. */
export function assertNotCancelled(account: Account): void {
  if (account.status === 'cancelled') throw new AppError('CARD_CANCELLED', `account ${account.accountNo}`);
}

/** Spending so far on `today` (yesterday's total does not count). */
export function spentOn(account: Account, today: string): number {
  return account.dailySpentDay === today ? account.dailySpentFen : 0;
}

/** True when this payment would take today's spending above the daily limit: the POS must ask for the consumption password. */
export function exceedsDailyLimit(account: Account, amountFen: number, today: string): boolean {
  return spentOn(account, today) + amountFen > account.dailyLimitFen;
}

export function purses(account: Purses): Purses {
  return { balanceFen: account.balanceFen, transitionalFen: account.transitionalFen, smallWalletFen: account.smallWalletFen };
}

/** "张三明" → "张*明", "李四" → "*四": enough for a cashier to recognise, not enough to identify. */
export function maskHolderName(name: string): string {
  const chars = [...name];
  if (chars.length <= 1) return '*';
  if (chars.length === 2) return `*${chars[1]}`;
  return `${chars[0]}${'*'.repeat(chars.length - 2)}${chars[chars.length - 1]}`;
}
