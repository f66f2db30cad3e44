/** Spending at a glance over DynamoDB Local: the months' entries by their merchants' categories, and the route's refusals. */
import { describe, expect, it } from 'vitest';
import { issueHolderSession } from '../../functions/auth/holder-session';
import { readConfig } from '../../functions/config';
import { createDeps } from '../../functions/deps';
import { chargeAtTerminal } from '../../functions/services/charge';
import { topUp } from '../../functions/services/movements';
import { refundAtTerminal } from '../../functions/services/refunds';
import { holderSpending } from '../../functions/services/spending';
import { putMerchant } from '../../functions/store/terminals';
import { createTestAccount, createTestTerminal, testChipUid } from '../helpers/fixtures';
import { useTestPlatform } from '../helpers/platform';

const platform = useTestPlatform({ http: true });

const depsAt = (iso: string) => createDeps(readConfig(), { clock: () => new Date(iso), db: platform.deps.db });

async function asHolder(accountNo: string, path: string) {
  const token = await issueHolderSession(process.env.SESSION_SECRET!, accountNo, new Date());
  const response = await fetch(platform.url + path, { headers: { authorization: `Bearer ${token}` } });
  return { status: response.status, body: (await response.json()) as any };
}

describe('a holder’s spending by month and category', () => {
  it('groups the months’ purchases by merchant category, refunds taken off, top-ups not counted, oldest month first', async () => {
    // Entries are keyed in time order per account: the money comes in before the months' payments, on their clock.
    const account = await createTestAccount(platform.deps);
    await topUp(depsAt('2026-09-01T04:00:00Z'), { accountNo: account.accountNo, amountFen: 50_000, channel: 'wechat', externalRef: `t0-${account.accountNo}` });
    const canteen = await createTestTerminal(platform.deps, { merchantId: `MCANTEEN-${account.accountNo}` });
    const shop = await createTestTerminal(platform.deps, { merchantId: `MSHOP-${account.accountNo}` });
    await putMerchant(platform.deps.db, { merchantId: shop.merchantId, name: '教育超市', category: 'shop', status: 'active', createdAt: new Date().toISOString() });
    const chipUid = await testChipUid(platform.deps, account.accountNo);
    const pay = (iso: string, terminal: typeof canteen, posTxnId: string, amountFen: number) => chargeAtTerminal(depsAt(iso), terminal, { posTxnId: `${posTxnId}-${account.accountNo}`, chipUid, amountFen });
    await pay('2026-09-20T04:00:00Z', canteen, 'sep', 700);
    await pay('2026-10-10T04:00:00Z', canteen, 'oct1', 1_200);
    await pay('2026-10-31T15:59:00Z', shop, 'oct2', 800); // 23:59 on Oct 31 in Beijing
    const lunch = await pay('2026-11-10T04:00:00Z', canteen, 'nov1', 1_500);
    await pay('2026-11-11T04:00:00Z', shop, 'nov2', 2_000);
    await topUp(depsAt('2026-11-12T04:00:00Z'), { accountNo: account.accountNo, amountFen: 10_000, channel: 'wechat', externalRef: `t-${account.accountNo}` });
    await refundAtTerminal(depsAt('2026-11-10T05:00:00Z'), canteen, { refundId: `r-${account.accountNo}`, receiptNo: lunch.receiptNo, amountFen: 500 });

    const { months } = await holderSpending(depsAt('2026-11-20T04:00:00Z'), account.accountNo, 3);
    expect(months.map((m) => [m.month, m.totalFen])).toEqual([
      ['2026-09', 700],
      ['2026-10', 2_000],
      ['2026-11', 3_000],
    ]);
    const nov = Object.fromEntries(months[2]!.byCategory.map((l) => [l.category, l.amountFen]));
    expect(nov).toEqual({ canteen: 1_000, shop: 2_000, water: 0, utilities: 0, other: 0 });
    expect(Object.fromEntries(months[1]!.byCategory.map((l) => [l.category, l.count]))).toMatchObject({ canteen: 1, shop: 1 });
  });

  it('over HTTP: six months ending with this campus month by default; a bad months parameter is refused and nothing else is read', async () => {
    const account = await createTestAccount(platform.deps);
    const res = await asHolder(account.accountNo, '/v1/holder/spending');
    expect(res.status).toBe(200);
    expect(res.body.months).toHaveLength(6);
    expect(res.body.months.every((m: { totalFen: number }) => m.totalFen === 0)).toBe(true);
    expect((await asHolder(account.accountNo, '/v1/holder/spending?months=12')).body.months).toHaveLength(12);
    for (const query of ['months=0', 'months=13', 'months=two', 'months=6&extra=1']) {
      const refused = await asHolder(account.accountNo, `/v1/holder/spending?${query}`);
      expect(refused.status, query).toBe(400);
      expect(refused.body.code, query).toBe('VALIDATION_FAILED');
    }
    const anonymous = await fetch(`${platform.url}/v1/holder/spending`);
    expect(anonymous.status).toBe(401);
  });
});
