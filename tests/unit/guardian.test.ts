/** Guardian deposits (issue 18): what the payer sees of the holder, how names compare, who may receive, and the cap rule. */
import { describe, expect, it } from 'vitest';
import { AppError } from '../../functions/app-error';
import { assertWithinGuardianCap, canReceiveDeposit, maskedNameOf, nameMatches, normalizeName, roomBeforeFen } from '../../functions/domain/guardian';
import { DEFAULT_POLICY } from '../../functions/domain/policy';
import { guardianDepositBody } from '../../shared/api/guardian';

describe('the masked name the payer confirms', () => {
  it.each([
    ['张三明', '张*明'],
    ['欧阳娜娜', '欧**娜'],
    ['李四', '*四'],
    ['王', '*'],
    ['Anna Smith', 'A********h'],
  ])('%s → %s', (name, masked) => expect(maskedNameOf({ holderName: name })).toBe(masked));
});

describe('the name the payer typed', () => {
  it('matches the holder’s whatever spaces or full-width letters were typed', () => {
    expect(nameMatches(' 张 三明 ', '张三明')).toBe(true);
    expect(nameMatches('ＡＮＮＡ smith', 'Anna Smith')).toBe(true);
    expect(nameMatches('阿卜杜·热合曼', '阿卜杜热合曼')).toBe(true);
    expect(normalizeName('　李四　')).toBe('李四');
  });

  it('another name, or none, never matches', () => {
    expect(nameMatches('张三', '张三明')).toBe(false);
    expect(nameMatches('张*明', '张三明')).toBe(false);
    expect(nameMatches('', '张三明')).toBe(false);
    expect(nameMatches('   ', '')).toBe(false);
  });
});

describe('who can receive a deposit', () => {
  it('an active, lost or frozen account can; a closed or expired one cannot', () => {
    expect(canReceiveDeposit({ status: 'active' })).toBe(true);
    expect(canReceiveDeposit({ status: 'lost' })).toBe(true);
    expect(canReceiveDeposit({ status: 'frozen' })).toBe(true);
    expect(canReceiveDeposit({ status: 'cancelled' })).toBe(false);
    expect(canReceiveDeposit({ status: 'expired' })).toBe(false);
    expect(canReceiveDeposit({ status: 'active', closedAt: '2026-12-01T00:00:00.000Z' })).toBe(false);
  });
});

describe('the daily cap per payer', () => {
  const cap = 10_000;
  it('takes deposits up to the cap exactly, not a fen more', () => {
    expect(() => assertWithinGuardianCap(0, 10_000, cap)).not.toThrow();
    expect(() => assertWithinGuardianCap(7_000, 3_000, cap)).not.toThrow();
    const refusal = (() => {
      try {
        assertWithinGuardianCap(7_000, 3_001, cap);
      } catch (error) {
        return error;
      }
    })();
    expect(refusal).toBeInstanceOf(AppError);
    expect(refusal).toMatchObject({ code: 'GUARDIAN_DAILY_CAP_REACHED', params: { max: '100', left: '30' } });
  });

  it('the store’s condition: what may have been ordered before this deposit', () => {
    expect(roomBeforeFen(3_000, cap)).toBe(7_000);
    expect(roomBeforeFen(10_001, cap)).toBeLessThan(0);
  });

  it('is a campus policy setting with a default', () => {
    expect(DEFAULT_POLICY.guardianDailyCapFen).toBe(200_000);
  });
});

describe('the deposit request', () => {
  const good = { personId: '2024001', name: '张三明', amountFen: 5_000, channel: 'wechat', payerLabel: '妈妈' };
  it('takes a short payer label and trims it', () => {
    expect(guardianDepositBody.parse({ ...good, payerLabel: ' 爸爸 ' }).payerLabel).toBe('爸爸');
  });
  it.each([
    ['too long', { payerLabel: '一二三四五六七八九' }],
    ['empty', { payerLabel: '  ' }],
    ['on two lines', { payerLabel: '妈\n妈' }],
    ['markup', { payerLabel: '<b>妈</b>' }],
    ['an id with symbols', { personId: '2024-001' }],
    ['a fraction of a fen', { amountFen: 50.5 }],
    ['another channel', { channel: 'bank' }],
  ])('refuses a label or field that is %s', (_what, change) => {
    expect(guardianDepositBody.safeParse({ ...good, ...change }).success).toBe(false);
  });
});
