/** Transitional balance with no CPU card to wait for (issue 11, item 7): the pure plans and the audit rule. */
import { describe, expect, it } from 'vitest';
import type { Account } from '../../functions/domain/account';
import { auditAccount } from '../../functions/domain/audit';
import type { LedgerEntry } from '../../functions/domain/ledger';
import { withTransfers } from '../helpers/ledger-entries';
import { planReplacementFee, planTransitionalCredit, planTransitionalRelease } from '../../functions/domain/movement-plans';
import { topupPurse } from '../../functions/domain/topup';

const today = '2026-11-02';
const base = {
  accountNo: '10001',
  status: 'active',
  cardType: 'student',
  balanceFen: 5_000,
  transitionalFen: 3_000,
  smallWalletFen: 0,
  dailySpentFen: 0,
  dailySpentDay: today,
  dailyLimitFen: 5_000,
  version: 3,
} as Account;
const cpu = { ...base, activePhysicalCardId: 'C1', activePhysicalCardKind: 'cpu' } as Account;
const m1 = { ...base, activePhysicalCardId: 'C2', activePhysicalCardKind: 'm1' } as Account;
const cardless = { ...base } as Account;
const fee = { amountFen: 2_000, channel: 'counter' as const, externalRef: 'r-1', reason: 'card replacement', operator: 'K1' };

describe('which purse an online top-up lands in, decided when it is credited', () => {
  it.each([
    ['an active CPU card', cpu, 'transitional'],
    ['a lost CPU card (the money waits for its replacement)', { ...cpu, status: 'lost' } as Account, 'transitional'],
    ['an M1 card', m1, 'balance'],
    ['no physical card', cardless, 'balance'],
  ] as const)('with %s', (_name, account, purse) => {
    expect(topupPurse(account)).toBe(purse);
    const planned = planTransitionalCredit(account, { amountFen: 1_500, channel: 'wechat', externalRef: 'wx-1' }, today);
    expect(planned.entry.type).toBe(purse === 'balance' ? 'topup' : 'transitional_credit');
    expect(planned.after).toMatchObject(purse === 'balance' ? { balanceFen: 6_500, transitionalFen: 3_000 } : { balanceFen: 5_000, transitionalFen: 4_500 });
  });
});

describe('the replacement fee', () => {
  it('to a card that is not a CPU card: releases the transitional balance in the same entry', () => {
    const planned = planReplacementFee(cpu, { ...fee, releaseTransitional: true }, today);
    expect(planned.entry).toMatchObject({ type: 'fee', amountFen: 2_000, releasedTransitionalFen: 3_000, delta: { balanceFen: 1_000, transitionalFen: -3_000, smallWalletFen: 0 } });
    expect(planned.after).toEqual({ balanceFen: 6_000, transitionalFen: 0, smallWalletFen: 0 });
  });

  it('the released money may pay the fee', () => {
    expect(planReplacementFee({ ...cpu, balanceFen: 0 }, { ...fee, releaseTransitional: true }, today).after.balanceFen).toBe(1_000);
  });

  it('to a CPU card: only the fee, the money waits for the new chip', () => {
    const planned = planReplacementFee(cpu, { ...fee, releaseTransitional: false }, today);
    expect(planned.entry.delta).toEqual({ balanceFen: -2_000, transitionalFen: 0, smallWalletFen: 0 });
    expect(planned.entry.releasedTransitionalFen).toBeUndefined();
  });
});

describe('the card centre’s release', () => {
  const request = { channel: 'admin' as const, externalRef: 'rel-1', reason: 'M1 card since 2025', operator: 'op1' };
  it('moves all of it to the balance when there is no CPU card', () => {
    const planned = planTransitionalRelease(m1, request, today);
    expect(planned.entry).toMatchObject({ type: 'transitional_release', amountFen: 3_000, delta: { balanceFen: 3_000, transitionalFen: -3_000 } });
  });
  it.each([
    ['a CPU card, even a lost one', { ...cpu, status: 'lost' } as Account, 'TRANSITIONAL_WAITS_FOR_CARD'],
    ['nothing to release', { ...m1, transitionalFen: 0 } as Account, 'NOTHING_TO_RELEASE'],
    ['a closed account', { ...m1, status: 'cancelled' } as Account, 'CARD_CANCELLED'],
  ] as const)('refuses %s', (_name, account, code) => {
    expect(() => planTransitionalRelease(account, request, today)).toThrow(expect.objectContaining({ code }));
  });
});

describe('the audit rule on the transitional balance', () => {
  const entry = (type: LedgerEntry['type'], delta: LedgerEntry['delta'], after: LedgerEntry['after'], extra: Partial<LedgerEntry> = {}): LedgerEntry => withTransfers({
    entryId: `E${type}`,
    receiptNo: `E${type}`,
    accountNo: '10001',
    type,
    amountFen: Math.abs(delta.balanceFen),
    delta,
    after,
    channel: 'counter',
    externalRef: 'x',
    createdAt: '2026-11-02T00:00:00.000Z',
    campusDay: today,
    ...extra,
  } as Parameters<typeof withTransfers>[0]);
  const credit = entry('transitional_credit', { balanceFen: 0, transitionalFen: 3_000, smallWalletFen: 0 }, { balanceFen: 0, transitionalFen: 3_000, smallWalletFen: 0 }, { amountFen: 3_000 });
  const after = { accountNo: '10001', balanceFen: 3_000, transitionalFen: 0, smallWalletFen: 0 } as Account;

  it('accepts a release', () => {
    const release = entry('transitional_release', { balanceFen: 3_000, transitionalFen: -3_000, smallWalletFen: 0 }, { balanceFen: 3_000, transitionalFen: 0, smallWalletFen: 0 }, { amountFen: 3_000 });
    expect(auditAccount(after, [credit, release])).toEqual([]);
  });
  it('names a movement that takes transitional balance without being allowed to', () => {
    const wrong = entry('topup', { balanceFen: 3_000, transitionalFen: -3_000, smallWalletFen: 0 }, { balanceFen: 3_000, transitionalFen: 0, smallWalletFen: 0 });
    expect(auditAccount(after, [credit, wrong])).toContainEqual(expect.objectContaining({ problem: expect.stringContaining('out of the transitional balance') }));
  });
});
