/**
 * Merchants and their POS terminals, and the rules about them that need no database: a merchant's
 * agreement terms, its settlement account kept masked with a keyed digest, terminal activation
 * codes, and who may refund a purchase when. A terminal belongs to one merchant and one place, and
 * must not move.
 */
import { createHash, createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import {
  MERCHANT_CATEGORIES,
  type MerchantCategory,
  type MerchantStatus,
  type SettlementPeriod,
  type TerminalKind,
  type TerminalStatus,
} from '../../shared/vocabulary';
import { normalizeActivationCode } from '../../shared/terminal-activation';
import { AppError } from '../app-error';
import { campusDay } from './campus-day';
import type { LedgerEntry } from './ledger';

export { MERCHANT_CATEGORIES, type MerchantCategory };

/** The agreement's defaults and bounds, in one place (DOMAIN.md: a 0.5% management fee, settled weekly). */
export const MERCHANT_TERMS = {
  defaultFeeRateBps: 50,
  maxFeeRateBps: 1_000,
  defaultSettlementPeriod: 'weekly' as SettlementPeriod,
};

/** Where the merchant is paid: the number itself is never kept, only its mask and a keyed digest. */
export interface SettlementAccount {
  bankName: string;
  accountName: string;
  /** e.g. "6222 **** **** 1234": the first and last four digits. */
  masked: string;
  /** HMAC-SHA256 of the digits with the service's identity key: finance checks a number they are given against it. */
  digest: string;
}

export interface Merchant {
  merchantId: string;
  name: string;
  category: MerchantCategory;
  status: MerchantStatus;
  /** The management fee in basis points of turnover (50 = 0.5%), from the agreement. */
  feeRateBps: number;
  settlementPeriod: SettlementPeriod;
  /** Absent only on merchants made before the registry (the demo's and the tests' fixtures). */
  settlementAccount?: SettlementAccount;
  createdAt: string;
  updatedAt?: string;
  /** Bumped by every change, for conditional updates. */
  version?: number;
}

/** A merchant as written by the seed or a fixture: the agreement terms may be left to their defaults. */
export type MerchantInput = Omit<Merchant, 'feeRateBps' | 'settlementPeriod'> & Partial<Pick<Merchant, 'feeRateBps' | 'settlementPeriod'>>;

/** A merchant as read: records made before the terms existed get the agreement's defaults. */
export function withMerchantTerms(merchant: MerchantInput): Merchant {
  return {
    ...merchant,
    feeRateBps: merchant.feeRateBps ?? MERCHANT_TERMS.defaultFeeRateBps,
    settlementPeriod: merchant.settlementPeriod ?? MERCHANT_TERMS.defaultSettlementPeriod,
  };
}

/** Digits only: "6222 0200 1234 5678" and "6222-0200-1234-5678" are one account. */
export function normalizeAccountNumber(accountNumber: string): string {
  return accountNumber.replace(/[\s-]/g, '');
}

/** "6222020012345678" → "6222 **** **** 5678", whatever the length (bank and corporate accounts differ). */
export function maskAccountNumber(accountNumber: string): string {
  const digits = normalizeAccountNumber(accountNumber);
  return `${digits.slice(0, 4)} **** **** ${digits.slice(-4)}`;
}

export function settlementAccountDigest(key: string, accountNumber: string): string {
  return createHmac('sha256', key).update(`settlement-account\n${normalizeAccountNumber(accountNumber)}`).digest('base64url');
}

export function settlementAccountOf(key: string, account: { bankName: string; accountName: string; accountNumber: string }): SettlementAccount {
  return {
    bankName: account.bankName,
    accountName: account.accountName,
    masked: maskAccountNumber(account.accountNumber),
    digest: settlementAccountDigest(key, account.accountNumber),
  };
}

/** Does the number finance was given match the one on file? (Constant time: the digest is a secret's output.) */
export function settlementAccountMatches(key: string, account: SettlementAccount | undefined, accountNumber: string): boolean {
  if (!account) return false;
  const given = Buffer.from(settlementAccountDigest(key, accountNumber));
  const kept = Buffer.from(account.digest);
  return given.length === kept.length && timingSafeEqual(given, kept);
}

/**
 * A terminal as stored. It has no secret until it is activated; a rotation or re-activation code
 * waits in `activation` (only its hash) while the current secret, if any, keeps working.
 */
export interface TerminalRecord {
  terminalId: string;
  merchantId: string;
  /** Where the terminal is installed, e.g. "一食堂 2F 窗口 3". */
  place: string;
  kind?: TerminalKind;
  status: TerminalStatus;
  /** Shared secret for request signatures (HMAC-SHA256). Returned once, by the activation; never by any other API. */
  secret?: string;
  activation?: PendingActivation;
  createdAt: string;
  /** When the current secret was issued (the last activation). */
  activatedAt?: string;
  disabledAt?: string;
  version?: number;
  /** When it last signed a request, to the minute (recorded at most once a minute: the dashboard's online/offline). */
  lastSeenAt?: string;
}

/** A terminal that can sign requests: activated, with a secret (it may be disabled since). */
export interface Terminal extends TerminalRecord {
  secret: string;
  status: 'active' | 'disabled';
}

export function canSign(terminal: TerminalRecord): terminal is Terminal {
  return terminal.status !== 'pending_activation' && typeof terminal.secret === 'string';
}

/** An activation code the card centre handed out: its hash and how long it lives. */
export interface PendingActivation {
  codeHash: string;
  issuedAt: string;
  expiresAt: string;
}

/** Terminal rules in one place. */
export const TERMINAL_POLICY = {
  /** An activation code is good for this long after the card centre issues it (installation the same day or the next). */
  activationCodeHours: 24,
};

/**
 * 16 characters of Crockford base32 (80 bits), typed in groups of four: no guessing is plausible, so
 * the exchange needs no lockout (one keyed by terminal id would let anyone lock a terminal out).
 */
const CROCKFORD = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';
export const ACTIVATION_CODE_LENGTH = 16;

export function newActivationCode(): string {
  const bytes = randomBytes(ACTIVATION_CODE_LENGTH);
  const chars = [...bytes].map((byte) => CROCKFORD[byte & 31]!);
  return chars.join('').replace(/(.{4})(?!$)/g, '$1-');
}

export function activationCodeHash(code: string): string {
  return createHash('sha256').update(`terminal-activation\n${normalizeActivationCode(code)}`).digest('base64url');
}

export function pendingActivation(code: string, now: Date): PendingActivation {
  return {
    codeHash: activationCodeHash(code),
    issuedAt: now.toISOString(),
    expiresAt: new Date(now.getTime() + TERMINAL_POLICY.activationCodeHours * 3_600_000).toISOString(),
  };
}

/** A new signing secret: 32 random bytes. */
export function newTerminalSecret(): string {
  return randomBytes(32).toString('base64url');
}

/**
 * The campus day a purchase was made: an offline record's is the day it happened at the till (its
 * record's `occurredAt`), not the day it was uploaded; the cashier refunds the sale the customer
 * remembers.
 */
export function purchaseDay(purchase: Pick<LedgerEntry, 'campusDay' | 'channel'>, offlineOccurredAt?: string): string {
  return purchase.channel === 'offline_pos' && offlineOccurredAt ? campusDay(new Date(offlineOccurredAt)) : purchase.campusDay;
}

/** A terminal refunds only its own purchases, on the day they were made; anything later is the card centre's. */
export function assertTerminalMayRefund(purchase: Pick<LedgerEntry, 'receiptNo' | 'type' | 'terminalId'>, saleDay: string, terminalId: string, today: string): void {
  if (purchase.type !== 'purchase') throw new AppError('REFUND_NOT_ALLOWED', `${purchase.receiptNo} is a ${purchase.type}`);
  if (purchase.terminalId !== terminalId) throw new AppError('REFUND_WRONG_TERMINAL', `${purchase.receiptNo} was taken by ${purchase.terminalId ?? 'no terminal'}, not ${terminalId}`);
  if (saleDay !== today) throw new AppError('REFUND_DAY_PASSED', `${purchase.receiptNo} was made on ${saleDay}, today is ${today}`);
}

/**
 * A duplicate charge is a second purchase of the same amount by the same holder at the same
 * merchant as the one it duplicates (the clerk says why in the reason); anything else is a
 * refund, not a duplicate.
 */
export function assertDuplicateCharge(
  duplicate: Pick<LedgerEntry, 'receiptNo' | 'type' | 'accountNo' | 'merchantId' | 'amountFen'>,
  original: Pick<LedgerEntry, 'receiptNo' | 'type' | 'accountNo' | 'merchantId' | 'amountFen'>,
): void {
  if (duplicate.type !== 'purchase') throw new AppError('REFUND_NOT_ALLOWED', `${duplicate.receiptNo} is a ${duplicate.type}`);
  if (
    original.type !== 'purchase' ||
    original.receiptNo === duplicate.receiptNo ||
    original.accountNo !== duplicate.accountNo ||
    original.merchantId !== duplicate.merchantId ||
    original.amountFen !== duplicate.amountFen
  ) {
    throw new AppError('DUPLICATE_CHARGE_MISMATCH', `${duplicate.receiptNo} does not duplicate ${original.receiptNo}`);
  }
}
