/** Top-up by WeChat Pay end to end over HTTP: real signatures and AES-256-GCM from the fake platform, credited once. */
import { describe, expect, it } from 'vitest';
import { startFakeWechatPay, type FakeWechatPay, type NotificationOptions } from '../../functions/local/fake-wechat-pay';
import { getAccount } from '../../functions/store/accounts';
import { getOrder } from '../../functions/store/orders';
import { createTestAccount, ledgerOf } from '../helpers/fixtures';
import { holderToken } from '../helpers/phone';
import { useTestPlatform } from '../helpers/platform';
import { useFake } from '../helpers/fakes';

let wechat: FakeWechatPay;
useFake('WECHAT_PAY_CONFIG', startFakeWechatPay, (started) => (wechat = started));
const platform = useTestPlatform({ http: true });

async function order(amountFen: number) {
  const account = await createTestAccount(platform.deps);
  const response = await fetch(`${platform.url}/v1/holder/topups`, {
    method: 'POST',
    headers: { authorization: `Bearer ${await holderToken(account.accountNo)}`, 'content-type': 'application/json' },
    body: JSON.stringify({ amountFen, channel: 'wechat', payerId: 'oUpF8uMuAJO_M2pxb1Q9zNjWeS6o' }),
  });
  return { account, status: response.status, body: (await response.json()) as any };
}

/** The transaction object WeChat encrypts into a notification for this order. */
function transaction(orderId: string, amountFen: number, overrides: Record<string, unknown> = {}) {
  return {
    mchid: wechat.config.mchId,
    appid: wechat.config.appId,
    out_trade_no: orderId,
    transaction_id: `4200002${Date.now()}${Math.floor(Math.random() * 1000)}`,
    trade_type: 'JSAPI',
    trade_state: 'SUCCESS',
    trade_state_desc: '支付成功',
    bank_type: 'OTHERS',
    success_time: new Date().toISOString().replace('Z', '+00:00'),
    payer: { openid: 'oUpF8uMuAJO_M2pxb1Q9zNjWeS6o' },
    amount: { total: amountFen, payer_total: amountFen, currency: 'CNY', payer_currency: 'CNY' },
    ...overrides,
  };
}

async function notify(resource: object, options: NotificationOptions = {}) {
  const signed = wechat.signNotification(resource, options);
  const response = await fetch(`${platform.url}/v1/payments/wechat/notify`, { method: 'POST', headers: signed.headers, body: signed.rawBody });
  return { status: response.status, body: await response.text() };
}

describe('top-up by WeChat Pay', () => {
  it('gives the app its wx.requestPayment parameters, and credits once when WeChat notifies (and retries)', async () => {
    const { account, status, body } = await order(5_000);
    expect(status).toBe(201);
    expect(body.wechat).toMatchObject({ appId: wechat.config.appId, package: expect.stringMatching(/^prepay_id=/), signType: 'RSA' });
    expect(await wechat.pay(body.order.orderId)).toBe(200);
    expect(await wechat.pay(body.order.orderId)).toBe(200);
    expect((await getAccount(platform.deps.db, account.accountNo))?.balanceFen).toBe(5_000);
    expect((await ledgerOf(platform.deps, account.accountNo)).filter((e) => e.type === 'topup')).toMatchObject([{ channel: 'wechat', amountFen: 5_000 }]);
  });

  it('the same payment reported twice with different notification ids still credits once', async () => {
    const { account, body } = await order(1_200);
    const paid = transaction(body.order.orderId, 1_200);
    expect((await notify(paid)).body).toContain('SUCCESS');
    expect((await notify(paid)).body).toContain('SUCCESS');
    expect((await getAccount(platform.deps.db, account.accountNo))?.balanceFen).toBe(1_200);
  });

  it('a query that finds the payment first, then the notification: one credit (out of order)', async () => {
    const { account, body } = await order(800);
    const { applyPaymentEvent } = await import('../../functions/services/topups');
    const paid = transaction(body.order.orderId, 800);
    await applyPaymentEvent(platform.deps, { channel: 'wechat', orderId: body.order.orderId, platformTxnId: paid.transaction_id, amountFen: 800, state: 'paid' });
    expect((await notify(paid)).status).toBe(200);
    expect((await getAccount(platform.deps.db, account.accountNo))?.balanceFen).toBe(800);
  });

  it.each<[string, (orderId: string) => [object, NotificationOptions]]>([
    ['a body tampered after signing', (id) => [transaction(id, 3_000), { tamper: 'body-after-signing' }]],
    ['an amount tampered inside the ciphertext', (id) => [transaction(id, 3_000), { tamper: 'amount-in-ciphertext' }]],
    ['a flipped GCM tag', (id) => [transaction(id, 3_000), { tamper: 'auth-tag' }]],
    ['wrong associated data', (id) => [transaction(id, 3_000), { tamper: 'associated-data' }]],
    ['a stale timestamp (6 minutes old)', (id) => [transaction(id, 3_000), { timestamp: Math.floor(Date.now() / 1000) - 360 }]],
    ['an unknown certificate serial', (id) => [transaction(id, 3_000), { serial: 'PUB_KEY_ID_0000000000000000000000000000000000' }]],
    ['another merchant’s payment', (id) => [transaction(id, 3_000, { mchid: '1900000999' }), {}]],
    ['another app’s payment', (id) => [transaction(id, 3_000, { appid: 'wx0000000000000000' }), {}]],
  ])('refuses %s: answers FAIL (WeChat retries) and credits nothing', async (_name, make) => {
    const { account, body } = await order(3_000);
    const [resource, options] = make(body.order.orderId);
    const res = await notify(resource, options);
    expect(res.status).toBe(400);
    expect(JSON.parse(res.body)).toMatchObject({ code: 'FAIL' });
    expect((await getAccount(platform.deps.db, account.accountNo))?.balanceFen).toBe(0);
  });

  it('a genuine notification of another amount than ordered is acknowledged and recorded to be given back, never credited', async () => {
    const { account, body } = await order(3_000);
    const res = await notify(transaction(body.order.orderId, 1));
    expect(res.status).toBe(200);
    expect(JSON.parse(res.body)).toMatchObject({ code: 'SUCCESS' });
    // The fake never took this payment, so it refuses the refund: the order waits for the reconciler (and an operator).
    expect(await getOrder(platform.deps.db, body.order.orderId)).toMatchObject({ status: 'refund_pending', refund: { amountFen: 1, reason: 'PAYMENT_AMOUNT_MISMATCH' } });
    expect((await getAccount(platform.deps.db, account.accountNo))?.balanceFen).toBe(0);
  });
});

describe('an order WeChat never heard of', () => {
  it('(stored, then the create call was lost) is closed unpaid at its pay-by time instead of staying pending for ever', async () => {
    const { createDeps } = await import('../../functions/deps');
    const { readConfig } = await import('../../functions/config');
    const { newOrder } = await import('../../functions/domain/topup');
    const { createOrder } = await import('../../functions/store/orders');
    const { reconcilePendingOrders } = await import('../../functions/services/topups');
    const account = await createTestAccount(platform.deps);
    const order = newOrder({ orderId: `T${Date.now()}LOST`, accountNo: account.accountNo, channel: 'wechat', amountFen: 2_000, purse: 'balance', payerId: 'oUpF8uMuAJO_M2pxb1Q9zNjWeS6o' }, new Date());
    await createOrder(platform.deps.db, order);
    const at = (seconds: number) => createDeps(readConfig(), { db: platform.deps.db, payments: platform.deps.payments, clock: () => new Date(Date.now() + seconds * 1000) });
    // Asked before its pay-by time: WeChat answers ORDER_NOT_EXIST; it may still be created, so it stays pending.
    const early = await reconcilePendingOrders(at(120));
    expect(early.failed.filter((failure) => failure.orderId === order.orderId)).toEqual([]);
    expect(await getOrder(platform.deps.db, order.orderId)).toMatchObject({ status: 'pending', state: 'pending' });
    await reconcilePendingOrders(at(20 * 60));
    expect(await getOrder(platform.deps.db, order.orderId)).toMatchObject({ status: 'closed', state: 'expired', resolution: 'not_paid_in_time' });
    expect((await getAccount(platform.deps.db, account.accountNo))?.balanceFen).toBe(0);
  });
});
