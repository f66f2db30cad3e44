import { describe, expect, it } from 'vitest';
import { AppError } from '../../functions/app-error';
import { type Account } from '../../functions/domain/account';
import { ChipMismatch, planAtChipTap, planPurchase, planSmallWalletPreload, planSmallWalletSettle, planSmallWalletUsage } from '../../functions/domain/movement-plans';
import { observeOnlineTap } from '../../functions/domain/chip';
import { WATER_POLICY } from '../../functions/domain/policy';
import { chipWalletUsage, oldestUnsettled, preloadStep, sessionPreloadFen, usageDiscrepancies, walletRefillFen, type UsageRecord, type WaterSession } from '../../functions/domain/small-wallet';

const codeOf = (run: () => unknown) => {
  try {
    run();
  } catch (error) {
    if (error instanceof AppError) return error.code;
    throw error;
  }
  return 'OK';
};

describe('water control rules', () => {
  it('the policy: 10 yuan pre-deducted and the chip wallet filled to 10 yuan', () => {
    expect(WATER_POLICY).toMatchObject({ sessionPreloadFen: 1_000, walletCapFen: 1_000, unsettledUsageSeconds: 86_400 });
  });

  it.each([
    [5_000, 1_000],
    [1_000, 1_000],
    [640, 640],
    [0, 0],
  ])('a pre-deduction on a balance of %i takes %i', (balance, taken) => {
    expect(sessionPreloadFen(balance)).toBe(taken);
  });

  it.each([
    [1_000, 1_000, 0],
    [1_000, 650, 350],
    [1_000, 0, 1_000],
    [300, 0, 300],
  ])('loaded %i, the chip shows %i: %i used', (loaded, chip, used) => {
    expect(chipWalletUsage(loaded, chip)).toBe(used);
  });

  it('a chip showing more than was loaded is refused', () => {
    expect(codeOf(() => chipWalletUsage(1_000, 1_001))).toBe('SMALL_WALLET_CHIP_AHEAD');
    expect(codeOf(() => chipWalletUsage(0, 1))).toBe('SMALL_WALLET_CHIP_AHEAD');
  });

  it.each([
    [650, 5_000, 350],
    [0, 5_000, 1_000],
    [1_000, 5_000, 0],
    [0, 300, 300],
    [400, 0, 0],
  ])('a wallet of %i with a balance of %i is refilled by %i (never above the cap, never beyond the balance)', (wallet, balance, refill) => {
    expect(walletRefillFen(wallet, balance)).toBe(refill);
  });

  it('one session at a time: none → open; here → in use; elsewhere → orphan it first', () => {
    const open = { terminalId: 'A' } as WaterSession;
    expect(preloadStep(undefined, 'A')).toBe('open');
    expect(preloadStep(open, 'A')).toBe('in_use');
    expect(preloadStep(open, 'B')).toBe('orphan_then_open');
  });

  it('the usage movement of a settlement terminal keeps the rest in the wallet (the chip holds it)', () => {
    const account = { accountNo: '10001', status: 'active', balanceFen: 2_000, transitionalFen: 0, smallWalletFen: 1_000, dailySpentFen: 0, dailySpentDay: '2026-12-01' } as Account;
    const plan = planSmallWalletUsage(account, { amountFen: 350, channel: 'water', externalRef: 't', terminalId: 'T', merchantId: 'M' }, '2026-12-01');
    expect(plan.after).toEqual({ balanceFen: 2_000, transitionalFen: 0, smallWalletFen: 650 });
    expect(plan.entry.transfers).toEqual([{ debit: 'holder:10001:small_wallet', credit: 'merchant:M:payable', amountFen: 350 }]);
    expect(codeOf(() => planSmallWalletUsage(account, { amountFen: 1_001, channel: 'water', externalRef: 't', terminalId: 'T', merchantId: 'M' }, '2026-12-01'))).toBe('SMALL_WALLET_USAGE_INVALID');
    expect(codeOf(() => planSmallWalletUsage(account, { amountFen: 0, channel: 'water', externalRef: 't', terminalId: 'T', merchantId: 'M' }, '2026-12-01'))).toBe('INVALID_AMOUNT');
  });
});

describe("water at a CPU card's tap keeps the chip's main purse in step (the card charge's rule)", () => {
  const today = '2026-12-01';
  const at = '2026-12-01T08:00:00.000Z';
  const cpu = (fields: Partial<Account> = {}) =>
    ({ accountNo: '10002', status: 'active', balanceFen: 14_100, transitionalFen: 0, smallWalletFen: 0, dailySpentFen: 0, dailySpentDay: today, chipCardId: 'C1', chipBalanceFen: 14_100, chipBalanceAt: '2026-11-30T08:00:00.000Z', chipGapFen: 0, ...fields }) as Account;
  const request = { channel: 'water' as const, externalRef: 't', terminalId: 'T', merchantId: 'M' };

  it('a preload takes the 10 yuan off the chip: it is told to write, and we store, the balance after', () => {
    const account = cpu();
    const plan = planAtChipTap(account, planSmallWalletPreload(account, { ...request, amountFen: 1_000 }, today), { cardId: 'C1', chipReadFen: 14_100, at });
    expect(plan.after.balanceFen).toBe(13_100);
    expect(plan.entry.chipBalanceAfterFen).toBe(13_100);
    expect(plan.chipBalanceFen).toBe(13_100);
    expect(plan.accountFields).toEqual({ chipBalanceAt: at, chipGapFen: 0, chipGapSince: null, chipCardId: 'C1' });
  });

  it('the change of a session goes back on the chip, less card spending not uploaded yet (the gap)', () => {
    const account = cpu({ balanceFen: 4_000, smallWalletFen: 1_000, chipBalanceFen: 4_000 });
    // The chip shows 5 yuan less than written: an offline payment still on a terminal.
    const plan = planAtChipTap(account, planSmallWalletSettle(account, { ...request, amountFen: 230 }, today), { cardId: 'C1', chipReadFen: 3_500, at });
    expect(plan.after.balanceFen).toBe(4_770);
    expect(plan.entry.chipBalanceAfterFen).toBe(4_270);
    expect(plan.accountFields).toMatchObject({ chipGapFen: 500, chipGapSince: at });
  });

  it('is the card charge’s rule: the same write as observeOnlineTap for a purchase of the same amount', () => {
    const account = cpu();
    const purchase = planAtChipTap(account, planPurchase(account, { ...request, channel: 'pos', amountFen: 1_000 }, today), { cardId: 'C1', chipReadFen: 14_000, at });
    const seen = observeOnlineTap(account, { cardId: 'C1', chipReadFen: 14_000, balanceAfterFen: 13_100, at });
    expect(purchase.entry.chipBalanceAfterFen).toBe(seen.chipToWriteFen);
    expect(purchase.chipBalanceFen).toBe(seen.chip.chipBalanceFen);
  });

  it('a chip more than 50 yuan short, unexplained, is the freeze rule (an account already frozen is not frozen again)', () => {
    const account = cpu();
    const planned = planSmallWalletPreload(account, { ...request, amountFen: 1_000 }, today);
    expect(() => planAtChipTap(account, planned, { cardId: 'C1', chipReadFen: 8_000, at })).toThrow(ChipMismatch);
    expect(codeOf(() => planAtChipTap(account, planned, { cardId: 'C1', chipReadFen: 8_000, at }))).toBe('CARD_FROZEN');
    const frozen = cpu({ status: 'frozen', smallWalletFen: 1_000 });
    const usage = planSmallWalletUsage(frozen, { ...request, amountFen: 100 }, today);
    expect(planAtChipTap(frozen, usage, { cardId: 'C1', chipReadFen: 8_000, at }).entry.chipBalanceAfterFen).toBe(8_000);
  });
});

describe('controller records against settlements', () => {
  const now = new Date('2026-12-03T12:00:00.000Z');
  const rec = (recordId: string, occurredAt: string, amountFen: number): UsageRecord => ({ terminalId: 'C1', recordId, occurredAt, amountFen });
  const settlements = [
    { settledAt: '2026-12-01T08:00:00.000Z', usageFen: 0 },
    { settledAt: '2026-12-02T08:00:00.000Z', usageFen: 300 },
  ];

  it('records within what each settlement took are fine (fewer is fine too: a controller may upload late)', () => {
    expect(usageDiscrepancies(settlements, [rec('a', '2026-12-01T09:00:00.000Z', 200), rec('b', '2026-12-02T07:59:59.000Z', 100)], now)).toEqual([]);
    expect(usageDiscrepancies(settlements, [rec('a', '2026-12-01T09:00:00.000Z', 100)], now)).toEqual([]);
  });

  it('records between two settlements above what the later one took are found, by interval', () => {
    const found = usageDiscrepancies(settlements, [rec('x', '2026-11-30T10:00:00.000Z', 50), rec('a', '2026-12-01T09:00:00.000Z', 200), rec('b', '2026-12-02T08:00:00.000Z', 101)], now);
    expect(found).toEqual([
      { kind: 'water_usage_above_settled', settledAt: '2026-12-01T08:00:00.000Z', recordsFen: 50, settledFen: 0, recordIds: ['C1/x'] },
      { kind: 'water_usage_above_settled', settledAt: '2026-12-02T08:00:00.000Z', sinceAt: '2026-12-01T08:00:00.000Z', recordsFen: 301, settledFen: 300, recordIds: ['C1/a', 'C1/b'] },
    ]);
  });

  it('records after the last settlement are found only once they are a day old', () => {
    const fresh = rec('f', '2026-12-03T11:00:00.000Z', 80);
    const old = rec('o', '2026-12-02T11:00:00.000Z', 70);
    expect(usageDiscrepancies(settlements, [fresh], now)).toEqual([]);
    expect(usageDiscrepancies(settlements, [fresh, old], now)).toEqual([
      { kind: 'water_usage_not_settled', sinceAt: '2026-12-02T08:00:00.000Z', firstAt: '2026-12-02T11:00:00.000Z', recordsFen: 70, recordIds: ['C1/o'] },
    ]);
    expect(usageDiscrepancies([], [old], now)).toEqual([{ kind: 'water_usage_not_settled', firstAt: '2026-12-02T11:00:00.000Z', recordsFen: 70, recordIds: ['C1/o'] }]);
  });

  it('the oldest record no settlement has taken keeps the account in the sweep', () => {
    expect(oldestUnsettled(settlements, [rec('a', '2026-12-01T09:00:00.000Z', 1)])).toBeUndefined();
    expect(oldestUnsettled(settlements, [rec('b', '2026-12-03T09:00:00.000Z', 1), rec('a', '2026-12-02T09:00:00.000Z', 1)])).toBe('2026-12-02T09:00:00.000Z');
    expect(oldestUnsettled([], [rec('a', '2026-12-01T09:00:00.000Z', 1)])).toBe('2026-12-01T09:00:00.000Z');
    expect(oldestUnsettled(settlements, [])).toBeUndefined();
  });
});
