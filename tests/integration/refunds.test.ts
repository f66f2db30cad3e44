/**
 * Refunds on DynamoDB Local: at the terminal that took the payment, the same campus day, in parts
 * never above the payment (also when asked at once), once per refund id; later by the card centre
 * with a reason; a duplicate charge taken back out of the merchant's payable. Card charges, QR
 * payments and offline records alike. Bad input changes nothing, and the audit stays clean.
 */
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { GetCommand } from '@aws-sdk/lib-dynamodb';
import { beforeAll, describe, expect, it } from 'vitest';
import type { Deps } from '../../functions/deps';
import { campusDay } from '../../functions/domain/campus-day';
import { system } from '../../functions/domain/chart';
import { PROJECT_ROOT } from '../../functions/local/serverless-config';
import type { Terminal } from '../../functions/domain/merchant';
import { auditLedger } from '../../functions/services/audit';
import { chargeAtTerminal } from '../../functions/services/charge';
import { createStaffMember } from '../../functions/services/admin/sessions';
import { refundAtTerminal, refundByCardCentre } from '../../functions/services/refunds';
import { getAccount } from '../../functions/store/accounts';
import { listActionLogDay } from '../../functions/store/action-log';
import { keys } from '../../functions/store/keys';
import { createMovementStore } from '../../functions/store/movements';
import { systemAccountDay } from '../../functions/store/system-accounts';
import { createTestAccount, createTestTerminal, ledgerOf, terminalFetch, testChipUid } from '../helpers/fixtures';
import { bindPhone } from '../helpers/phone';
import { useTestPlatform } from '../helpers/platform';

const platform = useTestPlatform({ http: true });
const OPERATOR = { username: 'op.sun', password: 'sun operator 2026', role: 'operator' as const };
let operatorToken = '';
let till: Terminal;
/** Another till of the same merchant, and a till of another merchant. */
let neighbour: Terminal;
let elsewhere: Terminal;

beforeAll(async () => {
  await createStaffMember(platform.deps, OPERATOR);
  operatorToken = (await api('POST', '/v1/admin/sessions', { body: { username: OPERATOR.username, password: OPERATOR.password } })).body.token;
  till = await createTestTerminal(platform.deps, { merchantId: 'MREFUND' });
  neighbour = await createTestTerminal(platform.deps, { merchantId: 'MREFUND' });
  elsewhere = await createTestTerminal(platform.deps, { merchantId: 'MOTHER' });
});

async function api(method: string, path: string, options: { token?: string; body?: unknown } = {}): Promise<{ status: number; body: any; text: string }> {
  const response = await fetch(platform.url + path, {
    method,
    headers: { ...(options.token ? { authorization: `Bearer ${options.token}` } : {}), ...(options.body !== undefined ? { 'content-type': 'application/json' } : {}) },
    ...(options.body !== undefined ? { body: JSON.stringify(options.body) } : {}),
  });
  const text = await response.text();
  return { status: response.status, body: text ? JSON.parse(text) : undefined, text };
}

let seq = 0;
const id = (prefix: string) => `${prefix}-${process.pid}-${++seq}`;

/** A card charge at `terminal`: its receipt. */
async function charge(accountNo: string, amountFen: number, terminal = till): Promise<string> {
  const chipUid = await testChipUid(platform.deps, accountNo);
  return (await chargeAtTerminal(platform.deps, terminal, { posTxnId: id('txn'), chipUid, amountFen })).receiptNo;
}

function refund(terminal: Terminal, body: { refundId: string; receiptNo: string; amountFen: unknown }) {
  return terminalFetch(platform.url, terminal, 'POST', '/v1/pos/refunds', body);
}

async function balance(accountNo: string): Promise<number> {
  return (await getAccount(platform.deps.db, accountNo))!.balanceFen;
}

async function refunded(receiptNo: string): Promise<number | undefined> {
  const { Item } = await platform.deps.db.doc.send(new GetCommand({ TableName: platform.tableName, Key: keys.refundTotal(receiptNo), ConsistentRead: true }));
  return Item?.refundedFen as number | undefined;
}

/** The platform a day later (the same database). */
function tomorrow(): Pick<Deps, 'db' | 'clock' | 'movements'> {
  const clock = () => new Date(Date.now() + 24 * 3600_000);
  return { db: platform.deps.db, clock, movements: createMovementStore(platform.deps.db, clock) };
}

describe('refunds at the terminal that took the payment', () => {
  it('refunds in parts, never above the payment; a retry answers the refund posted; the same id for another refund is a conflict', async () => {
    const account = await createTestAccount(platform.deps, { balanceFen: 5_000 });
    const receiptNo = await charge(account.accountNo, 1_000);
    const first = await refund(till, { refundId: 'r1', receiptNo, amountFen: 300 });
    expect(first.status, JSON.stringify(first.body)).toBe(200);
    expect(first.body).toMatchObject({ receiptNo, amountFen: 300, balanceFen: 4_300, replayed: false, holderDisplayName: expect.any(String) });
    const retry = await refund(till, { refundId: 'r1', receiptNo, amountFen: 300 });
    expect(retry.body).toEqual({ ...first.body, replayed: true });
    expect((await refund(till, { refundId: 'r1', receiptNo, amountFen: 200 })).body.code).toBe('IDEMPOTENCY_CONFLICT');
    expect((await refund(till, { refundId: 'r2', receiptNo, amountFen: 300 })).status).toBe(200);
    expect((await refund(till, { refundId: 'r3', receiptNo, amountFen: 401 })).body.code).toBe('REFUND_EXCEEDS_PURCHASE');
    expect((await refund(till, { refundId: 'r4', receiptNo, amountFen: 400 })).body).toMatchObject({ balanceFen: 5_000 });
    expect((await refund(till, { refundId: 'r5', receiptNo, amountFen: 1 })).body.code).toBe('REFUND_EXCEEDS_PURCHASE');
    expect(await balance(account.accountNo)).toBe(5_000);
    expect(await refunded(receiptNo)).toBe(1_000);
    const refunds = (await ledgerOf(platform.deps, account.accountNo)).filter((entry) => entry.type === 'refund');
    expect(refunds.map((entry) => [entry.amountFen, entry.refundOf, entry.terminalId, entry.refundCause])).toEqual([
      [300, receiptNo, till.terminalId, 'terminal'],
      [300, receiptNo, till.terminalId, 'terminal'],
      [400, receiptNo, till.terminalId, 'terminal'],
    ]);
    // Each refund is a transfer from the merchant's payable back to the holder.
    expect(refunds[0]!.transfers).toEqual([{ debit: system.merchantPayable(till.merchantId), credit: `holder:${account.accountNo}:balance`, amountFen: 300 }]);
  });

  it('never refunds more than the payment when partial refunds arrive at once', async () => {
    const account = await createTestAccount(platform.deps, { balanceFen: 5_000 });
    const receiptNo = await charge(account.accountNo, 1_000);
    const answers = await Promise.all(Array.from({ length: 10 }, (_, i) => refund(till, { refundId: `race-${receiptNo}-${i}`, receiptNo, amountFen: 300 })));
    expect(answers.filter((res) => res.status === 200)).toHaveLength(3);
    expect(answers.filter((res) => res.body.code === 'REFUND_EXCEEDS_PURCHASE')).toHaveLength(7);
    expect(await refunded(receiptNo)).toBe(900);
    expect(await balance(account.accountNo)).toBe(4_900);
  });

  it('is refused at another terminal, of the same merchant or another, changing nothing', async () => {
    const account = await createTestAccount(platform.deps, { balanceFen: 5_000 });
    const receiptNo = await charge(account.accountNo, 800);
    for (const terminal of [neighbour, elsewhere]) {
      const res = await refund(terminal, { refundId: id('wrong'), receiptNo, amountFen: 100 });
      expect(res).toMatchObject({ status: 403, body: { code: 'REFUND_WRONG_TERMINAL' } });
    }
    expect(await balance(account.accountNo)).toBe(4_200);
    expect(await refunded(receiptNo)).toBeUndefined();
  });

  it('is refused on a later day (the card centre refunds then), while a retry of a refund posted on the day still answers it', async () => {
    const account = await createTestAccount(platform.deps, { balanceFen: 5_000 });
    const receiptNo = await charge(account.accountNo, 1_000);
    const posted = await refundAtTerminal(platform.deps, till, { refundId: 'day-1', receiptNo, amountFen: 100 });
    const later = tomorrow();
    await expect(refundAtTerminal(later, till, { refundId: 'day-2', receiptNo, amountFen: 100 })).rejects.toMatchObject({ code: 'REFUND_DAY_PASSED' });
    expect(await refundAtTerminal(later, till, { refundId: 'day-1', receiptNo, amountFen: 100 })).toEqual({ ...posted, replayed: true });
    expect(await balance(account.accountNo)).toBe(4_100);

    const byCentre = await refundByCardCentre(later, OPERATOR, { refundId: id('late'), receiptNo, amountFen: 900, reason: '顾客次日退餐' });
    expect(byCentre).toMatchObject({ receiptNo, amountFen: 900, balanceFen: 5_000, refundCause: 'card_centre', reason: '顾客次日退餐', merchantId: till.merchantId });
    await expect(refundByCardCentre(later, OPERATOR, { refundId: id('late'), receiptNo, amountFen: 1, reason: '再退一分' })).rejects.toMatchObject({ code: 'REFUND_EXCEEDS_PURCHASE' });
  });

  it('refunds a QR payment and an offline record too: the receipt number identifies the purchase', async () => {
    const account = await createTestAccount(platform.deps, { balanceFen: 5_000 });
    const phone = await bindPhone(platform.url, account.accountNo);
    const qr = await terminalFetch(platform.url, till, 'POST', '/v1/pos/qr-payments', { posTxnId: id('qr'), token: phone.code(), amountFen: 600 });
    expect(qr.status, JSON.stringify(qr.body)).toBe(200);
    expect((await refund(till, { refundId: id('qr-refund'), receiptNo: qr.body.receiptNo, amountFen: 600 })).body).toMatchObject({ amountFen: 600, balanceFen: 5_000 });

    const at = new Date(Date.now() - 60_000);
    const upload = await terminalFetch(platform.url, till, 'POST', '/v1/pos/offline-uploads', {
      records: [{ recordId: id('off'), occurredAt: at.toISOString(), amountFen: 700, method: 'qr', token: phone.code({ at }) }],
    });
    expect(upload.body.results[0], JSON.stringify(upload.body)).toMatchObject({ outcome: 'applied' });
    const offlineReceipt = upload.body.results[0].receiptNo as string;
    expect((await refund(neighbour, { refundId: id('off-refund'), receiptNo: offlineReceipt, amountFen: 200 })).body.code).toBe('REFUND_WRONG_TERMINAL');
    expect((await refund(till, { refundId: id('off-refund'), receiptNo: offlineReceipt, amountFen: 200 })).body).toMatchObject({ amountFen: 200, balanceFen: 4_500 });
  });

  it("judges an offline sale by the day it happened, not the day it was uploaded", async () => {
    const account = await createTestAccount(platform.deps, { balanceFen: 5_000 });
    const phone = await bindPhone(platform.url, account.accountNo);
    const yesterday = new Date(Date.now() - 25 * 3600_000);
    const upload = await terminalFetch(platform.url, till, 'POST', '/v1/pos/offline-uploads', {
      records: [{ recordId: id('old'), occurredAt: yesterday.toISOString(), amountFen: 500, method: 'qr', token: phone.code({ at: yesterday }) }],
    });
    expect(upload.body.results[0], JSON.stringify(upload.body)).toMatchObject({ outcome: 'applied' });
    const receiptNo = upload.body.results[0].receiptNo as string;
    expect((await ledgerOf(platform.deps, account.accountNo)).find((entry) => entry.receiptNo === receiptNo)!.campusDay).toBe(campusDay(new Date()));
    expect((await refund(till, { refundId: id('old-refund'), receiptNo, amountFen: 500 })).body.code).toBe('REFUND_DAY_PASSED');
    expect(await balance(account.accountNo)).toBe(4_500);
  });

  it('answers bad input with a clear code and changes nothing', async () => {
    const account = await createTestAccount(platform.deps, { balanceFen: 5_000 });
    const receiptNo = await charge(account.accountNo, 1_000);
    const topup = (await ledgerOf(platform.deps, account.accountNo)).find((entry) => entry.type === 'topup')!;
    const cases: [Record<string, unknown>, string][] = [
      [{ refundId: 'b1', receiptNo, amountFen: 0 }, 'VALIDATION_FAILED'],
      [{ refundId: 'b2', receiptNo, amountFen: -100 }, 'VALIDATION_FAILED'],
      [{ refundId: 'b3', receiptNo, amountFen: 1.5 }, 'VALIDATION_FAILED'],
      [{ refundId: 'b4', receiptNo, amountFen: '100' }, 'VALIDATION_FAILED'],
      [{ refundId: 'b5', receiptNo: 'not-a-receipt', amountFen: 100 }, 'VALIDATION_FAILED'],
      [{ refundId: 'bad id!', receiptNo, amountFen: 100 }, 'VALIDATION_FAILED'],
      [{ receiptNo, amountFen: 100 }, 'VALIDATION_FAILED'],
      [{ refundId: 'b6', receiptNo: '01ARZ3NDEKTSV4RRFFQ69G5FAV', amountFen: 100 }, 'RECEIPT_NOT_FOUND'],
      [{ refundId: 'b7', receiptNo: topup.receiptNo, amountFen: 100 }, 'REFUND_NOT_ALLOWED'],
    ];
    for (const [body, code] of cases) {
      const res = await terminalFetch(platform.url, till, 'POST', '/v1/pos/refunds', body);
      expect(res.body.code, JSON.stringify(body)).toBe(code);
    }
    expect(await balance(account.accountNo)).toBe(4_000);
    expect(await refunded(receiptNo)).toBeUndefined();
    expect((await ledgerOf(platform.deps, account.accountNo)).map((entry) => entry.type)).toEqual(['topup', 'purchase']);
  });
});

describe('refunds by the card centre', () => {
  it('refunds any day with a reason, in the action log with the movement; retries answer it, another request under its id is a conflict', async () => {
    const account = await createTestAccount(platform.deps, { balanceFen: 5_000 });
    const receiptNo = await charge(account.accountNo, 1_000);
    const body = { refundId: id('centre'), receiptNo, amountFen: 250, reason: '菜品质量问题' };
    const res = await api('POST', '/v1/admin/refunds', { token: operatorToken, body });
    expect(res.status, res.text).toBe(200);
    expect(res.body).toMatchObject({ receiptNo, amountFen: 250, balanceFen: 4_250, accountNo: account.accountNo, merchantId: till.merchantId, refundCause: 'card_centre', reason: '菜品质量问题', replayed: false });
    expect((await api('POST', '/v1/admin/refunds', { token: operatorToken, body })).body).toMatchObject({ refundReceiptNo: res.body.refundReceiptNo, replayed: true });
    expect((await api('POST', '/v1/admin/refunds', { token: operatorToken, body: { ...body, amountFen: 300 } })).body.code).toBe('IDEMPOTENCY_CONFLICT');
    expect((await api('POST', '/v1/admin/refunds', { token: operatorToken, body: { ...body, refundId: id('centre'), reason: '' } })).body.code).toBe('VALIDATION_FAILED');
    expect((await api('POST', '/v1/admin/refunds', { body: { ...body, refundId: id('centre') } })).body.code).toBe('UNAUTHENTICATED');
    const entry = (await ledgerOf(platform.deps, account.accountNo)).find((e) => e.receiptNo === res.body.refundReceiptNo)!;
    expect(entry).toMatchObject({ type: 'refund', channel: 'admin', operator: OPERATOR.username, reason: '菜品质量问题', refundCause: 'card_centre' });
    const { entries } = await listActionLogDay(platform.deps.db, campusDay(new Date()), { limit: 1000 });
    const logged = entries.filter((e) => e.action === 'refund.card_centre' && e.target === `account:${account.accountNo}`);
    expect(logged).toHaveLength(1);
    expect(logged[0]).toMatchObject({ who: OPERATOR.username, reason: '菜品质量问题', details: { receiptNo, refundReceiptNo: res.body.refundReceiptNo, amountFen: 250 } });
    expect(await balance(account.accountNo)).toBe(4_250);
  });

  it("takes a duplicate charge back out of the merchant's payable: all that is left of it, marked duplicate_charge", async () => {
    const account = await createTestAccount(platform.deps, { balanceFen: 5_000 });
    const original = await charge(account.accountNo, 1_200);
    const duplicate = await charge(account.accountNo, 1_200);
    const other = await charge(account.accountNo, 900);
    // The cashier already gave 200 back at the till.
    await refundAtTerminal(platform.deps, till, { refundId: id('partial'), receiptNo: duplicate, amountFen: 200 });
    const payableBefore = await systemAccountDay(platform.deps.db, system.merchantPayable(till.merchantId), campusDay(new Date()));

    const post = (body: Record<string, unknown>) => api('POST', '/v1/admin/duplicate-charges', { token: operatorToken, body: { refundId: id('dup'), reason: '系统重复扣款', ...body } });
    expect((await post({ receiptNo: duplicate, duplicateOf: other })).body.code).toBe('DUPLICATE_CHARGE_MISMATCH');
    expect((await post({ receiptNo: duplicate, duplicateOf: duplicate })).body.code).toBe('DUPLICATE_CHARGE_MISMATCH');
    expect((await post({ receiptNo: duplicate, duplicateOf: '01ARZ3NDEKTSV4RRFFQ69G5FAV' })).body.code).toBe('RECEIPT_NOT_FOUND');
    expect((await post({ receiptNo: duplicate, duplicateOf: original, reason: '' })).body.code).toBe('VALIDATION_FAILED');
    expect(await balance(account.accountNo)).toBe(5_000 - 1_200 - 1_200 - 900 + 200);

    const res = await post({ receiptNo: duplicate, duplicateOf: original });
    expect(res.status, res.text).toBe(200);
    expect(res.body).toMatchObject({ receiptNo: duplicate, amountFen: 1_000, refundCause: 'duplicate_charge', reason: '系统重复扣款', merchantId: till.merchantId });
    expect(await refunded(duplicate)).toBe(1_200);
    expect((await post({ receiptNo: duplicate, duplicateOf: original })).body.code).toBe('REFUND_EXCEEDS_PURCHASE');
    const entry = (await ledgerOf(platform.deps, account.accountNo)).find((e) => e.receiptNo === res.body.refundReceiptNo)!;
    expect(entry).toMatchObject({ type: 'refund', refundOf: duplicate, refundCause: 'duplicate_charge', operator: OPERATOR.username });
    expect(entry.transfers).toEqual([{ debit: system.merchantPayable(till.merchantId), credit: `holder:${account.accountNo}:balance`, amountFen: 1_000 }]);
    // It comes off the merchant's payable, so off its settlement.
    const payableAfter = await systemAccountDay(platform.deps.db, system.merchantPayable(till.merchantId), campusDay(new Date()));
    expect(payableAfter.changeFen).toBe(payableBefore.changeFen - 1_000);
    const { entries } = await listActionLogDay(platform.deps.db, campusDay(new Date()), { limit: 1000 });
    expect(entries.filter((e) => e.action === 'refund.duplicate_charge' && e.target === `account:${account.accountNo}`)).toHaveLength(1);
  });
});

describe('the audit after refunds', () => {
  it('is clean, and `npm run audit` exits 0', async () => {
    const report = await auditLedger(platform.deps.db);
    expect(report.findings).toEqual([]);
    expect(report.complete).toBe(true);
    const { stdout } = await promisify(execFile)('npm', ['run', 'audit', '--silent'], { cwd: PROJECT_ROOT, env: { ...process.env, TABLE_NAME: platform.tableName } });
    expect(stdout).toContain(`${report.accountsChecked} accounts, ${report.entriesChecked} ledger entries, 0 differences`);
  }, 120_000);
});
