/**
 * The console's account page over the admin API: the account's ledger as staff see it (filters,
 * pages, who posted each entry), and a loss reported at the counter (the holder's loss rule, no
 * password, action-logged). Bad input is refused with a clear code and changes nothing.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { campusDay } from '../../functions/domain/campus-day';
import { createStaffMember } from '../../functions/services/admin/sessions';
import { getAccount } from '../../functions/store/accounts';
import { listActionLogDay } from '../../functions/store/action-log';
import { listCards } from '../../functions/store/cards';
import { listBlockedAccounts } from '../../functions/store/offline';
import { createTestAccount } from '../helpers/fixtures';
import { useTestPlatform } from '../helpers/platform';

const platform = useTestPlatform({ http: true });
const PASSWORD = 'console api password 2026';
const tokens = { operator: '', finance: '', auditor: '', administrator: '' };

const request = platform.request;

const logOf = async (accountNo: string) =>
  (await listActionLogDay(platform.deps.db, campusDay(platform.deps.clock()), { limit: 1000 })).entries.filter((entry) => entry.target === `account:${accountNo}`);

beforeAll(async () => {
  for (const role of ['operator', 'finance', 'auditor', 'administrator'] as const) {
    await createStaffMember(platform.deps, { username: `c.${role}`, role, password: PASSWORD });
    tokens[role] = (await request('POST', '/v1/admin/sessions', { body: { username: `c.${role}`, password: PASSWORD } })).body.token;
  }
});

describe('GET /v1/admin/accounts/{accountNo}/ledger', () => {
  let accountNo = '';
  const receipts: string[] = [];

  beforeAll(async () => {
    accountNo = (await createTestAccount(platform.deps, { balanceFen: 10_000 })).accountNo;
    for (const [i, direction] of (['credit', 'debit', 'credit'] as const).entries()) {
      const posted = await request('POST', `/v1/admin/accounts/${accountNo}/adjustments`, {
        token: tokens.operator,
        body: { direction, amountFen: 100 * (i + 1), reason: `adjustment ${i + 1} for the ledger`, adjustmentId: `ledger-adj-${i}` },
      });
      expect(posted.status, JSON.stringify(posted.body)).toBe(200);
      receipts.push(posted.body.receiptNo);
    }
  });

  it('newest first, the holder’s entry view with the operator and receipt number, for every role', async () => {
    for (const token of Object.values(tokens)) {
      const page = await request('GET', `/v1/admin/accounts/${accountNo}/ledger`, { token });
      expect(page.status, JSON.stringify(page.body)).toBe(200);
      expect(page.body.accountNo).toBe(accountNo);
      expect(page.body.entries.map((entry: any) => entry.type)).toEqual(['adjustment', 'adjustment', 'adjustment', 'topup']);
      expect(page.body.entries.slice(0, 3).map((entry: any) => entry.receiptNo)).toEqual([...receipts].reverse());
      expect(page.body.entries[0]).toMatchObject({ operator: 'c.operator', amountFen: 300, reason: 'adjustment 3 for the ledger', campusDay: campusDay(platform.deps.clock()) });
      expect(page.body.nextCursor).toBeUndefined();
    }
  });

  it('by pages: nextCursor continues after the last entry, nothing twice, nothing missed', async () => {
    const first = await request('GET', `/v1/admin/accounts/${accountNo}/ledger?limit=3`, { token: tokens.auditor });
    expect(first.body.entries).toHaveLength(3);
    expect(first.body.nextCursor).toBe(first.body.entries[2].receiptNo);
    const second = await request('GET', `/v1/admin/accounts/${accountNo}/ledger?limit=3&cursor=${first.body.nextCursor}`, { token: tokens.auditor });
    expect(second.body.entries.map((entry: any) => entry.type)).toEqual(['topup']);
    expect(second.body.nextCursor).toBeUndefined();
  });

  it('filters by movement types and by campus days', async () => {
    const topups = await request('GET', `/v1/admin/accounts/${accountNo}/ledger?type=topup`, { token: tokens.finance });
    expect(topups.body.entries.map((entry: any) => entry.type)).toEqual(['topup']);
    const both = await request('GET', `/v1/admin/accounts/${accountNo}/ledger?type=topup,adjustment`, { token: tokens.finance });
    expect(both.body.entries).toHaveLength(4);
    const today = campusDay(platform.deps.clock());
    expect((await request('GET', `/v1/admin/accounts/${accountNo}/ledger?from=${today}&to=${today}`, { token: tokens.finance })).body.entries).toHaveLength(4);
    expect((await request('GET', `/v1/admin/accounts/${accountNo}/ledger?to=2020-01-01`, { token: tokens.finance })).body.entries).toEqual([]);
  });

  it('bad input: an unknown type, a bad day, from after to, a bad cursor, a bad limit are 400 VALIDATION_FAILED', async () => {
    for (const query of ['type=lunch', 'from=2026-13-01', 'from=2026-12-02&to=2026-12-01', 'cursor=nope', 'limit=0', 'limit=101', 'extra=1']) {
      const refused = await request('GET', `/v1/admin/accounts/${accountNo}/ledger?${query}`, { token: tokens.operator });
      expect(refused.status, query).toBe(400);
      expect(refused.body.code, query).toBe('VALIDATION_FAILED');
    }
    expect((await request('GET', '/v1/admin/accounts/not-a-number/ledger', { token: tokens.operator })).body.code).toBe('VALIDATION_FAILED');
  });

  it('an account that does not exist is 404 ACCOUNT_NOT_FOUND', async () => {
    const missing = await request('GET', '/v1/admin/accounts/999999991/ledger', { token: tokens.operator });
    expect(missing.status).toBe(404);
    expect(missing.body.code).toBe('ACCOUNT_NOT_FOUND');
  });
});

describe('POST /v1/admin/accounts/{accountNo}/loss', () => {
  it('an operator reports the card lost without a password: account and card lost, on the blacklist, logged with the reason', async () => {
    const { accountNo } = await createTestAccount(platform.deps);
    const card = await request('POST', `/v1/admin/accounts/${accountNo}/cards`, { token: tokens.operator, body: { kind: 'm1', chipUid: 'c0ffee01', reason: 'first card' } });
    expect(card.status, JSON.stringify(card.body)).toBeLessThan(300);
    const lost = await request('POST', `/v1/admin/accounts/${accountNo}/loss`, { token: tokens.operator, body: { reason: '持卡人到柜台挂失, 已核验身份' } });
    expect(lost.status, JSON.stringify(lost.body)).toBe(200);
    expect(lost.body).toEqual({ accountNo, status: 'lost', changed: true });
    expect((await getAccount(platform.deps.db, accountNo))?.status).toBe('lost');
    expect((await listCards(platform.deps.db, accountNo)).find((item) => item.chipUid === 'C0FFEE01' || item.chipUid === 'c0ffee01')?.status).toBe('lost');
    expect((await listBlockedAccounts(platform.deps.db)).map((item) => item.accountNo)).toContain(accountNo);
    const log = (await logOf(accountNo)).filter((entry) => entry.action === 'account.loss');
    expect(log).toEqual([expect.objectContaining({ who: 'c.operator', role: 'operator', reason: '持卡人到柜台挂失, 已核验身份', details: { previousStatus: 'active' } })]);

    // Reported again: already lost, nothing changed and nothing more logged.
    const again = await request('POST', `/v1/admin/accounts/${accountNo}/loss`, { token: tokens.administrator, body: { reason: 'reported twice' } });
    expect(again.body).toEqual({ accountNo, status: 'lost', changed: false });
    expect((await logOf(accountNo)).filter((entry) => entry.action === 'account.loss')).toHaveLength(1);
  });

  it('a frozen account is 409 CARD_FROZEN, a closed one CARD_CANCELLED, and stays as it was, unlogged', async () => {
    for (const [status, code] of [['frozen', 'CARD_FROZEN'], ['cancelled', 'CARD_CANCELLED']] as const) {
      const { accountNo } = await createTestAccount(platform.deps, { status });
      const refused = await request('POST', `/v1/admin/accounts/${accountNo}/loss`, { token: tokens.operator, body: { reason: 'try to report loss' } });
      expect(refused.status).toBe(409);
      expect(refused.body.code).toBe(code);
      expect((await getAccount(platform.deps.db, accountNo))?.status).toBe(status);
      expect(await logOf(accountNo)).toEqual([]);
    }
  });

  it('bad input: no reason, a short reason, extra fields, a bad account number are 400 and change nothing', async () => {
    const { accountNo } = await createTestAccount(platform.deps);
    for (const body of [{}, { reason: 'x' }, { reason: 'lost at lunch', queryPassword: '123456' }]) {
      const refused = await request('POST', `/v1/admin/accounts/${accountNo}/loss`, { token: tokens.operator, body });
      expect(refused.status, JSON.stringify(body)).toBe(400);
      expect(refused.body.code).toBe('VALIDATION_FAILED');
    }
    expect((await request('POST', '/v1/admin/accounts/abc/loss', { token: tokens.operator, body: { reason: 'lost at lunch' } })).body.code).toBe('VALIDATION_FAILED');
    expect((await getAccount(platform.deps.db, accountNo))?.status).toBe('active');
    expect(await logOf(accountNo)).toEqual([]);
    const missing = await request('POST', '/v1/admin/accounts/999999992/loss', { token: tokens.operator, body: { reason: 'lost at lunch' } });
    expect(missing.status).toBe(404);
    expect(missing.body.code).toBe('ACCOUNT_NOT_FOUND');
  });

  it('finance and the auditor are refused (403) and nothing changes', async () => {
    const { accountNo } = await createTestAccount(platform.deps);
    for (const token of [tokens.finance, tokens.auditor]) {
      expect((await request('POST', `/v1/admin/accounts/${accountNo}/loss`, { token, body: { reason: 'not mine to do' } })).status).toBe(403);
    }
    expect((await getAccount(platform.deps.db, accountNo))?.status).toBe('active');
  });
});


