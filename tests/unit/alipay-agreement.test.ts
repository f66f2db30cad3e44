/** Alipay 商户代扣 behind the channel interface, against the fake open platform with real RSA2 on both sides. */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateRsa2KeyPair, signFormFields, startFakeAlipay, type FakeAlipay } from '../../functions/local/fake-alipay';
import { createAlipayChannel } from '../../functions/payments/alipay';
import { NotificationRejected, PlatformCallFailed, type AgreementChannel, type NotificationProblem } from '../../functions/payments/channel';

let fake: FakeAlipay;
let agreements: AgreementChannel;
let forgerKey: string;
/** A notify_url that listens, keeping what it is sent. */
let receiver: Server;
let notifyUrl: string;
const received: string[] = [];

beforeAll(async () => {
  fake = await startFakeAlipay();
  agreements = createAlipayChannel(fake.config).agreements!;
  forgerKey = (await generateRsa2KeyPair()).privateKeyPem;
  receiver = createServer((request, response) => {
    let body = '';
    request.on('data', (chunk: Buffer) => (body += chunk.toString('utf8')));
    request.on('end', () => {
      received.push(body);
      response.writeHead(200, { 'content-type': 'text/plain' });
      response.end('success');
    });
  });
  await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
  notifyUrl = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/notify`;
});
afterAll(async () => {
  await fake?.close();
  await new Promise((resolve) => receiver?.close(resolve));
});

let codes = 0;
const newCode = () => `A${process.pid}x${++codes}${Date.now().toString(36)}`.slice(0, 32);

/** The holder opens the signing page (as the mini-program's my.ap.navigateToAlipayPage would). */
async function openSigningPage(code: string): Promise<{ url: URL; page: Response }> {
  const signing = await agreements.sign({ agreementCode: code, accountNo: '20260001', displayAccount: '校园卡 0001', notifyUrl });
  expect(signing.channel).toBe('alipay');
  const url = new URL((signing as { signUrl: string }).signUrl);
  return { url, page: await fetch(url) };
}

function notice(overrides: Record<string, string | undefined> = {}): Record<string, string> {
  const fields: Record<string, string | undefined> = {
    notify_type: 'dut_user_sign',
    notify_id: 'n-alipay-1',
    notify_time: '2026-12-01 10:00:05',
    app_id: fake.config.appId,
    partner_id: fake.config.sellerId,
    charset: 'utf-8',
    version: '1.0',
    external_agreement_no: 'Acode1',
    agreement_no: '20260000000000000001',
    personal_product_code: 'GENERAL_WITHHOLDING_P',
    sign_scene: fake.config.agreementSignScene,
    alipay_user_id: '2088000000000001',
    status: 'NORMAL',
    sign_time: '2026-12-01 10:00:00',
    ...overrides,
  };
  return Object.fromEntries(Object.entries(fields).filter((entry): entry is [string, string] => entry[1] !== undefined));
}

const verify = (rawBody: string) => agreements.verifyNotification({ headers: { 'content-type': 'application/x-www-form-urlencoded' }, rawBody, now: new Date() });

describe('Alipay 商户代扣 agreements', () => {
  it('a channel without a signing scene offers no agreements', () => {
    const { agreementSignScene: _scene, ...withoutScene } = fake.config;
    expect(createAlipayChannel(withoutScene).agreements).toBeUndefined();
  });

  it('the sign URL is a signed page request on the gateway, with our agreement code, product, scene and notify_url', async () => {
    const code = newCode();
    const { url, page } = await openSigningPage(code);
    expect(`${url.origin}${url.pathname}`).toBe(fake.gatewayUrl);
    expect(url.searchParams.get('method')).toBe('alipay.user.agreement.page.sign');
    expect(url.searchParams.get('notify_url')).toBe(notifyUrl);
    expect(url.searchParams.get('sign_type')).toBe('RSA2');
    expect(JSON.parse(url.searchParams.get('biz_content')!)).toEqual({
      personal_product_code: 'GENERAL_WITHHOLDING_P',
      sign_scene: fake.config.agreementSignScene,
      external_agreement_no: code,
      external_logon_id: '校园卡 0001',
      access_params: { channel: 'ALIPAYAPP' },
    });
    expect(page.status).toBe(200);
    expect(await page.text()).toContain('同意协议并开通');
    expect(fake.agreements().find((a) => a.externalAgreementNo === code)).toMatchObject({ status: 'TEMP', notifyUrl });
    // A page URL changed after signing is refused by the gateway.
    const tampered = new URL(url);
    tampered.searchParams.set('notify_url', 'http://127.0.0.1:9/elsewhere');
    expect((await fetch(tampered)).status).toBe(400);
  });

  it('queries: not_found before signing (and while only opened), active once signed, cancelled once unsigned', async () => {
    const code = newCode();
    expect(await agreements.query(code)).toEqual({ state: 'not_found' });
    await openSigningPage(code);
    expect(await agreements.query(code)).toEqual({ state: 'not_found' });
    const before = received.length;
    expect(await fake.signAgreement(code, { userId: '2088000000000042' })).toBe(200);
    expect(received.length).toBe(before + 1);
    expect(new URLSearchParams(received.at(-1)!).get('notify_type')).toBe('dut_user_sign');
    const active = await agreements.query(code);
    expect(active).toMatchObject({ state: 'active', payerId: '2088000000000042', platformAgreementId: expect.stringMatching(/^\d{20}$/), at: expect.stringMatching(/\+08:00$/) });
    expect(await fake.unsignAgreement(code)).toBe(200);
    expect(new URLSearchParams(received.at(-1)!).get('notify_type')).toBe('dut_user_unsign');
    expect(await agreements.query(code)).toMatchObject({ state: 'cancelled', platformAgreementId: (active as { platformAgreementId: string }).platformAgreementId });
  });

  it('unsigns at Alipay, and unsigning again (an answer lost, or ended by the holder) is fine', async () => {
    const code = newCode();
    await openSigningPage(code);
    await fake.signAgreement(code, { notify: false });
    const { platformAgreementId } = (await agreements.query(code)) as { platformAgreementId: string };
    await agreements.cancel({ agreementCode: code, platformAgreementId, reason: 'test' });
    expect(fake.agreements().find((a) => a.externalAgreementNo === code)?.status).toBe('UNSIGN');
    expect(await agreements.query(code)).toMatchObject({ state: 'cancelled' });
    await agreements.cancel({ agreementCode: code, platformAgreementId, reason: 'test' });
    await expect(agreements.cancel({ agreementCode: code, platformAgreementId: '20269999999999999999', reason: 'test' })).resolves.toBeUndefined();
  });

  it('deducts: accepted (paid, then notified; queryable), held (10003), refused with the sub_code, and fails when Alipay cannot say', async () => {
    const code = newCode();
    await openSigningPage(code);
    await fake.signAgreement(code, { userId: '2088000000000077', notify: false });
    const { platformAgreementId } = (await agreements.query(code)) as { platformAgreementId: string };
    const channel = createAlipayChannel(fake.config);
    const orderId = `R${code}`.slice(0, 30);
    const calls = fake.deductCalls();
    expect(await agreements.deduct({ orderId: `${orderId}p1`, platformAgreementId, amountFen: 1_001, description: '校园卡自动充值 10.01 元', notifyUrl })).toEqual({ state: 'accepted' });
    expect(fake.deductCalls()).toBe(calls + 1);
    const deducted = fake.requests.at(-1)!;
    expect(deducted.notify_url).toBe(notifyUrl);
    expect(JSON.parse(deducted.biz_content!)).toMatchObject({ out_trade_no: `${orderId}p1`, product_code: 'GENERAL_WITHHOLDING', total_amount: '10.01', agreement_params: { agreement_no: platformAgreementId } });
    expect(await channel.query(`${orderId}p1`)).toMatchObject({ state: 'paid', amountFen: 1_001, payerId: '2088000000000077' });
    // Its payment notification is an ordinary one, believed by the payment path.
    for (let i = 0; i < 50 && !fake.notifications.some((n) => n.outTradeNo === `${orderId}p1`); i++) await new Promise((resolve) => setTimeout(resolve, 20));
    const paidNotice = fake.notifications.find((n) => n.outTradeNo === `${orderId}p1`)!;
    expect(await channel.verifyNotification({ headers: {}, rawBody: paidNotice.body, now: new Date() })).toMatchObject({ channel: 'alipay', orderId: `${orderId}p1`, state: 'paid', amountFen: 1_001 });
    // The same order again (an answer lost): accepted the first time.
    expect(await agreements.deduct({ orderId: `${orderId}p1`, platformAgreementId, amountFen: 1_001, description: '校园卡自动充值', notifyUrl })).toEqual({ state: 'accepted' });

    fake.deductBehaviour('hold');
    try {
      expect(await agreements.deduct({ orderId: `${orderId}h1`, platformAgreementId, amountFen: 1_000, description: '校园卡自动充值', notifyUrl })).toEqual({ state: 'accepted' });
      expect(await channel.query(`${orderId}h1`)).toMatchObject({ state: 'pending' });
      fake.deductBehaviour('refuse');
      expect(await agreements.deduct({ orderId: `${orderId}r1`, platformAgreementId, amountFen: 1_000, description: '校园卡自动充值', notifyUrl })).toEqual({ state: 'refused', platformCode: 'ACQ.BUYER_BALANCE_NOT_ENOUGH' });
    } finally {
      fake.deductBehaviour('pay');
    }
    // Outage (20000): unknown whether it was taken.
    fake.setDown(true);
    try {
      await expect(agreements.deduct({ orderId: `${orderId}d1`, platformAgreementId, amountFen: 1_000, description: '校园卡自动充值', notifyUrl })).rejects.toBeInstanceOf(PlatformCallFailed);
      await expect(agreements.query(code)).rejects.toBeInstanceOf(PlatformCallFailed);
    } finally {
      fake.setDown(false);
    }
    // An answer not signed by Alipay is not believed.
    fake.signAnswersWith(forgerKey);
    try {
      await expect(agreements.deduct({ orderId: `${orderId}f1`, platformAgreementId, amountFen: 1_000, description: '校园卡自动充值', notifyUrl })).rejects.toBeInstanceOf(PlatformCallFailed);
      await expect(agreements.query(code)).rejects.toBeInstanceOf(PlatformCallFailed);
    } finally {
      fake.signAnswersWith(undefined);
    }
    // Ended: Alipay refuses to deduct under it.
    await agreements.cancel({ agreementCode: code, platformAgreementId, reason: 'test' });
    expect(await agreements.deduct({ orderId: `${orderId}x1`, platformAgreementId, amountFen: 1_000, description: '校园卡自动充值', notifyUrl })).toEqual({ state: 'refused', platformCode: 'ACQ.AGREEMENT_INVALID' });
    expect(await agreements.deduct({ orderId: `${orderId}x2`, platformAgreementId: '20269999999999999999', amountFen: 1_000, description: '校园卡自动充值', notifyUrl })).toEqual({ state: 'refused', platformCode: 'ACQ.AGREEMENT_NOT_EXIST' });
  });

  it('the local demo signs through a loopback-only control', async () => {
    const code = newCode();
    await openSigningPage(code);
    const pressed = await fetch(`${new URL(fake.gatewayUrl).origin}/__fake/agreement/sign/${code}`, { method: 'POST' });
    expect(pressed.status).toBe(200);
    expect(fake.agreements().find((a) => a.externalAgreementNo === code)?.status).toBe('NORMAL');
  });

  it('believes a genuine signing and unsigning notice, and a replay alike (the same notify_id)', async () => {
    const body = fake.signNotification(notice());
    const event = {
      channel: 'alipay',
      agreementCode: 'Acode1',
      state: 'active',
      platformAgreementId: '20260000000000000001',
      payerId: '2088000000000001',
      at: '2026-12-01T10:00:00+08:00',
      notificationId: 'n-alipay-1',
    };
    expect(await verify(body)).toEqual(event);
    expect(await verify(body)).toEqual(event);
    expect(await verify(fake.signNotification(notice({ notify_type: 'dut_user_unsign', status: 'UNSIGN', unsign_time: '2026-12-02 09:00:00', notify_id: 'n-alipay-2' })))).toMatchObject({
      state: 'cancelled',
      platformAgreementId: '20260000000000000001',
      at: '2026-12-02T09:00:00+08:00',
      notificationId: 'n-alipay-2',
    });
  });

  it.each<[string, () => string, NotificationProblem]>([
    ['signed by another key', () => signFormFields(notice(), forgerKey), 'SIGNATURE_INVALID'],
    ['a field changed after signing', () => fake.signNotification(notice()).replace('status=NORMAL', 'status=UNSIGN'), 'SIGNATURE_INVALID'],
    ['unsigned', () => new URLSearchParams(notice()).toString(), 'SIGNATURE_INVALID'],
    ['sign_type RSA (SHA-1)', () => fake.signNotification({ ...notice(), sign_type: 'RSA' }), 'SIGNATURE_INVALID'],
    ['another app', () => fake.signNotification(notice({ app_id: '2021000000000000' })), 'NOT_OUR_APP'],
    ['another merchant', () => fake.signNotification(notice({ partner_id: '2088999999999999' })), 'NOT_OUR_MERCHANT'],
    ['another signing scene', () => fake.signNotification(notice({ sign_scene: 'INDUSTRY|DIGITAL_MEDIA' })), 'NOT_OUR_APP'],
    ['another product', () => fake.signNotification(notice({ personal_product_code: 'CYCLE_PAY_AUTH_P' })), 'NOT_OUR_APP'],
    ['a payment notification, not an agreement one', () => fake.signNotification(notice({ notify_type: 'trade_status_sync' })), 'MALFORMED'],
    ['a signing notice that is not NORMAL', () => fake.signNotification(notice({ status: 'TEMP' })), 'MALFORMED'],
    ['no agreement_no', () => fake.signNotification(notice({ agreement_no: undefined })), 'MALFORMED'],
    ['no external_agreement_no', () => fake.signNotification(notice({ external_agreement_no: undefined })), 'MALFORMED'],
    ['a field twice', () => `${fake.signNotification(notice())}&status=UNSIGN`, 'MALFORMED'],
  ])('refuses %s', async (_what, make, problem) => {
    const refusal = await verify(make()).catch((error: unknown) => error);
    expect(refusal).toBeInstanceOf(NotificationRejected);
    expect((refusal as NotificationRejected).problem).toBe(problem);
  });
});
