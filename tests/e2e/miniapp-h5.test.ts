/**
 * The holder's app end to end: the H5 build in headless Chromium (Debian's chromium, driven by
 * playwright-core) against the whole local stack (`npm start`'s own startLocalStack: DynamoDB Local,
 * the API, the fake WeChat Pay). The POS side is the real terminal API, with a signed request carrying
 * the QR code decoded from the app's screenshot. Screenshots of every page land in test-artifacts/e2e.
 */
import jsQR from 'jsqr';
import type { Browser, Page } from 'playwright-core';
import { PNG } from 'pngjs';
import { beforeAll, describe, expect, it } from 'vitest';
import type { LocalStack } from '../../functions/local/stack';
import { QR_TOKEN_PREFIX } from '../../shared/qr-token';
import { terminalFetch } from '../helpers/fixtures';
import { useE2eStack, newPhonePage, phoneScreenshot } from './browser';


let stack: LocalStack;
let browser: Browser;
let page: Page;

useE2eStack(['h5'], (running) => ({ stack, browser } = running));
beforeAll(async () => {
  page = await newPhonePage(browser);
});

/** What is on screen: the H5 router keeps the pages under the current one in the DOM, hidden. */
function ui(selector: string) {
  return page.locator(selector).filter({ visible: true });
}

function text(words: string, options: { exact?: boolean } = {}) {
  return page.getByText(words, options).filter({ visible: true });
}

/** Screenshot of the page once the H5 router's slide-in has settled. */
const shot = (name: string) => phoneScreenshot(page, name);

/** The QR code on screen, read back from pixels as a POS scanner would. */
async function scanCode(): Promise<string> {
  const png = PNG.sync.read(await ui('.qr').screenshot());
  const decoded = jsQR(new Uint8ClampedArray(png.data), png.width, png.height);
  if (!decoded) throw new Error('no QR code could be read from the screen');
  return decoded.data;
}

async function fill(name: string, value: string): Promise<void> {
  await ui(`#field-${name} input`).fill(value);
}

async function balanceText(): Promise<string> {
  return (await ui('#balance').textContent())!.trim();
}

async function goHome(): Promise<void> {
  await page.goto(`${stack.platform.url}/#/pages/index/index`);
  await ui('.qr, #card-state').first().waitFor();
}

describe('the holder app (H5) against the local stack', () => {
  it('signs in, binds, tops up, pays at the POS, sees it, reports loss and is refused', async () => {
    const holder = stack.seed.samples.find((sample) => sample.cardKind === 'm1')!; // top-ups land in the balance
    const canteen = stack.seed.terminals.find((terminal) => terminal.merchantId === 'M001')!;
    const before = holder.account.balanceFen;

    // 1. A new phone lands on sign-in; first use binds the electronic card with the card centre's details.
    await page.goto(`${stack.platform.url}/`);
    await ui('#login-submit').waitFor();
    await shot('01-login');
    await ui('#to-bind').click();
    await ui('#bind-submit').waitFor();
    // A wrong mobile is caught before anything is sent, in words.
    await fill('personId', holder.account.personId);
    await fill('cardPassword', holder.password);
    await fill('idNumber', holder.idNumber);
    await fill('mobile', '12345');
    await ui('#bind-submit').click();
    await expect.poll(() => ui('.field__problem').allTextContents()).toEqual(['请输入 11 位手机号码']);
    await fill('mobile', holder.mobile);
    await shot('02-bind');
    await ui('#bind-submit').click();

    // 2. Home: the name, the balance and a campus code that is a real signed token.
    await ui('.qr').waitFor({ timeout: 20_000 });
    await expect.poll(balanceText).toBe(`¥${(before / 100).toFixed(2)}`);
    expect(await ui('.holder__name').textContent()).toBe(holder.account.holderName);
    const firstCode = await scanCode();
    expect(firstCode.startsWith(QR_TOKEN_PREFIX)).toBe(true);
    await shot('03-home');

    // 3. Top up 50 yuan through the fake WeChat Pay: the order, the payment, the signed notification, the credit.
    await text('充值', { exact: true }).click();
    await ui('#topup-pay').waitFor();
    await text('¥50', { exact: true }).click();
    await ui('#topup-pay').click();
    await ui('#cashier-pay').waitFor();
    await shot('04-topup-cashier');
    await ui('#cashier-pay').click();
    await expect.poll(() => ui('#topup-result').textContent(), { timeout: 20_000 }).toContain('充值成功，¥50.00 已到账');
    await shot('05-topup-paid');
    expect(stack.wechatPay!.orders().filter((order) => order.tradeState === 'SUCCESS')).toHaveLength(1);

    await goHome();
    await expect.poll(balanceText).toBe(`¥${((before + 5_000) / 100).toFixed(2)}`);

    // 4. The canteen POS scans the code off the screen and charges 12.50 through the terminal API.
    const code = await scanCode();
    const paid = await terminalFetch(stack.platform.url, canteen, 'POST', '/v1/pos/qr-payments', { posTxnId: 'e2e-canteen-1', token: code, amountFen: 1_250 });
    expect(paid.status).toBe(200);
    // The app sees the payment: new balance, a note, and a fresh code (the used one is never shown again).
    await expect.poll(balanceText, { timeout: 15_000 }).toBe(`¥${((before + 5_000 - 1_250) / 100).toFixed(2)}`);
    await expect.poll(() => ui('.feedback--success').textContent()).toContain('支付成功 -¥12.50');
    const nextCode = await scanCode();
    expect(nextCode).not.toBe(code);
    await shot('06-home-after-payment');

    // Offline (a canteen basement): the code keeps coming, signed on the phone, and the app says so.
    await page.context().setOffline(true);
    await expect.poll(() => ui('.code__offline').count(), { timeout: 15_000 }).toBe(1);
    expect(await ui('.code__offline').textContent()).toContain('离线中：二维码仍可使用');
    const offlineCode = await scanCode();
    expect(offlineCode.startsWith(QR_TOKEN_PREFIX)).toBe(true);
    await shot('06b-home-offline');
    await page.context().setOffline(false);
    await expect.poll(() => ui('.code__offline').count(), { timeout: 15_000 }).toBe(0);

    // 5. History shows the purchase (and the top-up), with the month's totals; the receipt has its number.
    await text('账单', { exact: true }).click();
    await ui('#history-list .entry').nth(1).waitFor();
    const rows = await ui('#history-list .entry').allTextContents();
    expect(rows[0]).toContain('第一食堂');
    expect(rows[0]).toContain('-12.50');
    expect(rows[1]).toContain('+50.00');
    await expect.poll(() => ui('#month-totals').textContent()).toContain('支出 ¥12.50');
    await shot('07-history');
    await ui('#history-list .entry').first().click();
    await ui('#receipt-amount').waitFor();
    expect(await ui('#receipt-amount').textContent()).toBe('-12.50');
    expect(await text(paid.body.receiptNo as string).count()).toBe(1);
    await shot('08-receipt');

    // 5b. Spending at a glance: this month's ¥12.50 at the canteen, and the six months' trend.
    await page.goto(`${stack.platform.url}/#/pages/spending/index`);
    await ui('#spending-month').waitFor();
    await expect.poll(() => ui('#spending-month').textContent()).toContain('¥12.50');
    expect(await ui('#spending-canteen').textContent()).toContain('¥12.50');
    expect(await ui('.trend__col').count()).toBe(6);
    await shot('08b-spending');

    // 6. Report the card lost with the query password.
    await page.goto(`${stack.platform.url}/#/pages/card/index`);
    await ui('#loss-submit').waitFor();
    await shot('09-card');
    await fill('queryPassword', '000000');
    await ui('#loss-submit').click();
    await expect.poll(() => ui('.feedback--error').first().textContent()).toContain('密码错误');
    await fill('queryPassword', holder.password);
    await ui('#loss-submit').click();
    await expect.poll(() => ui('#card-status').textContent()).toBe('已挂失');
    await shot('10-card-lost');
    // With the card lost, ask the card centre for a new one (M1), collected in person.
    await text('M1 卡', { exact: true }).click();
    await fill('replacePassword', holder.password);
    await ui('#replacement-submit').click();
    await expect.poll(() => ui('#replacement').textContent()).toContain('补卡申请已提交');
    await shot('10b-replacement-requested');

    // 7. The next POS payment is refused, and the app shows the lost state instead of a code.
    const refused = await terminalFetch(stack.platform.url, canteen, 'POST', '/v1/pos/qr-payments', { posTxnId: 'e2e-canteen-2', token: offlineCode, amountFen: 800 });
    expect(refused.body.code).toBe('CARD_LOST');
    await goHome();
    await expect.poll(() => ui('#card-state').textContent()).toContain('已挂失');
    expect(await ui('.qr').count()).toBe(0);
    await expect.poll(balanceText).toBe(`¥${((before + 5_000 - 1_250) / 100).toFixed(2)}`);
    await shot('11-home-lost');

    // Settings, in English: the language switch applies everywhere.
    await page.goto(`${stack.platform.url}/#/pages/settings/index`);
    await ui('#password-submit').waitFor();
    await shot('12-settings');
    await text('English', { exact: true }).click();
    await expect.poll(() => ui('#daily-limit .title').textContent()).toBe('Daily no-password limit');
    await shot('13-settings-en');
  });
});
