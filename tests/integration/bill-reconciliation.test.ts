/**
 * Issue 12 item 4 (bills), for both channels: the fake platforms serve their daily bills in the real
 * formats (WeChat's backquoted CSV with its SHA1, Alipay's zip of GBK CSVs with # lines and a
 * summary file) over their signed protocols; the run credits paid orders we never heard about,
 * once, and puts every other difference in the reconciliation queue, once, which the card centre
 * works from over HTTP and resolves with an audited action.
 */
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { issueAdminSession } from '../../functions/auth/admin-session';
import { campusDay } from '../../functions/domain/campus-day';
import { getDeps } from '../../functions/deps';
import type { FakeBillTamper } from '../../functions/local/fake-bills';
import { startFakeAlipay, type FakeAlipay } from '../../functions/local/fake-alipay';
import { startFakeWechatPay, type FakeWechatPay } from '../../functions/local/fake-wechat-pay';
import type { PaymentChannelName } from '../../functions/payments/channel';
import { createStaffMember } from '../../functions/services/admin/sessions';
import { reconcileBills } from '../../functions/services/bill-reconciliation';
import { topUp } from '../../functions/services/movements';
import { getAccount } from '../../functions/store/accounts';
import { listActionLogDay } from '../../functions/store/action-log';
import { getOrder } from '../../functions/store/orders';
import type { ReconciliationFinding } from '../../functions/store/reconciliation-findings';
import { createTestAccount, ledgerOf, setAccountStatus } from '../helpers/fixtures';
import { holderToken } from '../helpers/phone';
import { useTestPlatform } from '../helpers/platform';
import { useFake } from '../helpers/fakes';

let wechat: FakeWechatPay;
let alipay: FakeAlipay;
useFake('WECHAT_PAY_CONFIG', startFakeWechatPay, (started) => (wechat = started));
useFake('ALIPAY_CONFIG', startFakeAlipay, (started) => (alipay = started));
const platform = useTestPlatform({ http: true });

let operatorToken = '';
beforeAll(async () => {
  await createStaffMember(platform.deps, { username: 'op.bills', role: 'operator', password: 'operator pass 2026' });
  operatorToken = (await issueAdminSession(process.env.SESSION_SECRET!, { username: 'op.bills', role: 'operator' }, new Date())).token;
});
afterEach(() => {
  wechat.tamperBills(undefined);
  alipay.tamperBills(undefined);
});

interface Platform {
  channel: PaymentChannelName;
  payerId: string;
  pay(orderId: string, options?: { notify?: boolean }): Promise<number>;
  tamperBills(tamper: FakeBillTamper | undefined): void;
}
const platforms: Platform[] = [
  { channel: 'wechat', payerId: 'oUpF8uMuAJO_M2pxb1Q9zNjWeS6o', pay: (id, o) => wechat.pay(id, o), tamperBills: (t) => wechat.tamperBills(t) },
  { channel: 'alipay', payerId: '2088000000000101', pay: (id, o) => alipay.pay(id, o), tamperBills: (t) => alipay.tamperBills(t) },
];

/** The fakes stamp payments with the real clock: today's bill (Beijing) has them. */
const today = () => campusDay(new Date());

async function openOrder(on: Platform, accountNo: string, amountFen: number): Promise<string> {
  const response = await fetch(`${platform.url}/v1/holder/topups`, {
    method: 'POST',
    headers: { authorization: `Bearer ${await holderToken(accountNo)}`, 'content-type': 'application/json' },
    body: JSON.stringify({ amountFen, channel: on.channel, payerId: on.payerId }),
  });
  expect(response.status).toBe(201);
  return ((await response.json()) as { order: { orderId: string } }).order.orderId;
}

async function admin(method: string, path: string, body?: unknown): Promise<{ status: number; body: any }> {
  const response = await fetch(`${platform.url}${path}`, {
    method,
    headers: { authorization: `Bearer ${operatorToken}`, ...(body ? { 'content-type': 'application/json' } : {}) },
    ...(body ? { body: JSON.stringify(body) } : {}),
  });
  return { status: response.status, body: await response.json() };
}

/** Every open finding in the queue, over the admin API, following its pages. */
async function queue(): Promise<ReconciliationFinding[]> {
  const all: ReconciliationFinding[] = [];
  let cursor: string | undefined;
  do {
    const page = await admin('GET', `/v1/admin/reconciliation-findings?limit=50${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`);
    expect(page.status).toBe(200);
    all.push(...page.body.findings);
    cursor = page.body.nextCursor;
  } while (cursor);
  return all;
}

const credits = async (accountNo: string) => (await ledgerOf(platform.deps, accountNo)).filter((e) => e.type === 'topup' || e.type === 'transitional_credit');
const reportOf = (report: Awaited<ReturnType<typeof reconcileBills>>, channel: PaymentChannelName) => report.channels.find((c) => c.channel === channel)!;

describe.each(platforms)('the $channel daily bill', (on) => {
  it('a paid order we never heard about is credited by the bill run, once however often it runs', async () => {
    const account = await createTestAccount(platform.deps);
    const orderId = await openOrder(on, account.accountNo, 5_000);
    await on.pay(orderId, { notify: false });
    expect((await getOrder(platform.deps.db, orderId))?.status).toBe('pending');

    const first = await reconcileBills(platform.deps, today());
    expect(first.failures).toEqual([]);
    expect(reportOf(first, on.channel).credited).toBeGreaterThanOrEqual(1);
    expect(await getOrder(platform.deps.db, orderId)).toMatchObject({ status: 'paid', platformTxnId: expect.any(String) });
    expect((await getAccount(platform.deps.db, account.accountNo))?.balanceFen).toBe(5_000);

    const second = await reconcileBills(platform.deps, today());
    expect(reportOf(second, on.channel).credited).toBe(0);
    expect((await getAccount(platform.deps.db, account.accountNo))?.balanceFen).toBe(5_000);
    expect(await credits(account.accountNo)).toHaveLength(1);
    expect((await queue()).filter((f) => f.orderId === orderId)).toEqual([]);
  });

  it('a paid order for an account closed meanwhile is given back through the platform, never credited', async () => {
    const account = await createTestAccount(platform.deps);
    const orderId = await openOrder(on, account.accountNo, 1_500);
    await on.pay(orderId, { notify: false });
    await setAccountStatus(platform.deps, account.accountNo, 'cancelled');
    const report = await reconcileBills(platform.deps, today());
    expect(reportOf(report, on.channel).refunding).toBe(1);
    expect((await getOrder(platform.deps.db, orderId))?.refund).toMatchObject({ amountFen: 1_500, reason: 'CARD_CANCELLED' });
    expect(await credits(account.accountNo)).toEqual([]);
  });

  it('a payment we credited that the bill does not have is a missing_from_bill finding', async () => {
    const account = await createTestAccount(platform.deps);
    const orderId = await openOrder(on, account.accountNo, 2_000);
    expect(await on.pay(orderId)).toBe(200); // notified: credited at once
    on.tamperBills({ drop: [orderId] });
    const report = await reconcileBills(platform.deps, today());
    expect(report.failures).toEqual([]);
    const order = await getOrder(platform.deps.db, orderId);
    expect((await queue()).filter((f) => f.orderId === orderId)).toEqual([
      expect.objectContaining({ kind: 'missing_from_bill', source: `${on.channel}_bill`, day: today(), channel: on.channel, ref: order!.platformTxnId, oursFen: 2_000, status: 'open' }),
    ]);
  });

  it('the books, not the orders, say what must be in the bill: a credit from the clearing account that no order explains is missing_from_bill', async () => {
    const account = await createTestAccount(platform.deps);
    const txn = `LEDGERONLY${Date.now()}${on.channel}`;
    // Money credited from the channel's clearing account outside any order (a hand-made credit, a bug).
    await topUp(platform.deps, { accountNo: account.accountNo, amountFen: 1_234, channel: on.channel, externalRef: txn, paidAt: new Date().toISOString() });
    const report = await reconcileBills(platform.deps, today());
    expect(report.failures).toEqual([]);
    expect((await queue()).filter((f) => f.ref === txn)).toEqual([expect.objectContaining({ kind: 'missing_from_bill', channel: on.channel, oursFen: 1_234, status: 'open' })]);
  });

  it('a payment we have no order for is an unknown_payment finding', async () => {
    const stranger = `TX${Date.now()}${on.channel}`;
    on.tamperBills({ add: [{ outTradeNo: stranger, amountFen: 777 }] });
    await reconcileBills(platform.deps, today());
    const found = (await queue()).filter((f) => f.kind === 'unknown_payment' && f.channel === on.channel && f.detail.includes(stranger));
    expect(found).toEqual([expect.objectContaining({ outsideFen: 777, day: today() })]);
  });

  it('an amount that differs is an amount_mismatch finding, and nothing is credited for it', async () => {
    const account = await createTestAccount(platform.deps);
    const orderId = await openOrder(on, account.accountNo, 3_000);
    expect(await on.pay(orderId)).toBe(200);
    on.tamperBills({ amounts: { [orderId]: 2_999 } });
    await reconcileBills(platform.deps, today());
    expect((await queue()).filter((f) => f.orderId === orderId)).toEqual([expect.objectContaining({ kind: 'amount_mismatch', outsideFen: 2_999, oursFen: 3_000 })]);
    expect((await getAccount(platform.deps.db, account.accountNo))?.balanceFen).toBe(3_000);
  });

  it('a bill that repeats rows, served twice, makes one credit and one finding', async () => {
    const credited = await createTestAccount(platform.deps);
    const missing = await openOrder(on, credited.accountNo, 1_000);
    expect(await on.pay(missing)).toBe(200);
    const unheard = await createTestAccount(platform.deps);
    const late = await openOrder(on, unheard.accountNo, 4_000);
    await on.pay(late, { notify: false });
    on.tamperBills({ drop: [missing], duplicate: [late] });

    const first = await reconcileBills(platform.deps, today());
    const second = await reconcileBills(platform.deps, today());
    expect(reportOf(first, on.channel).duplicates).toBeGreaterThanOrEqual(1);
    expect(reportOf(second, on.channel)).toMatchObject({ credited: 0, findings: 0 });
    expect(reportOf(second, on.channel).knownFindings).toBeGreaterThanOrEqual(1);
    expect((await queue()).filter((f) => f.orderId === missing)).toHaveLength(1);
    expect(await credits(unheard.accountNo)).toHaveLength(1);
    expect((await getAccount(platform.deps.db, unheard.accountNo))?.balanceFen).toBe(4_000);
  });

  it('reads the bill’s Chinese (GBK in Alipay’s zip) intact', async () => {
    const account = await createTestAccount(platform.deps);
    const orderId = await openOrder(on, account.accountNo, 5_000);
    await on.pay(orderId);
    const rows = await (await getDeps().payments())[on.channel]!.downloadBill(today());
    expect(rows.filter((row) => row.outTradeNo === orderId)).toEqual([expect.objectContaining({ kind: 'payment', amountFen: 5_000, description: '校园卡充值 50.00 元' })]);
  });
});

describe('WeChat bill integrity', () => {
  it('a file that does not match the signed hash_value is refused: nothing credited, Alipay still reconciled', async () => {
    const account = await createTestAccount(platform.deps);
    const orderId = await openOrder(platforms[0]!, account.accountNo, 2_500);
    await wechat.pay(orderId, { notify: false });
    wechat.tamperBills({ wrongHash: true });
    const report = await reconcileBills(platform.deps, today());
    expect(report.failures).toEqual([expect.objectContaining({ channel: 'wechat', code: 'PAYMENT_CHANNEL_UNAVAILABLE', error: expect.stringContaining('hash_value') })]);
    expect(report.channels.map((c) => c.channel)).toEqual(['alipay']);
    expect((await getOrder(platform.deps.db, orderId))?.status).toBe('pending');
    expect(await credits(account.accountNo)).toEqual([]);
  });

  it.each([
    ['WeChat', 'wechat' as const, 'http://127.0.0.1:9/v3/billdownload/file?token=x', 'download_url'],
    ['Alipay', 'alipay' as const, 'http://bills.example.com/downloadBillFile.resource?fileId=x', "is not Alipay's"],
  ])('a %s bill URL that is not the platform’s is never fetched', async (_name, channel, url, complaint) => {
    (channel === 'wechat' ? wechat : alipay).tamperBills({ downloadUrl: url });
    const report = await reconcileBills(platform.deps, today());
    expect(report.failures).toEqual([expect.objectContaining({ channel, code: 'PAYMENT_CHANNEL_UNAVAILABLE', error: expect.stringContaining(complaint) })]);
  });

  it('a platform that is down fails that channel only', async () => {
    alipay.setDown(true);
    try {
      const report = await reconcileBills(platform.deps, today());
      expect(report.failures).toEqual([expect.objectContaining({ channel: 'alipay', code: 'PAYMENT_CHANNEL_UNAVAILABLE' })]);
      expect(report.channels.map((c) => c.channel)).toEqual(['wechat']);
    } finally {
      alipay.setDown(false);
    }
  });
});

describe('the reconciliation queue (admin API)', () => {
  it('lists open findings by pages, resolves one with an audited action, and refuses to resolve it twice', async () => {
    const account = await createTestAccount(platform.deps);
    const orderId = await openOrder(platforms[0]!, account.accountNo, 600);
    expect(await wechat.pay(orderId)).toBe(200);
    wechat.tamperBills({ drop: [orderId], add: [{ outTradeNo: `TQ${Date.now()}`, amountFen: 1 }] });
    await reconcileBills(platform.deps, today());

    const open = await queue();
    expect(open.length).toBeGreaterThanOrEqual(2);
    const firstPage = await admin('GET', '/v1/admin/reconciliation-findings?limit=1');
    expect(firstPage.body.findings).toHaveLength(1);
    expect(firstPage.body.nextCursor).toEqual(expect.any(String));
    // Oldest first.
    expect(open.map((f) => f.createdAt)).toEqual([...open.map((f) => f.createdAt)].sort());

    const finding = open.find((f) => f.orderId === orderId)!;
    const resolved = await admin('POST', `/v1/admin/reconciliation-findings/${finding.findingId}/resolution`, { resolution: 'no_action', reason: '平台补发账单后核对一致' });
    expect(resolved.status).toBe(200);
    expect(resolved.body).toMatchObject({ findingId: finding.findingId, status: 'resolved', resolution: { resolution: 'no_action', by: 'op.bills', reason: '平台补发账单后核对一致' } });
    expect((await queue()).map((f) => f.findingId)).not.toContain(finding.findingId);

    const audit = await listActionLogDay(platform.deps.db, campusDay(new Date()), { limit: 500 });
    expect(audit.entries.filter((e) => e.action === 'finding.resolve' && e.target === finding.findingId)).toEqual([
      expect.objectContaining({ who: 'op.bills', reason: '平台补发账单后核对一致', details: expect.objectContaining({ resolution: 'no_action', kind: 'missing_from_bill', orderId }) }),
    ]);

    const again = await admin('POST', `/v1/admin/reconciliation-findings/${finding.findingId}/resolution`, { resolution: 'adjusted', reason: 'twice' });
    expect(again).toMatchObject({ status: 409, body: { code: 'FINDING_ALREADY_RESOLVED' } });
    // The same bill again does not bring a resolved finding back.
    await reconcileBills(platform.deps, today());
    expect((await queue()).map((f) => f.findingId)).not.toContain(finding.findingId);
    expect((await listActionLogDay(platform.deps.db, campusDay(new Date()), { limit: 500 })).entries.filter((e) => e.target === finding.findingId)).toHaveLength(1);
  });

  it('answers an unknown finding 404, a bad resolution 400, and no session 401', async () => {
    expect(await admin('POST', `/v1/admin/reconciliation-findings/F${'a'.repeat(26)}/resolution`, { resolution: 'no_action', reason: 'none such' })).toMatchObject({ status: 404, body: { code: 'FINDING_NOT_FOUND' } });
    expect((await admin('POST', `/v1/admin/reconciliation-findings/F${'a'.repeat(26)}/resolution`, { resolution: 'forgiven', reason: 'none such' })).status).toBe(400);
    expect((await fetch(`${platform.url}/v1/admin/reconciliation-findings`)).status).toBe(401);
  });
});
