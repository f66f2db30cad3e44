import { describe, expect, it } from 'vitest';
import { DEFAULT_DAILY_LIMIT_FEN, type Account } from '../../functions/domain/account';
import { decideOfflineRecord, offlineCapFen, type OfflineRecordFacts } from '../../functions/domain/offline';

const now = new Date('2026-11-23T04:00:00Z');
const account = { accountNo: '10001', status: 'active', balanceFen: 3_000, dailyLimitFen: DEFAULT_DAILY_LIMIT_FEN } as Account;
const chipKnown = { chipBalanceFen: 10_000, chipBalanceAt: '2026-11-22T00:00:00.000Z', chipCardId: 'C1' };
const record = (amountFen: number, extra: Partial<OfflineRecordFacts> = {}) => ({ amountFen, occurredAt: new Date('2026-11-23T03:00:00Z'), ...extra });

describe('offline reconciliation rules', () => {
  it.each([
    ['within the balance', account, record(3_000), { kind: 'apply', freeze: false }],
    ['over the balance: held and frozen', account, record(3_001), { kind: 'hold', reason: 'insufficient_balance', freeze: true }],
    ['on a frozen or lost account: still applied (it was made before, it already happened)', { ...account, status: 'lost' as const }, record(100), { kind: 'apply', freeze: false }],
    ['made after the card was reported lost: held, never the holder\'s', account, record(100, { refusedThen: 'card_lost' }), { kind: 'hold', reason: 'card_lost', freeze: false }],
    ['made with a replaced or cancelled card: held', account, record(100, { refusedThen: 'card_void' }), { kind: 'hold', reason: 'card_void', freeze: false }],
    ['on a cancelled account: held', { ...account, status: 'cancelled' as const }, record(100), { kind: 'hold', reason: 'account_cancelled', freeze: false }],
    ['on a closed account still holding back for offline terminals: applied', { ...account, status: 'cancelled' as const, holdbackUntil: '2026-11-24T00:00:00.000Z' }, record(100), { kind: 'apply', freeze: false }],
    ['on a closed account after its holdback: held', { ...account, status: 'cancelled' as const, holdbackUntil: '2026-11-23T03:59:00.000Z' }, record(100), { kind: 'hold', reason: 'account_cancelled', freeze: false }],
    ['the levelled card, from before the levelling: already reflected', { ...account, levelledAt: '2026-11-23T03:30:00.000Z', levelledCardId: 'C1' }, record(100, { cardId: 'C1' }), { kind: 'reflected' }],
    ['another card, from before the levelling: applied', { ...account, levelledAt: '2026-11-23T03:30:00.000Z', levelledCardId: 'C1' }, record(100, { cardId: 'C0' }), { kind: 'apply', freeze: false }],
    ['a QR record, from before a levelling: applied (QR never touches the chip)', { ...account, levelledAt: '2026-11-23T03:30:00.000Z', levelledCardId: 'C1' }, record(100), { kind: 'apply', freeze: false }],
    ['from after a levelling', { ...account, levelledAt: '2026-11-23T02:30:00.000Z', levelledCardId: 'C1' }, record(100, { cardId: 'C1' }), { kind: 'apply', freeze: false }],
    ['claiming the future', account, record(100, { occurredAt: new Date('2026-11-23T04:06:00Z') }), { kind: 'hold', reason: 'clock_in_future', freeze: false }],
    ['uploaded more than 30 days late', account, record(100, { occurredAt: new Date('2026-10-23T03:00:00Z') }), { kind: 'hold', reason: 'too_late', freeze: false }],
    ['at the library on the day the card was replaced', { ...account, replacedOn: '2026-11-23' }, record(100, { placeCategory: 'library' }), { kind: 'hold', reason: 'card_replaced_today', freeze: false }],
    ['at the canteen on the day the card was replaced', { ...account, replacedOn: '2026-11-23' }, record(100, { placeCategory: 'canteen' }), { kind: 'apply', freeze: false }],
    ['chip as expected: applied', { ...account, ...chipKnown }, record(1_000, { cardId: 'C1', chipBalanceAfterFen: 9_000 }), { kind: 'apply', freeze: false }],
    ['chip 50 yuan below, unexplained: applied', { ...account, ...chipKnown }, record(1_000, { cardId: 'C1', chipBalanceAfterFen: 4_000 }), { kind: 'apply', freeze: false }],
    ['chip more than 50 yuan below, unexplained: applied and frozen', { ...account, ...chipKnown }, record(1_000, { cardId: 'C1', chipBalanceAfterFen: 3_999 }), { kind: 'apply', freeze: true, freezeReason: 'card_database_mismatch' }],
    ['chip more than 50 yuan above what it should hold: applied and frozen', { ...account, ...chipKnown }, record(1_000, { cardId: 'C1', chipBalanceAfterFen: 14_001 }), { kind: 'apply', freeze: true, freezeReason: 'card_database_mismatch' }],
  ])('%s', (_name, acc, rec, decision) => {
    expect(decideOfflineRecord(acc as Account, rec, now)).toEqual(decision);
  });

  it('the offline cap is the least of policy, daily limit and balance', () => {
    expect(offlineCapFen({ ...account, balanceFen: 100_000, dailyLimitFen: 60_000 })).toBe(5_000);
    expect(offlineCapFen({ ...account, balanceFen: 100_000, dailyLimitFen: 2_000 })).toBe(2_000);
    expect(offlineCapFen({ ...account, balanceFen: 1_234 })).toBe(1_234);
  });
});
