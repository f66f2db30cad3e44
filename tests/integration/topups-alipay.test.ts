/** Top-up by Alipay end to end: order → fake Alipay → signed notification → credited once; polling and reconciliation. */
import { describe, expect, it } from 'vitest';
import { campusDay } from '../../functions/domain/campus-day';
import { startFakeAlipay, type FakeAlipay } from '../../functions/local/fake-alipay';
import { getDeps } from '../../functions/deps';
import { reconcilePendingOrders } from '../../functions/services/topups';
import { getAccount } from '../../functions/store/accounts';
import { issueCard } from '../../functions/store/cards';
import { getOrder } from '../../functions/store/orders';
import { createTestAccount, ledgerOf } from '../helpers/fixtures';
import { holderToken } from '../helpers/phone';
import { useTestPlatform } from '../helpers/platform';
import { createDeps } from '../../functions/deps';
import { readConfig } from '../../functions/config';
import { useFake } from '../helpers/fakes';

let alipay: FakeAlipay;
useFake('ALIPAY_CONFIG', startFakeAlipay, (started) => (alipay = started));
const platform = useTestPlatform({ http: true });

async function asHolder(accountNo: string, method: string, path: string, body?: unknown) {
  const response = await fetch(platform.url + path, {
    method,
    headers: { authorization: `Bearer ${await holderToken(accountNo)}`, 'content-type': 'application/json' },
    ...(body ? { body: JSON.stringify(body) } : {}),
  });
  return { status: response.status, body: (await response.json()) as any };
}

async function postNotification(body: string) {
  const response = await fetch(`${platform.url}/v1/payments/alipay/notify`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body });
  return { status: response.status, text: await response.text() };
}

/** The buyer pays, but Alipay's notification never reaches us (network trouble on its way). */
async function payWithNotificationLost(orderId: string): Promise<void> {
  const realFetch = globalThis.fetch;
  globalThis.fetch = (async (input: Parameters<typeof fetch>[0], init?: Parameters<typeof fetch>[1]) => {
    if (String(input).includes('/v1/payments/alipay/notify')) throw new TypeError('fetch failed');
    return realFetch(input, init);
  }) as typeof fetch;
  try {
    await alipay.pay(orderId).catch(() => undefined);
  } finally {
    globalThis.fetch = realFetch;
  }
}

/** Deps whose clock is `seconds` ahead: for polling and the reconciler, which only ask about orders a while old. */
const later = (seconds: number) => createDeps(readConfig(), { db: platform.deps.db, clock: () => new Date(Date.now() + seconds * 1000), payments: getDeps().payments });

describe('top-up by Alipay', () => {
  it('credits the account once, however often Alipay notifies', async () => {
    const account = await createTestAccount(platform.deps);
    const created = await asHolder(account.accountNo, 'POST', '/v1/holder/topups', { amountFen: 5_000, channel: 'alipay', payerId: '2088000000000001' });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({ order: { amountFen: 5_000, channel: 'alipay', status: 'pending', purse: 'balance' }, alipay: { tradeNo: expect.any(String) } });
    const { orderId } = created.body.order;
    expect(await alipay.pay(orderId)).toBe(200);
    expect(alipay.notifications.at(-1)?.answerBody).toBe('success');
    expect(await alipay.pay(orderId)).toBe(200); // Alipay retries: the same notification again
    expect((await getAccount(platform.deps.db, account.accountNo))?.balanceFen).toBe(5_000);
    expect((await ledgerOf(platform.deps, account.accountNo)).filter((e) => e.type === 'topup')).toHaveLength(1);
    const order = await asHolder(account.accountNo, 'GET', `/v1/holder/topups/${orderId}`);
    expect(order.body).toMatchObject({ status: 'paid', receiptNo: expect.any(String) });
  });

  it('a CPU-card holder’s top-up lands in the transitional balance', async () => {
    const account = await createTestAccount(platform.deps);
    await issueCard(platform.deps.db, { cardId: 'C-T', accountNo: account.accountNo, kind: 'cpu', chipUid: '04AB0000000042', status: 'active', issuedAt: new Date().toISOString(), issuedOn: campusDay(new Date()) });
    const created = await asHolder(account.accountNo, 'POST', '/v1/holder/topups', { amountFen: 2_000, channel: 'alipay', payerId: '2088000000000002' });
    expect(created.body.order.purse).toBe('transitional');
    await alipay.pay(created.body.order.orderId);
    expect(await getAccount(platform.deps.db, account.accountNo)).toMatchObject({ balanceFen: 0, transitionalFen: 2_000 });
  });

  it('a notification that lost its way is found by polling, and a late notification then changes nothing', async () => {
    const account = await createTestAccount(platform.deps);
    const created = await asHolder(account.accountNo, 'POST', '/v1/holder/topups', { amountFen: 3_000, channel: 'alipay', payerId: '2088000000000003' });
    const { orderId } = created.body.order;
    // The buyer paid, but our notify URL was unreachable.
    await payWithNotificationLost(orderId);
    expect((await getAccount(platform.deps.db, account.accountNo))?.balanceFen).toBe(0);
    const { holderOrder } = await import('../../functions/services/topups');
    const polled = await holderOrder(later(10), account.accountNo, orderId);
    expect(polled.status).toBe('paid');
    expect((await getAccount(platform.deps.db, account.accountNo))?.balanceFen).toBe(3_000);
    expect(await alipay.pay(orderId)).toBe(200); // the notification finally arrives
    expect((await getAccount(platform.deps.db, account.accountNo))?.balanceFen).toBe(3_000);
  });

  it('the scheduled reconciler credits a paid order nobody told us about, and leaves unpaid ones pending', async () => {
    const account = await createTestAccount(platform.deps);
    const paid = await asHolder(account.accountNo, 'POST', '/v1/holder/topups', { amountFen: 1_000, channel: 'alipay', payerId: '2088000000000004' });
    const unpaid = await asHolder(account.accountNo, 'POST', '/v1/holder/topups', { amountFen: 1_500, channel: 'alipay', payerId: '2088000000000004' });
    await payWithNotificationLost(paid.body.order.orderId);
    const result = await reconcilePendingOrders(later(120));
    expect(result.credited).toBeGreaterThanOrEqual(1);
    expect((await getOrder(platform.deps.db, paid.body.order.orderId))?.status).toBe('paid');
    expect((await getOrder(platform.deps.db, unpaid.body.order.orderId))?.status).toBe('pending');
    expect((await getAccount(platform.deps.db, account.accountNo))?.balanceFen).toBe(1_000);
    // After its pay-by time the unpaid order is closed.
    await reconcilePendingOrders(later(20 * 60));
    expect(await getOrder(platform.deps.db, unpaid.body.order.orderId)).toMatchObject({ status: 'closed', state: 'expired', resolution: 'not_paid_in_time' });
  });

  it.each([
    ['an amount changed after signing', (b: string) => b.replace(/total_amount=[\d.]+/, 'total_amount=9999.00')],
    ['another app’s notification', (b: string) => b.replace(/app_id=\d+/, 'app_id=2021999999999999')],
  ])('refuses %s: answers fail, credits nothing', async (_name, tamper) => {
    const account = await createTestAccount(platform.deps);
    const created = await asHolder(account.accountNo, 'POST', '/v1/holder/topups', { amountFen: 4_000, channel: 'alipay', payerId: '2088000000000005' });
    const fields = {
      notify_time: '2026-11-23 12:00:00', notify_type: 'trade_status_sync', notify_id: `n-${created.body.order.orderId}`, app_id: alipay.config.appId,
      charset: 'utf-8', version: '1.0', trade_no: `2026${Date.now()}`, out_trade_no: created.body.order.orderId, buyer_id: '2088000000000005',
      seller_id: alipay.config.sellerId, total_amount: '40.00', receipt_amount: '40.00', trade_status: 'TRADE_SUCCESS', gmt_payment: '2026-11-23 12:00:00',
    };
    const res = await postNotification(tamper(alipay.signNotification(fields)));
    expect(res.text).toBe('fail');
    expect((await getAccount(platform.deps.db, account.accountNo))?.balanceFen).toBe(0);
  });

  it('a genuine notification of another amount than ordered is acknowledged and recorded to be given back, never credited', async () => {
    const account = await createTestAccount(platform.deps);
    const created = await asHolder(account.accountNo, 'POST', '/v1/holder/topups', { amountFen: 4_000, channel: 'alipay', payerId: '2088000000000006' });
    const body = alipay.signNotification({
      notify_time: '2026-11-23 12:00:00', notify_type: 'trade_status_sync', notify_id: 'n-mismatch', app_id: alipay.config.appId, charset: 'utf-8', version: '1.0',
      trade_no: '2026112322009999', out_trade_no: created.body.order.orderId, buyer_id: '2088000000000006', seller_id: alipay.config.sellerId,
      total_amount: '0.01', receipt_amount: '0.01', trade_status: 'TRADE_SUCCESS', gmt_payment: '2026-11-23 12:00:00',
    });
    expect((await postNotification(body)).text).toBe('success');
    // The fake never took this payment, so it refuses the refund: the order waits for the reconciler (and an operator).
    expect(await getOrder(platform.deps.db, created.body.order.orderId)).toMatchObject({ status: 'refund_pending', refund: { amountFen: 1, reason: 'PAYMENT_AMOUNT_MISMATCH' } });
    expect((await getAccount(platform.deps.db, account.accountNo))?.balanceFen).toBe(0);
  });

  it.each([
    ['0.99 yuan', { amountFen: 99 }],
    ['999.01 yuan', { amountFen: 99_901 }],
    ['a string amount', { amountFen: '50' }],
    ['an unknown channel', { channel: 'paypal' }],
    ['no payer', { payerId: undefined }],
  ])('refuses a top-up of %s', async (_name, change) => {
    const account = await createTestAccount(platform.deps);
    const res = await asHolder(account.accountNo, 'POST', '/v1/holder/topups', { amountFen: 5_000, channel: 'alipay', payerId: '2088000000000007', ...change });
    expect(res.status).toBe(400);
    expect(['VALIDATION_FAILED', 'TOPUP_AMOUNT_OUT_OF_RANGE']).toContain(res.body.code);
  });

  it('a holder cannot see another holder’s order', async () => {
    const [a, b] = [await createTestAccount(platform.deps), await createTestAccount(platform.deps)];
    const created = await asHolder(a.accountNo, 'POST', '/v1/holder/topups', { amountFen: 1_000, channel: 'alipay', payerId: '2088000000000008' });
    expect((await asHolder(b.accountNo, 'GET', `/v1/holder/topups/${created.body.order.orderId}`)).status).toBe(404);
  });
});
