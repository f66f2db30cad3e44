/**
 * Per-campus settings where card centres differ (DOMAIN.md), with the defaults the domain gives.
 * The card centre changes them through the admin API; every rule that depends on one reads it here.
 */
import { MAX_DAILY_LIMIT_FEN } from '../../shared/limits';
import type { CardType } from '../../shared/vocabulary';
import type { XPolicy } from './passwords';

export interface CampusPolicy {
  /** Default passwords from an ID number ending in X: drop the X, or replace it with 1. */
  idNumberX: XPolicy;
  /** May a holder unfreeze a lost card in the app (query password), or only at the card centre / kiosk? */
  unfreezeInApp: boolean;
  replacementFeeFen: number;
  temporaryReplacementFeeFen: number;
  /** Self-service replacement (kiosk) needs at least this balance (the fee is deducted). */
  selfReplacementMinBalanceFen: number;
  defaultDailyLimitFen: number;
  /** At most MAX_DAILY_LIMIT_FEN (the card system's ceiling); the app shows the campus's own number. */
  maxDailyLimitFen: number;
  /** Temporary cards are valid at most this many days unless renewed. */
  temporaryCardMaxDays: number;
  /** A holder may dispute a payment in the app for this many days after it (issue 18); later, at the counter. */
  disputeWindowDays: number;
  /** Guardian deposits (issue 18): what one payer may deposit for others per campus day, all accounts together. */
  guardianDailyCapFen: number;
  /** Automatic reload (issue 18): the bounds of the holder's reload amount and low-balance threshold, and reloads per account per campus day. */
  autoReloadMinAmountFen: number;
  autoReloadMaxAmountFen: number;
  autoReloadMaxThresholdFen: number;
  autoReloadDailyMax: number;
}

export const DEFAULT_POLICY: CampusPolicy = {
  idNumberX: 'drop',
  unfreezeInApp: true,
  replacementFeeFen: 2_000,
  temporaryReplacementFeeFen: 2_500,
  selfReplacementMinBalanceFen: 2_000,
  defaultDailyLimitFen: 5_000,
  maxDailyLimitFen: MAX_DAILY_LIMIT_FEN,
  temporaryCardMaxDays: 365,
  disputeWindowDays: 30,
  guardianDailyCapFen: 200_000,
  autoReloadMinAmountFen: 1_000,
  autoReloadMaxAmountFen: 50_000,
  autoReloadMaxThresholdFen: 20_000,
  autoReloadDailyMax: 2,
};

/**
 * Water control's numbers (DOMAIN.md: a 10-yuan small wallet, 10 yuan pre-deducted; docs/water.md).
 * Not card-centre settings in CampusPolicy: the plans and the nightly audit judge every entry of
 * history against the cap, so a cap changed later would make old entries fail the audit.
 */
export const WATER_POLICY = {
  /** The most the small wallet holds between two settlements, and what a settlement terminal fills the chip's wallet up to. */
  walletCapFen: 1_000,
  /** What a pre-deduction controller takes at the first tap (or the whole balance if less). */
  sessionPreloadFen: 1_000,
  /** Controller usage with no settlement this long after it is a finding (the merchant has not been paid for it). */
  unsettledUsageSeconds: 24 * 60 * 60,
} as const;

/** What a replacement card costs this holder (temporary cards cost more). */
export function replacementFeeFen(policy: CampusPolicy, cardType: CardType): number {
  return cardType === 'temporary' ? policy.temporaryReplacementFeeFen : policy.replacementFeeFen;
}
