/**
 * Automatic reload on DynamoDB Local with the fake WeChat Pay (委托代扣 with real signatures and
 * AES-256-GCM): the holder signs, a QR payment that crosses the threshold makes one low_balance
 * event, the stream poller runs the dispatcher, the auto_reload subscriber orders and deducts, and
 * the platform's payment notification credits through the top-up path.
 */
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { startFakeWechatPay, type FakeWechatPay } from '../../functions/local/fake-wechat-pay';
import { startFakeWechatLogin, type FakeWechatLogin } from '../../functions/local/fake-wechat-login';
import { linkIdentity } from '../../functions/store/identities';
import { getOutboxRecord } from '../../functions/store/outbox';
import { dispatchOutboxRecord } from '../../functions/services/notifications-dispatch';
import { notificationSubscriber, NOTIFICATION_SUBSCRIBER } from '../../functions/services/notifications';
import { notificationChannelsFromEnvironment, notificationTemplatesFromEnvironment } from '../../functions/notifications/channels';
import { startOutboxStreamPoller, type OutboxStreamPoller } from '../../functions/local/outbox-stream-poller';
import { handler as dispatchOutbox } from '../../functions/handlers/outbox-stream';
import { DEFAULT_POLICY } from '../../functions/domain/policy';
import { eventIdOf, movementSourceId, reloadRefusalSourceId, type OutboxEvent } from '../../functions/domain/outbox';
import { reloadOrderId } from '../../functions/domain/auto-reload';
import { getAccount } from '../../functions/store/accounts';
import { getAgreement, reloadsOn } from '../../functions/store/agreements';
import { getDelivery } from '../../functions/store/outbox';
import { getOrder } from '../../functions/store/orders';
import { putPolicy } from '../../functions/store/policy';
import { reloadOnLowBalance, AUTO_RELOAD_SUBSCRIBER } from '../../functions/services/auto-reload';
import { campusDay } from '../../functions/domain/campus-day';
import { reconcilePendingOrders } from '../../functions/services/topups';
import { createDeps } from '../../functions/deps';
import { readConfig } from '../../functions/config';
import { createTestAccount, createTestTerminal, ledgerOf, terminalFetch } from '../helpers/fixtures';
import { eventually } from '../helpers/eventually';
import { useFake } from '../helpers/fakes';
import { bindPhone, holderToken } from '../helpers/phone';
import { useTestPlatform } from '../helpers/platform';

let wechat: FakeWechatPay;
useFake('WECHAT_PAY_CONFIG', startFakeWechatPay, (started) => (wechat = started));
// The holder's messages (subscribe messages on WeChat): a refused reload's, an automatic top-up's.
let login: FakeWechatLogin;
useFake('WECHAT_LOGIN_CONFIG', startFakeWechatLogin, (started) => (login = started));
const platform = useTestPlatform({ http: true, stream: true });
let poller: OutboxStreamPoller;

beforeAll(async () => {
  process.env.NOTIFICATION_TEMPLATES = JSON.stringify({ wechat: login.templates });
  await putPolicy(platform.deps.db, { ...DEFAULT_POLICY, autoReloadDailyMax: 2 }, 'test', new Date());
  poller = await startOutboxStreamPoller({ endpoint: inject('dynamodbEndpoint'), tableName: platform.tableName, handler: dispatchOutbox, intervalMs: 100 });
});
afterAll(async () => {
  await poller?.stop();
  delete process.env.NOTIFICATION_TEMPLATES;
});

let txn = 0;


/** A holder with a phone and an active agreement (threshold 80 yuan, 10 yuan a reload). */
async function signedHolder(options: { balanceFen?: number; thresholdFen?: number; amountFen?: number } = {}) {
  // A daily limit above the test's payments: the second payment must not be refused by it.
  const account = await createTestAccount(platform.deps, { balanceFen: options.balanceFen ?? 10_000, dailyLimitFen: 50_000 });
  await poller.drain();
  const token = await holderToken(account.accountNo);
  const signed = await platform.request('POST', '/v1/holder/auto-reload', { token, body: { channel: 'wechat', thresholdFen: options.thresholdFen ?? 8_000, amountFen: options.amountFen ?? 1_000 } });
  expect(signed.status).toBe(200);
  expect(signed.body.signing).toMatchObject({ channel: 'wechat', navigateToMiniProgram: { appId: 'wxbd687630cd02ce1d', extraData: { pre_entrustweb_id: expect.any(String) } } });
  expect((await platform.request('GET', '/v1/holder/auto-reload', { token })).body.status).toBe('signing');
  expect(await wechat.signContract(signed.body.agreementCode, { openid: `o-papay-${account.accountNo}` })).toBe(200);
  const phone = await bindPhone(platform.url, account.accountNo);
  const terminal = await createTestTerminal(platform.deps);
  return { account, token, code: signed.body.agreementCode as string, phone, terminal };
}

type Holder = Awaited<ReturnType<typeof signedHolder>>;

/** The holder signed in on WeChat (an identity bound to the account) and accepted every template: where the messages go. */
async function subscribe(holder: Holder): Promise<string> {
  const openid = `o-ar-notify-${holder.account.accountNo}`;
  await linkIdentity(platform.deps.db, 'wechat', openid, holder.account.accountNo, new Date());
  const subscribed = await platform.request('POST', '/v1/holder/notifications/subscriptions', { token: holder.token, body: { platform: 'wechat', platformUserId: openid, accepted: Object.values(login.templates) } });
  expect(subscribed.status).toBe(200);
  return openid;
}

const notifier = () =>
  notificationSubscriber(platform.deps, { channels: () => notificationChannelsFromEnvironment(platform.deps.config), templates: () => notificationTemplatesFromEnvironment(platform.deps.config) });
const pay = (holder: Holder, amountFen: number) => terminalFetch(platform.url, holder.terminal, 'POST', '/v1/pos/qr-payments', { posTxnId: `ar${++txn}`, token: holder.phone.code(), amountFen });
/** A payment that takes the holder below the threshold, and the outbox drained: the payment's entry, its low-balance event, the reload's order and that order's refusal event. */
async function crossThreshold(holder: Holder, amountFen = 5_000) {
  const paid = await pay(holder, amountFen);
  await poller.drain();
  const entry = (await ledgerOf(platform.deps, holder.account.accountNo)).find((e) => e.receiptNo === paid.body.receiptNo)!;
  const lowBalance = eventIdOf(movementSourceId(holder.account.accountNo, entry.entryId), 'low_balance');
  const orderId = reloadOrderId(lowBalance);
  return { entry, lowBalance, orderId, refusedId: eventIdOf(reloadRefusalSourceId(orderId), 'auto_reload_refused') };
}
/** The refused-reload messages the fake WeChat was given for this openid. */
const refusalsTo = (openid: string) => login.messages.filter((message) => message.touser === openid && message.templateId === login.templates.auto_reload_refused);
const balance = async (holder: Holder) => (await getAccount(platform.deps.db, holder.account.accountNo))!.balanceFen;
const reloadsOf = async (holder: Holder) => (await ledgerOf(platform.deps, holder.account.accountNo)).filter((entry) => entry.type === 'topup' && entry.channel === 'wechat');

describe('automatic reload (WeChat Pay 委托代扣)', () => {
  it('signing makes the agreement active, with the threshold as the low-balance threshold', async () => {
    const holder = await signedHolder();
    const view = await platform.request('GET', '/v1/holder/auto-reload', { token: holder.token });
    expect(view.body).toMatchObject({ status: 'active', channel: 'wechat', thresholdFen: 8_000, amountFen: 1_000, reloadsToday: 0, dailyMax: 2 });
    expect((await getAccount(platform.deps.db, holder.account.accountNo))?.lowBalanceAlertFen).toBe(8_000);
    // A redelivered signing notification changes nothing.
    expect(await wechat.signContract(holder.code)).toBe(200);
    expect((await getAgreement(platform.deps.db, holder.account.accountNo))?.status).toBe('active');
  });

  it('a QR payment that crosses the threshold triggers exactly one reload, credited once; a second payment below the threshold triggers none', async () => {
    const holder = await signedHolder();
    const calls = wechat.deductCalls();
    const paid = await pay(holder, 5_000);
    expect(paid.status).toBe(200);
    await poller.drain();
    expect(await eventually(() => balance(holder), (fen) => fen === 6_000)).toBe(6_000);
    expect(wechat.deductCalls()).toBe(calls + 1);
    const reloads = await reloadsOf(holder);
    expect(reloads).toHaveLength(1);
    expect(reloads[0]!.amountFen).toBe(1_000);

    // Still below the threshold: this payment does not cross it.
    expect((await pay(holder, 500)).status).toBe(200);
    await poller.drain();
    await new Promise((resolve) => setTimeout(resolve, 300));
    await poller.drain();
    expect(wechat.deductCalls()).toBe(calls + 1);
    expect(await balance(holder)).toBe(5_500);
    expect(await reloadsOf(holder)).toHaveLength(1);
    expect((await platform.request('GET', '/v1/holder/auto-reload', { token: holder.token })).body.reloadsToday).toBe(1);
  });

  it('the same crossing delivered again (or twice at once) orders one reload; the daily cap holds under concurrency', async () => {
    const holder = await signedHolder({ balanceFen: 100_000 });
    wechat.deductBehaviour('hold');
    try {
      const event = (n: number): OutboxEvent => ({
        eventId: eventIdOf(movementSourceId(holder.account.accountNo, `01TESTENTRY${String(n).padStart(15, '0')}`), 'low_balance'),
        kind: 'low_balance',
        accountNo: holder.account.accountNo,
        at: new Date().toISOString(),
        amountFen: 100,
        balanceAfterFen: 7_900,
        thresholdFen: 8_000,
      });
      const same = await Promise.all([reloadOnLowBalance(platform.deps, event(0)), reloadOnLowBalance(platform.deps, event(0))]);
      expect(same.map((outcome) => outcome.status).sort()).toEqual(['sent', 'skipped']);
      const many = await Promise.all([1, 2, 3, 4, 5].map((n) => reloadOnLowBalance(platform.deps, event(n))));
      expect(many.filter((outcome) => outcome.status === 'sent')).toHaveLength(1);
      expect(many.filter((outcome) => outcome.detail === 'daily_cap')).toHaveLength(4);
      expect(await reloadsOn(platform.deps.db, holder.account.accountNo, campusDay(new Date()))).toBe(2);
    } finally {
      wechat.deductBehaviour('pay');
    }
  });

  it('an agreement cancelled by the holder triggers none: ended at WeChat, then here', async () => {
    const holder = await signedHolder();
    const cancelled = await platform.request('DELETE', '/v1/holder/auto-reload', { token: holder.token });
    expect(cancelled.status).toBe(200);
    expect(cancelled.body.status).toBe('cancelled');
    expect(wechat.contracts().find((contract) => contract.outContractCode === holder.code)?.state).toBe('TERMINATED');
    const calls = wechat.deductCalls();
    const paid = await pay(holder, 5_000);
    await poller.drain();
    const eventId = eventIdOf(movementSourceId(holder.account.accountNo, (await ledgerOf(platform.deps, holder.account.accountNo)).find((e) => e.receiptNo === paid.body.receiptNo)!.entryId), 'low_balance');
    expect(await eventually(() => getDelivery(platform.deps.db, eventId, AUTO_RELOAD_SUBSCRIBER), (d) => d?.status === 'skipped')).toMatchObject({ status: 'skipped', detail: 'not_active' });
    expect(wechat.deductCalls()).toBe(calls);
    expect(await balance(holder)).toBe(5_000);
    // Cancelling again: nothing to cancel.
    expect((await platform.request('DELETE', '/v1/holder/auto-reload', { token: holder.token })).body.code).toBe('AUTO_RELOAD_NOT_SIGNED');
  });

  it("the platform's cancellation notice is honoured: no reload follows, and a late signing notice does not revive it", async () => {
    const holder = await signedHolder();
    expect(await wechat.terminateContract(holder.code)).toBe(200);
    expect((await platform.request('GET', '/v1/holder/auto-reload', { token: holder.token })).body.status).toBe('cancelled');
    expect((await getAgreement(platform.deps.db, holder.account.accountNo))?.cancelledBy).toBe('platform');
    // A signing notice arriving late (or replayed, genuinely signed) does not make it active again.
    const contract = wechat.contracts().find((c) => c.outContractCode === holder.code)!;
    const late = wechat.signNotification(
      { mchid: wechat.config.mchId, appid: wechat.config.appId, plan_id: contract.planId, out_contract_code: holder.code, contract_id: contract.contractId, contract_state: 'ADDED', openid: contract.openid },
      { eventType: 'PAPAY.SIGN' },
    );
    expect((await fetch(`${platform.url}/v1/payments/wechat/agreements/notify`, { method: 'POST', headers: late.headers, body: late.rawBody })).status).toBe(200);
    expect((await getAgreement(platform.deps.db, holder.account.accountNo))?.status).toBe('cancelled');
    const calls = wechat.deductCalls();
    await pay(holder, 5_000);
    await poller.drain();
    await new Promise((resolve) => setTimeout(resolve, 300));
    await poller.drain();
    expect(wechat.deductCalls()).toBe(calls);
    expect(await balance(holder)).toBe(5_000);
  });

  it('a deduction whose notification never arrives is credited once by the reconciler’s query', async () => {
    const holder = await signedHolder();
    wechat.deductBehaviour('hold');
    try {
      const { orderId } = await crossThreshold(holder);
      expect(await eventually(() => getOrder(platform.deps.db, orderId), (order) => order !== undefined)).toMatchObject({ status: 'pending', amountFen: 1_000 });
      // WeChat takes the money; its notification is lost.
      expect(await wechat.pay(orderId, { notify: false })).toBe(0);
      const later = createDeps(readConfig(), { db: platform.deps.db, payments: platform.deps.payments, clock: () => new Date(Date.now() + 60_000) });
      await reconcilePendingOrders(later);
      await reconcilePendingOrders(later);
      expect(await getOrder(platform.deps.db, orderId)).toMatchObject({ status: 'paid' });
      expect(await balance(holder)).toBe(6_000);
      expect(await reloadsOf(holder)).toHaveLength(1);
    } finally {
      wechat.deductBehaviour('pay');
    }
  });

  it('a refused deduction credits nothing and closes its order', async () => {
    const holder = await signedHolder();
    wechat.deductBehaviour('refuse');
    try {
      const { lowBalance: eventId } = await crossThreshold(holder);
      expect(await eventually(() => getDelivery(platform.deps.db, eventId, AUTO_RELOAD_SUBSCRIBER), (d) => d?.status === 'refused')).toMatchObject({ status: 'refused', detail: 'NOTENOUGH' });
      expect(await getOrder(platform.deps.db, reloadOrderId(eventId))).toMatchObject({ status: 'closed', state: 'voided' });
      expect(await balance(holder)).toBe(5_000);
      expect(await reloadsOf(holder)).toHaveLength(0);
    } finally {
      wechat.deductBehaviour('pay');
    }
  });

  it('a refused reload tells the holder once (余额不足, 请在小程序中手动充值), even when its events are delivered again or by two dispatchers at once', async () => {
    const holder = await signedHolder();
    const openid = await subscribe(holder);
    wechat.deductBehaviour('refuse');
    try {
      const { entry, orderId, refusedId } = await crossThreshold(holder);
      expect(await eventually(() => getDelivery(platform.deps.db, refusedId, NOTIFICATION_SUBSCRIBER), (d) => d?.status === 'sent')).toMatchObject({ status: 'sent' });
      // Written with the close: the order closed, the outbox item beside it.
      expect(await getOrder(platform.deps.db, orderId)).toMatchObject({ status: 'closed', state: 'voided', resolution: 'platform_refused:NOTENOUGH', trigger: 'auto_reload' });
      const record = (await getOutboxRecord(platform.deps.db, reloadRefusalSourceId(orderId)))!;
      expect(record.events).toMatchObject([{ eventId: refusedId, kind: 'auto_reload_refused', accountNo: holder.account.accountNo, amountFen: 1_000, channel: 'wechat', refusal: 'NOTENOUGH' }]);

      // The low-balance event handled again (a redelivery past its claim) and the refusal dispatched twice at once.
      const lowEvent = (await getOutboxRecord(platform.deps.db, movementSourceId(holder.account.accountNo, entry.entryId)))!.events.find((e) => e.kind === 'low_balance')!;
      expect(await reloadOnLowBalance(platform.deps, lowEvent)).toMatchObject({ status: 'skipped', detail: 'already_ordered' });
      const dispatched = await Promise.all([dispatchOutboxRecord(platform.deps, record, [notifier()]), dispatchOutboxRecord(platform.deps, record, [notifier()])]);
      expect(dispatched.flat().filter((result) => result.claimed)).toHaveLength(0);
      await poller.drain();

      const refusals = refusalsTo(openid);
      expect(refusals).toHaveLength(1);
      expect(refusals[0]).toMatchObject({ page: 'pages/topup/index', data: { amount1: { value: '10.00元' }, thing2: { value: '余额不足' }, thing4: { value: '请在小程序中手动充值' } } });
      expect(refusals[0]!.data.time3!.value).toMatch(/^\d{4}-\d{2}-\d{2} \d{2}:\d{2}$/);
      expect(await balance(holder)).toBe(5_000);
    } finally {
      wechat.deductBehaviour('pay');
    }
  });

  it("a refused reload's message is a kind of its own in the holder's settings: offered, and turned off it is not sent", async () => {
    const holder = await signedHolder();
    const openid = await subscribe(holder);
    const settings = await platform.request('GET', '/v1/holder/notifications', { token: holder.token });
    expect(settings.body).toMatchObject({ events: { auto_reload_refused: true }, templates: { wechat: { auto_reload_refused: login.templates.auto_reload_refused } } });
    expect(settings.body.subscribed).toContain('auto_reload_refused');
    const off = await platform.request('PUT', '/v1/holder/notifications', { token: holder.token, body: { events: { auto_reload_refused: false } } });
    expect(off.body.events).toMatchObject({ auto_reload_refused: false, topup: true });
    wechat.deductBehaviour('refuse');
    try {
      const { refusedId } = await crossThreshold(holder);
      expect(await eventually(() => getDelivery(platform.deps.db, refusedId, NOTIFICATION_SUBSCRIBER), (d) => d?.status === 'skipped')).toMatchObject({ status: 'skipped', detail: 'preference_off' });
      expect(refusalsTo(openid)).toHaveLength(0);
    } finally {
      wechat.deductBehaviour('pay');
    }
  });

  it('a reload whose deduction is never answered, closed unpaid by the reconciler, tells the holder once', async () => {
    const holder = await signedHolder();
    const openid = await subscribe(holder);
    wechat.deductBehaviour('hold');
    try {
      const { orderId, refusedId } = await crossThreshold(holder);
      expect(await eventually(() => getOrder(platform.deps.db, orderId), (order) => order !== undefined)).toMatchObject({ status: 'pending' });
      // Past its pay-by time (15 minutes), unpaid: two reconcilers at once close it once.
      const later = createDeps(readConfig(), { db: platform.deps.db, payments: platform.deps.payments, clock: () => new Date(Date.now() + 16 * 60_000) });
      await Promise.all([reconcilePendingOrders(later), reconcilePendingOrders(later)]);
      await reconcilePendingOrders(later);
      expect(await getOrder(platform.deps.db, orderId)).toMatchObject({ status: 'closed', state: 'expired', resolution: 'not_paid_in_time' });
      expect(await eventually(() => getDelivery(platform.deps.db, refusedId, NOTIFICATION_SUBSCRIBER), (d) => d?.status === 'sent')).toMatchObject({ status: 'sent' });
      await poller.drain();
      const refusals = refusalsTo(openid);
      expect(refusals).toHaveLength(1);
      expect(refusals[0]!.data).toMatchObject({ amount1: { value: '10.00元' }, thing2: { value: '支付平台未完成扣款' } });
      expect(await balance(holder)).toBe(5_000);
    } finally {
      wechat.deductBehaviour('pay');
    }
  });

  it('a reload the platform reports closed unpaid (its notification, sent three times) tells the holder once', async () => {
    const holder = await signedHolder();
    const openid = await subscribe(holder);
    wechat.deductBehaviour('hold');
    try {
      const { orderId, refusedId } = await crossThreshold(holder);
      expect(await eventually(() => getOrder(platform.deps.db, orderId), (order) => order !== undefined)).toMatchObject({ status: 'pending' });
      await wechat.renotify(orderId, { tradeState: 'CLOSED', times: 3 });
      expect(await getOrder(platform.deps.db, orderId)).toMatchObject({ status: 'closed', state: 'voided', resolution: 'platform_closed' });
      expect(await eventually(() => getDelivery(platform.deps.db, refusedId, NOTIFICATION_SUBSCRIBER), (d) => d?.status === 'sent')).toMatchObject({ status: 'sent' });
      await poller.drain();
      const refusals = refusalsTo(openid);
      expect(refusals).toHaveLength(1);
      expect(refusals[0]!.data).toMatchObject({ thing2: { value: '支付平台未完成扣款' } });
      expect(await balance(holder)).toBe(5_000);
    } finally {
      wechat.deductBehaviour('pay');
    }
  });

  it("a paid reload reads as automatic: the history entry says so, and so does the top-up message's channel", async () => {
    const holder = await signedHolder();
    const openid = await subscribe(holder);
    await pay(holder, 5_000);
    await poller.drain();
    expect(await eventually(() => balance(holder), (fen) => fen === 6_000)).toBe(6_000);
    const [reload] = await reloadsOf(holder);
    expect(reload).toMatchObject({ trigger: 'auto_reload', amountFen: 1_000 });
    const history = await platform.request('GET', '/v1/holder/ledger?type=topup', { token: holder.token });
    expect(history.status).toBe(200);
    const entries = history.body.entries as { receiptNo: string; channel: string; trigger?: string }[];
    expect(entries.find((e) => e.receiptNo === reload!.receiptNo)).toMatchObject({ channel: 'wechat', trigger: 'auto_reload' });
    // The opening top-up (by hand, at the counter) does not say so.
    expect(entries.filter((e) => e.receiptNo !== reload!.receiptNo).every((e) => e.trigger === undefined)).toBe(true);
    const receipt = await platform.request('GET', `/v1/holder/ledger/${reload!.receiptNo}`, { token: holder.token });
    expect(receipt.body).toMatchObject({ trigger: 'auto_reload' });
    await eventually(async () => login.messages.filter((m) => m.touser === openid && m.templateId === login.templates.topup).length, (n) => n > 0);
    const topups = login.messages.filter((m) => m.touser === openid && m.templateId === login.templates.topup);
    expect(topups).toHaveLength(1);
    expect(topups[0]!.data).toMatchObject({ amount1: { value: '10.00元' }, thing3: { value: '自动充值·微信支付' } });
  });

  it('bad input gets a clear error and changes nothing; a forged agreement notice is refused', async () => {
    const account = await createTestAccount(platform.deps, { balanceFen: 10_000 });
    const token = await holderToken(account.accountNo);
    const tooMuch = await platform.request('POST', '/v1/holder/auto-reload', { token, body: { channel: 'wechat', thresholdFen: 8_000, amountFen: 999_999 } });
    expect(tooMuch.status).toBe(400);
    expect(tooMuch.body.code).toBe('AUTO_RELOAD_OUT_OF_RANGE');
    const extra = await platform.request('POST', '/v1/holder/auto-reload', { token, body: { channel: 'wechat', thresholdFen: 8_000, amountFen: 1_000, contractId: 'x' } });
    expect(extra.body.code).toBe('VALIDATION_FAILED');
    expect((await platform.request('PUT', '/v1/holder/auto-reload', { token, body: { thresholdFen: 8_000, amountFen: 1_000 } })).body.code).toBe('AUTO_RELOAD_NOT_SIGNED');
    expect((await platform.request('GET', '/v1/holder/auto-reload', { token })).body).toMatchObject({ status: 'none', thresholdFen: null, amountFen: null });
    expect(await getAgreement(platform.deps.db, account.accountNo)).toBeUndefined();
    expect((await platform.request('GET', '/v1/holder/auto-reload', {})).status).toBe(401);

    // A holder with an agreement: out-of-bounds PUT changes nothing; a tampered notice is refused.
    const holder = await signedHolder();
    const badPut = await platform.request('PUT', '/v1/holder/auto-reload', { token: holder.token, body: { thresholdFen: 999_999, amountFen: 1_000 } });
    expect(badPut.body.code).toBe('AUTO_RELOAD_OUT_OF_RANGE');
    const goodPut = await platform.request('PUT', '/v1/holder/auto-reload', { token: holder.token, body: { thresholdFen: 6_000, amountFen: 2_000 } });
    expect(goodPut.body).toMatchObject({ status: 'active', thresholdFen: 6_000, amountFen: 2_000 });
    const contract = wechat.contracts().find((c) => c.outContractCode === holder.code)!;
    const forged = wechat.signNotification(
      { mchid: wechat.config.mchId, appid: wechat.config.appId, plan_id: contract.planId, out_contract_code: holder.code, contract_id: contract.contractId, contract_state: 'TERMINATED' },
      { eventType: 'PAPAY.TERMINATE', tamper: 'auth-tag' },
    );
    const refused = await fetch(`${platform.url}/v1/payments/wechat/agreements/notify`, { method: 'POST', headers: forged.headers, body: forged.rawBody });
    expect(refused.status).toBe(400);
    expect((await getAgreement(platform.deps.db, holder.account.accountNo))?.status).toBe('active');
    // Another merchant's plan, genuinely signed: not ours, refused.
    const otherPlan = wechat.signNotification(
      { mchid: wechat.config.mchId, appid: wechat.config.appId, plan_id: '99999', out_contract_code: holder.code, contract_id: contract.contractId, contract_state: 'TERMINATED' },
      { eventType: 'PAPAY.TERMINATE' },
    );
    expect((await fetch(`${platform.url}/v1/payments/wechat/agreements/notify`, { method: 'POST', headers: otherPlan.headers, body: otherPlan.rawBody })).status).toBe(400);
    expect((await getAgreement(platform.deps.db, holder.account.accountNo))?.status).toBe('active');
  });

  it('two sign requests at once record one signing; signing again while active is refused', async () => {
    const account = await createTestAccount(platform.deps, { balanceFen: 10_000 });
    const token = await holderToken(account.accountNo);
    const body = { channel: 'wechat', thresholdFen: 8_000, amountFen: 1_000 };
    const both = await Promise.all([platform.request('POST', '/v1/holder/auto-reload', { token, body }), platform.request('POST', '/v1/holder/auto-reload', { token, body })]);
    const codes = both.filter((answer) => answer.status === 200).map((answer) => answer.body.agreementCode as string);
    expect(codes.length).toBeGreaterThanOrEqual(1);
    const stored = await getAgreement(platform.deps.db, account.accountNo);
    expect(codes).toContain(stored!.agreementCode);
    for (const refused of both.filter((answer) => answer.status !== 200)) expect(refused.body.code).toBe('BUSY_RETRY');
    expect(await wechat.signContract(stored!.agreementCode)).toBe(200);
    expect((await platform.request('POST', '/v1/holder/auto-reload', { token, body })).body.code).toBe('AUTO_RELOAD_ALREADY_ACTIVE');
  });
});
