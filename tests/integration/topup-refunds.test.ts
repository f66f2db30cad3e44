/**
 * Issue 11 item 5, for both channels: a payment the account cannot take (closed while the order was
 * open, or another amount than ordered) is recorded as a refund, refunded on the platform (the
 * fakes, over their real signed protocols) and never credited; the reconciler finishes refunds and
 * one order it cannot reconcile never stops it reconciling the others.
 */
import { describe, expect, it } from 'vitest';
import { readConfig } from '../../functions/config';
import { createDeps, getDeps } from '../../functions/deps';
import { startFakeAlipay, type FakeAlipay } from '../../functions/local/fake-alipay';
import { startFakeWechatPay, type FakeWechatPay } from '../../functions/local/fake-wechat-pay';
import type { PaymentChannelName } from '../../functions/payments/channel';
import { holderOrder, reconcilePendingOrders } from '../../functions/services/topups';
import { getAccount } from '../../functions/store/accounts';
import { getOrder } from '../../functions/store/orders';
import { parseYuan } from '../../shared/money';
import { createTestAccount, ledgerOf, setAccountStatus } from '../helpers/fixtures';
import { holderToken } from '../helpers/phone';
import { useTestPlatform } from '../helpers/platform';
import { useFake } from '../helpers/fakes';

let wechat: FakeWechatPay;
let alipay: FakeAlipay;
useFake('WECHAT_PAY_CONFIG', startFakeWechatPay, (started) => (wechat = started));
useFake('ALIPAY_CONFIG', startFakeAlipay, (started) => (alipay = started));
const platform = useTestPlatform({ http: true });

/** What differs between the platforms, behind one face for channel-independent cases. */
interface Platform {
  channel: PaymentChannelName;
  payerId: string;
  /** The payer pays (optionally another amount); resolves to what our notify URL answered. */
  pay(orderId: string, options?: { amountFen?: number }): Promise<number>;
  /** Every refund the platform made for this order, in fen. */
  refundsOf(orderId: string): number[];
  setDown(down: boolean): void;
  /** WeChat accepts a refund (PROCESSING) and says SUCCESS when asked again; Alipay answers at once. */
  refundsAtOnce: boolean;
}

const platforms: Platform[] = [
  {
    channel: 'wechat',
    payerId: 'oUpF8uMuAJO_M2pxb1Q9zNjWeS6o',
    pay: (orderId, options) => wechat.pay(orderId, options),
    refundsOf: (orderId) => wechat.refunds().filter((r) => r.outTradeNo === orderId).map((r) => r.amountFen),
    setDown: (down) => wechat.setDown(down),
    refundsAtOnce: false,
  },
  {
    channel: 'alipay',
    payerId: '2088000000000101',
    pay: (orderId, options) => alipay.pay(orderId, options),
    refundsOf: (orderId) => alipay.refunds().filter((r) => r.outTradeNo === orderId).map((r) => parseYuan(r.refundAmount)),
    setDown: (down) => alipay.setDown(down),
    refundsAtOnce: true,
  },
];

async function openOrder(on: Platform, accountNo: string, amountFen: number): Promise<string> {
  const response = await fetch(`${platform.url}/v1/holder/topups`, {
    method: 'POST',
    headers: { authorization: `Bearer ${await holderToken(accountNo)}`, 'content-type': 'application/json' },
    body: JSON.stringify({ amountFen, channel: on.channel, payerId: on.payerId }),
  });
  expect(response.status).toBe(201);
  return ((await response.json()) as { order: { orderId: string } }).order.orderId;
}

/** The payer pays, but the platform's notification never reaches us. */
async function payWithNotificationLost(on: Platform, orderId: string): Promise<void> {
  const realFetch = globalThis.fetch;
  globalThis.fetch = (async (input: Parameters<typeof fetch>[0], init?: Parameters<typeof fetch>[1]) => {
    if (String(input).includes('/v1/payments/')) throw new TypeError('fetch failed');
    return realFetch(input, init);
  }) as typeof fetch;
  try {
    await on.pay(orderId).catch(() => undefined);
  } finally {
    globalThis.fetch = realFetch;
  }
}

/** Deps whose clock is `seconds` ahead (the reconciler only asks about orders a minute old). */
const later = (seconds: number, payments = getDeps().payments) => createDeps(readConfig(), { db: platform.deps.db, clock: () => new Date(Date.now() + seconds * 1000), payments });
const reconcile = () => reconcilePendingOrders(later(120));

/** The next reconciler run finds the refund done (WeChat's first answer is PROCESSING; asked again, SUCCESS). */
async function untilRefunded(orderId: string): Promise<void> {
  const report = await reconcile();
  expect(report.failed.filter((f) => f.orderId === orderId)).toEqual([]);
  expect((await getOrder(platform.deps.db, orderId))?.status).toBe('refunded');
}

async function expectNothingCredited(accountNo: string): Promise<void> {
  expect(await getAccount(platform.deps.db, accountNo)).toMatchObject({ balanceFen: 0, transitionalFen: 0 });
  expect((await ledgerOf(platform.deps, accountNo)).filter((e) => e.type === 'topup' || e.type === 'transitional_credit')).toEqual([]);
}

describe.each(platforms)('a $channel payment that cannot be credited', (on) => {
  it('paid after the account closed: acknowledged, refunded in full on the platform, never credited', async () => {
    const account = await createTestAccount(platform.deps);
    const orderId = await openOrder(on, account.accountNo, 5_000);
    await setAccountStatus(platform.deps, account.accountNo, 'cancelled');
    // Acknowledged once the refund is recorded, so the platform stops retrying.
    expect(await on.pay(orderId)).toBe(200);
    expect(await getOrder(platform.deps.db, orderId)).toMatchObject({
      status: on.refundsAtOnce ? 'refunded' : 'refund_pending',
      refund: { refundId: `R${orderId}`, amountFen: 5_000, reason: 'CARD_CANCELLED' },
    });
    await untilRefunded(orderId);
    expect(on.refundsOf(orderId)).toEqual([5_000]);
    await expectNothingCredited(account.accountNo);
    // What the holder's app sees when it polls.
    expect(await holderOrder(platform.deps, account.accountNo, orderId)).toMatchObject({
      status: 'refunded',
      refund: { amountFen: 5_000, reason: 'CARD_CANCELLED', refundedAt: expect.any(String) },
    });
  });

  it('the platform notifying again and again gives back once', async () => {
    const account = await createTestAccount(platform.deps);
    const orderId = await openOrder(on, account.accountNo, 1_200);
    await setAccountStatus(platform.deps, account.accountNo, 'cancelled');
    for (let i = 0; i < 3; i++) expect(await on.pay(orderId)).toBe(200);
    await untilRefunded(orderId);
    expect(await on.pay(orderId)).toBe(200); // a late retry after the refund changes nothing
    await reconcile();
    expect(on.refundsOf(orderId)).toEqual([1_200]);
    expect((await getOrder(platform.deps.db, orderId))?.status).toBe('refunded');
    await expectNothingCredited(account.accountNo);
  });

  it('another amount than ordered is given back (what was paid), not credited', async () => {
    const account = await createTestAccount(platform.deps);
    const orderId = await openOrder(on, account.accountNo, 3_000);
    expect(await on.pay(orderId, { amountFen: 2_999 })).toBe(200);
    expect((await getOrder(platform.deps.db, orderId))?.refund).toMatchObject({ amountFen: 2_999, reason: 'PAYMENT_AMOUNT_MISMATCH' });
    await untilRefunded(orderId);
    expect(on.refundsOf(orderId)).toEqual([2_999]);
    await expectNothingCredited(account.accountNo);
  });

  it('a refund the platform cannot take now stays refund_pending, and the reconciler finishes it once the platform is back', async () => {
    const account = await createTestAccount(platform.deps);
    const orderId = await openOrder(on, account.accountNo, 800);
    await setAccountStatus(platform.deps, account.accountNo, 'cancelled');
    on.setDown(true);
    try {
      expect(await on.pay(orderId)).toBe(200); // the intent is recorded even though the refund call fails
      expect((await getOrder(platform.deps.db, orderId))?.status).toBe('refund_pending');
      const whileDown = await reconcile();
      expect(whileDown.failed).toContainEqual({ orderId, code: 'PAYMENT_CHANNEL_UNAVAILABLE' });
      expect((await getOrder(platform.deps.db, orderId))?.status).toBe('refund_pending');
      expect(on.refundsOf(orderId)).toEqual([]);
    } finally {
      on.setDown(false);
    }
    const back = await reconcile();
    if (!on.refundsAtOnce) await untilRefunded(orderId);
    expect(back.failed.filter((f) => f.orderId === orderId)).toEqual([]);
    expect((await getOrder(platform.deps.db, orderId))?.status).toBe('refunded');
    expect(on.refundsOf(orderId)).toEqual([800]);
    await expectNothingCredited(account.accountNo);
  });

  it('an order we had closed, paid late after the account closed, is refunded too (and the reconciler finds it again)', async () => {
    const account = await createTestAccount(platform.deps);
    const orderId = await openOrder(on, account.accountNo, 600);
    await reconcilePendingOrders(later(20 * 60)); // past its pay-by time, unpaid: closed on our side
    expect((await getOrder(platform.deps.db, orderId))?.status).toBe('closed');
    await setAccountStatus(platform.deps, account.accountNo, 'cancelled');
    expect(await on.pay(orderId)).toBe(200);
    await untilRefunded(orderId);
    expect(on.refundsOf(orderId)).toEqual([600]);
    await expectNothingCredited(account.accountNo);
  });

  it('an order closed unpaid (its pending transfer expired) and then paid late is never credited: the payment goes back (ORDER_CLOSED)', async () => {
    const account = await createTestAccount(platform.deps);
    const orderId = await openOrder(on, account.accountNo, 700);
    await reconcilePendingOrders(later(20 * 60));
    expect(await getOrder(platform.deps.db, orderId)).toMatchObject({ status: 'closed', state: 'expired' });
    expect(await on.pay(orderId)).toBe(200);
    await untilRefunded(orderId);
    expect(await getOrder(platform.deps.db, orderId)).toMatchObject({ status: 'refunded', state: 'expired', refund: { reason: 'ORDER_CLOSED', amountFen: 700 } });
    expect(on.refundsOf(orderId)).toEqual([700]);
    await expectNothingCredited(account.accountNo);
  });

  it('the reconciler goes on past an order it cannot reconcile, and reports it', async () => {
    const other = platforms.find((p) => p.channel !== on.channel)!;
    // Oldest first: an order on a channel this deployment no longer has, then one for a closed account (both jammed the run), then a good one.
    const stranded = await openOrder(other, (await createTestAccount(platform.deps)).accountNo, 1_000);
    const closed = await createTestAccount(platform.deps);
    const refundable = await openOrder(on, closed.accountNo, 2_000);
    await setAccountStatus(platform.deps, closed.accountNo, 'cancelled');
    const good = await createTestAccount(platform.deps);
    const creditable = await openOrder(on, good.accountNo, 3_000);
    await payWithNotificationLost(on, refundable);
    await payWithNotificationLost(on, creditable);

    const onlyThisChannel = async () => ({ [on.channel]: (await getDeps().payments())[on.channel] });
    const report = await reconcilePendingOrders(later(120, onlyThisChannel));
    expect(report.failed).toContainEqual({ orderId: stranded, code: 'PAYMENT_CHANNEL_UNAVAILABLE' });
    expect((await getOrder(platform.deps.db, creditable))?.status).toBe('paid');
    expect((await getAccount(platform.deps.db, good.accountNo))?.balanceFen).toBe(3_000);
    expect(report.credited).toBeGreaterThanOrEqual(1);
    expect(['refund_pending', 'refunded']).toContain((await getOrder(platform.deps.db, refundable))?.status);
    await untilRefunded(refundable);
    expect(on.refundsOf(refundable)).toEqual([2_000]);
    await expectNothingCredited(closed.accountNo);
    // The stranded order waits, untouched, for its channel to come back.
    expect((await getOrder(platform.deps.db, stranded))?.status).toBe('pending');
  });
});
