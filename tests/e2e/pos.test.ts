/**
 * The terminal app (web/pos) end to end, in headless Chromium against `npm start`'s own local stack,
 * with two browsers side by side as at a canteen window: a phone running the mini-program's H5 and
 * the terminals. The phone shows its code; the canteen terminal reads it through its camera (a fake
 * camera stream made from the phone's screenshot) or its USB scanner (keyboard wedge), and the
 * balance changes on both. Then P---- and the password, a refund, three codes paid offline that
 * survive a reload and are uploaded once, a kiosk bank transfer, a card pulled away mid-write and
 * the next tap settling it, the gate and the water room. Screenshots of every mode land in
 * test-artifacts/e2e (pos-*.png).
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import jsQR from 'jsqr';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { PNG } from 'pngjs';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { startLocalStack, type LocalStack } from '../../functions/local/stack';
import { issueActivationCode } from '../../functions/services/admin/merchants';
import { changeDailyLimit, reportLoss } from '../../functions/services/card-lifecycle';
import { getAccount } from '../../functions/store/accounts';
import { getTerminal } from '../../functions/store/terminals';
import { ledgerOf } from '../helpers/fixtures';
import { bindPhone } from '../helpers/phone';
import { uniqueStage } from '../helpers/platform';
import { ARTIFACTS, H5_DIR, launchChromium, POS_DIR, requireBuilt, bindInApp } from './browser';
import { writeFakeCamera } from './fake-camera';

const CAMERA = join(ARTIFACTS, 'pos-camera.y4m');
const BLANK = PNG.sync.write(new PNG({ width: 64, height: 64, fill: true }));
const yuan = (fen: number) => `¥${(fen / 100).toFixed(2)}`;

let stack: LocalStack;
let phoneBrowser: Browser;
let terminalBrowser: Browser;
const contexts: BrowserContext[] = [];

beforeAll(async () => {
  requireBuilt(H5_DIR, 'npm run build:h5');
  requireBuilt(POS_DIR, 'npm run build:pos');
  stack = await startLocalStack({
    dynamodbEndpoint: inject('dynamodbEndpoint'),
    stage: uniqueStage(),
    port: 0,
    // No holder notifications here: the table goes without its stream (functions/local/stack.ts).
    notifications: false,
    staticSites: [
      { path: '/pos/', dir: POS_DIR },
      { path: '/', dir: H5_DIR },
    ],
  });
  // Chromium opens the camera file when a page starts capturing, so it is written before each terminal opens.
  writeFakeCamera(BLANK, CAMERA);
  phoneBrowser = await launchChromium();
  terminalBrowser = await launchChromium({ fakeCamera: CAMERA });
});

afterAll(async () => {
  for (const context of contexts) await context.close().catch(() => undefined);
  await phoneBrowser?.close();
  await terminalBrowser?.close();
  await stack?.close();
});

function watch(page: Page, name: string): Page {
  page.on('pageerror', (error) => console.error(`${name} page error: ${error.message}`));
  page.on('console', (message) => {
    if (message.type() === 'error' || message.type() === 'warning') console.error(`${name} console ${message.type()}: ${message.text()}`);
  });
  return page;
}

async function shot(page: Page, name: string): Promise<Buffer> {
  await page.waitForTimeout(300);
  const png = await page.screenshot();
  writeFileSync(join(ARTIFACTS, `${name}.png`), png);
  return png;
}

/** A terminal as an installer sets it up: the card centre's one-time code typed into the app. */
async function openTerminal(terminalId: string, screenshotName?: string): Promise<Page> {
  const context = await terminalBrowser.newContext({ viewport: { width: 1024, height: 600 }, locale: 'zh-CN', timezoneId: 'Asia/Shanghai', permissions: ['camera'] });
  contexts.push(context);
  const page = watch(await context.newPage(), terminalId);
  const { activationCode } = await issueActivationCode(stack.platform.deps, { username: 'e2e', role: 'administrator' }, terminalId, { reason: 'e2e: install the terminal app' });
  await page.goto(`${stack.platform.url}/pos/`);
  await page.getByTestId('terminal-id').fill(terminalId);
  await page.getByTestId('activation-code').fill(activationCode);
  if (screenshotName) await shot(page, screenshotName);
  await page.getByTestId('activate').click();
  await expect.poll(() => page.getByTestId('network-state').textContent(), { timeout: 20_000 }).toBe('在线');
  // The secret is kept, never shown.
  const { secret } = (await getTerminal(stack.platform.deps.db, terminalId))!;
  expect(secret).toBeDefined();
  expect(await page.content()).not.toContain(secret!);
  return page;
}

/** The holder's phone: the mini-program's H5, bound with the card centre's details. */
async function openPhone(holder: LocalStack['seed']['samples'][number]): Promise<Page> {
  const context = await phoneBrowser.newContext({ viewport: { width: 390, height: 844 }, deviceScaleFactor: 2, locale: 'zh-CN', timezoneId: 'Asia/Shanghai' });
  contexts.push(context);
  const page = watch(await context.newPage(), 'phone');
  await bindInApp(page, stack.platform.url, holder, 'pos');
  return page;
}

const phoneQr = (phone: Page) => phone.locator('.qr').filter({ visible: true });
const phoneBalance = async (phone: Page) => (await phone.locator('#balance').filter({ visible: true }).textContent())!.trim();

/** The code on the phone's screen, read back from pixels. */
async function readPhoneCode(phone: Page): Promise<string> {
  const png = PNG.sync.read(await phoneQr(phone).screenshot());
  const decoded = jsQR(new Uint8ClampedArray(png.data), png.width, png.height);
  if (!decoded) throw new Error('no QR code could be read from the phone');
  return decoded.data;
}

/** The cashier keys the amount and arms the reader. */
async function keyAmount(pos: Page, amount: string): Promise<void> {
  await pos.getByTestId('amount-input').click();
  await pos.getByTestId('amount-input').fill('');
  await pos.keyboard.type(amount);
  await expect.poll(() => pos.getByTestId('amount-display').textContent()).toBe(`¥${Number(amount).toFixed(2)}`);
  await pos.keyboard.press('Enter');
}

/** A USB scanner: the code's characters, then Enter. */
async function scan(pos: Page, code: string): Promise<void> {
  await pos.keyboard.type(code);
  await pos.keyboard.press('Enter');
}

async function outcome(pos: Page): Promise<{ status: string | null; text: string }> {
  const panel = pos.getByTestId('outcome');
  await panel.waitFor({ timeout: 20_000 }).catch(async (error: Error) => {
    await shot(pos, 'pos-failed-no-outcome');
    throw error;
  });
  return { status: await panel.getAttribute('data-status'), text: (await panel.textContent()) ?? '' };
}

describe('the terminal app against the local stack', () => {
  let canteen: Page;

  it('a canteen window: the camera reads the phone, P---- and the password, a refund, the day', async () => {
    const holder = stack.seed.samples.find((sample) => sample.cardKind === 'm1')!;
    const before = (await getAccount(stack.platform.deps.db, holder.account.accountNo))!.balanceFen;
    const phone = await openPhone(holder);
    await expect.poll(() => phoneBalance(phone)).toBe(yuan(before));

    // The phone's code becomes the terminal's camera picture.
    writeFakeCamera(await phoneQr(phone).screenshot(), CAMERA);
    canteen = await openTerminal('POS-M001-01', 'pos-01-activation');
    await shot(canteen, 'pos-02-sale-ready');

    await keyAmount(canteen, '12.50');
    await shot(canteen, 'pos-03-sale-armed');
    const paid = await outcome(canteen);
    expect(paid.status).toBe('ok');
    expect(await canteen.getByTestId('outcome-balance').textContent()).toBe(`余额 ${yuan(before - 1_250)}`);
    expect(paid.text).toContain(holder.account.holderName.slice(0, 1));
    await shot(canteen, 'pos-04-sale-paid-camera');
    await expect.poll(() => phoneBalance(phone), { timeout: 15_000 }).toBe(yuan(before - 1_250));
    // The customer walks on: the camera sees an empty counter from now on (Chromium reads the file when capture starts).
    writeFakeCamera(BLANK, CAMERA);
    await canteen.reload();
    await canteen.getByTestId('amount-input').waitFor();

    // Above the daily limit: P---- and the holder's consumption password on the terminal's keypad.
    await changeDailyLimit(stack.platform.deps, holder.account.accountNo, 2_000, holder.password);
    await phone.waitForTimeout(500);
    const code = await readPhoneCode(phone);
    await keyAmount(canteen, '25');
    await scan(canteen, code);
    await canteen.getByTestId('password-prompt').waitFor({ timeout: 20_000 });
    expect(await canteen.getByTestId('password-prompt').textContent()).toContain('P----');
    await shot(canteen, 'pos-05-password');
    await canteen.keyboard.type(holder.password);
    await canteen.keyboard.press('Enter');
    const second = await outcome(canteen);
    expect(second.status).toBe('ok');
    expect(await canteen.getByTestId('outcome-balance').textContent()).toBe(`余额 ${yuan(before - 1_250 - 2_500)}`);
    await expect.poll(() => phoneBalance(phone), { timeout: 15_000 }).toBe(yuan(before - 3_750));
    await shot(canteen, 'pos-06-sale-paid-password');
    await canteen.setViewportSize({ width: 800, height: 480 });
    await shot(canteen, 'pos-07-sale-800x480');
    await canteen.setViewportSize({ width: 1024, height: 600 });

    // A refund of the first sale, from today's list at this terminal.
    const purchase = (await ledgerOf(stack.platform.deps, holder.account.accountNo)).find((entry) => entry.type === 'purchase' && entry.amountFen === 1_250)!;
    await canteen.getByTestId('tab-today').click();
    await expect.poll(() => canteen.getByTestId('day-count').textContent(), { timeout: 15_000 }).toBe('2');
    await shot(canteen, 'pos-08-today');
    await canteen.getByTestId(`refund-${purchase.receiptNo}`).click();
    await canteen.getByTestId('refund-confirm').waitFor();
    await shot(canteen, 'pos-09-refund');
    await canteen.getByTestId('refund-confirm').click();
    await expect.poll(() => canteen.getByTestId('day-refunded').textContent(), { timeout: 15_000 }).toBe(yuan(1_250));
    await expect.poll(() => phoneBalance(phone), { timeout: 15_000 }).toBe(yuan(before - 2_500));
    await shot(canteen, 'pos-10-refunded');
  });

  it('offline: three codes taken from the bundle survive a reload and are uploaded once', async () => {
    const holder = stack.seed.samples.filter((sample) => sample.cardKind === 'm1')[1] ?? stack.seed.samples[1]!;
    const phone = await bindPhone(stack.platform.url, holder.account.accountNo);
    const before = (await getAccount(stack.platform.deps.db, holder.account.accountNo))!.balanceFen;
    // A fresh bundle with the new phone's key (the app fetches one at start).
    await canteen.reload();
    await expect.poll(() => canteen.getByTestId('network-state').textContent(), { timeout: 20_000 }).toBe('在线');
    await canteen.getByTestId('drill-offline').click();
    await expect.poll(() => canteen.getByTestId('network-state').textContent()).toBe('离线演练');
    for (const [n, amount] of ['3', '4.5', '6'].entries()) {
      await keyAmount(canteen, amount);
      await scan(canteen, phone.code());
      const taken = await outcome(canteen);
      expect(taken.status, taken.text).toBe('ok');
      await expect.poll(() => canteen.getByTestId('queued-count').textContent()).toBe(String(n + 1));
    }
    await shot(canteen, 'pos-11-offline-queued');
    // Nothing reached the server yet.
    expect((await getAccount(stack.platform.deps.db, holder.account.accountNo))!.balanceFen).toBe(before);

    // A crash or a reload loses nothing: the queue is in IndexedDB.
    await canteen.reload();
    await expect.poll(() => canteen.getByTestId('queued-count').textContent(), { timeout: 20_000 }).toMatch(/^[0-3]$/);
    if ((await canteen.getByTestId('network-state').textContent()) === '离线演练') await canteen.getByTestId('drill-offline').click();
    await expect.poll(() => canteen.getByTestId('queued-count').textContent(), { timeout: 30_000 }).toBe('0');
    await canteen.getByTestId('tab-offline').click();
    await expect.poll(async () => (await canteen.getByTestId('offline-record').evaluateAll((rows) => rows.map((row) => row.getAttribute('data-state')))).sort(), { timeout: 20_000 }).toEqual([
      'applied',
      'applied',
      'applied',
    ]);
    await shot(canteen, 'pos-12-offline-uploaded');
    const charges = (await ledgerOf(stack.platform.deps, holder.account.accountNo)).filter((entry) => entry.type === 'purchase');
    expect(charges.map((entry) => entry.amountFen).sort((a, b) => a - b)).toEqual([300, 450, 600]);
    expect((await getAccount(stack.platform.deps.db, holder.account.accountNo))!.balanceFen).toBe(before - 1_350);
  });

  it('a kiosk bank transfer, then a card pulled away mid-write at the canteen and the next tap settling it', async () => {
    const holder = stack.seed.samples.find((sample) => sample.cardKind === 'cpu')!;
    const before = (await getAccount(stack.platform.deps.db, holder.account.accountNo))!;
    const kiosk = await openTerminal('KIOSK-M005-01');
    await shot(kiosk, 'pos-30-kiosk-insert');
    const step = () => kiosk.getByTestId('kiosk-step').getAttribute('data-step');
    await kiosk.getByTestId(`card-${holder.chipUid}`).click();
    await expect.poll(step).toBe('password');
    await kiosk.keyboard.type(holder.password);
    await shot(kiosk, 'pos-31-kiosk-password');
    await kiosk.keyboard.press('Enter');
    await expect.poll(step, { timeout: 15_000 }).toBe('menu');
    expect(await kiosk.getByTestId('kiosk-balance').textContent()).toContain(yuan(before.balanceFen));
    await shot(kiosk, 'pos-32-kiosk-menu');

    // 圈存: 50 yuan from the bound bank card (its PIN), into the transitional purse of the CPU card.
    await kiosk.getByTestId('kiosk-menu-transfer').click();
    await kiosk.keyboard.type('50');
    await shot(kiosk, 'pos-33-kiosk-transfer-amount');
    await kiosk.keyboard.press('Enter');
    await kiosk.keyboard.type(holder.bankPin);
    await kiosk.keyboard.press('Enter');
    await expect.poll(() => kiosk.getByTestId('kiosk-result').getAttribute('data-status'), { timeout: 20_000 }).toBe('ok');
    await shot(kiosk, 'pos-34-kiosk-transferred');
    const afterTransfer = (await getAccount(stack.platform.deps.db, holder.account.accountNo))!;
    expect(afterTransfer.transitionalFen).toBe(before.transitionalFen + 5_000);
    // The bank was debited once.
    expect(stack.bank!.balanceOf(holder.bankCardNo)).toBe(1_000_000 - 5_000);
    await kiosk.getByTestId('kiosk-eject').click();

    // At the canteen, an idle tap loads it; the card is pulled away while the chip is written.
    await canteen.getByTestId('tab-main').click();
    await canteen.getByTestId('card-tear').click();
    await canteen.getByTestId(`card-${holder.chipUid}`).click();
    const torn = await outcome(canteen);
    expect(torn.status).toBe('refused');
    expect(torn.text).toContain('写卡未完成');
    await shot(canteen, 'pos-35-card-torn');
    expect((await getAccount(stack.platform.deps.db, holder.account.accountNo))!.transitionalFen).toBe(before.transitionalFen + 5_000);

    // The next tap: the server sees the card unchanged (the earlier load is voided) and loads it again, once.
    if ((await canteen.getByTestId('card-tear').getAttribute('aria-checked')) === 'true') await canteen.getByTestId('card-tear').click();
    await canteen.getByTestId(`card-${holder.chipUid}`).click();
    await expect.poll(async () => (await outcome(canteen)).status, { timeout: 20_000 }).toBe('ok');
    const loaded = await outcome(canteen);
    expect(loaded.text).toContain('圈存成功 ¥50.00');
    await shot(canteen, 'pos-36-card-loaded');
    const after = (await getAccount(stack.platform.deps.db, holder.account.accountNo))!;
    expect(after.transitionalFen).toBe(before.transitionalFen);
    expect(after.balanceFen).toBe(before.balanceFen + before.transitionalFen + 5_000);
    const loads = (await ledgerOf(stack.platform.deps, holder.account.accountNo)).filter((entry) => entry.type === 'card_load');
    expect(loads).toHaveLength(1);
  });

  it('the water room settles the chip wallet at a tap', async () => {
    const holder = stack.seed.samples.filter((sample) => sample.cardKind === 'cpu')[1] ?? stack.seed.samples[2]!;
    const water = await openTerminal('POS-M003-01');
    await shot(water, 'pos-40-water-ready');
    await water.getByTestId(`card-${holder.chipUid}`).click();
    await expect.poll(() => water.getByTestId('water-status').getAttribute('data-status'), { timeout: 20_000 }).toBe('ok');
    await shot(water, 'pos-41-water-settled');
    expect((await getAccount(stack.platform.deps.db, holder.account.accountNo))!.smallWalletFen).toBeGreaterThan(0);
  });

  it('the gate opens for a valid identity code and refuses a lost card, in words', async () => {
    const holder = stack.seed.samples.filter((sample) => sample.cardKind === 'm1')[1] ?? stack.seed.samples[1]!;
    const phone = await bindPhone(stack.platform.url, holder.account.accountNo);
    const gate = await openTerminal('GATE-M004-01');
    await shot(gate, 'pos-20-gate-ready');
    await scan(gate, phone.code({ purpose: 'identity' }));
    await expect.poll(() => gate.getByTestId('gate-status').getAttribute('data-status'), { timeout: 20_000 }).toBe('open');
    await shot(gate, 'pos-21-gate-open');
    await reportLoss(stack.platform.deps, holder.account.accountNo, holder.password);
    await scan(gate, phone.code({ purpose: 'identity' }));
    await expect.poll(() => gate.getByTestId('gate-status').getAttribute('data-status'), { timeout: 20_000 }).toBe('refused');
    expect(await gate.getByTestId('gate-reason').textContent()).toContain('挂失');
    await shot(gate, 'pos-22-gate-refused');
  });
});
