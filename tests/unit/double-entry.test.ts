/** Double entry (issue 12: 1, 3, 5): every movement kind's transfers, the delta derived from them, the type-level rules and the audit's trial balance. */
import { describe, expect, it } from 'vitest';
import type { Account } from '../../functions/domain/account';
import { auditAccount, entryTransferProblems, TrialBalance } from '../../functions/domain/audit';
import { deltaOf, holder, parseAccount, system, systemAccountsOf, type Transfer } from '../../functions/domain/chart';
import type { LedgerEntry, MovementPlan, PurchaseEntry, TopupEntry } from '../../functions/domain/ledger';
import {
  planAdjustment,
  planCancellationRefund,
  planCardLoad,
  planClosingSettlement,
  planFee,
  planLevelling,
  planPurchase,
  planRefund,
  planReplacementFee,
  planSmallWalletPreload,
  planSmallWalletSettle,
  planTopup,
  planTransitionalCredit,
  planTransitionalRelease,
} from '../../functions/domain/movement-plans';
import { planOfflinePurchase } from '../../functions/domain/offline';

const today = '2026-11-02';
const now = new Date('2026-11-02T04:00:00.000Z');
const N = '10001';
const base = {
  accountNo: N,
  status: 'active',
  cardType: 'student',
  balanceFen: 5_000,
  transitionalFen: 3_000,
  smallWalletFen: 600,
  dailySpentFen: 0,
  dailySpentDay: today,
  dailyLimitFen: 5_000,
  version: 3,
} as Account;
const m1 = { ...base, activePhysicalCardId: 'C2', activePhysicalCardKind: 'm1' } as Account;
const cpu = { ...base, activePhysicalCardId: 'C1', activePhysicalCardKind: 'cpu' } as Account;
const closed = { ...base, status: 'cancelled', balanceFen: 300, transitionalFen: 0, smallWalletFen: 0 } as Account;
const empty = { ...base, balanceFen: 0, transitionalFen: 0, smallWalletFen: 0 } as Account;
const B = holder.balance(N);
const T = holder.transitional(N);
const W = holder.smallWallet(N);
const M = system.merchantPayable('M1');
const t = (debit: Transfer['debit'], credit: Transfer['credit'], amountFen: number): Transfer => ({ debit, credit, amountFen });
const common = { channel: 'pos' as const, externalRef: 'x-1' };
const closing = { channel: 'counter' as const, externalRef: 'c-1', reason: 'graduated', operator: 'K1', at: now };

const cases: [string, () => MovementPlan, Transfer[]][] = [
  ['topup at the counter: cash desk → balance', () => planTopup(base, { amountFen: 1_000, channel: 'counter', externalRef: 'c' }, today), [t('cash_desk', B, 1_000)]],
  ['topup from WeChat Pay: clearing → balance', () => planTopup(base, { amountFen: 1_000, channel: 'wechat', externalRef: 'w' }, today), [t('clearing:wechat', B, 1_000)]],
  ['topup from the bank: clearing → balance', () => planTopup(base, { amountFen: 1_000, channel: 'bank', externalRef: 'b' }, today), [t('clearing:bank', B, 1_000)]],
  ['transitional credit from Alipay: clearing → transitional', () => planTransitionalCredit(cpu, { amountFen: 700, channel: 'alipay', externalRef: 'a' }, today), [t('clearing:alipay', T, 700)]],
  ['purchase: balance → merchant payable', () => planPurchase(base, { ...common, amountFen: 250, merchantId: 'M1', terminalId: 'P1' }, today), [t(B, M, 250)]],
  [
    'offline purchase: balance → merchant payable',
    () => planOfflinePurchase(base, { amountFen: 250, merchantId: 'M1', terminalId: 'P1', recordId: 'r1', channel: 'offline_pos', occurredAt: new Date(now.getTime() - 60_000) }, today, now),
    [t(B, M, 250)],
  ],
  [
    'refund: merchant payable → balance',
    () => planRefund(base, { ...common, amountFen: 100, merchantId: 'M1', purchase: { receiptNo: 'R1', accountNo: N, type: 'purchase', merchantId: 'M1', amountFen: 250 }, refundedBeforeFen: 0 }, today),
    [t(M, B, 100)],
  ],
  ['fee: balance → fee income', () => planFee(base, { amountFen: 2_000, channel: 'counter', externalRef: 'f', reason: 'card' }, today), [t(B, 'fee_income', 2_000)]],
  [
    'replacement fee with the transitional balance released: transitional → balance, then balance → fee income',
    () => planReplacementFee(base, { amountFen: 2_000, channel: 'counter', externalRef: 'f', reason: 'card', releaseTransitional: true }, today),
    [t(T, B, 3_000), t(B, 'fee_income', 2_000)],
  ],
  ['adjustment credit: adjustments → balance', () => planAdjustment(base, { ...common, amountFen: 70, direction: 'credit', reason: 'r', operator: 'K1' }, today), [t('adjustments', B, 70)]],
  ['adjustment debit: balance → adjustments', () => planAdjustment(base, { ...common, amountFen: 70, direction: 'debit', reason: 'r', operator: 'K1' }, today), [t(B, 'adjustments', 70)]],
  ['card load: transitional → balance', () => planCardLoad(cpu, { amountFen: 1_000, channel: 'pos', externalRef: 'l', terminalId: 'P1', chipBalanceAfterFen: 6_000 }, today), [t(T, B, 1_000)]],
  ['transitional release: transitional → balance', () => planTransitionalRelease(m1, { channel: 'admin', externalRef: 'rel', reason: 'M1', operator: 'K1' }, today), [t(T, B, 3_000)]],
  ['small wallet preload: balance → small wallet', () => planSmallWalletPreload({ ...base, smallWalletFen: 0 }, { ...common, amountFen: 1_000, terminalId: 'W1', merchantId: 'M1' }, today), [t(B, W, 1_000)]],
  ['small wallet settle: small wallet → merchant (used) and → balance (unused)', () => planSmallWalletSettle(base, { ...common, amountFen: 200, terminalId: 'W1', merchantId: 'M1' }, today), [t(W, M, 200), t(W, B, 400)]],
  ['small wallet settle using all of it: no zero transfer', () => planSmallWalletSettle(base, { ...common, amountFen: 600, terminalId: 'W1', merchantId: 'M1' }, today), [t(W, M, 600)]],
  ['cancellation to a bank card: each purse → refunds payable', () => planCancellationRefund(base, { ...closing, destination: 'bank_card' }, today), [t(B, 'refunds_payable', 5_000), t(T, 'refunds_payable', 3_000), t(W, 'refunds_payable', 600)]],
  ['cancellation in cash: each purse → cash desk', () => planCancellationRefund(base, { ...closing, destination: 'cash' }, today), [t(B, 'cash_desk', 5_000), t(T, 'cash_desk', 3_000), t(W, 'cash_desk', 600)]],
  ['cancellation of an empty account: no transfers', () => planCancellationRefund(empty, { ...closing, destination: 'cash' }, today), []],
  ['closing settlement: what is left → refunds payable', () => planClosingSettlement(closed, { ...closing, destination: 'bank_card' }, today), [t(B, 'refunds_payable', 300)]],
  [
    'levelling down to the chip: balance → adjustments',
    () => planLevelling({ ...m1, chipCardId: 'C2', chipGapFen: 120 } as Account, { channel: 'admin', externalRef: 'lv', cardId: 'C2', chipReadFen: 4_880, at: now.toISOString(), reason: 'gap', believeHigherChip: false }, today),
    [t(B, 'adjustments', 120)],
  ],
];

describe('every movement kind is linked transfers between the accounts of its kind', () => {
  it.each(cases)('%s', (_name, make, transfers) => {
    const planned = make();
    expect(planned.entry.transfers).toEqual(transfers);
    // The delta is derived from the transfers, and `after` from the delta.
    expect(planned.entry.delta).toEqual(deltaOf(N, transfers));
    // No hot item: an entry names at most one system account (its index key).
    expect(systemAccountsOf(planned.entry.transfers).length).toBeLessThanOrEqual(1);
    expect(entryTransferProblems({ ...planned.entry, entryId: 'E', receiptNo: 'E', accountNo: N, after: planned.after, createdAt: now.toISOString(), campusDay: today } as LedgerEntry)).toEqual([]);
  });

  it('refuses at the type level a purchase that credits the holder, or a top-up from a merchant', () => {
    const fields = { entryId: 'E', receiptNo: 'E', accountNo: N, amountFen: 1, delta: deltaOf(N, []), after: deltaOf(N, []), channel: 'pos' as const, externalRef: 'x', createdAt: '', campusDay: today };
    const good: PurchaseEntry = { ...fields, type: 'purchase', transfers: [{ debit: B, credit: M, amountFen: 1 }] };
    // @ts-expect-error: a purchase takes from the holder's balance, it never credits it
    const creditsHolder: PurchaseEntry = { ...fields, type: 'purchase', transfers: [{ debit: M, credit: B, amountFen: 1 }] };
    // @ts-expect-error: a top-up comes from a clearing account or the cash desk, never a merchant
    const fromMerchant: TopupEntry = { ...fields, type: 'topup', transfers: [{ debit: M, credit: B, amountFen: 1 }] };
    // @ts-expect-error: a purchase's transfers are purchase transfers, whatever the entry says
    const mixed: LedgerEntry = { ...fields, type: 'purchase', transfers: [{ debit: 'cash_desk', credit: B, amountFen: 1 }] };
    expect([good, creditsHolder, fromMerchant, mixed]).toHaveLength(4);
  });

  it('parses every account of the chart and nothing else', () => {
    expect(parseAccount('holder:10001:small_wallet')).toEqual({ kind: 'holder_small_wallet', accountNo: '10001' });
    expect(parseAccount('merchant:M-7:payable')).toEqual({ kind: 'merchant_payable', merchantId: 'M-7' });
    expect(parseAccount('clearing:alipay')).toEqual({ kind: 'clearing', channel: 'alipay' });
    expect(parseAccount('fee_income')).toEqual({ kind: 'fee_income' });
    for (const bad of ['clearing:paypal', 'holder:1:savings', 'merchant::payable', '', undefined, 7]) expect(parseAccount(bad)).toBeUndefined();
  });
});

describe('the audit on double entry', () => {
  const opening = (): LedgerEntry => ({ ...stamp(planTopup(base, { amountFen: 5_000, channel: 'counter', externalRef: 'o' }, today), 'E1'), after: { balanceFen: 5_000, transitionalFen: 0, smallWalletFen: 0 } });
  const purchase = (): LedgerEntry => ({ ...stamp(planPurchase(base, { ...common, amountFen: 250, merchantId: 'M1', terminalId: 'P1' }, today), 'E2'), after: { balanceFen: 4_750, transitionalFen: 0, smallWalletFen: 0 } });
  const account = { ...base, balanceFen: 4_750, transitionalFen: 0, smallWalletFen: 0 } as Account;
  const transfersOf = (entry: LedgerEntry) => entry.transfers as unknown as Record<string, unknown>[];
  const corrupt = (entry: LedgerEntry, transfers: unknown): LedgerEntry => ({ ...entry, transfers } as unknown as LedgerEntry);

  it('is clean on planned entries, and the books balance', () => {
    const entries = [opening(), purchase()];
    expect(auditAccount(account, entries)).toEqual([]);
    const books = new TrialBalance();
    entries.forEach((entry) => books.note(entry));
    expect(books.findings()).toEqual([]);
    expect(books.report()).toMatchObject({ debitsFen: 5_250, creditsFen: 5_250, holderPursesFen: 4_750, systemAccounts: { cash_desk: -5_000, 'merchant:M1:payable': 250 }, merchantsPayableFen: 250, totalFen: 0 });
  });

  it('finds a delta that does not match its transfers', () => {
    const entry = corrupt(purchase(), [{ ...transfersOf(purchase())[0], amountFen: 200 }]);
    expect(auditAccount(account, [opening(), entry]).map((f) => [f.check, f.problem])).toEqual([
      ['transfers', 'entry E2 (purchase): its delta is balance -250, transitional 0, small wallet 0, its transfers make balance -200, transitional 0, small wallet 0'],
    ]);
  });

  it('finds a transfer to the wrong kind of account, to another holder, or to another merchant', () => {
    const wrongKind = corrupt(purchase(), [{ debit: B, credit: 'fee_income', amountFen: 250 }]);
    expect(auditAccount(account, [opening(), wrongKind]).map((f) => f.problem)).toEqual([
      'entry E2 (purchase): transfer 1 moves holder:10001:balance → fee_income, which a purchase may not (holder_balance → fee_income)',
    ]);
    const otherHolder = corrupt(purchase(), [{ debit: holder.balance('10002'), credit: M, amountFen: 250 }]);
    expect(auditAccount(account, [opening(), otherHolder]).map((f) => f.problem)).toEqual(['entry E2 (purchase): transfer 1 names holder 10002, not this account']);
    const otherMerchant = corrupt(purchase(), [{ debit: B, credit: system.merchantPayable('M9'), amountFen: 250 }]);
    expect(auditAccount(account, [opening(), otherMerchant]).map((f) => f.problem)).toEqual(["entry E2 (purchase): transfer 1 names merchant M9, the entry's merchant is M1"]);
    const wrongClearing = corrupt(opening(), [{ debit: 'clearing:wechat', credit: B, amountFen: 5_000 }]);
    expect(auditAccount(account, [wrongClearing, purchase()]).map((f) => f.problem)).toEqual(['entry E1 (topup): transfer 1 takes the money from clearing:wechat, a counter credit comes from cash_desk']);
  });

  it('finds an entry missing a leg, and the trial balance is off on that day and overall', () => {
    const missingCredit = corrupt(purchase(), [{ debit: B, amountFen: 250 }]);
    expect(auditAccount(account, [opening(), missingCredit]).map((f) => f.problem)).toEqual(['entry E2 (purchase): transfer 1 has no credit account of the chart (undefined): a leg is missing']);
    // A linked transfer dropped: the fee with a release lost its release leg.
    const release = stamp(planReplacementFee(base, { amountFen: 2_000, channel: 'counter', externalRef: 'f', reason: 'card', releaseTransitional: true }, today), 'E3');
    expect(entryTransferProblems(corrupt(release, transfersOf(release).slice(1)))).toEqual([
      'its delta is balance +1000, transitional -3000, small wallet 0, its transfers make balance -2000, transitional 0, small wallet 0',
    ]);
    const books = new TrialBalance();
    [opening(), missingCredit].forEach((entry) => books.note(entry));
    expect(books.findings().map((f) => [f.accountNo, f.check, f.problem])).toEqual([
      ['books', 'trial_balance', `campus day ${today}: debits 5250 ≠ credits 5000`],
      ['books', 'trial_balance', 'overall: debits 5250 ≠ credits 5000'],
      ['books', 'trial_balance', 'holder purses (4750) and system accounts together are -250, not 0'],
    ]);
  });

  it('finds an entry with no transfers (single entry) and one naming two system accounts', () => {
    const { transfers: _gone, ...single } = purchase();
    expect(auditAccount(account, [opening(), single as LedgerEntry]).map((f) => [f.check, f.problem])).toEqual([
      ['transfers', 'entry E2 (purchase): has no transfers: a single-entry record (from before double entry, or written outside the movement store)'],
    ]);
    const settle = stamp(planSmallWalletSettle(base, { ...common, amountFen: 200, terminalId: 'W1', merchantId: 'M1' }, today), 'E4');
    const twoSystems = corrupt(settle, [...transfersOf(settle), { debit: W, credit: 'fee_income', amountFen: 1 }]);
    expect(entryTransferProblems(twoSystems)).toEqual(['transfer 3 moves holder:10001:small_wallet → fee_income, which a small_wallet_settle may not (holder_small_wallet → fee_income)']);
  });
});

function stamp(planned: MovementPlan, entryId: string): LedgerEntry {
  return { ...planned.entry, entryId, receiptNo: entryId, accountNo: N, after: planned.after, createdAt: now.toISOString(), campusDay: today } as LedgerEntry;
}
