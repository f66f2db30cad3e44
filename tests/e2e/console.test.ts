/**
 * The card-centre console (web/console) end to end, in headless Chromium against the local stack
 * with the demo staff the seed creates: the administrator signs in, finds a holder by name and
 * adjusts the balance with a reason, then finds that adjustment in the action log; imports a
 * registrar's CSV with bad rows and reads the report of the rejected lines; unfreezes an
 * account frozen through the services; registers a terminal and reads its one-time code off the
 * screen, which an installer types into the terminal app (/pos/) in another browser, where a
 * holder's code is then paid through the USB-scanner path. The seed's finance user is refused an
 * operator's action at the API (403 FORBIDDEN) and sees 无权限 on a screen its role cannot use.
 * Screenshots of every screen at 1440×900 land in test-artifacts/e2e (console-*.png).
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { PNG } from 'pngjs';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { demoIdNumber } from '../../functions/local/seed';
import { startLocalStack, type LocalStack } from '../../functions/local/stack';
import { findAccountByPersonId, getAccount } from '../../functions/store/accounts';
import { getTerminal } from '../../functions/store/terminals';
import { freezeForMismatch } from '../../functions/services/charge';
import { readStatement } from '../../functions/services/settlement';
import { ledgerOf } from '../helpers/fixtures';
import { bindPhone } from '../helpers/phone';
import { uniqueStage } from '../helpers/platform';
import { ARTIFACTS, CONSOLE_DIR, CONSOLE_VIEWPORT, launchChromium, POS_DIR, requireBuilt, signInToConsole } from './browser';
import { writeFakeCamera } from './fake-camera';

// Its own camera file: the terminal app opens the camera at start, and pos.test.ts rewrites its own.
const CAMERA = join(ARTIFACTS, 'console-pos-camera.y4m');
const BLANK = PNG.sync.write(new PNG({ width: 64, height: 64, fill: true }));
const SESSION_KEY = 'ecard.console.session';

let stack: LocalStack;
let consoleBrowser: Browser;
let terminalBrowser: Browser;
const contexts: BrowserContext[] = [];
let admin: Page;

beforeAll(async () => {
  requireBuilt(CONSOLE_DIR, 'npm run build:console');
  requireBuilt(POS_DIR, 'npm run build:pos');
  stack = await startLocalStack({
    dynamodbEndpoint: inject('dynamodbEndpoint'),
    stage: uniqueStage(),
    port: 0,
    // No holder notifications here: the table goes without its stream (functions/local/stack.ts).
    notifications: false,
    staticSites: [
      { path: '/console/', dir: CONSOLE_DIR },
      { path: '/pos/', dir: POS_DIR },
    ],
  });
  writeFakeCamera(BLANK, CAMERA);
  consoleBrowser = await launchChromium();
  terminalBrowser = await launchChromium({ fakeCamera: CAMERA });
});

afterAll(async () => {
  for (const context of contexts) await context.close().catch(() => undefined);
  await consoleBrowser?.close();
  await terminalBrowser?.close();
  await stack?.close();
});

async function staffPage(): Promise<Page> {
  const context = await consoleBrowser.newContext({ viewport: CONSOLE_VIEWPORT, locale: 'zh-CN', timezoneId: 'Asia/Shanghai' });
  contexts.push(context);
  const page = await context.newPage();
  page.on('pageerror', (error) => console.error(`console page error: ${error.message}`));
  return page;
}

async function shot(page: Page, name: string, fullPage = false): Promise<void> {
  await page.waitForTimeout(300);
  writeFileSync(join(ARTIFACTS, `console-${name}.png`), await page.screenshot({ fullPage }));
}

async function menu(page: Page, screen: string): Promise<void> {
  await page.getByTestId(`menu-${screen}`).click();
}

/** Opens an account from the search box: one match opens it at once, several are a list to pick from. */
async function openAccount(page: Page, query: string, accountNo: string): Promise<void> {
  await menu(page, 'accounts');
  await page.getByTestId('account-search-input').fill(query);
  await page.getByTestId('account-search-submit').click();
  const opened = page.locator(`[data-testid="account-page"][data-account="${accountNo}"]`);
  await Promise.race([opened.waitFor({ timeout: 20_000 }), page.getByTestId(`account-result-${accountNo}`).waitFor({ timeout: 20_000 })]);
  if (!(await opened.isVisible())) await page.getByTestId(`account-result-${accountNo}`).click();
  await page.getByTestId('account-status').waitFor({ timeout: 20_000 });
}

/** Fills and confirms the open action dialog; returns once the server's answer is shown. */
async function confirmAction(page: Page, reason: string, screenshot: string): Promise<void> {
  await page.getByTestId('action-reason').fill(reason);
  await shot(page, `${screenshot}-dialog`);
  await page.getByTestId('action-confirm').click();
  await page.getByTestId('action-result').waitFor({ timeout: 20_000 });
  await shot(page, `${screenshot}-done`);
  await page.getByTestId('action-close').click();
}

describe('the card-centre console against the local stack', () => {
  it('the demo administrator signs in and sees the dashboard drawn', async () => {
    expect(stack.seed.adminPassword, 'a fresh stage makes the demo admin').toBeDefined();
    admin = await staffPage();
    await admin.goto(`${stack.platform.url}/console/`);
    await admin.getByTestId('sign-in-username').waitFor();
    await shot(admin, '01-sign-in');
    // A wrong password is refused in words, and nothing is signed in.
    await admin.getByTestId('sign-in-username').fill('admin');
    await admin.getByTestId('sign-in-password').fill('not-the-password');
    await admin.getByTestId('sign-in-submit').click();
    await admin.getByTestId('sign-in-error').waitFor({ timeout: 20_000 });
    await shot(admin, '02-sign-in-refused');

    await signInToConsole(admin, stack.platform.url, 'admin', stack.seed.adminPassword!);
    expect(await admin.getByTestId('header-role').getAttribute('data-role')).toBe('administrator');
    await admin.getByTestId('stat-turnover').waitFor({ state: 'attached', timeout: 20_000 });
    await admin.locator('[data-testid="chart-terminals"] svg').first().waitFor({ timeout: 20_000 });
    expect(await admin.getByTestId('stat-turnover').textContent()).toMatch(/^¥\d+\.\d{2}$/);
    await shot(admin, '03-dashboard');
  });

  it('finds a holder by name, adjusts the balance with a reason, and sees it in the action log', async () => {
    const holder = stack.seed.samples[0]!;
    const { accountNo, holderName } = holder.account;
    const before = (await getAccount(stack.platform.deps.db, accountNo))!.balanceFen;
    await openAccount(admin, holderName, accountNo);
    expect(await admin.getByTestId('account-holder').textContent()).toBe(holderName);
    expect(Number(await admin.getByTestId('purse-balance').getAttribute('data-fen'))).toBe(before);
    await shot(admin, '04-account', true);

    // No reason, no adjustment: the dialog says so and nothing moves.
    await admin.getByTestId('action-adjust').click();
    await admin.getByTestId('action-field-amount').fill('12.34');
    expect(await admin.getByTestId('action-confirm').isDisabled()).toBe(true);
    expect((await getAccount(stack.platform.deps.db, accountNo))!.balanceFen).toBe(before);

    const reason = 'e2e：补录漏记的充值';
    await confirmAction(admin, reason, '05-adjust');
    await expect.poll(async () => Number(await admin.getByTestId('purse-balance').getAttribute('data-fen')), { timeout: 15_000 }).toBe(before + 1_234);
    expect((await getAccount(stack.platform.deps.db, accountNo))!.balanceFen).toBe(before + 1_234);
    const adjustments = (await ledgerOf(stack.platform.deps, accountNo)).filter((entry) => entry.amountFen === 1_234);
    expect(adjustments).toHaveLength(1);

    // The campus day of the adjustment, so a run across Shanghai's midnight still looks in the right day.
    const day = new Intl.DateTimeFormat('en-CA', { timeZone: 'Asia/Shanghai' }).format(new Date());
    await menu(admin, 'audit');
    await admin.getByTestId('audit-day').fill(day);
    await admin.getByTestId('audit-target').fill(accountNo);
    const row = admin.getByTestId('audit-row').filter({ hasText: 'balance.adjust' });
    await row.first().waitFor({ timeout: 20_000 });
    expect(await row.count()).toBe(1);
    const text = (await row.textContent()) ?? '';
    expect(text).toContain('admin');
    expect(text).toContain(reason);
    await shot(admin, '06-audit-log');
  });

  it('imports a registrar’s CSV with bad rows: a preview that writes nothing, then the import and its report of the rejected lines', async () => {
    const csv = [
      'personId,name,cardType,idType,idNumber,mobile,expiresOn',
      `2027900001,导入甲,student,id_card,${demoIdNumber(901)},13800138001,`,
      `2027900002,导入乙,student,id_card,${demoIdNumber(902)},13800138002,`,
      `2027900003,导入丙,student,id_card,110105199001011234,13800138003,`,
      `2027900004,导入丁,astronaut,id_card,${demoIdNumber(904)},13800138004,`,
    ].join('\r\n');
    await menu(admin, 'import');
    await admin.getByTestId('import-file').setInputFiles({ name: 'autumn-intake.csv', mimeType: 'text/csv', buffer: Buffer.from(`\ufeff${csv}\r\n`, 'utf8') });
    await admin.getByTestId('import-preview').click();
    await admin.locator('[data-testid="import-result"][data-dry-run="true"]').waitFor({ timeout: 20_000 });
    expect(await admin.getByTestId('import-count-rejected').textContent()).toContain('2');
    expect(await findAccountByPersonId(stack.platform.deps.db, '2027900001')).toBeUndefined();
    await shot(admin, '19-import-preview');

    await admin.getByTestId('import-reason').fill('e2e：秋季新生名单');
    await admin.getByTestId('import-run').click();
    await admin.locator('[data-testid="import-result"][data-dry-run="false"]').waitFor({ timeout: 20_000 });
    expect(await admin.getByTestId('import-count-created').textContent()).toContain('2');
    // The report names the bad lines (the header is line 1).
    await admin.getByTestId('import-rejected-row-4').waitFor();
    await admin.getByTestId('import-rejected-row-5').waitFor();
    expect(await admin.getByTestId('import-rejected-table').locator('tbody tr').count()).toBe(2);
    expect(await findAccountByPersonId(stack.platform.deps.db, '2027900001')).toBeDefined();
    expect(await findAccountByPersonId(stack.platform.deps.db, '2027900003')).toBeUndefined();
    await shot(admin, '20-import-report');
  });

  it('resolves a frozen account from the reconciliation queue: frozen at a tap by a card/database mismatch, unfrozen with a reason', async () => {
    const holder = stack.seed.samples[1]!;
    const { accountNo } = holder.account;
    // The freeze a tap makes when the chip and the database differ unexplained (the till's own path).
    await freezeForMismatch(stack.platform.deps, accountNo);
    await menu(admin, 'findings');
    const item = admin.getByTestId(`queue-row-frozen_account-${accountNo}`);
    await item.waitFor({ timeout: 20_000 });
    expect(await item.textContent()).toMatch(/卡库不符|card_database_mismatch|不一致/);
    await shot(admin, '07-queue-frozen');
    await admin.getByTestId(`queue-resolve-frozen_account-${accountNo}`).click();
    await admin.getByTestId('queue-reason').fill('e2e：核对卡内余额后解除冻结');
    await shot(admin, '08-queue-unfreeze');
    await admin.getByTestId('queue-confirm').click();
    await item.waitFor({ state: 'detached', timeout: 20_000 });
    expect((await getAccount(stack.platform.deps.db, accountNo))!.status).toBe('active');
    await shot(admin, '09-queue-resolved');

    // The account's history says who froze it and who unfroze it, and why.
    await openAccount(admin, accountNo, accountNo);
    // The history is read after the page: wait for its rows, not only its table.
    await expect.poll(async () => (await admin.getByTestId('account-status-history').textContent()) ?? '', { timeout: 20_000 }).toContain('admin');
    await shot(admin, '10-account-history', true);

    await menu(admin, 'findings');
    await admin.getByTestId('queue-tab-finding').click();
    await admin.getByTestId('findings-table').waitFor({ timeout: 20_000 });
    await shot(admin, '10-findings');
  });

  it('registers a terminal, whose one-time code read off the screen activates the terminal app, which then takes a payment', async () => {
    const terminalId = 'POS-M001-E2E';
    await menu(admin, 'terminals');
    await admin.getByTestId('merchant-row-M001').click();
    await admin.getByTestId('terminals-table').waitFor();
    await shot(admin, '11-terminals');
    await admin.getByTestId('terminal-register').click();
    await admin.getByTestId('terminal-field-terminalId').fill(terminalId);
    await admin.getByTestId('terminal-field-place').fill('一食堂 2F 窗口 9');
    await admin.getByTestId('terminal-reason').fill('e2e：新装窗口');
    await shot(admin, '12-terminal-register');
    await admin.getByTestId('terminal-confirm').click();
    await admin.getByTestId('activation-code').waitFor({ timeout: 20_000 });
    const activationCode = (await admin.getByTestId('activation-code').textContent())!.trim();
    expect(activationCode).not.toBe('');
    await shot(admin, '13-activation-code');
    await admin.getByTestId('activation-close').click();
    // Shown once: closed, it is nowhere on the page.
    expect(await admin.content()).not.toContain(activationCode);
    expect((await getTerminal(stack.platform.deps.db, terminalId))!.status).toBe('pending_activation');

    // The installer at the window, in another browser.
    const context = await terminalBrowser.newContext({ viewport: { width: 1024, height: 600 }, locale: 'zh-CN', timezoneId: 'Asia/Shanghai', permissions: ['camera'] });
    contexts.push(context);
    const pos = await context.newPage();
    await pos.goto(`${stack.platform.url}/pos/`);
    await pos.getByTestId('terminal-id').fill(terminalId);
    await pos.getByTestId('activation-code').fill(activationCode);
    await pos.getByTestId('activate').click();
    await expect.poll(() => pos.getByTestId('network-state').textContent(), { timeout: 20_000 }).toBe('在线');
    expect((await getTerminal(stack.platform.deps.db, terminalId))!.status).toBe('active');

    // A holder's code through the USB scanner: the amount, Enter, the code, Enter.
    const holder = stack.seed.samples[2]!;
    const phone = await bindPhone(stack.platform.url, holder.account.accountNo);
    const before = (await getAccount(stack.platform.deps.db, holder.account.accountNo))!.balanceFen;
    await pos.getByTestId('amount-input').click();
    await pos.keyboard.type('3.5');
    await pos.keyboard.press('Enter');
    await pos.keyboard.type(phone.code());
    await pos.keyboard.press('Enter');
    await pos.getByTestId('outcome').waitFor({ timeout: 20_000 });
    expect(await pos.getByTestId('outcome').getAttribute('data-status'), (await pos.getByTestId('outcome').textContent()) ?? '').toBe('ok');
    expect((await getAccount(stack.platform.deps.db, holder.account.accountNo))!.balanceFen).toBe(before - 350);
    const purchases = (await ledgerOf(stack.platform.deps, holder.account.accountNo)).filter((entry) => entry.type === 'purchase' && entry.amountFen === 350);
    expect(purchases).toHaveLength(1);
    writeFileSync(join(ARTIFACTS, 'console-14-pos-paid.png'), await pos.screenshot());

    // Back in the console, the terminal is active.
    await menu(admin, 'dashboard');
    await menu(admin, 'terminals');
    await admin.getByTestId('merchant-row-M001').click();
    await admin.getByTestId('terminals-table').getByText(terminalId).waitFor({ timeout: 20_000 });
    await expect.poll(async () => (await admin.getByTestId('terminals-table').locator('tr', { hasText: terminalId }).textContent()) ?? '', { timeout: 15_000 }).not.toContain('—');
    await shot(admin, '15-terminal-active');
  });

  it('finance closes last week, downloads a statement and the week as CSV for Excel, and marks a statement paid', async () => {
    const finance = await staffPage();
    await signInToConsole(finance, stack.platform.url, 'finance', stack.seed.staffPasswords.finance!);
    await menu(finance, 'statements');
    // A day of last week: the seeded history leaves that week open, for finance to close.
    const lastWeek = new Intl.DateTimeFormat('en-CA', { timeZone: 'Asia/Shanghai' }).format(new Date(Date.now() - 7 * 86_400_000));
    await finance.getByTestId('statements-period-kind').click();
    await finance.locator('.ant-select-item-option', { hasText: '周结' }).click();
    await finance.getByTestId('statements-day').fill(lastWeek);
    await finance.getByTestId('statements-close').click();
    await finance.getByTestId('reason-input').fill('e2e：上周结算关账');
    await shot(finance, '21-statements-close');
    await finance.getByTestId('reason-confirm').click();
    await finance.getByTestId('close-result').waitFor({ timeout: 20_000 });
    expect(await finance.getByTestId('close-result').textContent()).toMatch(/[1-9]/);
    await finance.getByTestId('reason-close').click();

    // The canteen's statement of that week, closed on the server with its fee.
    const row = finance.locator('[data-testid^="statement-row-"][data-testid$="-M001"]');
    await row.waitFor({ timeout: 20_000 });
    const statementId = (await row.getAttribute('data-testid'))!.slice('statement-row-'.length);
    const stored = await readStatement(stack.platform.deps, statementId);
    expect(stored.status).toBe('closed');
    expect(stored.turnoverFen).toBeGreaterThan(0);
    await finance.locator('[data-testid="chart-statement-days"] svg').first().waitFor({ timeout: 20_000 });
    await shot(finance, '22-statements-closed');

    // Its CSV as the server wrote it: UTF-8 with BOM and CRLF (Excel on Chinese Windows keeps the names), yuan with two decimals.
    const [download] = await Promise.all([finance.waitForEvent('download'), finance.getByTestId(`statement-csv-${statementId}`).click()]);
    expect(download.suggestedFilename()).toBe(`${statementId}.csv`);
    const bytes = readFileSync((await download.path())!);
    expect([...bytes.subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
    const csv = bytes.toString('utf8');
    expect(csv).toContain('\r\n');
    expect(csv).toContain('第一食堂');
    expect(csv).toContain((stored.turnoverFen / 100).toFixed(2));
    // The whole week, a line per merchant.
    const [week] = await Promise.all([finance.waitForEvent('download'), finance.getByTestId('statements-export').click()]);
    const weekCsv = readFileSync((await week.path())!).toString('utf8');
    expect(weekCsv).toContain('第一食堂');
    expect(weekCsv).toContain('教育超市');

    // Paid, with the bank's reference: once, audited, on the statement.
    await finance.getByTestId(`statement-pay-${statementId}`).click();
    await finance.getByTestId('pay-bank-reference').fill('E2E20261201-0001');
    await finance.getByTestId('reason-input').fill('e2e：银行已付款');
    await shot(finance, '23-statement-pay');
    await finance.getByTestId('reason-confirm').click();
    await expect.poll(async () => (await readStatement(stack.platform.deps, statementId)).status, { timeout: 15_000 }).toBe('paid');
    expect((await readStatement(stack.platform.deps, statementId)).payout).toMatchObject({ bankReference: 'E2E20261201-0001', paidBy: 'finance' });
    await row.click();
    await finance.getByTestId('statement-payout').waitFor({ timeout: 20_000 });
    await shot(finance, '24-statement-detail');

    // The report over the seeded weeks: turnover per day and per merchant, top-ups per channel, as charts and CSV.
    await finance.goto(`${stack.platform.url}/console/reports`);
    await finance.getByTestId('reports-preset-30').click();
    // Drawn: each chart's SVG holds its bars (paths), not only its axes.
    for (const chart of ['chart-report-days', 'chart-report-topups', 'chart-report-merchants'])
      await expect.poll(() => finance.locator(`[data-testid="${chart}"] svg path`).count(), { timeout: 20_000 }).toBeGreaterThan(10);
    await shot(finance, '30-reports');
    const [report] = await Promise.all([finance.waitForEvent('download'), finance.getByTestId('reports-export').click()]);
    const reportBytes = readFileSync((await report.path())!);
    expect([...reportBytes.subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
    expect(reportBytes.toString('utf8')).toContain('第一食堂');
  });

  it('the administrator creates a counter clerk, who then signs in with the operator’s menu; policy and staff screens, and the console in English', async () => {
    await menu(admin, 'staff');
    await admin.getByTestId('staff-table').waitFor({ timeout: 20_000 });
    await admin.getByTestId('staff-create').click();
    await admin.getByTestId('staff-field-username').fill('e2e.clerk');
    await admin.getByTestId('staff-field-password').fill('Counter-e2e-2026');
    await admin.getByTestId('reason-input').fill('e2e：新到岗的卡务员');
    await shot(admin, '25-staff-create');
    await admin.getByTestId('reason-confirm').click();
    await admin.getByTestId('staff-row-e2e.clerk').waitFor({ timeout: 20_000 });
    await shot(admin, '26-staff');

    const clerk = await staffPage();
    await signInToConsole(clerk, stack.platform.url, 'e2e.clerk', 'Counter-e2e-2026');
    expect(await clerk.getByTestId('header-role').getAttribute('data-role')).toBe('operator');
    // A counter clerk has the accounts, not finance's statements nor the administrator's staff list.
    await clerk.getByTestId('menu-accounts').waitFor();
    expect(await clerk.getByTestId('menu-statements').count()).toBe(0);
    expect(await clerk.getByTestId('menu-staff').count()).toBe(0);

    await menu(admin, 'policy');
    await admin.getByTestId('policy-table').waitFor({ timeout: 20_000 });
    await shot(admin, '27-policy');
    await menu(admin, 'terminals');
    await admin.getByTestId('merchants-table').waitFor({ timeout: 20_000 });
    await shot(admin, '28-merchants');
    await admin.getByTestId('lang-switch').getByText('EN').click();
    await menu(admin, 'dashboard');
    await admin.locator('[data-testid="chart-terminals"] svg').first().waitFor({ timeout: 20_000 });
    expect(await admin.getByTestId('sign-out').textContent()).toMatch(/Sign out/i);
    await shot(admin, '29-dashboard-en');
    await admin.getByTestId('lang-switch').getByText('中文').click();
  });

  it('a finance user is refused an operator’s action at the API and shown 无权限 on a screen its role cannot use', async () => {
    const password = stack.seed.staffPasswords.finance;
    expect(password, 'a fresh stage makes the demo finance user').toBeDefined();
    const finance = await staffPage();
    await signInToConsole(finance, stack.platform.url, 'finance', password!);
    expect(await finance.getByTestId('header-role').getAttribute('data-role')).toBe('finance');
    // The menu offers what finance may read, not the action log.
    expect(await finance.getByTestId('menu-audit').count()).toBe(0);
    await shot(finance, '16-finance-dashboard');

    const { accountNo } = stack.seed.samples[0]!.account;
    const before = (await getAccount(stack.platform.deps.db, accountNo))!.balanceFen;
    const { token } = JSON.parse((await finance.evaluate(`sessionStorage.getItem(${JSON.stringify(SESSION_KEY)})`)) as string) as { token: string };
    const response = await fetch(`${stack.platform.url}/v1/admin/accounts/${accountNo}/adjustments`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: JSON.stringify({ direction: 'credit', amountFen: 100, reason: 'finance tries the counter', adjustmentId: crypto.randomUUID() }),
    });
    expect(response.status).toBe(403);
    expect(((await response.json()) as { code: string }).code).toBe('FORBIDDEN');
    expect((await getAccount(stack.platform.deps.db, accountNo))!.balanceFen).toBe(before);

    // The account page reads, but its counter actions are not offered.
    await openAccount(finance, accountNo, accountNo);
    await finance.getByTestId('read-only').waitFor();
    expect(await finance.getByTestId('action-adjust').isDisabled()).toBe(true);
    await shot(finance, '17-finance-account-read-only');

    // A deep link to the action log: the API refuses the role and the screen says so.
    await finance.goto(`${stack.platform.url}/console/audit`);
    await finance.getByTestId('audit-error').waitFor({ timeout: 20_000 });
    expect(await finance.getByTestId('audit-error').getAttribute('data-code')).toBe('FORBIDDEN');
    expect(await finance.getByTestId('audit-error').textContent()).toContain('无权限');
    await shot(finance, '18-finance-audit-forbidden');
  });
});
