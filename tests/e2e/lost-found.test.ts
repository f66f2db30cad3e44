/**
 * Lost and found end to end (issue 18, item 6): the H5 mini-program and the card-centre console in
 * headless Chromium against one local stack. A holder's card is reported lost and then tapped at a
 * canteen till (refused): the app's card page shows where and when. The same holder reports a card
 * they found (another holder's) on 拾到校园卡; a kiosk reports the holder's own card found, and the
 * card page says where to collect it. A counter clerk finds both under 拾卡登记 and marks one
 * collected with a reason. Screenshots land in test-artifacts/e2e (lost-found-*.png).
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { beforeAll, describe, expect, it } from 'vitest';
import type { Terminal } from '../../functions/domain/merchant';
import type { LocalStack } from '../../functions/local/stack';
import { createStaffMember } from '../../functions/services/admin/sessions';
import { markLost } from '../../functions/services/card-lifecycle';
import { chargeAtTerminal } from '../../functions/services/charge';
import { reportFoundCard } from '../../functions/services/lost-found';
import { listAccountFoundCards } from '../../functions/store/found-cards';
import { getTerminal } from '../../functions/store/terminals';
import { refusalCode } from '../helpers/fixtures';
import { ARTIFACTS, signInToConsole, useE2eStack, newPhonePage, newConsolePage, bindInApp, phoneScreenshot } from './browser';

let stack: LocalStack;
let browser: Browser;
let phone: Page;
let staff: Page;

// The holder's side is read from the app (its lost-card taps and found cards), not from the notifications: no stream.
useE2eStack(['h5', 'console'], (running) => ({ stack, browser } = running));
beforeAll(async () => {
  phone = await newPhonePage(browser);
  staff = await newConsolePage(browser);
});

const ui = (selector: string) => phone.locator(selector).filter({ visible: true });

const phoneShot = (name: string) => phoneScreenshot(phone, `lost-found-${name}`);

async function staffShot(name: string): Promise<void> {
  await staff.waitForTimeout(300);
  writeFileSync(join(ARTIFACTS, `lost-found-${name}.png`), await staff.screenshot());
}

describe('lost and found across the app, a kiosk and the console', () => {
  it('a lost card’s refused tap and a found card reach the holder; the card centre hands one back', async () => {
    const owner = stack.seed.samples.find((sample) => sample.cardKind === 'm1')!;
    const other = stack.seed.samples.find((sample) => sample.account.accountNo !== owner.account.accountNo)!;
    const till = (await getTerminal(stack.platform.deps.db, 'POS-M001-01')) as Terminal;
    const kiosk = (await getTerminal(stack.platform.deps.db, 'KIOSK-M005-01')) as Terminal;

    // The phone: bind as the owner.
    await bindInApp(phone, stack.platform.url, owner, 'lost-found');

    // Reported lost, then tapped at the canteen till: refused as ever.
    await markLost(stack.platform.deps, owner.account.accountNo);
    expect(await refusalCode(chargeAtTerminal(stack.platform.deps, till, { posTxnId: 'e2e-lost-tap-1', chipUid: owner.chipUid, amountFen: 800 }))).toBe('CARD_LOST');
    expect(await refusalCode(chargeAtTerminal(stack.platform.deps, till, { posTxnId: 'e2e-lost-tap-2', chipUid: owner.chipUid, amountFen: 800 }))).toBe('CARD_LOST');

    await phone.goto(`${stack.platform.url}/#/pages/card/index`);
    await ui('#lost-tap-0').waitFor({ timeout: 20_000 });
    expect(await ui('#lost-tap-0').textContent()).toMatch(new RegExp(`^您挂失的卡于 .+ 在 ${till.place} 被刷卡（已拒绝）$`));
    expect(await ui('[id^="lost-tap-"]').count()).toBe(1); // the retry at the same till is the same event
    await phoneShot('app-lost-taps');

    // The owner found someone else's card: 拾到校园卡, opened from the card page.
    await ui('#found-card-open').click();
    await ui('#found-card').waitFor({ timeout: 15_000 });
    await ui('#field-cardNumber input').fill('1234');
    await ui('#found-submit').click();
    await expect.poll(() => ui('#found-card').textContent()).toContain('卡号为 5 至 12 位数字');
    await ui('#field-cardNumber input').fill(other.account.accountNo);
    await ui('#found-submit').click();
    await ui('#found-done').waitFor({ timeout: 15_000 });
    expect(await ui('#found-done').textContent()).toContain('谢谢，已通知失主');
    await phoneShot('app-found-card');

    // A finder hands the owner's card in at the kiosk: the card page says where to collect it.
    await reportFoundCard(stack.platform.deps, { via: 'kiosk', terminal: kiosk }, owner.account.accountNo);
    await phone.goto(`${stack.platform.url}/#/pages/card/index`);
    await ui('#found-notice-0').waitFor({ timeout: 20_000 });
    expect(await ui('#found-notice-0').textContent()).toContain(`请到 ${kiosk.place} 领取`);
    await phoneShot('app-found-notice');

    // The card centre: 拾卡登记 lists both; the counter clerk marks the owner's collected.
    await createStaffMember(stack.platform.deps, { username: 'clerk.found', password: 'found clerk e2e 2026', role: 'operator' });
    await signInToConsole(staff, stack.platform.url, 'clerk.found', 'found clerk e2e 2026');
    await staff.getByTestId('menu-found-cards').click();
    const [ownerFound] = await listAccountFoundCards(stack.platform.deps.db, owner.account.accountNo, 1);
    const [otherFound] = await listAccountFoundCards(stack.platform.deps.db, other.account.accountNo, 1);
    const row = staff.getByTestId(`found-row-${ownerFound!.foundId}`);
    await row.waitFor({ timeout: 20_000 });
    await staff.getByTestId(`found-row-${otherFound!.foundId}`).waitFor();
    expect(await row.textContent()).toContain(kiosk.place);
    await staffShot('console-open');
    await staff.getByTestId(`found-collect-${ownerFound!.foundId}`).click();
    await staff.getByTestId('reason-input').fill('本人持学生证领取');
    await staffShot('console-collect-dialog');
    await staff.getByTestId('reason-confirm').click();
    await row.waitFor({ state: 'detached', timeout: 15_000 });
    await staff.getByTestId('found-tab-collected').click();
    await staff.getByTestId(`found-row-${ownerFound!.foundId}`).waitFor({ timeout: 15_000 });
    expect(await staff.getByTestId(`found-status-${ownerFound!.foundId}`).getAttribute('data-status')).toBe('collected');
    await staffShot('console-collected');

    await phone.goto(`${stack.platform.url}/#/pages/card/index`);
    await expect.poll(() => ui('#found-notice-0').getAttribute('data-status'), { timeout: 20_000 }).toBe('collected');
  });
});
