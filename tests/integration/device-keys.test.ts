/**
 * The device key over HTTP on DynamoDB Local: made on a phone with no secure random source (Alipay)
 * from the server's one-time seed and the phone's own entropy, and moved to a new phone without staff.
 */
import { ScanCommand } from '@aws-sdk/lib-dynamodb';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { buildCompactBundle } from '../../functions/services/offline';
import { getAccount } from '../../functions/store/accounts';
import { getDeviceKey, listAccountDeviceKeys } from '../../functions/store/device-keys';
import { takeBundle } from '../../shared/terminal-client/bundle';
import { createApiClient, type HttpRequest, type HttpResponse } from '../../miniapp/src/lib/api';
import { drawCode, newDeviceKey, serverStep, syncClock, type DeviceKey } from '../../miniapp/src/lib/campus-code';
import { deviceKeySeed, randomSourceOf } from '../../miniapp/src/lib/key-seed';
import { createTestAccount, createTestTerminal, terminalFetch } from '../helpers/fixtures';
import { bindPhone, holderToken } from '../helpers/phone';
import { useTestPlatform } from '../helpers/platform';

const platform = useTestPlatform({ http: true });
const PAY = '/v1/pos/qr-payments';

afterEach(() => vi.unstubAllGlobals());

/** The mini-program's API client over fetch, keeping every answer so the test sees what crossed the wire. */
function phoneApi(token: string) {
  const answers: { request: HttpRequest; response: HttpResponse }[] = [];
  const api = createApiClient({
    baseUrl: platform.url,
    session: () => token,
    transport: async (request) => {
      const res = await fetch(request.url, { method: request.method, headers: request.headers, ...(request.body !== undefined ? { body: JSON.stringify(request.body) } : {}) });
      const response = { status: res.status, headers: Object.fromEntries(res.headers), body: await res.json() };
      answers.push({ request, response });
      return response;
    },
  });
  return { api, answers };
}

describe('a phone with no secure random source (the Alipay mini-program)', () => {
  it('makes its key from the server’s seed and its own entropy, registers it, and the code it draws pays at a terminal', async () => {
    const account = await createTestAccount(platform.deps, { balanceFen: 10_000 });
    const terminal = await createTestTerminal(platform.deps);
    const { api, answers } = phoneApi(await holderToken(account.accountNo));

    // What Alipay offers: no Web Crypto, no wx, only `my` with its system information. The server runs
    // in this process and uses Web Crypto itself, so the phone's globals are in place only while the
    // phone's code runs, and lifted for each request it makes.
    const asAlipay = () => {
      vi.stubGlobal('crypto', undefined);
      vi.stubGlobal('wx', undefined);
      vi.stubGlobal('my', { getSystemInfoSync: () => ({ brand: 'HUAWEI', model: 'ALN-AL00', platform: 'Android', version: '10.5.36', screenWidth: 412 }) });
    };
    const overTheNetwork = async <T>(call: () => Promise<T>): Promise<T> => {
      vi.unstubAllGlobals();
      try {
        return await call();
      } finally {
        asAlipay();
      }
    };
    asAlipay();
    expect(randomSourceOf()).toBe('server-seed');
    const seed = await deviceKeySeed(() => overTheNetwork(async () => (await api.deviceKeySeed()).seed));
    expect(globalThis.crypto).toBeUndefined();
    const made = newDeviceKey(account.accountNo, seed);
    const sentAt = Date.now();
    const registered = await overTheNetwork(() => api.registerDeviceKey(made.publicKey, made.proof));
    const clock = syncClock(registered.serverTimeMs, sentAt, Date.now());
    const key: DeviceKey = { accountNo: account.accountNo, keyId: registered.keyId, privateKey: made.privateKey };
    const token = drawCode(key, 'pay', { step: serverStep(clock, Date.now()), counter: 0 });
    vi.unstubAllGlobals();

    // The seed crossed once, uncached; the key is not the seed.
    const seedAnswers = answers.filter((a) => a.request.url.endsWith('/v1/holder/device-keys/seed'));
    expect(seedAnswers).toHaveLength(1);
    expect(seedAnswers[0]!.response).toMatchObject({ status: 201, headers: { 'cache-control': 'no-store' } });
    const serverSeed = (seedAnswers[0]!.response.body as { seed: string }).seed;
    expect(Buffer.from(serverSeed, 'base64url')).toHaveLength(32);
    expect(made.privateKey).not.toBe(serverSeed);

    const res = await terminalFetch(platform.url, terminal, 'POST', PAY, { posTxnId: 'alipay-1', token, amountFen: 1_500 });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ amountFen: 1_500, balanceFen: 8_500 });

    // Nothing of the seed is kept: no item in the table holds it.
    const { Items } = await platform.deps.db.doc.send(new ScanCommand({ TableName: platform.deps.db.tableName }));
    expect(JSON.stringify(Items)).not.toContain(serverSeed);
  });

  it('with no answer from the server there is no seed and no key (never a key from the phone’s weak sources alone)', async () => {
    vi.stubGlobal('crypto', undefined);
    vi.stubGlobal('wx', undefined);
    await expect(deviceKeySeed(async () => Promise.reject(new Error('request:fail')))).rejects.toThrow('request:fail');
    await expect(deviceKeySeed(async () => 'c2hvcnQ')).rejects.toThrow('32 bytes');
  });

  it('each ask gives a fresh seed; the route needs a holder session', async () => {
    const account = await createTestAccount(platform.deps);
    const { api } = phoneApi(await holderToken(account.accountNo));
    const seeds = await Promise.all(Array.from({ length: 10 }, () => api.deviceKeySeed()));
    expect(new Set(seeds.map((s) => s.seed)).size).toBe(10);
    expect((await platform.request('POST', '/v1/holder/device-keys/seed', { body: {} })).status).toBe(401);
  });
});

describe('binding a new phone moves the code without staff', () => {
  it('the new key replaces the old in one transaction; the account view names it with when, and the old code is refused online and dropped offline', async () => {
    const account = await createTestAccount(platform.deps, { balanceFen: 10_000 });
    const terminal = await createTestTerminal(platform.deps);
    const oldPhone = await bindPhone(platform.url, account.accountNo);
    const bundleBefore = takeBundle(await buildCompactBundle(platform.deps, terminal), undefined, terminal.terminalId, platform.deps.clock());
    expect(bundleBefore.bundle.keys.map((k) => k.keyId)).toContain(oldPhone.keyId);

    const newPhone = await bindPhone(platform.url, account.accountNo);
    const [oldKey, newKey, stored] = await Promise.all([getDeviceKey(platform.deps.db, oldPhone.keyId), getDeviceKey(platform.deps.db, newPhone.keyId), getAccount(platform.deps.db, account.accountNo)]);
    expect(oldKey).toMatchObject({ status: 'revoked', revokedAt: newKey!.createdAt });
    expect(stored).toMatchObject({ activeDeviceKeyId: newPhone.keyId, activeDeviceKeyAt: newKey!.createdAt });

    // What the old phone reads at its next poll.
    const view = await platform.request('GET', '/v1/holder/account', { token: await holderToken(account.accountNo) });
    expect(view.body.activeDeviceKey).toEqual({ keyId: newPhone.keyId, registeredAt: newKey!.createdAt });

    expect((await terminalFetch(platform.url, terminal, 'POST', PAY, { posTxnId: 'moved-old', token: oldPhone.code(), amountFen: 100 })).body.code).toBe('TOKEN_KEY_REVOKED');
    expect((await terminalFetch(platform.url, terminal, 'POST', PAY, { posTxnId: 'moved-new', token: newPhone.code(), amountFen: 100 })).status).toBe(200);

    // An offline terminal's next delta: the account's row is the new key's; the old one is gone.
    const next = takeBundle(await buildCompactBundle(platform.deps, terminal, bundleBefore.sync?.version), bundleBefore.sync, terminal.terminalId, platform.deps.clock());
    const ofAccount = next.bundle.keys.filter((k) => k.accountNo === account.accountNo).map((k) => k.keyId);
    expect(ofAccount).toEqual([newPhone.keyId]);
  });

  it('two phones binding at once: exactly one key stays active, named by the account; the other is revoked', async () => {
    const account = await createTestAccount(platform.deps);
    await bindPhone(platform.url, account.accountNo);
    const phones = await Promise.all(Array.from({ length: 4 }, () => bindPhone(platform.url, account.accountNo)));
    const stored = await getAccount(platform.deps.db, account.accountNo);
    const keys = await listAccountDeviceKeys(platform.deps.db, account.accountNo);
    expect(keys).toHaveLength(5);
    const active = keys.filter((k) => k.status === 'active');
    expect(active.map((k) => k.keyId)).toEqual([stored!.activeDeviceKeyId]);
    expect(phones.map((p) => p.keyId)).toContain(stored!.activeDeviceKeyId);
    expect(stored!.activeDeviceKeyAt).toBe(active[0]!.createdAt);
  });
});
