/**
 * The reference terminal client (shared/terminal-client) without a server: signing as documented,
 * the retry rule against a scripted fetch, the bundle checks, the offline QR check (the same verdicts
 * as the server's own checks), the caps and the queue, and the IndexedDB store (fake-indexeddb).
 */
import 'fake-indexeddb/auto';
import { createHmac } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { checkQrWindow, verifyQrSignature } from '../../functions/domain/qr-token-verify';
import { encodeBase45 } from '../../shared/base45';
import { campusDay } from '../../shared/campus-day';
import { ERRORS, type ErrorCode } from '../../shared/errors';
import { generateDeviceKeyPair, parseQrToken, QR_TOKEN_PREFIX, signQrToken, timeStepAt, type QrPurpose } from '../../shared/qr-token';
import { canonicalTerminalRequest } from '../../shared/terminal-signature';
import {
  activateTerminal,
  checkCardOffline,
  checkCodeOffline,
  connectTerminal,
  loadTerminal,
  memoryStore,
  newRequestId,
  openIndexedDbStore,
  REPLAYABLE_PATHS,
  STORE_RETENTION_DAYS,
  TerminalRefusal,
  type OfflineBundle,
  type TerminalClientOptions,
  type TerminalIdentity,
  type TerminalStore,
} from '../../shared/terminal-client';

const IDENTITY: TerminalIdentity = { terminalId: 'POS-UNIT-01', merchantId: 'M001', place: '一食堂 1 号窗口', kind: 'pos', secret: 's3cret', activatedAt: '2026-11-01T00:00:00.000Z' };
const NOW = new Date('2026-11-23T12:00:00Z');
const b64url = (bytes: Uint8Array) => Buffer.from(bytes).toString('base64url');

interface Sent {
  method: string;
  url: string;
  headers: Record<string, string>;
  body: string | undefined;
}
type Reply = { status: number; body?: unknown } | 'drop';

/** A scripted server: each request is recorded and answered by `answer` ('drop' = the connection fails). */
function scriptedFetch(answer: (request: Sent, index: number) => Reply | Promise<Reply>) {
  const sent: Sent[] = [];
  const fetcher: typeof fetch = async (input, init) => {
    const request: Sent = { method: init?.method ?? 'GET', url: String(input), headers: { ...(init?.headers as Record<string, string>) }, body: init?.body as string | undefined };
    sent.push(request);
    const reply = await answer(request, sent.length - 1);
    if (reply === 'drop') throw new TypeError('fetch failed');
    return new Response(reply.body === undefined ? null : JSON.stringify(reply.body), { status: reply.status, headers: { 'content-type': 'application/json' } });
  };
  return { sent, fetcher };
}

async function clientWith(answer: (request: Sent, index: number) => Reply | Promise<Reply>, options: Partial<TerminalClientOptions> = {}) {
  const { sent, fetcher } = scriptedFetch(answer);
  const store = options.store ?? memoryStore();
  const client = await connectTerminal({ baseUrl: 'http://pos.test', store, fetch: fetcher, now: () => NOW, backoffMs: 1, timeoutMs: 200, ...options }, IDENTITY);
  return { client, sent, store };
}

const receipt = { receiptNo: '01KAAAAAAAAAAAAAAAAAAAAAAA', amountFen: 1250, balanceFen: 6750, holderDisplayName: '张*明', postedAt: NOW.toISOString(), replayed: false };
const cardReceipt = { ...receipt, accountNo: '20260001', chipBalanceToWriteFen: 6750 };

describe('signing (docs/terminal-auth.md)', () => {
  it('the documented example: the client sends exactly the signed request the document describes', async () => {
    const { client, sent } = await clientWith(() => ({ status: 200, body: cardReceipt }), { nonce: () => 'n0nce-0001' });
    const outcome = await client.sell({ posTxnId: '1', method: 'card', chipUid: '04A224B2C15E80', amountFen: 1250, chipBalanceFen: 8000, cardTxnCounter: 12 });
    expect(outcome).toMatchObject({ status: 'posted', channel: 'card', receiptNo: receipt.receiptNo, chipBalanceToWriteFen: 6750 });
    const [request] = sent;
    const body = '{"posTxnId":"1","chipUid":"04A224B2C15E80","amountFen":1250,"chipBalanceFen":8000,"cardTxnCounter":12}';
    expect(request).toMatchObject({ method: 'POST', url: 'http://pos.test/v1/pos/charges', body });
    expect(canonicalTerminalRequest({ method: 'POST', path: '/v1/pos/charges', timestamp: '1795435200', nonce: 'n0nce-0001', body })).toBe(
      'POST\n/v1/pos/charges\n1795435200\nn0nce-0001\ndf55c423b3c116505d796e6cb51ba5540493d12a29103e9d786ca1ab7cc1ee42',
    );
    // Worked out independently (Python's hmac) and by node:crypto: the @noble signer agrees with both.
    const expected = 'L3vedncxUqoj20Y7cemfjEc8ISMC5Pg3Hu1TqNPAGAY';
    expect(createHmac('sha256', 's3cret').update(canonicalTerminalRequest({ method: 'POST', path: '/v1/pos/charges', timestamp: '1795435200', nonce: 'n0nce-0001', body })).digest('base64url')).toBe(expected);
    expect(request!.headers).toMatchObject({ 'x-terminal-id': 'POS-UNIT-01', 'x-timestamp': '1795435200', 'x-nonce': 'n0nce-0001', 'x-signature': expected });
  });

  it('the secret is never exposed on the client', async () => {
    const { client } = await clientWith(() => ({ status: 200 }));
    expect(client.identity).toEqual({ terminalId: 'POS-UNIT-01', merchantId: 'M001', place: '一食堂 1 号窗口', kind: 'pos', activatedAt: IDENTITY.activatedAt });
    expect(JSON.stringify(client)).not.toContain('s3cret');
  });

  it('bad input never leaves the terminal: the contract refuses it first (VALIDATION_FAILED)', async () => {
    const { client, sent } = await clientWith(() => ({ status: 200, body: receipt }));
    const outcome = await client.sell({ method: 'code', code: `${QR_TOKEN_PREFIX}x`, amountFen: -5 });
    expect(outcome).toMatchObject({ status: 'refused', refusal: { code: 'VALIDATION_FAILED', status: 400, zh: '请求参数有误' } });
    expect(sent).toHaveLength(0);
  });
});

describe('activation', () => {
  it('exchanges the code once (unsigned), keeps the identity; a refused or malformed code keeps nothing', async () => {
    const activated = { terminalId: 'POS-UNIT-02', merchantId: 'M001', place: '二食堂', kind: 'gate', secret: 'fresh-secret', activatedAt: NOW.toISOString() };
    let answer: Reply = { status: 401, body: { code: 'ACTIVATION_CODE_INVALID', message: { zh: '激活码无效', en: 'Invalid activation code' } } };
    const { sent, fetcher } = scriptedFetch(() => answer);
    const store = memoryStore();
    const options = { baseUrl: 'http://pos.test', store, fetch: fetcher };
    await expect(activateTerminal(options, 'POS-UNIT-02', 'not a code')).rejects.toMatchObject({ code: 'VALIDATION_FAILED' });
    expect(sent).toHaveLength(0);
    await expect(activateTerminal(options, 'POS-UNIT-02', 'K7QM-3XTR-9BWD-2HFN')).rejects.toMatchObject({ code: 'ACTIVATION_CODE_INVALID', status: 401, zh: '激活码无效' });
    expect(await loadTerminal(options)).toBeUndefined();
    answer = { status: 200, body: activated };
    expect(await activateTerminal(options, 'POS-UNIT-02', 'k7qm 3xtr 9bwd 2hfn')).toEqual(activated);
    expect(sent.at(-1)!.headers).not.toHaveProperty('x-signature');
    expect((await loadTerminal(options))!.identity).toEqual({ terminalId: 'POS-UNIT-02', merchantId: 'M001', place: '二食堂', kind: 'gate', activatedAt: NOW.toISOString() });
  });
});

describe('the retry rule', () => {
  const code = () => `${QR_TOKEN_PREFIX}${'0'.repeat(111)}`;

  it('a lost answer or a 5xx: the identical signed payment is resent (same body, nonce and signature)', async () => {
    const { client, sent } = await clientWith((_, index) => (index === 0 ? 'drop' : index === 1 ? { status: 503, body: { code: 'BUSY_RETRY' } } : { status: 200, body: { ...receipt, replayed: true } }));
    const outcome = await client.sell({ method: 'code', code: code(), amountFen: 1250 });
    expect(outcome).toMatchObject({ status: 'posted', channel: 'campus', replayed: true });
    expect(sent).toHaveLength(3);
    expect(new Set(sent.map((r) => JSON.stringify([r.url, r.body, r.headers])))).toHaveProperty('size', 1);
  });

  it('a timeout counts as a lost answer', async () => {
    const { client, sent } = await clientWith((_, index) => (index === 0 ? new Promise<Reply>(() => undefined) : { status: 200, body: { ...receipt, replayed: true } }), { timeoutMs: 50 });
    expect(await client.sell({ method: 'code', code: code(), amountFen: 1250 })).toMatchObject({ status: 'posted' });
    expect(sent).toHaveLength(2);
  });

  it('after the resends, the transaction query decides: posted, or not_found (the id closed: POS_TXN_CLOSED)', async () => {
    for (const [found, expected] of [
      [{ status: 'posted', method: 'qr', receiptNo: receipt.receiptNo, amountFen: 1250, balanceFen: 6750, holderDisplayName: '张*明', postedAt: NOW.toISOString() }, { status: 'posted', replayed: true, balanceFen: 6750 }],
      [{ status: 'not_found' }, { status: 'refused', refusal: { code: 'POS_TXN_CLOSED' } }],
    ] as const) {
      const { client, sent, store } = await clientWith((request) => (request.url.includes('/v1/pos/transactions/') ? { status: 200, body: { posTxnId: 'T1', ...found } } : 'drop'));
      expect(await client.sell({ posTxnId: 'T1', method: 'code', code: code(), amountFen: 1250 })).toMatchObject({ posTxnId: 'T1', ...expected });
      expect(sent.map((r) => r.url)).toEqual([...Array(3).fill('http://pos.test/v1/pos/qr-payments'), 'http://pos.test/v1/pos/transactions/T1']);
      expect(await store.list('sale/')).toEqual([]);
    }
  });

  it('a 4xx refusal is final: not resent, not queried, returned with the server’s code and message', async () => {
    const refusal = { code: 'INSUFFICIENT_BALANCE', message: { zh: '余额不足', en: 'Insufficient balance' } };
    const { client, sent } = await clientWith(() => ({ status: 409, body: refusal }));
    const outcome = await client.sell({ method: 'code', code: code(), amountFen: 1250 });
    expect(outcome.status === 'refused' && outcome.refusal).toBeInstanceOf(TerminalRefusal);
    expect(outcome).toMatchObject({ status: 'refused', refusal: { code: 'INSUFFICIENT_BALANCE', status: 409, zh: '余额不足', en: 'Insufficient balance' } });
    expect(sent).toHaveLength(1);
  });

  it('unreachable everywhere: kept as unresolved in the store, settled later by resolveUnresolved()', async () => {
    let online = false;
    const { client, sent, store } = await clientWith((request) =>
      !online ? 'drop' : request.url.includes('/transactions/') ? { status: 200, body: { posTxnId: 'T9', status: 'posted', method: 'card', receiptNo: receipt.receiptNo, amountFen: 300, balanceFen: 100, holderDisplayName: '张*明', postedAt: NOW.toISOString() } } : { status: 500 },
    );
    expect(await client.sell({ posTxnId: 'T9', method: 'card', chipUid: '04A224B2C15E80', amountFen: 300 })).toEqual({ status: 'unreachable', posTxnId: 'T9' });
    expect(await client.unresolvedSales()).toEqual([{ posTxnId: 'T9', channel: 'card', amountFen: 300, startedAt: NOW.toISOString() }]);
    expect(await client.resolveUnresolved()).toEqual([{ status: 'unreachable', posTxnId: 'T9' }]);
    online = true;
    const before = sent.length;
    expect(await client.resolveUnresolved()).toMatchObject([{ status: 'posted', posTxnId: 'T9', channel: 'card', amountFen: 300 }]);
    expect(sent.slice(before).map((r) => r.url)).toEqual(['http://pos.test/v1/pos/transactions/T9']);
    expect(await store.list('sale/')).toEqual([]);
    expect(await client.resolveUnresolved()).toEqual([]);
  });

  it('a payment code answered waiting is polled until paid; lost everywhere, the sale’s status route settles it later', async () => {
    const sale = { posTxnId: 'P2', channel: 'alipay', amountFen: 500 };
    const paid = { ...sale, status: 'paid', receiptNo: 'R2', platformTxnId: 'A2', paidAt: NOW.toISOString(), replayed: false };
    const { client, sent } = await clientWith((request, index) => (index === 0 ? { status: 200, body: { ...sale, status: 'waiting', retryAfterSeconds: 5 } } : index === 1 ? { status: 200, body: { ...sale, status: 'waiting', retryAfterSeconds: 5 } } : { status: 200, body: paid }), { paymentCodePollMs: 1 });
    expect(await client.sell({ posTxnId: 'P2', method: 'code', code: '281234567890123456', amountFen: 500 })).toMatchObject({ status: 'posted', channel: 'alipay', receiptNo: 'R2', replayed: false });
    expect(sent.map((r) => `${r.method} ${r.url}`)).toEqual(['POST http://pos.test/v1/pos/payment-codes', 'GET http://pos.test/v1/pos/payment-codes/P2', 'GET http://pos.test/v1/pos/payment-codes/P2']);

    let online = false;
    const lost = await clientWith((request) => (!online ? 'drop' : request.method === 'GET' ? { status: 200, body: { ...paid, replayed: true } } : { status: 500 }));
    expect(await lost.client.sell({ posTxnId: 'P2', method: 'code', code: '281234567890123456', amountFen: 500 })).toEqual({ status: 'unreachable', posTxnId: 'P2' });
    online = true;
    expect(await lost.client.resolveUnresolved()).toMatchObject([{ status: 'posted', channel: 'alipay', platformTxnId: 'A2' }]);
    expect(lost.sent.at(-1)).toMatchObject({ method: 'GET', url: 'http://pos.test/v1/pos/payment-codes/P2' });
  });

  it('onWaiting: told once, with the sale’s id, when the payment code first waits for the payer; never for a sale that does not wait', async () => {
    const sale = { posTxnId: 'P6', channel: 'wechat', amountFen: 500 };
    const paid = { ...sale, status: 'paid', receiptNo: 'R6', platformTxnId: 'W6', paidAt: NOW.toISOString(), replayed: false };
    const told: string[] = [];
    const { client } = await clientWith((_, index) => ({ status: 200, body: index < 3 ? { ...sale, status: 'waiting', retryAfterSeconds: 5 } : paid }), { paymentCodePollMs: 1 });
    const outcome = client.sell({ posTxnId: 'P6', method: 'code', code: '134567890123456789', amountFen: 500 }, { onWaiting: (id) => told.push(id) });
    expect(await outcome).toMatchObject({ status: 'posted', receiptNo: 'R6' });
    expect(told).toEqual(['P6']);

    const direct = await clientWith(() => ({ status: 200, body: { ...paid, posTxnId: 'P7' } }));
    expect(await direct.client.sell({ posTxnId: 'P7', method: 'code', code: '134567890123456789', amountFen: 500 }, { onWaiting: (id) => told.push(id) })).toMatchObject({ status: 'posted' });
    // The POST's answers lost, the status query finds it waiting: told as well (the payer is still typing).
    const lost = await clientWith((request) => (request.method === 'POST' ? 'drop' : { status: 200, body: request.url.endsWith('/P8') && told.length < 2 ? { ...sale, posTxnId: 'P8', status: 'waiting', retryAfterSeconds: 5 } : { ...paid, posTxnId: 'P8', replayed: true } }), { paymentCodePollMs: 1 });
    expect(await lost.client.sell({ posTxnId: 'P8', method: 'code', code: '134567890123456789', amountFen: 500 }, { onWaiting: (id) => told.push(id) })).toMatchObject({ status: 'posted', posTxnId: 'P8' });
    expect(told).toEqual(['P6', 'P8']);
  });

  it('a payment code whose POST answers are all lost: the status query’s not_found (the id closed) is “nothing taken” (POS_TXN_CLOSED), the sale no longer unresolved', async () => {
    const { client, sent, store } = await clientWith((request) => (request.method === 'GET' ? { status: 200, body: { posTxnId: 'P4', status: 'not_found' } } : 'drop'));
    const outcome = await client.sell({ posTxnId: 'P4', method: 'code', code: '134567890123456789', amountFen: 500 });
    expect(outcome).toMatchObject({ status: 'refused', posTxnId: 'P4', refusal: { code: 'POS_TXN_CLOSED', zh: expect.stringContaining('新的交易号') } });
    expect(sent.map((r) => `${r.method} ${r.url}`)).toEqual([...Array(3).fill('POST http://pos.test/v1/pos/payment-codes'), 'GET http://pos.test/v1/pos/payment-codes/P4']);
    expect(await store.list('sale/')).toEqual([]);
    // Settled later the same way: unreachable first, then the query closes the id.
    let online = false;
    const later = await clientWith((request) => (!online ? 'drop' : request.method === 'GET' ? { status: 200, body: { posTxnId: 'P5', status: 'not_found' } } : { status: 500 }));
    expect(await later.client.sell({ posTxnId: 'P5', method: 'code', code: '134567890123456789', amountFen: 500 })).toEqual({ status: 'unreachable', posTxnId: 'P5' });
    online = true;
    expect(await later.client.resolveUnresolved()).toMatchObject([{ status: 'refused', posTxnId: 'P5', refusal: { code: 'POS_TXN_CLOSED' } }]);
    expect(await later.client.unresolvedSales()).toEqual([]);
  });

  it('a payment code refused by the platform is a refusal with the platform’s code and message', async () => {
    const refused = { posTxnId: 'P3', channel: 'wechat', amountFen: 500, status: 'refused', refusal: { code: 'PAYMENT_CODE_INSUFFICIENT_FUNDS', message: { zh: '付款码余额不足', en: 'Insufficient funds' } }, replayed: false };
    const { client } = await clientWith(() => ({ status: 200, body: refused }));
    expect(await client.sell({ posTxnId: 'P3', method: 'code', code: '134567890123456789', amountFen: 500 })).toMatchObject({ status: 'refused', refusal: { code: 'PAYMENT_CODE_INSUFFICIENT_FUNDS', zh: '付款码余额不足' } });
  });

  it('a query that is itself refused (clock, signature) settles nothing: the sale stays unresolved', async () => {
    const { client, store } = await clientWith((request) => (request.url.includes('/transactions/') ? { status: 401, body: { code: 'TERMINAL_CLOCK_SKEW', message: { zh: '终端时钟偏差过大', en: 'skew' } } } : 'drop'));
    expect(await client.sell({ posTxnId: 'T5', method: 'code', code: code(), amountFen: 100 })).toEqual({ status: 'unreachable', posTxnId: 'T5' });
    expect(await store.list('sale/')).toHaveLength(1);
  });

  it('the identical resend is used exactly on the routes whose handlers spend the nonce with the payment (nonceSpentByRoute)', async () => {
    const handlers = path.resolve(import.meta.dirname, '../../functions/handlers');
    const spentByRoute = readdirSync(handlers)
      .map((file) => readFileSync(path.join(handlers, file), 'utf8'))
      .filter((text) => /nonceSpentByRoute:\s*true/.test(text))
      .map((text) => /route\((\w+),/.exec(text)![1]!);
    const contracts = new Map<string, { path: string }>();
    const api = path.resolve(import.meta.dirname, '../../shared/api');
    for (const file of readdirSync(api)) for (const [name, value] of Object.entries(await import(path.join(api, file)))) contracts.set(name, value as { path: string });
    expect(new Set(spentByRoute.map((name) => contracts.get(name)!.path))).toEqual(REPLAYABLE_PATHS);
  });

  it('other routes are resent signed again (their nonce is spent before they run), with the same body', async () => {
    const { client, sent } = await clientWith((_, index) => (index < 2 ? 'drop' : { status: 200, body: { posTxnId: 'P1', channel: 'wechat', amountFen: 500, status: 'paid', receiptNo: 'R1', platformTxnId: 'W1', paidAt: NOW.toISOString(), replayed: true } }));
    expect(await client.sell({ posTxnId: 'P1', method: 'code', code: '134567890123456789', amountFen: 500 })).toMatchObject({ status: 'posted', channel: 'wechat', platformTxnId: 'W1' });
    expect(new Set(sent.map((r) => r.body)).size).toBe(1);
    expect(new Set(sent.map((r) => r.headers['x-nonce'])).size).toBe(3);
  });
});

/** A bundle of `keys` phones as the server would give it (GET /v1/pos/offline-bundle). */
function makeBundle(overrides: Partial<OfflineBundle> = {}, caps: number[] = [1000, 1000, 1000]) {
  const phones = caps.map((cap, index) => ({ ...generateDeviceKeyPair(), keyId: 100 + index, accountNo: `2026000${index + 1}`, cap }));
  const bundle: OfflineBundle = {
    terminalId: IDENTITY.terminalId,
    issuedAt: NOW.toISOString(),
    expiresAt: new Date(NOW.getTime() + 24 * 3600_000).toISOString(),
    stepSeconds: 30,
    windowSteps: 1,
    keys: phones.map((p) => ({ keyId: p.keyId, publicKey: b64url(p.publicKey), accountNo: p.accountNo, offlineCapFen: p.cap })),
    blacklist: { accountNos: [], chipUids: ['DEADBEEF01'] },
    ...overrides,
  };
  const code = (phone: number, options: { purpose?: QrPurpose; at?: Date; counter?: number; signer?: Uint8Array } = {}) =>
    signQrToken({ version: 1, purpose: options.purpose ?? 'pay', keyId: phones[phone]!.keyId, timeStep: timeStepAt((options.at ?? NOW).getTime()), counter: options.counter ?? 0 }, options.signer ?? phones[phone]!.privateKey);
  return { bundle, phones, code };
}

/** The same token with one bit of its signature flipped (still well-formed). */
function tampered(token: string): string {
  const { payloadBytes, signature } = parseQrToken(token);
  const bytes = new Uint8Array([...payloadBytes, ...signature]);
  bytes[bytes.length - 1]! ^= 0x01;
  return QR_TOKEN_PREFIX + encodeBase45(bytes);
}

/** A client that has downloaded `bundle` (through refreshBundle, so the checks on download run). */
async function offlineClient(bundle: unknown, options: Partial<TerminalClientOptions> = {}) {
  const setup = await clientWith((request) => (request.url.includes('/v1/pos/offline-bundle') ? { status: 200, body: bundle } : 'drop'), options);
  return setup;
}

describe('bundle checks', () => {
  it('a good bundle is saved and described', async () => {
    const { bundle } = makeBundle();
    const { client } = await offlineClient(bundle);
    expect(await client.bundleInfo()).toBeUndefined();
    expect(await client.refreshBundle()).toEqual({ issuedAt: bundle.issuedAt, expiresAt: bundle.expiresAt, expired: false, keys: 3, blockedKeys: 0, blacklisted: 0, blacklistedCards: 1 });
    expect(await client.bundleInfo()).toMatchObject({ keys: 3, expired: false });
  });

  it.each([
    ['another terminal’s bundle', { terminalId: 'POS-OTHER' }, 'OFFLINE_BUNDLE_INVALID'],
    ['an expired bundle', { expiresAt: new Date(NOW.getTime() - 1000).toISOString() }, 'OFFLINE_BUNDLE_EXPIRED'],
    ['a malformed bundle (no blacklist)', { blacklist: undefined }, 'OFFLINE_BUNDLE_INVALID'],
    ['a key that is not 32 bytes', { keys: [{ keyId: 1, publicKey: 'AAAA', accountNo: '20260001', offlineCapFen: 100 }] }, 'OFFLINE_BUNDLE_INVALID'],
    ['another step length', { stepSeconds: 60 }, 'OFFLINE_BUNDLE_INVALID'],
  ])('%s is refused and the kept bundle stays', async (_, change, code) => {
    const good = makeBundle().bundle;
    let answer: unknown = good;
    const { client } = await clientWith(() => ({ status: 200, body: answer }));
    await client.refreshBundle();
    answer = { ...good, issuedAt: new Date(NOW.getTime() + 1).toISOString(), ...change };
    await expect(client.refreshBundle()).rejects.toMatchObject({ code });
    expect(await client.bundleInfo()).toMatchObject({ issuedAt: good.issuedAt });
  });
});

/** The bundle as the server gives it for phone 0's account blocked: its key kept with the reason and no cap, the account blacklisted. */
function blocked(b: ReturnType<typeof makeBundle>, reason: NonNullable<OfflineBundle['keys'][number]['blocked']>): Partial<OfflineBundle> {
  return {
    keys: b.bundle.keys.map((k, i) => (i === 0 ? { ...k, offlineCapFen: 0, blocked: reason } : k)),
    blacklist: { accountNos: [b.phones[0]!.accountNo], chipUids: [] },
  };
}

describe('the offline QR check: the server’s verdicts from the bundle', () => {
  const cases: [string, string, (b: ReturnType<typeof makeBundle>) => { token: string; at?: Date; change?: Partial<OfflineBundle> }][] = [
    ['a good code', 'queued', (b) => ({ token: b.code(0) })],
    ['a tampered signature', 'TOKEN_INVALID', (b) => ({ token: tampered(b.code(0)) })],
    ['signed by another key under this key id', 'TOKEN_INVALID', (b) => ({ token: b.code(0, { signer: b.phones[1]!.privateKey }) })],
    ['a key the bundle lacks (revoked or unknown)', 'TOKEN_INVALID', (b) => ({ token: b.code(0), change: { keys: b.bundle.keys.slice(1) } })],
    ['garbage', 'TOKEN_INVALID', () => ({ token: 'EC1 not a code' })],
    ['expired (two steps old)', 'TOKEN_EXPIRED', (b) => ({ token: b.code(0, { at: new Date(NOW.getTime() - 61_000) }) })],
    ['from the future (two steps ahead)', 'TOKEN_NOT_YET_VALID', (b) => ({ token: b.code(0, { at: new Date(NOW.getTime() + 61_000) }) })],
    ['an identity code at a sale', 'TOKEN_WRONG_PURPOSE', (b) => ({ token: b.code(0, { purpose: 'identity' }) })],
    ['a blacklisted account', 'OFFLINE_BLACKLISTED', (b) => ({ token: b.code(0), change: { blacklist: { accountNos: [b.phones[0]!.accountNo], chipUids: [] } } })],
    ...(['CARD_LOST', 'CARD_FROZEN', 'CARD_CANCELLED', 'CARD_EXPIRED'] as const).map(
      (reason): (typeof cases)[number] => [`a key kept marked blocked ${reason} (its account blacklisted too)`, reason, (b) => ({ token: b.code(0), change: blocked(b, reason) })],
    ),
    ['a blocked key marked but its account not blacklisted (the mark alone refuses)', 'CARD_LOST', (b) => ({ token: b.code(0), change: { keys: b.bundle.keys.map((k, i) => (i === 0 ? { ...k, blocked: 'CARD_LOST' as const } : k)) } })],
    ['a forged code under a blocked key says nothing of the account', 'TOKEN_INVALID', (b) => ({ token: tampered(b.code(0)), change: blocked(b, 'CARD_LOST') })],
    ['the bundle expired meanwhile', 'OFFLINE_BUNDLE_EXPIRED', (b) => ({ token: b.code(0, { at: new Date(NOW.getTime() + 24 * 3600_000) }), at: new Date(NOW.getTime() + 24 * 3600_000) })],
  ];

  it.each(cases)('%s → %s', async (_, verdict, make) => {
    const made = makeBundle();
    const { token, at, change } = make(made);
    let now = NOW;
    const { client, store } = await offlineClient({ ...made.bundle, ...change }, { now: () => now });
    await client.refreshBundle();
    now = at ?? NOW;
    const taken = await client.takeOffline({ method: 'qr', token, amountFen: 300 });
    if (verdict === 'queued') {
      expect(taken).toMatchObject({ status: 'queued', accountNo: made.phones[0]!.accountNo, remainingCapFen: 700 });
      expect(await client.queuedCount()).toBe(1);
    } else {
      expect(taken).toMatchObject({ status: 'refused', refusal: { code: verdict } });
      expect(taken.status === 'refused' && taken.refusal.zh).toMatch(/\p{Script=Han}/u);
      // A blocked account's code is refused with the online answer's own message.
      if (verdict.startsWith('CARD_')) expect(taken.status === 'refused' && taken.refusal.zh).toBe(ERRORS[verdict as ErrorCode].zh);
      expect(await store.list('offline/')).toEqual([]);
    }
  });

  it('reused offline: the second use of the same code is TOKEN_REUSED; a fresh code (counter + 1) pays', async () => {
    const made = makeBundle();
    const { client } = await offlineClient(made.bundle);
    await client.refreshBundle();
    const token = made.code(0);
    expect(await client.takeOffline({ method: 'qr', token, amountFen: 100 })).toMatchObject({ status: 'queued' });
    expect(await client.takeOffline({ method: 'qr', token, amountFen: 100 })).toMatchObject({ status: 'refused', refusal: { code: 'TOKEN_REUSED' } });
    expect(await client.takeOffline({ method: 'qr', token: made.code(0, { counter: 1 }), amountFen: 100 })).toMatchObject({ status: 'queued' });
  });

  it('the cap across two sales on the campus day: 600 then 500 of a 1000 cap is refused with what is left; another account is not affected', async () => {
    const made = makeBundle();
    const { client } = await offlineClient(made.bundle);
    await client.refreshBundle();
    expect(await client.takeOffline({ method: 'qr', token: made.code(0), amountFen: 600 })).toMatchObject({ status: 'queued', remainingCapFen: 400 });
    const refused = await client.takeOffline({ method: 'qr', token: made.code(0, { counter: 1 }), amountFen: 500 });
    expect(refused).toMatchObject({ status: 'refused', refusal: { code: 'OFFLINE_CAP_EXCEEDED', params: { remaining: '4' }, zh: '超出今日脱机消费限额（还可脱机消费 4 元），请联网后消费' } });
    expect(await client.takeOffline({ method: 'qr', token: made.code(0, { counter: 2 }), amountFen: 400 })).toMatchObject({ status: 'queued', remainingCapFen: 0 });
    expect(await client.takeOffline({ method: 'qr', token: made.code(1), amountFen: 1000 })).toMatchObject({ status: 'queued', remainingCapFen: 0 });
  });

  it('two sales at once for one account never both pass the cap (one take at a time)', async () => {
    const made = makeBundle();
    const { client } = await offlineClient(made.bundle);
    await client.refreshBundle();
    const results = await Promise.all([client.takeOffline({ method: 'qr', token: made.code(0), amountFen: 700 }), client.takeOffline({ method: 'qr', token: made.code(0, { counter: 1 }), amountFen: 700 })]);
    expect(results.map((r) => r.status).sort()).toEqual(['queued', 'refused']);
  });

  it('without a bundle nothing is taken offline (OFFLINE_BUNDLE_MISSING)', async () => {
    const made = makeBundle();
    const { client } = await clientWith(() => 'drop');
    expect(await client.takeOffline({ method: 'qr', token: made.code(0), amountFen: 100 })).toMatchObject({ status: 'refused', refusal: { code: 'OFFLINE_BUNDLE_MISSING' } });
  });

  it('cards: a blacklisted chip is refused; a good one is queued with what the chip holds after', async () => {
    const made = makeBundle();
    const { client } = await offlineClient(made.bundle);
    await client.refreshBundle();
    expect(await client.takeOffline({ method: 'card', chipUid: 'DEADBEEF01', chipBalanceAfterFen: 100, amountFen: 100 })).toMatchObject({ status: 'refused', refusal: { code: 'OFFLINE_BLACKLISTED' } });
    expect(await client.takeOffline({ method: 'card', chipUid: '04A224B2C15E80', chipBalanceAfterFen: -1, amountFen: 100 })).toMatchObject({ status: 'refused', refusal: { code: 'OFFLINE_CARD_BALANCE_INVALID' } });
    expect(await client.takeOffline({ method: 'card', chipUid: 'not hex', chipBalanceAfterFen: 1, amountFen: 100 })).toMatchObject({ status: 'refused', refusal: { code: 'VALIDATION_FAILED' } });
    expect(await client.takeOffline({ method: 'card', chipUid: '04A224B2C15E80', chipBalanceAfterFen: 700, amountFen: 100 })).toMatchObject({ status: 'queued' });
    expect(await client.offlineRecords()).toMatchObject([{ method: 'card', amountFen: 100, state: 'queued' }]);
  });

  it('cards: a blacklisted chip with its reason in the bundle is refused with that code and the online message (CARD_LOST, CARD_VOID), never queued', async () => {
    const made = makeBundle({ blacklist: { accountNos: [], chipUids: ['DEADBEEF01', 'DEADBEEF02', 'DEADBEEF03'], chipReasons: { DEADBEEF01: 'CARD_LOST', DEADBEEF02: 'CARD_VOID' } } });
    const { client, store } = await offlineClient(made.bundle);
    await client.refreshBundle();
    for (const [chipUid, code] of [['DEADBEEF01', 'CARD_LOST'], ['DEADBEEF02', 'CARD_VOID'], ['DEADBEEF03', 'OFFLINE_BLACKLISTED']] as const) {
      const taken = await client.takeOffline({ method: 'card', chipUid, chipBalanceAfterFen: 100, amountFen: 100 });
      expect(taken).toMatchObject({ status: 'refused', refusal: { code, zh: ERRORS[code].zh } });
    }
    expect(await store.list('offline/')).toEqual([]);
  });

  it('cards before the chip is written: checkCardOffline says what takeOffline would (reason, bundle, chip balance) and keeps nothing', async () => {
    const made = makeBundle({ blacklist: { accountNos: [], chipUids: ['DEADBEEF01', 'DEADBEEF03'], chipReasons: { DEADBEEF01: 'CARD_LOST' } } });
    const none = await clientWith(() => 'drop');
    expect(await none.client.checkCardOffline({ chipUid: '04A224B2C15E80', amountFen: 100, chipBalanceFen: 500 })).toMatchObject({ ok: false, refusal: { code: 'OFFLINE_BUNDLE_MISSING' } });
    const { client, store } = await offlineClient(made.bundle);
    await client.refreshBundle();
    const before = await store.list('');
    const cases: [string, number, number, ErrorCode | 'ok'][] = [
      ['DEADBEEF01', 100, 500, 'CARD_LOST'],
      ['DEADBEEF03', 100, 500, 'OFFLINE_BLACKLISTED'],
      ['04A224B2C15E80', 501, 500, 'OFFLINE_CHIP_BALANCE_INSUFFICIENT'],
      ['04A224B2C15E80', 100, -1, 'OFFLINE_CARD_BALANCE_INVALID'],
      ['04A224B2C15E80', 0, 500, 'VALIDATION_FAILED'],
      ['04A224B2C15E80', 500, 500, 'ok'],
    ];
    for (const [chipUid, amountFen, chipBalanceFen, expected] of cases) {
      const checked = await client.checkCardOffline({ chipUid, amountFen, chipBalanceFen });
      expect(checked.ok ? 'ok' : checked.refusal.code, `${chipUid} ${amountFen} of ${chipBalanceFen}`).toBe(expected);
    }
    expect(await client.checkCardOffline({ chipUid: 'DEADBEEF01', amountFen: 100, chipBalanceFen: 500 })).toMatchObject({ refusal: { zh: ERRORS.CARD_LOST.zh } });
    expect(await client.checkCardOffline({ chipUid: '04A224B2C15E80', amountFen: 501, chipBalanceFen: 500 })).toMatchObject({ refusal: { zh: '卡内余额不足（5 元）' } });
    expect(await store.list('')).toEqual(before);
    // The pure check on an expired bundle, as takeOffline refuses it.
    expect(checkCardOffline(made.bundle, { chipUid: '04A224B2C15E80', amountFen: 100, chipBalanceFen: 500 }, new Date(made.bundle.expiresAt))).toMatchObject({ ok: false, refusal: { code: 'OFFLINE_BUNDLE_EXPIRED' } });
  });

  it('identity offline at a gate: allowed once, a pay code or a blacklisted account refused with the reason', async () => {
    const made = makeBundle();
    const { client } = await offlineClient({ ...made.bundle, blacklist: { accountNos: [made.phones[2]!.accountNo], chipUids: [] } });
    await client.refreshBundle();
    const token = made.code(0, { purpose: 'identity' });
    expect(await client.checkIdentityOffline(token)).toEqual({ allowed: true, accountNo: made.phones[0]!.accountNo });
    expect(await client.checkIdentityOffline(token)).toMatchObject({ allowed: false, reason: 'TOKEN_REUSED' });
    expect(await client.checkIdentityOffline(made.code(1))).toEqual({ allowed: false, reason: 'TOKEN_WRONG_PURPOSE' });
    expect(await client.checkIdentityOffline(made.code(2, { purpose: 'identity' }))).toEqual({ allowed: false, accountNo: made.phones[2]!.accountNo, reason: 'OFFLINE_BLACKLISTED' });
  });

  it('identity offline of a blocked account (its key kept marked CARD_FROZEN): refused with that reason, and the code is not spent', async () => {
    const made = makeBundle();
    const { client, store } = await offlineClient({ ...made.bundle, ...blocked(made, 'CARD_FROZEN') });
    expect(await client.refreshBundle()).toMatchObject({ keys: 2, blockedKeys: 1 });
    const token = made.code(0, { purpose: 'identity' });
    expect(await client.checkIdentityOffline(token)).toEqual({ allowed: false, accountNo: made.phones[0]!.accountNo, reason: 'CARD_FROZEN' });
    expect(await store.list('offline/used/')).toEqual([]);
  });

  it('one campus-code check: every code the server’s checks accept passes the client’s, and a tampered one fails both', () => {
    for (let round = 0; round < 40; round++) {
      const made = makeBundle({}, [500]);
      const at = new Date(NOW.getTime() + (round - 20) * 7_000);
      const token = made.code(0, { at, counter: round });
      for (const [text, accepted] of [
        [token, true],
        [tampered(token), false],
      ] as const) {
        const parsed = parseQrToken(text);
        const server = verifyQrSignature(made.phones[0]!.publicKey, parsed.payloadBytes, parsed.signature) && checkQrWindow(parsed.payload.timeStep, NOW) === 'ok';
        const client = checkCodeOffline(made.bundle, text, 'pay', NOW);
        expect(client.ok).toBe(server);
        // Within ±1 step a good code is accepted by both; beyond it both refuse it.
        if (accepted && Math.abs(parsed.payload.timeStep - timeStepAt(NOW.getTime())) <= 1) expect(server).toBe(true);
        if (!accepted) expect(server).toBe(false);
      }
    }
  });
});

describe('the queue', () => {
  it('a record is written with its cap and used-code bookkeeping in one putAll: a failing write keeps none of it', async () => {
    const made = makeBundle();
    const inner = memoryStore();
    let fail = false;
    const calls: string[][] = [];
    const store: TerminalStore = {
      get: (key) => inner.get(key),
      list: (prefix) => inner.list(prefix),
      putAll: async (entries, deletes) => {
        calls.push(entries.map((e) => e.key.split('/').slice(0, 2).join('/')));
        if (fail) throw new Error('disk full');
        return inner.putAll(entries, deletes);
      },
    };
    const { client } = await offlineClient(made.bundle, { store });
    await client.refreshBundle();
    calls.length = 0;
    await client.takeOffline({ method: 'qr', token: made.code(0), amountFen: 100 });
    expect(calls).toEqual([['offline/record', 'offline/used', 'offline/spent']]);
    fail = true;
    await expect(client.takeOffline({ method: 'qr', token: made.code(0, { counter: 1 }), amountFen: 100 })).rejects.toThrow('disk full');
    fail = false;
    expect(await client.queuedCount()).toBe(1);
    // The code was not remembered as used, nor its amount counted: it can still be taken.
    expect(await client.takeOffline({ method: 'qr', token: made.code(0, { counter: 1 }), amountFen: 900 })).toMatchObject({ status: 'queued', remainingCapFen: 0 });
  });

  it(`settled records are pruned ${STORE_RETENTION_DAYS} days after their outcome came back (with past days’ spending); queued records and unresolved sales never are`, async () => {
    const made = makeBundle();
    let now = NOW;
    let online = true;
    const { client, store } = await clientWith(
      (request) => {
        if (!online) return 'drop';
        if (request.url.includes('/offline-bundle')) return { status: 200, body: { ...made.bundle, issuedAt: now.toISOString(), expiresAt: new Date(now.getTime() + 24 * 3600_000).toISOString() } };
        const records = (JSON.parse(request.body!) as { records: { recordId: string }[] }).records;
        return { status: 200, body: { results: records.map((r) => ({ recordId: r.recordId, outcome: 'applied', receiptNo: `R-${r.recordId}`, replayed: false })) } };
      },
      { now: () => now },
    );
    await client.refreshBundle();
    const day = 86_400_000;
    // Day 0: two sales offline, uploaded the same day.
    for (const counter of [0, 1]) expect(await client.takeOffline({ method: 'qr', token: made.code(0, { counter }), amountFen: 100 })).toMatchObject({ status: 'queued' });
    expect(await client.uploadQueued()).toHaveLength(2);
    // Day 1: one taken offline that stays queued (the network never comes back for it here), and a sale left unresolved.
    now = new Date(NOW.getTime() + day);
    await client.refreshBundle();
    expect(await client.takeOffline({ method: 'qr', token: made.code(1, { at: now }), amountFen: 100 })).toMatchObject({ status: 'queued' });
    online = false;
    expect(await client.sell({ posTxnId: 'U1', method: 'card', chipUid: '04A224B2C15E80', amountFen: 100 })).toEqual({ status: 'unreachable', posTxnId: 'U1' });

    // Day 0 + 7 minus a minute: still kept.
    now = new Date(NOW.getTime() + STORE_RETENTION_DAYS * day - 60_000);
    expect(await client.prune()).toMatchObject({ records: 0 });
    expect(await client.offlineRecords()).toHaveLength(3);
    // The one still queued (uploaded days late below: kept a week from its outcome, not dropped at once).
    const lateRecord = (await client.offlineRecords()).find((r) => r.state === 'queued')!;
    // Past the retention of the day-0 outcomes: they go; the queued one and the unresolved sale stay.
    now = new Date(NOW.getTime() + STORE_RETENTION_DAYS * day + 60_000);
    expect(await client.prune()).toEqual({ records: 2, spentDays: 0, usedCodes: 0 });
    expect(await client.offlineRecords()).toEqual([expect.objectContaining({ recordId: lateRecord.recordId, state: 'queued' })]);
    expect(await client.queuedCount()).toBe(1);
    expect(await client.unresolvedSales()).toMatchObject([{ posTxnId: 'U1' }]);
    // A day's spending is kept until the day itself is that long past.
    expect((await store.list('offline/spent/')).map(({ key }) => key.split('/')[2])).toEqual([campusDay(NOW), campusDay(new Date(NOW.getTime() + day))]);
    // Much later still, as long as it is queued it is kept; once uploaded, kept for the retention from then, and the upload itself prunes.
    now = new Date(NOW.getTime() + 30 * day);
    expect(await client.prune()).toEqual({ records: 0, spentDays: 2, usedCodes: 0 });
    expect(await store.list('offline/spent/')).toEqual([]);
    expect(await client.queuedCount()).toBe(1);
    online = true;
    expect(await client.uploadQueued()).toMatchObject([{ recordId: lateRecord.recordId, state: 'applied' }]);
    expect(await client.offlineRecords()).toHaveLength(1);
    now = new Date(NOW.getTime() + (30 + STORE_RETENTION_DAYS) * day + 60_000);
    await client.refreshBundle(); // a refresh prunes too
    expect(await client.offlineRecords()).toEqual([]);
    expect(await client.unresolvedSales()).toMatchObject([{ posTxnId: 'U1' }]);
  });

  it('uploads oldest first in batches of at most 200, keeps each outcome, and never sends a record with a known outcome again', async () => {
    const made = makeBundle();
    const uploads: string[][] = [];
    let dropNext = false;
    const { client } = await clientWith((request) => {
      if (request.url.includes('/offline-bundle')) return { status: 200, body: made.bundle };
      const records = (JSON.parse(request.body!) as { records: { recordId: string }[] }).records;
      uploads.push(records.map((r) => r.recordId));
      if (dropNext) {
        dropNext = false;
        return 'drop';
      }
      return { status: 200, body: { results: records.map((r, i) => ({ recordId: r.recordId, outcome: i === 0 ? 'held' : 'applied', receiptNo: `R${i}`, replayed: false, ...(i === 0 ? { reason: 'card_lost' } : {}) })) } };
    });
    await client.refreshBundle();
    const ids: string[] = [];
    for (let i = 0; i < 450; i++) {
      const taken = await client.takeOffline({ method: 'card', chipUid: '04A224B2C15E80', chipBalanceAfterFen: 10_000 - i, amountFen: 1 });
      if (taken.status === 'queued') ids.push(taken.recordId);
    }
    expect([...ids].sort()).toEqual(ids);
    dropNext = true; // the first batch's answer is lost once: it goes again, then the rest
    const sent = await client.uploadQueued();
    expect(uploads.map((batch) => batch.length)).toEqual([200, 200, 200, 50]);
    expect(uploads[0]).toEqual(uploads[1]);
    expect(uploads.slice(1).flat()).toEqual(ids);
    expect(sent).toHaveLength(450);
    expect(await client.queuedCount()).toBe(0);
    expect((await client.offlineRecords()).filter((r) => r.state === 'held')).toHaveLength(3);
    expect((await client.offlineRecords())[0]).toMatchObject({ recordId: ids[0], state: 'held', reason: 'card_lost', receiptNo: 'R0' });
    expect(await client.uploadQueued()).toEqual([]);
    expect(uploads).toHaveLength(4);
  });
});

describe('the IndexedDB store (fake-indexeddb)', () => {
  it('putAll is all or nothing: a value IndexedDB cannot store aborts the whole batch, deletes included', async () => {
    const store = await openIndexedDbStore(`atomic-${Date.now()}`);
    await store.putAll([{ key: 'a/1', value: { n: 1 } }]);
    await expect(store.putAll([{ key: 'a/2', value: { n: 2 } }, { key: 'a/3', value: { f: () => 1 } }], ['a/1'])).rejects.toThrow();
    expect(await store.list('a/')).toEqual([{ key: 'a/1', value: { n: 1 } }]);
    await store.putAll([{ key: 'a/3', value: 3 }, { key: 'a/2', value: 2 }, { key: 'b/1', value: 'other prefix' }], ['a/1']);
    expect(await store.list('a/')).toEqual([
      { key: 'a/2', value: 2 },
      { key: 'a/3', value: 3 },
    ]);
    expect(await store.get('b/1')).toBe('other prefix');
    expect(await store.get('missing')).toBeUndefined();
    store.close();
  });

  it('the queue survives a reload: queued offline, client and connection dropped, a new one on the same database uploads each record once', async () => {
    const name = `reload-${Date.now()}`;
    const made = makeBundle();
    const uploaded: string[] = [];
    const answer = (request: Sent): Reply => {
      if (request.url.includes('/offline-bundle')) return { status: 200, body: made.bundle };
      const records = (JSON.parse(request.body!) as { records: { recordId: string }[] }).records;
      uploaded.push(...records.map((r) => r.recordId));
      return { status: 200, body: { results: records.map((r) => ({ recordId: r.recordId, outcome: 'applied', receiptNo: 'R', replayed: false })) } };
    };
    const first = await openIndexedDbStore(name);
    const { client } = await clientWith(answer, { store: first });
    await client.refreshBundle();
    const taken = [];
    for (let phone = 0; phone < 3; phone++) taken.push(await client.takeOffline({ method: 'qr', token: made.code(phone), amountFen: 200 + phone }));
    expect(taken.map((t) => t.status)).toEqual(['queued', 'queued', 'queued']);
    first.close();

    // The reload: nothing in memory survives, only the database.
    const second = await openIndexedDbStore(name);
    const { sent, fetcher } = scriptedFetch(answer);
    const reloaded = await loadTerminal({ baseUrl: 'http://pos.test', store: second, fetch: fetcher, now: () => NOW });
    expect(reloaded?.identity.terminalId).toBe(IDENTITY.terminalId);
    expect(await reloaded!.queuedCount()).toBe(3);
    expect(await reloaded!.bundleInfo()).toMatchObject({ keys: 3 });
    // The codes taken before the reload are still known as used.
    expect(await reloaded!.takeOffline({ method: 'qr', token: made.code(0), amountFen: 1 })).toMatchObject({ status: 'refused', refusal: { code: 'TOKEN_REUSED' } });
    expect((await reloaded!.uploadQueued()).map((r) => r.state)).toEqual(['applied', 'applied', 'applied']);
    expect(await reloaded!.uploadQueued()).toEqual([]);
    expect(uploaded).toEqual(taken.map((t) => (t.status === 'queued' ? t.recordId : '')));
    expect(sent).toHaveLength(1);
    second.close();
  });
});

describe('the core runs in a browser as it is', () => {
  const dir = path.resolve(import.meta.dirname, '../../shared/terminal-client');

  it('imports nothing from Node and names no Node or DOM global (only indexeddb-store.ts touches indexedDB)', () => {
    const seen = new Set<string>();
    const visit = (file: string) => {
      if (seen.has(file)) return;
      seen.add(file);
      const text = readFileSync(file, 'utf8');
      for (const [, spec] of text.matchAll(/from '([^']+)'/g)) {
        expect(spec, `${file} imports ${spec}`).not.toMatch(/^node:|^(fs|path|crypto|buffer|os|util)$/);
        if (spec!.startsWith('.')) visit(path.resolve(path.dirname(file), spec!) + '.ts');
      }
      if (!file.startsWith(dir)) return;
      const code = text.replace(/\/\*[\s\S]*?\*\/|\/\/.*$/gm, '');
      expect(code, `${file} uses a Node or DOM global`).not.toMatch(/\b(Buffer|process|window|document|localStorage)\s*[.[(]|\brequire\s*\(/);
      if (!file.endsWith('indexeddb-store.ts')) expect(code, file).not.toMatch(/\bindexedDB\b/);
    };
    for (const file of readdirSync(dir)) visit(path.join(dir, file));
    expect(seen.size).toBeGreaterThan(10);
  });

  it('ulid’s browser build (what Vite bundles) makes ids with crypto.getRandomValues, no Node crypto', async () => {
    const browser = (await import(path.resolve(import.meta.dirname, '../../node_modules/ulid/dist/browser/index.js'))) as typeof import('ulid');
    const text = readFileSync(path.resolve(import.meta.dirname, '../../node_modules/ulid/dist/browser/index.js'), 'utf8');
    expect(text).not.toMatch(/from ['"](node:)?crypto['"]|require\(['"](node:)?crypto['"]\)/);
    const next = browser.monotonicFactory();
    const ids = [next(), next(), next()];
    expect(ids.every((id) => /^[0-9A-HJKMNP-TV-Z]{26}$/.test(id))).toBe(true);
    expect([...ids].sort()).toEqual(ids);
  });

  it('newRequestId: the prefix then a ULID, in the order made (same millisecond too), taken by the contracts’ ids; a bad prefix throws', async () => {
    const { externalId } = await import('../../shared/api/common');
    const ids = Array.from({ length: 50 }, () => newRequestId('KT'));
    expect(ids.every((id) => /^KT[0-9A-HJKMNP-TV-Z]{26}$/.test(id) && externalId.safeParse(id).success)).toBe(true);
    expect([...ids].sort()).toEqual(ids);
    expect(new Set(ids).size).toBe(50);
    expect(newRequestId()).toMatch(/^[0-9A-HJKMNP-TV-Z]{26}$/);
    expect(externalId.safeParse(newRequestId('A'.repeat(16))).success).toBe(true);
    expect(() => newRequestId('K/T')).toThrow(/prefix/);
    expect(() => newRequestId('A'.repeat(17))).toThrow(/prefix/);
  });
});
