/**
 * Automatic reload (issue 18 item 2): the holder's recurring-debit agreement (WeChat Pay 委托代扣,
 * Alipay 商户代扣) and the rules of a reload. The trigger is the outbox's `low_balance` event, which
 * the movement store already makes once per crossing of the account's `lowBalanceAlertFen`: one
 * threshold for the alert and the reload, one rule for the crossing (domain/outbox.ts).
 */
import { createHash } from 'node:crypto';
import { AGREEMENT_CANCELLERS, type AgreementCanceller } from '../../shared/vocabulary';
import type { CampusPolicy } from './policy';

export { AGREEMENT_CANCELLERS, type AgreementCanceller };

export const AGREEMENT_STATUSES = ['signing', 'active', 'cancelled'] as const;
export type AgreementStatus = (typeof AGREEMENT_STATUSES)[number];

export interface AutoReloadAgreement {
  accountNo: string;
  channel: 'wechat' | 'alipay';
  /** Our code for the agreement on the platform (WeChat out_contract_code, Alipay external_agreement_no). */
  agreementCode: string;
  /** The platform's own id, once signed (WeChat contract_id, Alipay agreement_no). */
  platformAgreementId?: string;
  status: AgreementStatus;
  /** What one reload charges, fen. */
  amountFen: number;
  /** Who the platform says signed (the payer's openid / user id). */
  payerId: string;
  createdAt: string;
  updatedAt: string;
  signedAt?: string;
  cancelledAt?: string;
  /** holder (in the app), platform (the platform's cancellation notice) or card_centre (staff, on the holder's call). */
  cancelledBy?: AgreementCanceller;
}

export interface AutoReloadBounds {
  minAmountFen: number;
  maxAmountFen: number;
  /** A threshold of 0 is no threshold (the outbox never crosses it): so at least 1 fen. */
  minThresholdFen: number;
  maxThresholdFen: number;
  dailyMax: number;
}

export function autoReloadBounds(policy: CampusPolicy): AutoReloadBounds {
  return {
    minAmountFen: policy.autoReloadMinAmountFen,
    maxAmountFen: policy.autoReloadMaxAmountFen,
    minThresholdFen: 1,
    maxThresholdFen: policy.autoReloadMaxThresholdFen,
    dailyMax: policy.autoReloadDailyMax,
  };
}

/** True when the threshold and amount are within the campus's bounds (integers, fen). */
export function settingsWithinBounds(settings: { thresholdFen: number; amountFen: number }, bounds: AutoReloadBounds): boolean {
  const { thresholdFen, amountFen } = settings;
  return (
    Number.isSafeInteger(thresholdFen) &&
    Number.isSafeInteger(amountFen) &&
    thresholdFen >= bounds.minThresholdFen &&
    thresholdFen <= bounds.maxThresholdFen &&
    amountFen >= bounds.minAmountFen &&
    amountFen <= bounds.maxAmountFen
  );
}

/**
 * The reload's order id, derived from the low-balance event's id: the event is the idempotency key,
 * so a second delivery of the event (or a retry after a crash) finds its order already there and
 * cannot charge twice. 'R' + 31 hex digits of SHA-256 fits the platforms' 32-character order numbers.
 */
export function reloadOrderId(eventId: string): string {
  return `R${createHash('sha256').update(eventId, 'utf8').digest('hex').slice(0, 31)}`;
}

/** Our agreement code: 'A' + the account + a time stamp (a new code for each signing after a cancel). */
export function newAgreementCode(accountNo: string, now: Date): string {
  return `A${accountNo}${now.getTime().toString(36)}`.slice(0, 32);
}

export type ReloadDecision = { reload: true; amountFen: number } | { reload: false; why: 'no_agreement' | 'not_active' | 'daily_cap_zero' };

/** Whether a low-balance crossing is reloaded: only under an active agreement (the daily cap is counted atomically when the order is written). */
export function decideReload(agreement: AutoReloadAgreement | undefined, bounds: Pick<AutoReloadBounds, 'dailyMax'>): ReloadDecision {
  if (!agreement) return { reload: false, why: 'no_agreement' };
  if (agreement.status !== 'active') return { reload: false, why: 'not_active' };
  if (bounds.dailyMax <= 0) return { reload: false, why: 'daily_cap_zero' };
  return { reload: true, amountFen: agreement.amountFen };
}
