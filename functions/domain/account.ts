/** The account: who holds it, its state, and its purses, all in integer fen. */
import type { ErrorCode } from '../../shared/errors';
import { AppError } from '../app-error';
import { DEFAULT_POLICY, WATER_POLICY } from './policy';
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
  /** What the physical card's chip holds as far as we know (written at the last online tap, or reported by a later offline record). */
  chipBalanceFen?: number;
  /** When the chip held `chipBalanceFen`, and which card that chip is (the chip facts are about that card only). */
  chipBalanceAt?: string;
  chipCardId?: string;
  /** Card spending the chip has and the database does not yet (offline records still to come): domain/chip.ts. */
  chipGapFen?: number;
  /** Since when the chip has shown that gap. */
  chipGapSince?: string | null;
  /** Every status change, oldest first: a late offline record is judged by the account as it was when it was made. */
  statusLog?: { status: AccountStatus; at: string; by?: string; from?: AccountStatus; reason?: string }[];
  /** While frozen: why (a code such as card_database_mismatch); on the frozen-accounts index with it. */
  frozenReason?: string;
  /** The phone key that signs this account's QR codes (one at a time). */
  activeDeviceKeyId?: number;
  /** When that key was registered: the old phone tells its holder when the code moved. */
  activeDeviceKeyAt?: string;
  /** Campus day the current card replaced an old one: refused at library, clinic and bus that day. */
  replacedOn?: string;
  /** When the account was last levelled to its card (the chip's balance taken as the database's): that card's offline records from before it are already reflected. */
  levelledAt?: string;
  levelledCardId?: string;
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
  /** When the account was closed, and until when payments that offline terminals took before it are still charged to what it holds back. */
  closedAt?: string;
  holdbackUntil?: string;
  /** Kind of the active physical card: a CPU card makes online top-ups transitional. */
  activePhysicalCardKind?: 'cpu' | 'm1';
  /** The newest ledger entry's id: the next one is always greater (ledger order = commit order). */
  lastEntryId?: string;
  /** The holder's low-balance alert (fen): a payment that takes the balance below it makes a low_balance event (domain/outbox.ts); absent: none. */
  lowBalanceAlertFen?: number;
  /** Bumped by every change: the optimistic lock that keeps balanceAfter in the ledger exact. */
  version: number;
  createdAt: string;
}

/** A new account's daily limit: the policy's default (the card centre may change it). */
export const DEFAULT_DAILY_LIMIT_FEN = DEFAULT_POLICY.defaultDailyLimitFen;
export { MAX_DAILY_LIMIT_FEN } from '../../shared/limits';
/** Water control's small wallet may hold at most this much between settlements (policy: 10 yuan). */
export const SMALL_WALLET_CAP_FEN = WATER_POLICY.walletCapFen;

const STATUS_REFUSAL = {
  lost: 'CARD_LOST',
  frozen: 'CARD_FROZEN',
  cancelled: 'CARD_CANCELLED',
  expired: 'CARD_EXPIRED',
} as const satisfies Record<Exclude<AccountStatus, 'active'>, ErrorCode>;

/** Why the account may not spend (or pass a gate) today, or undefined if it may. */
export function spendRefusal(account: Pick<Account, 'status' | 'expiresOn'>, today: string): (typeof STATUS_REFUSAL)[keyof typeof STATUS_REFUSAL] | undefined {
  if (account.status !== 'active') return STATUS_REFUSAL[account.status];
  if (account.expiresOn !== undefined && account.expiresOn < today) return 'CARD_EXPIRED';
  return undefined;
}

/**
 * The account's status at an instant (ISO time), from its status log; an account whose log does not
 * reach back that far was as it is now.
 */
export function accountStatusAt(account: Pick<Account, 'status' | 'statusLog'>, at: string): AccountStatus {
  const log = account.statusLog ?? [];
  let status: AccountStatus | undefined;
  for (const change of log) if (change.at <= at) status = change.status;
  if (status !== undefined) return status;
  // Before the first logged change it was whatever the first change moved it from; unknown: active.
  return log.length ? 'active' : account.status;
}

/** Throws the refusal a POS should show if the account may not spend today. */
export function assertCanSpend(account: Account, today: string): void {
  const refusal = spendRefusal(account, today);
  if (refusal) throw new AppError(refusal, `account ${account.accountNo} (${account.status}, expires ${account.expiresOn ?? 'never'})`);
}

/** Places where a card replaced today is refused until tomorrow (DOMAIN.md: library, clinic, campus bus), for every use there. */
export const NEXT_DAY_PLACES: readonly string[] = ['library', 'clinic', 'bus'];

/** CARD_REPLACED_TODAY when the account's card was replaced on `day` and this is one of those places. */
export function placeRefusal(account: Pick<Account, 'replacedOn'>, placeCategory: string | undefined, day: string): 'CARD_REPLACED_TODAY' | undefined {
  return account.replacedOn === day && placeCategory !== undefined && NEXT_DAY_PLACES.includes(placeCategory) ? 'CARD_REPLACED_TODAY' : undefined;
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
