/** Ledger entries: the immutable record of every money movement, and the shape of a planned movement. */
import { MOVEMENT_TYPES, type MovementType } from '../../shared/vocabulary';
import type { Account, AccountStatus, Purses } from './account';

export { MOVEMENT_TYPES, type MovementType };

/** Movement types that count as spending in statements. */
export const SPENDING_TYPES: readonly MovementType[] = ['purchase', 'fee', 'small_wallet_settle'];
/** Movement types that count as money coming in. */
export const TOPUP_TYPES: readonly MovementType[] = ['topup', 'transitional_credit'];

export const CHANNELS = ['pos', 'qr', 'wechat', 'alipay', 'bank', 'counter', 'admin', 'offline_pos', 'water'] as const;
export type Channel = (typeof CHANNELS)[number];

export const REFUND_DESTINATIONS = ['bank_card', 'cash'] as const;
export type RefundDestination = (typeof REFUND_DESTINATIONS)[number];

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
  /** Why, for adjustments and fees; who did it for card-centre actions. */
  reason?: string;
  operator?: string;
  /** For refunds: the receipt of the purchase refunded. */
  refundOf?: string;
  /** For cancellation refunds: where the money went. */
  destination?: RefundDestination;
  /** For card loads and card payments: the chip balance after the write (what the terminal was told to write). */
  chipBalanceAfterFen?: number;
  /** Transitional balance that became balance in this movement (no CPU card left to write it to). */
  releasedTransitionalFen?: number;
  createdAt: string;
  campusDay: string;
}

/** What a movement changes: computed from the account as read, applied only if it is still that version. */
export interface MovementPlan {
  after: Purses;
  dailySpentFen: number;
  dailySpentDay: string;
  /** Set when the movement also changes the account's status (cancellation). */
  statusAfter?: AccountStatus;
  /** Set when the movement tells us what the physical card's chip now holds (card loads). */
  chipBalanceFen?: number;
  /** Other account fields that change with the money (e.g. the new card of a paid replacement). */
  accountFields?: Partial<Pick<Account, 'activePhysicalCardId' | 'activeChipUid' | 'activePhysicalCardKind' | 'replacedOn' | 'chipBalanceAt' | 'chipGapFen' | 'chipGapSince' | 'chipCardId' | 'levelledAt' | 'levelledCardId' | 'closedAt' | 'holdbackUntil'>>;
  entry: Omit<LedgerEntry, 'entryId' | 'receiptNo' | 'accountNo' | 'createdAt' | 'campusDay' | 'after'>;
}
