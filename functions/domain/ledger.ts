/** Ledger entries: the immutable record of every money movement, and the shape of a planned movement. */
import { MOVEMENT_TYPES, type MovementType, type RefundCause } from '../../shared/vocabulary';
import type { Account, AccountStatus, Purses } from './account';
import type { TopupTrigger } from './topup';
import type {
  Adjustments,
  CashDesk,
  ClearingAccount,
  FeeIncome,
  FundingAccount,
  HolderAccount,
  HolderBalance,
  HolderSmallWallet,
  HolderTransitional,
  MerchantPayable,
  RefundsPayable,
  Transfer,
} from './chart';

export { MOVEMENT_TYPES, type MovementType };

/** Movement types that count as spending in statements. */
export const SPENDING_TYPES: readonly MovementType[] = ['purchase', 'fee', 'small_wallet_settle', 'utility_payment'];
/** Movement types that count as money coming in. */
export const TOPUP_TYPES: readonly MovementType[] = ['topup', 'transitional_credit'];

export const CHANNELS = ['pos', 'qr', 'wechat', 'alipay', 'bank', 'counter', 'admin', 'offline_pos', 'water', 'app'] as const;
export type Channel = (typeof CHANNELS)[number];

export const REFUND_DESTINATIONS = ['bank_card', 'cash'] as const;
export type RefundDestination = (typeof REFUND_DESTINATIONS)[number];

/**
 * The transfers each kind of movement may make (debit → credit), linked: they commit together in
 * the entry. A purchase that credits the holder, or a top-up from a merchant, does not type-check.
 */
export interface KindTransfers {
  topup: Transfer<FundingAccount, HolderBalance>;
  transitional_credit: Transfer<FundingAccount, HolderTransitional>;
  purchase: Transfer<HolderBalance, MerchantPayable>;
  refund: Transfer<MerchantPayable, HolderBalance>;
  /** A replacement fee may first release the transitional balance (no CPU card left to write it to). */
  fee: Transfer<HolderBalance, FeeIncome> | Transfer<HolderTransitional, HolderBalance>;
  adjustment: Transfer<Adjustments, HolderBalance> | Transfer<HolderBalance, Adjustments>;
  levelling: Transfer<Adjustments, HolderBalance> | Transfer<HolderBalance, Adjustments>;
  card_load: Transfer<HolderTransitional, HolderBalance>;
  transitional_release: Transfer<HolderTransitional, HolderBalance>;
  small_wallet_preload: Transfer<HolderBalance, HolderSmallWallet>;
  /** The water used goes to the merchant, the rest back to the balance. */
  small_wallet_settle: Transfer<HolderSmallWallet, MerchantPayable> | Transfer<HolderSmallWallet, HolderBalance>;
  cancellation_refund: Transfer<HolderAccount, RefundsPayable | CashDesk>;
  closing_settlement: Transfer<HolderAccount, RefundsPayable | CashDesk>;
  /** A utility bill (network fee, electricity) paid in the app: to the utility merchant's payable, like a purchase. */
  utility_payment: Transfer<HolderBalance, MerchantPayable>;
  /** A guardian deposit given back to its payer: out through the clearing it came in by. */
  deposit_refund: Transfer<HolderBalance, ClearingAccount>;
}

interface EntryFields {
  /** ULID: unique and time-ordered. Also the receipt number the holder quotes to the card centre. */
  entryId: string;
  receiptNo: string;
  accountNo: string;
  /** The size of the movement, always positive. */
  amountFen: number;
  /** Signed change of each purse, derived from the transfers (chart.ts deltaOf); the account's purses are the sums of these. */
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
  /** For refunds: who refunded and why (a duplicate charge is the card centre's adjustment of the merchant's settlement). */
  refundCause?: RefundCause;
  /** For credits from a platform: when the payer paid (the day of the platform's bill it is on, which may be before the entry's own), and the order it credits. */
  paidAt?: string;
  orderId?: string;
  /** For a guardian deposit (issue 18): who paid, as the payer named themselves ("妈妈"); the channel says how. */
  guardianLabel?: string;
  /** For a credit of an automatic reload (issue 18): the history and the top-up message say so. */
  trigger?: TopupTrigger;
  /** For cancellation refunds: where the money went. */
  destination?: RefundDestination;
  /** For card loads and card payments: the chip balance after the write (what the terminal was told to write). */
  chipBalanceAfterFen?: number;
  /** Transitional balance that became balance in this movement (no CPU card left to write it to). */
  releasedTransitionalFen?: number;
  /** For a closing that holds money back for offline terminals: when their bundles have all expired. */
  holdbackUntil?: string;
  createdAt: string;
  campusDay: string;
}

/** One kind's entry (a movement type without its transfers above fails to compile here): its linked transfers (none when it moves nothing) and the purse change they make. */
export type EntryOf<K extends MovementType> = EntryFields & { type: K; transfers: readonly KindTransfers[K][] };

export type TopupEntry = EntryOf<'topup'>;
export type TransitionalCreditEntry = EntryOf<'transitional_credit'>;
export type PurchaseEntry = EntryOf<'purchase'>;
export type RefundEntry = EntryOf<'refund'>;
export type FeeEntry = EntryOf<'fee'>;
export type AdjustmentEntry = EntryOf<'adjustment'>;
export type LevellingEntry = EntryOf<'levelling'>;
export type CardLoadEntry = EntryOf<'card_load'>;
export type TransitionalReleaseEntry = EntryOf<'transitional_release'>;
export type SmallWalletPreloadEntry = EntryOf<'small_wallet_preload'>;
export type SmallWalletSettleEntry = EntryOf<'small_wallet_settle'>;
export type CancellationRefundEntry = EntryOf<'cancellation_refund'>;
export type ClosingSettlementEntry = EntryOf<'closing_settlement'>;

export type LedgerEntry = { [K in MovementType]: EntryOf<K> }[MovementType];

/** An entry as planned, before the store names it and stamps it. */
export type EntryDraft = { [K in MovementType]: Omit<EntryOf<K>, 'entryId' | 'receiptNo' | 'accountNo' | 'createdAt' | 'campusDay' | 'after'> }[MovementType];

/** What a movement changes: computed from the account as read, applied only if it is still that version. */
export interface MovementPlan {
  after: Purses;
  dailySpentFen: number;
  dailySpentDay: string;
  /** Set when the movement also changes the account's status (cancellation). */
  statusAfter?: AccountStatus;
  /** Who changes the status (the account's status log): default the entry's operator, else `system`. */
  statusBy?: string;
  /** Set when the movement tells us what the physical card's chip now holds (card loads). */
  chipBalanceFen?: number;
  /** Other account fields that change with the money (e.g. the new card of a paid replacement). */
  accountFields?: Partial<Pick<Account, 'activePhysicalCardId' | 'activeChipUid' | 'activePhysicalCardKind' | 'replacedOn' | 'chipBalanceAt' | 'chipGapFen' | 'chipGapSince' | 'chipCardId' | 'levelledAt' | 'levelledCardId' | 'closedAt' | 'holdbackUntil'>>;
  entry: EntryDraft;
}

/**
 * Movements between two system accounts, with no holder (docs/data-model.md, "System entries"):
 * a merchant's fee, a payout to its bank, a sale paid with a WeChat Pay or Alipay payment code.
 * Typed like KindTransfers: a fee that credits a merchant does not compile.
 */
export interface SystemKindTransfers {
  /** The management fee of a closed statement, out of the merchant's payable. */
  merchant_fee: Transfer<MerchantPayable, FeeIncome>;
  /** A statement's net payable paid out to the merchant's bank account, through our bank. */
  merchant_payout: Transfer<MerchantPayable, ClearingAccount>;
  /** A sale paid at a campus terminal with the payer's own WeChat Pay / Alipay payment code. */
  payment_code_sale: Transfer<ClearingAccount, MerchantPayable>;
}

export type SystemMovementType = keyof SystemKindTransfers;

export interface SystemEntryFields {
  /** ULID: unique and time-ordered (its own partition, so no two writers share an item). */
  entryId: string;
  amountFen: number;
  /** The outside world's or the statement's id for this movement. */
  externalRef: string;
  merchantId?: string;
  terminalId?: string;
  reason?: string;
  operator?: string;
  /** For sales paid through a platform: its transaction id, when the payer paid (the day of its bill) and our order number there. */
  platformTxnId?: string;
  paidAt?: string;
  orderId?: string;
  createdAt: string;
  campusDay: string;
}

export type SystemEntryOf<K extends SystemMovementType> = SystemEntryFields & { type: K; transfers: readonly SystemKindTransfers[K][] };
export type SystemEntry = { [K in SystemMovementType]: SystemEntryOf<K> }[SystemMovementType];
export type SystemEntryDraft = { [K in SystemMovementType]: Omit<SystemEntryOf<K>, 'entryId' | 'createdAt' | 'campusDay' | 'amountFen'> }[SystemMovementType];
