/**
 * GET /v1/admin/accounts?query=…: the card centre finds a holder by account number, student/staff id,
 * name (exact or its beginning), chip UID or the mobile's last 4 digits; capped, names masked, every
 * role may search. Accounts issued through the API (and renamed by a re-issue) are indexed as written.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { demoIdNumber } from '../../functions/local/seed';
import { createStaffMember } from '../../functions/services/admin/sessions';
import { ACCOUNT_SEARCH_LIMIT } from '../../shared/api/console';
import { useTestPlatform } from '../helpers/platform';

const platform = useTestPlatform({ http: true });

let operatorToken = '';
let auditorToken = '';
let idSeq = 900;
let personSeq = 0;

const request = platform.request;

const search = (query: string, token = operatorToken) => request('GET', `/v1/admin/accounts?query=${encodeURIComponent(query)}`, { token });

async function issue(name: string, mobile: string, personId = `S2026${String(++personSeq).padStart(5, '0')}`) {
  const body = { personId, name, cardType: 'student', idType: 'id_card', idNumber: demoIdNumber(idSeq++), mobile };
  const response = await request('POST', '/v1/admin/accounts', { token: operatorToken, body });
  expect(response.status, JSON.stringify(response.body)).toBeLessThan(300);
  return { accountNo: response.body.accountNo as string, personId, body };
}

let zhang: Awaited<ReturnType<typeof issue>>;
let zhangSan: Awaited<ReturnType<typeof issue>>;
let li: Awaited<ReturnType<typeof issue>>;

beforeAll(async () => {
  await createStaffMember(platform.deps, { username: 's.operator', role: 'operator', password: 'search operator 2026' });
  await createStaffMember(platform.deps, { username: 's.auditor', role: 'auditor', password: 'search auditor 2026' });
  operatorToken = (await request('POST', '/v1/admin/sessions', { body: { username: 's.operator', password: 'search operator 2026' } })).body.token;
  auditorToken = (await request('POST', '/v1/admin/sessions', { body: { username: 's.auditor', password: 'search auditor 2026' } })).body.token;
  zhang = await issue('张三', '13800001234');
  zhangSan = await issue('张三丰', '13900005678');
  li = await issue('李四', '+86 137 0000 1234');
  const card = await request('POST', `/v1/admin/accounts/${li.accountNo}/cards`, { token: operatorToken, body: { kind: 'm1', chipUid: 'a1b2c3d4', reason: 'first card' } });
  expect(card.status, JSON.stringify(card.body)).toBeLessThan(300);
});

const numbers = (response: { body: { accounts: { accountNo: string }[] } }) => response.body.accounts.map((account) => account.accountNo);

describe('account search', () => {
  it('by account number: the account, with a masked name, its id, status and balance', async () => {
    const found = await search(zhang.accountNo);
    expect(found.status).toBe(200);
    expect(found.body).toEqual({
      accounts: [{ accountNo: zhang.accountNo, holderNameMasked: '*三', personId: zhang.personId, status: 'active', balanceFen: 0, matchedBy: ['account_no'] }],
      truncated: false,
    });
  });

  it('by student/staff id', async () => {
    expect((await search(zhangSan.personId)).body.accounts).toEqual([expect.objectContaining({ accountNo: zhangSan.accountNo, holderNameMasked: '张*丰', matchedBy: ['person_id'] })]);
  });

  it('by name, exact or its beginning, names first by name', async () => {
    expect(numbers(await search('张三丰'))).toEqual([zhangSan.accountNo]);
    expect(numbers(await search('张'))).toEqual([zhang.accountNo, zhangSan.accountNo]);
    expect(numbers(await search('张三'))).toEqual([zhang.accountNo, zhangSan.accountNo]);
    expect(numbers(await search('王'))).toEqual([]);
  });

  it('by chip UID, in either case', async () => {
    expect((await search('A1B2C3D4')).body.accounts).toEqual([expect.objectContaining({ accountNo: li.accountNo, matchedBy: ['chip_uid'] })]);
    expect(numbers(await search('a1b2c3d4'))).toEqual([li.accountNo]);
  });

  it('by the last 4 digits of the mobile (the digits its mask shows; the number itself is never stored)', async () => {
    const found = await search('1234');
    expect(numbers(found).sort()).toEqual([zhang.accountNo, li.accountNo].sort());
    expect(found.body.accounts.every((account: { matchedBy: string[] }) => account.matchedBy.includes('mobile_last4'))).toBe(true);
    expect(numbers(await search('5678'))).toEqual([zhangSan.accountNo]);
    expect(numbers(await search('0000'))).toEqual([]);
  });

  it('a re-issue with a new name and mobile is found by them, no longer by the old ones', async () => {
    const renamed = await request('POST', '/v1/admin/accounts', { token: operatorToken, body: { ...zhang.body, name: '张三改', mobile: '13800004321' } });
    expect(renamed.body.outcome).toBe('updated');
    expect(numbers(await search('张三改'))).toEqual([zhang.accountNo]);
    expect(numbers(await search('4321'))).toEqual([zhang.accountNo]);
    expect(numbers(await search('1234'))).toEqual([li.accountNo]);
    // By name: 张三丰 before 张三改.
    expect(numbers(await search('张三'))).toEqual([zhangSan.accountNo, zhang.accountNo]);
  });

  it(`is capped at ${ACCOUNT_SEARCH_LIMIT} and says so`, async () => {
    for (let i = 0; i < ACCOUNT_SEARCH_LIMIT + 1; i++) await issue(`赵${String.fromCharCode(0x4e00 + i)}`, `1360000${String(i).padStart(4, '0')}`);
    const found = await search('赵');
    expect(found.body.accounts).toHaveLength(ACCOUNT_SEARCH_LIMIT);
    expect(found.body.truncated).toBe(true);
  });

  it('any role may search (the auditor too); an empty query is refused; no session is refused', async () => {
    expect((await search(li.personId, auditorToken)).status).toBe(200);
    expect((await search('   ')).body.code).toBe('VALIDATION_FAILED');
    expect((await request('GET', '/v1/admin/accounts?query=1234')).status).toBe(401);
  });
});
