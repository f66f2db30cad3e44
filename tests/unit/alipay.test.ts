import { createPrivateKey } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateRsa2KeyPair, signFormFields, startFakeAlipay, type FakeAlipay } from '../../functions/local/fake-alipay';
import { createAlipayChannel } from '../../functions/payments/alipay';
import { NotificationRejected, PlatformCallFailed, type NotificationProblem, type PaymentChannel, type PaymentEvent } from '../../functions/payments/channel';

let fake: FakeAlipay;
let channel: PaymentChannel;
let otherKeys: { privateKeyPem: string; publicKeyPem: string };
let receiver: Server;
let notifyUrl: string;
const received: PaymentEvent[] = [];

/** Our notification endpoint in miniature: verify, remember, answer as the channel says. */
function startReceiver(): Promise<Server> {
  const server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      const rawBody = Buffer.concat(chunks).toString('utf8');
      channel
        .verifyNotification({ headers: { 'content-type': request.headers['content-type'] }, rawBody, now: new Date() })
        .then((event) => (received.push(event), true))
        .catch(() => false)
        .then((ok) => {
          const answer = channel.answer(ok);
          response.writeHead(answer.status, { 'content-type': answer.contentType });
          response.end(answer.body);
        });
    });
  });
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve(server)));
}

beforeAll(async () => {
  [fake, otherKeys] = await Promise.all([startFakeAlipay(), generateRsa2KeyPair()]);
  channel = createAlipayChannel(fake.config);
  receiver = await startReceiver();
  notifyUrl = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/v1/payments/alipay/notify`;
});

afterAll(async () => {
  await fake?.close();
  await new Promise((resolve) => receiver?.close(resolve));
});

/** A notification as Alipay sends it for a paid order of ours. */
function paidFields(overrides: Record<string, string> = {}): Record<string, string> {
  return {
    notify_time: '2026-11-23 12:00:05',
    notify_type: 'trade_status_sync',
    notify_id: '2026112300222120005012340512345678',
    app_id: fake.config.appId,
    auth_app_id: fake.config.appId,
    charset: 'utf-8',
    version: '1.0',
    sign_type: 'RSA2',
    trade_no: '2026112322001412345678901234',
    out_trade_no: 'T20261123ABC',
    buyer_id: '2088102177846880',
    seller_id: fake.config.sellerId,
    total_amount: '50.00',
    receipt_amount: '50.00',
    buyer_pay_amount: '50.00',
    trade_status: 'TRADE_SUCCESS',
    gmt_create: '2026-11-23 12:00:00',
    gmt_payment: '2026-11-23 12:00:04',
    subject: '校园卡充值 50.00 元',
    ...overrides,
  };
}

const verify = (rawBody: string) =>
  channel.verifyNotification({ headers: { 'content-type': 'application/x-www-form-urlencoded; charset=utf-8' }, rawBody, now: new Date() });

/** Changes one field of a signed body without re-signing it. */
function tamper(body: string, change: (form: URLSearchParams) => void): string {
  const form = new URLSearchParams(body);
  change(form);
  return form.toString();
}

async function problemOf(rawBody: string): Promise<NotificationProblem | 'accepted'> {
  try {
    await verify(rawBody);
    return 'accepted';
  } catch (error) {
    if (error instanceof NotificationRejected) return error.problem;
    throw error;
  }
}

/** Beijing wall-clock time by the platform's time zone database, independent of the code under test. */
function beijing(date: Date): string {
  return new Intl.DateTimeFormat('sv-SE', {
    timeZone: 'Asia/Shanghai',
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
    hour: '2-digit',
    minute: '2-digit',
    second: '2-digit',
    hourCycle: 'h23',
  }).format(date);
}

let orderSeq = 0;
const newOrderId = () => `T${Date.now()}${(orderSeq++).toString().padStart(4, '0')}`;

function topup(orderId: string, amountFen = 5_000) {
  return { orderId, amountFen, description: `校园卡充值 100% 到账`, payerId: '2088102177846880', notifyUrl, expiresAt: new Date(Date.now() + 15 * 60_000) };
}

describe('Alipay notifications', () => {
  it.each([
    ['50.00', 5_000],
    ['0.01', 1],
    ['999.00', 99_900],
    ['1234.56', 123_456],
  ])('a genuine notification of %s yuan verifies to paid, %i fen', async (totalAmount, amountFen) => {
    const event = await verify(fake.signNotification(paidFields({ total_amount: totalAmount })));
    expect(event).toEqual({
      channel: 'alipay',
      state: 'paid',
      orderId: 'T20261123ABC',
      platformTxnId: '2026112322001412345678901234',
      amountFen,
      notificationId: '2026112300222120005012340512345678',
      payerId: '2088102177846880',
      paidAt: '2026-11-23T12:00:04+08:00',
    });
  });

  it.each([
    ['TRADE_FINISHED', 'paid'],
    ['WAIT_BUYER_PAY', 'pending'],
    ['TRADE_CLOSED', 'closed'],
  ])('trade_status %s → %s', async (tradeStatus, state) => {
    const event = await verify(fake.signNotification(paidFields({ trade_status: tradeStatus })));
    expect(event.state).toBe(state);
    if (state !== 'paid') expect(event).toEqual({ channel: 'alipay', orderId: 'T20261123ABC', state, notificationId: '2026112300222120005012340512345678' });
  });

  // The old checkNotifySign URL-decodes values a second time: a '%' throws and '+' or '%2B' change meaning.
  it.each(['校园卡充值 100% 到账', '充值 50%25 & a=b+c', '中文，标点；全角％'])('a value with a percent sign or Chinese text round-trips: %s', async (subject) => {
    const body = fake.signNotification(paidFields({ subject }));
    await expect(verify(body)).resolves.toMatchObject({ state: 'paid', amountFen: 5_000 });
  });

  it.each<[string, NotificationProblem, () => string]>([
    ['amount changed after signing', 'SIGNATURE_INVALID', () => tamper(fake.signNotification(paidFields()), (f) => f.set('total_amount', '500.00'))],
    ['out_trade_no changed after signing', 'SIGNATURE_INVALID', () => tamper(fake.signNotification(paidFields()), (f) => f.set('out_trade_no', 'T20261123XYZ'))],
    ['trade_status changed after signing', 'SIGNATURE_INVALID', () => tamper(fake.signNotification(paidFields({ trade_status: 'WAIT_BUYER_PAY' })), (f) => f.set('trade_status', 'TRADE_SUCCESS'))],
    ['a field added after signing', 'SIGNATURE_INVALID', () => tamper(fake.signNotification(paidFields()), (f) => f.append('refund_fee', '0.00'))],
    ['signed with another key', 'SIGNATURE_INVALID', () => signFormFields(paidFields(), otherKeys.privateKeyPem)],
    // Unsigned is treated as a forgery (SIGNATURE_INVALID), not as a formatting slip (MALFORMED).
    ['sign missing', 'SIGNATURE_INVALID', () => tamper(fake.signNotification(paidFields()), (f) => f.delete('sign'))],
    ['sign empty', 'SIGNATURE_INVALID', () => tamper(fake.signNotification(paidFields()), (f) => f.set('sign', ''))],
    ['sign_type RSA (SHA-1 downgrade)', 'SIGNATURE_INVALID', () => tamper(fake.signNotification(paidFields()), (f) => f.set('sign_type', 'RSA'))],
    ['sign_type unknown', 'SIGNATURE_INVALID', () => tamper(fake.signNotification(paidFields()), (f) => f.set('sign_type', 'SM2'))],
    ['an empty body', 'SIGNATURE_INVALID', () => ''],
    ['a JSON body', 'SIGNATURE_INVALID', () => JSON.stringify(paidFields())],
    ['another app_id', 'NOT_OUR_APP', () => fake.signNotification(paidFields({ app_id: '2021009999999999' }))],
    ['another seller_id', 'NOT_OUR_MERCHANT', () => fake.signNotification(paidFields({ seller_id: '2088009999999999' }))],
    ['total_amount 50.001', 'MALFORMED', () => fake.signNotification(paidFields({ total_amount: '50.001' }))],
    ['total_amount -1', 'MALFORMED', () => fake.signNotification(paidFields({ total_amount: '-1' }))],
    ['total_amount 50 (not two decimals)', 'MALFORMED', () => fake.signNotification(paidFields({ total_amount: '50' }))],
    ['total_amount 1e3', 'MALFORMED', () => fake.signNotification(paidFields({ total_amount: '1e3' }))],
    ['out_trade_no missing', 'MALFORMED', () => fake.signNotification(Object.fromEntries(Object.entries(paidFields()).filter(([k]) => k !== 'out_trade_no')))],
    ['notify_id missing', 'MALFORMED', () => fake.signNotification(Object.fromEntries(Object.entries(paidFields()).filter(([k]) => k !== 'notify_id')))],
    ['an unknown trade_status', 'MALFORMED', () => fake.signNotification(paidFields({ trade_status: 'TRADE_PENDING' }))],
    ['another notify_type', 'MALFORMED', () => fake.signNotification(paidFields({ notify_type: 'open_public_message' }))],
    ['a field twice', 'MALFORMED', () => `${fake.signNotification(paidFields())}&total_amount=50.00`],
  ])('%s → %s', async (_name, problem, body) => {
    expect(await problemOf(body())).toBe(problem);
  });

  it('answers "success" to keep, anything else (400 "fail") to be sent again', () => {
    expect(channel.answer(true)).toEqual({ status: 200, contentType: 'text/plain; charset=utf-8', body: 'success' });
    expect(channel.answer(false)).toEqual({ status: 400, contentType: 'text/plain; charset=utf-8', body: 'fail' });
  });
});

describe('Alipay channel against the fake gateway', () => {
  it('create → pending → the buyer pays → notified and paid, exact amount', async () => {
    const orderId = newOrderId();
    const created = await channel.createTopup(topup(orderId, 5_001));
    expect(created).toEqual({ channel: 'alipay', tradeNo: expect.stringMatching(/^\d{28}$/) });
    const tradeNo = created.channel === 'alipay' ? created.tradeNo : '';

    const sent = fake.requests.at(-1)!;
    expect(sent).toMatchObject({ method: 'alipay.trade.create', app_id: fake.config.appId, sign_type: 'RSA2', notify_url: notifyUrl });
    expect(JSON.parse(sent.biz_content!)).toEqual({
      out_trade_no: orderId,
      total_amount: '50.01',
      subject: '校园卡充值 100% 到账',
      product_code: 'JSAPI_PAY',
      buyer_id: '2088102177846880',
      op_app_id: fake.config.appId,
      time_expire: expect.stringMatching(/^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}$/),
    });

    await expect(channel.query(orderId)).resolves.toEqual({ channel: 'alipay', orderId, state: 'pending' });

    expect(await fake.pay(orderId)).toBe(200);
    expect(fake.notifications.at(-1)).toMatchObject({ outTradeNo: orderId, answerStatus: 200, answerBody: 'success' });
    expect(received.at(-1)).toMatchObject({ channel: 'alipay', orderId, state: 'paid', platformTxnId: tradeNo, amountFen: 5_001, payerId: '2088102177846880' });

    await expect(channel.query(orderId)).resolves.toEqual({
      channel: 'alipay',
      orderId,
      state: 'paid',
      platformTxnId: tradeNo,
      amountFen: 5_001,
      payerId: '2088102177846880',
      paidAt: expect.stringMatching(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\+08:00$/),
    });

    // Alipay's retry of the same notification carries the same notify_id: the top-up service dedupes on it.
    expect(await fake.pay(orderId)).toBe(200);
    expect(received.at(-1)!.notificationId).toBe(received.at(-2)!.notificationId);
  });

  it('an order Alipay never heard of is pending, with no platform transaction id', async () => {
    const orderId = newOrderId();
    await expect(channel.query(orderId)).resolves.toEqual({ channel: 'alipay', orderId, state: 'pending' });
  });

  it("Alipay's refusal comes back as a value and is thrown as PlatformCallFailed", async () => {
    const orderId = newOrderId();
    await channel.createTopup(topup(orderId, 1_000));
    await expect(channel.createTopup(topup(orderId, 2_000))).rejects.toThrow(/ACQ\.CONTEXT_INCONSISTENT/);
    await expect(channel.createTopup(topup(orderId, 2_000))).rejects.toBeInstanceOf(PlatformCallFailed);
  });

  it('an answer signed with another "Alipay" key is refused (validateSign)', async () => {
    const orderId = newOrderId();
    await channel.createTopup(topup(orderId));
    fake.signAnswersWith(otherKeys.privateKeyPem);
    try {
      await expect(channel.createTopup(topup(newOrderId()))).rejects.toBeInstanceOf(PlatformCallFailed);
      await expect(channel.query(orderId)).rejects.toBeInstanceOf(PlatformCallFailed);
      await expect(channel.query(newOrderId())).rejects.toBeInstanceOf(PlatformCallFailed); // even "not exist" must be signed
    } finally {
      fake.signAnswersWith(undefined);
    }
    await expect(channel.query(orderId)).resolves.toMatchObject({ state: 'pending' });
  });

  it('a request signed with a key that is not our app key is refused by the gateway', async () => {
    const impostor = createAlipayChannel({ ...fake.config, appPrivateKeyPem: otherKeys.privateKeyPem });
    const before = fake.requests.length;
    await expect(impostor.createTopup(topup(newOrderId()))).rejects.toThrow(/40002 Invalid Arguments isv\.invalid-signature/);
    await expect(impostor.query(newOrderId())).rejects.toBeInstanceOf(PlatformCallFailed);
    expect(fake.requests.length).toBe(before);
  });

  it('stamps requests and time_expire in Beijing time even when the process runs in UTC', async () => {
    const savedTz = process.env.TZ;
    process.env.TZ = 'UTC';
    try {
      expect(new Date(Date.UTC(2026, 10, 23, 4, 0, 0)).getHours()).toBe(4); // the change of zone took effect
      const now = new Date();
      const expiresAt = new Date(now.getTime() + 15 * 60_000);
      const utcChannel = createAlipayChannel(fake.config, () => now);
      const orderId = newOrderId();
      await utcChannel.createTopup({ ...topup(orderId), expiresAt });
      const sent = fake.requests.at(-1)!;
      expect(sent.timestamp).toBe(beijing(now));
      expect(JSON.parse(sent.biz_content!).time_expire).toBe(beijing(expiresAt));
    } finally {
      if (savedTz === undefined) delete process.env.TZ;
      else process.env.TZ = savedTz;
    }
  });

  it('a request stamped more than 15 minutes off Beijing time (as UTC local time would be) is refused by the gateway', async () => {
    const skewed = createAlipayChannel(fake.config, () => new Date(Date.now() - 60 * 60_000));
    await expect(skewed.query(newOrderId())).rejects.toThrow(/isv\.invalid-timestamp/);
  });

  it('the local demo pays an order with POST /__fake/pay/{out_trade_no}', async () => {
    const orderId = newOrderId();
    await channel.createTopup(topup(orderId, 100));
    const base = new URL(fake.gatewayUrl).origin;
    const paid = await fetch(`${base}/__fake/pay/${orderId}`, { method: 'POST' });
    expect(paid.status).toBe(200);
    expect(await paid.json()).toEqual({ outTradeNo: orderId, answerStatus: 200, answerBody: 'success' });
    await expect(channel.query(orderId)).resolves.toMatchObject({ state: 'paid', amountFen: 100 });
    expect((await fetch(`${base}/__fake/pay/T0000000000`, { method: 'POST' })).status).toBe(404);
  });

  it('refunds a paid trade synchronously, once per out_request_no, never more than was paid', async () => {
    const orderId = newOrderId();
    const created = await channel.createTopup(topup(orderId, 3_000));
    const tradeNo = created.channel === 'alipay' ? created.tradeNo : '';
    const request = { orderId, refundId: `R${orderId}`, platformTxnId: tradeNo, amountFen: 3_000, paidFen: 3_000, reason: '测试退款' };
    await expect(channel.refund(request)).rejects.toThrow(/ACQ\.TRADE_STATUS_ERROR/);
    await fake.pay(orderId);
    await expect(channel.refund(request)).resolves.toEqual({ state: 'refunded', refundedAt: expect.stringMatching(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\+08:00$/) });
    expect(fake.requests.at(-1)).toMatchObject({ method: 'alipay.trade.refund' });
    expect(JSON.parse(fake.requests.at(-1)!.biz_content!)).toEqual({ out_trade_no: orderId, trade_no: tradeNo, out_request_no: `R${orderId}`, refund_amount: '30.00', refund_reason: '测试退款' });
    // The same request number again: Alipay answers fund_change N, and the refund query says it was done before.
    await expect(channel.refund(request)).resolves.toMatchObject({ state: 'refunded' });
    expect(fake.requests.at(-1)).toMatchObject({ method: 'alipay.trade.fastpay.refund.query' });
    expect(fake.refunds().filter((r) => r.outTradeNo === orderId)).toEqual([expect.objectContaining({ outRequestNo: `R${orderId}`, refundAmount: '30.00' })]);
    await expect(channel.refund({ ...request, refundId: `S${orderId}`, amountFen: 1 })).rejects.toThrow(/ACQ\.REFUND_AMT_NOT_EQUAL_TOTAL/);
    // Refunded in full: the trade is closed.
    await expect(channel.query(orderId)).resolves.toMatchObject({ state: 'closed' });
  });

  it('a refund while the gateway is down is a failed call, and the same request later makes it once', async () => {
    const orderId = newOrderId();
    const created = await channel.createTopup(topup(orderId, 700));
    await fake.pay(orderId);
    const request = { orderId, refundId: `R${orderId}`, platformTxnId: created.channel === 'alipay' ? created.tradeNo : '', amountFen: 700, paidFen: 700, reason: '测试退款' };
    fake.setDown(true);
    try {
      await expect(channel.refund(request)).rejects.toThrow(/20000 .*isp\.unknow-error/);
    } finally {
      fake.setDown(false);
    }
    expect(fake.refunds().filter((r) => r.outTradeNo === orderId)).toEqual([]);
    await expect(channel.refund(request)).resolves.toMatchObject({ state: 'refunded' });
    expect(fake.refunds().filter((r) => r.outTradeNo === orderId)).toHaveLength(1);
  });

  it('refuses at construction a configuration that could not verify anything', () => {
    expect(() => createAlipayChannel({ ...fake.config, alipayPublicKeyPem: '' })).toThrow(/alipayPublicKeyPem/);
    expect(() => createAlipayChannel({ ...fake.config, appPrivateKeyPem: 'MIIEv…not a key' })).toThrow();
    // A PKCS1 ("RSA PRIVATE KEY") app key is converted, not left to fail at the first payment.
    const pkcs1 = createPrivateKey(fake.config.appPrivateKeyPem).export({ type: 'pkcs1', format: 'pem' }) as string;
    expect(() => createAlipayChannel({ ...fake.config, appPrivateKeyPem: pkcs1 })).not.toThrow();
  });
});
