import { describe, expect, it } from 'vitest';
import { DEFAULT_DAILY_LIMIT_FEN, type Account } from '../../functions/domain/account';
import { decideOfflineRecord, offlineCapFen } from '../../functions/domain/offline';

const now = new Date('2026-11-23T04:00:00Z');
const account = { accountNo: '10001', status: 'active', balanceFen: 3_000, dailyLimitFen: DEFAULT_DAILY_LIMIT_FEN } as Account;
const record = (amountFen: number, extra: Partial<{ occurredAt: Date; chipBalanceAfterFen: number }> = {}) => ({ amountFen, occurredAt: new Date('2026-11-23T03:00:00Z'), ...extra });

describe('offline reconciliation rules', () => {
  it.each([
    ['within the balance', account, record(3_000), { kind: 'apply', freeze: false }],
    ['over the balance: held and frozen', account, record(3_001), { kind: 'hold', reason: 'insufficient_balance', freeze: true }],
    ['on a frozen or lost account: still applied (it already happened)', { ...account, status: 'lost' as const }, record(100), { kind: 'apply', freeze: false }],
    ['on a cancelled account: held', { ...account, status: 'cancelled' as const }, record(100), { kind: 'hold', reason: 'account_cancelled', freeze: false }],
    ['from before a levelling: a duplicate', { ...account, levelledAt: '2026-11-23T03:30:00.000Z' }, record(100), { kind: 'hold', reason: 'duplicate_after_levelling', freeze: true }],
    ['from after a levelling', { ...account, levelledAt: '2026-11-23T02:30:00.000Z' }, record(100), { kind: 'apply', freeze: false }],
    ['claiming the future', account, record(100, { occurredAt: new Date('2026-11-23T04:06:00Z') }), { kind: 'hold', reason: 'clock_in_future', freeze: false }],
    ['chip 50 yuan off: applied', account, record(1_000, { chipBalanceAfterFen: 7_000 }), { kind: 'apply', freeze: false }],
    ['chip more than 50 yuan off: applied and frozen', account, record(1_000, { chipBalanceAfterFen: 7_001 }), { kind: 'apply', freeze: true, freezeReason: 'card_database_mismatch' }],
  ])('%s', (_name, acc, rec, decision) => {
    expect(decideOfflineRecord(acc as Account, rec, now)).toEqual(decision);
  });

  it('the offline cap is the least of policy, daily limit and balance', () => {
    expect(offlineCapFen({ ...account, balanceFen: 100_000, dailyLimitFen: 60_000 })).toBe(5_000);
    expect(offlineCapFen({ ...account, balanceFen: 100_000, dailyLimitFen: 2_000 })).toBe(2_000);
    expect(offlineCapFen({ ...account, balanceFen: 1_234 })).toBe(1_234);
  });
});
