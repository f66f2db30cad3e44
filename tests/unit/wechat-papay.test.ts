/** WeChat Pay 委托代扣 (papay) behind the channel interface, against the fake platform with real signatures and AES-256-GCM. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFakeWechatPay, type FakeWechatPay, type NotificationOptions } from '../../functions/local/fake-wechat-pay';
import { NotificationRejected, type AgreementChannel, type NotificationProblem } from '../../functions/payments/channel';
import { createWechatPayChannel, PAPAY_MINI_PROGRAM_APPID } from '../../functions/payments/wechat';

let fake: FakeWechatPay;
let impostor: FakeWechatPay;
let agreements: AgreementChannel;

beforeAll(async () => {
  fake = await startFakeWechatPay();
  // The same merchant and serial, another platform key: what a forger with our configuration could sign.
  impostor = await startFakeWechatPay({ merchant: fake.config, platformSerial: fake.platformSerial });
  agreements = createWechatPayChannel(fake.config).agreements!;
});
afterAll(async () => {
  await fake?.close();
  await impostor?.close();
});

let codes = 0;
const newCode = () => `Atest${process.pid}x${++codes}`;

function contract(overrides: Record<string, unknown> = {}) {
  return { mchid: fake.config.mchId, appid: fake.config.appId, plan_id: fake.config.papayPlanId, out_contract_code: 'Acode1', contract_id: '2026000000001', contract_state: 'ADDED', openid: 'o-payer', ...overrides };
}

const verify = (notification: { headers: Record<string, string>; rawBody: string }) => agreements.verifyNotification({ ...notification, now: new Date() });

describe('WeChat Pay papay agreements', () => {
  it('a channel without a deduction plan offers no agreements', () => {
    const { papayPlanId: _plan, ...withoutPlan } = fake.config;
    expect(createWechatPayChannel(withoutPlan).agreements).toBeUndefined();
  });

  it('signs (the signing mini-program and its pre-sign id), queries, deducts and cancels against the platform', async () => {
    const code = newCode();
    const signing = await agreements.sign({ agreementCode: code, accountNo: '20260001', displayAccount: '校园卡 0001', notifyUrl: 'http://127.0.0.1:9/agreements/notify' });
    expect(signing).toMatchObject({ channel: 'wechat', navigateToMiniProgram: { appId: PAPAY_MINI_PROGRAM_APPID, extraData: { pre_entrustweb_id: expect.stringMatching(/^pre/) } } });
    expect(await agreements.query(code)).toEqual({ state: 'not_found' });
    await fake.signContract(code, { openid: 'o-papay-1', notify: false });
    const active = await agreements.query(code);
    expect(active).toMatchObject({ state: 'active', payerId: 'o-papay-1', platformAgreementId: expect.any(String) });
    const contractId = (active as { platformAgreementId: string }).platformAgreementId;

    fake.deductBehaviour('hold');
    const orderId = `R${code}`.slice(0, 32);
    expect(await agreements.deduct({ orderId, platformAgreementId: contractId, amountFen: 1_000, description: '校园卡自动充值 10.00 元', notifyUrl: 'http://127.0.0.1:9/notify' })).toEqual({ state: 'accepted' });
    expect(fake.orders().find((order) => order.outTradeNo === orderId)).toMatchObject({ amountFen: 1_000, payerOpenId: 'o-papay-1', tradeState: 'NOTPAY' });
    fake.deductBehaviour('refuse');
    expect(await agreements.deduct({ orderId: `${orderId.slice(0, 30)}r2`, platformAgreementId: contractId, amountFen: 1_000, description: '校园卡自动充值', notifyUrl: 'http://127.0.0.1:9/notify' })).toEqual({ state: 'refused', platformCode: 'NOTENOUGH' });
    fake.deductBehaviour('pay');

    await agreements.cancel({ agreementCode: code, platformAgreementId: contractId, reason: 'test' });
    expect(await agreements.query(code)).toMatchObject({ state: 'cancelled' });
    // Cancelling again (an earlier answer lost): already ended is what was wanted.
    await agreements.cancel({ agreementCode: code, platformAgreementId: contractId, reason: 'test' });
    expect(await agreements.deduct({ orderId: `${orderId.slice(0, 30)}r3`, platformAgreementId: contractId, amountFen: 1_000, description: '校园卡自动充值', notifyUrl: 'http://127.0.0.1:9/notify' })).toEqual({
      state: 'refused',
      platformCode: 'CONTRACT_NOT_EXIST',
    });
  });

  it('the local demo signs through a loopback-only button', async () => {
    const code = newCode();
    await agreements.sign({ agreementCode: code, accountNo: '20260002', displayAccount: '校园卡 0002', notifyUrl: 'http://127.0.0.1:9/agreements/notify' });
    const pressed = await fetch(`${fake.baseUrl}/__fake/papay/sign/${code}`, { method: 'POST' }).catch(() => undefined);
    // The notify_url is not listening: the contract is signed all the same, its notification just fails.
    expect(pressed?.status ?? 0).not.toBe(404);
    expect(fake.contracts().find((contract) => contract.outContractCode === code)?.state).toBe('ADDED');
  });

  it('believes a genuine signing and termination notice', async () => {
    expect(await verify(fake.signNotification(contract(), { eventType: 'PAPAY.SIGN', id: 'n-1' }))).toMatchObject({
      channel: 'wechat',
      agreementCode: 'Acode1',
      state: 'active',
      platformAgreementId: '2026000000001',
      payerId: 'o-payer',
      notificationId: 'n-1',
    });
    expect(await verify(fake.signNotification(contract({ contract_state: 'TERMINATED' }), { eventType: 'PAPAY.TERMINATE' }))).toMatchObject({ state: 'cancelled' });
  });

  const stale = Math.floor(Date.now() / 1000) - 301;
  it.each<[string, () => { headers: Record<string, string>; rawBody: string }, NotificationProblem]>([
    ['a body changed after signing', () => fake.signNotification(contract(), { eventType: 'PAPAY.SIGN', tamper: 'body-after-signing' }), 'SIGNATURE_INVALID'],
    ['signed by another platform key', () => impostor.signNotification(contract(), { eventType: 'PAPAY.SIGN' }), 'SIGNATURE_INVALID'],
    ['a wrong GCM tag', () => fake.signNotification(contract(), { eventType: 'PAPAY.SIGN', tamper: 'auth-tag' }), 'DECRYPTION_FAILED'],
    ['other associated data', () => fake.signNotification(contract(), { eventType: 'PAPAY.SIGN', tamper: 'associated-data' }), 'DECRYPTION_FAILED'],
    ['another nonce', () => fake.signNotification(contract(), { eventType: 'PAPAY.SIGN', tamper: 'nonce' }), 'DECRYPTION_FAILED'],
    ['a stale timestamp', () => fake.signNotification(contract(), { eventType: 'PAPAY.SIGN', timestamp: stale } as NotificationOptions), 'TIMESTAMP_OUT_OF_WINDOW'],
    ['an unknown serial', () => fake.signNotification(contract(), { eventType: 'PAPAY.SIGN', serial: 'PUB_KEY_ID_0000' } as NotificationOptions), 'UNKNOWN_CERTIFICATE'],
    ['another merchant', () => fake.signNotification(contract({ mchid: '1999999999' }), { eventType: 'PAPAY.SIGN' }), 'NOT_OUR_MERCHANT'],
    ['another app', () => fake.signNotification(contract({ appid: 'wx0000000000000000' }), { eventType: 'PAPAY.SIGN' }), 'NOT_OUR_APP'],
    ['another deduction plan', () => fake.signNotification(contract({ plan_id: '99999' }), { eventType: 'PAPAY.SIGN' }), 'NOT_OUR_APP'],
    ['a payment notification, not a contract one', () => fake.signNotification(contract(), { eventType: 'TRANSACTION.SUCCESS' }), 'MALFORMED'],
    ['an unknown contract state', () => fake.signNotification(contract({ contract_state: 'PAUSED' }), { eventType: 'PAPAY.SIGN' }), 'MALFORMED'],
  ])('refuses %s', async (_what, make, problem) => {
    const refusal = await verify(make()).catch((error: unknown) => error);
    expect(refusal).toBeInstanceOf(NotificationRejected);
    expect((refusal as NotificationRejected).problem).toBe(problem);
  });
});
