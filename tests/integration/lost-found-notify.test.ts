/**
 * Lost and found through the notification path (docs/notifications.md) on DynamoDB Local: the
 * stream poller feeds the dispatcher Lambda, the fake WeChat receives the subscribe messages. A lost
 * card's refused tap tells its holder where and when, once per bucket however often it is retried; a
 * found card tells its owner where to collect it.
 */
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { handler as dispatchOutbox } from '../../functions/handlers/outbox-stream';
import { startFakeWechatLogin, type FakeWechatLogin } from '../../functions/local/fake-wechat-login';
import { startOutboxStreamPoller, type OutboxStreamPoller } from '../../functions/local/outbox-stream-poller';
import { markLost } from '../../functions/services/card-lifecycle';
import { linkIdentity } from '../../functions/store/identities';
import { createTestAccount, createTestTerminal, terminalFetch, testChipUid } from '../helpers/fixtures';
import { useFake } from '../helpers/fakes';
import { holderToken } from '../helpers/phone';
import { useTestPlatform } from '../helpers/platform';

let wechat: FakeWechatLogin;
useFake('WECHAT_LOGIN_CONFIG', startFakeWechatLogin, (started) => (wechat = started));
const platform = useTestPlatform({ http: true, stream: true });
let poller: OutboxStreamPoller;

beforeAll(async () => {
  process.env.NOTIFICATION_TEMPLATES = JSON.stringify({ wechat: wechat.templates });
  poller = await startOutboxStreamPoller({ endpoint: inject('dynamodbEndpoint'), tableName: platform.tableName, handler: dispatchOutbox, intervalMs: 100 });
});
afterAll(async () => {
  await poller?.stop();
  delete process.env.NOTIFICATION_TEMPLATES;
});

let seq = 0;
async function subscribedLostHolder() {
  const account = await createTestAccount(platform.deps, { balanceFen: 5_000 });
  const chipUid = await testChipUid(platform.deps, account.accountNo);
  await poller.drain();
  const userId = `o-lostfound-${process.pid}-${++seq}`;
  await linkIdentity(platform.deps.db, 'wechat', userId, account.accountNo, new Date());
  const token = await holderToken(account.accountNo);
  const subscribed = await platform.request('POST', '/v1/holder/notifications/subscriptions', { token, body: { platform: 'wechat', platformUserId: userId, accepted: Object.values(wechat.templates) } });
  expect(subscribed.status).toBe(200);
  await markLost(platform.deps, account.accountNo);
  await poller.drain();
  return { accountNo: account.accountNo, chipUid, userId, token };
}
const messagesOf = (userId: string, kind: 'lost_card_tapped' | 'card_found') => wechat.messages.filter((message) => message.touser === userId && message.templateId === wechat.templates[kind]);

describe('lost and found messages', () => {
  it('a lost card tapped at a till tells its holder where and when, once for a thief’s retries', async () => {
    const h = await subscribedLostHolder();
    const till = await createTestTerminal(platform.deps, { merchantId: 'MLOSTNOTE' });
    const taps = await Promise.all(
      Array.from({ length: 4 }, (_, i) => terminalFetch(platform.url, till, 'POST', '/v1/pos/charges', { posTxnId: `lf-${process.pid}-${seq}-${i}`, chipUid: h.chipUid, amountFen: 200 })),
    );
    for (const tap of taps) expect([tap.status, tap.body.code]).toEqual([409, 'CARD_LOST']);
    await poller.drain();
    const sent = messagesOf(h.userId, 'lost_card_tapped');
    expect(sent.length).toBeGreaterThanOrEqual(1);
    expect(sent.length).toBeLessThanOrEqual(2); // two only if the taps straddled a bucket's edge
    expect(sent[0]!.data).toMatchObject({ thing3: { value: till.place }, thing4: { value: '挂失卡被刷卡，已拒绝' } });
    expect(sent[0]!.data.time2!.value).toMatch(/^\d{4}-\d{2}-\d{2} \d{2}:\d{2}$/);
  });

  it('a found card reported at a kiosk tells its owner where to collect it, without the finder', async () => {
    const h = await subscribedLostHolder();
    const kiosk = await createTestTerminal(platform.deps, { merchantId: 'MLOSTNOTEK', kind: 'kiosk' });
    const res = await terminalFetch(platform.url, kiosk, 'POST', '/v1/pos/kiosk/found-cards', { cardNumber: h.accountNo });
    expect(res.status).toBe(200);
    await poller.drain();
    const sent = messagesOf(h.userId, 'card_found');
    expect(sent).toHaveLength(1);
    expect(sent[0]!.data).toMatchObject({ thing2: { value: kiosk.place }, thing4: { value: '您的校园卡已被拾到，请凭证件领取' } });
  });
});
