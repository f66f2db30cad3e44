/** Signing in from WeChat / Alipay and binding the electronic card, against fake platforms. */
import { describe, expect, it } from 'vitest';
import { defaultPassword, hashPassword } from '../../functions/domain/passwords';
import { idNumberDigest, maskIdNumber, maskMobile, mobileDigest } from '../../functions/domain/identity';
import { startFakeAlipay, type FakeAlipay } from '../../functions/local/fake-alipay';
import { startFakeWechatLogin, type FakeWechatLogin } from '../../functions/local/fake-wechat-login';
import { demoIdNumber } from '../../functions/local/seed';
import { setIdentity } from '../../functions/store/accounts';
import { savePasswordRecord } from '../../functions/store/passwords';
import { createTestAccount } from '../helpers/fixtures';
import { useTestPlatform } from '../helpers/platform';
import { useFake } from '../helpers/fakes';

let wechat: FakeWechatLogin;
let alipay: FakeAlipay;
useFake('WECHAT_LOGIN_CONFIG', startFakeWechatLogin, (started) => (wechat = started));
useFake('ALIPAY_CONFIG', startFakeAlipay, (started) => (alipay = started));
const platform = useTestPlatform({ http: true });
let seq = 0;

/** An account as the registrar import leaves it: identity as masks and digests, default password = last six of the ID. */
async function imported() {
  const account = await createTestAccount(platform.deps);
  const idNumber = demoIdNumber(4_000 + ++seq);
  const mobile = `1380013${String(seq).padStart(4, '0')}`;
  const secret = process.env.IDENTITY_KEY!;
  await setIdentity(platform.deps.db, account.accountNo, {
    idType: 'id_card',
    idNumberMasked: maskIdNumber(idNumber),
    idNumberDigest: idNumberDigest(secret, idNumber),
    mobileMasked: maskMobile(mobile),
    mobileDigest: mobileDigest(secret, mobile),
  });
  const password = defaultPassword(idNumber, 'drop')!;
  await savePasswordRecord(platform.deps.db, account.accountNo, 'query', await hashPassword(password, { now: new Date(), isDefault: true, params: { N: 1024, r: 8, p: 1, keyLength: 32 } }), undefined);
  return { account, idNumber, mobile, password, details: { personId: account.personId, cardPassword: password, idType: 'id_card', idNumber, mobile } };
}

async function post(path: string, body: unknown) {
  const response = await fetch(platform.url + path, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  return { status: response.status, body: (await response.json()) as any, text: '' };
}

describe('binding from WeChat', () => {
  it('a new WeChat user binds once; afterwards sign-in goes straight to the account', async () => {
    const { account, details, idNumber } = await imported();
    const first = await post('/v1/auth/wechat', { code: wechat.issueCode('o-new-user-1') });
    expect(first.body).toEqual({ bound: false, bindingToken: expect.any(String) });
    const bound = await post('/v1/auth/bindings', { ...details, bindingToken: first.body.bindingToken });
    expect(bound.status).toBe(200);
    // payerId: the openid the app pays its top-ups as (it cannot learn it from WeChat itself).
    expect(bound.body).toMatchObject({ accountNo: account.accountNo, mustChangePassword: true, session: expect.any(String), payerId: 'o-new-user-1' });
    const again = await post('/v1/auth/wechat', { code: wechat.issueCode('o-new-user-1') });
    expect(again.body).toMatchObject({ bound: true, accountNo: account.accountNo, payerId: 'o-new-user-1' });
    const me = await fetch(`${platform.url}/v1/holder/account`, { headers: { authorization: `Bearer ${again.body.session}` } });
    const text = await me.text();
    expect(text).not.toContain(idNumber);
  });

  it('a used or made-up code is refused', async () => {
    const code = wechat.issueCode('o-user-2');
    await post('/v1/auth/wechat', { code });
    expect((await post('/v1/auth/wechat', { code })).body.code).toBe('UNAUTHENTICATED');
    expect((await post('/v1/auth/wechat', { code: 'made-up' })).body.code).toBe('UNAUTHENTICATED');
  });
});

describe('binding from Alipay', () => {
  it('exchanges the auth code (signed gateway call) and binds', async () => {
    const { account, details } = await imported();
    const first = await post('/v1/auth/alipay', { authCode: alipay.issueAuthCode('2088000000000777') });
    expect(first.body.bound).toBe(false);
    expect((await post('/v1/auth/bindings', { ...details, bindingToken: first.body.bindingToken })).body.accountNo).toBe(account.accountNo);
    expect((await post('/v1/auth/alipay', { authCode: alipay.issueAuthCode('2088000000000777') })).body).toMatchObject({ bound: true, accountNo: account.accountNo, payerId: '2088000000000777' });
  });
});

describe('wrong details', () => {
  it.each([
    ['a wrong ID number', (d: Record<string, string>) => ({ ...d, idNumber: demoIdNumber(99_999) })],
    ['a wrong mobile', (d: Record<string, string>) => ({ ...d, mobile: '13900000000' })],
    ['a wrong card password', (d: Record<string, string>) => ({ ...d, cardPassword: '000000' })],
    ['the wrong ID type', (d: Record<string, string>) => ({ ...d, idType: 'passport' })],
    ['an unknown student id', (d: Record<string, string>) => ({ ...d, personId: 'NOBODY12345' })],
  ])('%s gets the same BINDING_FAILED', async (_name, change) => {
    const { details } = await imported();
    const res = await post('/v1/auth/bindings', change(details as unknown as Record<string, string>));
    expect(res.status).toBe(401);
    expect(res.body).toEqual({ code: 'BINDING_FAILED', message: { zh: '绑定信息有误，请核对后重试', en: 'The details do not match; please check and try again' }, requestId: expect.any(String) });
  });

  it('five failures lock binding for that student id, even with the right details', async () => {
    const { details } = await imported();
    const codes: string[] = [];
    for (let i = 0; i < 5; i++) codes.push((await post('/v1/auth/bindings', { ...details, mobile: '13900000000' })).body.code);
    expect(codes).toEqual(['BINDING_FAILED', 'BINDING_FAILED', 'BINDING_FAILED', 'BINDING_FAILED', 'BINDING_LOCKED']);
    expect((await post('/v1/auth/bindings', details)).body.code).toBe('BINDING_LOCKED');
  });

  it('bad input is refused before anything is checked', async () => {
    const { details } = await imported();
    for (const change of [{ mobile: '12345' }, { idType: 'driver_licence' }, { cardPassword: '12345' }, { idNumber: '' }]) {
      expect((await post('/v1/auth/bindings', { ...details, ...change })).body.code).toBe('VALIDATION_FAILED');
    }
    expect((await post('/v1/auth/bindings', details)).status).toBe(200);
  });
});
