import { describe, expect, it } from 'vitest';
import { AppError } from '../../functions/app-error';
import { DEFAULT_DAILY_LIMIT_FEN, maskHolderName, type Account } from '../../functions/domain/account';
import { campusDay } from '../../functions/domain/campus-day';
import { fingerprint } from '../../functions/domain/fingerprint';
import { planPurchase, planTopup } from '../../functions/domain/movement-plans';

const account: Account = {
  accountNo: '10001',
  personId: '2024000001',
  holderName: '张三',
  cardType: 'student',
  status: 'active',
  balanceFen: 1_000,
  transitionalFen: 0,
  smallWalletFen: 0,
  dailySpentFen: 700,
  dailySpentDay: '2026-11-23',
  dailyLimitFen: DEFAULT_DAILY_LIMIT_FEN,
  version: 4,
  createdAt: '2026-09-01T00:00:00.000Z',
};
const purchase = { amountFen: 300, channel: 'pos' as const, merchantId: 'M1', terminalId: 'T1', externalRef: 'x' };

function refusal(run: () => unknown): string | undefined {
  try {
    run();
  } catch (error) {
    if (error instanceof AppError) return error.code;
    throw error;
  }
  return undefined;
}

describe('campus day (Asia/Shanghai)', () => {
  it.each([
    ['2026-11-22T15:59:59.999Z', '2026-11-22'],
    ['2026-11-22T16:00:00.000Z', '2026-11-23'],
    ['2026-12-31T16:00:00.000Z', '2027-01-01'],
    ['2026-07-01T03:00:00.000Z', '2026-07-01'],
  ])('%s is campus day %s', (iso, day) => expect(campusDay(new Date(iso))).toBe(day));
});

describe('planning a purchase', () => {
  it('takes the amount from the balance and adds it to today’s spending', () => {
    const plan = planPurchase(account, purchase, '2026-11-23');
    expect(plan.after).toEqual({ balanceFen: 700, transitionalFen: 0, smallWalletFen: 0 });
    expect(plan.entry.delta).toEqual({ balanceFen: -300, transitionalFen: 0, smallWalletFen: 0 });
    expect(plan.dailySpentFen).toBe(1_000);
  });

  it('starts a new campus day’s spending from zero', () => {
    expect(planPurchase(account, purchase, '2026-11-24').dailySpentFen).toBe(300);
  });

  it('may spend the balance to exactly zero, never below', () => {
    expect(planPurchase(account, { ...purchase, amountFen: 1_000 }, '2026-11-23').after.balanceFen).toBe(0);
    expect(refusal(() => planPurchase(account, { ...purchase, amountFen: 1_001 }, '2026-11-23'))).toBe('INSUFFICIENT_BALANCE');
  });

  it.each([
    ['lost', 'CARD_LOST'],
    ['frozen', 'CARD_FROZEN'],
    ['cancelled', 'CARD_CANCELLED'],
    ['expired', 'CARD_EXPIRED'],
  ] as const)('refuses a %s account with %s', (status, code) => {
    expect(refusal(() => planPurchase({ ...account, status }, purchase, '2026-11-23'))).toBe(code);
  });

  it('refuses a temporary card after its last valid day', () => {
    const temporary = { ...account, cardType: 'temporary' as const, expiresOn: '2026-11-22' };
    expect(refusal(() => planPurchase(temporary, purchase, '2026-11-23'))).toBe('CARD_EXPIRED');
    expect(refusal(() => planPurchase(temporary, purchase, '2026-11-22'))).toBeUndefined();
  });

  it('a top-up credits the balance and refuses a closed account', () => {
    expect(planTopup(account, { amountFen: 500, channel: 'counter', externalRef: 'r' }, '2026-11-23').after.balanceFen).toBe(1_500);
    expect(refusal(() => planTopup({ ...account, status: 'cancelled' }, { amountFen: 1, channel: 'counter', externalRef: 'r' }, '2026-11-23'))).toBe(
      'CARD_CANCELLED',
    );
  });
});

describe('small rules', () => {
  it.each([
    ['张三明', '张*明'],
    ['李四', '*四'],
    ['王', '*'],
    ['欧阳娜娜', '欧**娜'],
  ])('masks %s as %s', (name, masked) => expect(maskHolderName(name)).toBe(masked));

  it('fingerprints ignore key order and see every value', () => {
    expect(fingerprint({ a: 1, b: 'x' })).toBe(fingerprint({ b: 'x', a: 1 }));
    expect(fingerprint({ a: 1, b: 'x' })).not.toBe(fingerprint({ a: 2, b: 'x' }));
  });
});
