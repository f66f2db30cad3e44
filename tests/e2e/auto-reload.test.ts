/**
 * Automatic reload end to end (issue 18 item 2) on the whole local stack with the outbox running: a
 * holder binds in the H5 app, sets a threshold and an amount and signs through the local stand-in
 * for WeChat Pay's signing mini-program (the fake WeChat Pay's papay contract, its signed PAPAY.SIGN);
 * a canteen QR payment below the threshold makes exactly one reload (the dispatcher's auto_reload
 * subscriber, the fake's deduction, its signed payment notification, the credit), a second payment
 * still below makes none; turning it off in the app ends the contract at the fake WeChat Pay.
 * Screenshots in test-artifacts/e2e/auto-reload-*.png.
 */
import jsQR from 'jsqr';
import type { Browser, Page } from 'playwright-core';
import { PNG } from 'pngjs';
import { beforeAll, describe, expect, it } from 'vitest';
import type { LocalStack } from '../../functions/local/stack';
import { terminalFetch } from '../helpers/fixtures';
import { holderToken } from '../helpers/phone';
import { useE2eStack, newPhonePage, bindInApp, phoneScreenshot } from './browser';

let stack: LocalStack;
let browser: Browser;
let page: Page;

useE2eStack(['h5'], (running) => ({ stack, browser } = running), { notifications: true });
beforeAll(async () => {
  page = await newPhonePage(browser);
});

/** What is on screen: the H5 router keeps the pages under the current one in the DOM, hidden. */
const ui = (selector: string) => page.locator(selector).filter({ visible: true });
const text = (words: string) => page.getByText(words, { exact: true }).filter({ visible: true });

const shot = (name: string) => phoneScreenshot(page, `auto-reload-${name}`);

/** The QR code on screen, read back from pixels as the canteen's scanner would. */
async function scanCode(): Promise<string> {
  const png = PNG.sync.read(await ui('.qr').screenshot());
  const decoded = jsQR(new Uint8ClampedArray(png.data), png.width, png.height);
  if (!decoded) throw new Error('no QR code could be read from the screen');
  return decoded.data;
}

const yuanText = (fen: number) => `¥${(fen / 100).toFixed(2)}`;
const balanceText = async () => (await ui('#balance').textContent())!.trim();

async function goHome(): Promise<void> {
  await page.goto(`${stack.platform.url}/#/pages/index/index`);
  await ui('.qr').waitFor({ timeout: 20_000 });
}

async function holderApi(accountNo: string, method: string, path: string, body?: unknown): Promise<{ status: number; body: any }> {
  const response = await fetch(stack.platform.url + path, {
    method,
    headers: { authorization: `Bearer ${await holderToken(accountNo)}`, ...(body !== undefined ? { 'content-type': 'application/json' } : {}) },
    ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
  });
  return { status: response.status, body: await response.json() };
}

describe('automatic reload on the local stack', () => {
  it('a QR payment triggers one automatic reload', async () => {
    const holder = stack.seed.samples.find((sample) => sample.cardKind === 'm1')!; // a top-up lands in the balance
    const canteen = stack.seed.terminals.find((terminal) => terminal.merchantId === 'M001')!;
    const accountNo = holder.account.accountNo;
    const before = holder.account.balanceFen;
    // The threshold under the balance; the first payment ends 15 yuan below it, so the 10-yuan reload
    // leaves it still below (no re-arm) and the second payment crosses nothing.
    const amountFen = 1_000;
    const thresholdFen = Math.min(before - 1_000, 20_000);
    expect(thresholdFen).toBeGreaterThan(0);
    const firstFen = before - thresholdFen + 1_500;
    const secondFen = 300;
    // Both payments without a password: the daily limit raised to cover them when the balance is high.
    if (firstFen + secondFen > holder.account.dailyLimitFen) {
      expect((await holderApi(accountNo, 'PUT', '/v1/holder/daily-limit', { dailyLimitFen: 60_000, consumptionPassword: holder.password })).status).toBe(200);
    }

    // 1. Bind in the H5 app.
    await bindInApp(page, stack.platform.url, holder, 'auto-reload');
    await expect.poll(balanceText).toBe(yuanText(before));
    await shot('01-home');

    // 2. Settings lead to the page: not on yet.
    await page.goto(`${stack.platform.url}/#/pages/settings/index`);
    await expect.poll(() => ui('#auto-reload-row').textContent(), { timeout: 10_000 }).toContain('自动充值 · 未开启');
    await ui('#auto-reload-row').scrollIntoViewIfNeeded();
    await shot('02-settings-row');
    await ui('#auto-reload-row').click();
    await ui('#auto-reload-sign').waitFor();
    // Out of the campus's bounds: refused on the phone, in words, before anything is sent.
    await ui('#field-autoReloadThreshold input').fill('300');
    await ui('#field-autoReloadAmount input').fill('5');
    await ui('#auto-reload-sign').click();
    await expect.poll(() => ui('.field__problem').allTextContents()).toEqual(['请输入 0.01–200 元之间的金额，最多两位小数', '请输入 10–500 元之间的金额，最多两位小数']);
    await shot('03-form-invalid');
    expect(stack.wechatPay!.contracts()).toHaveLength(0);
    await ui('#field-autoReloadThreshold input').fill(String(thresholdFen / 100));
    await ui('#field-autoReloadAmount input').fill(String(amountFen / 100));
    // Corrected, the fields no longer say what was wrong with them.
    await expect.poll(() => ui('.field__problem').count()).toBe(0);
    await shot('04-form');

    // 3. Sign: the server pre-signs at the fake WeChat Pay; the stand-in signs as the payer; the app waits for the server's word.
    await ui('#auto-reload-sign').click();
    await ui('#agreement-sign').waitFor();
    expect(await ui('#local-agreement').textContent()).toContain('本地演示：模拟在支付平台签约');
    expect(stack.wechatPay!.contracts().map((contract) => contract.state)).toEqual(['SIGNING']);
    await shot('05-stand-in');
    await ui('#agreement-sign').click();
    await ui('#auto-reload-active').waitFor({ timeout: 20_000 });
    expect(await ui('#auto-reload-active').textContent()).toContain('自动充值已开启');
    expect(await ui('#auto-reload-threshold').textContent()).toBe(yuanText(thresholdFen));
    expect(await ui('#auto-reload-amount').textContent()).toBe(yuanText(amountFen));
    expect(await ui('#auto-reload-today').textContent()).toBe('今日已自动充值 0 次（每天最多 2 次）');
    expect(stack.wechatPay!.contracts().map((contract) => contract.state)).toEqual(['ADDED']);
    await shot('06-active');
    // The top-up page says so too.
    await page.goto(`${stack.platform.url}/#/pages/topup/index`);
    await expect.poll(() => ui('#auto-reload-row').textContent(), { timeout: 10_000 }).toContain('自动充值 · 已开启');
    await ui('#auto-reload-row').scrollIntoViewIfNeeded();
    await shot('06b-topup-row');

    // 4. The canteen charges the phone's code below the threshold: the reload follows from the outbox, once.
    await goHome();
    const paid = await terminalFetch(stack.platform.url, canteen, 'POST', '/v1/pos/qr-payments', { posTxnId: 'e2e-auto-reload-1', token: await scanCode(), amountFen: firstFen });
    expect(paid.status).toBe(200);
    await expect.poll(balanceText, { timeout: 30_000, interval: 500 }).toBe(yuanText(before - firstFen + amountFen));
    const deductions = () => stack.wechatPay!.orders().filter((order) => order.tradeState === 'SUCCESS');
    expect(deductions()).toHaveLength(1);
    await shot('07-home-reloaded');

    // 5. History: the reload above the payment.
    await text('账单').click();
    await ui('#history-list .entry').nth(1).waitFor();
    const rows = await ui('#history-list .entry').allTextContents();
    expect(rows[0]).toContain('自动充值');
    expect(rows[0]).toContain(`+${(amountFen / 100).toFixed(2)}`);
    expect(rows[1]).toContain('第一食堂');
    expect(rows[1]).toContain(`-${(firstFen / 100).toFixed(2)}`);
    await shot('08-history');

    // 6. The page counts today's reload.
    await page.goto(`${stack.platform.url}/#/pages/auto-reload/index`);
    await expect.poll(() => ui('#auto-reload-today').textContent(), { timeout: 10_000 }).toBe('今日已自动充值 1 次（每天最多 2 次）');
    await shot('09-today-one');

    // 7. A second payment while still below the threshold crosses nothing: no second reload.
    await goHome();
    const second = await terminalFetch(stack.platform.url, canteen, 'POST', '/v1/pos/qr-payments', { posTxnId: 'e2e-auto-reload-2', token: await scanCode(), amountFen: secondFen });
    expect(second.status).toBe(200);
    const settled = before - firstFen + amountFen - secondFen;
    await expect.poll(balanceText, { timeout: 15_000 }).toBe(yuanText(settled));
    await page.waitForTimeout(5_000); // the dispatcher has long seen the payment's outbox record by now
    expect(await balanceText()).toBe(yuanText(settled));
    expect(deductions()).toHaveLength(1);
    expect((await holderApi(accountNo, 'GET', '/v1/holder/account')).body.balanceFen).toBe(settled);
    expect((await holderApi(accountNo, 'GET', '/v1/holder/auto-reload')).body).toMatchObject({ status: 'active', reloadsToday: 1 });
    await shot('10-home-second-payment');

    // 8. Turn it off in the app: asked first, then ended at WeChat Pay and here.
    await page.goto(`${stack.platform.url}/#/pages/auto-reload/index`);
    await ui('#auto-reload-cancel').click();
    await ui('#auto-reload-cancel-yes').waitFor();
    await ui('#auto-reload-cancel-confirm').scrollIntoViewIfNeeded();
    await shot('11-cancel-confirm');
    await ui('#auto-reload-cancel-yes').click();
    await expect.poll(() => ui('#auto-reload-cancelled').textContent(), { timeout: 15_000 }).toBe('自动充值已关闭');
    expect(await ui('#auto-reload-sign').count()).toBe(1);
    expect(stack.wechatPay!.contracts().map((contract) => contract.state)).toEqual(['TERMINATED']);
    expect((await holderApi(accountNo, 'GET', '/v1/holder/auto-reload')).body.status).toBe('cancelled');
    await shot('12-cancelled');

    // Settings say so too.
    await page.goto(`${stack.platform.url}/#/pages/settings/index`);
    await expect.poll(() => ui('#auto-reload-row').textContent(), { timeout: 10_000 }).toContain('自动充值 · 未开启');
  });
});
