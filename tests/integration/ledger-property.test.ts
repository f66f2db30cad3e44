/**
 * Property: whatever mix of movements arrives, in whatever order and concurrency, with retries,
 * the invariants hold: every purse equals the sum of its ledger, nothing is ever negative, the
 * audit is clean, each movement posts at most once, and the money the account holds in all purses
 * equals the opening balance plus the net effect of exactly the movements that succeeded. Double
 * entry: the trial balance is zero (the account's purses and the system accounts its entries moved
 * money with sum to zero), also after the account is closed and refunded.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { AppError } from '../../functions/app-error';
import { auditAccount, TrialBalance } from '../../functions/domain/audit';
import { chargeAtTerminal } from '../../functions/services/charge';
import {
  adjustBalance,
  chargeFee,
  closeAccountWithRefund,
  creditTransitional,
  refundPurchase,
  releaseTransitional,
  loadToCard,
  topUp,
} from '../../functions/services/movements';
import { preloadSmallWallet, settleSmallWallet } from '../../functions/services/small-wallet';
import { getAccount } from '../../functions/store/accounts';
import { entriesInRange } from '../../functions/store/ledger';
import { MAX_DAILY_LIMIT_FEN } from '../../functions/domain/account';
import type { Terminal } from '../../functions/domain/merchant';
import { createTestAccount, createTestTerminal, testChipUid } from '../helpers/fixtures';
import { useTestPlatform } from '../helpers/platform';

const platform = useTestPlatform();

type Op =
  | { kind: 'topup'; amountFen: number }
  | { kind: 'purchase'; amountFen: number }
  | { kind: 'fee'; amountFen: number }
  | { kind: 'adjust'; amountFen: number; direction: 'credit' | 'debit' }
  | { kind: 'transitional'; amountFen: number }
  | { kind: 'load'; amountFen: number }
  | { kind: 'preload'; amountFen: number }
  | { kind: 'settle'; amountFen: number }
  | { kind: 'refund'; amountFen: number }
  | { kind: 'release' };

const amount = fc.integer({ min: 1, max: 3_000 });
const op: fc.Arbitrary<Op> = fc.oneof(
  amount.map((amountFen) => ({ kind: 'topup' as const, amountFen })),
  amount.map((amountFen) => ({ kind: 'purchase' as const, amountFen })),
  amount.map((amountFen) => ({ kind: 'fee' as const, amountFen })),
  fc.record({ amountFen: amount, direction: fc.constantFrom('credit' as const, 'debit' as const) }).map((r) => ({ kind: 'adjust' as const, ...r })),
  amount.map((amountFen) => ({ kind: 'transitional' as const, amountFen })),
  amount.map((amountFen) => ({ kind: 'load' as const, amountFen })),
  fc.integer({ min: 1, max: 1_000 }).map((amountFen) => ({ kind: 'preload' as const, amountFen })),
  fc.integer({ min: 1, max: 1_000 }).map((amountFen) => ({ kind: 'settle' as const, amountFen })),
  amount.map((amountFen) => ({ kind: 'refund' as const, amountFen })),
  fc.constant({ kind: 'release' as const }),
);

/** The latest purchase of each account (refunds refund part of it; a refund above what is left is refused). */
const lastPurchase = new Map<string, string>();

function perform(terminal: Terminal, accountNo: string, o: Op, id: string) {
  const deps = platform.deps;
  switch (o.kind) {
    case 'topup':
      return topUp(deps, { accountNo, amountFen: o.amountFen, channel: 'counter', externalRef: id });
    case 'purchase':
      return testChipUid(deps, accountNo)
        .then((chipUid) => chargeAtTerminal(deps, terminal, { posTxnId: id, chipUid, amountFen: o.amountFen }))
        .then((result) => {
          lastPurchase.set(accountNo, result.receiptNo);
          return result;
        });
    case 'refund': {
      const receiptNo = lastPurchase.get(accountNo);
      if (!receiptNo) return Promise.reject(new AppError('RECEIPT_NOT_FOUND', 'no purchase yet'));
      return refundPurchase(deps, { merchantId: terminal.merchantId, terminalId: terminal.terminalId }, { receiptNo, amountFen: o.amountFen, refundId: id });
    }
    case 'release':
      return releaseTransitional(deps, { accountNo, releaseId: id, reason: 'property test', operator: 'fc' });
    case 'fee':
      return chargeFee(deps, { accountNo, amountFen: o.amountFen, feeId: id, reason: 'property test' });
    case 'adjust':
      return adjustBalance(deps, { accountNo, amountFen: o.amountFen, direction: o.direction, adjustmentId: id, reason: 'property test', operator: 'fc' });
    case 'transitional':
      return creditTransitional(deps, { accountNo, amountFen: o.amountFen, channel: 'wechat', externalRef: id });
    case 'load':
      return loadToCard(deps, terminal, { accountNo, amountFen: o.amountFen, loadId: id, chipBalanceAfterFen: 0 });
    case 'preload':
      return preloadSmallWallet(deps, terminal, { accountNo, amountFen: o.amountFen, tapId: id });
    case 'settle':
      return settleSmallWallet(deps, terminal, { accountNo, usedFen: o.amountFen, tapId: id });
  }
}

/** Only refusals are allowed to fail; anything else is a bug. */
async function attempt(run: () => Promise<unknown>): Promise<boolean> {
  try {
    await run();
    return true;
  } catch (error) {
    if (error instanceof AppError) return false;
    throw error;
  }
}

/** What a successful movement does to the total money on the account (all purses together). */
function netEffect(o: Op): number {
  switch (o.kind) {
    case 'topup':
    case 'transitional':
    case 'refund':
      return o.amountFen;
    case 'purchase':
    case 'fee':
    case 'settle':
      return -o.amountFen;
    case 'adjust':
      return o.direction === 'credit' ? o.amountFen : -o.amountFen;
    case 'load':
    case 'preload':
    case 'release':
      return 0; // moves money between purses
  }
}

/** The trial balance over one account's entries: debits = credits, and its purses + the system accounts = 0. */
function expectBooksBalance(account: { balanceFen: number; transitionalFen: number; smallWalletFen: number }, entries: Parameters<typeof auditAccount>[1]): void {
  const books = new TrialBalance();
  for (const entry of entries) books.note(entry);
  expect(books.findings()).toEqual([]);
  const report = books.report();
  expect(report.holderPursesFen).toBe(account.balanceFen + account.transitionalFen + account.smallWalletFen);
  expect(report.holderPursesFen + Object.values(report.systemAccounts).reduce((sum, fen) => sum + fen, 0)).toBe(0);
}

let runNo = 0;

describe('ledger invariants (fast-check)', () => {
  it('hold for random mixes of movements run concurrently and retried', async () => {
    const terminal = await createTestTerminal(platform.deps);
    await fc.assert(
      fc.asyncProperty(fc.array(op, { minLength: 1, maxLength: 16 }), fc.integer({ min: 1, max: 4 }), async (ops, parallelism) => {
        runNo++;
        const account = await createTestAccount(platform.deps, { balanceFen: 2_000, dailyLimitFen: MAX_DAILY_LIMIT_FEN });
        // Run in waves of `parallelism`, each op sent twice (a retry) at the same time.
        let expectedTotal = 2_000;
        for (let i = 0; i < ops.length; i += parallelism) {
          const wave = ops.slice(i, i + parallelism);
          const outcomes = await Promise.all(
            wave.map(async (o, j) => {
              const id = `fc${runNo}-${i + j}`;
              const [first, retry] = await Promise.all([
                attempt(() => perform(terminal, account.accountNo, o, id)),
                attempt(() => perform(terminal, account.accountNo, o, id)),
              ]);
              return first || retry;
            }),
          );
          wave.forEach((o, j) => {
            if (outcomes[j]) expectedTotal += netEffect(o);
          });
        }
        const after = (await getAccount(platform.deps.db, account.accountNo))!;
        const entries = await entriesInRange(platform.deps.db, account.accountNo);
        expect(auditAccount(after, entries)).toEqual([]);
        expect(after.balanceFen).toBeGreaterThanOrEqual(0);
        expect(after.transitionalFen).toBeGreaterThanOrEqual(0);
        expect(after.smallWalletFen).toBeGreaterThanOrEqual(0);
        expect(after.smallWalletFen).toBeLessThanOrEqual(1_000);
        expect(after.balanceFen + after.transitionalFen + after.smallWalletFen).toBe(expectedTotal);
        // Each op posted at most once despite its retry: entries = 1 opening + distinct successes.
        expect(new Set(entries.map((e) => e.externalRef)).size).toBe(entries.length);
        expectBooksBalance(after, entries);

        // Closing refunds what is not held back for offline terminals: the books still balance.
        await closeAccountWithRefund(platform.deps, { accountNo: account.accountNo, cancellationId: `fc${runNo}-close`, destination: runNo % 2 ? 'cash' : 'bank_card', reason: 'property test', operator: 'fc', at: new Date() });
        const closed = (await getAccount(platform.deps.db, account.accountNo))!;
        const closedEntries = await entriesInRange(platform.deps.db, account.accountNo);
        expect(auditAccount(closed, closedEntries)).toEqual([]);
        expectBooksBalance(closed, closedEntries);
      }),
      { numRuns: 25 },
    );
  }, 120_000);
});
