/**
 * Notifications from the outbox on DynamoDB Local: the event written in the movement's (or the
 * status change's) own transaction, DynamoDB Local's stream polled into the dispatcher Lambda runs,
 * the fake WeChat and Alipay platforms receiving the messages.
 */
import { ScanCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { startFakeAlipay, type FakeAlipay } from '../../functions/local/fake-alipay';
import { startFakeWechatLogin, type FakeWechatLogin } from '../../functions/local/fake-wechat-login';
import { startOutboxStreamPoller, type OutboxStreamPoller } from '../../functions/local/outbox-stream-poller';
import { createOutboxStreamHandler, handler as dispatchOutbox, outboxSubscribers } from '../../functions/handlers/outbox-stream';
import { planPurchase, planTopup } from '../../functions/domain/movement-plans';
import { fingerprint } from '../../functions/domain/fingerprint';
import type { OutboxRecord } from '../../functions/domain/outbox';
import { getAccount } from '../../functions/store/accounts';
import { linkIdentity } from '../../functions/store/identities';
import { createMovementStore } from '../../functions/store/movements';
import { getDelivery, getOutboxRecord } from '../../functions/store/outbox';
import { getNotificationPrefs } from '../../functions/store/notification-prefs';
import { dispatchOutboxRecord } from '../../functions/services/notifications-dispatch';
import { notificationSubscriber, NOTIFICATION_SUBSCRIBER } from '../../functions/services/notifications';
import { notificationChannelsFromEnvironment, notificationTemplatesFromEnvironment } from '../../functions/notifications/channels';
import { createTestAccount, createTestTerminal, setAccountStatus, terminalFetch } from '../helpers/fixtures';
import { useFake } from '../helpers/fakes';
import { bindPhone, holderToken } from '../helpers/phone';
import { useTestPlatform } from '../helpers/platform';

let wechat: FakeWechatLogin;
let alipay: FakeAlipay;
useFake('WECHAT_LOGIN_CONFIG', startFakeWechatLogin, (started) => (wechat = started));
useFake('ALIPAY_CONFIG', startFakeAlipay, (started) => (alipay = started));
const platform = useTestPlatform({ http: true, stream: true });
let poller: OutboxStreamPoller;

beforeAll(async () => {
  process.env.NOTIFICATION_TEMPLATES = JSON.stringify({ wechat: wechat.templates, alipay: alipay.templateIds });
  poller = await startOutboxStreamPoller({ endpoint: inject('dynamodbEndpoint'), tableName: platform.tableName, handler: dispatchOutbox, intervalMs: 100 });
});
afterAll(async () => {
  await poller?.stop();
  delete process.env.NOTIFICATION_TEMPLATES;
});

let txn = 0;
let users = 0;

/** A holder who signed in on WeChat (the identity bound to the account) and accepted every template. */
async function subscribedHolder(options: { balanceFen?: number; platform?: 'wechat' | 'alipay' } = {}) {
  const account = await createTestAccount(platform.deps, { balanceFen: options.balanceFen ?? 10_000 });
  // The opening top-up is dispatched before the holder subscribes (the dispatcher reads the preferences as they are then).
  await poller.drain();
  const on = options.platform ?? 'wechat';
  const userId = on === 'wechat' ? `o-notify-${process.pid}-${++users}` : `2088${String(process.pid).padStart(6, '0')}${String(++users).padStart(6, '0')}`;
  await linkIdentity(platform.deps.db, on, userId, account.accountNo, new Date());
  const token = await holderToken(account.accountNo);
  const templates = on === 'wechat' ? wechat.templates : alipay.templateIds;
  const subscribed = await platform.request('POST', '/v1/holder/notifications/subscriptions', { token, body: { platform: on, platformUserId: userId, accepted: Object.values(templates) } });
  expect(subscribed.status).toBe(200);
  const phone = await bindPhone(platform.url, account.accountNo);
  const terminal = await createTestTerminal(platform.deps);
  return { account, userId, token, phone, terminal };
}

const pay = (holder: Awaited<ReturnType<typeof subscribedHolder>>, amountFen: number, posTxnId = `n${++txn}`, token = holder.phone.code()) =>
  terminalFetch(platform.url, holder.terminal, 'POST', '/v1/pos/qr-payments', { posTxnId, token, amountFen });

async function outboxOf(accountNo: string): Promise<OutboxRecord[]> {
  const { Items } = await (platform.deps.db.doc as DynamoDBDocumentClient).send(
    new ScanCommand({ TableName: platform.tableName, FilterExpression: 'begins_with(pk, :prefix)', ExpressionAttributeValues: { ':prefix': `OUTBOX#E#${accountNo}#` }, ConsistentRead: true }),
  );
  // Oldest first: the source id ends with the entry's ULID.
  return ((Items ?? []) as OutboxRecord[]).sort((a, b) => a.sourceId.localeCompare(b.sourceId));
}

const messagesTo = (openid: string) => wechat.messages.filter((message) => message.touser === openid);

describe('the outbox', () => {
  it('a QR payment makes one outbox item, sent once as a subscribe message; a retry of the payment makes no second event', async () => {
    const holder = await subscribedHolder();
    const before = (await outboxOf(holder.account.accountNo)).length;
    const code = holder.phone.code();
    const first = await pay(holder, 1_200, 'same-txn', code);
    expect(first.status).toBe(200);
    const retry = await pay(holder, 1_200, 'same-txn', code);
    expect(retry.body).toEqual({ ...first.body, replayed: true });
    const items = (await outboxOf(holder.account.accountNo)).slice(before);
    expect(items).toHaveLength(1);
    expect(items[0]!.events).toMatchObject([{ kind: 'payment', amountFen: 1_200, balanceAfterFen: 8_800, receiptNo: first.body.receiptNo, terminalId: holder.terminal.terminalId }]);
    await poller.drain();
    const sent = messagesTo(holder.userId);
    expect(sent).toHaveLength(1);
    expect(sent[0]).toMatchObject({
      templateId: wechat.templates.payment,
      page: `pages/receipt/index?receiptNo=${first.body.receiptNo}`,
      data: { thing1: { value: '测试食堂' }, amount2: { value: '12.00元' }, amount3: { value: '88.00元' } },
    });
    expect(await getDelivery(platform.deps.db, items[0]!.events[0]!.eventId, NOTIFICATION_SUBSCRIBER)).toMatchObject({ status: 'sent', attempts: 1 });
  });

  it('a transaction that committed but whose answer was lost is retried without a second event', async () => {
    const holder = await subscribedHolder();
    const before = (await outboxOf(holder.account.accountNo)).length;
    // The first TransactWriteItems commits and then "times out": the movement store tries again and finds it posted.
    let lost = 0;
    const doc = platform.deps.db.doc;
    const flaky = {
      send: (async (command: { constructor: { name: string } }) => {
        const answer = await doc.send(command as never);
        if (command.constructor.name === 'TransactWriteCommand' && lost++ === 0) throw Object.assign(new Error('socket timed out after the write committed'), { name: 'TimeoutError' });
        return answer;
      }) as typeof doc.send,
    };
    const movements = createMovementStore({ doc: flaky, tableName: platform.tableName }, platform.deps.clock);
    const request = { amountFen: 300, channel: 'pos' as const, externalRef: 'lost-answer', merchantId: 'MTEST', terminalId: holder.terminal.terminalId };
    const post = () => movements.post({ accountNo: holder.account.accountNo, idempotencyKey: `test#lost#${holder.account.accountNo}`, fingerprint: fingerprint(request), plan: (account, today) => planPurchase(account, request, today) });
    const result = await post().catch(async (error: unknown) => {
      // The store does not retry a thrown timeout itself; the caller (a terminal) sends the request again.
      expect(String(error)).toMatch(/timed out/);
      return post();
    });
    expect(result.entry.amountFen).toBe(300);
    expect((await getAccount(platform.deps.db, holder.account.accountNo))!.balanceFen).toBe(9_700);
    expect((await outboxOf(holder.account.accountNo)).slice(before)).toHaveLength(1);
    await poller.drain();
    expect(messagesTo(holder.userId)).toHaveLength(1);
  });

  it('a refused payment (more than the balance) makes no event and sends nothing', async () => {
    const holder = await subscribedHolder({ balanceFen: 500 });
    const before = (await outboxOf(holder.account.accountNo)).length;
    const refused = await pay(holder, 900);
    expect(refused.body.code).toBe('INSUFFICIENT_BALANCE');
    expect(await outboxOf(holder.account.accountNo)).toHaveLength(before);
    await poller.drain();
    expect(messagesTo(holder.userId)).toHaveLength(0);
  });

  it('ten dispatchers at once (and the stream) send one message per event', async () => {
    const holder = await subscribedHolder();
    const before = (await outboxOf(holder.account.accountNo)).length;
    expect((await pay(holder, 700)).status).toBe(200);
    const [item] = (await outboxOf(holder.account.accountNo)).slice(before);
    const record = (await getOutboxRecord(platform.deps.db, item!.sourceId))!;
    const subscriber = notificationSubscriber(platform.deps, {
      channels: () => notificationChannelsFromEnvironment(platform.deps.config),
      templates: () => notificationTemplatesFromEnvironment(platform.deps.config),
    });
    const results = await Promise.all(Array.from({ length: 10 }, () => dispatchOutboxRecord(platform.deps, record, [subscriber])));
    await poller.drain();
    // One claim among the ten and the stream's dispatcher (which may have been first).
    expect(results.flat().filter((result) => result.claimed).length).toBeLessThanOrEqual(1);
    expect(await getDelivery(platform.deps.db, record.events[0]!.eventId, NOTIFICATION_SUBSCRIBER)).toMatchObject({ status: 'sent' });
    expect(messagesTo(holder.userId)).toHaveLength(1);
  });

  it('a refusal (43101) is recorded, the kind unsubscribed, and the next event of that kind is not sent', async () => {
    const holder = await subscribedHolder();
    wechat.refuse(holder.userId, wechat.templates.payment);
    const before = (await outboxOf(holder.account.accountNo)).length;
    expect((await pay(holder, 100)).status).toBe(200);
    await poller.drain();
    const [item] = (await outboxOf(holder.account.accountNo)).slice(before);
    expect(await getDelivery(platform.deps.db, item!.events[0]!.eventId, NOTIFICATION_SUBSCRIBER)).toMatchObject({ status: 'refused', detail: '43101', attempts: 1 });
    expect((await getNotificationPrefs(platform.deps.db, holder.account.accountNo)).subscribed).not.toContain('payment');
    expect((await pay(holder, 100)).status).toBe(200);
    await poller.drain();
    const second = (await outboxOf(holder.account.accountNo)).slice(before).find((record) => record.sourceId !== item!.sourceId)!;
    expect(await getDelivery(platform.deps.db, second.events[0]!.eventId, NOTIFICATION_SUBSCRIBER)).toMatchObject({ status: 'skipped', detail: 'not_subscribed' });
    expect(messagesTo(holder.userId)).toHaveLength(0);
  });

  it('the money path succeeds while the platform is busy; the send is tried a bounded number of times, then recorded failed', async () => {
    const holder = await subscribedHolder();
    wechat.setBusy(true);
    try {
      const before = (await outboxOf(holder.account.accountNo)).length;
      const paid = await pay(holder, 250);
      expect(paid.status).toBe(200);
      expect(paid.body.balanceFen).toBe(9_750);
      await poller.drain();
      const [item] = (await outboxOf(holder.account.accountNo)).slice(before);
      expect(await getDelivery(platform.deps.db, item!.events[0]!.eventId, NOTIFICATION_SUBSCRIBER)).toMatchObject({ status: 'failed', attempts: 3 });
    } finally {
      wechat.setBusy(false);
    }
    // Recorded failed is final: the stream's redelivery (or a restart) does not send it later.
    await poller.drain();
    expect(messagesTo(holder.userId)).toHaveLength(0);
  });

  it('an expired access token is renewed and the message sent once', async () => {
    const holder = await subscribedHolder();
    wechat.expireTokens();
    expect((await pay(holder, 100)).status).toBe(200);
    await poller.drain();
    expect(messagesTo(holder.userId)).toHaveLength(1);
  });
});

describe('the dispatcher and the money path', () => {
  it('a record whose claim cannot be written is reported failed to the stream (delivered again later), and nothing is sent', async () => {
    const holder = await subscribedHolder();
    const before = (await outboxOf(holder.account.accountNo)).length;
    // Paid while the stream's dispatcher is not looking: this test hands the record over itself.
    await poller.stop();
    try {
      expect((await pay(holder, 100)).status).toBe(200);
      const [item] = (await outboxOf(holder.account.accountNo)).slice(before);
      const down = { ...platform.deps, db: { tableName: platform.tableName, doc: { send: async () => Promise.reject(Object.assign(new Error('connect ECONNREFUSED'), { name: 'TimeoutError' })) } } } as unknown as typeof platform.deps;
      const dispatch = createOutboxStreamHandler((deps) => outboxSubscribers(deps, () => notificationChannelsFromEnvironment(deps.config), () => notificationTemplatesFromEnvironment(deps.config)), () => down);
      const image = { pk: { S: `OUTBOX#${item!.sourceId}` }, sk: { S: 'OUTBOX' }, sourceId: { S: item!.sourceId }, accountNo: { S: item!.accountNo }, createdAt: { S: item!.createdAt }, events: { L: [] } };
      const answer = await dispatch({ Records: [{ eventName: 'INSERT', dynamodb: { SequenceNumber: '42', NewImage: image } }, { eventName: 'MODIFY', dynamodb: { SequenceNumber: '43', NewImage: image } }] } as never);
      // An outbox item with no events claims nothing: the record is done; now one with its events.
      expect(answer.batchItemFailures).toEqual([]);
      const withEvents = { ...image, events: { L: [{ M: { eventId: { S: item!.events[0]!.eventId }, kind: { S: 'payment' }, accountNo: { S: item!.accountNo }, at: { S: item!.createdAt } } }] } };
      const failed = await dispatch({ Records: [{ eventName: 'INSERT', dynamodb: { SequenceNumber: '44', NewImage: withEvents } }] } as never);
      expect(failed.batchItemFailures).toEqual([{ itemIdentifier: '44' }]);
      expect(messagesTo(holder.userId)).toHaveLength(0);
    } finally {
      poller = await startOutboxStreamPoller({ endpoint: inject('dynamodbEndpoint'), tableName: platform.tableName, handler: dispatchOutbox, intervalMs: 100 });
    }
  });

  it('a movement that would pass DynamoDB\'s 100 items with its outbox item is refused before anything is written', async () => {
    const account = await createTestAccount(platform.deps, { balanceFen: 1_000 });
    const request = { amountFen: 100, channel: 'counter' as const, externalRef: `big-${account.accountNo}` };
    const extras = Array.from({ length: 97 }, (_, i) => ({ item: { ConditionCheck: { TableName: platform.tableName, Key: { pk: `NOPE#${i}`, sk: 'NOPE' }, ConditionExpression: 'attribute_not_exists(pk)' } }, onConflict: () => 'retry' as const }));
    await expect(
      platform.deps.movements.post({ accountNo: account.accountNo, idempotencyKey: `test#big#${account.accountNo}`, fingerprint: fingerprint(request), plan: (current, today) => planTopup(current, request, today), alsoWrite: () => extras }),
    ).rejects.toThrow(/more than 100 items/);
    expect((await getAccount(platform.deps.db, account.accountNo))!.balanceFen).toBe(1_000);
  });
});

describe('what the holder asked for', () => {
  it('a payment below the low-balance threshold also says so, once per crossing', async () => {
    const holder = await subscribedHolder();
    const set = await platform.request('PUT', '/v1/holder/notifications', { token: holder.token, body: { lowBalanceFen: 9_500 } });
    expect(set.status).toBe(200);
    expect(set.body.lowBalanceFen).toBe(9_500);
    expect((await pay(holder, 600)).status).toBe(200); // 100.00 → 94.00: crosses
    expect((await pay(holder, 100)).status).toBe(200); // 94.00 → 93.00: already below
    await poller.drain();
    const sent = messagesTo(holder.userId);
    expect(sent.map((message) => message.templateId).sort()).toEqual([wechat.templates.payment, wechat.templates.payment, wechat.templates.low_balance].sort());
    expect(sent.find((message) => message.templateId === wechat.templates.low_balance)!.data).toMatchObject({ amount1: { value: '94.00元' }, amount2: { value: '95.00元' } });
  });

  it('a kind turned off is not sent; loss and unfreeze are', async () => {
    const holder = await subscribedHolder();
    const off = await platform.request('PUT', '/v1/holder/notifications', { token: holder.token, body: { events: { payment: false } } });
    expect(off.body.events).toMatchObject({ payment: false, topup: true, loss: true });
    expect((await pay(holder, 100)).status).toBe(200);
    await setAccountStatus(platform.deps, holder.account.accountNo, 'lost');
    await setAccountStatus(platform.deps, holder.account.accountNo, 'active');
    await poller.drain();
    expect(messagesTo(holder.userId).map((message) => message.templateId)).toEqual([wechat.templates.loss, wechat.templates.unfreeze]);
    expect(messagesTo(holder.userId)[0]!.data.phrase2).toEqual({ value: '已挂失' });
  });

  it('an Alipay holder gets the top-up on Alipay, signed through the gateway', async () => {
    const holder = await subscribedHolder({ platform: 'alipay' });
    const request = { amountFen: 5_000, channel: 'counter' as const, externalRef: `cash-${holder.account.accountNo}` };
    await platform.deps.movements.post({ accountNo: holder.account.accountNo, idempotencyKey: `test#cash#${holder.account.accountNo}`, fingerprint: fingerprint(request), plan: (account, today) => planTopup(account, request, today) });
    await poller.drain();
    const sent = alipay.templateMessages.filter((message) => message.toUserId === holder.userId);
    expect(sent).toHaveLength(1);
    expect(sent[0]).toMatchObject({ userTemplateId: alipay.templateIds.topup, data: { keyword1: { value: '50.00元' }, keyword2: { value: '150.00元' }, keyword3: { value: '服务大厅' } } });
  });

  it('a subscription for an identity bound to someone else, or an unknown template, is refused and changes nothing', async () => {
    const holder = await subscribedHolder();
    const other = await createTestAccount(platform.deps);
    const otherToken = await holderToken(other.accountNo);
    const stolen = await platform.request('POST', '/v1/holder/notifications/subscriptions', { token: otherToken, body: { platform: 'wechat', platformUserId: holder.userId, accepted: [wechat.templates.payment] } });
    expect(stolen.status).toBe(403);
    expect(stolen.body.code).toBe('NOTIFY_IDENTITY_NOT_BOUND');
    const unknown = await platform.request('POST', '/v1/holder/notifications/subscriptions', { token: holder.token, body: { platform: 'wechat', platformUserId: holder.userId, accepted: ['not-ours'] } });
    expect(unknown.status).toBe(400);
    expect(unknown.body.code).toBe('NOTIFY_TEMPLATE_UNKNOWN');
    const bad = await platform.request('PUT', '/v1/holder/notifications', { token: holder.token, body: { lowBalanceFen: -5 } });
    expect(bad.body.code).toBe('VALIDATION_FAILED');
    const settings = await platform.request('GET', '/v1/holder/notifications', { token: otherToken });
    expect(settings.body).toMatchObject({ channel: null, subscribed: [], lowBalanceFen: null });
    expect((await getNotificationPrefs(platform.deps.db, holder.account.accountNo)).subscribed).toHaveLength(Object.keys(wechat.templates).length);
  });

  it('serves the template ids of both platforms to the app', async () => {
    const holder = await subscribedHolder();
    const settings = await platform.request('GET', '/v1/holder/notifications', { token: holder.token });
    expect(settings.status).toBe(200);
    expect(settings.body).toMatchObject({ channel: 'wechat', templates: { wechat: wechat.templates, alipay: alipay.templateIds } });
    expect(settings.body.subscribed.sort()).toEqual(Object.keys(wechat.templates).sort());
  });

  it('setting the threshold while payments run loses no payment and decides each crossing on the threshold it committed with', async () => {
    const holder = await subscribedHolder();
    const results = await Promise.all([
      ...Array.from({ length: 5 }, () => pay(holder, 1_000)),
      platform.request('PUT', '/v1/holder/notifications', { token: holder.token, body: { lowBalanceFen: 8_000 } }),
    ]);
    expect(results.every((result) => result.status === 200)).toBe(true);
    expect((await getAccount(platform.deps.db, holder.account.accountNo))!.balanceFen).toBe(5_000);
    const records = (await outboxOf(holder.account.accountNo)).flatMap((record) => record.events);
    expect(records.filter((event) => event.kind === 'payment')).toHaveLength(5);
    // At most one crossing of 80.00 on the way from 100.00 to 50.00.
    expect(records.filter((event) => event.kind === 'low_balance').length).toBeLessThanOrEqual(1);
  });
});
