/**
 * The 缴费 page end to end: the H5 build in headless Chromium against `npm start`'s own local stack
 * (the fake network and power systems included). A student pays two network weeks and sees them,
 * pays electricity, is asked for the consumption password above the daily limit, sees a payment
 * stay pending while the power system is down and delivered once it is back, and an unknown room
 * refused in words. Screenshots land in test-artifacts/e2e.
 */
import type { Browser, Page } from 'playwright-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { readConfig } from '../../functions/config';
import { createDeps } from '../../functions/deps';
import type { LocalStack } from '../../functions/local/stack';
import { topUp } from '../../functions/services/movements';
import { deliverPendingUtilities } from '../../functions/services/utilities';
import { getAccount } from '../../functions/store/accounts';
import { useE2eStack, newPhonePage, bindInApp, phoneScreenshot } from './browser';


let stack: LocalStack;
let browser: Browser;
let page: Page;

useE2eStack(['h5'], (running) => ({ stack, browser } = running));
beforeAll(async () => {
  page = await newPhonePage(browser);
});

const ui = (selector: string) => page.locator(selector).filter({ visible: true });
const fill = (name: string, value: string) => ui(`#field-${name} input`).fill(value);

const shot = (name: string) => phoneScreenshot(page, name);

describe('the 缴费 page (H5) against the local stack', () => {
  it('pays network weeks and electricity, asks for the password above the limit, shows pending then delivered', async () => {
    const holder = stack.seed.samples.find((sample) => sample.account.cardType === 'student')!;
    // Enough for the afternoon (a counter top-up), so only the daily limit stands in the way.
    await topUp(stack.platform.deps, { accountNo: holder.account.accountNo, amountFen: 20_000, channel: 'counter', externalRef: 'e2e-utilities-topup' });
    const before = (await getAccount(stack.platform.deps.db, holder.account.accountNo))!.balanceFen;

    await bindInApp(page, stack.platform.url, holder, 'utilities');

    // Home → 缴费: the network account is active, nothing paid yet.
    await ui('#nav-utilities').click();
    await ui('#network-pay').waitFor();
    expect(await ui('#network-status').textContent()).toBe('网络账号正常');
    await ui('#weeks-2').click();
    await expect.poll(() => ui('#network-summary').textContent()).toContain('共 2 周，合计 ¥20.00');
    await shot('u1-utilities');
    await ui('#network-pay').click();
    await expect.poll(() => ui('#network-fee #utility-result').textContent(), { timeout: 15_000 }).toContain('缴费成功 ¥20.00，已到账');
    await expect.poll(() => ui('#paid-weeks .row').count()).toBe(2);
    expect(stack.network!.paidWeeks(holder.account.personId)).toHaveLength(2);
    await shot('u2-network-paid');

    // Electricity into a room: an unknown room is refused in words, a real one is credited once.
    await fill('roomId', '99-999');
    await fill('electricityAmount', '30');
    await ui('#electricity-pay').click();
    await expect.poll(() => ui('#electricity .feedback--error').textContent()).toContain('宿舍房间号不存在');
    await fill('roomId', '3-512');
    await ui('#electricity-pay').click();
    await expect.poll(() => ui('#electricity #utility-result').textContent(), { timeout: 15_000 }).toContain('缴费成功 ¥30.00，已到账');
    expect(stack.electricity!.creditedFen('3-512')).toBe(3_000);

    // 50 yuan spent today = the default limit: the next payment takes the consumption password. The power system is down meanwhile.
    stack.electricity!.down();
    await fill('roomId', '3-513');
    await fill('electricityAmount', '20');
    await ui('#electricity-pay').click();
    await ui('#utility-password').waitFor();
    await shot('u3-password');
    await fill('utilityPassword', holder.password);
    await ui('#utility-password .primary').click();
    await expect.poll(() => ui('#electricity #utility-result').textContent(), { timeout: 15_000 }).toContain('已扣款 ¥20.00，缴费系统暂未确认');
    await shot('u4-pending');

    // Back up: the scheduled retrier delivers it, and the page's list says so.
    stack.electricity!.up();
    await deliverPendingUtilities(createDeps(readConfig(), { db: stack.platform.deps.db, clock: () => new Date(Date.now() + 3_600_000) }));
    expect(stack.electricity!.creditedFen('3-513')).toBe(2_000);
    await page.reload();
    await expect.poll(() => ui('#utility-payments .row').first().textContent(), { timeout: 15_000 }).toContain('已到账');
    await shot('u5-delivered');
    expect((await getAccount(stack.platform.deps.db, holder.account.accountNo))!.balanceFen).toBe(before - 2_000 - 3_000 - 2_000);
  }, 120_000);
});
