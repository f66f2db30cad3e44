/**
 * A new phone without staff (issue 18 item 7), in headless Chromium: two browser contexts are two
 * phones of one holder running the H5 build against the local stack. Binding on the second moves the
 * code there; the first says so and shows no code; the POS refuses the first phone's code and takes
 * the second's. Screenshots in test-artifacts/e2e (new-phone-*.png).
 */
import jsQR from 'jsqr';
import type { Browser, Page } from 'playwright-core';
import { PNG } from 'pngjs';
import { describe, expect, it } from 'vitest';
import type { LocalStack } from '../../functions/local/stack';
import { QR_TOKEN_PREFIX } from '../../shared/qr-token';
import { terminalFetch } from '../helpers/fixtures';
import { useE2eStack, bindInApp, phoneScreenshot } from './browser';

let stack: LocalStack;
let browser: Browser;

useE2eStack(['h5'], (running) => ({ stack, browser } = running));

/** A phone: its own browser context (own storage, so its own device key). */
async function newPhone(): Promise<Page> {
  const context = await browser.newContext({ viewport: { width: 390, height: 844 }, deviceScaleFactor: 2, locale: 'zh-CN', timezoneId: 'Asia/Shanghai' });
  const page = await context.newPage();
  page.on('pageerror', (error) => console.error(`page error: ${error.message}`));
  return page;
}

/** What is on screen: the H5 router keeps the pages under the current one in the DOM, hidden. */
const ui = (page: Page, selector: string) => page.locator(selector).filter({ visible: true });

const shot = (page: Page, name: string) => phoneScreenshot(page, name);

async function scanCode(page: Page): Promise<string> {
  const png = PNG.sync.read(await ui(page, '.qr').screenshot());
  const decoded = jsQR(new Uint8ClampedArray(png.data), png.width, png.height);
  if (!decoded) throw new Error('no QR code could be read from the screen');
  return decoded.data;
}

async function bind(page: Page, holder: LocalStack['seed']['samples'][number]): Promise<void> {
  await bindInApp(page, stack.platform.url, holder, 'new-phone');
}

describe('a new phone without staff (H5, two phones)', () => {
  it('binding on the new phone moves the code there; the old phone says so and its code is refused', async () => {
    const holder = stack.seed.samples.find((sample) => sample.cardKind === 'm1')!;
    const canteen = stack.seed.terminals.find((terminal) => terminal.merchantId === 'M001')!;
    const oldPhone = await newPhone();
    const newPhoneAt = await newPhone();

    await bind(oldPhone, holder);
    const oldCode = await scanCode(oldPhone);
    expect(oldCode.startsWith(QR_TOKEN_PREFIX)).toBe(true);

    await bind(newPhoneAt, holder);
    const newCode = await scanCode(newPhoneAt);
    expect(newCode).not.toBe(oldCode);
    await shot(newPhoneAt, 'new-phone-01-new');

    // The old phone's next look at the account (every few seconds while the code is shown).
    await ui(oldPhone, '#code-moved').waitFor({ timeout: 20_000 });
    const moved = (await ui(oldPhone, '#code-moved').textContent())!;
    expect(moved).toContain('付款码已转移到另一台手机');
    expect(moved).toMatch(/\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2} 在另一台手机上启用/);
    expect(moved).toContain('如果不是您本人操作，请立即挂失');
    expect(await ui(oldPhone, '.qr').count()).toBe(0);
    await shot(oldPhone, 'new-phone-02-old-moved');

    // At the till: the old phone's code is refused, the new one's pays.
    const refused = await terminalFetch(stack.platform.url, canteen, 'POST', '/v1/pos/qr-payments', { posTxnId: 'e2e-moved-old', token: oldCode, amountFen: 300 });
    expect(refused.body.code).toBe('TOKEN_KEY_REVOKED');
    const paid = await terminalFetch(stack.platform.url, canteen, 'POST', '/v1/pos/qr-payments', { posTxnId: 'e2e-moved-new', token: newCode, amountFen: 300 });
    expect(paid.status).toBe(200);

    // Not you? The report-loss button leads to the card page.
    await ui(oldPhone, '#code-moved-report').click();
    await ui(oldPhone, '#loss').waitFor({ timeout: 10_000 });
  });
});
