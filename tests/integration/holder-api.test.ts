/** The holder's view of their money over HTTP: balances, history pages and filters, statements, and nobody else's. */
import { describe, expect, it } from 'vitest';
import { readConfig } from '../../functions/config';
import { createDeps } from '../../functions/deps';
import { issueHolderSession } from '../../functions/auth/holder-session';
import { chargeAtTerminal } from '../../functions/services/charge';
import { topUp } from '../../functions/services/movements';
import { issueCard } from '../../functions/store/cards';
import { createTestAccount, createTestTerminal, testChipUid } from '../helpers/fixtures';
import { useTestPlatform } from '../helpers/platform';

const platform = useTestPlatform({ http: true });

async function asHolder(accountNo: string, path: string, options: { now?: Date; ttl?: number } = {}) {
  const token = await issueHolderSession(process.env.SESSION_SECRET!, accountNo, options.now ?? new Date(), options.ttl);
  const response = await fetch(platform.url + path, { headers: { authorization: `Bearer ${token}` } });
  return { status: response.status, body: (await response.json()) as any };
}

/** Deps over the same table with a fixed clock: movements on chosen campus days. */
function depsAt(iso: string) {
  return createDeps(readConfig(), { clock: () => new Date(iso), db: platform.deps.db });
}

describe('holder session tokens', () => {
  it.each([
    ['no token', {}],
    ['a malformed token', { authorization: 'Bearer not-a-token' }],
    ['a token signed with another key', { authorization: 'Bearer eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiIxMDAwMSIsImF1ZCI6ImhvbGRlciIsImlzcyI6ImNhbXB1cy1lY2FyZCIsImlhdCI6MTc5NTQzNTIwMCwiZXhwIjo0MTAyNDQ0ODAwfQ.c2lnbmF0dXJlLW9mLWFub3RoZXIta2V5LXh4eHh4eHh4eHg' }],
    ['a terminal signature instead', { 'x-terminal-id': 'POS-1', 'x-signature': 'x' }],
  ])('refuses %s with UNAUTHENTICATED', async (_name, headers) => {
    const response = await fetch(`${platform.url}/v1/holder/account`, { headers: headers as Record<string, string> });
    expect(response.status).toBe(401);
    expect(((await response.json()) as { code: string }).code).toBe('UNAUTHENTICATED');
  });

  it('refuses an expired token with SESSION_EXPIRED', async () => {
    const account = await createTestAccount(platform.deps);
    const res = await asHolder(account.accountNo, '/v1/holder/account', { now: new Date(Date.now() - 3 * 3600_000) });
    expect(res.status).toBe(401);
    expect(res.body.code).toBe('SESSION_EXPIRED');
  });
});

describe('GET /v1/holder/account', () => {
  it('shows the three purses, today’s spending and masked cards', async () => {
    const account = await createTestAccount(platform.deps, { balanceFen: 8_000 });
    const terminal = await createTestTerminal(platform.deps);
    await issueCard(platform.deps.db, { cardId: 'C-77', accountNo: account.accountNo, kind: 'cpu', chipUid: '04A224B2C15E80', status: 'active', issuedAt: new Date().toISOString(), issuedOn: '2026-09-01' });
    await chargeAtTerminal(platform.deps, terminal, { posTxnId: 'acc-1', chipUid: '04A224B2C15E80', chipBalanceFen: 8_000, cardTxnCounter: 1, amountFen: 1_200 });
    const res = await asHolder(account.accountNo, '/v1/holder/account');
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({
      accountNo: account.accountNo,
      balanceFen: 6_800,
      transitionalFen: 0,
      smallWalletFen: 0,
      dailyLimitFen: 5_000,
      spentTodayFen: 1_200,
      cards: [{ cardId: 'C-77', kind: 'cpu', chipUidMasked: '••••5E80', status: 'active' }],
    });
    expect(JSON.stringify(res.body)).not.toContain('04A224B2C15E80');
  });
});

describe('GET /v1/holder/ledger', () => {
  it('pages newest first with a cursor, without gaps or repeats', async () => {
    const account = await createTestAccount(platform.deps, { balanceFen: 100_000 });
    for (let i = 0; i < 23; i++) await topUp(platform.deps, { accountNo: account.accountNo, amountFen: 100 + i, channel: 'counter', externalRef: `page-${i}` });
    const seen: string[] = [];
    let cursor: string | undefined;
    let pages = 0;
    do {
      const res = await asHolder(account.accountNo, `/v1/holder/ledger?limit=10${cursor ? `&cursor=${cursor}` : ''}`);
      expect(res.status).toBe(200);
      seen.push(...res.body.entries.map((e: { receiptNo: string }) => e.receiptNo));
      cursor = res.body.nextCursor;
      pages++;
    } while (cursor);
    expect(pages).toBe(3);
    expect(seen).toHaveLength(24); // 23 top-ups + the opening balance
    expect(new Set(seen).size).toBe(24);
    expect([...seen].sort().reverse()).toEqual(seen);
  });

  it('filters by type and by campus-day range (Asia/Shanghai days)', async () => {
    // Ledger ids never go back in time, so this account's story starts on Oct 30, not today.
    const account = await createTestAccount(platform.deps);
    await topUp(depsAt('2026-10-30T02:00:00Z'), { accountNo: account.accountNo, amountFen: 50_000, channel: 'counter', externalRef: 'd0' });
    const terminal = await createTestTerminal(platform.deps);
    // 23:30 on Nov 1 Beijing time is still Nov 1; 00:10 on Nov 2 is Nov 2.
    await chargeAtTerminal(depsAt('2026-11-01T15:30:00Z'), terminal, { posTxnId: 'd1', chipUid: await testChipUid(platform.deps, account.accountNo), amountFen: 100 });
    await chargeAtTerminal(depsAt('2026-11-01T16:10:00Z'), terminal, { posTxnId: 'd2', chipUid: await testChipUid(platform.deps, account.accountNo), amountFen: 200 });
    await topUp(depsAt('2026-11-02T02:00:00Z'), { accountNo: account.accountNo, amountFen: 300, channel: 'counter', externalRef: 'd3' });
    await chargeAtTerminal(depsAt('2026-11-03T02:00:00Z'), terminal, { posTxnId: 'd4', chipUid: await testChipUid(platform.deps, account.accountNo), amountFen: 400 });

    const nov2 = await asHolder(account.accountNo, '/v1/holder/ledger?from=2026-11-02&to=2026-11-02');
    expect(nov2.body.entries.map((e: { amountFen: number }) => e.amountFen)).toEqual([300, 200]);
    const purchases = await asHolder(account.accountNo, '/v1/holder/ledger?type=purchase&from=2026-11-01&to=2026-11-30');
    expect(purchases.body.entries.map((e: { amountFen: number }) => e.amountFen)).toEqual([400, 200, 100]);
    const both = await asHolder(account.accountNo, '/v1/holder/ledger?type=purchase,topup&from=2026-11-01&to=2026-11-02');
    expect(both.body.entries.map((e: { amountFen: number }) => e.amountFen)).toEqual([300, 200, 100]);
  });

  it.each([
    ['limit=0'],
    ['limit=101'],
    ['limit=ten'],
    ['type=robbery'],
    ['from=2026-13-01'],
    ['from=2026-11-05&to=2026-11-01'],
    ['cursor=not-a-cursor'],
    ['unknown=1'],
  ])('refuses ?%s with VALIDATION_FAILED', async (query) => {
    const account = await createTestAccount(platform.deps);
    const res = await asHolder(account.accountNo, `/v1/holder/ledger?${query}`);
    expect(res.status).toBe(400);
    expect(res.body.code).toBe('VALIDATION_FAILED');
  });
});

describe('receipts and statements', () => {
  it('a holder can open their own receipt, and another holder’s receipt is simply not found', async () => {
    const [alice, bob] = [await createTestAccount(platform.deps, { balanceFen: 1_000 }), await createTestAccount(platform.deps, { balanceFen: 1_000 })];
    const terminal = await createTestTerminal(platform.deps);
    const paid = await chargeAtTerminal(platform.deps, terminal, { posTxnId: 'rcpt', chipUid: await testChipUid(platform.deps, alice.accountNo), amountFen: 300 });
    const own = await asHolder(alice.accountNo, `/v1/holder/ledger/${paid.receiptNo}`);
    expect(own.status).toBe(200);
    expect(own.body).toMatchObject({ receiptNo: paid.receiptNo, type: 'purchase', amountFen: 300, after: { balanceFen: 700 }, merchantId: terminal.merchantId, merchantName: '测试食堂' });
    const other = await asHolder(bob.accountNo, `/v1/holder/ledger/${paid.receiptNo}`);
    expect(other.status).toBe(404);
    expect(other.body.code).toBe('RECEIPT_NOT_FOUND');
    expect(JSON.stringify(other.body)).not.toContain(alice.accountNo);
  });

  it('a monthly statement totals spending (net of refunds) and top-ups of that month only', async () => {
    const account = await createTestAccount(platform.deps, { balanceFen: 0 });
    const terminal = await createTestTerminal(platform.deps);
    await topUp(depsAt('2026-10-31T15:59:00Z'), { accountNo: account.accountNo, amountFen: 10_000, channel: 'wechat', externalRef: 's0' }); // Oct 31 23:59 Beijing
    await topUp(depsAt('2026-10-31T16:01:00Z'), { accountNo: account.accountNo, amountFen: 5_000, channel: 'wechat', externalRef: 's1' }); // Nov 1 00:01
    await chargeAtTerminal(depsAt('2026-11-10T04:00:00Z'), terminal, { posTxnId: 's2', chipUid: await testChipUid(platform.deps, account.accountNo), amountFen: 1_500 });
    await chargeAtTerminal(depsAt('2026-11-11T04:00:00Z'), terminal, { posTxnId: 's3', chipUid: await testChipUid(platform.deps, account.accountNo), amountFen: 2_500 });
    const res = await asHolder(account.accountNo, '/v1/holder/statements/2026-11');
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ month: '2026-11', spendingFen: 4_000, topupFen: 5_000, refundFen: 0, count: 3 });
    expect((await asHolder(account.accountNo, '/v1/holder/statements/2026-10')).body).toMatchObject({ topupFen: 10_000, count: 1 });
    expect((await asHolder(account.accountNo, '/v1/holder/statements/2026-13')).status).toBe(400);
  });
});
