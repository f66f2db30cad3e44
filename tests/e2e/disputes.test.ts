/**
 * Online disputes end to end (issue 18, item 4): the H5 mini-program and the card-centre console in
 * headless Chromium against one local stack. A holder disputes a canteen payment from its receipt
 * (a form with nothing chosen is refused in words first); finance finds it under 争议处理 with the
 * merchant and terminal and refunds it with a reason; the receipt, the app's "my disputes" list and
 * the balance show the outcome. A second payment's dispute is refused, and the app shows the
 * card centre's reason. Screenshots land in test-artifacts/e2e (disputes-*.png).
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { beforeAll, describe, expect, it } from 'vitest';
import type { Terminal } from '../../functions/domain/merchant';
import type { LocalStack } from '../../functions/local/stack';
import { chargeAtTerminal } from '../../functions/services/charge';
import { getAccount } from '../../functions/store/accounts';
import { getTerminal } from '../../functions/store/terminals';
import { ARTIFACTS, signInToConsole, useE2eStack, newPhonePage, newConsolePage, bindInApp, phoneScreenshot } from './browser';

let stack: LocalStack;
let browser: Browser;
let phone: Page;
let staff: Page;

useE2eStack(['h5', 'console'], (running) => ({ stack, browser } = running));
beforeAll(async () => {
  phone = await newPhonePage(browser);
  staff = await newConsolePage(browser);
});

const ui = (selector: string) => phone.locator(selector).filter({ visible: true });

const phoneShot = (name: string) => phoneScreenshot(phone, `disputes-${name}`);

async function staffShot(name: string): Promise<void> {
  await staff.waitForTimeout(300);
  writeFileSync(join(ARTIFACTS, `disputes-${name}.png`), await staff.screenshot());
}

async function openReceipt(receiptNo: string): Promise<void> {
  await phone.goto(`${stack.platform.url}/#/pages/receipt/index?receiptNo=${receiptNo}`);
  await ui('#receipt-amount').waitFor({ timeout: 20_000 });
}

async function raiseOnReceipt(receiptNo: string, reason: string, description: string): Promise<void> {
  await openReceipt(receiptNo);
  await ui('#dispute-open').click();
  await ui(`#dispute-reason-${reason}`).click();
  await ui('#dispute-description-input textarea').fill(description);
  await ui('#dispute-submit').click();
  await expect.poll(() => ui('#dispute-status').getAttribute('data-status'), { timeout: 15_000 }).toBe('submitted');
}

async function decide(receiptNo: string, action: 'refund' | 'refuse', reason: string): Promise<void> {
  await staff.getByTestId('disputes-refresh').click();
  const row = staff.getByTestId(`dispute-row-${receiptNo}`);
  await row.waitFor({ timeout: 15_000 });
  await staff.getByTestId(`dispute-${action}-${receiptNo}`).click();
  await staff.getByTestId('reason-input').fill(reason);
  await staffShot(`console-${action}-dialog`);
  await staff.getByTestId('reason-confirm').click();
  await row.waitFor({ state: 'detached', timeout: 15_000 });
}

describe('a dispute raised in the app is resolved in the console, and the app shows the outcome', () => {
  it('refunded, then refused', async () => {
    const holder = stack.seed.samples.find((sample) => sample.cardKind === 'm1')!;
    const { accountNo } = holder.account;
    const till = (await getTerminal(stack.platform.deps.db, 'POS-M001-01')) as Terminal;
    const pay = async (amountFen: number, posTxnId: string) => (await chargeAtTerminal(stack.platform.deps, till, { posTxnId, chipUid: holder.chipUid, amountFen })).receiptNo;
    const lunch = await pay(1_250, 'e2e-dispute-lunch');
    const dinner = await pay(900, 'e2e-dispute-dinner');
    const before = (await getAccount(stack.platform.deps.db, accountNo))!.balanceFen;

    // The phone: bind, then the lunch's receipt.
    await bindInApp(phone, stack.platform.url, holder, 'disputes');

    await openReceipt(lunch);
    await ui('#dispute-open').click();
    // Nothing chosen: said in words, nothing sent.
    await ui('#dispute-submit').click();
    await expect.poll(() => ui('#dispute').textContent()).toContain('请选择一个原因');
    await ui('#dispute-reason-not_received').click();
    await ui('#dispute-description-input textarea').fill('付了钱，窗口说没有饭了，没拿到');
    await phoneShot('app-form');
    await ui('#dispute-submit').click();
    await expect.poll(() => ui('#dispute-status').getAttribute('data-status'), { timeout: 15_000 }).toBe('submitted');
    expect(await ui('#dispute').textContent()).toContain('争议已提交');
    await phoneShot('app-submitted');

    // The console: finance (a role the list and the refund allow) sees it with the merchant and terminal, and refunds it.
    await signInToConsole(staff, stack.platform.url, 'finance', stack.seed.staffPasswords.finance!);
    await staff.getByTestId('menu-disputes').click();
    const row = staff.getByTestId(`dispute-row-${lunch}`);
    await row.waitFor({ timeout: 15_000 });
    for (const text of ['¥12.50', '第一食堂', 'POS-M001-01', '第一食堂 1F 窗口 1', '未收到商品', '付了钱，窗口说没有饭了，没拿到']) expect(await row.textContent()).toContain(text);
    await expect.poll(() => staff.getByTestId('disputes-tab-open').getAttribute('data-count')).toBe('1');
    await staffShot('console-open');
    await decide(lunch, 'refund', '窗口确认未出餐，全额退款');
    expect((await getAccount(stack.platform.deps.db, accountNo))!.balanceFen).toBe(before + 1_250);
    await staff.getByTestId('disputes-tab-resolved').click();
    await expect.poll(() => staff.getByTestId(`dispute-status-${lunch}`).getAttribute('data-status'), { timeout: 15_000 }).toBe('refunded');
    await staffShot('console-resolved');

    // The app: the receipt says refunded, with the amount and the card centre's words.
    await openReceipt(lunch);
    await expect.poll(() => ui('#dispute-status').getAttribute('data-status'), { timeout: 15_000 }).toBe('refunded');
    const outcome = await ui('#dispute').textContent();
    expect(outcome).toContain('退款 ¥12.50');
    expect(outcome).toContain('窗口确认未出餐，全额退款');
    await phoneShot('app-refunded');

    // A second dispute, refused: the app shows the reason, and no money moves.
    await raiseOnReceipt(dinner, 'charged_twice', '好像扣了两次');
    await staff.getByTestId('disputes-tab-open').click();
    await decide(dinner, 'refuse', '只有一笔扣款，未重复');
    await openReceipt(dinner);
    await expect.poll(() => ui('#dispute-status').getAttribute('data-status'), { timeout: 15_000 }).toBe('refused');
    expect(await ui('#dispute-resolution').textContent()).toContain('只有一笔扣款，未重复');
    expect((await getAccount(stack.platform.deps.db, accountNo))!.balanceFen).toBe(before + 1_250);

    // "My disputes": both, with where each stands.
    await ui('#dispute-to-list').click();
    await ui(`#dispute-${lunch}`).waitFor({ timeout: 15_000 });
    expect(await ui(`#dispute-${lunch}`).getAttribute('data-status')).toBe('refunded');
    expect(await ui(`#dispute-${dinner}`).getAttribute('data-status')).toBe('refused');
    await phoneShot('app-list');
  }, 180_000);
});
