/**
 * GET /v1/admin/dashboard: today's turnover at merchants, top-ups by channel, terminals online and
 * offline (by the last sight their signed requests leave, written at most once a minute), frozen
 * accounts and open findings, from the day indexes and sparse indexes (this file's table is its own,
 * so the figures are exactly what the test did).
 */
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { campusDay } from '../../functions/domain/campus-day';
import { createStaffMember } from '../../functions/services/admin/sessions';
import { topUp } from '../../functions/services/movements';
import { recordFinding } from '../../functions/store/reconciliation-findings';
import { getTerminal } from '../../functions/store/terminals';
import { TERMINAL_ONLINE_MINUTES } from '../../shared/api/console';
import { createTestAccount, createTestTerminal, setAccountStatus, terminalFetch, testChipUid } from '../helpers/fixtures';
import { useTestPlatform } from '../helpers/platform';

const platform = useTestPlatform({ http: true });

let auditorToken = '';

async function dashboard(token = auditorToken) {
  const response = await fetch(`${platform.url}/v1/admin/dashboard`, { headers: { authorization: `Bearer ${token}` } });
  return { status: response.status, body: (await response.json()) as any };
}

beforeAll(async () => {
  await createStaffMember(platform.deps, { username: 'd.auditor', role: 'auditor', password: 'dashboard auditor 2026' });
  const session = await fetch(`${platform.url}/v1/admin/sessions`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username: 'd.auditor', password: 'dashboard auditor 2026' }) });
  auditorToken = ((await session.json()) as { token: string }).token;
});

describe('the dashboard', () => {
  let realClock: typeof platform.deps.clock;
  beforeAll(() => {
    realClock = platform.deps.clock;
  });
  afterEach(() => {
    platform.deps.clock = realClock;
  });

  it('starts at zero on an empty campus', async () => {
    const empty = await dashboard();
    expect(empty.status).toBe(200);
    expect(empty.body).toMatchObject({
      campusDay: campusDay(new Date()),
      turnover: { paymentsFen: 0, refundsFen: 0, netFen: 0, count: 0, byMerchant: [] },
      topups: { totalFen: 0, count: 0 },
      terminals: { online: 0, offline: 0, onlineWithinMinutes: TERMINAL_ONLINE_MINUTES },
      frozenAccounts: 0,
      openFindings: 0,
    });
  });

  it('shows today’s turnover, top-ups by channel, terminals online and offline, frozen accounts and open findings', async () => {
    const canteen = await createTestTerminal(platform.deps, { merchantId: 'MDASH1' });
    await createTestTerminal(platform.deps, { merchantId: 'MDASH1' });
    await createTestTerminal(platform.deps, { merchantId: 'MDASH2', status: 'disabled' });
    const payer = await createTestAccount(platform.deps);
    await topUp(platform.deps, { accountNo: payer.accountNo, amountFen: 10_000, channel: 'wechat', externalRef: 'wx-dash-1' });
    await topUp(platform.deps, { accountNo: payer.accountNo, amountFen: 5_000, channel: 'alipay', externalRef: 'ali-dash-1' });
    await topUp(platform.deps, { accountNo: payer.accountNo, amountFen: 2_000, channel: 'counter', externalRef: 'cash-dash-1' });
    const chipUid = await testChipUid(platform.deps, payer.accountNo);
    for (const [posTxnId, amountFen] of [['dash-1', 1_200], ['dash-2', 800]] as const) {
      const sale = await terminalFetch(platform.url, canteen, 'POST', '/v1/pos/charges', { posTxnId, chipUid, amountFen });
      expect(sale.status, JSON.stringify(sale.body)).toBe(200);
    }
    await setAccountStatus(platform.deps, (await createTestAccount(platform.deps)).accountNo, 'frozen');
    await setAccountStatus(platform.deps, (await createTestAccount(platform.deps)).accountNo, 'frozen');
    await setAccountStatus(platform.deps, (await createTestAccount(platform.deps)).accountNo, 'lost');
    await recordFinding(platform.deps.db, { source: 'wechat_bill', kind: 'missing_from_bill', day: campusDay(new Date()), channel: 'wechat', ref: 'wx-dash-x', detail: 'test finding', createdAt: new Date().toISOString() });

    const figures = (await dashboard()).body;
    expect(figures.turnover).toEqual({ paymentsFen: 2_000, refundsFen: 0, netFen: 2_000, count: 2, byMerchant: [{ merchantId: 'MDASH1', name: '测试食堂', paymentsFen: 2_000, refundsFen: 0, count: 2 }] });
    expect(figures.topups.totalFen).toBe(17_000);
    expect(figures.topups.count).toBe(3);
    expect(figures.topups.byChannel).toEqual(
      expect.arrayContaining([
        { channel: 'wechat', amountFen: 10_000, count: 1 },
        { channel: 'alipay', amountFen: 5_000, count: 1 },
        { channel: 'bank', amountFen: 0, count: 0 },
        { channel: 'cash_desk', amountFen: 2_000, count: 1 },
      ]),
    );
    // The canteen's till signed requests just now; the second one never did; the disabled one is neither.
    expect(figures.terminals).toEqual({ online: 1, offline: 1, onlineWithinMinutes: TERMINAL_ONLINE_MINUTES, disabled: 1, pendingActivation: 0 });
    expect(figures.frozenAccounts).toBe(2);
    expect(figures.openFindings).toBe(1);

    // Minutes later with no request from it, the till counts as offline.
    const later = new Date(Date.now() + (TERMINAL_ONLINE_MINUTES + 1) * 60_000);
    platform.deps.clock = () => later;
    expect((await dashboard()).body.terminals).toMatchObject({ online: 0, offline: 2 });
  });

  it('a terminal’s last sight is written once a minute at most, not on every request', async () => {
    const till = await createTestTerminal(platform.deps, { merchantId: 'MDASH3' });
    const payer = await createTestAccount(platform.deps, { balanceFen: 10_000 });
    const chipUid = await testChipUid(platform.deps, payer.accountNo);
    const start = new Date();
    platform.deps.clock = () => start;
    expect((await terminalFetch(platform.url, till, 'POST', '/v1/pos/charges', { posTxnId: 'seen-1', chipUid, amountFen: 100 }, { now: start })).status).toBe(200);
    expect((await getTerminal(platform.deps.db, till.terminalId))?.lastSeenAt).toBe(start.toISOString());
    const halfMinute = new Date(start.getTime() + 30_000);
    platform.deps.clock = () => halfMinute;
    expect((await terminalFetch(platform.url, till, 'POST', '/v1/pos/charges', { posTxnId: 'seen-2', chipUid, amountFen: 100 }, { now: halfMinute })).status).toBe(200);
    expect((await getTerminal(platform.deps.db, till.terminalId))?.lastSeenAt).toBe(start.toISOString());
    const nextMinute = new Date(start.getTime() + 61_000);
    platform.deps.clock = () => nextMinute;
    expect((await terminalFetch(platform.url, till, 'POST', '/v1/pos/charges', { posTxnId: 'seen-3', chipUid, amountFen: 100 }, { now: nextMinute })).status).toBe(200);
    expect((await getTerminal(platform.deps.db, till.terminalId))?.lastSeenAt).toBe(nextMinute.toISOString());
  });

  it('is for staff only: no session is 401', async () => {
    expect((await fetch(`${platform.url}/v1/admin/dashboard`)).status).toBe(401);
  });
});
