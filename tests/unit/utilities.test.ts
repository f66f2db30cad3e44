/** Utility payment rules, pure: ISO weeks in Beijing, the network fee quote, who may pay, amounts, retry backoff, the movement plans, and the delivery protocol's signatures. */
import { describe, expect, it } from 'vitest';
import { AppError } from '../../functions/app-error';
import type { Account } from '../../functions/domain/account';
import { auditAccount, entryKindProblem } from '../../functions/domain/audit';
import { campusDay } from '../../functions/domain/campus-day';
import type { LedgerEntry } from '../../functions/domain/ledger';
import { planTopup, planUtilityPayment, planUtilityRefund } from '../../functions/domain/movement-plans';
import {
  addWeeks,
  assertElectricityAmount,
  assertNetworkEligible,
  deliveryRetryDelaySeconds,
  firstUnpaidWeek,
  isIsoWeek,
  isoWeekOf,
  quoteNetworkFee,
  UTILITY_POLICY,
  weekDays,
} from '../../functions/domain/utilities';
import { startFakeElectricity } from '../../functions/local/fake-electricity';
import { createHttpElectricityAdapter } from '../../functions/payments/electricity';
import { parseDeliveryState, UtilitySystemUnavailable } from '../../functions/payments/utility-system';

const refusal = (fn: () => unknown) => {
  try {
    fn();
  } catch (error) {
    return error instanceof AppError ? { code: error.code, params: error.params } : error;
  }
  return undefined;
};

describe('ISO weeks (Asia/Shanghai)', () => {
  it.each([
    ['2026-12-01', '2026-W49'],
    ['2026-01-01', '2026-W01'], // a Thursday: week 1 of its own year
    ['2025-12-29', '2026-W01'], // Monday of the week holding 1 January 2026
    ['2027-01-01', '2026-W53'], // 2026 has 53 weeks
    ['2027-01-03', '2026-W53'],
    ['2027-01-04', '2027-W01'],
    ['2021-01-03', '2020-W53'],
    ['2024-12-30', '2025-W01'],
  ])('%s is in %s', (day, week) => {
    expect(isoWeekOf(day)).toBe(week);
  });

  it('counts the Beijing day: Sunday 23:30 UTC is already Monday, the next week', () => {
    expect(isoWeekOf(campusDay(new Date('2026-11-29T15:59:00Z')))).toBe('2026-W48');
    expect(isoWeekOf(campusDay(new Date('2026-11-29T16:00:00Z')))).toBe('2026-W49');
  });

  it('steps across year ends and names each week\'s days', () => {
    expect(addWeeks('2026-W52', 1)).toBe('2026-W53');
    expect(addWeeks('2026-W53', 1)).toBe('2027-W01');
    expect(addWeeks('2027-W01', -1)).toBe('2026-W53');
    expect(addWeeks('2025-W52', 1)).toBe('2026-W01');
    expect(weekDays('2026-W53')).toEqual({ from: '2026-12-28', to: '2027-01-03' });
    expect(weekDays('2026-W01')).toEqual({ from: '2025-12-29', to: '2026-01-04' });
  });

  it.each([
    ['2026-W53', true],
    ['2025-W53', false],
    ['2026-W00', false],
    ['2026-W54', false],
    ['2026-49', false],
  ])('%s is a week: %s', (week, ok) => {
    expect(isIsoWeek(week)).toBe(ok);
  });
});

describe('the network fee quote', () => {
  const now = '2026-W49';
  it.each([
    [[], now],
    [['2026-W49'], '2026-W50'],
    [['2026-W49', '2026-W50', '2026-W52'], '2026-W51'],
    [['2026-W47', '2026-W48'], now], // past weeks do not move the start
  ])('paid %j: the next payment starts at %s', (paid, next) => {
    expect(firstUnpaidWeek(now, paid)).toBe(next);
  });

  it('buys consecutive weeks from the first unpaid one at the weekly fee', () => {
    expect(quoteNetworkFee({ currentWeek: '2026-W52', paid: ['2026-W52'], fromWeek: '2026-W53', weeks: 3 })).toEqual({
      weeks: ['2026-W53', '2027-W01', '2027-W02'],
      amountFen: 3 * UTILITY_POLICY.networkWeeklyFeeFen,
    });
  });

  it.each([
    ['no weeks', { paid: [], fromWeek: now, weeks: 0 }, { code: 'NETWORK_WEEKS_OUT_OF_RANGE', params: { max: 4 } }],
    ['5 weeks', { paid: [], fromWeek: now, weeks: 5 }, { code: 'NETWORK_WEEKS_OUT_OF_RANGE', params: { max: 4 } }],
    ['a fraction', { paid: [], fromWeek: now, weeks: 1.5 }, { code: 'NETWORK_WEEKS_OUT_OF_RANGE', params: { max: 4 } }],
    ['a week paid', { paid: ['2026-W49'], fromWeek: now, weeks: 1 }, { code: 'NETWORK_WEEK_ALREADY_PAID', params: { week: '2026-W49' } }],
    ['a range over a paid week (a gap before it)', { paid: ['2026-W49', '2026-W51'], fromWeek: '2026-W50', weeks: 2 }, { code: 'NETWORK_WEEK_ALREADY_PAID', params: { week: '2026-W51' } }],
    ['a start after the first unpaid week', { paid: [], fromWeek: '2026-W50', weeks: 1 }, { code: 'NETWORK_WEEK_NOT_NEXT', params: { week: now } }],
    ['a past week', { paid: [], fromWeek: '2026-W48', weeks: 2 }, { code: 'NETWORK_WEEK_NOT_NEXT', params: { week: now } }],
    ['no such week', { paid: [], fromWeek: '2025-W53', weeks: 1 }, { code: 'VALIDATION_FAILED', params: undefined }],
  ])('refuses %s', (_name, input, expected) => {
    expect(refusal(() => quoteNetworkFee({ currentWeek: now, ...input }))).toEqual(expected);
  });

  it.each([
    ['student', 'registered', undefined],
    ['student', 'suspended', 'NETWORK_ACCOUNT_SUSPENDED'],
    ['student', 'unknown', 'NETWORK_ACCOUNT_NOT_REGISTERED'],
    ['staff', 'registered', 'NETWORK_FEE_STUDENTS_ONLY'],
    ['temporary', 'registered', 'NETWORK_FEE_STUDENTS_ONLY'],
  ] as const)('a %s with a %s network account: %s', (cardType, status, code) => {
    expect((refusal(() => assertNetworkEligible(cardType, status)) as { code?: string } | undefined)?.code).toBe(code);
  });
});

describe('electricity amounts and delivery backoff', () => {
  it.each([
    [UTILITY_POLICY.electricityMinFen, undefined],
    [UTILITY_POLICY.electricityMaxFen, undefined],
    [UTILITY_POLICY.electricityMinFen - 1, 'ELECTRICITY_AMOUNT_OUT_OF_RANGE'],
    [UTILITY_POLICY.electricityMaxFen + 1, 'ELECTRICITY_AMOUNT_OUT_OF_RANGE'],
    [150.5, 'ELECTRICITY_AMOUNT_OUT_OF_RANGE'],
  ])('%d fen: %s', (amountFen, code) => {
    const refused = refusal(() => assertElectricityAmount(amountFen)) as { code: string; params: object } | undefined;
    expect(refused?.code).toBe(code);
    if (code) expect(refused!.params).toEqual({ min: UTILITY_POLICY.electricityMinFen / 100, max: UTILITY_POLICY.electricityMaxFen / 100 });
  });

  it.each([
    [1, 60],
    [2, 120],
    [3, 240],
    [6, 1_920],
    [7, 3_600],
    [40, 3_600],
  ])('after %d failed tries the next waits %d s', (attempts, seconds) => {
    expect(deliveryRetryDelaySeconds(attempts)).toBe(seconds);
  });
});

describe('the movements', () => {
  const today = '2026-12-01';
  const account = { accountNo: '10001', status: 'active', cardType: 'student', balanceFen: 10_000, transitionalFen: 0, smallWalletFen: 0, dailyLimitFen: 5_000, dailySpentFen: 4_000, dailySpentDay: today } as Account;
  const request = { amountFen: 1_000, channel: 'app' as const, externalRef: 'r1', merchantId: 'M007', reason: '电费 3-512' };

  it('a utility payment moves the balance to the utility merchant and counts toward today', () => {
    const plan = planUtilityPayment(account, request, today);
    expect(plan.entry).toMatchObject({ type: 'utility_payment', amountFen: 1_000, merchantId: 'M007', transfers: [{ debit: 'holder:10001:balance', credit: 'merchant:M007:payable', amountFen: 1_000 }] });
    expect(plan.after.balanceFen).toBe(9_000);
    expect(plan.dailySpentFen).toBe(5_000);
  });

  it('above the daily limit it needs the consumption password; a lost card cannot pay', () => {
    expect((refusal(() => planUtilityPayment(account, { ...request, amountFen: 1_001 }, today)) as { code: string }).code).toBe('PASSWORD_REQUIRED');
    expect(planUtilityPayment(account, { ...request, amountFen: 1_001, consumptionPasswordVerified: true }, today).after.balanceFen).toBe(8_999);
    expect((refusal(() => planUtilityPayment({ ...account, status: 'lost' }, request, today)) as { code: string }).code).toBe('CARD_LOST');
  });

  it('the refund gives the whole payment back from the same merchant, naming it; nothing else can be refunded this way', () => {
    const payment = { receiptNo: 'P1', accountNo: '10001', type: 'utility_payment' as const, merchantId: 'M007', amountFen: 1_000 };
    const plan = planUtilityRefund({ ...account, status: 'lost' }, { ...request, payment }, today);
    expect(plan.entry).toMatchObject({ type: 'refund', refundOf: 'P1', transfers: [{ debit: 'merchant:M007:payable', credit: 'holder:10001:balance', amountFen: 1_000 }] });
    for (const wrong of [{ ...payment, type: 'purchase' as const }, { ...payment, merchantId: 'M006' }, { ...payment, amountFen: 2_000 }, { ...payment, accountNo: '10002' }]) {
      expect((refusal(() => planUtilityRefund(account, { ...request, payment: wrong }, today)) as { code: string }).code).toBe('REFUND_NOT_ALLOWED');
    }
  });

  it('the audit knows the kind: a top-up, a utility payment and its refund are clean; a utility payment that credits the holder is not', () => {
    const zero = { ...account, balanceFen: 0, dailySpentFen: 0 } as Account;
    const stamp = (id: string, draft: ReturnType<typeof planTopup>): LedgerEntry =>
      ({ ...draft.entry, entryId: id, receiptNo: id, accountNo: '10001', after: draft.after, createdAt: '2026-12-01T02:00:00.000Z', campusDay: today }) as LedgerEntry;
    const topup = stamp('01A', planTopup(zero, { amountFen: 10_000, channel: 'counter', externalRef: 't1' }, today));
    const paid = stamp('01B', planUtilityPayment({ ...zero, balanceFen: 10_000 }, request, today));
    const refund = stamp('01C', planUtilityRefund({ ...zero, balanceFen: 9_000 }, { ...request, payment: paid }, today));
    expect(auditAccount({ ...zero, balanceFen: 10_000 }, [topup, paid, refund])).toEqual([]);
    expect(entryKindProblem({ type: 'utility_payment', amountFen: 1_000, delta: { balanceFen: 1_000, transitionalFen: 0, smallWalletFen: 0 } })).toContain('changes');
  });
});

describe('the delivery protocol', () => {
  it.each([
    [{ state: 'delivered', systemRef: 'E1' }, { state: 'delivered', systemRef: 'E1' }],
    [{ state: 'rejected', reason: 'ROOM_CLOSED' }, { state: 'rejected', reason: 'ROOM_CLOSED' }],
    [{ state: 'cancelled' }, { state: 'cancelled' }],
  ])('reads %j', (answer, state) => {
    expect(parseDeliveryState(answer)).toEqual(state);
  });

  it.each([[{ state: 'delivered' }], [{ state: 'rejected' }], [{ state: 'ok' }], [null], ['delivered']])('does not believe %j (unavailable: retry)', (answer) => {
    expect(() => parseDeliveryState(answer)).toThrow(UtilitySystemUnavailable);
  });

  it('answers not signed with our shared key are not believed, and a forged request is refused by the system', async () => {
    const fake = await startFakeElectricity();
    try {
      expect(await createHttpElectricityAdapter(fake.config).roomStatus('3-512')).toBe('open');
      const forged = createHttpElectricityAdapter({ ...fake.config, apiKey: 'not-the-key' });
      await expect(forged.roomStatus('3-512')).rejects.toBeInstanceOf(UtilitySystemUnavailable);
      await expect(forged.deliver({ deliveryId: 'D1', roomId: '3-512', amountFen: 100 })).rejects.toBeInstanceOf(UtilitySystemUnavailable);
      expect(fake.creditedFen('3-512')).toBe(0);
      expect(fake.calls('/recharges')).toBe(0);
    } finally {
      await fake.close();
    }
  });
});
