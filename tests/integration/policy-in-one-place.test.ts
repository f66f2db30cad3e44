/**
 * Policy in one place (issue 11, item 11): the account view gives the app the campus policy's
 * numbers, and refusals name the policy's numbers through message parameters, over HTTP.
 */
import { describe, expect, it } from 'vitest';
import { hashPassword } from '../../functions/domain/passwords';
import { DEFAULT_POLICY } from '../../functions/domain/policy';
import { issueCard } from '../../functions/store/cards';
import { savePasswordRecord } from '../../functions/store/passwords';
import { putPolicy } from '../../functions/store/policy';
import { createTestAccount, createTestTerminal, terminalFetch } from '../helpers/fixtures';
import { holderToken } from '../helpers/phone';
import { useTestPlatform } from '../helpers/platform';

const platform = useTestPlatform({ http: true });
const FAST = { N: 1024, r: 8, p: 1, keyLength: 32 };
let seq = 0;

async function holder(options: { balanceFen?: number; cardType?: 'temporary' } = {}) {
  const account = await createTestAccount(platform.deps, { balanceFen: options.balanceFen ?? 10_000, ...(options.cardType ? { cardType: options.cardType } : {}) });
  for (const kind of ['query', 'consumption'] as const) {
    await savePasswordRecord(platform.deps.db, account.accountNo, kind, await hashPassword(kind === 'query' ? '112233' : '445566', { now: new Date(), isDefault: false, params: FAST }), undefined);
  }
  const chipUid = `0F${String(++seq).padStart(10, '0')}`;
  await issueCard(platform.deps.db, { cardId: `C${chipUid}`, accountNo: account.accountNo, kind: 'cpu', chipUid, status: 'active', issuedAt: new Date().toISOString(), issuedOn: '2026-09-01' });
  return account.accountNo;
}

async function call(accountNo: string, method: string, path: string, body?: unknown) {
  const response = await fetch(platform.url + path, {
    method,
    headers: { authorization: `Bearer ${await holderToken(accountNo)}`, 'content-type': 'application/json' },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  return { status: response.status, body: (await response.json()) as any };
}

async function withPolicy(changes: Partial<typeof DEFAULT_POLICY>, run: () => Promise<void>) {
  await putPolicy(platform.deps.db, { ...DEFAULT_POLICY, ...changes }, 'test', new Date());
  try {
    await run();
  } finally {
    await putPolicy(platform.deps.db, DEFAULT_POLICY, 'test', new Date());
  }
}

describe('the account view carries the numbers the app shows', () => {
  it('the campus policy as it applies to this holder', async () => {
    const student = await holder();
    expect((await call(student, 'GET', '/v1/holder/account')).body.policy).toEqual({
      replacementFeeFen: 2_000,
      selfReplacementMinBalanceFen: 2_000,
      defaultDailyLimitFen: 5_000,
      maxDailyLimitFen: 60_000,
      onlineTopupMinFen: 100,
      onlineTopupMaxFen: 99_900,
      passwordLockMinutes: 30,
      smallWalletCapFen: 1_000,
    });
    const visitor = await holder({ cardType: 'temporary' });
    expect((await call(visitor, 'GET', '/v1/holder/account')).body.policy.replacementFeeFen).toBe(2_500);
  });

  it('a campus that allows at most 300 yuan a day: the view, the check and the message all say 300', async () => {
    const accountNo = await holder();
    await withPolicy({ maxDailyLimitFen: 30_000, replacementFeeFen: 1_500 }, async () => {
      expect((await call(accountNo, 'GET', '/v1/holder/account')).body.policy).toMatchObject({ maxDailyLimitFen: 30_000, replacementFeeFen: 1_500 });
      const refused = await call(accountNo, 'PUT', '/v1/holder/daily-limit', { dailyLimitFen: 40_000, consumptionPassword: '445566' });
      expect(refused.status).toBe(400);
      expect(refused.body).toMatchObject({
        code: 'DAILY_LIMIT_OUT_OF_RANGE',
        message: { zh: '每日限额须在 0 至 300 元之间', en: 'The daily limit must be between 0 and 300 yuan' },
        params: { max: '300' },
      });
    });
  });
});

describe('refusals name the policy’s numbers', () => {
  it('a locked password says how long, from the lock policy', async () => {
    const accountNo = await holder();
    let last: any;
    for (let i = 0; i < 6; i++) last = (await call(accountNo, 'POST', '/v1/holder/loss', { queryPassword: '999999' })).body;
    expect(last).toMatchObject({ code: 'PASSWORD_LOCKED', message: { zh: '密码错误次数过多，已锁定 30 分钟' }, params: { minutes: 30 } });
  });

  it('a kiosk replacement without the minimum balance says the campus’s minimum', async () => {
    const accountNo = await holder({ balanceFen: 2_500 });
    const kiosk = await createTestTerminal(platform.deps, { kind: 'kiosk' });
    await withPolicy({ selfReplacementMinBalanceFen: 3_000 }, async () => {
      const res = await terminalFetch(platform.url, kiosk, 'POST', '/v1/pos/card-replacements', { replacementId: 'r-min', accountNo, queryPassword: '112233', newChipUid: `0F${String(++seq).padStart(10, '0')}`, newKind: 'cpu' });
      expect(res.body).toMatchObject({ code: 'REPLACEMENT_NEEDS_BALANCE', message: { zh: '自助补卡需要余额不少于 30 元（扣除工本费）' }, params: { min: '30' } });
    });
  });

  it('a top-up out of range says the online range', async () => {
    const accountNo = await holder();
    const res = await call(accountNo, 'POST', '/v1/holder/topups', { amountFen: 100_000, channel: 'wechat', payerId: 'oUpF8uMuAJO_M2pxb1Q9zNjWeS6o' });
    expect(res.body).toMatchObject({ code: 'TOPUP_AMOUNT_OUT_OF_RANGE', params: { min: '1', max: '999' } });
  });
});
