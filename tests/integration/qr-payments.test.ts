/** The campus QR code at the POS and the gate, end to end over HTTP on DynamoDB Local. */
import { ed25519 } from '@noble/curves/ed25519';
import { describe, expect, it } from 'vitest';
import { hashPassword } from '../../functions/domain/passwords';
import { getAccount } from '../../functions/store/accounts';
import { savePasswordRecord } from '../../functions/store/passwords';
import { putMerchant } from '../../functions/store/terminals';
import { deviceKeyProofMessage, generateDeviceKeyPair, signQrToken, timeStepAt } from '../../shared/qr-token';
import { createTestAccount, createTestTerminal, ledgerOf, setAccountStatus, terminalFetch } from '../helpers/fixtures';
import { bindPhone, holderToken } from '../helpers/phone';
import { useTestPlatform } from '../helpers/platform';
import { UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { keys } from '../../functions/store/keys';

const platform = useTestPlatform({ http: true });
const PAY = '/v1/pos/qr-payments';
const SCAN = '/v1/pos/identity-scans';

async function setup(options: { balanceFen?: number; holderName?: string } = {}) {
  const account = await createTestAccount(platform.deps, { balanceFen: options.balanceFen ?? 10_000, holderName: options.holderName ?? '王小明' });
  const phone = await bindPhone(platform.url, account.accountNo);
  const terminal = await createTestTerminal(platform.deps);
  return { account, phone, terminal };
}

let txn = 0;
const pay = (terminal: Awaited<ReturnType<typeof createTestTerminal>>, body: Record<string, unknown>) =>
  terminalFetch(platform.url, terminal, 'POST', PAY, { posTxnId: `q${++txn}`, amountFen: 1_200, ...body });

describe('pay by QR', () => {
  it('debits the holder of the code and answers the POS with the balance, receipt and masked name', async () => {
    const { account, phone, terminal } = await setup();
    const res = await pay(terminal, { token: phone.code() });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ amountFen: 1_200, balanceFen: 8_800, holderDisplayName: '王*明', replayed: false });
    const entries = (await ledgerOf(platform.deps, account.accountNo)).filter((e) => e.type === 'purchase');
    expect(entries).toMatchObject([{ channel: 'qr', amountFen: 1_200, receiptNo: res.body.receiptNo }]);
  });

  it('a retry with the same posTxnId and code answers the original payment; the same code for a new payment is TOKEN_REUSED', async () => {
    const { account, phone, terminal } = await setup();
    const token = phone.code();
    const first = await terminalFetch(platform.url, terminal, 'POST', PAY, { posTxnId: 'same-q', token, amountFen: 500 });
    const retry = await terminalFetch(platform.url, terminal, 'POST', PAY, { posTxnId: 'same-q', token, amountFen: 500 });
    expect(retry.body).toEqual({ ...first.body, replayed: true });
    const reuse = await terminalFetch(platform.url, terminal, 'POST', PAY, { posTxnId: 'other-q', token, amountFen: 500 });
    expect(reuse.status).toBe(409);
    expect(reuse.body.code).toBe('TOKEN_REUSED');
    const otherTerminal = await createTestTerminal(platform.deps);
    expect((await terminalFetch(platform.url, otherTerminal, 'POST', PAY, { posTxnId: 'x-q', token, amountFen: 500 })).body.code).toBe('TOKEN_REUSED');
    expect((await getAccount(platform.deps.db, account.accountNo))?.balanceFen).toBe(9_500);
  });

  it('one code scanned by 20 terminals at once pays exactly once', async () => {
    const { account, phone } = await setup();
    const token = phone.code();
    const terminals = await Promise.all(Array.from({ length: 20 }, () => createTestTerminal(platform.deps)));
    const results = await Promise.all(terminals.map((t, i) => terminalFetch(platform.url, t, 'POST', PAY, { posTxnId: `race-${i}`, token, amountFen: 100 })));
    expect(results.filter((r) => r.status === 200)).toHaveLength(1);
    expect(results.filter((r) => r.status !== 200).every((r) => r.body.code === 'TOKEN_REUSED')).toBe(true);
    expect((await getAccount(platform.deps.db, account.accountNo))?.balanceFen).toBe(9_900);
  });

  it.each([
    ['a step 2 behind (60–90 s old)', -60_000, 'TOKEN_EXPIRED'],
    ['a step 2 ahead (phone clock fast)', 61_000, 'TOKEN_NOT_YET_VALID'],
  ])('refuses a code from %s', async (_name, offsetMs, code) => {
    const { phone, terminal } = await setup();
    const res = await pay(terminal, { token: phone.code({ at: new Date(Date.now() + offsetMs) }) });
    expect(res.status).toBe(409);
    expect(res.body.code).toBe(code);
  });

  it('accepts a code from the previous 30-second step', async () => {
    const { phone, terminal } = await setup();
    expect((await pay(terminal, { token: phone.code({ at: new Date(Date.now() - 30_000) }) })).status).toBe(200);
  });

  it('refuses forged, tampered, wrong-key and wrong-purpose codes, and changes nothing', async () => {
    const { account, phone, terminal } = await setup();
    const stranger = generateDeviceKeyPair();
    const payload = { version: 1 as const, purpose: 'pay' as const, keyId: phone.keyId, timeStep: timeStepAt(Date.now()), counter: 7 };
    const forged = signQrToken(payload, stranger.privateKey);
    const genuine = signQrToken(payload, phone.privateKey);
    const tampered = genuine.slice(0, 20) + (genuine[20] === 'A' ? 'B' : 'A') + genuine.slice(21);
    const unknownKey = signQrToken({ ...payload, keyId: 4_000_000_000 }, stranger.privateKey);
    for (const [token, code] of [
      [forged, 'TOKEN_INVALID'],
      [tampered, 'TOKEN_INVALID'],
      [unknownKey, 'TOKEN_INVALID'],
      ['EC1NOTATOKEN', 'TOKEN_INVALID'],
      ['https://evil.example/qr', 'TOKEN_INVALID'],
      [phone.code({ purpose: 'identity' }), 'TOKEN_WRONG_PURPOSE'],
    ] as const) {
      const res = await pay(terminal, { token });
      expect(res.body.code, token).toBe(code);
      expect(JSON.stringify(res.body)).not.toContain(account.accountNo);
    }
    expect((await getAccount(platform.deps.db, account.accountNo))?.balanceFen).toBe(10_000);
  });

  it('a new binding revokes the old phone’s key', async () => {
    const { account, phone: oldPhone, terminal } = await setup();
    const newPhone = await bindPhone(platform.url, account.accountNo);
    expect((await pay(terminal, { token: oldPhone.code() })).body.code).toBe('TOKEN_KEY_REVOKED');
    expect((await pay(terminal, { token: newPhone.code() })).status).toBe(200);
  });

  it.each([
    ['lost', 'CARD_LOST'],
    ['frozen', 'CARD_FROZEN'],
  ] as const)('refuses a %s card', async (status, code) => {
    const { account, phone, terminal } = await setup();
    await setAccountStatus(platform.deps, account.accountNo, status);
    const res = await pay(terminal, { token: phone.code() });
    expect(res.body.code).toBe(code);
    expect((await getAccount(platform.deps.db, account.accountNo))?.balanceFen).toBe(10_000);
  });

  it('refuses insufficient balance, and the code stays usable for a smaller payment', async () => {
    const { phone, terminal } = await setup({ balanceFen: 1_000 });
    const token = phone.code();
    expect((await pay(terminal, { token, amountFen: 1_001 })).body.code).toBe('INSUFFICIENT_BALANCE');
    expect((await pay(terminal, { token, amountFen: 1_000 })).status).toBe(200);
  });
});

describe('above the daily limit: the consumption password', () => {
  async function withPassword() {
    const ctx = await setup({ balanceFen: 20_000 });
    const record = await hashPassword('135790', { now: new Date(), params: { N: 1024, r: 8, p: 1, keyLength: 32 } });
    await savePasswordRecord(platform.deps.db, ctx.account.accountNo, 'consumption', record, undefined);
    return ctx;
  }

  it('asks for it (P----), takes the right one, refuses a wrong one', async () => {
    const { account, phone, terminal } = await withPassword();
    expect((await pay(terminal, { token: phone.code(), amountFen: 4_000 })).status).toBe(200);
    const over = await pay(terminal, { token: phone.code(), amountFen: 1_500 });
    expect(over.body.code).toBe('PASSWORD_REQUIRED');
    const wrong = await pay(terminal, { token: phone.code(), amountFen: 1_500, consumptionPassword: '000000' });
    expect(wrong.body.code).toBe('PASSWORD_WRONG');
    const right = await pay(terminal, { token: phone.code(), amountFen: 1_500, consumptionPassword: '135790' });
    expect(right.status).toBe(200);
    expect((await getAccount(platform.deps.db, account.accountNo))?.balanceFen).toBe(14_500);
  });

  it('locks the password after 5 wrong tries, even tried in parallel, and then refuses the right one', async () => {
    const { phone, terminal } = await withPassword();
    const attempts = await Promise.all(Array.from({ length: 8 }, () => pay(terminal, { token: phone.code(), amountFen: 6_000, consumptionPassword: '111111' })));
    const codes = attempts.map((a) => a.body.code);
    expect(codes.filter((c) => c === 'PASSWORD_WRONG').length).toBeLessThanOrEqual(4);
    expect(codes).toContain('PASSWORD_LOCKED');
    expect((await pay(terminal, { token: phone.code(), amountFen: 6_000, consumptionPassword: '135790' })).body.code).toBe('PASSWORD_LOCKED');
  });
});

describe('identity scans', () => {
  it('lets an active holder through and says who they are; refuses a lost card; a code opens once', async () => {
    const { account, phone } = await setup({ holderName: '李四' });
    const gate = await createTestTerminal(platform.deps, { merchantId: 'GATE-1' });
    await putMerchant(platform.deps.db, { merchantId: 'GATE-1', name: '图书馆闸机', category: 'library', status: 'active', createdAt: new Date().toISOString() });
    const token = phone.code({ purpose: 'identity' });
    const ok = await terminalFetch(platform.url, gate, 'POST', SCAN, { token });
    expect(ok.body).toEqual({ allowed: true, holderName: '李四', personId: account.personId, cardType: 'student' });
    expect((await terminalFetch(platform.url, gate, 'POST', SCAN, { token })).body.code).toBe('TOKEN_REUSED');
    expect((await terminalFetch(platform.url, gate, 'POST', SCAN, { token: phone.code() })).body.code).toBe('TOKEN_WRONG_PURPOSE');
    await setAccountStatus(platform.deps, account.accountNo, 'lost');
    expect((await terminalFetch(platform.url, gate, 'POST', SCAN, { token: phone.code({ purpose: 'identity' }) })).body).toMatchObject({ allowed: false, reason: 'CARD_LOST' });
  });

  it('refuses a card replaced today at the library (policy) but not at the canteen gate', async () => {
    const { account, phone } = await setup();
    const today = new Date(Date.now() + 8 * 3600_000).toISOString().slice(0, 10);
    await platform.deps.db.doc.send(
      new UpdateCommand({ TableName: platform.tableName, Key: keys.account(account.accountNo), UpdateExpression: 'SET replacedOn = :d', ExpressionAttributeValues: { ':d': today } }),
    );
    const library = await createTestTerminal(platform.deps, { merchantId: 'LIB-1' });
    await putMerchant(platform.deps.db, { merchantId: 'LIB-1', name: '图书馆', category: 'library', status: 'active', createdAt: new Date().toISOString() });
    const canteen = await createTestTerminal(platform.deps, { merchantId: 'CAN-1' });
    await putMerchant(platform.deps.db, { merchantId: 'CAN-1', name: '食堂门禁', category: 'canteen', status: 'active', createdAt: new Date().toISOString() });
    expect((await terminalFetch(platform.url, library, 'POST', SCAN, { token: phone.code({ purpose: 'identity' }) })).body).toMatchObject({ allowed: false, reason: 'CARD_REPLACED_TODAY' });
    expect((await terminalFetch(platform.url, canteen, 'POST', SCAN, { token: phone.code({ purpose: 'identity' }) })).body).toMatchObject({ allowed: true });
  });
});

describe('device key registration', () => {
  it('refuses a key whose proof was not made by it, or made for another account', async () => {
    const account = await createTestAccount(platform.deps);
    const { privateKey, publicKey } = generateDeviceKeyPair();
    const publicKeyText = Buffer.from(publicKey).toString('base64url');
    const other = generateDeviceKeyPair();
    const register = async (proof: Uint8Array) =>
      fetch(`${platform.url}/v1/holder/device-keys`, {
        method: 'POST',
        headers: { authorization: `Bearer ${await holderToken(account.accountNo)}`, 'content-type': 'application/json' },
        body: JSON.stringify({ publicKey: publicKeyText, proof: Buffer.from(proof).toString('base64url') }),
      });
    const byOtherKey = await register(ed25519.sign(deviceKeyProofMessage(account.accountNo, publicKeyText), other.privateKey));
    expect(byOtherKey.status).toBe(400);
    expect(((await byOtherKey.json()) as { code: string }).code).toBe('DEVICE_KEY_PROOF_INVALID');
    const forOtherAccount = await register(ed25519.sign(deviceKeyProofMessage('99999999', publicKeyText), privateKey));
    expect(forOtherAccount.status).toBe(400);
    const good = await register(ed25519.sign(deviceKeyProofMessage(account.accountNo, publicKeyText), privateKey));
    expect(good.status).toBe(201);
    expect((await getAccount(platform.deps.db, account.accountNo))?.activeDeviceKeyId).toBe(((await good.json()) as { keyId: number }).keyId);
  });
});

describe('bad input to pay-by-QR gets a clear error and changes nothing', () => {
  it.each([
    ['no token', { token: undefined }],
    ['an empty token', { token: '' }],
    ['a token of 201 characters', { token: 'E'.repeat(201) }],
    ['an amount as a string', { amountFen: '12.00' }],
    ['a zero amount', { amountFen: 0 }],
    ['a password of 5 digits', { consumptionPassword: '12345' }],
    ['a password with letters', { consumptionPassword: '12345a' }],
    ['an unknown field', { accountNo: '10001' }],
  ])('%s → 400 VALIDATION_FAILED', async (_name, change) => {
    const { account, phone, terminal } = await setup();
    const res = await terminalFetch(platform.url, terminal, 'POST', PAY, { posTxnId: 'bad', token: phone.code(), amountFen: 100, ...change });
    expect(res.status).toBe(400);
    expect(res.body).toMatchObject({ code: 'VALIDATION_FAILED', message: { zh: expect.any(String), en: expect.any(String) } });
    expect((await getAccount(platform.deps.db, account.accountNo))?.balanceFen).toBe(10_000);
  });
});
