/**
 * The reference terminal client (shared/terminal-client) against the real local platform over HTTP:
 * activation, sales with answers lost on purpose (the retry rule), P---- and the password, the
 * offline bundle, codes taken offline and uploaded once from a reloaded client, and a WeChat Pay
 * payment code through the fake platform.
 */
import 'fake-indexeddb/auto';
import { describe, expect, it } from 'vitest';
import type { Deps } from '../../functions/deps';
import type { Terminal } from '../../functions/domain/merchant';
import { hashPassword } from '../../functions/domain/passwords';
import { startFakeWechatPay, type FakeWechatPay } from '../../functions/local/fake-wechat-pay';
import { registerTerminal } from '../../functions/services/admin/merchants';
import { getAccount, setDailyLimit } from '../../functions/store/accounts';
import { savePasswordRecord } from '../../functions/store/passwords';
import { posPaymentCode } from '../../shared/api/payment-codes';
import { ERRORS } from '../../shared/errors';
import { activateTerminal, connectTerminal, loadTerminal, memoryStore, openIndexedDbStore, type TerminalClientOptions, type TerminalStore } from '../../shared/terminal-client';
import { createTestAccount, createTestTerminal, ledgerOf, setAccountStatus, testChipUid } from '../helpers/fixtures';
import { useFake } from '../helpers/fakes';
import { bindPhone } from '../helpers/phone';
import { useTestPlatform } from '../helpers/platform';

let wechat: FakeWechatPay;
useFake('WECHAT_PAY_CONFIG', startFakeWechatPay, (started) => (wechat = started));
const platform = useTestPlatform({ http: true });

/**
 * The network between the terminal and the API, broken on purpose: `lose` answers are lost after the
 * server processed the request (the worst case: the money moved, the terminal does not know), and
 * `down` fails every request before it leaves.
 */
function network() {
  const state = { down: false, lose: (_path: string, _method: string) => false, block: (_path: string, _method: string) => false, sent: [] as string[] };
  const fetcher: typeof fetch = async (input, init) => {
    const url = new URL(String(input));
    const method = init?.method ?? 'GET';
    state.sent.push(`${method} ${url.pathname}`);
    if (state.down || state.block(url.pathname, method)) throw new TypeError('fetch failed: network down');
    const response = await fetch(input, init);
    if (state.lose(url.pathname, method)) {
      await response.arrayBuffer();
      throw new TypeError('fetch failed: connection reset before the answer');
    }
    return response;
  };
  return { state, fetcher };
}

async function clientFor(terminal: Terminal, options: Partial<TerminalClientOptions> = {}) {
  const net = network();
  const store = options.store ?? memoryStore();
  const client = await connectTerminal(
    { baseUrl: platform.url, store, fetch: net.fetcher, backoffMs: 20, timeoutMs: 4000, ...options },
    { terminalId: terminal.terminalId, merchantId: terminal.merchantId, place: terminal.place, kind: 'pos', secret: terminal.secret!, activatedAt: terminal.createdAt },
  );
  return { client, net, store };
}

async function holder(balanceFen = 10_000, options: Parameters<typeof createTestAccount>[1] = {}) {
  const account = await createTestAccount(platform.deps, { balanceFen, holderName: '王小明', ...options });
  const phone = await bindPhone(platform.url, account.accountNo);
  return { account, phone };
}

const balanceOf = async (accountNo: string) => (await getAccount(platform.deps.db, accountNo))!.balanceFen;
const purchasesOf = async (accountNo: string) => (await ledgerOf(platform.deps, accountNo)).filter((e) => e.type === 'purchase');
const deps = (): Deps => platform.deps;

describe('online sales through the client', () => {
  it('activated with the one-time code, the terminal takes a QR sale: balance and masked name on the screen, charged once', async () => {
    const seedTerminal = await createTestTerminal(deps()); // the test merchant
    const terminalId = `POS-CLIENT-${process.pid}`;
    const { activationCode } = await registerTerminal(deps(), { username: 'test', role: 'administrator' }, { terminalId, merchantId: seedTerminal.merchantId, place: '测试窗口 2', kind: 'pos', reason: 'client test' });
    const store = memoryStore();
    const identity = await activateTerminal({ baseUrl: platform.url, store }, terminalId, activationCode.toLowerCase());
    expect(identity).toMatchObject({ terminalId, merchantId: seedTerminal.merchantId, kind: 'pos', secret: expect.any(String) });
    const client = (await loadTerminal({ baseUrl: platform.url, store }))!;
    expect(client.identity).not.toHaveProperty('secret');
    expect(await client.ping()).toBe(true);

    const { account, phone } = await holder(10_000);
    const outcome = await client.sell({ method: 'code', code: phone.code(), amountFen: 1_250 });
    expect(outcome).toMatchObject({ status: 'posted', channel: 'campus', amountFen: 1_250, balanceFen: 8_750, holderDisplayName: '王*明', replayed: false });
    expect(await balanceOf(account.accountNo)).toBe(8_750);
    expect(await purchasesOf(account.accountNo)).toHaveLength(1);
    expect(await client.unresolvedSales()).toEqual([]);
  });

  it('the first answer lost after the server charged: the identical request again answers the receipt (replayed), one charge', async () => {
    const { account, phone } = await holder(5_000);
    const { client, net } = await clientFor(await createTestTerminal(deps()));
    let lost = 0;
    net.state.lose = (path) => path === '/v1/pos/qr-payments' && lost++ === 0;
    const outcome = await client.sell({ method: 'code', code: phone.code(), amountFen: 700 });
    expect(outcome).toMatchObject({ status: 'posted', replayed: true, balanceFen: 4_300 });
    expect(net.state.sent).toEqual(['POST /v1/pos/qr-payments', 'POST /v1/pos/qr-payments']);
    expect(await purchasesOf(account.accountNo)).toHaveLength(1);
    expect(await balanceOf(account.accountNo)).toBe(4_300);
  });

  it('every answer of the payment lost, the query answers: posted, charged once', async () => {
    const { account, phone } = await holder(5_000);
    const { client, net } = await clientFor(await createTestTerminal(deps()), { retries: 2 });
    net.state.lose = (path) => path === '/v1/pos/qr-payments';
    const outcome = await client.sell({ method: 'code', code: phone.code(), amountFen: 900 });
    expect(outcome).toMatchObject({ status: 'posted', channel: 'campus', balanceFen: 4_100, replayed: true });
    expect(net.state.sent).toEqual([...Array(3).fill('POST /v1/pos/qr-payments'), `GET /v1/pos/transactions/${outcome.posTxnId}`]);
    expect(await purchasesOf(account.accountNo)).toHaveLength(1);
  });

  it('unreachable everywhere (charged, every answer lost): unresolved, then resolveUnresolved() once the network is back → posted exactly once', async () => {
    const { account } = await holder(5_000);
    const store: TerminalStore = memoryStore();
    const terminal = await createTestTerminal(deps());
    const { client, net } = await clientFor(terminal, { store });
    net.state.lose = () => true;
    const card = await testChipUid(deps(), account.accountNo);
    const outcome = await client.sell({ method: 'card', chipUid: card, amountFen: 600 });
    expect(outcome).toEqual({ status: 'unreachable', posTxnId: expect.any(String) });
    expect(await client.unresolvedSales()).toMatchObject([{ posTxnId: outcome.posTxnId, channel: 'card', amountFen: 600 }]);
    expect(await balanceOf(account.accountNo)).toBe(4_400); // it did post: only the terminal does not know

    // Still down: nothing is decided, the sale stays unresolved.
    net.state.lose = () => false;
    net.state.down = true;
    expect(await client.resolveUnresolved()).toEqual([{ status: 'unreachable', posTxnId: outcome.posTxnId }]);
    net.state.down = false;
    // A client reloaded on the same store settles it just as well.
    const reloaded = (await loadTerminal({ baseUrl: platform.url, store, fetch: net.fetcher }))!;
    expect(await reloaded.resolveUnresolved()).toMatchObject([{ status: 'posted', posTxnId: outcome.posTxnId, channel: 'card', amountFen: 600, balanceFen: 4_400 }]);
    expect(await reloaded.resolveUnresolved()).toEqual([]);
    expect(await purchasesOf(account.accountNo)).toHaveLength(1);
    expect(await balanceOf(account.accountNo)).toBe(4_400);
  });

  it('PASSWORD_REQUIRED (P----), then the same posTxnId with the password → posted once', async () => {
    const { account, phone } = await holder(20_000);
    await savePasswordRecord(deps().db, account.accountNo, 'consumption', await hashPassword('135790', { now: new Date(), params: { N: 1024, r: 8, p: 1, keyLength: 32 } }), undefined);
    await setDailyLimit(deps().db, (await getAccount(deps().db, account.accountNo))!, 1_000);
    const { client } = await clientFor(await createTestTerminal(deps()));
    const code = phone.code();
    const first = await client.sell({ method: 'code', code, amountFen: 1_500 });
    expect(first).toMatchObject({ status: 'refused', refusal: { code: 'PASSWORD_REQUIRED', status: 409, zh: '超过每日限额，请输入消费密码' } });
    const wrong = await client.sell({ posTxnId: first.posTxnId, method: 'code', code, amountFen: 1_500, consumptionPassword: '000000' });
    expect(wrong).toMatchObject({ status: 'refused', refusal: { code: 'PASSWORD_WRONG' } });
    const paid = await client.sell({ posTxnId: first.posTxnId, method: 'code', code, amountFen: 1_500, consumptionPassword: '135790' });
    expect(paid).toMatchObject({ status: 'posted', posTxnId: first.posTxnId, balanceFen: 18_500 });
    expect(await purchasesOf(account.accountNo)).toHaveLength(1);
    expect(await client.unresolvedSales()).toEqual([]);
  });

  it('a WeChat Pay payment code through sell(): the server tells it from a campus code, paid, booked to the merchant', async () => {
    const { client } = await clientFor(await createTestTerminal(deps()));
    const code = `13${String(Date.now()).padStart(16, '0').slice(-16)}`;
    const outcome = await client.sell({ method: 'code', code, amountFen: 880 });
    expect(outcome).toMatchObject({ status: 'posted', channel: 'wechat', amountFen: 880, receiptNo: expect.any(String), platformTxnId: expect.any(String), replayed: false });
    expect(wechat.codeOrders().filter((o) => o.tradeState === 'SUCCESS' && o.payCalls === 1).length).toBeGreaterThan(0);
    // Its answer lost: a resend (signed again: this route spends its nonce first) answers the same sale.
    const { client: again, net } = await clientFor(await createTestTerminal(deps()));
    let lost = 0;
    net.state.lose = (path) => path === '/v1/pos/payment-codes' && lost++ === 0;
    const retried = await again.sell({ method: 'code', code: `13${String(Date.now() + 1).padStart(16, '0').slice(-16)}`, amountFen: 300 });
    expect(retried).toMatchObject({ status: 'posted', channel: 'wechat', replayed: true });
  });
});

describe('a payment-code sale whose answer never came', () => {
  it('every POST lost on its way: the status query answers not_found and closes the id, the POST arriving late is POS_TXN_CLOSED (nothing at WeChat), the retake is charged once', async () => {
    const { client, net } = await clientFor(await createTestTerminal(deps()));
    const code = `13${String(Date.now() + 7).padStart(16, '0').slice(-16)}`;
    net.state.block = (path, method) => method === 'POST' && path === '/v1/pos/payment-codes';
    const outcome = await client.sell({ posTxnId: 'late-1', method: 'code', code, amountFen: 660 });
    expect(outcome).toMatchObject({ status: 'refused', posTxnId: 'late-1', refusal: { code: 'POS_TXN_CLOSED' } });
    expect(net.state.sent.at(-1)).toBe('GET /v1/pos/payment-codes/late-1');
    // The original request, delayed in the network, arrives after the query: refused, nothing asked of WeChat.
    net.state.block = () => false;
    await expect(client.call(posPaymentCode, { body: { posTxnId: 'late-1', code, amountFen: 660 } })).rejects.toMatchObject({ code: 'POS_TXN_CLOSED', status: 409 });
    expect(wechat.codeOrders().filter((o) => o.authCode === code)).toEqual([]);
    // The cashier takes it again under a new id: the payer is charged once.
    expect(await client.sell({ method: 'code', code, amountFen: 660 })).toMatchObject({ status: 'posted', channel: 'wechat' });
    expect(wechat.codeOrders().filter((o) => o.authCode === code && o.transactionId !== undefined)).toHaveLength(1);
  });
});

describe('offline through the client', () => {
  it('three codes taken offline, the client and its database connection dropped, a fresh client on the same store uploads each once; again sends nothing', async () => {
    const holders = await Promise.all([holder(3_000), holder(4_000), holder(5_000)]);
    const terminal = await createTestTerminal(deps());
    const name = `offline-${process.pid}-${Date.now()}`;
    const first = await openIndexedDbStore(name);
    const { client } = await clientFor(terminal, { store: first });
    expect(await client.refreshBundle()).toMatchObject({ expired: false });
    const taken = [];
    for (const { phone } of holders) taken.push(await client.takeOffline({ method: 'qr', token: phone.code(), amountFen: 1_000 }));
    expect(taken).toMatchObject(holders.map(({ account }) => ({ status: 'queued', accountNo: account.accountNo })));
    expect(await client.queuedCount()).toBe(3);
    first.close();

    const second = await openIndexedDbStore(name);
    const net = network();
    const reloaded = (await loadTerminal({ baseUrl: platform.url, store: second, fetch: net.fetcher }))!;
    expect(await reloaded.queuedCount()).toBe(3);
    const uploaded = await reloaded.uploadQueued();
    expect(uploaded.map((r) => r.state)).toEqual(['applied', 'applied', 'applied']);
    expect(uploaded.every((r) => r.receiptNo)).toBe(true);
    expect(net.state.sent).toEqual(['POST /v1/pos/offline-uploads']);
    for (const [index, { account }] of holders.entries()) {
      expect(await balanceOf(account.accountNo)).toBe([3_000, 4_000, 5_000][index]! - 1_000);
      expect((await ledgerOf(deps(), account.accountNo)).filter((e) => e.channel === 'offline_pos')).toHaveLength(1);
    }
    expect(await reloaded.uploadQueued()).toEqual([]);
    expect(net.state.sent).toHaveLength(1);
    expect((await reloaded.offlineRecords()).map((r) => r.state)).toEqual(['applied', 'applied', 'applied']);
    second.close();
  });

  it('an upload whose answer was lost goes again (same records): applied once, then nothing more is sent', async () => {
    const { account, phone } = await holder(3_000);
    const { client, net } = await clientFor(await createTestTerminal(deps()), { retries: 0 });
    await client.refreshBundle();
    expect(await client.takeOffline({ method: 'qr', token: phone.code(), amountFen: 250 })).toMatchObject({ status: 'queued' });
    net.state.lose = (path) => path === '/v1/pos/offline-uploads';
    await expect(client.uploadQueued()).rejects.toMatchObject({ name: 'TerminalUnreachable' });
    expect(await client.queuedCount()).toBe(1);
    expect(await balanceOf(account.accountNo)).toBe(2_750); // applied at the server; the answer was lost
    net.state.lose = () => false;
    expect(await client.uploadQueued()).toMatchObject([{ state: 'applied' }]);
    expect(await balanceOf(account.accountNo)).toBe(2_750);
    expect(await client.uploadQueued()).toEqual([]);
  });

  it('the bundle refreshed and used: the cap from the bundle; after the next refresh a lost card’s code says CARD_LOST offline, as online, and pays nothing', async () => {
    const { account, phone } = await holder(1_500);
    const { client } = await clientFor(await createTestTerminal(deps()));
    const info = await client.refreshBundle();
    expect(info.keys).toBeGreaterThan(0);
    // offlineCapFen = min(50 yuan, daily limit, balance) = 15 yuan for this account.
    expect(await client.takeOffline({ method: 'qr', token: phone.code(), amountFen: 1_000 })).toMatchObject({ status: 'queued', remainingCapFen: 500 });
    expect(await client.takeOffline({ method: 'qr', token: phone.code(), amountFen: 600 })).toMatchObject({ status: 'refused', refusal: { code: 'OFFLINE_CAP_EXCEEDED', params: { remaining: '5' } } });
    await setAccountStatus(deps(), account.accountNo, 'lost');
    const refreshed = await client.refreshBundle();
    expect(Date.parse(refreshed.issuedAt)).toBeGreaterThanOrEqual(Date.parse(info.issuedAt));
    // The new bundle keeps the lost account's key marked blocked (and lists the account): its code is refused for the right reason.
    expect(refreshed).toMatchObject({ blockedKeys: 1, keys: info.keys - 1 });
    const offline = await client.takeOffline({ method: 'qr', token: phone.code(), amountFen: 100 });
    expect(offline).toMatchObject({ status: 'refused', refusal: { code: 'CARD_LOST', zh: ERRORS.CARD_LOST.zh } });
    expect(await client.queuedCount()).toBe(1);
    // Online the same code is refused with the same code and message.
    const online = await client.sell({ method: 'code', code: phone.code(), amountFen: 100 });
    expect(online).toMatchObject({ status: 'refused', refusal: { code: 'CARD_LOST', zh: ERRORS.CARD_LOST.zh } });
    expect(await balanceOf(account.accountNo)).toBe(1_500);
  });

  it('a card checked before its chip is written (checkCardOffline) from the real bundle: a lost account’s card says CARD_LOST, as the online charge does; a good card with too little on the chip is refused; nothing is queued', async () => {
    const lost = await createTestAccount(platform.deps, { balanceFen: 2_000 });
    const good = await createTestAccount(platform.deps, { balanceFen: 2_000 });
    const [lostChip, goodChip] = [await testChipUid(deps(), lost.accountNo), await testChipUid(deps(), good.accountNo)];
    await setAccountStatus(deps(), lost.accountNo, 'lost');
    const { client } = await clientFor(await createTestTerminal(deps()));
    await client.refreshBundle();
    expect(await client.checkCardOffline({ chipUid: lostChip, amountFen: 100, chipBalanceFen: 1_000 })).toMatchObject({ ok: false, refusal: { code: 'CARD_LOST', zh: ERRORS.CARD_LOST.zh } });
    expect(await client.sell({ method: 'card', chipUid: lostChip, amountFen: 100 })).toMatchObject({ status: 'refused', refusal: { code: 'CARD_LOST' } });
    expect(await client.checkCardOffline({ chipUid: goodChip, amountFen: 1_001, chipBalanceFen: 1_000 })).toMatchObject({ ok: false, refusal: { code: 'OFFLINE_CHIP_BALANCE_INSUFFICIENT', zh: '卡内余额不足（10 元）' } });
    expect(await client.checkCardOffline({ chipUid: goodChip, amountFen: 1_000, chipBalanceFen: 1_000 })).toEqual({ ok: true });
    expect(await client.queuedCount()).toBe(0);
  });
});
