/**
 * Guardian deposits end to end (issue 18 item 1): the H5 build in headless Chromium against the
 * whole local stack. A parent, in a browser of their own with nothing bound, opens the link the
 * student shares, names the student (a wrong name gets the one clear refusal and changes nothing),
 * pays on the fake WeChat Pay and sees the receipt with the masked name; the student's app then
 * shows the deposit with who paid. Screenshots land in test-artifacts/e2e (guardian-*).
 */
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, describe, expect, it } from 'vitest';
import type { LocalStack } from '../../functions/local/stack';
import { getAccount } from '../../functions/store/accounts';
import { ledgerOf } from '../helpers/fixtures';
import { useE2eStack, bindInApp, phoneScreenshot } from './browser';

let stack: LocalStack;
let browser: Browser;
const contexts: BrowserContext[] = [];

useE2eStack(['h5'], (running) => ({ stack, browser } = running));
afterAll(async () => {
  for (const context of contexts) await context.close();
});

/** A phone of its own (its own storage: the parent's has never seen the student's session). */
async function phone(): Promise<Page> {
  const context = await browser.newContext({ viewport: { width: 390, height: 844 }, deviceScaleFactor: 2, locale: 'zh-CN', timezoneId: 'Asia/Shanghai' });
  contexts.push(context);
  const page = await context.newPage();
  page.on('pageerror', (error) => console.error(`page error: ${error.message}`));
  return page;
}

/** What is on screen: the H5 router keeps the pages under the current one in the DOM, hidden. */
const ui = (page: Page, selector: string) => page.locator(selector).filter({ visible: true });
const text = (page: Page, words: string) => page.getByText(words, { exact: true }).filter({ visible: true });

const shot = (page: Page, name: string) => phoneScreenshot(page, `guardian-${name}`);

async function fill(page: Page, name: string, value: string): Promise<void> {
  await ui(page, `#field-${name} input`).fill(value);
}

describe('a parent tops up a student (H5) against the local stack', () => {
  it('finds the student by the shared link, pays on the fake WeChat Pay, and the student sees who paid', async () => {
    const student = stack.seed.samples.find((sample) => sample.cardKind === 'm1')!;
    const { personId, holderName, accountNo } = student.account;
    const before = student.account.balanceFen;

    // The student signs in and finds the link to share on the top-up page.
    const own = await phone();
    await bindInApp(own, stack.platform.url, student, 'guardian');
    await text(own, '充值').click();
    await ui(own, '#guardian-share').waitFor();
    const link = (await ui(own, '#guardian-share-link').textContent())!.trim();
    expect(link).toBe(`${stack.platform.url}/#/pages/guardian/index?id=${personId}`);
    await shot(own, '01-student-share');

    // The parent's phone: nothing bound, nothing signed in.
    const parent = await phone();
    await parent.goto(link);
    await ui(parent, '#guardian-find-button').waitFor({ timeout: 20_000 });
    expect(await ui(parent, '#field-guardianPersonId input').inputValue()).toBe(personId);
    // No name: said before anything is sent.
    await ui(parent, '#guardian-find-button').click();
    await expect.poll(() => ui(parent, '.field__problem').allTextContents()).toEqual(['请输入持卡人姓名']);
    // A wrong name: the one refusal, whatever did not match.
    await fill(parent, 'guardianName', `${holderName}x`);
    await ui(parent, '#guardian-find-button').click();
    await expect.poll(() => ui(parent, '.feedback--error').textContent()).toContain('学工号与姓名不符');
    await shot(parent, '02-wrong-name');
    await fill(parent, 'guardianName', holderName);
    await ui(parent, '#guardian-find-button').click();
    await ui(parent, '#guardian-holder').waitFor();
    const masked = (await ui(parent, '#guardian-holder .title').textContent())!;
    expect(masked).toContain('*');
    expect(masked).not.toContain(holderName);
    expect(masked.endsWith([...holderName].at(-1)!)).toBe(true);

    // Who is paying is required, then the amount and the fake platform's cashier.
    await text(parent, '¥20').click();
    await ui(parent, '#guardian-pay-button').click();
    await expect.poll(() => ui(parent, '.field__problem').allTextContents()).toEqual(['请填写 1–8 个字的称呼']);
    expect(stack.wechatPay!.orders()).toHaveLength(0);
    await text(parent, '妈妈').click();
    await shot(parent, '03-pay');
    await ui(parent, '#guardian-pay-button').click();
    await ui(parent, '#cashier-pay').waitFor({ timeout: 20_000 });
    await ui(parent, '#cashier-pay').click();
    await ui(parent, '#guardian-receipt').waitFor({ timeout: 20_000 });
    await expect.poll(() => ui(parent, '#guardian-receipt-status').textContent(), { timeout: 20_000 }).toBe('已到账');
    const receipt = (await ui(parent, '#guardian-receipt').textContent())!;
    expect(receipt).toContain('¥20.00');
    expect(receipt).toContain('妈妈');
    expect(receipt).toContain('微信支付');
    expect(receipt).not.toContain(holderName);
    await shot(parent, '04-receipt');

    // The money: credited once, the entry naming the payer.
    expect((await getAccount(stack.platform.deps.db, accountNo))?.balanceFen).toBe(before + 2_000);
    expect((await ledgerOf(stack.platform.deps, accountNo)).filter((e) => e.guardianLabel)).toMatchObject([{ type: 'topup', amountFen: 2_000, channel: 'wechat', guardianLabel: '妈妈' }]);

    // The student's history and receipt say who paid.
    await own.goto(`${stack.platform.url}/#/pages/history/index`);
    await ui(own, '#history-list .entry').first().waitFor({ timeout: 20_000 });
    const first = (await ui(own, '#history-list .entry').first().textContent())!;
    expect(first).toContain('家长 妈妈 充值 (微信支付)');
    expect(first).toContain('+20.00');
    await shot(own, '05-student-history');
    await ui(own, '#history-list .entry').first().click();
    await ui(own, '#receipt-amount').waitFor();
    expect(await ui(own, '#receipt-title').textContent()).toBe('家长 妈妈 充值 (微信支付)');
    expect(await ui(own, '#receipt-amount').textContent()).toBe('+20.00');
    await shot(own, '06-student-receipt');

    // In English too.
    await ui(parent, '#guardian-lang').click();
    await expect.poll(() => ui(parent, '#guardian-receipt-status').textContent()).toBe('Credited');
    await shot(parent, '07-receipt-en');
  });
});
