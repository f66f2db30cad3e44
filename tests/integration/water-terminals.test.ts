/**
 * Water control over HTTP with signed terminal requests (docs/water.md): pre-deduction controllers
 * (first tap pre-deducts, second settles), settlement terminals (the small wallet on the chip:
 * usage settled from the chip's reading, refilled to the cap), and the controllers' usage uploads.
 */
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { createDeps } from '../../functions/deps';
import { readConfig } from '../../functions/config';
import { campusDay } from '../../functions/domain/campus-day';
import { PROJECT_ROOT } from '../../functions/local/serverless-config';
import type { Terminal } from '../../functions/domain/merchant';
import { auditLedger } from '../../functions/services/audit';
import { returnUnsettledWater, settleChipWallet } from '../../functions/services/small-wallet';
import { changeAccountStatus, getAccount } from '../../functions/store/accounts';
import { issueCard } from '../../functions/store/cards';
import { findingIdOf, getFinding } from '../../functions/store/reconciliation-findings';
import { getOpenWaterSession, getWalletTap, getWaterSession, listUnsettledUsageAccounts, listUsageRecords } from '../../functions/store/small-wallet';
import { createTestAccount, createTestTerminal, ledgerOf, setAccountStatus, terminalFetch, testChipUid } from '../helpers/fixtures';
import { useTestPlatform } from '../helpers/platform';

const platform = useTestPlatform({ http: true });
const SESSIONS = '/v1/pos/water/sessions';
const SETTLEMENT = '/v1/pos/water/sessions/settlement';
const WALLET = '/v1/pos/water/wallet-settlements';
const UPLOADS = '/v1/pos/water/usage-uploads';

const post = (terminal: Terminal, path: string, body: unknown) => terminalFetch(platform.url, terminal, 'POST', path, body);

async function holder(balanceFen: number) {
  const account = await createTestAccount(platform.deps, { balanceFen, holderName: '王小明' });
  return { accountNo: account.accountNo, chipUid: await testChipUid(platform.deps, account.accountNo) };
}

const purses = async (accountNo: string) => {
  const account = (await getAccount(platform.deps.db, accountNo))!;
  return { balanceFen: account.balanceFen, smallWalletFen: account.smallWalletFen };
};

/** Everything a refusal must leave as it was: the account item (version) and its ledger. */
async function snapshot(accountNo: string) {
  return { account: await getAccount(platform.deps.db, accountNo), ledger: await ledgerOf(platform.deps, accountNo) };
}

async function auditFindingsOf(accountNo: string) {
  return (await auditLedger(platform.deps.db)).findings.filter((f) => f.accountNo === accountNo);
}

describe('pre-deduction controllers: POST /v1/pos/water/sessions and /settlement', () => {
  it('the first tap pre-deducts 10 yuan, the second settles the water used and refunds the rest; retries answer the same', async () => {
    const { accountNo, chipUid } = await holder(5_000);
    const shower = await createTestTerminal(platform.deps, { merchantId: 'MWATER1' });
    const opened = await post(shower, SESSIONS, { tapId: 'on-1', chipUid });
    expect(opened.status).toBe(200);
    expect(opened.body).toMatchObject({ accountNo, holderDisplayName: '王*明', preloadedFen: 1_000, balanceFen: 4_000, smallWalletFen: 1_000, replayed: false });
    expect(Date.parse(opened.body.expiresAt) - Date.parse(opened.body.postedAt)).toBe(24 * 3600_000);
    expect(await getOpenWaterSession(platform.deps.db, accountNo)).toMatchObject({ sessionId: opened.body.sessionId, state: 'pending', terminalId: shower.terminalId });

    const again = await post(shower, SESSIONS, { tapId: 'on-1', chipUid });
    expect(again.body).toEqual({ ...opened.body, replayed: true });
    // Another request under the same tap id (the other controller action) is a conflict.
    expect((await post(shower, SETTLEMENT, { tapId: 'on-1', chipUid, usedFen: 10 })).body.code).toBe('IDEMPOTENCY_CONFLICT');

    const settled = await post(shower, SETTLEMENT, { tapId: 'off-1', chipUid, usedFen: 230 });
    expect(settled.status).toBe(200);
    expect(settled.body).toMatchObject({ accountNo, usedFen: 230, refundedFen: 770, balanceFen: 4_770, smallWalletFen: 0, replayed: false });
    expect((await post(shower, SETTLEMENT, { tapId: 'off-1', chipUid, usedFen: 230 })).body).toEqual({ ...settled.body, replayed: true });
    const conflict = await post(shower, SETTLEMENT, { tapId: 'off-1', chipUid, usedFen: 231 });
    expect([conflict.status, conflict.body.code]).toEqual([409, 'IDEMPOTENCY_CONFLICT']);
    expect(await purses(accountNo)).toEqual({ balanceFen: 4_770, smallWalletFen: 0 });
    expect(await getWaterSession(platform.deps.db, accountNo, opened.body.sessionId)).toMatchObject({ state: 'posted', resolution: 'settled', usedFen: 230 });
    expect(await auditFindingsOf(accountNo)).toEqual([]);
  });

  it('pre-deducts the whole balance when it is less than 10 yuan, and refuses an empty one', async () => {
    const { chipUid } = await holder(640);
    const shower = await createTestTerminal(platform.deps);
    expect((await post(shower, SESSIONS, { tapId: 'low', chipUid })).body).toMatchObject({ preloadedFen: 640, balanceFen: 0, smallWalletFen: 640 });
    await post(shower, SETTLEMENT, { tapId: 'low-off', chipUid, usedFen: 640 });
    const empty = await post(shower, SESSIONS, { tapId: 'empty', chipUid });
    expect([empty.status, empty.body.code]).toEqual([409, 'INSUFFICIENT_BALANCE']);
  });

  it('a tap at another controller refunds the orphaned pre-deduction at once; a late retry of the first tap answers it without orphaning the new one', async () => {
    const { accountNo, chipUid } = await holder(3_000);
    const [first, second] = [await createTestTerminal(platform.deps), await createTestTerminal(platform.deps)];
    const orphan = (await post(first, SESSIONS, { tapId: 'a-on', chipUid })).body;
    const wrong = await post(second, SETTLEMENT, { tapId: 'b-off', chipUid, usedFen: 100 });
    expect([wrong.status, wrong.body.code]).toEqual([409, 'SMALL_WALLET_NOT_IN_USE']);

    const next = await post(second, SESSIONS, { tapId: 'b-on', chipUid });
    expect(next.body).toMatchObject({ preloadedFen: 1_000, balanceFen: 2_000, smallWalletFen: 1_000 });
    expect(await getWaterSession(platform.deps.db, accountNo, orphan.sessionId)).toMatchObject({ state: 'expired', resolution: 'orphaned' });

    const lateRetry = await post(first, SESSIONS, { tapId: 'a-on', chipUid });
    expect(lateRetry.body).toEqual({ ...orphan, replayed: true });
    expect(await getOpenWaterSession(platform.deps.db, accountNo)).toMatchObject({ sessionId: next.body.sessionId, state: 'pending' });
    expect(await purses(accountNo)).toEqual({ balanceFen: 2_000, smallWalletFen: 1_000 });
    expect(await auditFindingsOf(accountNo)).toEqual([]);
  });

  it('a pre-deduction nobody settles is refunded by the resolver after its timeout', async () => {
    const { accountNo, chipUid } = await holder(2_000);
    const shower = await createTestTerminal(platform.deps);
    const opened = (await post(shower, SESSIONS, { tapId: 'gone', chipUid })).body;
    const tomorrow = createDeps(readConfig(), { db: platform.deps.db, clock: () => new Date(Date.now() + 25 * 3600_000) });
    const report = await returnUnsettledWater(tomorrow);
    expect(report.failures).toEqual([]);
    expect(await purses(accountNo)).toEqual({ balanceFen: 2_000, smallWalletFen: 0 });
    expect(await getWaterSession(platform.deps.db, accountNo, opened.sessionId)).toMatchObject({ state: 'expired', resolution: 'not_settled_in_time' });
    const late = await post(shower, SETTLEMENT, { tapId: 'gone-off', chipUid, usedFen: 100 });
    expect(late.body.code).toBe('SMALL_WALLET_NOT_IN_USE');
  });
});

describe('settlement terminals: POST /v1/pos/water/wallet-settlements', () => {
  it('the first tap loads the wallet to 10 yuan; the next settles what the chip used and loads it back; retries answer the same', async () => {
    const { accountNo, chipUid } = await holder(5_000);
    const terminal = await createTestTerminal(platform.deps, { merchantId: 'MWATER2' });
    const first = await post(terminal, WALLET, { tapId: 't1', chipUid, chipWalletFen: 0 });
    expect(first.status).toBe(200);
    expect(first.body).toMatchObject({ accountNo, usageFen: 0, refillFen: 1_000, balanceFen: 4_000, smallWalletFen: 1_000, chipWalletToWriteFen: 1_000, replayed: false });
    expect(first.body.receiptNos).toHaveLength(1);

    // The controllers spent 3.50 yuan from the chip's wallet offline.
    const second = await post(terminal, WALLET, { tapId: 't2', chipUid, chipWalletFen: 650 });
    expect(second.body).toMatchObject({ usageFen: 350, refillFen: 350, balanceFen: 3_650, smallWalletFen: 1_000, chipWalletToWriteFen: 1_000, holderDisplayName: '王*明' });
    expect(second.body.receiptNos).toHaveLength(2);
    expect((await post(terminal, WALLET, { tapId: 't2', chipUid, chipWalletFen: 650 })).body).toEqual({ ...second.body, replayed: true });
    const conflict = await post(terminal, WALLET, { tapId: 't2', chipUid, chipWalletFen: 600 });
    expect([conflict.status, conflict.body.code]).toEqual([409, 'IDEMPOTENCY_CONFLICT']);

    expect(await purses(accountNo)).toEqual({ balanceFen: 3_650, smallWalletFen: 1_000 });
    const water = (await ledgerOf(platform.deps, accountNo)).filter((e) => e.type !== 'topup');
    expect(water.map((e) => [e.type, e.amountFen, e.delta])).toEqual([
      ['small_wallet_preload', 1_000, { balanceFen: -1_000, transitionalFen: 0, smallWalletFen: 1_000 }],
      // The rest stays in the small wallet: the chip still holds it.
      ['small_wallet_settle', 350, { balanceFen: 0, transitionalFen: 0, smallWalletFen: -350 }],
      ['small_wallet_preload', 350, { balanceFen: -350, transitionalFen: 0, smallWalletFen: 350 }],
    ]);
    expect(water[1]!.transfers).toEqual([{ debit: `holder:${accountNo}:small_wallet`, credit: 'merchant:MWATER2:payable', amountFen: 350 }]);
    expect(await auditFindingsOf(accountNo)).toEqual([]);
  });

  it('loads only what the balance holds, and a chip showing all of it settles nothing', async () => {
    const { accountNo, chipUid } = await holder(300);
    const terminal = await createTestTerminal(platform.deps);
    expect((await post(terminal, WALLET, { tapId: 'p1', chipUid, chipWalletFen: 0 })).body).toMatchObject({ usageFen: 0, refillFen: 300, balanceFen: 0, chipWalletToWriteFen: 300 });
    const idle = await post(terminal, WALLET, { tapId: 'p2', chipUid, chipWalletFen: 300 });
    expect(idle.body).toMatchObject({ usageFen: 0, refillFen: 0, balanceFen: 0, smallWalletFen: 300, chipWalletToWriteFen: 300, receiptNos: [] });
    expect((await post(terminal, WALLET, { tapId: 'p2', chipUid, chipWalletFen: 300 })).body.replayed).toBe(true);
    expect(await purses(accountNo)).toEqual({ balanceFen: 0, smallWalletFen: 300 });
  });

  it('a chip showing more than was loaded is refused and nothing changes', async () => {
    const { accountNo, chipUid } = await holder(5_000);
    const terminal = await createTestTerminal(platform.deps);
    await post(terminal, WALLET, { tapId: 'ok', chipUid, chipWalletFen: 0 });
    const before = await snapshot(accountNo);
    const ahead = await post(terminal, WALLET, { tapId: 'ahead', chipUid, chipWalletFen: 1_200 });
    expect(ahead.status).toBe(409);
    expect(ahead.body).toMatchObject({ code: 'SMALL_WALLET_CHIP_AHEAD', message: { zh: expect.any(String), en: expect.any(String) } });
    expect(await snapshot(accountNo)).toEqual(before);
    expect(await getWalletTap(platform.deps.db, terminal.terminalId, 'ahead')).toBeUndefined();
  });

  it('a frozen account settles the water used but gets no refill', async () => {
    const { accountNo, chipUid } = await holder(5_000);
    const terminal = await createTestTerminal(platform.deps);
    await post(terminal, WALLET, { tapId: 'f1', chipUid, chipWalletFen: 0 });
    await setAccountStatus(platform.deps, accountNo, 'frozen');
    const res = await post(terminal, WALLET, { tapId: 'f2', chipUid, chipWalletFen: 400 });
    expect(res.body).toMatchObject({ usageFen: 600, refillFen: 0, refillRefused: 'CARD_FROZEN', smallWalletFen: 400, chipWalletToWriteFen: 400, balanceFen: 4_000 });
  });

  it('when the refill did not happen (the answer was lost between the two movements), a retry of the tap finishes it once', async () => {
    const { accountNo, chipUid } = await holder(5_000);
    const terminal = await createTestTerminal(platform.deps);
    await post(terminal, WALLET, { tapId: 'c1', chipUid, chipWalletFen: 0 });
    // The container dies after the usage movement committed: the refill never starts.
    const crashing = { ...platform.deps, movements: { post: (command: Parameters<typeof platform.deps.movements.post>[0]) => (command.idempotencyKey.endsWith('#refill') ? Promise.reject(new Error('container stopped')) : platform.deps.movements.post(command)) } };
    await expect(settleChipWallet(crashing, terminal, { tapId: 'c2', chipUid, chipWalletFen: 100 })).rejects.toThrow('container stopped');
    expect(await purses(accountNo)).toEqual({ balanceFen: 4_000, smallWalletFen: 100 });

    const retried = await post(terminal, WALLET, { tapId: 'c2', chipUid, chipWalletFen: 100 });
    expect(retried.body).toMatchObject({ usageFen: 900, refillFen: 900, smallWalletFen: 1_000, chipWalletToWriteFen: 1_000, balanceFen: 3_100, replayed: false });
    expect((await post(terminal, WALLET, { tapId: 'c2', chipUid, chipWalletFen: 100 })).body).toEqual({ ...retried.body, replayed: true });
    expect((await ledgerOf(platform.deps, accountNo)).filter((e) => e.type === 'small_wallet_settle').map((e) => e.amountFen)).toEqual([900]);
    expect(await auditFindingsOf(accountNo)).toEqual([]);
  });

  it('refuses a wallet settlement while a pre-deduction session is open, and a session while the wallet is on the chip', async () => {
    const { accountNo, chipUid } = await holder(5_000);
    const [controller, settlement] = [await createTestTerminal(platform.deps), await createTestTerminal(platform.deps)];
    await post(controller, SESSIONS, { tapId: 's1', chipUid });
    expect((await post(settlement, WALLET, { tapId: 'w1', chipUid, chipWalletFen: 0 })).body.code).toBe('SMALL_WALLET_IN_USE');
    await post(controller, SETTLEMENT, { tapId: 's2', chipUid, usedFen: 0 });
    await post(settlement, WALLET, { tapId: 'w2', chipUid, chipWalletFen: 0 });
    await post(settlement, WALLET, { tapId: 'w3', chipUid, chipWalletFen: 700 });
    const before = await snapshot(accountNo);
    // 10 yuan on the chip: a session would empty the wallet under it.
    const refused = await post(controller, SESSIONS, { tapId: 's3', chipUid });
    expect([refused.status, refused.body.code]).toEqual([409, 'SMALL_WALLET_HELD_ON_CHIP']);
    expect(await snapshot(accountNo)).toEqual(before);
  });
});

describe('lost and void cards, and bad input', () => {
  async function cardIn(status: 'lost' | 'replaced') {
    const account = await createTestAccount(platform.deps, { balanceFen: 5_000 });
    const chipUid = `0E${account.accountNo}`.padEnd(14, '0');
    await issueCard(platform.deps.db, { cardId: `C${chipUid}`, accountNo: account.accountNo, kind: 'm1', chipUid, status, issuedAt: new Date().toISOString(), issuedOn: campusDay(new Date()) });
    return { accountNo: account.accountNo, chipUid };
  }

  it.each([
    ['lost', 'CARD_LOST'],
    ['replaced', 'CARD_VOID'],
  ] as const)('a %s card is refused at every water route and nothing changes', async (status, code) => {
    const { accountNo, chipUid } = await cardIn(status);
    const terminal = await createTestTerminal(platform.deps);
    const before = await snapshot(accountNo);
    for (const [path, body] of [
      [SESSIONS, { tapId: 'x1', chipUid }],
      [SETTLEMENT, { tapId: 'x2', chipUid, usedFen: 10 }],
      [WALLET, { tapId: 'x3', chipUid, chipWalletFen: 0 }],
    ] as const) {
      const res = await post(terminal, path, body);
      expect([path, res.status, res.body.code]).toEqual([path, 409, code]);
    }
    expect(await snapshot(accountNo)).toEqual(before);
  });

  it('a retry of a posted tap answers as the original after the card was reported lost; a new tap is refused', async () => {
    const { accountNo, chipUid } = await holder(5_000);
    const shower = await createTestTerminal(platform.deps);
    const opened = (await post(shower, SESSIONS, { tapId: 'before-loss', chipUid })).body;
    const account = (await getAccount(platform.deps.db, accountNo))!;
    await changeAccountStatus(platform.deps.db, account, 'lost', { cardId: account.activePhysicalCardId!, chipUid, status: 'lost' }, new Date().toISOString());
    expect((await post(shower, SESSIONS, { tapId: 'before-loss', chipUid })).body).toEqual({ ...opened, replayed: true });
    const refused = await post(shower, SETTLEMENT, { tapId: 'after-loss', chipUid, usedFen: 10 });
    expect([refused.status, refused.body.code]).toEqual([409, 'CARD_LOST']);
  });

  it('an unknown card is CARD_NOT_FOUND', async () => {
    const terminal = await createTestTerminal(platform.deps);
    const res = await post(terminal, WALLET, { tapId: 'u1', chipUid: 'FFFFFFFF00000001', chipWalletFen: 0 });
    expect([res.status, res.body.code]).toEqual([404, 'CARD_NOT_FOUND']);
  });

  const bad: [string, string, Record<string, unknown>][] = [
    ['negative chip wallet', WALLET, { chipWalletFen: -1 }],
    ['fractional chip wallet', WALLET, { chipWalletFen: 1.5 }],
    ['chip wallet as a string', WALLET, { chipWalletFen: '100' }],
    ['chip wallet missing', WALLET, { chipWalletFen: undefined }],
    ['negative usage', SETTLEMENT, { usedFen: -5 }],
    ['fractional usage', SETTLEMENT, { usedFen: 2.5 }],
    ['usage missing', SETTLEMENT, { usedFen: undefined }],
    ['chip UID in lower case', SESSIONS, { chipUid: 'abcdef0123' }],
    ['tap id with a separator', SESSIONS, { tapId: 'a#b' }],
    ['tap id missing', WALLET, { tapId: undefined }],
    ['an amount on a session tap', SESSIONS, { amountFen: 500 }],
    ['negative main purse', WALLET, { chipBalanceFen: -1, cardTxnCounter: 1 }],
    ['main purse as a string', SESSIONS, { chipBalanceFen: '100', cardTxnCounter: 1 }],
    ['fractional counter', SETTLEMENT, { chipBalanceFen: 100, cardTxnCounter: 1.5 }],
  ];

  it.each(bad)('%s → 400 VALIDATION_FAILED, nothing changed', async (_name, path, change) => {
    const { accountNo, chipUid } = await holder(5_000);
    const terminal = await createTestTerminal(platform.deps);
    const before = await snapshot(accountNo);
    const base = path === WALLET ? { tapId: 'b1', chipUid, chipWalletFen: 0 } : path === SETTLEMENT ? { tapId: 'b1', chipUid, usedFen: 10 } : { tapId: 'b1', chipUid };
    const res = await post(terminal, path, { ...base, ...change });
    expect([res.status, res.body.code]).toEqual([400, 'VALIDATION_FAILED']);
    expect(await snapshot(accountNo)).toEqual(before);
  });

  it('a usage above what the pre-deduction holds is refused and nothing changes', async () => {
    const { accountNo, chipUid } = await holder(5_000);
    const shower = await createTestTerminal(platform.deps);
    await post(shower, SESSIONS, { tapId: 'on', chipUid });
    const before = await snapshot(accountNo);
    const res = await post(shower, SETTLEMENT, { tapId: 'off', chipUid, usedFen: 1_001 });
    expect([res.status, res.body.code]).toEqual([409, 'SMALL_WALLET_USAGE_INVALID']);
    expect(await snapshot(accountNo)).toEqual(before);
  });
});

describe('controllers upload their usage: POST /v1/pos/water/usage-uploads', () => {
  const minutesAgo = (minutes: number) => new Date(Date.now() - minutes * 60_000).toISOString();

  it('stores each record once, moves no money, and finds records above what the settlement took', async () => {
    const { accountNo, chipUid } = await holder(5_000);
    const [settlement, controller] = [await createTestTerminal(platform.deps), await createTestTerminal(platform.deps)];
    await post(settlement, WALLET, { tapId: 'l1', chipUid, chipWalletFen: 0 });
    const records = [
      { recordId: 'r1', chipUid, occurredAt: minutesAgo(0), amountFen: 200, chipWalletAfterFen: 800 },
      { recordId: 'r2', chipUid, occurredAt: minutesAgo(0), amountFen: 100, chipWalletAfterFen: 700 },
    ];
    // Uploaded before the settlement that takes them.
    const uploaded = await post(controller, UPLOADS, { records });
    expect(uploaded.body.results).toEqual([
      { recordId: 'r1', outcome: 'stored', replayed: false },
      { recordId: 'r2', outcome: 'stored', replayed: false },
    ]);
    const beforeSettlement = await snapshot(accountNo);
    expect(beforeSettlement.account!.smallWalletFen).toBe(1_000);
    await new Promise((resolve) => setTimeout(resolve, 5));
    const settled = (await post(settlement, WALLET, { tapId: 'l2', chipUid, chipWalletFen: 700 })).body;
    expect(settled.usageFen).toBe(300);

    const before = await snapshot(accountNo);
    expect((await post(controller, UPLOADS, { records })).body.results.map((r: { replayed: boolean }) => r.replayed)).toEqual([true, true]);
    const changed = await post(controller, UPLOADS, { records: [{ ...records[0], amountFen: 999 }] });
    expect(changed.body.results).toEqual([{ recordId: 'r1', outcome: 'conflict', replayed: true }]);
    expect(await snapshot(accountNo)).toEqual(before);
    expect(await listUsageRecords(platform.deps.db, accountNo)).toHaveLength(2);
    const ref = `${accountNo}@${settled.settledAt}`;
    const aboveId = findingIdOf({ source: 'water_usage', day: campusDay(new Date(settled.settledAt)), channel: 'water', ref, kind: 'water_usage_above_settled' });
    expect(await getFinding(platform.deps.db, aboveId)).toBeUndefined();

    // A third record of the same interval, uploaded late: the controllers claim 4 yuan, the chip showed 3.
    const late = await post(controller, UPLOADS, { records: [{ recordId: 'r3', chipUid, occurredAt: records[0]!.occurredAt, amountFen: 100 }] });
    expect(late.body.results).toEqual([{ recordId: 'r3', outcome: 'stored', replayed: false }]);
    expect(await getFinding(platform.deps.db, aboveId)).toMatchObject({ status: 'open', source: 'water_usage', kind: 'water_usage_above_settled', accountNo, outsideFen: 400, oursFen: 300 });
    expect(await snapshot(accountNo)).toEqual(before);
  });

  it('finds usage records that no settlement has taken a day later, and answers unknown chips', async () => {
    const { accountNo, chipUid } = await holder(5_000);
    const controller = await createTestTerminal(platform.deps);
    const occurredAt = minutesAgo(26 * 60);
    const res = await post(controller, UPLOADS, {
      records: [
        { recordId: 'old-1', chipUid, occurredAt, amountFen: 150 },
        { recordId: 'nobody', chipUid: 'FFFFFFFF00000002', occurredAt, amountFen: 150 },
      ],
    });
    expect(res.body.results).toEqual([
      { recordId: 'old-1', outcome: 'stored', replayed: false },
      { recordId: 'nobody', outcome: 'unknown_card', replayed: false },
    ]);
    const id = findingIdOf({ source: 'water_usage', day: campusDay(new Date(occurredAt)), channel: 'water', ref: `${accountNo}@start`, kind: 'water_usage_not_settled' });
    expect(await getFinding(platform.deps.db, id)).toMatchObject({ kind: 'water_usage_not_settled', outsideFen: 150, oursFen: 0 });
    expect(await purses(accountNo)).toEqual({ balanceFen: 5_000, smallWalletFen: 0 });
  });

  it('usage uploaded on time that no settlement takes is found by the hourly sweep a day later, once; a settlement takes it off the sweep', async () => {
    const { accountNo, chipUid } = await holder(5_000);
    const [controller, settlement] = [await createTestTerminal(platform.deps), await createTestTerminal(platform.deps)];
    const occurredAt = minutesAgo(1);
    await post(controller, UPLOADS, { records: [{ recordId: 'ontime', chipUid, occurredAt, amountFen: 120 }] });
    const id = findingIdOf({ source: 'water_usage', day: campusDay(new Date(occurredAt)), channel: 'water', ref: `${accountNo}@start`, kind: 'water_usage_not_settled' });
    const swept = () => listUnsettledUsageAccounts(platform.deps.db, '9999');
    expect(await swept()).toContain(accountNo);
    await returnUnsettledWater(platform.deps);
    expect(await getFinding(platform.deps.db, id)).toBeUndefined();

    const tomorrow = createDeps(readConfig(), { db: platform.deps.db, clock: () => new Date(Date.now() + 25 * 3600_000) });
    const runs = [await returnUnsettledWater(tomorrow), await returnUnsettledWater(tomorrow)];
    expect(runs.flatMap((run) => run.failures)).toEqual([]);
    expect(runs[0]!.usageChecked).toBeGreaterThanOrEqual(1);
    expect(await getFinding(platform.deps.db, id)).toMatchObject({ status: 'open', kind: 'water_usage_not_settled', accountNo, outsideFen: 120 });

    // The card comes back to a settlement terminal: the record is in that settlement's interval, the account leaves the sweep.
    await post(settlement, WALLET, { tapId: 'back', chipUid, chipWalletFen: 0 });
    expect(await swept()).not.toContain(accountNo);
    await post(controller, UPLOADS, { records: [{ recordId: 'ontime', chipUid, occurredAt, amountFen: 120 }] });
    expect(await swept()).not.toContain(accountNo);
  });

  it('bad uploads → 400 VALIDATION_FAILED, nothing stored', async () => {
    const { accountNo, chipUid } = await holder(5_000);
    const controller = await createTestTerminal(platform.deps);
    const record = { recordId: 'v1', chipUid, occurredAt: minutesAgo(1), amountFen: 100 };
    for (const body of [{ records: [] }, { records: [record, record] }, { records: [{ ...record, amountFen: 0 }] }, { records: [{ ...record, occurredAt: 'yesterday' }] }]) {
      const res = await post(controller, UPLOADS, body);
      expect([res.status, res.body.code]).toEqual([400, 'VALIDATION_FAILED']);
    }
    expect(await listUsageRecords(platform.deps.db, accountNo)).toEqual([]);
  });
});

describe("a CPU card's main purse moves with the water (chipBalanceFen read, chipBalanceToWriteFen answered)", () => {
  let cpuSeq = 0;
  /** An account with a CPU card whose chip (main purse) holds the balance, as after its first tap. */
  async function cpuHolder(balanceFen: number) {
    const account = await createTestAccount(platform.deps, { balanceFen, holderName: '王小明' });
    const chipUid = `0C${account.accountNo}${String(++cpuSeq).padStart(2, '0')}`.padEnd(16, '0');
    const now = platform.deps.clock();
    await issueCard(platform.deps.db, { cardId: `C${chipUid}`, accountNo: account.accountNo, kind: 'cpu', chipUid, status: 'active', issuedAt: now.toISOString(), issuedOn: campusDay(now) });
    return { accountNo: account.accountNo, chipUid };
  }
  const chipFacts = async (accountNo: string) => {
    const account = (await getAccount(platform.deps.db, accountNo))!;
    return { balanceFen: account.balanceFen, chipBalanceFen: account.chipBalanceFen, chipGapFen: account.chipGapFen, status: account.status };
  };

  it('a settlement terminal: the refill takes the 10 yuan off the main purse, and each later settlement writes it to the account balance', async () => {
    const { accountNo, chipUid } = await cpuHolder(14_100);
    const terminal = await createTestTerminal(platform.deps);
    const first = await post(terminal, WALLET, { tapId: 'c1', chipUid, chipWalletFen: 0, chipBalanceFen: 14_100, cardTxnCounter: 4 });
    expect(first.status).toBe(200);
    // Without it the chip keeps showing 141 yuan while the account holds 131: 10 yuan spendable twice offline.
    expect(first.body).toMatchObject({ refillFen: 1_000, balanceFen: 13_100, chipWalletToWriteFen: 1_000, chipBalanceToWriteFen: 13_100 });
    expect(await chipFacts(accountNo)).toEqual({ balanceFen: 13_100, chipBalanceFen: 13_100, chipGapFen: 0, status: 'active' });

    const second = await post(terminal, WALLET, { tapId: 'c2', chipUid, chipWalletFen: 650, chipBalanceFen: 13_100, cardTxnCounter: 5 });
    expect(second.body).toMatchObject({ usageFen: 350, refillFen: 350, balanceFen: 12_750, chipBalanceToWriteFen: 12_750 });
    // A retry answers the same write; the same tap with another reading of the main purse is another request.
    expect((await post(terminal, WALLET, { tapId: 'c2', chipUid, chipWalletFen: 650, chipBalanceFen: 13_100, cardTxnCounter: 5 })).body).toEqual({ ...second.body, replayed: true });
    expect((await post(terminal, WALLET, { tapId: 'c2', chipUid, chipWalletFen: 650, chipBalanceFen: 13_000, cardTxnCounter: 5 })).body.code).toBe('IDEMPOTENCY_CONFLICT');
    expect(await chipFacts(accountNo)).toEqual({ balanceFen: 12_750, chipBalanceFen: 12_750, chipGapFen: 0, status: 'active' });

    // Only usage (the balance cannot refill): the usage movement carries the write, still the balance.
    await setAccountStatus(platform.deps, accountNo, 'frozen');
    const frozen = await post(terminal, WALLET, { tapId: 'c3', chipUid, chipWalletFen: 900, chipBalanceFen: 12_750, cardTxnCounter: 6 });
    expect(frozen.body).toMatchObject({ usageFen: 100, refillFen: 0, refillRefused: 'CARD_FROZEN', balanceFen: 12_750, chipBalanceToWriteFen: 12_750 });
    expect(await auditFindingsOf(accountNo)).toEqual([]);
  });

  it('a settlement after a crash between its two movements writes the balance after the refill, judged once', async () => {
    const { accountNo, chipUid } = await cpuHolder(5_000);
    const terminal = await createTestTerminal(platform.deps);
    await post(terminal, WALLET, { tapId: 'k1', chipUid, chipWalletFen: 0, chipBalanceFen: 5_000, cardTxnCounter: 1 });
    const crashing = { ...platform.deps, movements: { post: (command: Parameters<typeof platform.deps.movements.post>[0]) => (command.idempotencyKey.endsWith('#refill') ? Promise.reject(new Error('container stopped')) : platform.deps.movements.post(command)) } };
    await expect(settleChipWallet(crashing, terminal, { tapId: 'k2', chipUid, chipWalletFen: 100, chipBalanceFen: 4_000, cardTxnCounter: 2 })).rejects.toThrow('container stopped');
    const retried = await post(terminal, WALLET, { tapId: 'k2', chipUid, chipWalletFen: 100, chipBalanceFen: 4_000, cardTxnCounter: 2 });
    expect(retried.body).toMatchObject({ usageFen: 900, refillFen: 900, balanceFen: 3_100, chipBalanceToWriteFen: 3_100 });
    expect(await chipFacts(accountNo)).toEqual({ balanceFen: 3_100, chipBalanceFen: 3_100, chipGapFen: 0, status: 'active' });
  });

  it('an idle tap (nothing used, nothing to load) moves nothing and writes nothing to the main purse', async () => {
    const { chipUid } = await cpuHolder(5_000);
    const terminal = await createTestTerminal(platform.deps);
    await post(terminal, WALLET, { tapId: 'i1', chipUid, chipWalletFen: 0, chipBalanceFen: 5_000, cardTxnCounter: 1 });
    const idle = await post(terminal, WALLET, { tapId: 'i2', chipUid, chipWalletFen: 1_000, chipBalanceFen: 4_000, cardTxnCounter: 2 });
    expect(idle.body).toMatchObject({ usageFen: 0, refillFen: 0, receiptNos: [] });
    expect(idle.body.chipBalanceToWriteFen).toBeUndefined();
  });

  it('a pre-deduction controller: the preload comes off the main purse, the change goes back on it', async () => {
    const { accountNo, chipUid } = await cpuHolder(5_000);
    const shower = await createTestTerminal(platform.deps);
    const opened = await post(shower, SESSIONS, { tapId: 'p-on', chipUid, chipBalanceFen: 5_000, cardTxnCounter: 9 });
    expect(opened.body).toMatchObject({ preloadedFen: 1_000, balanceFen: 4_000, chipBalanceToWriteFen: 4_000 });
    expect((await post(shower, SESSIONS, { tapId: 'p-on', chipUid, chipBalanceFen: 5_000, cardTxnCounter: 9 })).body).toEqual({ ...opened.body, replayed: true });
    expect(await chipFacts(accountNo)).toEqual({ balanceFen: 4_000, chipBalanceFen: 4_000, chipGapFen: 0, status: 'active' });

    const settled = await post(shower, SETTLEMENT, { tapId: 'p-off', chipUid, usedFen: 230, chipBalanceFen: 4_000, cardTxnCounter: 10 });
    expect(settled.body).toMatchObject({ usedFen: 230, refundedFen: 770, balanceFen: 4_770, chipBalanceToWriteFen: 4_770 });
    expect((await post(shower, SETTLEMENT, { tapId: 'p-off', chipUid, usedFen: 230, chipBalanceFen: 4_000, cardTxnCounter: 10 })).body).toEqual({ ...settled.body, replayed: true });
    expect(await chipFacts(accountNo)).toEqual({ balanceFen: 4_770, chipBalanceFen: 4_770, chipGapFen: 0, status: 'active' });
    expect(await auditFindingsOf(accountNo)).toEqual([]);
  });

  it('returns with no card on a reader (orphaned, expired) leave the chip below the account, and the next tap writes the account again', async () => {
    const { accountNo, chipUid } = await cpuHolder(5_000);
    const [first, second] = [await createTestTerminal(platform.deps), await createTestTerminal(platform.deps)];
    await post(first, SESSIONS, { tapId: 'o1', chipUid, chipBalanceFen: 5_000, cardTxnCounter: 1 });
    // Tapped at another controller: the first session is given back, the new one pre-deducted; the chip is written once.
    const next = await post(second, SESSIONS, { tapId: 'o2', chipUid, chipBalanceFen: 4_000, cardTxnCounter: 2 });
    expect(next.body).toMatchObject({ balanceFen: 4_000, chipBalanceToWriteFen: 4_000 });

    const tomorrow = createDeps(readConfig(), { db: platform.deps.db, clock: () => new Date(Date.now() + 25 * 3600_000) });
    expect((await returnUnsettledWater(tomorrow)).failures).toEqual([]);
    // Given back by the resolver: the account holds 50 yuan, the chip 40 (the safe direction: less to spend offline).
    expect(await chipFacts(accountNo)).toEqual({ balanceFen: 5_000, chipBalanceFen: 4_000, chipGapFen: 0, status: 'active' });
    const later = await post(second, SESSIONS, { tapId: 'o3', chipUid, chipBalanceFen: 4_000, cardTxnCounter: 3 });
    expect(later.body).toMatchObject({ balanceFen: 4_000, chipBalanceToWriteFen: 4_000 });
    expect(await chipFacts(accountNo)).toEqual({ balanceFen: 4_000, chipBalanceFen: 4_000, chipGapFen: 0, status: 'active' });
    expect(await auditFindingsOf(accountNo)).toEqual([]);
  });

  it('a CPU card without its main purse read is refused at every water route (CHIP_READ_REQUIRED) and nothing changes', async () => {
    const { accountNo, chipUid } = await cpuHolder(5_000);
    const terminal = await createTestTerminal(platform.deps);
    const before = await snapshot(accountNo);
    for (const [path, body] of [
      [SESSIONS, { tapId: 'r1', chipUid }],
      [SESSIONS, { tapId: 'r2', chipUid, chipBalanceFen: 5_000 }],
      [SETTLEMENT, { tapId: 'r3', chipUid, usedFen: 10, cardTxnCounter: 1 }],
      [WALLET, { tapId: 'r4', chipUid, chipWalletFen: 0 }],
      [WALLET, { tapId: 'r5', chipUid, chipWalletFen: 0, chipBalanceFen: 5_000 }],
    ] as const) {
      const res = await post(terminal, path, body);
      expect([path, res.status, res.body.code]).toEqual([path, 400, 'CHIP_READ_REQUIRED']);
    }
    expect(await snapshot(accountNo)).toEqual(before);
    expect(await getWalletTap(platform.deps.db, terminal.terminalId, 'r4')).toBeUndefined();
    expect(await getOpenWaterSession(platform.deps.db, accountNo)).toBeUndefined();
  });

  it.each([
    ['a settlement terminal', WALLET, { chipWalletFen: 1_000 }],
    ['a pre-deduction controller', SESSIONS, {}],
  ] as const)('at %s a main purse 60 yuan short of what it should hold, unexplained, freezes the account and moves nothing', async (_where, path, extra) => {
    const { accountNo, chipUid } = await cpuHolder(20_000);
    const terminal = await createTestTerminal(platform.deps);
    // The chip was last written 190 yuan; the idle tap at the settlement terminal moves nothing and is judged too.
    if (path === WALLET) await post(terminal, WALLET, { tapId: 'z0', chipUid, chipWalletFen: 0, chipBalanceFen: 20_000, cardTxnCounter: 1 });
    else {
      await post(terminal, SESSIONS, { tapId: 'z0', chipUid, chipBalanceFen: 20_000, cardTxnCounter: 1 });
      await post(terminal, SETTLEMENT, { tapId: 'z1', chipUid, usedFen: 1_000, chipBalanceFen: 19_000, cardTxnCounter: 2 });
    }
    expect(await chipFacts(accountNo)).toMatchObject({ balanceFen: 19_000, chipBalanceFen: 19_000 });
    const ledger = await ledgerOf(platform.deps, accountNo);
    const res = await post(terminal, path, { tapId: 'z2', chipUid, chipBalanceFen: 13_000, cardTxnCounter: 3, ...extra });
    expect([res.status, res.body.code]).toEqual([409, 'CARD_FROZEN']);
    expect(await chipFacts(accountNo)).toMatchObject({ balanceFen: 19_000, status: 'frozen' });
    expect(await ledgerOf(platform.deps, accountNo)).toEqual(ledger);
  });

  it('card spending not uploaded for more than 5 days is levelled to the card first, as at a card charge', async () => {
    const { accountNo, chipUid } = await cpuHolder(20_000);
    const terminal = await createTestTerminal(platform.deps);
    const day = (d: number) => createDeps(readConfig(), { db: platform.deps.db, clock: () => new Date(Date.now() - (8 - d) * 86_400_000) });
    await settleChipWallet(day(0), terminal, { tapId: 'lv0', chipUid, chipWalletFen: 0, chipBalanceFen: 20_000, cardTxnCounter: 1 });
    // Day 1: the main purse shows 20 yuan less than written (an offline payment not uploaded yet): a gap, not a freeze.
    const noted = await settleChipWallet(day(1), terminal, { tapId: 'lv1', chipUid, chipWalletFen: 900, chipBalanceFen: 17_000, cardTxnCounter: 2 });
    expect(noted).toMatchObject({ balanceFen: 18_900, chipBalanceToWriteFen: 16_900 });
    expect(await chipFacts(accountNo)).toEqual({ balanceFen: 18_900, chipBalanceFen: 16_900, chipGapFen: 2_000, status: 'active' });
    // Day 7: still not uploaded: the account is levelled to the card, then the water settled and loaded.
    const levelled = await settleChipWallet(day(7), terminal, { tapId: 'lv2', chipUid, chipWalletFen: 800, chipBalanceFen: 16_900, cardTxnCounter: 3 });
    expect(levelled).toMatchObject({ usageFen: 200, refillFen: 200, balanceFen: 16_700, chipBalanceToWriteFen: 16_700 });
    expect((await ledgerOf(platform.deps, accountNo)).filter((e) => e.type === 'levelling').map((e) => e.amountFen)).toEqual([2_000]);
    expect(await chipFacts(accountNo)).toEqual({ balanceFen: 16_700, chipBalanceFen: 16_700, chipGapFen: 0, status: 'active' });
  });

  it('an M1 card is answered as before: no main purse to write', async () => {
    const { chipUid } = await holder(5_000);
    const terminal = await createTestTerminal(platform.deps);
    const wallet = await post(terminal, WALLET, { tapId: 'm1', chipUid, chipWalletFen: 0 });
    expect(wallet.status).toBe(200);
    expect(wallet.body.chipBalanceToWriteFen).toBeUndefined();
    const shower = await createTestTerminal(platform.deps);
    const other = await holder(5_000);
    const opened = await post(shower, SESSIONS, { tapId: 'm2', chipUid: other.chipUid });
    expect(opened.status).toBe(200);
    expect(opened.body.chipBalanceToWriteFen).toBeUndefined();
  });
});

describe('npm run audit', () => {
  it('exits 0 after every water flow of this file (sessions, chip-wallet settlements and refills, uploads)', async () => {
    const run = promisify(execFile);
    const { stdout } = await run('npm', ['run', 'audit', '--silent'], { cwd: PROJECT_ROOT, env: { ...process.env, TABLE_NAME: platform.tableName } });
    // A run that finds anything exits 1 (execFile rejects) and prints it.
    expect(stdout).toMatch(/ 0 differences/);
  }, 60_000);
});
