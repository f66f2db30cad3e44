/**
 * Offline POS rules (DOMAIN.md, "Offline POS and reconciliation"). A POS that lost the network takes
 * payments against its bundle and uploads the records later: late, twice or out of order. The server
 * must apply each exactly once, never lose one, never overdraw, and freeze the account where the
 * card and the database have drifted apart, for card staff to reconcile.
 */
import { placeRefusal, spentOn, type Account } from './account';
import { chipPlanFields, observeOfflineCardRecord } from './chip';
import { campusDay } from './campus-day';
import type { MovementPlan } from './ledger';
import { deltaOf, holder, system } from './chart';
import { AppError } from '../app-error';

export const OFFLINE_POLICY = {
  /** How long a terminal may use a bundle before it must fetch a new one. */
  bundleHours: 24,
  /** The most one account may spend offline per campus day (and never more than its balance at bundle time). */
  dailyCapFen: 5_000,
  /** A record claiming to be from further in the future than this (terminal clock wrong) is held. */
  maxFutureSkewSeconds: 300,
  /** A record uploaded more than this many days after it was taken is held for the card centre, not charged. */
  maxUploadAgeDays: 30,
  /** Card spending the database has not seen for longer than this is levelled at the card's next online tap (DOMAIN: 5 days). */
  levelAfterDays: 5,
} as const;

/** When a bundle issued at `issuedAt` expires: terminals may take payments on it until then. */
export function bundleExpiry(issuedAt: Date): string {
  return new Date(issuedAt.getTime() + OFFLINE_POLICY.bundleHours * 3_600_000).toISOString();
}

/**
 * How long a used payment code is remembered: as long as an offline use of it could still be
 * uploaded (its bundle's life plus the upload window, and a day to spare), so that a code paid
 * online and also taken by an offline terminal is never charged twice.
 */
export const USED_PAY_TOKEN_KEEP_SECONDS = (OFFLINE_POLICY.maxUploadAgeDays + 1) * 86_400 + OFFLINE_POLICY.bundleHours * 3_600;

/** What a terminal may let an account spend offline today, per its bundle. */
export function offlineCapFen(account: Account): number {
  return Math.max(0, Math.min(OFFLINE_POLICY.dailyCapFen, account.dailyLimitFen, account.balanceFen));
}

/**
 * What closing an account holds back for payments that terminals with a bundle from before the
 * closing may still take and upload: QR payments up to the offline cap on each campus day such a
 * bundle spans, and card payments up to what the chip holds (an offline card payment is limited by
 * the chip alone). Never more than the balance.
 */
export function closingHoldbackFen(account: Account): number {
  const bundleDays = Math.ceil(OFFLINE_POLICY.bundleHours / 24) + 1;
  const qr = account.activeDeviceKeyId !== undefined ? bundleDays * offlineCapFen(account) : 0;
  const card = account.activePhysicalCardId !== undefined ? (account.chipBalanceFen ?? account.balanceFen) : 0;
  return Math.min(account.balanceFen, qr + card);
}

export type HoldReason =
  | 'insufficient_balance'
  | 'token_reused'
  | 'clock_in_future'
  | 'account_cancelled'
  | 'card_lost'
  | 'card_void'
  | 'card_replaced_today'
  | 'too_late';

export interface OfflineRecordFacts {
  amountFen: number;
  occurredAt: Date;
  /** Card payments: what the chip held after the offline debit. */
  chipBalanceAfterFen?: number;
  /** Card payments: which card (levelling reflects only that card's records). */
  cardId?: string;
  /**
   * Why the payer could not pay when the record was made, as the server knew it then: the card (or,
   * for a QR code, the account) was reported lost, or the card was void (replaced, cancelled).
   */
  refusedThen?: 'card_lost' | 'card_void';
  /** The merchant's category (a card replaced that day is refused at some places). */
  placeCategory?: string;
}

export type OfflineDecision =
  | { kind: 'apply'; freeze: boolean; freezeReason?: 'card_database_mismatch' }
  | { kind: 'hold'; reason: HoldReason; freeze: boolean }
  /** A card payment from before the card was levelled: the levelling took the chip's balance, which already had it. */
  | { kind: 'reflected' };

/**
 * Pure: apply the record, hold it (stored, no money moved) for card staff, or recognise it as already
 * reflected by a levelling. Holding instead of applying is how "never overdraw" and "never lose a
 * record" both hold; a payment the holder did not owe (the card was lost or void when it was made) is
 * never charged to them, and the merchant's claim stays with the card centre.
 */
export function decideOfflineRecord(account: Account, record: OfflineRecordFacts, now: Date): OfflineDecision {
  const at = record.occurredAt.toISOString();
  if (record.occurredAt.getTime() > now.getTime() + OFFLINE_POLICY.maxFutureSkewSeconds * 1000) {
    return { kind: 'hold', reason: 'clock_in_future', freeze: false };
  }
  if (now.getTime() - record.occurredAt.getTime() > OFFLINE_POLICY.maxUploadAgeDays * 86_400_000) return { kind: 'hold', reason: 'too_late', freeze: false };
  if (record.refusedThen) return { kind: 'hold', reason: record.refusedThen, freeze: false };
  // A closed account is charged only while it still holds back money for exactly these records.
  if (account.status === 'cancelled' && !(account.holdbackUntil !== undefined && now.toISOString() < account.holdbackUntil)) {
    return { kind: 'hold', reason: 'account_cancelled', freeze: false };
  }
  if (record.cardId !== undefined && account.levelledAt !== undefined && record.cardId === account.levelledCardId && at < account.levelledAt) {
    return { kind: 'reflected' };
  }
  if (placeRefusal(account, record.placeCategory, campusDay(record.occurredAt))) return { kind: 'hold', reason: 'card_replaced_today', freeze: false };
  if (record.amountFen > account.balanceFen) return { kind: 'hold', reason: 'insufficient_balance', freeze: account.status === 'active' };
  if (chipSeenBy(account, record)?.freeze) return { kind: 'apply', freeze: true, freezeReason: 'card_database_mismatch' };
  return { kind: 'apply', freeze: false };
}

/** What a card record tells of its chip (domain/chip.ts); undefined for a QR record. */
function chipSeenBy(account: Account, record: OfflineRecordFacts): ReturnType<typeof observeOfflineCardRecord> | undefined {
  if (record.chipBalanceAfterFen === undefined || record.cardId === undefined) return undefined;
  return observeOfflineCardRecord(account, { cardId: record.cardId, amountFen: record.amountFen, chipAfterFen: record.chipBalanceAfterFen, occurredAt: record.occurredAt.toISOString() });
}

export interface OfflinePurchase extends OfflineRecordFacts {
  merchantId: string;
  terminalId: string;
  recordId: string;
  channel: 'offline_pos';
}

/**
 * The movement for an offline record that is to be applied. It already happened at the POS, so
 * neither the account's status nor the daily limit can refuse it now; only the money rule can, and
 * then the caller holds the record instead.
 */
export function planOfflinePurchase(account: Account, record: OfflinePurchase, today: string, now: Date): MovementPlan {
  const decision = decideOfflineRecord(account, record, now);
  if (decision.kind !== 'apply') throw new AppError('OFFLINE_RECORD_HELD', decision.kind === 'hold' ? decision.reason : 'reflected');
  const chip = chipSeenBy(account, record)?.chip;
  const occurredDay = campusDay(record.occurredAt);
  const freeze = decision.freeze && account.status === 'active';
  const transfers = [{ debit: holder.balance(account.accountNo), credit: system.merchantPayable(record.merchantId), amountFen: record.amountFen }];
  const delta = deltaOf(account.accountNo, transfers);
  return {
    after: { balanceFen: account.balanceFen + delta.balanceFen, transitionalFen: account.transitionalFen, smallWalletFen: account.smallWalletFen },
    dailySpentFen: spentOn(account, today) + (occurredDay === today ? record.amountFen : 0),
    dailySpentDay: today,
    ...(freeze ? { statusAfter: 'frozen' as const } : {}),
    ...(chip ? chipPlanFields(chip) : {}),
    entry: {
      type: 'purchase',
      transfers,
      amountFen: record.amountFen,
      delta,
      channel: record.channel,
      merchantId: record.merchantId,
      terminalId: record.terminalId,
      externalRef: record.recordId,
      ...(decision.freezeReason ? { reason: decision.freezeReason } : {}),
    },
  };
}

