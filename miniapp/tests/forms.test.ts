import { describe, expect, it } from 'vitest';
import { checkBinding, checkPasswordChange, isSixDigits, parseDailyLimit, parseTopupAmount, TOPUP_CHIPS_FEN } from '../src/lib/forms';

const good = { personId: '2024000002', cardPassword: '070022', idType: 'id_card', idNumber: '11010520020707002x', mobile: '138 0000 0002' };

describe('the binding form', () => {
  it('sends what people type loosely, tidied: the X upper-cased, spaces out of the mobile', () => {
    const checked = checkBinding(good, 'binding-token');
    expect(checked).toEqual({ ok: true, request: { ...good, bindingToken: 'binding-token', idNumber: '11010520020707002X', mobile: '13800000002' } });
  });

  it.each([
    ['personId', { personId: '2024-0002' }, 'bind.invalid.personId'],
    ['cardPassword', { cardPassword: '12345' }, 'bind.invalid.cardPassword'],
    ['idNumber', { idNumber: '123' }, 'bind.invalid.idNumber'],
    ['mobile', { mobile: '12345' }, 'bind.invalid.mobile'],
  ] as const)('says what is wrong with %s, in words', (field, change, words) => {
    const checked = checkBinding({ ...good, ...change });
    expect(checked).toEqual({ ok: false, errors: { [field]: words } });
  });
});

describe('passwords and limits', () => {
  it('a new password is 6 digits, typed twice alike', () => {
    expect(checkPasswordChange({ oldPassword: '070022', newPassword: '135790', confirmPassword: '135790' })).toEqual({ ok: true });
    expect(checkPasswordChange({ oldPassword: '0700', newPassword: '13579a', confirmPassword: '13579a' })).toEqual({ ok: false, errors: { oldPassword: 'form.sixDigits', newPassword: 'form.sixDigits' } });
    expect(checkPasswordChange({ oldPassword: '070022', newPassword: '135790', confirmPassword: '135791' })).toEqual({ ok: false, errors: { confirmPassword: 'settings.mismatch' } });
    expect(isSixDigits('000000')).toBe(true);
    expect(isSixDigits('00000')).toBe(false);
  });

  // The campus policy's numbers as the account view sends them (the defaults), and a stricter campus.
  const policy = { maxDailyLimitFen: 60_000, onlineTopupMinFen: 100, onlineTopupMaxFen: 99_900 };
  const strict = { ...policy, maxDailyLimitFen: 30_000, onlineTopupMinFen: 1_000, onlineTopupMaxFen: 50_000 };

  it('the daily limit is whole yuan from 0 to the campus maximum the server sends', () => {
    expect(parseDailyLimit('0', policy)).toBe(0);
    expect(parseDailyLimit('600', policy)).toBe(60_000);
    expect(parseDailyLimit(' 80 ', policy)).toBe(8_000);
    for (const bad of ['601', '12.5', '-1', '', 'abc', '1e2']) expect(parseDailyLimit(bad, policy)).toBeUndefined();
    expect(parseDailyLimit('300', strict)).toBe(30_000);
    expect(parseDailyLimit('400', strict)).toBeUndefined();
  });

  it('a top-up is within the online range the server sends, with at most two decimals; the chips are 20, 50, 100, 200', () => {
    expect(TOPUP_CHIPS_FEN).toEqual([2_000, 5_000, 10_000, 20_000]);
    expect(parseTopupAmount('1', policy)).toBe(100);
    expect(parseTopupAmount('999', policy)).toBe(99_900);
    expect(parseTopupAmount('12.34', policy)).toBe(1_234);
    for (const bad of ['0.99', '999.01', '1.234', 'abc', '', '-5', '1e3']) expect(parseTopupAmount(bad, policy)).toBeUndefined();
    expect(parseTopupAmount('5', strict)).toBeUndefined();
    expect(parseTopupAmount('600', strict)).toBeUndefined();
  });
});
