/** The merchant and terminal rules that need no database: terms, the masked settlement account, activation codes, who may refund when. */
import { describe, expect, it } from 'vitest';
import { AppError } from '../../functions/app-error';
import type { LedgerEntry } from '../../functions/domain/ledger';
import {
  activationCodeHash,
  assertDuplicateCharge,
  assertTerminalMayRefund,
  canSign,
  maskAccountNumber,
  MERCHANT_TERMS,
  newActivationCode,
  pendingActivation,
  purchaseDay,
  settlementAccountMatches,
  settlementAccountOf,
  TERMINAL_POLICY,
  withMerchantTerms,
} from '../../functions/domain/merchant';
import { ACTIVATION_CODE_PATTERN, normalizeActivationCode } from '../../shared/terminal-activation';

function codeOf(run: () => void): string {
  try {
    run();
    return 'OK';
  } catch (error) {
    if (error instanceof AppError) return error.code;
    throw error;
  }
}

describe('merchant terms', () => {
  it('default to the agreement: 0.5% (50 bps), weekly', () => {
    const merchant = withMerchantTerms({ merchantId: 'M1', name: '一食堂', category: 'canteen', status: 'active', createdAt: '2026-12-01T00:00:00.000Z' });
    expect(merchant).toMatchObject({ feeRateBps: 50, settlementPeriod: 'weekly' });
    expect(MERCHANT_TERMS.defaultFeeRateBps).toBe(50);
    expect(withMerchantTerms({ ...merchant, feeRateBps: 0, settlementPeriod: 'monthly' })).toMatchObject({ feeRateBps: 0, settlementPeriod: 'monthly' });
  });
});

describe('the settlement account', () => {
  const key = 'test-identity-key';

  it.each([
    ['6222020012345678', '6222 **** **** 5678'],
    ['6222 0200 1234 5678 901', '6222 **** **** 8901'],
    ['1100-1234-5678', '1100 **** **** 5678'],
  ])('%s is kept as %s', (number, masked) => {
    expect(maskAccountNumber(number)).toBe(masked);
  });

  it('keeps only the mask and a keyed digest, and checks a number given later against the digest', () => {
    const account = settlementAccountOf(key, { bankName: '中国工商银行', accountName: '第一食堂', accountNumber: '6222 0200 1234 5678' });
    expect(JSON.stringify(account)).not.toContain('62220200');
    expect(JSON.stringify(account)).not.toContain('0200 1234');
    expect(settlementAccountMatches(key, account, '6222020012345678')).toBe(true);
    expect(settlementAccountMatches(key, account, '6222-0200-1234-5678')).toBe(true);
    // Same first and last four digits, another account: the mask cannot tell, the digest can.
    expect(settlementAccountMatches(key, account, '6222020099995678')).toBe(false);
    expect(settlementAccountMatches('another-key', account, '6222020012345678')).toBe(false);
    expect(settlementAccountMatches(key, undefined, '6222020012345678')).toBe(false);
  });
});

describe('activation codes', () => {
  it('are 16 Crockford base32 characters (80 bits) in groups of four, different every time', () => {
    const codes = new Set(Array.from({ length: 200 }, () => newActivationCode()));
    expect(codes.size).toBe(200);
    for (const code of codes) {
      expect(code).toMatch(/^[0-9A-HJKMNP-TV-Z]{4}(-[0-9A-HJKMNP-TV-Z]{4}){3}$/);
      expect(ACTIVATION_CODE_PATTERN.test(normalizeActivationCode(code))).toBe(true);
    }
  });

  it('hash alike however they are typed (case, dashes, spaces, O for 0, I and L for 1)', () => {
    const hash = activationCodeHash('K7QM-3XTR-9BWD-2H10');
    expect(activationCodeHash('k7qm 3xtr 9bwd 2hio')).toBe(hash);
    expect(activationCodeHash('K7QM3XTR9BWD2HL0')).toBe(hash);
    expect(activationCodeHash('K7QM-3XTR-9BWD-2H11')).not.toBe(hash);
  });

  it('live for the policy time and keep only the hash', () => {
    const now = new Date('2026-12-01T02:00:00.000Z');
    const code = newActivationCode();
    const pending = pendingActivation(code, now);
    expect(Date.parse(pending.expiresAt) - now.getTime()).toBe(TERMINAL_POLICY.activationCodeHours * 3_600_000);
    expect(JSON.stringify(pending)).not.toContain(normalizeActivationCode(code));
    expect(JSON.stringify(pending)).not.toContain(code);
  });

  it('a terminal signs only once activated', () => {
    const base = { terminalId: 'T1', merchantId: 'M1', place: 'x', createdAt: '2026-12-01T00:00:00.000Z' };
    expect(canSign({ ...base, status: 'pending_activation' })).toBe(false);
    expect(canSign({ ...base, status: 'active', secret: 's' })).toBe(true);
    expect(canSign({ ...base, status: 'disabled', secret: 's' })).toBe(true);
    expect(canSign({ ...base, status: 'disabled' })).toBe(false);
  });
});

describe('who may refund a purchase, and when', () => {
  const purchase = { receiptNo: 'R1', type: 'purchase', terminalId: 'POS-1' } as const;

  it.each([
    ['its own terminal, the same day', purchase, '2026-12-01', 'POS-1', 'OK'],
    ['another terminal', purchase, '2026-12-01', 'POS-2', 'REFUND_WRONG_TERMINAL'],
    ['its own terminal, a later day', purchase, '2026-11-30', 'POS-1', 'REFUND_DAY_PASSED'],
    ['not a purchase (a top-up)', { ...purchase, type: 'topup' as const }, '2026-12-01', 'POS-1', 'REFUND_NOT_ALLOWED'],
    ['a purchase no terminal took', { receiptNo: 'R1', type: 'purchase' as const }, '2026-12-01', 'POS-1', 'REFUND_WRONG_TERMINAL'],
  ])('%s → %s', (_name, entry, saleDay, terminalId, expected) => {
    expect(codeOf(() => assertTerminalMayRefund(entry as Pick<LedgerEntry, 'receiptNo' | 'type' | 'terminalId'>, saleDay, terminalId, '2026-12-01'))).toBe(expected);
  });

  it("an offline sale's day is the day it happened at the till, not its upload day", () => {
    // 23:50 Beijing on 30 November, uploaded on 1 December.
    expect(purchaseDay({ channel: 'offline_pos', campusDay: '2026-12-01' }, '2026-11-30T15:50:00.000Z')).toBe('2026-11-30');
    expect(purchaseDay({ channel: 'pos', campusDay: '2026-12-01' }, '2026-11-30T15:50:00.000Z')).toBe('2026-12-01');
    expect(purchaseDay({ channel: 'offline_pos', campusDay: '2026-12-01' })).toBe('2026-12-01');
  });
});

describe('a duplicate charge', () => {
  const original = { receiptNo: 'A', type: 'purchase', accountNo: '100001', merchantId: 'M1', amountFen: 1_250 } as const;
  const duplicate = { ...original, receiptNo: 'B' };

  it.each([
    ['the same holder, merchant and amount', duplicate, original, 'OK'],
    ['another amount', { ...duplicate, amountFen: 1_300 }, original, 'DUPLICATE_CHARGE_MISMATCH'],
    ['another holder', { ...duplicate, accountNo: '100002' }, original, 'DUPLICATE_CHARGE_MISMATCH'],
    ['another merchant', { ...duplicate, merchantId: 'M2' }, original, 'DUPLICATE_CHARGE_MISMATCH'],
    ['itself', original, original, 'DUPLICATE_CHARGE_MISMATCH'],
    ['of a top-up', duplicate, { ...original, type: 'topup' as const }, 'DUPLICATE_CHARGE_MISMATCH'],
    ['a top-up as the duplicate', { ...duplicate, type: 'topup' as const }, original, 'REFUND_NOT_ALLOWED'],
  ])('%s → %s', (_name, dup, orig, expected) => {
    expect(codeOf(() => assertDuplicateCharge(dup, orig))).toBe(expected);
  });
});
