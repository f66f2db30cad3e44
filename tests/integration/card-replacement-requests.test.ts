/**
 * Replacement cards asked for in the app and handed over at the card centre, over HTTP on DynamoDB
 * Local: the request needs the loss report and the query password, is filed once, and the hand-over
 * charges the fee, voids the old card, activates the new one and closes the request in one go.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { campusDay } from '../../functions/domain/campus-day';
import { hashPassword } from '../../functions/domain/passwords';
import { createStaffMember } from '../../functions/services/admin/sessions';
import { getAccount } from '../../functions/store/accounts';
import { listActionLogDay } from '../../functions/store/action-log';
import { issueCard, listCards } from '../../functions/store/cards';
import { savePasswordRecord } from '../../functions/store/passwords';
import { createTestAccount, ledgerOf } from '../helpers/fixtures';
import { holderToken } from '../helpers/phone';
import { useTestPlatform } from '../helpers/platform';

const platform = useTestPlatform({ http: true });
const FAST = { N: 1024, r: 8, p: 1, keyLength: 32 };
let staffToken = '';
let seq = 0;

beforeAll(async () => {
  await createStaffMember(platform.deps, { username: 'op.wang', password: 'wang password 2026', role: 'operator' });
  const response = await fetch(`${platform.url}/v1/admin/sessions`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username: 'op.wang', password: 'wang password 2026' }) });
  staffToken = ((await response.json()) as { token: string }).token;
});

async function holder(balanceFen = 10_000) {
  const account = await createTestAccount(platform.deps, { balanceFen });
  await savePasswordRecord(platform.deps.db, account.accountNo, 'query', await hashPassword('112233', { now: new Date(), params: FAST }), undefined);
  const chipUid = `0D${String(++seq).padStart(10, '0')}`;
  await issueCard(platform.deps.db, { cardId: `C${chipUid}`, accountNo: account.accountNo, kind: 'cpu', chipUid, status: 'active', issuedAt: new Date().toISOString(), issuedOn: '2026-09-01' });
  return { account, chipUid };
}

async function call(token: string, method: string, path: string, body?: unknown) {
  const response = await fetch(platform.url + path, {
    method,
    headers: { authorization: `Bearer ${token}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  return { status: response.status, body: (await response.json()) as any };
}
const asHolder = async (accountNo: string, method: string, path: string, body?: unknown) => call(await holderToken(accountNo), method, path, body);
const asStaff = (method: string, path: string, body?: unknown) => call(staffToken, method, path, body);

describe('asking for a replacement card in the app', () => {
  it('needs the card reported lost first, and the right query password', async () => {
    const { account } = await holder();
    const early = await asHolder(account.accountNo, 'POST', '/v1/holder/card-replacement', { queryPassword: '112233', kind: 'cpu' });
    expect([early.status, early.body.code]).toEqual([409, 'REPLACEMENT_NEEDS_LOSS']);
    await asHolder(account.accountNo, 'POST', '/v1/holder/loss', { queryPassword: '112233' });
    const wrong = await asHolder(account.accountNo, 'POST', '/v1/holder/card-replacement', { queryPassword: '000000', kind: 'cpu' });
    expect(wrong.body.code).toBe('PASSWORD_WRONG');
    for (const bad of [{ queryPassword: '112233' }, { queryPassword: '112233', kind: 'electronic' }, { queryPassword: '1122', kind: 'cpu' }, { queryPassword: '112233', kind: 'cpu', feeFen: 0 }]) {
      expect((await asHolder(account.accountNo, 'POST', '/v1/holder/card-replacement', bad)).body.code).toBe('VALIDATION_FAILED');
    }
    expect((await asHolder(account.accountNo, 'GET', '/v1/holder/card-replacement')).body).toEqual({});
  });

  it('is filed once; a second tap gets a clear answer', async () => {
    const { account } = await holder();
    await asHolder(account.accountNo, 'POST', '/v1/holder/loss', { queryPassword: '112233' });
    const [first, second] = await Promise.all(
      [1, 2].map(() => asHolder(account.accountNo, 'POST', '/v1/holder/card-replacement', { queryPassword: '112233', kind: 'm1' })),
    );
    expect([first!.status, second!.status].sort()).toEqual([201, 409]);
    const filed = [first, second].find((r) => r!.status === 201)!.body;
    expect(filed).toMatchObject({ accountNo: account.accountNo, kind: 'm1', status: 'requested', feeFen: 2_000 });
    expect([first, second].find((r) => r!.status === 409)!.body.code).toBe('REPLACEMENT_ALREADY_REQUESTED');
    expect((await asHolder(account.accountNo, 'GET', '/v1/holder/card-replacement')).body.request).toEqual(filed);
  });
});

describe('handing over the replacement at the card centre', () => {
  it('charges the fee, voids the old card, activates the new one and closes the request, audited', async () => {
    const { account, chipUid } = await holder(10_000);
    await asHolder(account.accountNo, 'POST', '/v1/holder/loss', { queryPassword: '112233' });
    const filed = (await asHolder(account.accountNo, 'POST', '/v1/holder/card-replacement', { queryPassword: '112233', kind: 'cpu' })).body;
    const open = await asStaff('GET', '/v1/admin/card-replacements');
    expect(open.body.requests.map((r: { requestId: string }) => r.requestId)).toContain(filed.requestId);

    const handed = await asStaff('POST', `/v1/admin/accounts/${account.accountNo}/card-replacement`, { chipUid: '0e00aa11bb22' });
    expect(handed.status).toBe(200);
    expect(handed.body).toMatchObject({ requestId: filed.requestId, status: 'issued', newCardId: 'C0E00AA11BB22', receiptNo: expect.any(String) });

    const after = (await getAccount(platform.deps.db, account.accountNo))!;
    expect(after).toMatchObject({ status: 'active', balanceFen: 8_000, activePhysicalCardId: 'C0E00AA11BB22', replacedOn: campusDay(new Date()) });
    const cards = await listCards(platform.deps.db, account.accountNo);
    expect(cards.find((card) => card.chipUid === chipUid)?.status).toBe('replaced');
    expect(cards.find((card) => card.chipUid === '0E00AA11BB22')?.status).toBe('active');
    const fee = (await ledgerOf(platform.deps, account.accountNo)).at(-1)!;
    expect(fee).toMatchObject({ type: 'fee', amountFen: 2_000, receiptNo: handed.body.receiptNo });
    expect((await asHolder(account.accountNo, 'GET', '/v1/holder/card-replacement')).body.request).toMatchObject({ status: 'issued', receiptNo: handed.body.receiptNo });
    expect((await asStaff('GET', '/v1/admin/card-replacements')).body.requests.map((r: { requestId: string }) => r.requestId)).not.toContain(filed.requestId);
    const audit = (await listActionLogDay(platform.deps.db, campusDay(new Date()), { limit: 1000 })).entries.filter((entry) => entry.target === `account:${account.accountNo}`);
    expect(audit.map((entry) => entry.action)).toEqual(['card.replace']);

    // Handing it over twice is refused and changes nothing.
    const again = await asStaff('POST', `/v1/admin/accounts/${account.accountNo}/card-replacement`, { chipUid: '0E00AA11BB33' });
    expect([again.status, again.body.code]).toEqual([404, 'REPLACEMENT_NOT_REQUESTED']);
    expect((await getAccount(platform.deps.db, account.accountNo))!.balanceFen).toBe(8_000);
  });

  it('a balance below the fee, or a chip already in use, changes nothing', async () => {
    const { account } = await holder(1_500);
    await asHolder(account.accountNo, 'POST', '/v1/holder/loss', { queryPassword: '112233' });
    await asHolder(account.accountNo, 'POST', '/v1/holder/card-replacement', { queryPassword: '112233', kind: 'cpu' });
    const poor = await asStaff('POST', `/v1/admin/accounts/${account.accountNo}/card-replacement`, { chipUid: '0E00CC11BB22' });
    expect(poor.body.code).toBe('INSUFFICIENT_BALANCE');
    const other = await holder();
    await asHolder(other.account.accountNo, 'POST', '/v1/holder/loss', { queryPassword: '112233' });
    await asHolder(other.account.accountNo, 'POST', '/v1/holder/card-replacement', { queryPassword: '112233', kind: 'cpu' });
    const taken = await asStaff('POST', `/v1/admin/accounts/${other.account.accountNo}/card-replacement`, { chipUid: other.chipUid });
    expect(taken.body.code).toBe('CARD_UID_TAKEN');
    for (const { account: a } of [{ account }, other]) {
      expect((await getAccount(platform.deps.db, a.accountNo))!.status).toBe('lost');
      expect((await asHolder(a.accountNo, 'GET', '/v1/holder/card-replacement')).body.request.status).toBe('requested');
    }
    expect((await asStaff('POST', `/v1/admin/accounts/${account.accountNo}/card-replacement`, { chipUid: 'not-hex' })).body.code).toBe('VALIDATION_FAILED');
  });
});
