/**
 * Offline POS rules (DOMAIN.md, "Offline POS and reconciliation"). A POS that lost the network takes
 * payments against its bundle and uploads the records later: late, twice or out of order. The server
 * must apply each exactly once, never lose one, never overdraw, and freeze the account where the
 * card and the database have drifted apart, for card staff to reconcile.
 */
import { spentOn, type Account } from './account';
import { campusDay } from './campus-day';
import type { MovementPlan } from './ledger';
import { AppError } from '../app-error';

export const OFFLINE_POLICY = {
  /** How long a terminal may use a bundle before it must fetch a new one. */
  bundleHours: 24,
  /** The most one account may spend offline per campus day (and never more than its balance at bundle time). */
  dailyCapFen: 5_000,
  /** Freeze when the card's chip and the database differ by more than this (50 yuan). */
  freezeDifferenceFen: 5_000,
  /** A record claiming to be from further in the future than this (terminal clock wrong) is held. */
  maxFutureSkewSeconds: 300,
} as const;

/** What a terminal may let an account spend offline today, per its bundle. */
export function offlineCapFen(account: Account): number {
  return Math.max(0, Math.min(OFFLINE_POLICY.dailyCapFen, account.dailyLimitFen, account.balanceFen));
}

export type HoldReason = 'insufficient_balance' | 'duplicate_after_levelling' | 'token_reused' | 'clock_in_future' | 'account_cancelled';

export interface OfflineRecordFacts {
  amountFen: number;
  occurredAt: Date;
  /** Card payments: what the chip held after the offline debit. */
  chipBalanceAfterFen?: number;
}

export type OfflineDecision =
  | { kind: 'apply'; freeze: boolean; freezeReason?: 'card_database_mismatch' }
  | { kind: 'hold'; reason: HoldReason; freeze: boolean };

/**
 * Pure: apply the record, or hold it (stored, no money moved) for card staff. Holding instead of
 * applying is how "never overdraw" and "never lose a record" both hold: the freeze makes staff look.
 */
export function decideOfflineRecord(account: Account, record: OfflineRecordFacts, now: Date): OfflineDecision {
  if (account.status === 'cancelled') return { kind: 'hold', reason: 'account_cancelled', freeze: false };
  if (record.occurredAt.getTime() > now.getTime() + OFFLINE_POLICY.maxFutureSkewSeconds * 1000) {
    return { kind: 'hold', reason: 'clock_in_future', freeze: false };
  }
  // Levelling set the database to the chip's balance, which already had this debit: applying it again would double-deduct.
  if (account.levelledAt !== undefined && record.occurredAt.toISOString() < account.levelledAt) {
    return { kind: 'hold', reason: 'duplicate_after_levelling', freeze: true };
  }
  if (record.amountFen > account.balanceFen) return { kind: 'hold', reason: 'insufficient_balance', freeze: true };
  if (record.chipBalanceAfterFen !== undefined) {
    const databaseAfter = account.balanceFen - record.amountFen;
    if (Math.abs(record.chipBalanceAfterFen - databaseAfter) > OFFLINE_POLICY.freezeDifferenceFen) {
      return { kind: 'apply', freeze: true, freezeReason: 'card_database_mismatch' };
    }
  }
  return { kind: 'apply', freeze: false };
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
  if (decision.kind === 'hold') throw new AppError('OFFLINE_RECORD_HELD', decision.reason);
  const occurredDay = campusDay(record.occurredAt);
  const freeze = decision.freeze && account.status === 'active';
  return {
    after: { balanceFen: account.balanceFen - record.amountFen, transitionalFen: account.transitionalFen, smallWalletFen: account.smallWalletFen },
    dailySpentFen: spentOn(account, today) + (occurredDay === today ? record.amountFen : 0),
    dailySpentDay: today,
    ...(freeze ? { statusAfter: 'frozen' as const } : {}),
    ...(record.chipBalanceAfterFen !== undefined ? { chipBalanceFen: record.chipBalanceAfterFen } : {}),
    entry: {
      type: 'purchase',
      amountFen: record.amountFen,
      delta: { balanceFen: -record.amountFen, transitionalFen: 0, smallWalletFen: 0 },
      channel: record.channel,
      merchantId: record.merchantId,
      terminalId: record.terminalId,
      externalRef: record.recordId,
      ...(decision.freezeReason ? { reason: decision.freezeReason } : {}),
    },
  };
}

