/** What a holder does to their card, and the kiosk replacement, over HTTP on DynamoDB Local. */
import { describe, expect, it } from 'vitest';
import { campusDay } from '../../functions/domain/campus-day';
import { hashPassword } from '../../functions/domain/passwords';
import { DEFAULT_POLICY } from '../../functions/domain/policy';
import { getAccount } from '../../functions/store/accounts';
import { issueCard, listCards } from '../../functions/store/cards';
import { savePasswordRecord } from '../../functions/store/passwords';
import { putPolicy } from '../../functions/store/policy';
import { createTestAccount, createTestTerminal, terminalFetch } from '../helpers/fixtures';
import { bindPhone, holderToken } from '../helpers/phone';
import { useTestPlatform } from '../helpers/platform';

const platform = useTestPlatform({ http: true });
const FAST = { N: 1024, r: 8, p: 1, keyLength: 32 };
let seq = 0;

async function holder(options: { balanceFen?: number; cardType?: 'temporary'; withCard?: boolean } = {}) {
  const account = await createTestAccount(platform.deps, { balanceFen: options.balanceFen ?? 10_000, ...(options.cardType ? { cardType: options.cardType } : {}) });
  for (const kind of ['query', 'consumption'] as const) {
    await savePasswordRecord(platform.deps.db, account.accountNo, kind, await hashPassword(kind === 'query' ? '112233' : '445566', { now: new Date(), isDefault: true, params: FAST }), undefined);
  }
  const chipUid = `0C${String(++seq).padStart(10, '0')}`;
  if (options.withCard !== false) {
    await issueCard(platform.deps.db, { cardId: `C${chipUid}`, accountNo: account.accountNo, kind: 'cpu', chipUid, status: 'active', issuedAt: new Date().toISOString(), issuedOn: '2026-09-01' });
  }
  return { account, chipUid };
}

async function call(accountNo: string, method: string, path: string, body?: unknown) {
  const response = await fetch(platform.url + path, {
    method,
    headers: { authorization: `Bearer ${await holderToken(accountNo)}`, 'content-type': 'application/json' },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  return { status: response.status, body: (await response.json()) as any };
}

describe('signing in on H5', () => {
  it('with the student id and the query password; asks to change a default password', async () => {
    const { account } = await holder();
    const res = await fetch(`${platform.url}/v1/auth/password`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ personId: account.personId, queryPassword: '112233' }) });
    const body = (await res.json()) as any;
    expect(res.status).toBe(200);
    expect(body).toMatchObject({ accountNo: account.accountNo, mustChangePassword: true });
    const me = await fetch(`${platform.url}/v1/holder/account`, { headers: { authorization: `Bearer ${body.session}` } });
    expect(((await me.json()) as any).accountNo).toBe(account.accountNo);
  });

  it('an unknown id and a wrong password answer alike', async () => {
    const { account } = await holder();
    const tries = await Promise.all(
      [{ personId: 'NOBODY0001', queryPassword: '112233' }, { personId: account.personId, queryPassword: '000000' }].map(async (body) => {
        const res = await fetch(`${platform.url}/v1/auth/password`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
        return { status: res.status, body: (await res.json()) as any };
      }),
    );
    expect(tries.map((t) => [t.status, t.body.code])).toEqual([
      [401, 'UNAUTHENTICATED'],
      [401, 'UNAUTHENTICATED'],
    ]);
  });
});

describe('passwords and the daily limit', () => {
  it('changes a password only with the old one', async () => {
    const { account } = await holder();
    expect((await call(account.accountNo, 'POST', '/v1/holder/passwords/query', { oldPassword: '000000', newPassword: '778899' })).body.code).toBe('PASSWORD_WRONG');
    expect((await call(account.accountNo, 'POST', '/v1/holder/passwords/query', { oldPassword: '112233', newPassword: '112233' })).body.code).toBe('PASSWORD_UNCHANGED');
    expect((await call(account.accountNo, 'POST', '/v1/holder/passwords/query', { oldPassword: '112233', newPassword: '778899' })).status).toBe(200);
    expect((await call(account.accountNo, 'POST', '/v1/holder/loss', { queryPassword: '112233' })).body.code).toBe('PASSWORD_WRONG');
  });

  it('five wrong attempts lock the password for 30 minutes', async () => {
    const { account } = await holder();
    const codes: string[] = [];
    for (let i = 0; i < 6; i++) codes.push((await call(account.accountNo, 'POST', '/v1/holder/loss', { queryPassword: '999999' })).body.code);
    expect(codes).toEqual(['PASSWORD_WRONG', 'PASSWORD_WRONG', 'PASSWORD_WRONG', 'PASSWORD_WRONG', 'PASSWORD_LOCKED', 'PASSWORD_LOCKED']);
    expect((await call(account.accountNo, 'POST', '/v1/holder/loss', { queryPassword: '112233' })).body.code).toBe('PASSWORD_LOCKED');
  });

  it('sets the daily limit up to 600 yuan with the consumption password', async () => {
    const { account } = await holder();
    expect((await call(account.accountNo, 'PUT', '/v1/holder/daily-limit', { dailyLimitFen: 60_000, consumptionPassword: '445566' })).body).toEqual({ dailyLimitFen: 60_000 });
    expect((await getAccount(platform.deps.db, account.accountNo))?.dailyLimitFen).toBe(60_000);
    expect((await call(account.accountNo, 'PUT', '/v1/holder/daily-limit', { dailyLimitFen: 60_001, consumptionPassword: '445566' })).body.code).toBe('DAILY_LIMIT_OUT_OF_RANGE');
    expect((await call(account.accountNo, 'PUT', '/v1/holder/daily-limit', { dailyLimitFen: 10_000, consumptionPassword: '112233' })).body.code).toBe('PASSWORD_WRONG');
    expect((await call(account.accountNo, 'PUT', '/v1/holder/daily-limit', { dailyLimitFen: 10_000.5, consumptionPassword: '445566' })).body.code).toBe('VALIDATION_FAILED');
    expect((await getAccount(platform.deps.db, account.accountNo))?.dailyLimitFen).toBe(60_000);
  });
});

describe('loss and unfreezing', () => {
  it('a lost card is refused at once at the POS and blacklisted offline; unfreezing in the app restores it', async () => {
    const { account, chipUid } = await holder();
    const phone = await bindPhone(platform.url, account.accountNo);
    const pos = await createTestTerminal(platform.deps);
    expect((await call(account.accountNo, 'POST', '/v1/holder/loss', { queryPassword: '112233' })).body).toEqual({ status: 'lost' });
    const pay = await terminalFetch(platform.url, pos, 'POST', '/v1/pos/qr-payments', { posTxnId: 'after-loss', token: phone.code(), amountFen: 100 });
    expect(pay.body.code).toBe('CARD_LOST');
    const bundle = await terminalFetch(platform.url, pos, 'GET', '/v1/pos/offline-bundle', undefined);
    expect(bundle.body.blacklist.accountNos).toContain(account.accountNo);
    expect(bundle.body.blacklist.chipUids).toContain(chipUid);
    expect((await listCards(platform.deps.db, account.accountNo)).find((c) => c.chipUid === chipUid)?.status).toBe('lost');

    expect((await call(account.accountNo, 'POST', '/v1/holder/unfreeze', { queryPassword: '112233' })).body).toEqual({ status: 'active' });
    expect((await terminalFetch(platform.url, pos, 'POST', '/v1/pos/qr-payments', { posTxnId: 'after-unfreeze', token: phone.code(), amountFen: 100 })).status).toBe(200);
    const after = await terminalFetch(platform.url, pos, 'GET', '/v1/pos/offline-bundle', undefined);
    expect(after.body.blacklist.accountNos).not.toContain(account.accountNo);
  });

  it('a campus that allows unfreezing only at the card centre refuses it in the app', async () => {
    const { account } = await holder();
    await call(account.accountNo, 'POST', '/v1/holder/loss', { queryPassword: '112233' });
    await putPolicy(platform.deps.db, { ...DEFAULT_POLICY, unfreezeInApp: false }, 'test', new Date());
    try {
      expect((await call(account.accountNo, 'POST', '/v1/holder/unfreeze', { queryPassword: '112233' })).body.code).toBe('UNFREEZE_AT_CARD_CENTRE');
      expect((await getAccount(platform.deps.db, account.accountNo))?.status).toBe('lost');
    } finally {
      await putPolicy(platform.deps.db, DEFAULT_POLICY, 'test', new Date());
    }
  });
});

describe('replacement at the kiosk', () => {
  const replace = async (kiosk: Awaited<ReturnType<typeof createTestTerminal>>, body: object) => terminalFetch(platform.url, kiosk, 'POST', '/v1/pos/card-replacements', body);

  it('charges 20 yuan, voids the old card forever, and the new card works except at the library today', async () => {
    const { account, chipUid } = await holder({ balanceFen: 5_000 });
    await call(account.accountNo, 'POST', '/v1/holder/loss', { queryPassword: '112233' });
    const kiosk = await createTestTerminal(platform.deps, { kind: 'kiosk' });
    const body = { replacementId: 'r-1', accountNo: account.accountNo, queryPassword: '112233', newChipUid: `0D${String(++seq).padStart(10, '0')}`, newKind: 'cpu' };
    const res = await replace(kiosk, body);
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ feeFen: 2_000, balanceFen: 3_000, replayed: false });
    expect((await replace(kiosk, body)).body).toMatchObject({ receiptNo: res.body.receiptNo, replayed: true });
    const after = await getAccount(platform.deps.db, account.accountNo);
    expect(after).toMatchObject({ status: 'active', balanceFen: 3_000, activeChipUid: body.newChipUid, replacedOn: campusDay(new Date()) });
    const cards = await listCards(platform.deps.db, account.accountNo);
    expect(cards.find((c) => c.chipUid === chipUid)?.status).toBe('replaced');
    expect(cards.find((c) => c.chipUid === body.newChipUid)?.status).toBe('active');
    // The old card, found again, stays void: reporting and unfreezing concern the new one only.
    await call(account.accountNo, 'POST', '/v1/holder/loss', { queryPassword: '112233' });
    await call(account.accountNo, 'POST', '/v1/holder/unfreeze', { queryPassword: '112233' });
    expect((await listCards(platform.deps.db, account.accountNo)).find((c) => c.chipUid === chipUid)?.status).toBe('replaced');
  });

  it('needs a balance of at least 20 yuan; a temporary card pays 25', async () => {
    const poor = await holder({ balanceFen: 1_999 });
    const kiosk = await createTestTerminal(platform.deps, { kind: 'kiosk' });
    const refused = await replace(kiosk, { replacementId: 'r-2', accountNo: poor.account.accountNo, queryPassword: '112233', newChipUid: `0D${String(++seq).padStart(10, '0')}`, newKind: 'm1' });
    expect(refused.body.code).toBe('REPLACEMENT_NEEDS_BALANCE');
    expect((await getAccount(platform.deps.db, poor.account.accountNo))?.balanceFen).toBe(1_999);
    const visitor = await holder({ balanceFen: 3_000, cardType: 'temporary' });
    const paid = await replace(kiosk, { replacementId: 'r-t', accountNo: visitor.account.accountNo, queryPassword: '112233', newChipUid: `0D${String(++seq).padStart(10, '0')}`, newKind: 'm1' });
    expect(paid.body).toMatchObject({ feeFen: 2_500, balanceFen: 500 });
  });

  it('refuses a chip UID that belongs to another card', async () => {
    const a = await holder();
    const b = await holder();
    const kiosk = await createTestTerminal(platform.deps, { kind: 'kiosk' });
    const res = await replace(kiosk, { replacementId: 'r-3', accountNo: b.account.accountNo, queryPassword: '112233', newChipUid: a.chipUid, newKind: 'cpu' });
    expect(res.body.code).toBe('CARD_UID_TAKEN');
    expect((await getAccount(platform.deps.db, b.account.accountNo))?.balanceFen).toBe(10_000);
  });
});

describe('authorization', () => {
  it('a terminal cannot call holder routes, a holder token cannot call terminal routes', async () => {
    const { account } = await holder();
    const pos = await createTestTerminal(platform.deps);
    expect((await terminalFetch(platform.url, pos, 'POST', '/v1/holder/loss', { queryPassword: '112233' })).status).toBe(401);
    const res = await call(account.accountNo, 'POST', '/v1/pos/qr-payments', { posTxnId: 'x', token: 'EC1', amountFen: 1 });
    expect(res.status).toBe(401);
    expect((await getAccount(platform.deps.db, account.accountNo))?.status).toBe('active');
  });
});
