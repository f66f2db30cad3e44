/**
 * Automatic reload on DynamoDB Local with the fake Alipay (商户代扣 with real RSA2): the holder opens
 * the signing page and confirms, dut_user_sign makes the agreement active, a QR payment that crosses
 * the threshold makes one low_balance event, the auto_reload subscriber deducts with alipay.trade.pay
 * (GENERAL_WITHHOLDING), and Alipay's trade_status_sync credits it through the top-up path.
 */
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { generateRsa2KeyPair, signFormFields, startFakeAlipay, type FakeAlipay } from '../../functions/local/fake-alipay';
import { startOutboxStreamPoller, type OutboxStreamPoller } from '../../functions/local/outbox-stream-poller';
import { handler as dispatchOutbox } from '../../functions/handlers/outbox-stream';
import { DEFAULT_POLICY } from '../../functions/domain/policy';
import { eventIdOf, movementSourceId, type OutboxEvent } from '../../functions/domain/outbox';
import { reloadOrderId } from '../../functions/domain/auto-reload';
import { getAccount } from '../../functions/store/accounts';
import { getAgreement } from '../../functions/store/agreements';
import { getDelivery } from '../../functions/store/outbox';
import { getOrder } from '../../functions/store/orders';
import { putPolicy } from '../../functions/store/policy';
import { reloadOnLowBalance, AUTO_RELOAD_SUBSCRIBER } from '../../functions/services/auto-reload';
import { reconcilePendingOrders } from '../../functions/services/topups';
import { createDeps } from '../../functions/deps';
import { readConfig } from '../../functions/config';
import { createTestAccount, createTestTerminal, ledgerOf, terminalFetch } from '../helpers/fixtures';
import { eventually } from '../helpers/eventually';
import { useFake } from '../helpers/fakes';
import { bindPhone, holderToken } from '../helpers/phone';
import { useTestPlatform } from '../helpers/platform';

let alipay: FakeAlipay;
useFake('ALIPAY_CONFIG', startFakeAlipay, (started) => (alipay = started));
const platform = useTestPlatform({ http: true, stream: true });
let poller: OutboxStreamPoller;
let forgerKey: string;

beforeAll(async () => {
  await putPolicy(platform.deps.db, { ...DEFAULT_POLICY, autoReloadDailyMax: 2 }, 'test', new Date());
  poller = await startOutboxStreamPoller({ endpoint: inject('dynamodbEndpoint'), tableName: platform.tableName, handler: dispatchOutbox, intervalMs: 100 });
  forgerKey = (await generateRsa2KeyPair()).privateKeyPem;
});
afterAll(async () => {
  await poller?.stop();
});

let txn = 0;
let users = 0;


const notifyAgreement = (body: string) => fetch(`${platform.url}/v1/payments/alipay/agreements/notify`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded; charset=utf-8' }, body });

/** A holder with a phone, the Alipay signing page opened and (unless `sign: false`) confirmed: threshold 80 yuan, 10 yuan a reload. */
async function alipayHolder(options: { balanceFen?: number; sign?: boolean } = {}) {
  const account = await createTestAccount(platform.deps, { balanceFen: options.balanceFen ?? 10_000, dailyLimitFen: 50_000 });
  await poller.drain();
  const token = await holderToken(account.accountNo);
  const signed = await platform.request('POST', '/v1/holder/auto-reload', { token, body: { channel: 'alipay', thresholdFen: 8_000, amountFen: 1_000 } });
  expect(signed.status).toBe(200);
  expect(signed.body.signing).toMatchObject({ channel: 'alipay', signUrl: expect.stringContaining('method=alipay.user.agreement.page.sign') });
  const code = signed.body.agreementCode as string;
  // The mini-program opens the page (my.ap.navigateToAlipayPage); the holder confirms there.
  expect((await fetch(signed.body.signing.signUrl as string)).status).toBe(200);
  expect((await platform.request('GET', '/v1/holder/auto-reload', { token })).body.status).toBe('signing');
  const userId = `2088${String(Date.now() % 1e8).padStart(8, '0')}${String(++users).padStart(4, '0')}`;
  if (options.sign !== false) expect(await alipay.signAgreement(code, { userId })).toBe(200);
  const phone = await bindPhone(platform.url, account.accountNo);
  const terminal = await createTestTerminal(platform.deps);
  return { account, token, code, userId, phone, terminal };
}

type Holder = Awaited<ReturnType<typeof alipayHolder>>;
const pay = (holder: Holder, amountFen: number) => terminalFetch(platform.url, holder.terminal, 'POST', '/v1/pos/qr-payments', { posTxnId: `ali${++txn}`, token: holder.phone.code(), amountFen });
const balance = async (holder: Holder) => (await getAccount(platform.deps.db, holder.account.accountNo))!.balanceFen;
const reloadsOf = async (holder: Holder) => (await ledgerOf(platform.deps, holder.account.accountNo)).filter((entry) => entry.type === 'topup' && entry.channel === 'alipay');
const signNoticeOf = (holder: Holder) => alipay.agreementNotifications.find((n) => n.externalAgreementNo === holder.code && n.body.includes('notify_type=dut_user_sign'))!.body;
async function lowBalanceEventOf(holder: Holder, receiptNo: string): Promise<string> {
  const entry = (await ledgerOf(platform.deps, holder.account.accountNo)).find((e) => e.receiptNo === receiptNo)!;
  return eventIdOf(movementSourceId(holder.account.accountNo, entry.entryId), 'low_balance');
}

describe('automatic reload (Alipay 商户代扣)', () => {
  it('signing makes the agreement active with the payer and Alipay agreement number; a replayed notice changes nothing', async () => {
    const holder = await alipayHolder();
    const view = await platform.request('GET', '/v1/holder/auto-reload', { token: holder.token });
    expect(view.body).toMatchObject({ status: 'active', channel: 'alipay', thresholdFen: 8_000, amountFen: 1_000 });
    const agreement = await getAgreement(platform.deps.db, holder.account.accountNo);
    const atAlipay = alipay.agreements().find((a) => a.externalAgreementNo === holder.code)!;
    expect(agreement).toMatchObject({ status: 'active', payerId: holder.userId, platformAgreementId: atAlipay.agreementNo });
    // Alipay's retries, several at once: each answered success, the agreement as it was.
    const replays = await Promise.all([1, 2, 3].map(() => notifyAgreement(signNoticeOf(holder))));
    for (const replay of replays) {
      expect(replay.status).toBe(200);
      expect(await replay.text()).toBe('success');
    }
    expect(await getAgreement(platform.deps.db, holder.account.accountNo)).toEqual(agreement);
  });

  it('a QR payment that crosses the threshold triggers exactly one reload, credited once despite replayed notifications and two dispatchers', async () => {
    const holder = await alipayHolder();
    const calls = alipay.deductCalls();
    const paid = await pay(holder, 5_000);
    expect(paid.status).toBe(200);
    await poller.drain();
    expect(await eventually(() => balance(holder), (fen) => fen === 6_000)).toBe(6_000);
    expect(alipay.deductCalls()).toBe(calls + 1);
    const eventId = await lowBalanceEventOf(holder, paid.body.receiptNo as string);
    const orderId = reloadOrderId(eventId);
    expect(await getOrder(platform.deps.db, orderId)).toMatchObject({ status: 'paid', channel: 'alipay', amountFen: 1_000 });
    // Alipay sends its notification again, three times at once; a second dispatcher delivers the same event twice more.
    const again = await alipay.renotify(orderId, { times: 3 });
    expect(again.map((answer) => answer.body)).toEqual(['success', 'success', 'success']);
    const event: OutboxEvent = { eventId, kind: 'low_balance', accountNo: holder.account.accountNo, at: new Date().toISOString(), amountFen: 5_000, balanceAfterFen: 5_000, thresholdFen: 8_000 };
    const outcomes = await Promise.all([reloadOnLowBalance(platform.deps, event), reloadOnLowBalance(platform.deps, event)]);
    expect(outcomes.map((outcome) => outcome.detail)).toEqual(['already_ordered', 'already_ordered']);
    expect(alipay.deductCalls()).toBe(calls + 1);
    expect(await balance(holder)).toBe(6_000);
    const reloads = await reloadsOf(holder);
    expect(reloads).toHaveLength(1);
    expect(reloads[0]!.amountFen).toBe(1_000);
  });

  it('two dispatchers on one new crossing at once: one deduction, one credit', async () => {
    const holder = await alipayHolder({ balanceFen: 100_000 });
    const calls = alipay.deductCalls();
    const event: OutboxEvent = {
      eventId: eventIdOf(movementSourceId(holder.account.accountNo, '01TESTALIPAY000000000000001'), 'low_balance'),
      kind: 'low_balance',
      accountNo: holder.account.accountNo,
      at: new Date().toISOString(),
      amountFen: 100,
      balanceAfterFen: 7_900,
      thresholdFen: 8_000,
    };
    const both = await Promise.all([reloadOnLowBalance(platform.deps, event), reloadOnLowBalance(platform.deps, event)]);
    expect(both.map((outcome) => outcome.status).sort()).toEqual(['sent', 'skipped']);
    expect(alipay.deductCalls()).toBe(calls + 1);
    expect(await eventually(() => balance(holder), (fen) => fen === 101_000)).toBe(101_000);
    expect(await reloadsOf(holder)).toHaveLength(1);
  });

  it('a deduction whose notification never arrives is credited once by the reconciler’s query', async () => {
    const holder = await alipayHolder();
    alipay.deductBehaviour('hold');
    try {
      const paid = await pay(holder, 5_000);
      await poller.drain();
      const orderId = reloadOrderId(await lowBalanceEventOf(holder, paid.body.receiptNo as string));
      expect(await eventually(() => getOrder(platform.deps.db, orderId), (order) => order !== undefined)).toMatchObject({ status: 'pending', amountFen: 1_000 });
      // Alipay takes the money; its notification is lost.
      expect(await alipay.pay(orderId, { notify: false })).toBe(0);
      const later = createDeps(readConfig(), { db: platform.deps.db, payments: platform.deps.payments, clock: () => new Date(Date.now() + 60_000) });
      await Promise.all([reconcilePendingOrders(later), reconcilePendingOrders(later)]);
      expect(await getOrder(platform.deps.db, orderId)).toMatchObject({ status: 'paid' });
      expect(await balance(holder)).toBe(6_000);
      expect(await reloadsOf(holder)).toHaveLength(1);
    } finally {
      alipay.deductBehaviour('pay');
    }
  });

  it('a refused deduction credits nothing and closes its order', async () => {
    const holder = await alipayHolder();
    alipay.deductBehaviour('refuse');
    try {
      const paid = await pay(holder, 5_000);
      await poller.drain();
      const eventId = await lowBalanceEventOf(holder, paid.body.receiptNo as string);
      expect(await eventually(() => getDelivery(platform.deps.db, eventId, AUTO_RELOAD_SUBSCRIBER), (d) => d?.status === 'refused')).toMatchObject({ status: 'refused', detail: 'ACQ.BUYER_BALANCE_NOT_ENOUGH' });
      expect(await getOrder(platform.deps.db, reloadOrderId(eventId))).toMatchObject({ status: 'closed', state: 'voided' });
      expect(await balance(holder)).toBe(5_000);
      expect(await reloadsOf(holder)).toHaveLength(0);
    } finally {
      alipay.deductBehaviour('pay');
    }
  });

  it('an unsigning in Alipay is honoured: cancelled, no reload follows, and a late signing notice does not revive it', async () => {
    const holder = await alipayHolder();
    expect(await alipay.unsignAgreement(holder.code)).toBe(200);
    expect((await platform.request('GET', '/v1/holder/auto-reload', { token: holder.token })).body.status).toBe('cancelled');
    expect((await getAgreement(platform.deps.db, holder.account.accountNo))?.cancelledBy).toBe('platform');
    // The signing notice, genuinely signed, arriving late (or replayed): answered, and nothing changes.
    const late = await notifyAgreement(signNoticeOf(holder));
    expect(late.status).toBe(200);
    expect((await getAgreement(platform.deps.db, holder.account.accountNo))?.status).toBe('cancelled');
    const calls = alipay.deductCalls();
    await pay(holder, 5_000);
    await poller.drain();
    await new Promise((resolve) => setTimeout(resolve, 300));
    await poller.drain();
    expect(alipay.deductCalls()).toBe(calls);
    expect(await balance(holder)).toBe(5_000);
  });

  it('the holder cancels: unsigned at Alipay first, then here; a signing whose notice never came is found by the query and unsigned too', async () => {
    const holder = await alipayHolder();
    const cancelled = await platform.request('DELETE', '/v1/holder/auto-reload', { token: holder.token });
    expect(cancelled.status).toBe(200);
    expect(cancelled.body.status).toBe('cancelled');
    expect(alipay.agreements().find((a) => a.externalAgreementNo === holder.code)?.status).toBe('UNSIGN');
    expect((await getAgreement(platform.deps.db, holder.account.accountNo))?.cancelledBy).toBe('holder');
    expect((await platform.request('DELETE', '/v1/holder/auto-reload', { token: holder.token })).body.code).toBe('AUTO_RELOAD_NOT_SIGNED');

    const unnoticed = await alipayHolder({ sign: false });
    await alipay.signAgreement(unnoticed.code, { notify: false });
    expect((await platform.request('DELETE', '/v1/holder/auto-reload', { token: unnoticed.token })).body.status).toBe('cancelled');
    expect(alipay.agreements().find((a) => a.externalAgreementNo === unnoticed.code)?.status).toBe('UNSIGN');
  });

  it('notifications that cannot be believed are refused and change nothing', async () => {
    const holder = await alipayHolder();
    const before = await getAgreement(platform.deps.db, holder.account.accountNo);
    const atAlipay = alipay.agreements().find((a) => a.externalAgreementNo === holder.code)!;
    const unsign = {
      notify_type: 'dut_user_unsign',
      notify_id: `forged${holder.code}`,
      notify_time: '2026-12-01 10:00:00',
      app_id: alipay.config.appId,
      charset: 'utf-8',
      version: '1.0',
      external_agreement_no: holder.code,
      agreement_no: atAlipay.agreementNo!,
      personal_product_code: 'GENERAL_WITHHOLDING_P',
      sign_scene: alipay.config.agreementSignScene!,
      alipay_user_id: holder.userId,
      status: 'UNSIGN',
      unsign_time: '2026-12-01 10:00:00',
    };
    const bad = [
      signFormFields(unsign, forgerKey),
      alipay.signNotification(unsign).replace(`external_agreement_no=${holder.code}`, 'external_agreement_no=Aother1'),
      alipay.signNotification({ ...unsign, app_id: '2021000000000000' }),
      alipay.signNotification({ ...unsign, sign_scene: 'INDUSTRY|DIGITAL_MEDIA' }),
      alipay.signNotification({ ...unsign, status: 'NORMAL' }),
      'not a form at all',
    ];
    const answers = await Promise.all(bad.map(notifyAgreement));
    for (const answer of answers) {
      expect(answer.status).toBe(400);
      expect(await answer.text()).toBe('fail');
    }
    expect(await getAgreement(platform.deps.db, holder.account.accountNo)).toEqual(before);
    // Genuine, but about a code we never made: answered (Alipay stops), nothing applied.
    const unknown = await notifyAgreement(alipay.signNotification({ ...unsign, external_agreement_no: 'Aneverours1' }));
    expect(await unknown.text()).toBe('success');
    expect(await getAgreement(platform.deps.db, holder.account.accountNo)).toEqual(before);
  });
});
