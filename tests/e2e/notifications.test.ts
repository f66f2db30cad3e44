/**
 * Notifications end to end on the whole local stack (`npm start`'s startLocalStack): a holder signed
 * in on WeChat subscribes, pays at the canteen by QR and tops up on the fake WeChat Pay; the dispatcher, fed
 * by DynamoDB Local's stream, sends each to the fake WeChat once. The H5 build itself says it cannot
 * subscribe and offers nothing (screenshots in test-artifacts/e2e).
 */
import type { Browser, Page } from 'playwright-core';
import { beforeAll, describe, expect, it } from 'vitest';
import type { LocalStack } from '../../functions/local/stack';
import { terminalFetch } from '../helpers/fixtures';
import { bindPhone } from '../helpers/phone';
import { useE2eStack, newPhonePage, phoneScreenshot } from './browser';

let stack: LocalStack;
let browser: Browser;
let page: Page;

useE2eStack(['h5'], (running) => ({ stack, browser } = running), { notifications: true });
beforeAll(async () => {
  page = await newPhonePage(browser);
});

const ui = (selector: string) => page.locator(selector).filter({ visible: true });

const shot = (name: string) => phoneScreenshot(page, name);

async function api(method: string, path: string, body?: unknown, token?: string): Promise<{ status: number; body: any }> {
  const response = await fetch(stack.platform.url + path, {
    method,
    headers: { ...(token ? { authorization: `Bearer ${token}` } : {}), ...(body !== undefined ? { 'content-type': 'application/json' } : {}) },
    ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
  });
  return { status: response.status, body: await response.json() };
}

describe('notifications on the local stack', () => {
  it('a WeChat holder subscribes; a QR payment and a top-up each reach WeChat once; H5 offers no subscription', async () => {
    const holder = stack.seed.samples.find((sample) => sample.cardKind === 'm1')!;
    const canteen = stack.seed.terminals.find((terminal) => terminal.merchantId === 'M001')!;
    const wechat = stack.wechatLogin!;
    const openid = 'o-e2e-notify-holder';

    // Signed in inside WeChat: the openid is bound to the account, then the app asks for the templates the server serves.
    const signIn = await api('POST', '/v1/auth/wechat', { code: wechat.issueCode(openid) });
    expect(signIn.body.bound).toBe(false);
    const bound = await api('POST', '/v1/auth/bindings', { personId: holder.account.personId, cardPassword: holder.password, idType: 'id_card', idNumber: holder.idNumber, mobile: holder.mobile, bindingToken: signIn.body.bindingToken });
    expect(bound.status).toBe(200);
    const session = bound.body.session as string;
    const settings = await api('GET', '/v1/holder/notifications', undefined, session);
    expect(settings.body.templates.wechat).toEqual(wechat.templates);
    const accepted = [wechat.templates.payment, wechat.templates.topup, wechat.templates.low_balance];
    const subscribed = await api('POST', '/v1/holder/notifications/subscriptions', { platform: 'wechat', platformUserId: openid, accepted, rejected: [] }, session);
    expect(subscribed.body).toMatchObject({ channel: 'wechat' });

    // The canteen charges the phone's code: the POS is answered at once, the message follows from the stream.
    const phone = await bindPhone(stack.platform.url, holder.account.accountNo);
    const paid = await terminalFetch(stack.platform.url, canteen, 'POST', '/v1/pos/qr-payments', { posTxnId: 'e2e-notify-1', token: phone.code(), amountFen: 1_250 });
    expect(paid.status).toBe(200);
    const toHolder = () => wechat.messages.filter((message) => message.touser === openid);
    await expect.poll(() => toHolder().length, { timeout: 15_000 }).toBe(1);
    expect(toHolder()[0]).toMatchObject({ templateId: wechat.templates.payment, data: { thing1: { value: '第一食堂' }, amount2: { value: '12.50元' } } });

    // The same holder in the H5 app: settings say the web version gets no messages.
    await page.goto(`${stack.platform.url}/`);
    await ui('#login-submit').waitFor();
    await ui('#field-personId input').fill(holder.account.personId);
    await ui('#field-queryPassword input').fill(holder.password);
    await ui('#login-submit').click();
    await ui('.qr, #card-state').first().waitFor({ timeout: 20_000 });
    await page.goto(`${stack.platform.url}/#/pages/settings/index`);
    await ui('#notifications-h5').waitFor();
    expect(await ui('#notifications-h5').textContent()).toContain('网页版无法接收微信或支付宝的消息提醒');
    expect(await ui('#notifications .switch__item').count()).toBe(0);
    await ui('#notifications').scrollIntoViewIfNeeded();
    await shot('notify-01-settings-h5');

    // A top-up on the fake WeChat Pay (as the app's top-up page makes it): WeChat is told of the credit.
    const order = await api('POST', '/v1/holder/topups', { amountFen: 2_000, channel: 'wechat', payerId: openid }, session);
    expect(order.status).toBe(201);
    expect((await api('POST', `/__fake/wechat/pay/${order.body.order.orderId}`, {})).status).toBe(200);
    await expect.poll(async () => (await api('GET', `/v1/holder/topups/${order.body.order.orderId}`, undefined, session)).body.status, { timeout: 15_000 }).toBe('paid');
    await expect.poll(() => toHolder().length, { timeout: 15_000 }).toBe(2);
    expect(toHolder()[1]).toMatchObject({ templateId: wechat.templates.topup, data: { amount1: { value: '20.00元' }, thing3: { value: '微信支付' } } });
    // Nothing is sent twice.
    await page.waitForTimeout(1_000);
    expect(toHolder()).toHaveLength(2);
  });
});
