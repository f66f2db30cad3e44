/**
 * Finance closes a settlement period from the console (POST /v1/admin/statement-closings) on real
 * DynamoDB Local: every merchant's statement of the period closed as the scheduled run would, each
 * with its action-log entry; again closes nothing; two at once book one fee; a period not ended is
 * refused with nothing written; bad input and the counter's and the auditor's roles refused.
 *
 * The API runs on the real clock; the sales are posted with a clock in November 2026, so the
 * periods they fall in have ended whenever this runs.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import type { Deps } from '../../functions/deps';
import type { Account } from '../../functions/domain/account';
import { campusDay } from '../../functions/domain/campus-day';
import { fingerprint } from '../../functions/domain/fingerprint';
import type { Terminal } from '../../functions/domain/merchant';
import { planPurchase, planTopup } from '../../functions/domain/movement-plans';
import { periodContaining, statementIdOf } from '../../functions/domain/settlement';
import { createStaffMember } from '../../functions/services/admin/sessions';
import { listActionLogDay } from '../../functions/store/action-log';
import { createMovementStore } from '../../functions/store/movements';
import { getStatement } from '../../functions/store/statements';
import { systemAccountEntries } from '../../functions/store/system-accounts';
import { putMerchant } from '../../functions/store/terminals';
import { createTestAccount, createTestTerminal } from '../helpers/fixtures';
import { SETTLEMENT_GRACE_MINUTES } from '../../functions/domain/settlement';
import { useTestPlatform } from '../helpers/platform';

const platform = useTestPlatform({ http: true });

const beijing = (text: string) => new Date(`${text}+08:00`);
let now = beijing('2026-10-20T09:00:00.000');
let deps: Deps;
let canteen: Terminal;
let shop: Terminal;
let payer: Account;

// Week of Monday 9 to Sunday 15 November 2026; week of 16 to 22 November for the race.
const WEEK = periodContaining('weekly', '2026-11-11');
const RACE_WEEK = periodContaining('weekly', '2026-11-18');
const STAFF = {
  finance: { username: 'fin.close', password: 'close finance 2026', role: 'finance' as const },
  administrator: { username: 'adm.close', password: 'close admin 2026', role: 'administrator' as const },
  operator: { username: 'op.close', password: 'close counter 2026', role: 'operator' as const },
  auditor: { username: 'aud.close', password: 'close auditor 2026', role: 'auditor' as const },
};
const tokens: Record<keyof typeof STAFF, string> = { finance: '', administrator: '', operator: '', auditor: '' };

const request = platform.request;

const close = (token: string, body: unknown) => request('POST', '/v1/admin/statement-closings', { token, body });

let txn = 0;
async function buy(terminal: Terminal, amountFen: number, at: Date) {
  now = at;
  const posTxnId = `close${++txn}`;
  await deps.movements.post({
    accountNo: payer.accountNo,
    idempotencyKey: `pos#${terminal.terminalId}#${posTxnId}`,
    fingerprint: fingerprint({ posTxnId, amountFen }),
    plan: (current, today) => planPurchase(current, { amountFen, channel: 'pos', externalRef: posTxnId, merchantId: terminal.merchantId, terminalId: terminal.terminalId }, today),
  });
}

async function closeLog(day: string) {
  return (await listActionLogDay(deps.db, day, { limit: 500 })).entries.filter((entry) => entry.action === 'statement.close');
}

beforeAll(async () => {
  const clock = () => new Date(now.getTime());
  deps = { ...platform.deps, clock, movements: createMovementStore(platform.deps.db, clock) };
  canteen = await createTestTerminal(deps, { merchantId: 'CLCANTEEN' });
  shop = await createTestTerminal(deps, { merchantId: 'CLSHOP' });
  // Settled daily: it has no weekly statement, so a weekly close leaves it alone.
  await putMerchant(deps.db, { merchantId: 'CLDAILY', name: '日结商户', category: 'shop', status: 'active', settlementPeriod: 'daily', createdAt: now.toISOString() });
  payer = await createTestAccount(deps, { balanceFen: 500_000, dailyLimitFen: 200_000 });
  for (const [role, staff] of Object.entries(STAFF)) {
    await createStaffMember(platform.deps, staff);
    tokens[role as keyof typeof STAFF] = (await request('POST', '/v1/admin/sessions', { body: { username: staff.username, password: staff.password } })).body.token;
  }
  await buy(canteen, 10_000, beijing('2026-11-10T12:00:00.000'));
  await buy(canteen, 3_100, beijing('2026-11-15T23:59:59.000'));
  await buy(shop, 2_000, beijing('2026-11-12T18:00:00.000'));
  await buy(canteen, 20_000, beijing('2026-11-18T12:00:00.000'));
  now = beijing('2026-11-12T09:30:00.000');
  await deps.movements.post({
    accountNo: payer.accountNo,
    idempotencyKey: 'counter#close-1',
    fingerprint: 'counter-close-1',
    plan: (current, today) => planTopup(current, { amountFen: 5_000, channel: 'counter', externalRef: 'close-1' }, today),
  });
});

describe('closing a week from the console', () => {
  it('closes every weekly merchant’s statement of the week containing the day, as the schedule would, each in the action log with who and why', async () => {
    const answer = await close(tokens.finance, { periodKind: 'weekly', from: '2026-11-13', reason: '周结：补结上周' });
    expect(answer.status).toBe(200);
    expect(answer.body).toMatchObject({ period: { kind: 'weekly', from: '2026-11-09', to: '2026-11-15' }, closed: 2, alreadyClosed: 0 });
    expect(answer.body.statements.map((s: any) => s.statementId)).toEqual([statementIdOf('CLCANTEEN', WEEK), statementIdOf('CLSHOP', WEEK)]);
    // 13100 fen at 0.5% = 65.5 → 66; 2000 at 0.5% = 10.
    expect(answer.body.statements[0]).toMatchObject({ merchantId: 'CLCANTEEN', turnoverFen: 13_100, feeFen: 66, netPayableFen: 13_034, status: 'closed' });
    expect(answer.body.statements[1]).toMatchObject({ merchantId: 'CLSHOP', turnoverFen: 2_000, feeFen: 10, status: 'closed' });
    expect(answer.body.statements[0].days).toBeUndefined(); // summaries
    expect(await getStatement(deps.db, 'CLDAILY', WEEK)).toBeUndefined();

    const stored = (await getStatement(deps.db, 'CLCANTEEN', WEEK))!;
    expect(stored.feeEntryId).toBeTruthy();
    const log = await closeLog(campusDay(new Date(stored.closedAt)));
    expect(log.map((entry) => entry.target).sort()).toEqual([`statement:${statementIdOf('CLCANTEEN', WEEK)}`, `statement:${statementIdOf('CLSHOP', WEEK)}`]);
    expect(log[0]).toMatchObject({ who: STAFF.finance.username, reason: '周结：补结上周' });
    expect(log.find((entry) => entry.target.includes('CLCANTEEN'))!.details).toMatchObject({ merchantId: 'CLCANTEEN', periodKind: 'weekly', from: '2026-11-09', feeFen: 66 });
  });

  it('again closes nothing and answers the same statements; nothing more is booked or logged', async () => {
    const first = (await getStatement(deps.db, 'CLCANTEEN', WEEK))!;
    const day = campusDay(new Date(first.closedAt));
    const logged = (await closeLog(day)).length;
    const again = await close(tokens.administrator, { periodKind: 'weekly', from: '2026-11-09', reason: '再结一次' });
    expect(again.status).toBe(200);
    expect(again.body).toMatchObject({ closed: 0, alreadyClosed: 2 });
    expect(again.body.statements[0]).toMatchObject({ statementId: first.statementId, closedAt: first.closedAt, feeEntryId: first.feeEntryId, feeFen: 66 });
    expect((await closeLog(day)).length).toBe(logged);
    expect((await systemAccountEntries(deps.db, 'fee_income', day)).filter((entry) => entry.type === 'merchant_fee')).toHaveLength(2);
  });

  it('a daily close covers every merchant, reports included; the daily merchant’s statement settles', async () => {
    const answer = await close(tokens.finance, { periodKind: 'daily', from: '2026-11-12', reason: '日结' });
    expect(answer.status).toBe(200);
    expect(answer.body.statements.map((s: any) => [s.merchantId, s.status, s.turnoverFen])).toEqual([
      ['CLCANTEEN', 'report', 0],
      ['CLDAILY', 'nothing_to_pay', 0],
      ['CLSHOP', 'report', 2_000],
    ]);
  });
});

describe('two closings of one week at once', () => {
  it('book one fee: one closes, the other answers the same statement', async () => {
    const body = { periodKind: 'weekly', from: '2026-11-18', reason: '并发结账' };
    const [a, b] = await Promise.all([close(tokens.finance, body), close(tokens.administrator, body)]);
    expect([a.status, b.status]).toEqual([200, 200]);
    expect(a.body.closed + b.body.closed).toBe(2);
    expect(a.body.alreadyClosed + b.body.alreadyClosed).toBe(2);
    const stored = (await getStatement(deps.db, 'CLCANTEEN', RACE_WEEK))!;
    expect(stored).toMatchObject({ turnoverFen: 20_000, feeFen: 100 });
    expect(a.body.statements[0]).toMatchObject({ feeEntryId: stored.feeEntryId, closedAt: stored.closedAt });
    expect(b.body.statements[0]).toMatchObject({ feeEntryId: stored.feeEntryId, closedAt: stored.closedAt });
    const day = campusDay(new Date(stored.closedAt));
    const fees = (await systemAccountEntries(deps.db, 'fee_income', day)).filter((entry) => entry.type === 'merchant_fee' && entry.externalRef === stored.statementId);
    expect(fees).toHaveLength(1);
    expect((await closeLog(day)).filter((entry) => entry.target === `statement:${stored.statementId}`)).toHaveLength(1);
  });
});

describe('refusals: nothing changes', () => {
  const future = periodContaining('weekly', '2099-06-10');

  it('a period that has not ended (with its grace) is STATEMENT_PERIOD_NOT_ENDED', async () => {
    const today = await close(tokens.finance, { periodKind: 'monthly', from: campusDay(new Date()), reason: '提前结账' });
    expect(today.status).toBe(409);
    expect(today.body.code).toBe('STATEMENT_PERIOD_NOT_ENDED');
    expect(today.body.message.zh).toContain(`${SETTLEMENT_GRACE_MINUTES} 分钟`);
    const later = await close(tokens.finance, { periodKind: 'weekly', from: '2099-06-10', reason: '提前结账' });
    expect(later.body.code).toBe('STATEMENT_PERIOD_NOT_ENDED');
    expect(await getStatement(deps.db, 'CLCANTEEN', future)).toBeUndefined();
    expect(await getStatement(deps.db, 'CLCANTEEN', periodContaining('monthly', campusDay(new Date())))).toBeUndefined();
  });

  it('bad input: a bad day, an unknown kind, a missing or empty reason, an extra field → VALIDATION_FAILED', async () => {
    const bad = [
      { periodKind: 'weekly', from: '2026-13-01', reason: '坏日期' },
      { periodKind: 'weekly', from: '2026-11-31', reason: '坏日期' },
      { periodKind: 'weekly', from: '20261111', reason: '坏日期' },
      { periodKind: 'yearly', from: '2026-11-02', reason: '未知周期' },
      { periodKind: 'weekly', from: '2026-11-02' },
      { periodKind: 'weekly', from: '2026-11-02', reason: ' ' },
      { periodKind: 'weekly', from: '2026-11-02', reason: '多余字段', merchantId: 'CLSHOP' },
    ];
    for (const body of bad) {
      const answer = await close(tokens.finance, body);
      expect([answer.status, answer.body.code], JSON.stringify(body)).toEqual([400, 'VALIDATION_FAILED']);
    }
    expect(await getStatement(deps.db, 'CLCANTEEN', periodContaining('weekly', '2026-11-02'))).toBeUndefined();
  });

  it('the counter’s operator and the auditor are FORBIDDEN; without a session it is refused', async () => {
    const body = { periodKind: 'weekly', from: '2026-11-02', reason: '越权结账' };
    for (const role of ['operator', 'auditor'] as const) {
      const answer = await close(tokens[role], body);
      expect([answer.status, answer.body.code]).toEqual([403, 'FORBIDDEN']);
    }
    expect((await request('POST', '/v1/admin/statement-closings', { body })).status).toBe(401);
    expect(await getStatement(deps.db, 'CLCANTEEN', periodContaining('weekly', '2026-11-02'))).toBeUndefined();
  });
});

describe('the turnover report for the console’s charts', () => {
  const report = (token: string, query: string) => request('GET', `/v1/admin/reports/turnover?${query}`, { token });

  it('answers turnover per day and per merchant, and top-ups per channel per day, from closed daily statements and the day indexes', async () => {
    const answer = await report(tokens.auditor, 'from=2026-11-09&to=2026-11-18');
    expect(answer.status).toBe(200);
    expect(answer.body).toMatchObject({ from: '2026-11-09', to: '2026-11-18' });
    expect(answer.body.days).toHaveLength(10);
    const day = (d: string) => answer.body.days.find((figures: any) => figures.day === d);
    expect(day('2026-11-10')).toEqual({ day: '2026-11-10', turnoverFen: 10_000, refundsFen: 0, netFen: 10_000, entries: 1 });
    expect(day('2026-11-12')).toMatchObject({ turnoverFen: 2_000, entries: 1 }); // closed above: read from the daily statements
    expect(day('2026-11-15')).toMatchObject({ turnoverFen: 3_100 });
    expect(day('2026-11-11')).toMatchObject({ turnoverFen: 0, entries: 0 });
    expect(answer.body.merchants).toEqual([
      { merchantId: 'CLCANTEEN', name: '测试食堂', turnoverFen: 33_100, refundsFen: 0, netFen: 33_100, entries: 3 },
      { merchantId: 'CLSHOP', name: '测试食堂', turnoverFen: 2_000, refundsFen: 0, netFen: 2_000, entries: 1 },
    ]);
    const topups = answer.body.topups.find((figures: any) => figures.day === '2026-11-12');
    expect(topups.totalFen).toBe(5_000);
    expect(topups.byChannel).toEqual([
      { channel: 'wechat', amountFen: 0, count: 0 },
      { channel: 'alipay', amountFen: 0, count: 0 },
      { channel: 'bank', amountFen: 0, count: 0 },
      { channel: 'cash_desk', amountFen: 5_000, count: 1 },
    ]);
    expect(answer.body.topups.filter((figures: any) => figures.totalFen > 0)).toHaveLength(1);
  });

  it('bad ranges are VALIDATION_FAILED; the counter’s operator is FORBIDDEN', async () => {
    for (const query of ['from=2026-11-18&to=2026-11-09', 'from=2026-09-01&to=2026-11-02', 'from=2026-11-31&to=2026-12-01', 'from=2026-11-01', 'from=2026-11-01&to=2026-11-02&merchantId=CLSHOP']) {
      const answer = await report(tokens.finance, query);
      expect([answer.status, answer.body.code], query).toEqual([400, 'VALIDATION_FAILED']);
    }
    // 62 days is the most: 1 September to 1 November.
    const longest = await report(tokens.finance, 'from=2026-09-01&to=2026-11-01');
    expect(longest.status).toBe(200);
    expect(longest.body.days).toHaveLength(62);
    const refused = await report(tokens.operator, 'from=2026-11-09&to=2026-11-18');
    expect([refused.status, refused.body.code]).toEqual([403, 'FORBIDDEN']);
  });
});
