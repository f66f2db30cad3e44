import { createSign, createVerify, generateKeyPairSync, randomBytes, X509Certificate } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import net, { type AddressInfo } from 'node:net';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import Pay from 'wechatpay-node-v3';
import { startFakeWechatPay, type FakeWechatPay, type NotificationOptions, type SignedNotification } from '../../functions/local/fake-wechat-pay';
import { NotificationRejected, PlatformCallFailed, type NotificationProblem, type PaymentChannel, type PaymentEvent } from '../../functions/payments/channel';
import { createWechatPayChannel } from '../../functions/payments/wechat';

let fake: FakeWechatPay;
/** Serves the same merchant but signs with its own platform key while claiming fake's serial. */
let impostor: FakeWechatPay;
/** Serves the same merchant with a platform key under a serial we never configured. */
let stranger: FakeWechatPay;
let channel: PaymentChannel;
let notifyServer: Server;
let notifyUrl: string;
/** What our notify_url made of each notification it received. */
const delivered: Array<{ event?: PaymentEvent; problem?: NotificationProblem }> = [];

beforeAll(async () => {
  fake = await startFakeWechatPay();
  impostor = await startFakeWechatPay({ merchant: fake.config, platformSerial: fake.platformSerial });
  stranger = await startFakeWechatPay({ merchant: fake.config });
  channel = createWechatPayChannel(fake.config);
  // Our notify_url, as the top-up service would run it: raw body in, the channel's answer out.
  notifyServer = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      const headers = Object.fromEntries(Object.entries(request.headers).map(([name, value]) => [name, Array.isArray(value) ? value.join(',') : value]));
      channel
        .verifyNotification({ headers, rawBody: Buffer.concat(chunks).toString('utf8'), now: new Date() })
        .then(
          (event) => (delivered.push({ event }), channel.answer(true)),
          (error: unknown) => (delivered.push({ problem: (error as NotificationRejected).problem }), channel.answer(false)),
        )
        .then((answer) => response.writeHead(answer.status, { 'content-type': answer.contentType }).end(answer.body));
    });
  });
  await new Promise<void>((resolve) => notifyServer.listen(0, '127.0.0.1', resolve));
  notifyUrl = `http://127.0.0.1:${(notifyServer.address() as AddressInfo).port}/v1/payments/wechat/notify`;
});

afterAll(async () => {
  await Promise.all([fake?.close(), impostor?.close(), stranger?.close()]);
  await new Promise((resolve) => notifyServer?.close(resolve));
});

afterEach(() => {
  vi.restoreAllMocks();
});

function paidTransaction(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    mchid: fake.config.mchId,
    appid: fake.config.appId,
    out_trade_no: 'TOPUP20261123000001',
    transaction_id: '4200000001202611230000000001',
    trade_type: 'JSAPI',
    trade_state: 'SUCCESS',
    trade_state_desc: '支付成功',
    bank_type: 'OTHERS',
    attach: '',
    success_time: '2026-11-23T12:00:00+08:00',
    payer: { openid: 'oPayer0123456789' },
    amount: { total: 5000, payer_total: 5000, currency: 'CNY', payer_currency: 'CNY' },
    ...overrides,
  };
}

const nowSeconds = () => Math.floor(Date.now() / 1000);
const notification = (options: NotificationOptions = {}, resource: object = paidTransaction()) => fake.signNotification(resource, options);

/** A genuine notification whose body is changed and then signed again by the platform (so only the content is wrong). */
function resigned(change: (body: Record<string, unknown>) => unknown): SignedNotification {
  const rawBody = JSON.stringify(change(JSON.parse(notification().rawBody) as Record<string, unknown>));
  return { rawBody, headers: fake.signBody(rawBody) };
}

function verify(signed: SignedNotification, now = new Date()): Promise<PaymentEvent> {
  return channel.verifyNotification({ headers: signed.headers, rawBody: signed.rawBody, now });
}

describe('WeChat Pay notifications', () => {
  it('a genuine notification verifies to a paid event', async () => {
    const signed = notification();
    await expect(verify(signed)).resolves.toEqual({
      channel: 'wechat',
      state: 'paid',
      orderId: 'TOPUP20261123000001',
      platformTxnId: '4200000001202611230000000001',
      amountFen: 5000,
      paidAt: '2026-11-23T12:00:00+08:00',
      payerId: 'oPayer0123456789',
      notificationId: (JSON.parse(signed.rawBody) as { id: string }).id,
    });
  });

  it.each([0, 299, -299, 300, -300])('a timestamp %i s from now is accepted', async (skew) => {
    const now = new Date();
    await expect(verify(notification({ timestamp: Math.floor(now.getTime() / 1000) + skew }), now)).resolves.toMatchObject({ state: 'paid' });
  });

  const unknownSerial = 'PUB_KEY_ID_0199999999999999999999999999';
  it.each<[string, NotificationProblem, () => SignedNotification]>([
    ['body tampered after signing', 'SIGNATURE_INVALID', () => notification({ tamper: 'body-after-signing' })],
    ['signed by another key under our serial', 'SIGNATURE_INVALID', () => impostor.signNotification(paidTransaction())],
    ['headers of one notification, body of another', 'SIGNATURE_INVALID', () => ({ headers: notification().headers, rawBody: notification().rawBody })],
    ['signature that is not base64', 'SIGNATURE_INVALID', () => ({ ...notification(), headers: { ...notification().headers, 'wechatpay-signature': '%%%' } })],
    ['amount changed inside the ciphertext', 'DECRYPTION_FAILED', () => notification({ tamper: 'amount-in-ciphertext' })],
    ['a flipped auth tag byte', 'DECRYPTION_FAILED', () => notification({ tamper: 'auth-tag' })],
    ['wrong associated_data', 'DECRYPTION_FAILED', () => notification({ tamper: 'associated-data' })],
    ['wrong nonce', 'DECRYPTION_FAILED', () => notification({ tamper: 'nonce' })],
    ['ciphertext that is not base64', 'DECRYPTION_FAILED', () => resigned((b) => ({ ...b, resource: { ...(b.resource as object), ciphertext: '!!!' } }))],
    ['timestamp 301 s old', 'TIMESTAMP_OUT_OF_WINDOW', () => notification({ timestamp: nowSeconds() - 301 })],
    ['timestamp 301 s ahead', 'TIMESTAMP_OUT_OF_WINDOW', () => notification({ timestamp: nowSeconds() + 301 })],
    ['timestamp a day old', 'TIMESTAMP_OUT_OF_WINDOW', () => notification({ timestamp: nowSeconds() - 86_400 })],
    ['an unknown serial', 'UNKNOWN_CERTIFICATE', () => notification({ serial: unknownSerial })],
    ['a serial that is an Object.prototype key', 'UNKNOWN_CERTIFICATE', () => notification({ serial: 'toString' })],
    ['a serial from another platform', 'UNKNOWN_CERTIFICATE', () => stranger.signNotification(paidTransaction())],
    ['another merchant', 'NOT_OUR_MERCHANT', () => notification({}, paidTransaction({ mchid: '1900000109' }))],
    ['another app', 'NOT_OUR_APP', () => notification({}, paidTransaction({ appid: 'wxd678efh567hg6787' }))],
    ['no Wechatpay-Signature', 'MALFORMED', () => ({ ...notification(), headers: { ...notification().headers, 'wechatpay-signature': undefined as unknown as string } })],
    ['no headers at all', 'MALFORMED', () => ({ headers: {}, rawBody: notification().rawBody })],
    ['a timestamp that is not a number', 'MALFORMED', () => ({ ...notification(), headers: { ...notification().headers, 'wechatpay-timestamp': '2026-11-23' } })],
    ['another signature type', 'MALFORMED', () => ({ ...notification(), headers: { ...notification().headers, 'wechatpay-signature-type': 'WECHATPAY2-SM2-WITH-SM3' } })],
    ['a signed body that is not JSON', 'MALFORMED', () => ({ rawBody: 'not json', headers: fake.signBody('not json') })],
    ['a signed body without resource', 'MALFORMED', () => resigned(({ resource: _resource, ...rest }) => rest)],
    ['another algorithm', 'MALFORMED', () => resigned((b) => ({ ...b, resource: { ...(b.resource as object), algorithm: 'AEAD_SM4_GCM' } }))],
    ['a refund event', 'MALFORMED', () => resigned((b) => ({ ...b, event_type: 'REFUND.SUCCESS' }))],
    ['a resource that is not a transaction', 'MALFORMED', () => notification({}, { hello: 'world' })],
    ['a paid transaction without transaction_id', 'MALFORMED', () => notification({}, paidTransaction({ transaction_id: undefined }))],
    ['a paid transaction without amount', 'MALFORMED', () => notification({}, paidTransaction({ amount: undefined }))],
    ['an amount in another currency', 'MALFORMED', () => notification({}, paidTransaction({ amount: { total: 5000, currency: 'USD' } }))],
    ['an unknown trade_state', 'MALFORMED', () => notification({}, paidTransaction({ trade_state: 'WHATEVER' }))],
  ])('%s → %s, with no network call', async (_case, problem, make) => {
    const signed = make();
    const fetchSpy = vi.spyOn(globalThis, 'fetch');
    const connectSpy = vi.spyOn(net.Socket.prototype, 'connect');
    const verifySignSpy = vi.spyOn(Pay.prototype, 'verifySign');
    const rejection = await verify(signed).then(
      () => undefined,
      (error: unknown) => error,
    );
    expect(rejection).toBeInstanceOf(NotificationRejected);
    expect(rejection).toMatchObject({ problem });
    // Verifying never reaches out: an unknown serial must not make the SDK download certificates.
    expect(fetchSpy).not.toHaveBeenCalled();
    expect(connectSpy).not.toHaveBeenCalled();
    if (problem === 'UNKNOWN_CERTIFICATE') {
      expect(verifySignSpy).not.toHaveBeenCalled();
      expect(Object.hasOwn((Pay as unknown as { certificates: object }).certificates, signed.headers['wechatpay-serial']!)).toBe(false);
    }
  });

  it("the SDK's own decipher_gcm would have believed the changed amount (why the strict decrypt exists)", () => {
    const body = JSON.parse(notification({ tamper: 'amount-in-ciphertext' }).rawBody) as { resource: { ciphertext: string; associated_data: string; nonce: string } };
    const sdk = new Pay({ appid: fake.config.appId, mchid: fake.config.mchId, serial_no: fake.config.merchantCertSerial, publicKey: Buffer.from(fake.config.merchantCertificatePem), privateKey: Buffer.from(fake.config.merchantPrivateKeyPem) });
    const lax = sdk.decipher_gcm<{ amount: { total: number } }>(body.resource.ciphertext, body.resource.associated_data, body.resource.nonce, fake.config.apiV3Key);
    expect(lax.amount.total).toBe(4000); // '5' ^ 1 = '4'
  });

  it('answers WeChat as it expects', () => {
    expect(channel.answer(true)).toEqual({ status: 200, contentType: 'application/json', body: '{"code":"SUCCESS","message":"成功"}' });
    expect(channel.answer(false)).toEqual({ status: 400, contentType: 'application/json', body: '{"code":"FAIL","message":"失败"}' });
  });
});

describe('WeChat Pay end to end against the fake platform', () => {
  const topup = (orderId: string, amountFen = 5000) => ({
    orderId,
    amountFen,
    description: '校园卡充值 50.00 元',
    payerId: 'oPayer0123456789',
    notifyUrl,
    expiresAt: new Date(Date.now() + 15 * 60_000),
  });
  const orderId = () => `TU${randomBytes(10).toString('hex')}`;

  it('creates a top-up, is pending until paid, then the notification and the query both say paid', async () => {
    const id = orderId();
    const request = topup(id, 5000);
    const created = await channel.createTopup(request);
    if (created.channel !== 'wechat') throw new Error('not a WeChat result');
    const { requestPayment } = created;
    const [order] = fake.orders().filter((o) => o.outTradeNo === id);
    expect(order).toMatchObject({ amountFen: 5000, payerOpenId: 'oPayer0123456789', description: '校园卡充值 50.00 元', notifyUrl, tradeState: 'NOTPAY' });
    expect(order!.timeExpire).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\+08:00$/);
    expect(Date.parse(order!.timeExpire!)).toBe(Math.floor(request.expiresAt.getTime() / 1000) * 1000);

    // What the mini-program gets: paySign is the merchant's RSA-SHA256 over appId, timeStamp, nonceStr, package.
    expect(requestPayment).toMatchObject({ appId: fake.config.appId, package: `prepay_id=${order!.prepayId}`, signType: 'RSA' });
    const merchantPublicKey = new X509Certificate(fake.config.merchantCertificatePem).publicKey;
    const signed = `${requestPayment.appId}\n${requestPayment.timeStamp}\n${requestPayment.nonceStr}\n${requestPayment.package}\n`;
    expect(createVerify('RSA-SHA256').update(signed).verify(merchantPublicKey, requestPayment.paySign, 'base64')).toBe(true);

    await expect(channel.query(id)).resolves.toEqual({ channel: 'wechat', orderId: id, state: 'pending', amountFen: 5000 });

    delivered.length = 0;
    await expect(fake.pay(id)).resolves.toBe(200);
    const paid = fake.orders().find((o) => o.outTradeNo === id)!;
    expect(delivered).toEqual([
      {
        event: {
          channel: 'wechat',
          state: 'paid',
          orderId: id,
          amountFen: 5000,
          platformTxnId: paid.transactionId,
          paidAt: paid.successTime,
          payerId: 'oPayer0123456789',
          notificationId: paid.notificationId,
        },
      },
    ]);
    await expect(channel.query(id)).resolves.toEqual({
      channel: 'wechat',
      orderId: id,
      state: 'paid',
      amountFen: 5000,
      platformTxnId: paid.transactionId,
      paidAt: paid.successTime,
      payerId: 'oPayer0123456789',
    });

    // A WeChat retry is the same notification again, same id: the top-up service must credit once.
    await expect(fake.pay(id)).resolves.toBe(200);
    expect(delivered[1]?.event).toEqual(delivered[0]?.event);
  });

  it('asking again for the same unpaid order gives the same prepay_id', async () => {
    const request = topup(orderId(), 1234);
    const first = await channel.createTopup(request);
    const second = await channel.createTopup(request);
    expect(first.channel === 'wechat' && second.channel === 'wechat' && first.requestPayment.package === second.requestPayment.package).toBe(true);
  });

  it('the demo control route pays an order and reports what the notify_url answered', async () => {
    const id = orderId();
    await channel.createTopup(topup(id, 100));
    const response = await fetch(`${fake.baseUrl}/__fake/pay/${id}`, { method: 'POST' });
    await expect(response.json()).resolves.toEqual({ notifyStatus: 200 });
    await expect(channel.query(id)).resolves.toMatchObject({ state: 'paid', amountFen: 100 });
  });

  it('a closed order queries as closed', async () => {
    const id = orderId();
    await channel.createTopup(topup(id));
    const sdk = rawSdk(fake.config.merchantPrivateKeyPem);
    await expect(sdk.close(id)).resolves.toMatchObject({ status: 204 });
    await expect(channel.query(id)).resolves.toMatchObject({ orderId: id, state: 'closed' });
    await expect(fake.pay(id)).rejects.toThrow(/closed/);
  });

  it('an order WeChat does not know (its create call never arrived) is not paid: pending, closed by the reconciler at its pay-by time', async () => {
    const id = orderId();
    await expect(channel.query(id)).resolves.toEqual({ channel: 'wechat', orderId: id, state: 'pending' });
  });

  it.each([
    ['signed with another key under our serial', () => impostor, /signature does not verify/],
    ['signed under a serial we never configured', () => stranger, /unknown platform serial/],
  ])('gateway answers %s → PlatformCallFailed for createTopup and query', async (_case, gateway, reason) => {
    const misled = createWechatPayChannel({ ...fake.config, gatewayBaseUrl: gateway().baseUrl });
    const id = orderId();
    await expect(misled.createTopup(topup(id))).rejects.toThrow(PlatformCallFailed);
    await expect(misled.createTopup(topup(id))).rejects.toThrow(reason);
    // The platform did take the order; only its answer cannot be believed.
    expect(gateway().orders().some((o) => o.outTradeNo === id)).toBe(true);
    await expect(misled.query(id)).rejects.toThrow(reason);
  });

  it('a gateway that does not answer in time is a failed call', async () => {
    const silent = net.createServer(() => {}); // accepts and never answers
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    try {
      const slow = createWechatPayChannel({ ...fake.config, gatewayBaseUrl: `http://127.0.0.1:${(silent.address() as AddressInfo).port}`, timeoutMs: 200 });
      await expect(slow.query(orderId())).rejects.toThrow(/gateway unreachable/);
    } finally {
      silent.close();
    }
  });

  it('refunds a paid order once per refund number (PROCESSING, then SUCCESS when asked again), never more than was paid', async () => {
    const id = orderId();
    await channel.createTopup(topup(id, 5000));
    const request = { orderId: id, refundId: `R${id}`, platformTxnId: '4200000000000000000000000000', amountFen: 5000, paidFen: 5000, reason: '测试退款' };
    // Unpaid: WeChat has no transaction to refund.
    await expect(channel.refund(request)).rejects.toThrow(PlatformCallFailed);
    await fake.pay(id);
    const paid = { ...request, platformTxnId: fake.orders().find((o) => o.outTradeNo === id)!.transactionId! };
    await expect(channel.refund(paid)).resolves.toEqual({ state: 'processing', platformRefundId: expect.stringMatching(/^50\d{30}$/) });
    await expect(channel.refund(paid)).resolves.toEqual({ state: 'refunded', platformRefundId: expect.any(String), refundedAt: expect.stringMatching(/\+08:00$/) });
    await expect(channel.refund(paid)).resolves.toMatchObject({ state: 'refunded' });
    expect(fake.refunds().filter((r) => r.outTradeNo === id)).toEqual([expect.objectContaining({ outRefundNo: `R${id}`, amountFen: 5000, paidFen: 5000, status: 'SUCCESS', reason: '测试退款' })]);
    // Another refund number for more than is left is refused by the platform.
    await expect(channel.refund({ ...paid, refundId: `S${id}`, amountFen: 1 })).rejects.toThrow(/INVALID_REQUEST 申请退款金额超过订单可退金额/);
    // 转入退款: the money was received, so the order still reads as paid.
    await expect(channel.query(id)).resolves.toMatchObject({ state: 'paid', amountFen: 5000 });
  });

  it('a refund while the gateway is down is a failed call, and asking again later makes it', async () => {
    const id = orderId();
    await channel.createTopup(topup(id, 700));
    await fake.pay(id);
    const request = { orderId: id, refundId: `R${id}`, platformTxnId: fake.orders().find((o) => o.outTradeNo === id)!.transactionId!, amountFen: 700, paidFen: 700, reason: '测试退款' };
    fake.setDown(true);
    try {
      await expect(channel.refund(request)).rejects.toThrow(/HTTP 500 SYSTEM_ERROR/);
    } finally {
      fake.setDown(false);
    }
    expect(fake.refunds().filter((r) => r.outTradeNo === id)).toEqual([]);
    await expect(channel.refund(request)).resolves.toMatchObject({ state: 'processing' });
  });

  it('refuses configurations that cannot work', async () => {
    const other = generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
    expect(() => createWechatPayChannel({ ...fake.config, merchantPrivateKeyPem: other })).toThrow(/does not belong/);
    expect(() => createWechatPayChannel({ ...fake.config, merchantCertSerial: '0123' })).toThrow(/serial/);
    expect(() => createWechatPayChannel({ ...fake.config, apiV3Key: 'short' })).toThrow(/32 bytes/);
    expect(() => createWechatPayChannel({ ...fake.config, platformCertificates: {} })).toThrow(/no platform/);
    expect(() => createWechatPayChannel({ ...fake.config, gatewayBaseUrl: 'http://api.mch.weixin.qq.com' })).toThrow(/https/);
  });
});

describe('the fake platform checks merchant signatures as WeChat does', () => {
  /** An Authorization header built by hand, so each part can be got wrong on purpose. */
  function authorize(request: { method: string; pathAndQuery: string; body: string }, overrides: { key?: string; serial?: string; timestamp?: number; mchid?: string } = {}): string {
    const timestamp = String(overrides.timestamp ?? nowSeconds());
    const nonce = randomBytes(16).toString('hex');
    const message = `${request.method}\n${request.pathAndQuery}\n${timestamp}\n${nonce}\n${request.body}\n`;
    const signature = createSign('RSA-SHA256').update(message).sign(overrides.key ?? fake.config.merchantPrivateKeyPem, 'base64');
    const mchid = overrides.mchid ?? fake.config.mchId;
    const serial = overrides.serial ?? fake.config.merchantCertSerial;
    return `WECHATPAY2-SHA256-RSA2048 mchid="${mchid}",nonce_str="${nonce}",timestamp="${timestamp}",serial_no="${serial}",signature="${signature}"`;
  }
  const wrongKey = generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
  const query = () => ({ method: 'GET', pathAndQuery: `/v3/pay/transactions/out-trade-no/NOSUCHORDER1?mchid=${fake.config.mchId}`, body: '' });

  it.each<[string, number, string, () => Record<string, string>]>([
    ['correctly signed (control)', 404, 'ORDER_NOT_EXIST', () => ({ authorization: authorize(query()) })],
    ['signed with a wrong merchant key', 401, 'SIGN_ERROR', () => ({ authorization: authorize(query(), { key: wrongKey }) })],
    ['signed for another path', 401, 'SIGN_ERROR', () => ({ authorization: authorize({ ...query(), pathAndQuery: '/v3/pay/transactions/out-trade-no/OTHERORDER1?mchid=1' }) })],
    ['another serial_no', 401, 'SIGN_ERROR', () => ({ authorization: authorize(query(), { serial: '5E0A1B2C3D4E5F' }) })],
    ['another mchid', 401, 'SIGN_ERROR', () => ({ authorization: authorize(query(), { mchid: '1900000109' }) })],
    ['a stale timestamp', 401, 'SIGN_ERROR', () => ({ authorization: authorize(query(), { timestamp: nowSeconds() - 3600 }) })],
    ['no Authorization', 401, 'SIGN_ERROR', () => ({})],
  ])('a request %s → %i %s, and the answer is signed by the platform', async (_case, status, code, headers) => {
    const response = await fetch(`${fake.baseUrl}${query().pathAndQuery}`, { headers: headers() });
    const body = await response.text();
    expect(response.status).toBe(status);
    expect(JSON.parse(body)).toMatchObject({ code });
    const [timestamp, nonce, signature] = ['wechatpay-timestamp', 'wechatpay-nonce', 'wechatpay-signature'].map((name) => response.headers.get(name) ?? '');
    expect(response.headers.get('wechatpay-serial')).toBe(fake.platformSerial);
    expect(createVerify('RSA-SHA256').update(`${timestamp}\n${nonce}\n${body}\n`).verify(fake.config.platformCertificates[fake.platformSerial]!, signature!, 'base64')).toBe(true);
  });

  it('a POST whose body changed after signing is refused', async () => {
    const body = JSON.stringify({ mchid: fake.config.mchId });
    const pathAndQuery = '/v3/pay/transactions/out-trade-no/NOSUCHORDER1/close';
    const response = await fetch(`${fake.baseUrl}${pathAndQuery}`, {
      method: 'POST',
      headers: { authorization: authorize({ method: 'POST', pathAndQuery, body }), 'content-type': 'application/json' },
      body: body.replace('{', '{ '),
    });
    expect(response.status).toBe(401);
  });

  it('the SDK signing with a wrong merchant key is refused with 401, which the channel reports as a failed call', async () => {
    await expect(rawSdk(wrongKey).query({ out_trade_no: 'NOSUCHORDER1' })).resolves.toMatchObject({ status: 401 });
    const misconfigured = createWechatPayChannel({ ...fake.config, ...(await otherMerchant()) });
    await expect(misconfigured.query('NOSUCHORDER1')).rejects.toThrow(/HTTP 401 SIGN_ERROR/);
  });
});

/** The bare SDK for fake's merchant, its HTTP pointed at the fake with no checks: to act as a (mis)configured client. */
function rawSdk(privateKeyPem: string): Pay {
  const sdk = new Pay({ appid: fake.config.appId, mchid: fake.config.mchId, serial_no: fake.config.merchantCertSerial, publicKey: Buffer.from(fake.config.merchantCertificatePem), privateKey: Buffer.from(privateKeyPem) });
  const send = async (method: string, url: string, headers: Record<string, string>, body?: string) => {
    const response = await fetch(url.replace('https://api.mch.weixin.qq.com', fake.baseUrl), { method, headers, body });
    const text = await response.text();
    return response.ok ? { status: response.status, data: text ? (JSON.parse(text) as unknown) : undefined } : { status: response.status, error: text };
  };
  sdk.createHttp({
    get: (url, headers) => send('GET', url, headers as Record<string, string>),
    post: (url, params, headers) => send('POST', url, headers as Record<string, string>, JSON.stringify(params)),
    upload: () => Promise.reject(new Error('unused')),
  });
  return sdk;
}

/** A whole other merchant identity (key, certificate, serial, mchid), consistent in itself. */
async function otherMerchant() {
  const other = await startFakeWechatPay();
  await other.close();
  const { appId, mchId, merchantPrivateKeyPem, merchantCertificatePem, merchantCertSerial } = other.config;
  return { appId, mchId, merchantPrivateKeyPem, merchantCertificatePem, merchantCertSerial };
}
