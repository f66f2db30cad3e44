/** Settlement arithmetic, pure: the fee and its rounding, periods and their boundaries, what a payable's entries add up to, and the CSV. */
import { parse } from 'csv-parse/sync';
import { describe, expect, it } from 'vitest';
import { holder, system, type Transfer } from '../../functions/domain/chart';
import {
  closablePeriods,
  feeOf,
  isClosable,
  parseStatementId,
  periodContaining,
  periodCsv,
  periodEnd,
  SETTLEMENT_GRACE_MINUTES,
  statementCsv,
  statementIdOf,
  statementKindsOf,
  statementOf,
  statementTotals,
  type PayableEntry,
} from '../../functions/domain/settlement';

describe('the fee: once per statement, half-up to the fen', () => {
  it.each([
    // [base fen, rate bps, fee fen]
    [0, 50, 0], // nothing earned, no fee
    [-1_000, 50, 0], // refunds above turnover: no fee, and never a fee paid back
    [-1, 50, 0],
    [1, 50, 0], // 0.005 fen
    [99, 50, 0], // 0.495 fen: below half, down
    [100, 50, 1], // 0.5 fen exactly: half, up
    [101, 50, 1], // 0.505
    [299, 50, 1], // 1.495
    [300, 50, 2], // 1.5: up
    [10_000, 50, 50], // ¥100 at 0.5% = ¥0.50
    [123_456, 50, 617], // 617.28
    [123_500, 50, 618], // 617.5: up
    [123_499, 50, 617], // 617.495
    [10_000_000, 50, 50_000],
    [1_999, 25, 5], // 4.9975
    [2_000, 25, 5], // 5.0
    [200, 25, 1], // 0.5: up
    [199, 25, 0], // 0.4975
    [12_345, 0, 0], // a fee-free agreement
    [12_345, 10_000, 12_345], // 100%
    [1_000_000_000, 1_000, 100_000_000],
    [Number.MAX_SAFE_INTEGER, 10_000, Number.MAX_SAFE_INTEGER], // no float on the way
  ])('feeOf(%i fen, %i bps) = %i fen', (base, bps, fee) => expect(feeOf(base, bps)).toBe(fee));

  it.each([[1.5, 50], [100, 50.5], [100, -1], [100, 10_001], [Number.NaN, 50]])('refuses feeOf(%s, %s)', (base, bps) => expect(() => feeOf(base, bps)).toThrow(RangeError));

  it('is the fee of the statement, not the sum of fees per payment (a hundred 1-fen-fee purchases are not 100 fen of fee)', () => {
    const entries = Array.from({ length: 100 }, (_, i) => purchase(`01KB${String(i).padStart(22, '0')}`, '2026-11-30', 100));
    const totals = statementTotals('M1', { from: '2026-11-30', to: '2026-12-06' }, entries, 50);
    expect(totals.turnoverFen).toBe(10_000);
    expect(totals.feeFen).toBe(50); // each payment's own rounding would give 100 × 1 = 100
  });
});

const W = (entryId: string) => entryId.padEnd(26, '0');
function purchase(entryId: string, day: string, amountFen: number, accountNo = '10000001'): PayableEntry {
  return { entryId: W(entryId), type: 'purchase', campusDay: day, createdAt: `${day}T04:00:00.000Z`, transfers: [{ debit: holder.balance(accountNo), credit: system.merchantPayable('M1'), amountFen }] };
}
function refund(entryId: string, day: string, amountFen: number, extra: Partial<PayableEntry> = {}): PayableEntry {
  return { entryId: W(entryId), type: 'refund', campusDay: day, createdAt: `${day}T05:00:00.000Z`, transfers: [{ debit: system.merchantPayable('M1'), credit: holder.balance('10000001'), amountFen }], ...extra };
}

describe('what a payable’s entries add up to', () => {
  const week = { from: '2026-11-30', to: '2026-12-06' };

  it('turnover is every credit to the payable; refunds and duplicate-charge adjustments its debits; the settlement’s own entries are left out', () => {
    const water: PayableEntry = {
      entryId: W('01KB3'),
      type: 'small_wallet_settle',
      campusDay: '2026-12-01',
      createdAt: '2026-12-01T02:00:00.000Z',
      transfers: [
        { debit: holder.smallWallet('10000002'), credit: system.merchantPayable('M1'), amountFen: 230 },
        { debit: holder.smallWallet('10000002'), credit: holder.balance('10000002'), amountFen: 770 },
      ] as Transfer[],
    };
    const sale: PayableEntry = { entryId: W('01KB4'), type: 'payment_code_sale', campusDay: '2026-12-02', createdAt: '2026-12-02T02:00:00.000Z', transfers: [{ debit: system.clearing('wechat'), credit: system.merchantPayable('M1'), amountFen: 1_500 }] };
    const lastWeeksFee: PayableEntry = { entryId: W('01KB5'), type: 'merchant_fee', campusDay: '2026-11-30', createdAt: '2026-11-29T16:30:00.000Z', transfers: [{ debit: system.merchantPayable('M1'), credit: system.feeIncome, amountFen: 99 }] };
    const lastWeeksPayout: PayableEntry = { entryId: W('01KB6'), type: 'merchant_payout', campusDay: '2026-12-01', createdAt: '2026-12-01T02:00:00.000Z', transfers: [{ debit: system.merchantPayable('M1'), credit: system.clearing('bank'), amountFen: 9_000 }] };
    const entries = [
      purchase('01KB1', '2026-11-30', 10_000),
      purchase('01KB2', '2026-12-06', 2_000),
      water,
      sale,
      refund('01KB7', '2026-12-01', 500),
      refund('01KB8', '2026-12-02', 2_000, { refundCause: 'duplicate_charge', reason: '系统重复扣款' }),
      refund('01KB9', '2026-12-03', 300, { reason: 'duplicate_charge: POS retried' }),
      lastWeeksFee,
      lastWeeksPayout,
      purchase('01KB1', '2026-11-30', 10_000), // the same entry read twice
    ];
    const totals = statementTotals('M1', week, entries, 50);
    expect(totals).toMatchObject({
      entries: 7,
      turnoverFen: 10_000 + 2_000 + 230 + 1_500,
      refundsFen: 500,
      adjustmentsFen: 2_300,
      netTurnoverFen: 13_730 - 500 - 2_300,
      feeFen: feeOf(10_930, 50),
      netPayableFen: 10_930 - 55,
      firstEntryId: W('01KB1'),
      lastEntryId: W('01KB9'),
    });
    expect(totals.feeFen).toBe(55); // 54.65
    expect(totals.adjustments).toEqual([
      { entryId: W('01KB8'), amountFen: 2_000, reason: '系统重复扣款' },
      { entryId: W('01KB9'), amountFen: 300, reason: 'duplicate_charge: POS retried' },
    ]);
    expect(totals.days.map((d) => [d.day, d.entries, d.turnoverFen, d.refundsFen, d.adjustmentsFen])).toEqual([
      ['2026-11-30', 1, 10_000, 0, 0],
      ['2026-12-01', 2, 230, 500, 0],
      ['2026-12-02', 2, 1_500, 0, 2_000],
      ['2026-12-03', 1, 0, 0, 300],
      ['2026-12-04', 0, 0, 0, 0],
      ['2026-12-05', 0, 0, 0, 0],
      ['2026-12-06', 1, 2_000, 0, 0],
    ]);
  });

  it('refunds above the turnover: a negative net, no fee, nothing to pay', () => {
    const statement = statementOf({ merchantId: 'M1', name: '一食堂' }, { kind: 'weekly', ...week }, [purchase('01KB1', '2026-12-01', 1_000), refund('01KB2', '2026-12-02', 1_500)], new Date());
    expect(statement).toMatchObject({ netTurnoverFen: -500, feeFen: 0, netPayableFen: -500, status: 'nothing_to_pay', settles: true });
  });

  it('an empty period: zero everywhere, nothing to pay', () => {
    expect(statementOf({ merchantId: 'M1', name: '一食堂' }, { kind: 'weekly', ...week }, [], new Date())).toMatchObject({ entries: 0, turnoverFen: 0, feeFen: 0, netPayableFen: 0, status: 'nothing_to_pay' });
  });

  it('refuses an entry posted outside the period (the wrong days were read)', () => {
    expect(() => statementTotals('M1', week, [purchase('01KB1', '2026-12-07', 100)], 50)).toThrow(RangeError);
  });

  it('the agreement decides: weekly by default at 0.5%; a daily statement of a weekly merchant is a report without a fee', () => {
    const entries = [purchase('01KB1', '2026-12-01', 10_000)];
    const weekly = statementOf({ merchantId: 'M1', name: '一食堂' }, { kind: 'weekly', ...week }, entries, new Date());
    expect(weekly).toMatchObject({ statementId: 'W20261130-M1', settles: true, feeRateBps: 50, feeFen: 50, netPayableFen: 9_950, status: 'closed' });
    const report = statementOf({ merchantId: 'M1', name: '一食堂' }, periodContaining('daily', '2026-12-01'), entries, new Date());
    expect(report).toMatchObject({ statementId: 'D20261201-M1', settles: false, feeFen: 0, status: 'report' });
    const daily = statementOf({ merchantId: 'M1', name: '一食堂', settlementPeriod: 'daily', feeRateBps: 30 }, periodContaining('daily', '2026-12-01'), entries, new Date());
    expect(daily).toMatchObject({ settles: true, feeRateBps: 30, feeFen: 30, status: 'closed' });
    expect(statementKindsOf({})).toEqual(['daily', 'weekly']);
    expect(statementKindsOf({ settlementPeriod: 'daily' })).toEqual(['daily']);
    expect(statementKindsOf({ settlementPeriod: 'monthly' })).toEqual(['daily', 'monthly']);
  });
});

describe('periods (Asia/Shanghai) and their boundaries', () => {
  it.each([
    ['weekly', '2026-12-01', '2026-11-30', '2026-12-06'], // a Tuesday: Monday to Sunday
    ['weekly', '2026-11-30', '2026-11-30', '2026-12-06'], // the Monday itself
    ['weekly', '2026-12-06', '2026-11-30', '2026-12-06'], // the Sunday
    ['weekly', '2027-01-01', '2026-12-28', '2027-01-03'], // across the year
    ['monthly', '2026-12-15', '2026-12-01', '2026-12-31'],
    ['monthly', '2028-02-10', '2028-02-01', '2028-02-29'], // leap year
    ['monthly', '2027-02-10', '2027-02-01', '2027-02-28'],
    ['daily', '2026-12-01', '2026-12-01', '2026-12-01'],
  ] as const)('%s period of %s is %s..%s', (kind, day, from, to) => expect(periodContaining(kind, day)).toEqual({ kind, from, to }));

  it('a week ends at Monday 00:00 Beijing (Sunday 16:00 UTC); it may be closed only after the grace', () => {
    const week = periodContaining('weekly', '2026-12-01');
    expect(periodEnd(week).toISOString()).toBe('2026-12-06T16:00:00.000Z');
    const end = periodEnd(week).getTime();
    expect(isClosable(week, new Date(end - 1))).toBe(false);
    expect(isClosable(week, new Date(end + SETTLEMENT_GRACE_MINUTES * 60_000 - 1))).toBe(false);
    expect(isClosable(week, new Date(end + SETTLEMENT_GRACE_MINUTES * 60_000))).toBe(true);
  });

  it('the scheduled run at 00:30 Beijing closes the day and (on Mondays) the week before; not the current one', () => {
    const mondayRun = new Date('2026-12-06T16:30:00.000Z'); // Monday 7 Dec 00:30 Beijing
    expect(closablePeriods('weekly', mondayRun)).toEqual([
      { kind: 'weekly', from: '2026-11-23', to: '2026-11-29' },
      { kind: 'weekly', from: '2026-11-30', to: '2026-12-06' },
    ]);
    expect(closablePeriods('daily', mondayRun, 1)).toEqual([{ kind: 'daily', from: '2026-12-06', to: '2026-12-06' }]);
    // Inside the grace the week just ended is not yet closable: the last one is the week before.
    expect(closablePeriods('weekly', new Date('2026-12-06T16:05:00.000Z'), 1)).toEqual([{ kind: 'weekly', from: '2026-11-23', to: '2026-11-29' }]);
    expect(closablePeriods('monthly', new Date('2026-12-31T16:30:00.000Z'), 1)).toEqual([{ kind: 'monthly', from: '2026-12-01', to: '2026-12-31' }]);
  });

  it('statement ids name the merchant and the period, and only a period’s first day', () => {
    expect(statementIdOf('CANTEEN-1', { kind: 'weekly', from: '2026-11-30' })).toBe('W20261130-CANTEEN-1');
    expect(parseStatementId('W20261130-CANTEEN-1')).toEqual({ merchantId: 'CANTEEN-1', period: { kind: 'weekly', from: '2026-11-30', to: '2026-12-06' } });
    expect(parseStatementId('M20261201-M1')?.period).toEqual({ kind: 'monthly', from: '2026-12-01', to: '2026-12-31' });
    for (const bad of ['W20261201-M1' /* a Tuesday */, 'M20261202-M1', 'D20261332-M1', 'X20261130-M1', 'W20261130-', 'W20261130-M 1', 'W2026113-M1']) expect(parseStatementId(bad)).toBeUndefined();
  });
});

describe('the CSV opens in Excel', () => {
  const statement = {
    ...statementOf(
      { merchantId: 'M1', name: '=一食堂', settlementAccount: { masked: '6222 **** **** 1234' } },
      { kind: 'weekly', from: '2026-11-30', to: '2026-12-06' },
      [purchase('01KB1', '2026-11-30', 12_345), purchase('01KB2', '2026-12-01', 5), refund('01KB3', '2026-12-01', 100, { refundCause: 'duplicate_charge', reason: '重复' }), refund('01KB4', '2026-12-02', 1_000)],
      new Date('2026-12-06T16:30:00.000Z'),
    ),
  };

  it('one statement: UTF-8 BOM, CRLF, yuan with two decimals, a line per day, the totals line', () => {
    const csv = statementCsv(statement);
    expect(csv.startsWith('\uFEFF')).toBe(true);
    expect(csv.replaceAll('\r\n', '')).not.toMatch(/\n/);
    const rows: string[][] = parse(csv, { bom: true, relax_column_count: true });
    expect(rows[0]).toEqual(['结算单', 'W20261130-M1']);
    expect(rows[1]).toEqual(['商户', "'=一食堂", 'M1']); // not a formula
    const header = rows.findIndex((row) => row[0] === '日期');
    expect(rows[header]).toEqual(['日期', '笔数', '营业额(元)', '退款(元)', '调整(元)', '净营业额(元)', '管理费(元)', '应付商户(元)']);
    expect(rows.slice(header + 1, header + 3)).toEqual([
      ['2026-11-30', '1', '123.45', '0.00', '0.00', '123.45', '', ''],
      ['2026-12-01', '2', '0.05', '0.00', '1.00', '-0.95', '', ''],
    ]);
    // 12350 − 1000 − 100 = 11250 fen; fee 56.25 → 56 fen; net 111.94
    expect(rows.at(-1)).toEqual(['合计', '4', '123.50', '10.00', '1.00', '112.50', '0.56', '111.94']);
  });

  it('a period across merchants: a line per merchant and the totals line', () => {
    const other = { ...statement, statementId: 'W20261130-M2', merchantId: 'M2', merchantName: '超市', turnoverFen: 100, refundsFen: 0, adjustmentsFen: 0, netTurnoverFen: 100, feeFen: 1, netPayableFen: 99, entries: 1, status: 'paid' as const, payout: { bankReference: 'BK-001', paidAt: '', paidBy: 'fin', entryId: 'x' } };
    const rows: string[][] = parse(periodCsv([statement, other]), { bom: true });
    expect(rows[0]![0]).toBe('结算单号');
    expect(rows[1]!.slice(0, 3)).toEqual(['W20261130-M1', 'M1', "'=一食堂"]);
    expect(rows[1]!.slice(-3)).toEqual(['待付款', '6222 **** **** 1234', '']);
    expect(rows[2]!.slice(-3)).toEqual(['已付款', '6222 **** **** 1234', 'BK-001']);
    expect(rows[3]!.slice(6, 14)).toEqual(['5', '124.50', '10.00', '1.00', '113.50', '', '0.57', '112.93']);
    expect(rows[3]![0]).toBe('合计');
  });
});
