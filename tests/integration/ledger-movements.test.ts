/** Every kind of money movement on DynamoDB Local: what it changes, what it refuses, and that a retry posts once. */
import { describe, expect, it } from 'vitest';
import { SMALL_WALLET_CAP_FEN } from '../../functions/domain/account';
import { planPurchase } from '../../functions/domain/movement-plans';
import { fingerprint } from '../../functions/domain/fingerprint';
import { auditLedger } from '../../functions/services/audit';
import { chargeAtTerminal } from '../../functions/services/charge';
import {
  adjustBalance,
  chargeFee,
  closeAccountWithRefund,
  creditTransitional,
  loadToCard,
  refundPurchase,
  topUp,
} from '../../functions/services/movements';
import { preloadSmallWallet, settleSmallWallet } from '../../functions/services/small-wallet';
import { getAccount } from '../../functions/store/accounts';
import { issueCard } from '../../functions/store/cards';
import { createTestAccount, createTestTerminal, ledgerOf, testChipUid, refusalCode as code } from '../helpers/fixtures';
import { useTestPlatform } from '../helpers/platform';

const platform = useTestPlatform();

async function purses(accountNo: string) {
  const account = await getAccount(platform.deps.db, accountNo);
  return { balanceFen: account!.balanceFen, transitionalFen: account!.transitionalFen, smallWalletFen: account!.smallWalletFen, status: account!.status };
}

describe('credits', () => {
  it('a top-up credits the balance once per platform transaction id', async () => {
    const account = await createTestAccount(platform.deps);
    const request = { accountNo: account.accountNo, amountFen: 5_000, channel: 'wechat' as const, externalRef: '4200001234' };
    const first = await topUp(platform.deps, request);
    const again = await topUp(platform.deps, request);
    expect(again).toEqual({ ...first, replayed: true });
    expect(await purses(account.accountNo)).toMatchObject({ balanceFen: 5_000 });
    expect(await code(topUp(platform.deps, { ...request, amountFen: 6_000 }))).toBe('IDEMPOTENCY_CONFLICT');
  });

  it('a CPU-card holder’s online top-up waits in the transitional balance; loading it to the chip makes it balance', async () => {
    const account = await createTestAccount(platform.deps, { balanceFen: 1_000 });
    await issueCard(platform.deps.db, { cardId: `CCPU${account.accountNo}`, accountNo: account.accountNo, kind: 'cpu', chipUid: `0C${account.accountNo}`.padEnd(12, '0'), status: 'active', issuedAt: new Date().toISOString(), issuedOn: '2026-09-01' });
    const terminal = await createTestTerminal(platform.deps);
    await creditTransitional(platform.deps, { accountNo: account.accountNo, amountFen: 3_000, channel: 'alipay', externalRef: '2026112322001' });
    expect(await purses(account.accountNo)).toMatchObject({ balanceFen: 1_000, transitionalFen: 3_000 });

    const load = await loadToCard(platform.deps, terminal, { accountNo: account.accountNo, amountFen: 3_000, loadId: 'L1', chipBalanceAfterFen: 4_000 });
    expect(load.entry).toMatchObject({ type: 'card_load', delta: { balanceFen: 3_000, transitionalFen: -3_000 }, chipBalanceAfterFen: 4_000 });
    expect(await purses(account.accountNo)).toMatchObject({ balanceFen: 4_000, transitionalFen: 0 });
    expect((await getAccount(platform.deps.db, account.accountNo))?.chipBalanceFen).toBe(4_000);
    expect((await loadToCard(platform.deps, terminal, { accountNo: account.accountNo, amountFen: 3_000, loadId: 'L1', chipBalanceAfterFen: 4_000 })).replayed).toBe(true);
    expect(await code(loadToCard(platform.deps, terminal, { accountNo: account.accountNo, amountFen: 1, loadId: 'L2', chipBalanceAfterFen: 4_001 }))).toBe('NOTHING_TO_LOAD');
  });
});

describe('purchases and the daily limit', () => {
  it('above the daily limit a purchase needs the consumption password; with it, it goes through', async () => {
    const account = await createTestAccount(platform.deps, { balanceFen: 20_000 }); // limit 50 yuan
    const terminal = await createTestTerminal(platform.deps);
    await chargeAtTerminal(platform.deps, terminal, { posTxnId: 'p1', chipUid: await testChipUid(platform.deps, account.accountNo), amountFen: 4_000 });
    expect(await code(chargeAtTerminal(platform.deps, terminal, { posTxnId: 'p2', chipUid: await testChipUid(platform.deps, account.accountNo), amountFen: 1_001 }))).toBe('PASSWORD_REQUIRED');
    // exactly up to the limit needs no password
    expect(await code(chargeAtTerminal(platform.deps, terminal, { posTxnId: 'p3', chipUid: await testChipUid(platform.deps, account.accountNo), amountFen: 1_000 }))).toBe('OK');
    const verified = await platform.deps.movements.post({
      accountNo: account.accountNo,
      idempotencyKey: `pos#${terminal.terminalId}#p4`,
      fingerprint: fingerprint({ amountFen: 2_000 }),
      plan: (current, today) =>
        planPurchase(current, { amountFen: 2_000, channel: 'pos', merchantId: terminal.merchantId, terminalId: terminal.terminalId, externalRef: 'p4', consumptionPasswordVerified: true }, today),
    });
    expect(verified.entry.after.balanceFen).toBe(13_000);
    expect((await getAccount(platform.deps.db, account.accountNo))?.dailySpentFen).toBe(7_000);
  });
});

describe('refunds', () => {
  it('a merchant refunds part of its own purchase, never more than is left, once per refund id', async () => {
    const account = await createTestAccount(platform.deps, { balanceFen: 5_000 });
    const terminal = await createTestTerminal(platform.deps, { merchantId: 'M-REFUND' });
    const purchase = await chargeAtTerminal(platform.deps, terminal, { posTxnId: 'r-buy', chipUid: await testChipUid(platform.deps, account.accountNo), amountFen: 1_500 });
    const merchant = { merchantId: 'M-REFUND', terminalId: terminal.terminalId };
    const first = await refundPurchase(platform.deps, merchant, { receiptNo: purchase.receiptNo, amountFen: 1_000, refundId: 'rf1' });
    expect(first.entry).toMatchObject({ type: 'refund', refundOf: purchase.receiptNo, delta: { balanceFen: 1_000 } });
    expect((await refundPurchase(platform.deps, merchant, { receiptNo: purchase.receiptNo, amountFen: 1_000, refundId: 'rf1' })).replayed).toBe(true);
    expect(await code(refundPurchase(platform.deps, merchant, { receiptNo: purchase.receiptNo, amountFen: 501, refundId: 'rf2' }))).toBe('REFUND_EXCEEDS_PURCHASE');
    expect(await code(refundPurchase(platform.deps, merchant, { receiptNo: purchase.receiptNo, amountFen: 500, refundId: 'rf3' }))).toBe('OK');
    expect(await code(refundPurchase(platform.deps, merchant, { receiptNo: purchase.receiptNo, amountFen: 1, refundId: 'rf4' }))).toBe('REFUND_EXCEEDS_PURCHASE');
    expect(await code(refundPurchase(platform.deps, { merchantId: 'M-OTHER' }, { receiptNo: purchase.receiptNo, amountFen: 1, refundId: 'rf5' }))).toBe('REFUND_NOT_ALLOWED');
    expect(await code(refundPurchase(platform.deps, merchant, { receiptNo: '01ARZ3NDEKTSV4RRFFQ69G5FAV', amountFen: 1, refundId: 'rf6' }))).toBe('RECEIPT_NOT_FOUND');
    expect(await purses(account.accountNo)).toMatchObject({ balanceFen: 5_000 });
  });

  it('concurrent refunds of one purchase (from separate requests) never exceed it', async () => {
    const account = await createTestAccount(platform.deps, { balanceFen: 5_000 });
    const terminal = await createTestTerminal(platform.deps, { merchantId: 'M-RACE' });
    const purchase = await chargeAtTerminal(platform.deps, terminal, { posTxnId: 'race-buy', chipUid: await testChipUid(platform.deps, account.accountNo), amountFen: 1_000 });
    const results = await Promise.all(
      Array.from({ length: 12 }, (_, i) => code(refundPurchase(platform.deps, { merchantId: 'M-RACE' }, { receiptNo: purchase.receiptNo, amountFen: 300, refundId: `race-${i}` }))),
    );
    expect(results.filter((r) => r === 'OK')).toHaveLength(3);
    expect(results.filter((r) => r !== 'OK').every((r) => r === 'REFUND_EXCEEDS_PURCHASE')).toBe(true);
    expect(await purses(account.accountNo)).toMatchObject({ balanceFen: 4_900 });
  });
});

describe('card-centre movements', () => {
  it('a replacement fee is charged even on a lost card, but never below zero', async () => {
    const lost = await createTestAccount(platform.deps, { balanceFen: 2_500, status: 'lost' });
    const fee = await chargeFee(platform.deps, { accountNo: lost.accountNo, amountFen: 2_000, feeId: 'fee-1', reason: 'replacement card' });
    expect(fee.entry).toMatchObject({ type: 'fee', reason: 'replacement card', after: { balanceFen: 500 } });
    expect(await code(chargeFee(platform.deps, { accountNo: lost.accountNo, amountFen: 2_000, feeId: 'fee-2', reason: 'replacement card' }))).toBe('INSUFFICIENT_BALANCE');
  });

  it('an adjustment needs a reason, records who made it, and cannot overdraw', async () => {
    const account = await createTestAccount(platform.deps, { balanceFen: 1_000, status: 'frozen' });
    const credit = await adjustBalance(platform.deps, { accountNo: account.accountNo, amountFen: 700, direction: 'credit', adjustmentId: 'adj-1', reason: 'duplicate offline charge refunded', operator: 'staff-01' });
    expect(credit.entry).toMatchObject({ type: 'adjustment', operator: 'staff-01', delta: { balanceFen: 700 } });
    expect(await code(adjustBalance(platform.deps, { accountNo: account.accountNo, amountFen: 1_701, direction: 'debit', adjustmentId: 'adj-2', reason: 'x', operator: 'staff-01' }))).toBe('INSUFFICIENT_BALANCE');
    expect(await code(adjustBalance(platform.deps, { accountNo: account.accountNo, amountFen: 1, direction: 'debit', adjustmentId: 'adj-3', reason: '  ', operator: 'staff-01' }))).toBe('VALIDATION_FAILED');
    expect(await purses(account.accountNo)).toMatchObject({ balanceFen: 1_700 });
  });

  it('cancellation refunds every purse to the destination and closes the account, in one movement', async () => {
    const account = await createTestAccount(platform.deps, { balanceFen: 3_000 });
    const terminal = await createTestTerminal(platform.deps);
    await creditTransitional(platform.deps, { accountNo: account.accountNo, amountFen: 500, channel: 'wechat', externalRef: 'w-cancel' });
    await preloadSmallWallet(platform.deps, terminal, { accountNo: account.accountNo, amountFen: 800, tapId: 'pre-cancel' });
    const closing = await closeAccountWithRefund(platform.deps, { accountNo: account.accountNo, cancellationId: 'c-1', destination: 'bank_card', reason: 'graduated', operator: 'staff-02', at: new Date() });
    expect(closing.entry).toMatchObject({ type: 'cancellation_refund', amountFen: 3_500, destination: 'bank_card', after: { balanceFen: 0, transitionalFen: 0, smallWalletFen: 0 } });
    expect(await purses(account.accountNo)).toEqual({ balanceFen: 0, transitionalFen: 0, smallWalletFen: 0, status: 'cancelled' });
    expect(await code(topUp(platform.deps, { accountNo: account.accountNo, amountFen: 100, channel: 'counter', externalRef: 'after-close' }))).toBe('CARD_CANCELLED');
    expect(await code(closeAccountWithRefund(platform.deps, { accountNo: account.accountNo, cancellationId: 'c-2', destination: 'cash', reason: 'again', operator: 'staff-02', at: new Date() }))).toBe('CARD_CANCELLED');
    expect((await closeAccountWithRefund(platform.deps, { accountNo: account.accountNo, cancellationId: 'c-1', destination: 'bank_card', reason: 'graduated', operator: 'staff-02', at: new Date() })).replayed).toBe(true);
  });
});

describe('the small wallet (water control)', () => {
  it('preloads up to its cap and settles the water used, returning the rest to the balance', async () => {
    const account = await createTestAccount(platform.deps, { balanceFen: 5_000 });
    const terminal = await createTestTerminal(platform.deps);
    await preloadSmallWallet(platform.deps, terminal, { accountNo: account.accountNo, amountFen: SMALL_WALLET_CAP_FEN, tapId: 'tap-1' });
    expect(await purses(account.accountNo)).toMatchObject({ balanceFen: 4_000, smallWalletFen: 1_000 });
    expect(await code(preloadSmallWallet(platform.deps, terminal, { accountNo: account.accountNo, amountFen: 1, tapId: 'tap-2' }))).toBe('SMALL_WALLET_IN_USE');
    expect(await code(settleSmallWallet(platform.deps, terminal, { accountNo: account.accountNo, usedFen: 1_001, tapId: 'tap-3' }))).toBe('SMALL_WALLET_USAGE_INVALID');
    const settle = await settleSmallWallet(platform.deps, terminal, { accountNo: account.accountNo, usedFen: 350, tapId: 'tap-4' });
    expect(settle.entry).toMatchObject({ type: 'small_wallet_settle', amountFen: 350, delta: { balanceFen: 650, smallWalletFen: -1_000 } });
    expect(await purses(account.accountNo)).toMatchObject({ balanceFen: 4_650, smallWalletFen: 0 });
  });
});

describe('bad amounts are refused before anything is written', () => {
  it.each([0, -100, 1.5, 2 ** 53 + 2, Number.NaN, Number.POSITIVE_INFINITY, '100' as unknown as number])('amount %s → INVALID_AMOUNT, nothing changes', async (amountFen) => {
    const account = await createTestAccount(platform.deps, { balanceFen: 5_000 });
    const terminal = await createTestTerminal(platform.deps);
    const chipUid = await testChipUid(platform.deps, account.accountNo);
    const before = await getAccount(platform.deps.db, account.accountNo);
    const ledgerBefore = await ledgerOf(platform.deps, account.accountNo);
    for (const attempt of [
      () => topUp(platform.deps, { accountNo: account.accountNo, amountFen, channel: 'counter', externalRef: 'bad-topup' }),
      () => chargeAtTerminal(platform.deps, terminal, { posTxnId: 'bad-buy', chipUid, amountFen }),
      () => chargeFee(platform.deps, { accountNo: account.accountNo, amountFen, feeId: 'bad-fee', reason: 'x' }),
      () => adjustBalance(platform.deps, { accountNo: account.accountNo, amountFen, direction: 'debit', adjustmentId: 'bad-adj', reason: 'x', operator: 'o' }),
      () => preloadSmallWallet(platform.deps, terminal, { accountNo: account.accountNo, amountFen, tapId: 'bad-tap' }),
    ]) {
      expect(await code(attempt())).toBe('INVALID_AMOUNT');
    }
    expect(await getAccount(platform.deps.db, account.accountNo)).toEqual(before);
    expect(await ledgerOf(platform.deps, account.accountNo)).toEqual(ledgerBefore);
  });
});

describe('after all of the above', () => {
  it('the audit finds every account explained by its ledger', async () => {
    const report = await auditLedger(platform.deps.db);
    expect(report.accountsChecked).toBeGreaterThan(10);
    expect(report.findings).toEqual([]);
  });
});
