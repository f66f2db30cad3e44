/**
 * Water sessions (small-wallet preloads) as pending transfers: preloaded at the first tap, settled at
 * the second at the same controller, given back whole when orphaned by a tap elsewhere or never settled.
 */
import { describe, expect, it } from 'vitest';
import { createDeps } from '../../functions/deps';
import { readConfig } from '../../functions/config';
import { auditLedger } from '../../functions/services/audit';
import { preloadSmallWallet, returnUnsettledWater, settleSmallWallet } from '../../functions/services/small-wallet';
import { getAccount } from '../../functions/store/accounts';
import { getOpenWaterSession, getWaterSession } from '../../functions/store/small-wallet';
import { createTestAccount, createTestTerminal, ledgerOf, refusalCode as code } from '../helpers/fixtures';
import { useTestPlatform } from '../helpers/platform';

const platform = useTestPlatform();

const purses = async (accountNo: string) => {
  const account = (await getAccount(platform.deps.db, accountNo))!;
  return { balanceFen: account.balanceFen, smallWalletFen: account.smallWalletFen };
};

describe('water sessions', () => {
  it('preload opens a pending session; the settlement at the same controller posts the water used and returns the rest', async () => {
    const account = await createTestAccount(platform.deps, { balanceFen: 5_000 });
    const shower = await createTestTerminal(platform.deps);
    await preloadSmallWallet(platform.deps, shower, { accountNo: account.accountNo, amountFen: 1_000, tapId: 'on-1' });
    const open = await getOpenWaterSession(platform.deps.db, account.accountNo);
    expect(open).toMatchObject({ pendingKind: 'small_wallet_preload', state: 'pending', terminalId: shower.terminalId, transfer: { debit: `holder:${account.accountNo}:small_wallet`, credit: `merchant:${shower.merchantId}:payable`, amountFen: 1_000 } });
    // A second preload at the same controller before settling: refused, nothing moves.
    expect(await code(preloadSmallWallet(platform.deps, shower, { accountNo: account.accountNo, amountFen: 100, tapId: 'on-2' }))).toBe('SMALL_WALLET_IN_USE');
    expect(await purses(account.accountNo)).toEqual({ balanceFen: 4_000, smallWalletFen: 1_000 });

    await settleSmallWallet(platform.deps, shower, { accountNo: account.accountNo, usedFen: 230, tapId: 'off-1' });
    expect(await purses(account.accountNo)).toEqual({ balanceFen: 4_770, smallWalletFen: 0 });
    expect(await getWaterSession(platform.deps.db, account.accountNo, open!.sessionId)).toMatchObject({ state: 'posted', resolution: 'settled', usedFen: 230 });
    expect(await getOpenWaterSession(platform.deps.db, account.accountNo)).toBeUndefined();
    // A retry of the settlement answers as the first; a settlement with nothing open is refused.
    expect((await settleSmallWallet(platform.deps, shower, { accountNo: account.accountNo, usedFen: 230, tapId: 'off-1' })).replayed).toBe(true);
    expect(await code(settleSmallWallet(platform.deps, shower, { accountNo: account.accountNo, usedFen: 10, tapId: 'off-2' }))).toBe('SMALL_WALLET_NOT_IN_USE');
  });

  it('a tap on another controller orphans the open session: it is given back whole, then the new one opens', async () => {
    const account = await createTestAccount(platform.deps, { balanceFen: 3_000 });
    const [first, second] = [await createTestTerminal(platform.deps), await createTestTerminal(platform.deps)];
    await preloadSmallWallet(platform.deps, first, { accountNo: account.accountNo, amountFen: 1_000, tapId: 'a-on' });
    const orphan = (await getOpenWaterSession(platform.deps.db, account.accountNo))!;
    // Settling at the wrong controller is refused: the water ran at the first one.
    expect(await code(settleSmallWallet(platform.deps, second, { accountNo: account.accountNo, usedFen: 100, tapId: 'b-off' }))).toBe('SMALL_WALLET_NOT_IN_USE');

    await preloadSmallWallet(platform.deps, second, { accountNo: account.accountNo, amountFen: 500, tapId: 'b-on' });
    expect(await getWaterSession(platform.deps.db, account.accountNo, orphan.sessionId)).toMatchObject({ state: 'expired', resolution: 'orphaned', usedFen: 0 });
    expect(await getOpenWaterSession(platform.deps.db, account.accountNo)).toMatchObject({ terminalId: second.terminalId, amountFen: 500 });
    expect(await purses(account.accountNo)).toEqual({ balanceFen: 2_500, smallWalletFen: 500 });
    const entries = (await ledgerOf(platform.deps, account.accountNo)).filter((e) => e.type !== 'topup');
    expect(entries.map((e) => [e.type, e.amountFen])).toEqual([
      ['small_wallet_preload', 1_000],
      ['small_wallet_settle', 0],
      ['small_wallet_preload', 500],
    ]);
    expect(entries[1]).toMatchObject({ reason: 'orphaned', delta: { balanceFen: 1_000, smallWalletFen: -1_000 } });
  });

  it('a session nobody settles expires after its timeout and the resolver gives it back once, however often it runs', async () => {
    const account = await createTestAccount(platform.deps, { balanceFen: 2_000 });
    const shower = await createTestTerminal(platform.deps);
    await preloadSmallWallet(platform.deps, shower, { accountNo: account.accountNo, amountFen: 800, tapId: 'left' });
    const session = (await getOpenWaterSession(platform.deps.db, account.accountNo))!;
    // Not yet due: nothing happens.
    expect((await returnUnsettledWater(platform.deps)).returned).toBe(0);
    const tomorrow = createDeps(readConfig(), { db: platform.deps.db, clock: () => new Date(Date.now() + 25 * 3600_000) });
    const runs = await Promise.all([returnUnsettledWater(tomorrow), returnUnsettledWater(tomorrow)]);
    expect(runs.flatMap((run) => run.failures)).toEqual([]);
    expect(await purses(account.accountNo)).toEqual({ balanceFen: 2_000, smallWalletFen: 0 });
    expect(await getWaterSession(platform.deps.db, account.accountNo, session.sessionId)).toMatchObject({ state: 'expired', resolution: 'not_settled_in_time' });
    expect((await ledgerOf(platform.deps, account.accountNo)).filter((e) => e.type === 'small_wallet_settle')).toHaveLength(1);
    // Settling it late is refused: the session is over.
    expect(await code(settleSmallWallet(platform.deps, shower, { accountNo: account.accountNo, usedFen: 100, tapId: 'late' }))).toBe('SMALL_WALLET_NOT_IN_USE');
    const audit = await auditLedger(platform.deps.db);
    expect(audit.findings.filter((f) => f.accountNo === account.accountNo)).toEqual([]);
  });

  it('preloads at once at two controllers leave one session open and the money exact (a later one orphans an earlier one, or is refused)', async () => {
    const account = await createTestAccount(platform.deps, { balanceFen: 5_000 });
    const controllers = [await createTestTerminal(platform.deps), await createTestTerminal(platform.deps), await createTestTerminal(platform.deps)];
    const results = await Promise.all(controllers.map((c, i) => code(preloadSmallWallet(platform.deps, c, { accountNo: account.accountNo, amountFen: 1_000, tapId: `race-${i}` }))));
    expect(results.filter((r) => r === 'OK').length).toBeGreaterThanOrEqual(1);
    expect(results.every((r) => r === 'OK' || r === 'SMALL_WALLET_IN_USE' || r === 'SMALL_WALLET_FULL')).toBe(true);
    expect(await purses(account.accountNo)).toEqual({ balanceFen: 4_000, smallWalletFen: 1_000 });
    const open = await getOpenWaterSession(platform.deps.db, account.accountNo);
    expect(open).toMatchObject({ state: 'pending', amountFen: 1_000 });
    const audit = await auditLedger(platform.deps.db);
    expect(audit.findings.filter((f) => f.accountNo === account.accountNo)).toEqual([]);
  });

  it('a session still pending past its timeout and the resolver’s grace is an audit finding', async () => {
    const account = await createTestAccount(platform.deps, { balanceFen: 2_000 });
    const shower = await createTestTerminal(platform.deps);
    await preloadSmallWallet(platform.deps, shower, { accountNo: account.accountNo, amountFen: 300, tapId: 'forgotten' });
    const report = await auditLedger(platform.deps.db, { clock: () => new Date(Date.now() + 2 * 24 * 3600_000) });
    expect(report.findings.filter((f) => f.accountNo === account.accountNo).map((f) => f.problem)).toEqual([expect.stringMatching(/^pending small_wallet_preload W\S+ \(300 fen, holder:\d+:small_wallet → merchant:\S+:payable\)/)]);
  });
});
