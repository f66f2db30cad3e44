/**
 * Notification storms, for WeChat Pay and Alipay, over HTTP with the fake platforms: the same
 * notification many times at once, out of order, a day late, racing the holder's poll and the
 * reconciler, and while DynamoDB is down. Whatever arrives, each order is credited at most once
 * (one top-up entry in the ledger), and every answer follows the platform's rules: WeChat HTTP
 * 200/204 with an empty or {code: SUCCESS} body within 5 s, Alipay the literal text `success`;
 * anything else makes the platform deliver again.
 */
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { TransactWriteCommand } from '@aws-sdk/lib-dynamodb';
import { createDeps, setDeps, type Deps } from '../../functions/deps';
import { startFakeAlipay, type FakeAlipay } from '../../functions/local/fake-alipay';
import { startFakeWechatPay, type FakeWechatPay } from '../../functions/local/fake-wechat-pay';
import { formatBeijingTime } from '../../functions/payments/alipay';
import { beijingRfc3339 } from '../../functions/payments/wechat';
import { reconcilePendingOrders } from '../../functions/services/topups';
import { getAccount } from '../../functions/store/accounts';
import type { Db, DocSend } from '../../functions/store/db';
import { getOrder } from '../../functions/store/orders';
import { formatYuan } from '../../shared/money';
import { createTestAccount, ledgerOf } from '../helpers/fixtures';
import { useFake } from '../helpers/fakes';
import { holderToken } from '../helpers/phone';
import { useTestPlatform } from '../helpers/platform';

let wechat: FakeWechatPay;
let alipay: FakeAlipay;
useFake('WECHAT_PAY_CONFIG', startFakeWechatPay, (started) => (wechat = started));
useFake('ALIPAY_CONFIG', startFakeAlipay, (started) => (alipay = started));
const platform = useTestPlatform({ http: true });

/** Our clock, moved by the tests (the platforms' clocks move with it: they sign their notifications at `now()`). */
let offsetMs = 0;
const now = () => new Date(Date.now() + offsetMs);
/** The API's process-wide dependencies with the movable clock (what every request and handler uses). */
let api: Deps;
/** Another process (the scheduled reconciler's Lambda): its own movement store, the same table and clock. */
let reconciler: Deps;

beforeAll(() => {
  const { config, db, payments } = platform.deps;
  api = createDeps(config, { db, clock: now, payments });
  reconciler = createDeps(config, { db, clock: now, payments });
  setDeps(api);
});
afterEach(() => {
  offsetMs = 0;
  setDeps(api);
});

interface Answer {
  status: number;
  body: string;
  ms?: number;
}

type ChannelName = 'wechat' | 'alipay';

/** What differs between the platforms, behind one face, so each case is written once. */
interface Platform {
  name: ChannelName;
  payerId: string;
  /** The payer pays; the notification does not reach us (yet). */
  payQuietly(orderId: string): Promise<void>;
  /** The platform (re)delivers the order's payment notification, or one telling it was closed, signed at our now(). */
  deliver(orderId: string, options?: { times?: number; delayMs?: number; closed?: boolean }): Promise<Answer[]>;
  /** A notification of the order's payment with another amount (genuinely signed), or with its signature broken. */
  spoiled(orderId: string, how: 'other-amount' | 'bad-signature'): Promise<Answer>;
  /** The platform's own success rule: anything else is delivered again. */
  accepted(answer: Answer): boolean;
  refundsOf(orderId: string): number;
}

async function post(path: string, headers: Record<string, string>, body: string): Promise<Answer> {
  const started = performance.now();
  const response = await fetch(platform.url + path, { method: 'POST', headers, body });
  return { status: response.status, body: await response.text(), ms: performance.now() - started };
}

const PLATFORMS: Record<ChannelName, () => Platform> = {
  wechat: () => ({
    name: 'wechat',
    payerId: 'oUpF8uMuAJO_M2pxb1Q9zNjWeS6o',
    async payQuietly(orderId) {
      await wechat.pay(orderId, { notify: false });
    },
    deliver: (orderId, options = {}) => wechat.renotify(orderId, { ...options, at: now(), ...(options.closed ? { tradeState: 'CLOSED' as const } : {}) }),
    async spoiled(orderId, how) {
      const order = wechat.orders().find((o) => o.outTradeNo === orderId)!;
      const total = how === 'other-amount' ? order.amountFen + 1 : order.amountFen;
      const resource = {
        mchid: order.mchId, appid: order.appId, out_trade_no: orderId, transaction_id: order.transactionId, trade_type: 'JSAPI', trade_state: 'SUCCESS',
        success_time: order.successTime ?? beijingRfc3339(now()), payer: { openid: order.payerOpenId }, amount: { total, payer_total: total, currency: 'CNY', payer_currency: 'CNY' },
      };
      const signed = wechat.signNotification(resource, { timestamp: Math.floor(now().getTime() / 1000), ...(how === 'bad-signature' ? { tamper: 'body-after-signing' as const } : {}) });
      return post('/v1/payments/wechat/notify', { ...signed.headers, 'content-type': 'application/json' }, signed.rawBody);
    },
    accepted: (answer) => (answer.status === 200 || answer.status === 204) && (answer.body === '' || JSON.parse(answer.body).code === 'SUCCESS') && (answer.ms ?? 0) < 5_000,
    refundsOf: (orderId) => wechat.refunds().filter((refund) => refund.outTradeNo === orderId).length,
  }),
  alipay: () => ({
    name: 'alipay',
    payerId: '2088000000000042',
    async payQuietly(orderId) {
      await alipay.pay(orderId, { notify: false });
    },
    deliver: (orderId, options = {}) => alipay.renotify(orderId, { ...options, at: now(), ...(options.closed ? { tradeStatus: 'TRADE_CLOSED' as const } : {}) }),
    async spoiled(orderId, how) {
      // What Alipay says of the payment, from its own answer to a query.
      const paid = await (await platform.deps.payments()).alipay!.query(orderId);
      const amountFen = how === 'other-amount' ? paid.amountFen! + 1 : paid.amountFen!;
      const body = alipay.signNotification({
        notify_time: formatBeijingTime(now()), notify_type: 'trade_status_sync', notify_id: `spoiled${how}${orderId}`, app_id: alipay.config.appId, charset: 'utf-8', version: '1.0',
        trade_no: paid.platformTxnId!, out_trade_no: orderId, buyer_id: '2088000000000042', seller_id: alipay.config.sellerId, total_amount: formatYuan(amountFen), receipt_amount: formatYuan(amountFen),
        trade_status: 'TRADE_SUCCESS', gmt_payment: formatBeijingTime(now()),
      });
      const sent = how === 'bad-signature' ? body.replace(`total_amount=${formatYuan(amountFen)}`, `total_amount=${formatYuan(amountFen + 100)}`) : body;
      return post('/v1/payments/alipay/notify', { 'content-type': 'application/x-www-form-urlencoded; charset=utf-8' }, sent);
    },
    accepted: (answer) => answer.status === 200 && answer.body === 'success',
    refundsOf: (orderId) => alipay.refunds().filter((refund) => refund.outTradeNo === orderId).length,
  }),
};

async function asHolder(accountNo: string, method: 'GET' | 'POST', path: string, body?: unknown): Promise<{ status: number; body: any }> {
  const response = await fetch(platform.url + path, {
    method,
    headers: { authorization: `Bearer ${await holderToken(accountNo)}`, 'content-type': 'application/json' },
    ...(body ? { body: JSON.stringify(body) } : {}),
  });
  return { status: response.status, body: await response.json() };
}

async function newOrder(channel: Platform, accountNo: string, amountFen: number): Promise<string> {
  const created = await asHolder(accountNo, 'POST', '/v1/holder/topups', { amountFen, channel: channel.name, payerId: channel.payerId });
  expect(created.status).toBe(201);
  return created.body.order.orderId as string;
}

/** The order's top-up entries in the holder's ledger: at most one, whatever arrived. */
async function creditsOf(accountNo: string, orderId: string) {
  return (await ledgerOf(platform.deps, accountNo)).filter((entry) => (entry.type === 'topup' || entry.type === 'transitional_credit') && entry.orderId === orderId);
}

/**
 * The platform client with every call failing as an unreachable DynamoDB does, only the answer of the
 * first transaction lost after it committed, or every transaction cancelled by a conflict (a contended
 * account: the movement store gives up with BUSY_RETRY).
 */
function faultyDb(fault: 'down' | 'answer-lost-after-commit' | 'contended'): Db {
  const real = platform.deps.db.doc.send.bind(platform.deps.db.doc) as (...args: unknown[]) => Promise<unknown>;
  let lost = false;
  const unreachable = () => Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:8000'), { code: 'ECONNREFUSED' });
  const send = (async (command: unknown, ...rest: unknown[]) => {
    if (fault === 'down') throw unreachable();
    if (fault === 'contended' && command instanceof TransactWriteCommand) {
      throw Object.assign(new Error('Transaction cancelled, please refer cancellation reasons for specific reasons [TransactionConflict]'), {
        name: 'TransactionCanceledException',
        CancellationReasons: [{ Code: 'TransactionConflict' }],
      });
    }
    const result = await real(command, ...rest);
    if (!lost && command instanceof TransactWriteCommand) {
      lost = true;
      throw Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' });
    }
    return result;
  }) as DocSend['send'];
  return { doc: { send }, tableName: platform.deps.db.tableName };
}

describe.each<ChannelName>(['wechat', 'alipay'])('notification storms: %s', (name) => {
  const channel = () => PLATFORMS[name]();

  it('the same notification 20 times at once: one credit, every answer the platform’s success (WeChat within 5 s)', async () => {
    const ch = channel();
    const account = await createTestAccount(platform.deps);
    const orderId = await newOrder(ch, account.accountNo, 5_000);
    await ch.payQuietly(orderId);
    const answers = await ch.deliver(orderId, { times: 20 });
    expect(answers).toHaveLength(20);
    expect(answers.filter((answer) => !ch.accepted(answer))).toEqual([]);
    expect(Math.max(...answers.map((answer) => answer.ms ?? 0))).toBeLessThan(5_000);
    expect(await creditsOf(account.accountNo, orderId)).toMatchObject([{ amountFen: 5_000, channel: name }]);
    expect(await getOrder(platform.deps.db, orderId)).toMatchObject({ status: 'paid', state: 'posted' });
    expect((await getAccount(platform.deps.db, account.accountNo))?.balanceFen).toBe(5_000);
  });

  it('a closed-trade notification before the paid one: nothing credited, the payment given back once (ORDER_CLOSED)', async () => {
    const ch = channel();
    const account = await createTestAccount(platform.deps);
    const orderId = await newOrder(ch, account.accountNo, 2_300);
    await ch.payQuietly(orderId);
    const [closed] = await ch.deliver(orderId, { closed: true });
    expect(ch.accepted(closed!)).toBe(true);
    expect(await getOrder(platform.deps.db, orderId)).toMatchObject({ status: 'closed' });
    const paid = await ch.deliver(orderId, { times: 3, delayMs: 20 });
    expect(paid.every((answer) => ch.accepted(answer))).toBe(true);
    expect(await getOrder(platform.deps.db, orderId)).toMatchObject({ status: 'refunded', refund: { reason: 'ORDER_CLOSED', amountFen: 2_300 } });
    expect(ch.refundsOf(orderId)).toBe(1);
    expect(await creditsOf(account.accountNo, orderId)).toEqual([]);
    expect((await getAccount(platform.deps.db, account.accountNo))?.balanceFen).toBe(0);
  });

  it('a paid notification after the reconciler closed the order unpaid: given back (ORDER_CLOSED), never credited, answered success', async () => {
    const ch = channel();
    const account = await createTestAccount(platform.deps);
    const orderId = await newOrder(ch, account.accountNo, 1_800);
    offsetMs = 20 * 60_000; // past its pay-by time: the reconciler asks, hears unpaid, and closes it
    await reconcilePendingOrders(reconciler);
    expect(await getOrder(platform.deps.db, orderId)).toMatchObject({ status: 'closed', state: 'expired' });
    // The payer paid at the last moment after all, and the platform tells us (then retries).
    await ch.payQuietly(orderId);
    const answers = await ch.deliver(orderId, { times: 2, delayMs: 20 });
    expect(answers.every((answer) => ch.accepted(answer))).toBe(true);
    expect(await getOrder(platform.deps.db, orderId)).toMatchObject({ status: 'refunded', refund: { reason: 'ORDER_CLOSED', amountFen: 1_800 } });
    // Afterwards: the trade's closed (refunded) notification, and the payment's again, change nothing.
    const after = [...(await ch.deliver(orderId, { closed: true, times: 2 })), ...(await ch.deliver(orderId, { times: 2 }))];
    expect(after.every((answer) => ch.accepted(answer))).toBe(true);
    expect(await getOrder(platform.deps.db, orderId)).toMatchObject({ status: 'refunded' });
    expect(ch.refundsOf(orderId)).toBe(1);
    expect(await creditsOf(account.accountNo, orderId)).toEqual([]);
  });

  it('paid at its pay-by time while the reconciler closes it, round after round: credited or given back, never both', async () => {
    const ch = channel();
    const account = await createTestAccount(platform.deps);
    for (let round = 0; round < 4; round++) {
      offsetMs = 0;
      const orderId = await newOrder(ch, account.accountNo, 700 + round);
      offsetMs = 15 * 60_000 + 1_000;
      const [notified] = await Promise.all([
        (async () => {
          await ch.payQuietly(orderId);
          return ch.deliver(orderId, { times: 3 });
        })(),
        reconcilePendingOrders(reconciler),
        reconcilePendingOrders(reconciler),
      ]);
      expect(notified.every((answer) => ch.accepted(answer)), `round ${round}`).toBe(true);
      // Whatever came first, the payment is settled one way: one credit, or one refund.
      await ch.deliver(orderId); // a last retry finishes a refund the platform was still making
      const credits = await creditsOf(account.accountNo, orderId);
      const order = await getOrder(platform.deps.db, orderId);
      if (credits.length === 1) expect([order?.status, ch.refundsOf(orderId)], `round ${round}`).toEqual(['paid', 0]);
      else expect([credits.length, order?.status, order?.refund?.reason, ch.refundsOf(orderId)], `round ${round}`).toEqual([0, 'refunded', 'ORDER_CLOSED', 1]);
    }
  });

  it('a duplicate with another amount, and one with a broken signature: refused as the platform expects, nothing more credited', async () => {
    const ch = channel();
    const account = await createTestAccount(platform.deps);
    const orderId = await newOrder(ch, account.accountNo, 4_000);
    await ch.payQuietly(orderId);
    // Before the payment is known: the forged one is refused and changes nothing.
    expect(ch.accepted(await ch.spoiled(orderId, 'bad-signature'))).toBe(false);
    expect(await getOrder(platform.deps.db, orderId)).toMatchObject({ status: 'pending' });
    expect((await ch.deliver(orderId)).every((answer) => ch.accepted(answer))).toBe(true);
    for (const how of ['other-amount', 'bad-signature', 'other-amount'] as const) {
      const answer = await ch.spoiled(orderId, how);
      expect(ch.accepted(answer), `${how}: ${answer.status} ${answer.body}`).toBe(false);
      expect(answer.status).toBe(400); // refused, not a fault of ours (no 5xx alarm), and the platform retries
      expect(answer.body).toBe(name === 'wechat' ? JSON.stringify({ code: 'FAIL', message: '失败' }) : 'fail');
    }
    const order = await getOrder(platform.deps.db, orderId);
    expect(order).toMatchObject({ status: 'paid', amountFen: 4_000 });
    expect(order?.refund).toBeUndefined();
    expect(await creditsOf(account.accountNo, orderId)).toMatchObject([{ amountFen: 4_000 }]);
    expect(ch.refundsOf(orderId)).toBe(0);
  });

  it('24 h late: the reconciler settled the order by its query a day on; the notification then credits nothing more and is answered success', async () => {
    const ch = channel();
    const account = await createTestAccount(platform.deps);
    const orderId = await newOrder(ch, account.accountNo, 900);
    await ch.payQuietly(orderId);
    offsetMs = 24 * 3600_000;
    const report = await reconcilePendingOrders(reconciler);
    expect(report.failed.filter((failure) => failure.orderId === orderId)).toEqual([]);
    expect(await getOrder(platform.deps.db, orderId)).toMatchObject({ status: 'paid' });
    const late = await ch.deliver(orderId, { times: 3, delayMs: 50 });
    expect(late.every((answer) => ch.accepted(answer))).toBe(true);
    offsetMs += 3600_000; // and once more an hour after that
    expect((await ch.deliver(orderId)).every((answer) => ch.accepted(answer))).toBe(true);
    expect(await creditsOf(account.accountNo, orderId)).toMatchObject([{ amountFen: 900 }]);
    expect((await getAccount(platform.deps.db, account.accountNo))?.balanceFen).toBe(900);
  });

  it('notifications, the holder’s polls and the reconciler all at once, round after round: exactly one credit each round', async () => {
    const ch = channel();
    const account = await createTestAccount(platform.deps);
    const rounds = 6;
    let expected = 0;
    for (let round = 0; round < rounds; round++) {
      offsetMs = 0;
      const amountFen = 1_000 + round;
      const orderId = await newOrder(ch, account.accountNo, amountFen);
      await ch.payQuietly(orderId);
      offsetMs = 2 * 60_000; // old enough for the poll (5 s) and the reconciler (a minute) to ask the platform
      const [notified, polls] = await Promise.all([
        ch.deliver(orderId, { times: 4 }),
        Promise.all(Array.from({ length: 3 }, () => asHolder(account.accountNo, 'GET', `/v1/holder/topups/${orderId}`))),
        ...Array.from({ length: 2 }, () => reconcilePendingOrders(reconciler)),
      ]);
      expected += amountFen;
      expect(notified.every((answer) => ch.accepted(answer)), `round ${round}`).toBe(true);
      expect(polls.every((poll) => poll.status === 200), `round ${round}`).toBe(true);
      expect(await creditsOf(account.accountNo, orderId), `round ${round}`).toMatchObject([{ amountFen }]);
      expect(await getOrder(platform.deps.db, orderId)).toMatchObject({ status: 'paid' });
    }
    expect((await getAccount(platform.deps.db, account.accountNo))?.balanceFen).toBe(expected);
    expect((await ledgerOf(platform.deps, account.accountNo)).filter((entry) => entry.type === 'topup')).toHaveLength(rounds);
  });

  it.each(['down', 'answer-lost-after-commit', 'contended'] as const)('DynamoDB %s during a notification: answered as a failure so the platform retries, and the retry credits once', async (fault) => {
    const ch = channel();
    const account = await createTestAccount(platform.deps);
    const orderId = await newOrder(ch, account.accountNo, 3_100);
    await ch.payQuietly(orderId);
    setDeps(createDeps(platform.deps.config, { db: faultyDb(fault), clock: now, payments: platform.deps.payments }));
    const [during] = await ch.deliver(orderId);
    expect(ch.accepted(during!), `${during!.status} ${during!.body}`).toBe(false);
    expect(during!.status).toBeGreaterThanOrEqual(500); // our fault: it alarms
    // The write never happened, or it did and only its answer was lost: either way at most one credit so far.
    expect((await creditsOf(account.accountNo, orderId)).length).toBe(fault === 'answer-lost-after-commit' ? 1 : 0);
    setDeps(api);
    const retried = await ch.deliver(orderId, { times: 2 });
    expect(retried.every((answer) => ch.accepted(answer))).toBe(true);
    expect(await creditsOf(account.accountNo, orderId)).toMatchObject([{ amountFen: 3_100 }]);
    expect(await getOrder(platform.deps.db, orderId)).toMatchObject({ status: 'paid' });
  });
});

describe('notification storms: what only one platform sends', () => {
  it('Alipay: TRADE_FINISHED after TRADE_SUCCESS (and before it), each redelivered: one credit, every answer success', async () => {
    const ch = PLATFORMS.alipay();
    const account = await createTestAccount(platform.deps);
    const [first, second] = [await newOrder(ch, account.accountNo, 600), await newOrder(ch, account.accountNo, 700)];
    await ch.payQuietly(first);
    await ch.payQuietly(second);
    const answers = [
      ...(await alipay.renotify(first, { times: 3 })),
      ...(await alipay.renotify(first, { tradeStatus: 'TRADE_FINISHED', times: 3 })),
      ...(await alipay.renotify(second, { tradeStatus: 'TRADE_FINISHED', times: 3 })),
      ...(await alipay.renotify(second, { times: 3 })),
    ];
    expect(answers.map((answer) => answer.body)).toEqual(Array(12).fill('success'));
    expect(await creditsOf(account.accountNo, first)).toMatchObject([{ amountFen: 600 }]);
    expect(await creditsOf(account.accountNo, second)).toMatchObject([{ amountFen: 700 }]);
    expect((await getAccount(platform.deps.db, account.accountNo))?.balanceFen).toBe(1_300);
  });

  it('WeChat: a refund notification (REFUND.SUCCESS, which we never ask for) before the paid one is refused and changes nothing; the payment then credits once', async () => {
    const ch = PLATFORMS.wechat();
    const account = await createTestAccount(platform.deps);
    const orderId = await newOrder(ch, account.accountNo, 1_500);
    await ch.payQuietly(orderId);
    const order = wechat.orders().find((o) => o.outTradeNo === orderId)!;
    const refund = {
      mchid: order.mchId, out_trade_no: orderId, transaction_id: order.transactionId, out_refund_no: `R${orderId}`, refund_id: '50000000382019052709732678859',
      refund_status: 'SUCCESS', success_time: beijingRfc3339(now()), user_received_account: '支付用户零钱', amount: { total: 1_500, refund: 1_500, payer_total: 1_500, payer_refund: 1_500 },
    };
    const signed = wechat.signNotification(refund, { eventType: 'REFUND.SUCCESS' });
    const answer = await post('/v1/payments/wechat/notify', { ...signed.headers, 'content-type': 'application/json' }, signed.rawBody);
    expect(answer.status).toBe(400);
    expect(await getOrder(platform.deps.db, orderId)).toMatchObject({ status: 'pending' });
    expect((await ch.deliver(orderId, { times: 5 })).every((delivered) => ch.accepted(delivered))).toBe(true);
    expect(await creditsOf(account.accountNo, orderId)).toMatchObject([{ amountFen: 1_500 }]);
  });
});
