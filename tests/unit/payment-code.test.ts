/** Payment codes (付款码) at campus terminals: which platform a code is, and the waiting rule while the payer types a password. */
import { describe, expect, it } from 'vitest';
import { classifyCode, maskCode, nextStep, PAYMENT_CODE_POLICY, retryAfterSeconds, type CodeKind, type OpenIntentView } from '../../functions/domain/payment-code';
import { PENDING_TIMEOUT_SECONDS } from '../../functions/domain/pending';
import { generateDeviceKeyPair, signQrToken, timeStepAt } from '../../shared/qr-token';

describe('telling codes apart', () => {
  const campus = (() => {
    const { privateKey } = generateDeviceKeyPair();
    return signQrToken({ version: 1, purpose: 'pay', keyId: 7, timeStep: timeStepAt(Date.now()), counter: 0 }, privateKey);
  })();

  it.each<[string, string, CodeKind]>([
    ['WeChat, 18 digits starting 10', '100000000000000000', 'wechat'],
    ['WeChat, 18 digits starting 13', '134567890123456789', 'wechat'],
    ['WeChat, 18 digits starting 15', '159999999999999999', 'wechat'],
    ['18 digits starting 16: neither', '160000000000000000', 'unknown'],
    ['18 digits starting 09: neither', '090000000000000000', 'unknown'],
    ['WeChat prefix but 17 digits', '13456789012345678', 'unknown'],
    ['WeChat prefix but 19 digits', '1345678901234567890', 'unknown'],
    ['Alipay, 16 digits starting 25', '2500000000000000', 'alipay'],
    ['Alipay, 18 digits starting 28', '281234567890123456', 'alipay'],
    ['Alipay, 24 digits starting 30', '300000000000000000000000', 'alipay'],
    ['Alipay prefix, 15 digits', '280000000000000', 'unknown'],
    ['Alipay prefix, 25 digits', '2800000000000000000000000', 'unknown'],
    ['starting 31: neither', '3100000000000000', 'unknown'],
    ['starting 24: neither', '2400000000000000', 'unknown'],
    ['letters in it', '13456789012345678A', 'unknown'],
    ['spaces around it', ' 134567890123456789', 'unknown'],
    ['empty', '', 'unknown'],
    ['a campus code (EC1…)', campus, 'campus'],
    ['a campus code cut short', campus.slice(0, 40), 'campus'],
    ['a URL from another QR code', 'https://example.com/pay?x=1', 'unknown'],
  ])('%s → %s', (_name, code, kind) => {
    expect(classifyCode(code)).toBe(kind);
  });

  it('keeps only the ends of a code', () => {
    expect(maskCode('134567890123456789')).toBe('1345**********6789');
  });
});

describe('the waiting rule', () => {
  const created = new Date('2026-12-01T04:00:00.000Z');
  const at = (seconds: number) => new Date(created.getTime() + seconds * 1000);
  const sale = (fields: Partial<OpenIntentView> = {}): OpenIntentView => ({ state: 'pending', timeoutAt: at(PAYMENT_CODE_POLICY.cancelAfterSeconds).toISOString(), ...fields });

  it('the pending transfer times out when the wait ends (one policy value)', () => {
    expect(PENDING_TIMEOUT_SECONDS.payment_code).toBe(PAYMENT_CODE_POLICY.cancelAfterSeconds);
    expect(PAYMENT_CODE_POLICY.queryEverySeconds).toBeGreaterThanOrEqual(3);
    expect(PAYMENT_CODE_POLICY.queryEverySeconds).toBeLessThanOrEqual(5);
  });

  it.each<[string, Partial<OpenIntentView>, number, ReturnType<typeof nextStep>]>([
    ['never asked', {}, 1, 'query'],
    ['asked 2 s ago', { lastAskedAt: at(0).toISOString() }, 2, 'wait'],
    ['asked 4.9 s ago', { lastAskedAt: at(10).toISOString() }, 14.9, 'wait'],
    ['asked 5 s ago', { lastAskedAt: at(10).toISOString() }, 15, 'query'],
    ['the wait is over, last asked long ago: ask once more first', { lastAskedAt: at(30).toISOString() }, 45, 'query'],
    ['the wait is over, just asked: cancel', { lastAskedAt: at(44).toISOString() }, 46, 'cancel'],
    ['a cancel started: cancel again whatever the clock', { cancelRequestedAt: at(46).toISOString(), lastAskedAt: at(46).toISOString() }, 47, 'cancel'],
    ['posted', { state: 'posted' }, 100, 'done'],
    ['voided', { state: 'voided', cancelRequestedAt: at(46).toISOString() }, 100, 'done'],
  ])('%s → %s', (_name, fields, seconds, step) => {
    expect(nextStep(sale(fields), at(seconds))).toBe(step);
  });

  it('tells the terminal to ask again every few seconds, never long past the end of the wait', () => {
    expect(retryAfterSeconds(sale(), at(0))).toBe(PAYMENT_CODE_POLICY.queryEverySeconds);
    expect(retryAfterSeconds(sale(), at(43))).toBe(2);
    expect(retryAfterSeconds(sale(), at(60))).toBe(1);
  });
});
