/**
 * Merchant settlement on real DynamoDB Local: a week closed at Monday 00:30 Beijing with a late
 * offline upload that lands in the next week by posting time; a closed statement never changes;
 * the fee booked once with the statement; payout once; the card centre's API, CSV read back with a
 * CSV parser; bad input refused with nothing changed; the ledger audit clean after fees and payouts.
 */
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { parse } from 'csv-parse/sync';
import { beforeAll, describe, expect, it } from 'vitest';
import type { Deps } from '../../functions/deps';
import type { Account } from '../../functions/domain/account';
import { campusDay } from '../../functions/domain/campus-day';
import { system } from '../../functions/domain/chart';
import { fingerprint } from '../../functions/domain/fingerprint';
import type { LedgerEntry } from '../../functions/domain/ledger';
import type { Merchant, Terminal } from '../../functions/domain/merchant';
import { planPurchase } from '../../functions/domain/movement-plans';
import { periodContaining, SETTLEMENT_GRACE_MINUTES, statementIdOf, type Statement } from '../../functions/domain/settlement';
import { loadServerlessConfig, PROJECT_ROOT } from '../../functions/local/serverless-config';
import { createStaffMember } from '../../functions/services/admin/sessions';
import { postRefund } from '../../functions/services/movements';
import { uploadOfflineRecords } from '../../functions/services/offline';
import { closeDueStatements, closeStatement, payStatement } from '../../functions/services/settlement';
import { getAccount } from '../../functions/store/accounts';
import { listActionLogDay } from '../../functions/store/action-log';
import { createMovementStore } from '../../functions/store/movements';
import { getStatement } from '../../functions/store/statements';
import { systemAccountBalance, systemAccountEntries } from '../../functions/store/system-accounts';
import { getMerchant, putMerchant } from '../../functions/store/terminals';
import { createTestAccount, createTestTerminal, testChipUid } from '../helpers/fixtures';
import { useTestPlatform } from '../helpers/platform';

const platform = useTestPlatform({ http: true });
const run = promisify(execFile);

/** Beijing wall time → instant (UTC+8, no DST). */
const beijing = (text: string) => new Date(`${text}+08:00`);

// Week A: Monday 2 November 2026 to Sunday 8 November; week B: 9 to 15 November.
const WEEK_A = periodContaining('weekly', '2026-11-04');
const WEEK_B = periodContaining('weekly', '2026-11-11');
const MERCHANT = 'MLATE';
const ID_A = statementIdOf(MERCHANT, WEEK_A);

let now = beijing('2026-11-01T09:00:00.000');
let deps: Deps;
let terminal: Terminal;
let merchant: Merchant;
let payer: Account;
let twice: Account;
const SUPERVISOR = { username: 'fin.qian', password: 'qian finance 2026', role: 'finance' as const };
const OPERATOR = { username: 'op.sun', password: 'sun counter 2026', role: 'operator' as const };
let supervisorToken: string;
let operatorToken: string;

beforeAll(async () => {
  const clock = () => new Date(now.getTime());
  deps = { ...platform.deps, clock, movements: createMovementStore(platform.deps.db, clock) };
  terminal = await createTestTerminal(deps, { merchantId: MERCHANT });
  merchant = (await getMerchant(deps.db, MERCHANT))!;
  payer = await createTestAccount(deps, { balanceFen: 100_000, dailyLimitFen: 60_000 });
  twice = await createTestAccount(deps, { balanceFen: 100_000, dailyLimitFen: 60_000 });
  for (const staff of [SUPERVISOR, OPERATOR]) await createStaffMember(platform.deps, staff);
  supervisorToken = (await request('POST', '/v1/admin/sessions', { body: { username: SUPERVISOR.username, password: SUPERVISOR.password } })).body.token;
  operatorToken = (await request('POST', '/v1/admin/sessions', { body: { username: OPERATOR.username, password: OPERATOR.password } })).body.token;
});

async function request(method: string, path: string, options: { token?: string; body?: unknown } = {}) {
  const response = await fetch(platform.url + path, {
    method,
    headers: { ...(options.token ? { authorization: `Bearer ${options.token}` } : {}), ...(options.body !== undefined ? { 'content-type': 'application/json' } : {}) },
    ...(options.body !== undefined ? { body: JSON.stringify(options.body) } : {}),
  });
  // Decoded keeping a byte-order mark (fetch's text() drops it): the CSV's BOM is what it is tested for.
  const text = new TextDecoder('utf-8', { ignoreBOM: true }).decode(await response.arrayBuffer());
  const json = (response.headers.get('content-type') ?? '').startsWith('application/json');
  return { status: response.status, contentType: response.headers.get('content-type'), text, body: (json && text ? JSON.parse(text) : undefined) as any };
}

let txn = 0;
async function buy(account: Account, amountFen: number, at: Date): Promise<LedgerEntry> {
  now = at;
  const posTxnId = `set${++txn}`;
  const { entry } = await deps.movements.post({
    accountNo: account.accountNo,
    idempotencyKey: `pos#${terminal.terminalId}#${posTxnId}`,
    fingerprint: fingerprint({ posTxnId, amountFen }),
    plan: (current, today) => planPurchase(current, { amountFen, channel: 'pos', externalRef: posTxnId, merchantId: MERCHANT, terminalId: terminal.terminalId }, today),
  });
  return entry;
}

async function entriesOf(account: string, day: string, type: string) {
  return (await systemAccountEntries(deps.db, account as never, day)).filter((entry) => entry.type === type);
}

describe('a week of a canteen closed at Monday 00:30 Beijing', () => {
  let first: Statement;

  it('covers what was posted Monday 00:00 to Sunday 24:00, with refunds, a duplicate charge adjusted out, and the fee once, half-up', async () => {
    const lunch = await buy(payer, 12_345, beijing('2026-11-04T12:00:00.000'));
    const duplicate = await buy(twice, 5_000, beijing('2026-11-04T12:01:00.000'));
    await buy(payer, 1_100, beijing('2026-11-08T23:59:59.999')); // the week's last millisecond: week A
    now = beijing('2026-11-04T12:10:00.000');
    await postRefund(deps, lunch, { idempotencyKey: `pos#${terminal.terminalId}#refund1`, fingerprint: 'r1', amountFen: 345, channel: 'pos', externalRef: 'refund1', terminalId: terminal.terminalId });
    now = beijing('2026-11-06T09:00:00.000');
    await postRefund(deps, duplicate, { idempotencyKey: 'admin#dup1', fingerprint: 'd1', channel: 'admin', externalRef: 'dup1', reason: '系统重复扣款', operator: 'op.sun', refundCause: 'duplicate_charge' });
    await buy(payer, 700, beijing('2026-11-09T00:00:00.000')); // Monday 00:00 exactly: week B

    // The run at 00:30: the weeks in the lookback and the last seven days (reports), since the merchant existed (1 November).
    now = beijing('2026-11-09T00:30:00.000');
    const report = await closeDueStatements(deps, [merchant]);
    expect(report).toMatchObject({ merchants: 1, failures: [], alreadyClosed: 0, feesFen: 66 });
    expect(report.closed).toBe(2 + 7);

    first = (await getStatement(deps.db, MERCHANT, WEEK_A))!;
    // 12345 + 5000 + 1100 = 18445 turnover; 345 refunded; 5000 adjusted out; 13100 net; 0.5% = 65.5 → 66 fen.
    expect(first).toMatchObject({
      statementId: ID_A,
      periodKind: 'weekly',
      from: '2026-11-02',
      to: '2026-11-08',
      settles: true,
      feeRateBps: 50,
      entries: 5,
      turnoverFen: 18_445,
      refundsFen: 345,
      adjustmentsFen: 5_000,
      netTurnoverFen: 13_100,
      feeFen: 66,
      netPayableFen: 13_034,
      status: 'closed',
      adjustments: [{ amountFen: 5_000, reason: '系统重复扣款' }],
    });
    // The fee is a system entry from the payable to fee income, posted with the statement (campus day of the close: 9 November).
    const [fee, ...more] = await entriesOf('fee_income', '2026-11-09', 'merchant_fee');
    expect(more).toEqual([]);
    expect(fee).toMatchObject({ entryId: first.feeEntryId, amountFen: 66, externalRef: ID_A, merchantId: MERCHANT, transfers: [{ debit: system.merchantPayable(MERCHANT), credit: 'fee_income', amountFen: 66 }] });
    // The empty week before and the daily reports: nothing to pay, no fee.
    expect(await getStatement(deps.db, MERCHANT, periodContaining('weekly', '2026-10-28'))).toMatchObject({ entries: 0, feeFen: 0, status: 'nothing_to_pay' });
    expect(await getStatement(deps.db, MERCHANT, periodContaining('daily', '2026-11-04'))).toMatchObject({ turnoverFen: 17_345, refundsFen: 345, feeFen: 0, settles: false, status: 'report' });
  });

  it('a late offline upload after the close lands in the next week; the closed statement never changes (re-close, payments after)', async () => {
    now = beijing('2026-11-09T00:40:00.000');
    const chipUid = await testChipUid(deps, payer.accountNo);
    const balance = (await getAccount(deps.db, payer.accountNo))!.balanceFen;
    const [result] = await uploadOfflineRecords(deps, terminal, [
      { recordId: 'late-1', occurredAt: beijing('2026-11-08T23:50:00.000').toISOString(), amountFen: 800, method: 'card', chipUid, chipBalanceAfterFen: balance - 800 },
    ]);
    expect(result!.outcome).toBe('applied');
    await buy(payer, 200, beijing('2026-11-10T12:00:00.000'));

    now = beijing('2026-11-09T01:00:00.000');
    const again = await closeStatement(deps, merchant, WEEK_A);
    expect(again.closed).toBe(false);
    expect(again.statement).toEqual(first);
    expect(await closeDueStatements(deps, [merchant])).toMatchObject({ closed: 0, alreadyClosed: 9, feesFen: 0 });
    expect(await getStatement(deps.db, MERCHANT, WEEK_A)).toEqual(first);
    expect(await entriesOf('fee_income', '2026-11-09', 'merchant_fee')).toHaveLength(1);

    // The next Monday: week B has the boundary payment, the late upload and the payment after; not week A's fee.
    now = beijing('2026-11-16T00:30:00.000');
    const [one, other] = await Promise.all([closeStatement(deps, merchant, WEEK_B), closeStatement(deps, merchant, WEEK_B)]);
    expect([one.closed, other.closed].sort()).toEqual([false, true]);
    expect(one.statement).toEqual(other.statement);
    expect(one.statement).toMatchObject({ entries: 3, turnoverFen: 1_700, refundsFen: 0, adjustmentsFen: 0, feeFen: 9, netPayableFen: 1_691, status: 'closed' }); // 8.5 → 9
    expect(await entriesOf('fee_income', '2026-11-16', 'merchant_fee')).toHaveLength(1);
  });

  it('a merchant that joined mid-week gets no statements of the periods that ended before it existed', async () => {
    now = beijing('2026-11-12T09:00:00.000');
    await putMerchant(deps.db, { merchantId: 'MNEW', name: '新超市', category: 'shop', status: 'active', createdAt: now.toISOString() });
    now = beijing('2026-11-16T00:30:00.000');
    const report = await closeDueStatements(deps, [(await getMerchant(deps.db, 'MNEW'))!]);
    expect(report).toMatchObject({ closed: 1 + 4, alreadyClosed: 0, failures: [] }); // week B; the days 12..15 November
    expect(await getStatement(deps.db, 'MNEW', WEEK_B)).toMatchObject({ entries: 0, status: 'nothing_to_pay' });
    expect(await getStatement(deps.db, 'MNEW', WEEK_A)).toBeUndefined();
    expect(await getStatement(deps.db, 'MNEW', periodContaining('daily', '2026-11-11'))).toBeUndefined();
  });

  it('a period is not closed before it ended and its grace passed', async () => {
    now = beijing('2026-11-23T00:10:00.000'); // week C ended 10 minutes ago
    await expect(closeStatement(deps, merchant, periodContaining('weekly', '2026-11-18'))).rejects.toMatchObject({ code: 'STATEMENT_NOT_CLOSED' });
    expect(await getStatement(deps.db, MERCHANT, periodContaining('weekly', '2026-11-18'))).toBeUndefined();
  });
});

describe('the card centre’s statements API', () => {
  it('lists a merchant’s statements, a period across merchants, and those waiting for payout', async () => {
    // Statements are finance's (and the administrator's and auditor's): the counter is refused them.
    expect((await request('GET', `/v1/admin/statements?merchantId=${MERCHANT}&periodKind=weekly`, { token: operatorToken })).body.code).toBe('FORBIDDEN');
    const weekly = await request('GET', `/v1/admin/statements?merchantId=${MERCHANT}&periodKind=weekly`, { token: supervisorToken });
    expect(weekly.status).toBe(200);
    expect(weekly.body.statements.map((s: Statement) => [s.statementId, s.status])).toEqual([
      ['W20261026-MLATE', 'nothing_to_pay'],
      ['W20261102-MLATE', 'closed'],
      ['W20261109-MLATE', 'closed'],
    ]);
    const period = await request('GET', '/v1/admin/statements?periodKind=weekly&from=2026-11-05', { token: supervisorToken });
    expect(period.body.statements.map((s: Statement) => s.statementId)).toEqual([ID_A]);
    const unpaid = await request('GET', '/v1/admin/statements?status=closed', { token: supervisorToken });
    expect(unpaid.body.statements.map((s: Statement) => s.statementId)).toEqual([ID_A, 'W20261109-MLATE']);
    const one = await request('GET', `/v1/admin/statements/${ID_A}`, { token: supervisorToken });
    expect(one.body).toMatchObject({ statementId: ID_A, netPayableFen: 13_034, days: expect.any(Array) });
    expect(one.body.days).toHaveLength(7);
  });

  it('exports a statement and a period as CSV that Excel opens: BOM, CRLF, yuan with two decimals, Chinese headers, a totals line', async () => {
    const csv = await request('GET', `/v1/admin/statements/${ID_A}/csv`, { token: supervisorToken });
    expect(csv.status).toBe(200);
    expect(csv.contentType).toBe('text/csv; charset=utf-8');
    expect(csv.text.charCodeAt(0)).toBe(0xfeff);
    expect(csv.text.split('\r\n').length).toBeGreaterThan(10);
    expect(csv.text.replaceAll('\r\n', '')).not.toContain('\n');
    const rows: string[][] = parse(csv.text, { bom: true, relax_column_count: true });
    const header = rows.findIndex((row) => row[0] === '日期');
    expect(rows[header]).toEqual(['日期', '笔数', '营业额(元)', '退款(元)', '调整(元)', '净营业额(元)', '管理费(元)', '应付商户(元)']);
    expect(rows[header + 3]).toEqual(['2026-11-04', '3', '173.45', '3.45', '0.00', '170.00', '', '']);
    expect(rows[header + 5]).toEqual(['2026-11-06', '1', '0.00', '0.00', '50.00', '-50.00', '', '']);
    expect(rows[header + 7]).toEqual(['2026-11-08', '1', '11.00', '0.00', '0.00', '11.00', '', '']);
    expect(rows.at(-1)).toEqual(['合计', '5', '184.45', '3.45', '50.00', '131.00', '0.66', '130.34']);

    const period = await request('GET', '/v1/admin/statement-exports?periodKind=weekly&from=2026-11-11', { token: supervisorToken });
    const lines: string[][] = parse(period.text, { bom: true });
    expect(lines[0]!.slice(0, 3)).toEqual(['结算单号', '商户编号', '商户名称']);
    expect(lines.slice(1).map((line) => [line[0], line[7], line[12], line[13]])).toEqual([
      ['W20261109-MLATE', '17.00', '0.09', '16.91'],
      ['W20261109-MNEW', '0.00', '0.00', '0.00'],
      ['合计', '17.00', '0.09', '16.91'],
    ]);
  });

  it('pays a closed statement once: the net payable from the payable to the bank clearing, audited; the same reference again answers the same', async () => {
    const body = { bankReference: 'CMB20261110-0001', reason: '11月第一周结算款' };
    const refused = await request('POST', `/v1/admin/statements/${ID_A}/payout`, { token: operatorToken, body });
    expect([refused.status, refused.body.code]).toEqual([403, 'FORBIDDEN']);

    const paid = await request('POST', `/v1/admin/statements/${ID_A}/payout`, { token: supervisorToken, body });
    expect(paid.status).toBe(200);
    expect(paid.body).toMatchObject({ statementId: ID_A, status: 'paid', netPayableFen: 13_034, payout: { bankReference: body.bankReference, paidBy: SUPERVISOR.username } });
    const again = await request('POST', `/v1/admin/statements/${ID_A}/payout`, { token: supervisorToken, body });
    expect(again.status).toBe(200);
    expect(again.body.payout).toEqual(paid.body.payout);
    const other = await request('POST', `/v1/admin/statements/${ID_A}/payout`, { token: supervisorToken, body: { ...body, bankReference: 'CMB-OTHER' } });
    expect([other.status, other.body.code]).toEqual([409, 'STATEMENT_ALREADY_PAID']);

    const today = campusDay(new Date());
    const payouts = await entriesOf('clearing:bank', today, 'merchant_payout');
    expect(payouts).toHaveLength(1);
    expect(payouts[0]).toMatchObject({ entryId: paid.body.payout.entryId, amountFen: 13_034, externalRef: ID_A, transfers: [{ debit: system.merchantPayable(MERCHANT), credit: 'clearing:bank', amountFen: 13_034 }] });
    const logged = (await listActionLogDay(deps.db, today, { limit: 1000 })).entries.filter((entry) => entry.action === 'statement.payout');
    expect(logged).toMatchObject([{ who: SUPERVISOR.username, target: `statement:${ID_A}`, details: { amountFen: 13_034, bankReference: body.bankReference } }]);
    expect((await request('GET', '/v1/admin/statements?status=closed', { token: supervisorToken })).body.statements.map((s: Statement) => s.statementId)).toEqual(['W20261109-MLATE']);

    // What is left on the payable over weeks A and B is exactly week B's turnover (A's fee and payout took the rest).
    const payable = await systemAccountBalance(deps.db, system.merchantPayable(MERCHANT), '2026-11-02', today);
    expect(payable.changeFen).toBe(1_700 - 9);
  });

  it('bad input: unknown, malformed, not yet closed, nothing to pay, already paid → a clear code, nothing changed', async () => {
    const body = { bankReference: 'CMB-BAD', reason: '测试错误输入' };
    const pay = (id: string, payload: unknown = body) => request('POST', `/v1/admin/statements/${id}/payout`, { token: supervisorToken, body: payload });
    const thisWeek = statementIdOf(MERCHANT, periodContaining('weekly', campusDay(new Date())));
    const before = await Promise.all(['W20261026-MLATE', ID_A, 'D20261104-MLATE'].map((id) => request('GET', `/v1/admin/statements/${id}`, { token: supervisorToken })));
    const cases: [string, unknown, number, string][] = [
      ['W20261102-NOSUCH', body, 404, 'STATEMENT_NOT_FOUND'],
      ['W20261103-MLATE', body, 404, 'STATEMENT_NOT_FOUND'], // a Tuesday begins no week
      ['not-a-statement', body, 400, 'VALIDATION_FAILED'],
      [thisWeek, body, 409, 'STATEMENT_NOT_CLOSED'],
      ['W20261026-MLATE', body, 409, 'STATEMENT_NOT_PAYABLE'],
      ['D20261104-MLATE', body, 409, 'STATEMENT_NOT_PAYABLE'],
      [ID_A, body, 409, 'STATEMENT_ALREADY_PAID'],
      ['W20261109-MLATE', { reason: '缺少流水号' }, 400, 'VALIDATION_FAILED'],
      ['W20261109-MLATE', { bankReference: 'has spaces in it', reason: '流水号格式错误' }, 400, 'VALIDATION_FAILED'],
    ];
    for (const [id, payload, status, code] of cases) {
      const answer = await pay(id, payload);
      expect([id, answer.status, answer.body.code]).toEqual([id, status, code]);
    }
    expect((await request('GET', `/v1/admin/statements/W20261102-NOSUCH`, { token: supervisorToken })).body.code).toBe('STATEMENT_NOT_FOUND');
    expect((await request('GET', `/v1/admin/statements/${thisWeek}`, { token: supervisorToken })).body.code).toBe('STATEMENT_NOT_CLOSED');
    expect((await request('GET', '/v1/admin/statements?merchantId=NOSUCH', { token: supervisorToken })).body.code).toBe('STATEMENT_NOT_FOUND');
    expect((await request('GET', '/v1/admin/statements', { token: supervisorToken })).body.code).toBe('VALIDATION_FAILED');
    expect((await request('GET', '/v1/admin/statements?periodKind=weekly', { token: supervisorToken })).body.code).toBe('VALIDATION_FAILED');

    const after = await Promise.all(['W20261026-MLATE', ID_A, 'D20261104-MLATE'].map((id) => request('GET', `/v1/admin/statements/${id}`, { token: supervisorToken })));
    expect(after.map((a) => a.body)).toEqual(before.map((b) => b.body));
    expect(await getStatement(deps.db, MERCHANT, WEEK_B)).toMatchObject({ status: 'closed' });
    const today = campusDay(new Date());
    expect(await entriesOf('clearing:bank', today, 'merchant_payout')).toHaveLength(1);
    expect((await listActionLogDay(deps.db, today, { limit: 1000 })).entries.filter((entry) => entry.action === 'statement.payout')).toHaveLength(1);
    // The service refuses an operator, whatever the route.
    await expect(payStatement(deps, { username: 'op.sun', role: 'operator' }, 'W20261109-MLATE', body)).rejects.toMatchObject({ code: 'FORBIDDEN' });
  });
});

describe('two payouts of one statement at once', () => {
  it('one pays, the other hears it is paid: one payout entry, one action-log entry', async () => {
    const id = statementIdOf(MERCHANT, WEEK_B);
    now = beijing('2026-11-17T10:00:00.000');
    const actor = { username: SUPERVISOR.username, role: 'finance' as const };
    const results = await Promise.allSettled([
      payStatement(deps, actor, id, { bankReference: 'CMB-B-1', reason: '11月第二周结算款' }),
      payStatement(deps, actor, id, { bankReference: 'CMB-B-2', reason: '11月第二周结算款' }),
    ]);
    const paid = results.filter((r) => r.status === 'fulfilled');
    const refused = results.filter((r): r is PromiseRejectedResult => r.status === 'rejected');
    expect(paid).toHaveLength(1);
    expect(refused.map((r) => r.reason.code)).toEqual(['STATEMENT_ALREADY_PAID']);
    const stored = (await getStatement(deps.db, MERCHANT, WEEK_B))!;
    expect(stored).toMatchObject({ status: 'paid', payout: { bankReference: (paid[0] as PromiseFulfilledResult<Statement>).value.payout!.bankReference } });
    expect(await entriesOf('clearing:bank', '2026-11-17', 'merchant_payout')).toMatchObject([{ amountFen: 1_691, entryId: stored.payout!.entryId }]);
    expect((await listActionLogDay(deps.db, '2026-11-17', { limit: 1000 })).entries.filter((entry) => entry.target === `statement:${id}`)).toHaveLength(1);
  });
});

describe('the scheduled close', () => {
  it('runs at 00:30 Beijing over the whole registry; `npm run settle:merchants` does the same by hand, and again changes nothing', async () => {
    const fn = (loadServerlessConfig({ stage: 'dev', env: {} }).raw as any).functions.settleMerchants;
    expect(fn.handler).toBe('functions/handlers/settle-merchants.handler');
    expect(fn.events).toEqual([{ schedule: 'cron(30 16 * * ? *)' }]); // 16:30 UTC = 00:30 Beijing
    expect(SETTLEMENT_GRACE_MINUTES).toBeLessThan(30);

    // The Lambda handler, on the real clock: every merchant of the registry, the periods ended since each existed.
    const { handler } = await import('../../functions/handlers/settle-merchants');
    const report = await handler();
    expect(report.failures).toEqual([]);
    expect(report.merchants).toBeGreaterThanOrEqual(1);
    expect(report.closed).toBeGreaterThan(0);
    const yesterday = campusDay(new Date(Date.now() - 86_400_000 - SETTLEMENT_GRACE_MINUTES * 60_000));
    expect(await getStatement(deps.db, MERCHANT, periodContaining('daily', yesterday))).toMatchObject({ status: 'report' });

    const { stdout } = await run('npm', ['run', 'settle:merchants', '--silent'], { cwd: PROJECT_ROOT, env: { ...process.env, TABLE_NAME: platform.tableName } });
    expect(stdout).toMatch(new RegExp(`merchant settlement of ${platform.tableName}: ${report.merchants} merchants, 0 statements closed, ${report.closed + report.alreadyClosed} already closed, ¥0\\.00 fees booked, 0 failures`));
  }, 120_000);
});

describe('the books after fees and payouts', () => {
  it('`npm run audit` is clean: every entry against its kind, the trial balance zero', async () => {
    let result: { code: number; stdout: string; stderr: string };
    try {
      const { stdout, stderr } = await run('npm', ['run', 'audit', '--silent'], { cwd: PROJECT_ROOT, env: { ...process.env, TABLE_NAME: platform.tableName } });
      result = { code: 0, stdout, stderr };
    } catch (error) {
      result = error as { code: number; stdout: string; stderr: string };
    }
    expect(result.stdout).toContain(' 0 differences');
    // Both fees (0.66 + 0.09) in fee income, both weeks paid out through the bank (130.34 + 16.91), nothing left owed to the merchant.
    expect(result.stdout).toMatch(/fee_income +0\.75\n/);
    expect(result.stdout).toMatch(/clearing:bank +147\.25\n/);
    expect(result.stdout).toMatch(/merchants payable +0\.00 \(1 merchants\)/);
    expect(result.stdout).toMatch(/holder purses [\d.]+ \+ system accounts = 0\.00/);
    expect(result.code).toBe(0);
  }, 120_000);
});
