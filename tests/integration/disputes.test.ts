/**
 * Online disputes (issue 18, item 4) on DynamoDB Local over HTTP: the holder disputes a payment of
 * their own from its receipt (someone else's receipt, a top-up, an old or refunded payment: refused,
 * nothing written), concurrent raises make one dispute, and the card centre refunds it out of the
 * merchant's payable (once however often it is asked, never above the payment) or refuses it, each in
 * the action log; the holder follows it; the roles hold; the audit stays clean.
 */
import { GetCommand } from '@aws-sdk/lib-dynamodb';
import { beforeAll, describe, expect, it } from 'vitest';
import type { Deps } from '../../functions/deps';
import { campusDay } from '../../functions/domain/campus-day';
import { system } from '../../functions/domain/chart';
import type { Terminal } from '../../functions/domain/merchant';
import { DEFAULT_POLICY } from '../../functions/domain/policy';
import { auditLedger } from '../../functions/services/audit';
import { chargeAtTerminal } from '../../functions/services/charge';
import { createStaffMember } from '../../functions/services/admin/sessions';
import { topUp } from '../../functions/services/movements';
import { refundAtTerminal } from '../../functions/services/refunds';
import { getAccount } from '../../functions/store/accounts';
import { listActionLogDay } from '../../functions/store/action-log';
import { keys } from '../../functions/store/keys';
import { createMovementStore } from '../../functions/store/movements';
import { putPolicy } from '../../functions/store/policy';
import { systemAccountEntries } from '../../functions/store/system-accounts';
import { createTestAccount, createTestTerminal, ledgerOf, testChipUid } from '../helpers/fixtures';
import { holderToken } from '../helpers/phone';
import { useTestPlatform } from '../helpers/platform';

const platform = useTestPlatform({ http: true });
const STAFF = {
  operator: { username: 'op.dispute', password: 'dispute operator 2026', role: 'operator' as const },
  finance: { username: 'fin.dispute', password: 'dispute finance 2026', role: 'finance' as const },
  auditor: { username: 'aud.dispute', password: 'dispute auditor 2026', role: 'auditor' as const },
};
const tokens: Record<keyof typeof STAFF, string> = { operator: '', finance: '', auditor: '' };
let till: Terminal;

beforeAll(async () => {
  for (const [key, member] of Object.entries(STAFF) as [keyof typeof STAFF, (typeof STAFF)[keyof typeof STAFF]][]) {
    await createStaffMember(platform.deps, member);
    tokens[key] = (await platform.request('POST', '/v1/admin/sessions', { body: { username: member.username, password: member.password } })).body.token;
  }
  till = await createTestTerminal(platform.deps, { merchantId: 'MDISPUTE' });
});

let seq = 0;
const id = (prefix: string) => `${prefix}-${process.pid}-${++seq}`;

async function holder(balanceFen = 20_000): Promise<{ accountNo: string; token: string }> {
  const account = await createTestAccount(platform.deps, { balanceFen, dailyLimitFen: 60_000 });
  return { accountNo: account.accountNo, token: await holderToken(account.accountNo) };
}

/** A card charge at the till (optionally on another day's clock): its receipt. */
async function charge(accountNo: string, amountFen: number, deps: Pick<Deps, 'db' | 'clock' | 'movements'> = platform.deps): Promise<string> {
  const chipUid = await testChipUid(platform.deps, accountNo);
  return (await chargeAtTerminal(deps, till, { posTxnId: id('txn'), chipUid, amountFen })).receiptNo;
}

function daysAgo(days: number): Pick<Deps, 'db' | 'clock' | 'movements'> {
  const clock = () => new Date(Date.now() - days * 86_400_000);
  return { db: platform.deps.db, clock, movements: createMovementStore(platform.deps.db, clock) };
}

const raise = (token: string, body: unknown) => platform.request('POST', '/v1/holder/disputes', { token, body });
const refund = (who: keyof typeof STAFF, receiptNo: string, body: unknown) => platform.request('POST', `/v1/admin/disputes/${receiptNo}/refund`, { token: tokens[who], body });
const refuse = (who: keyof typeof STAFF, receiptNo: string, body: unknown) => platform.request('POST', `/v1/admin/disputes/${receiptNo}/refusal`, { token: tokens[who], body });

async function disputeItem(receiptNo: string) {
  const { Item } = await platform.deps.db.doc.send(new GetCommand({ TableName: platform.tableName, Key: keys.dispute(receiptNo), ConsistentRead: true }));
  return Item;
}

async function balance(accountNo: string): Promise<number> {
  return (await getAccount(platform.deps.db, accountNo))!.balanceFen;
}

async function actions(action: string, receiptNo: string) {
  const { entries } = await listActionLogDay(platform.deps.db, campusDay(new Date()), { limit: 1000 });
  return entries.filter((entry) => entry.action === action && entry.details.receiptNo === receiptNo);
}

describe('the holder disputes a payment', () => {
  it('raises a dispute on their own payment, sees it in the list and by receipt; the card centre sees the merchant and terminal', async () => {
    const { accountNo, token } = await holder();
    const receiptNo = await charge(accountNo, 1_250);
    const raised = await raise(token, { receiptNo, reason: 'wrong_amount', description: '  只买了一份饭，扣了两份的钱  ' });
    expect(raised.status).toBe(201);
    expect(raised.body).toMatchObject({ receiptNo, status: 'submitted', reason: 'wrong_amount', description: '只买了一份饭，扣了两份的钱', amountFen: 1_250, merchantName: '测试食堂' });
    expect(raised.body.resolvedBy).toBeUndefined();

    expect((await platform.request('GET', '/v1/holder/disputes', { token })).body.disputes.map((d: any) => d.receiptNo)).toEqual([receiptNo]);
    expect((await platform.request('GET', `/v1/holder/disputes/${receiptNo}`, { token })).body.status).toBe('submitted');

    const open = await platform.request('GET', '/v1/admin/disputes?state=open&limit=100', { token: tokens.operator });
    expect(open.status).toBe(200);
    expect(open.body.openCount).toBeGreaterThanOrEqual(1);
    expect(open.body.disputes.find((d: any) => d.receiptNo === receiptNo)).toMatchObject({ accountNo, merchantId: 'MDISPUTE', terminalId: till.terminalId, terminalPlace: '测试窗口', status: 'submitted' });
    // The reconciliation queue counts them too (they are decided on their own screen).
    const queue = await platform.request('GET', '/v1/admin/reconciliation-queue', { token: tokens.operator });
    expect(queue.body.openDisputes).toBe(open.body.openCount);
  });

  it('the same raise again answers the dispute it made; another raise on the same payment is DISPUTE_EXISTS', async () => {
    const { accountNo, token } = await holder();
    const receiptNo = await charge(accountNo, 800);
    const body = { receiptNo, reason: 'charged_twice', description: '同一笔扣了两次' };
    expect((await raise(token, body)).status).toBe(201);
    const again = await raise(token, body);
    expect(again.status).toBe(201);
    expect(again.body.createdAt).toBeDefined();
    const other = await raise(token, { ...body, reason: 'other' });
    expect(other.status).toBe(409);
    expect(other.body).toMatchObject({ code: 'DISPUTE_EXISTS', message: { zh: '该笔交易已提出过争议' } });
  });

  it('concurrent raises of one payment make one dispute', async () => {
    const { accountNo, token } = await holder();
    const receiptNo = await charge(accountNo, 900);
    const answers = await Promise.all(
      (['charged_twice', 'wrong_amount', 'not_received', 'not_me', 'other', 'charged_twice', 'wrong_amount', 'other'] as const).map((reason, i) =>
        raise(token, { receiptNo, reason, description: `第 ${i} 次提交` }),
      ),
    );
    const made = answers.filter((answer) => answer.status === 201);
    expect(made).toHaveLength(1);
    expect(answers.filter((answer) => answer.status === 409).every((answer) => answer.body.code === 'DISPUTE_EXISTS')).toBe(true);
    const stored = await disputeItem(receiptNo);
    expect(stored).toMatchObject({ reason: made[0]!.body.reason, description: made[0]!.body.description });
    expect((await platform.request('GET', '/v1/holder/disputes', { token })).body.disputes).toHaveLength(1);
  });

  it('refuses what may not be disputed, and writes nothing', async () => {
    const { accountNo, token } = await holder();
    const other = await holder();
    const othersReceipt = await charge(other.accountNo, 500);
    const old = await charge(accountNo, 300, daysAgo(DEFAULT_POLICY.disputeWindowDays + 2));
    const topupReceipt = (await topUp(platform.deps, { accountNo, amountFen: 1_000, channel: 'counter', externalRef: id('cash') })).entry.receiptNo;
    const refunded = await charge(accountNo, 700);
    await refundAtTerminal(platform.deps, till, { refundId: id('r'), receiptNo: refunded, amountFen: 100 });
    const mine = await charge(accountNo, 400);

    const cases: [string, unknown, number, string][] = [
      ["someone else's payment", { receiptNo: othersReceipt, reason: 'not_me', description: '不是我买的' }, 404, 'RECEIPT_NOT_FOUND'],
      ['a top-up', { receiptNo: topupReceipt, reason: 'other', description: '充值有问题' }, 409, 'DISPUTE_NOT_A_PAYMENT'],
      ['a payment past the window', { receiptNo: old, reason: 'wrong_amount', description: '很久以前的' }, 409, 'DISPUTE_WINDOW_PASSED'],
      ['a payment already refunded (in part)', { receiptNo: refunded, reason: 'wrong_amount', description: '退了一部分' }, 409, 'DISPUTE_ENTRY_REFUNDED'],
      ['no such receipt', { receiptNo: '01ARZ3NDEKTSV4RRFFQ69G5FAV', reason: 'other', description: '不存在' }, 404, 'RECEIPT_NOT_FOUND'],
      ['an unknown reason', { receiptNo: mine, reason: 'bored', description: '原因不对' }, 400, 'VALIDATION_FAILED'],
      ['a description of blanks', { receiptNo: mine, reason: 'other', description: '    ' }, 400, 'VALIDATION_FAILED'],
      ['a description too long', { receiptNo: mine, reason: 'other', description: '长'.repeat(201) }, 400, 'VALIDATION_FAILED'],
      ['an extra field', { receiptNo: mine, reason: 'other', description: '多了字段', amountFen: 1 }, 400, 'VALIDATION_FAILED'],
    ];
    for (const [what, body, status, code] of cases) {
      const answer = await raise(token, body);
      expect([what, answer.status, answer.body.code]).toEqual([what, status, code]);
      expect(answer.body.message.zh).toBeTruthy();
    }
    expect((await raise(token, { receiptNo: old, reason: 'wrong_amount', description: '很久以前的' })).body.params).toEqual({ days: DEFAULT_POLICY.disputeWindowDays });
    for (const receiptNo of [othersReceipt, old, topupReceipt, refunded, mine]) expect(await disputeItem(receiptNo)).toBeUndefined();
    expect((await platform.request('GET', '/v1/holder/disputes', { token })).body.disputes).toEqual([]);
    // Another holder's dispute is not found by this one either.
    expect((await raise(other.token, { receiptNo: othersReceipt, reason: 'not_me', description: '不是我' })).status).toBe(201);
    expect((await platform.request('GET', `/v1/holder/disputes/${othersReceipt}`, { token })).body.code).toBe('DISPUTE_NOT_FOUND');
  });

  it('the window is the policy store’s: a campus with 60 days takes a payment of 40 days ago', async () => {
    const { accountNo, token } = await holder();
    const old = await charge(accountNo, 300, daysAgo(40));
    await putPolicy(platform.deps.db, { ...DEFAULT_POLICY, disputeWindowDays: 60 }, 'test', new Date());
    try {
      expect((await raise(token, { receiptNo: old, reason: 'wrong_amount', description: '四十天前的' })).status).toBe(201);
    } finally {
      await putPolicy(platform.deps.db, DEFAULT_POLICY, 'test', new Date());
    }
  });
});

describe('the card centre resolves it', () => {
  async function disputed(amountFen: number) {
    const h = await holder();
    const receiptNo = await charge(h.accountNo, amountFen);
    expect((await raise(h.token, { receiptNo, reason: 'not_received', description: '没有拿到东西' })).status).toBe(201);
    return { ...h, receiptNo };
  }

  it('refunds it as a merchant adjustment, once however often (and however concurrently) it is asked; the holder sees the outcome', async () => {
    const { accountNo, token, receiptNo } = await disputed(1_500);
    const before = await balance(accountNo);
    const answers = await Promise.all([1, 2, 3, 4].map(() => refund('operator', receiptNo, { reason: '商户确认未出餐' })));
    expect(answers.map((a) => a.status)).toEqual([200, 200, 200, 200]);
    expect(answers.filter((a) => !a.body.replayed)).toHaveLength(1);
    const refundReceiptNo = answers[0]!.body.refund.refundReceiptNo;
    expect(answers.every((a) => a.body.refund.refundReceiptNo === refundReceiptNo && a.body.refund.amountFen === 1_500)).toBe(true);
    expect(await balance(accountNo)).toBe(before + 1_500);

    const again = await refund('finance', receiptNo, { reason: '再点一次' });
    expect(again.status).toBe(200);
    expect(again.body.replayed).toBe(true);
    expect(await balance(accountNo)).toBe(before + 1_500);

    const refunds = (await ledgerOf(platform.deps, accountNo)).filter((entry) => entry.type === 'refund');
    expect(refunds).toHaveLength(1);
    expect(refunds[0]).toMatchObject({ refundOf: receiptNo, refundCause: 'dispute', merchantId: 'MDISPUTE', amountFen: 1_500, operator: STAFF.operator.username });
    expect(refunds[0]!.transfers).toEqual([{ debit: system.merchantPayable('MDISPUTE'), credit: `holder:${accountNo}:balance`, amountFen: 1_500 }]);
    const payable = await systemAccountEntries(platform.deps.db, system.merchantPayable('MDISPUTE'), campusDay(new Date()));
    expect(payable.some((entry) => entry.entryId === refundReceiptNo)).toBe(true);

    expect(await actions('dispute.refund', receiptNo)).toHaveLength(1);
    expect((await actions('dispute.refund', receiptNo))[0]).toMatchObject({ who: STAFF.operator.username, reason: '商户确认未出餐', target: `account:${accountNo}` });

    const seen = (await platform.request('GET', `/v1/holder/disputes/${receiptNo}`, { token })).body;
    expect(seen).toMatchObject({ status: 'refunded', refundFen: 1_500, refundReceiptNo, resolution: '商户确认未出餐' });
    expect(seen.resolvedBy).toBeUndefined();
    const resolved = await platform.request('GET', '/v1/admin/disputes?state=resolved&limit=100', { token: tokens.finance });
    expect(resolved.body.disputes.find((d: any) => d.receiptNo === receiptNo)).toMatchObject({ status: 'refunded', resolvedBy: STAFF.operator.username });
    const open = await platform.request('GET', '/v1/admin/disputes?state=open&limit=100', { token: tokens.finance });
    expect(open.body.disputes.some((d: any) => d.receiptNo === receiptNo)).toBe(false);

    // Decided: refusing it now is refused, and so is a refund of another amount.
    expect((await refuse('operator', receiptNo, { reason: '改为拒绝' })).body.code).toBe('DISPUTE_ALREADY_RESOLVED');
    expect((await refund('operator', receiptNo, { amountFen: 100, reason: '再退一点' })).body.code).toBe('DISPUTE_ALREADY_RESOLVED');
    expect(await balance(accountNo)).toBe(before + 1_500);
  });

  it('a part of the payment; more than the payment is refused and changes nothing', async () => {
    const { accountNo, receiptNo } = await disputed(2_000);
    const before = await balance(accountNo);
    const tooMuch = await refund('operator', receiptNo, { amountFen: 2_001, reason: '退多了' });
    expect(tooMuch.status).toBe(409);
    expect(tooMuch.body.code).toBe('REFUND_EXCEEDS_PURCHASE');
    for (const amountFen of [0, -5, 1.5, '100']) expect((await refund('operator', receiptNo, { amountFen, reason: '金额不对' })).body.code).toBe('VALIDATION_FAILED');
    expect((await refund('operator', receiptNo, { amountFen: 500, reason: 'x' })).body.code).toBe('VALIDATION_FAILED');
    expect(await balance(accountNo)).toBe(before);
    expect((await disputeItem(receiptNo))!.status).toBe('submitted');
    expect(await actions('dispute.refund', receiptNo)).toEqual([]);

    const part = await refund('operator', receiptNo, { amountFen: 500, reason: '部分退款' });
    expect(part.status).toBe(200);
    expect(part.body.dispute).toMatchObject({ status: 'refunded', refundFen: 500 });
    expect(await balance(accountNo)).toBe(before + 500);
  });

  it('refuses it with a reason the holder reads; concurrent refusals make one, and a refund after it is refused', async () => {
    const { accountNo, token, receiptNo } = await disputed(600);
    const before = await balance(accountNo);
    const answers = await Promise.all([1, 2, 3].map(() => refuse('finance', receiptNo, { reason: '监控显示已取餐' })));
    expect(answers.map((a) => a.status)).toEqual([200, 200, 200]);
    expect(answers.filter((a) => !a.body.replayed)).toHaveLength(1);
    expect(await actions('dispute.refuse', receiptNo)).toHaveLength(1);
    expect((await platform.request('GET', `/v1/holder/disputes/${receiptNo}`, { token })).body).toMatchObject({ status: 'refused', resolution: '监控显示已取餐' });
    expect((await refund('operator', receiptNo, { reason: '还是退吧' })).body.code).toBe('DISPUTE_ALREADY_RESOLVED');
    expect(await balance(accountNo)).toBe(before);
    expect((await ledgerOf(platform.deps, accountNo)).some((entry) => entry.type === 'refund')).toBe(false);
  });

  it('a refund and a refusal at once: exactly one decision stands', async () => {
    const { accountNo, receiptNo } = await disputed(700);
    const before = await balance(accountNo);
    const [refunded, refused] = await Promise.all([refund('operator', receiptNo, { reason: '同意退款' }), refuse('finance', receiptNo, { reason: '不同意退款' })]);
    expect([refunded.status, refused.status].sort()).toEqual([200, 409]);
    const stored = await disputeItem(receiptNo);
    if (refunded.status === 200) {
      expect(stored!.status).toBe('refunded');
      expect(await balance(accountNo)).toBe(before + 700);
    } else {
      expect(stored!.status).toBe('refused');
      expect(await balance(accountNo)).toBe(before);
    }
  });

  it('roles: the auditor reads the list but may not decide; nothing is written', async () => {
    const { accountNo, receiptNo } = await disputed(300);
    const before = await balance(accountNo);
    expect((await platform.request('GET', '/v1/admin/disputes', { token: tokens.auditor })).status).toBe(200);
    expect((await refund('auditor', receiptNo, { reason: '审计员退款' })).body.code).toBe('FORBIDDEN');
    expect((await refuse('auditor', receiptNo, { reason: '审计员拒绝' })).body.code).toBe('FORBIDDEN');
    // A holder's session is not a staff session.
    const { token } = await holder();
    expect((await platform.request('POST', `/v1/admin/disputes/${receiptNo}/refusal`, { token, body: { reason: '持卡人自己' } })).status).toBe(401);
    expect((await disputeItem(receiptNo))!.status).toBe('submitted');
    expect(await balance(accountNo)).toBe(before);
    expect((await refund('operator', '01ARZ3NDEKTSV4RRFFQ69G5FAV', { reason: '不存在的' })).body.code).toBe('DISPUTE_NOT_FOUND');
  });

  it('the open list pages oldest first; the audit is clean', async () => {
    const first = await platform.request('GET', '/v1/admin/disputes?state=open&limit=1', { token: tokens.operator });
    expect(first.body.disputes).toHaveLength(1);
    if (first.body.openCount > 1) {
      const second = await platform.request('GET', `/v1/admin/disputes?state=open&limit=1&cursor=${encodeURIComponent(first.body.nextCursor)}`, { token: tokens.operator });
      expect(second.body.disputes[0].createdAt >= first.body.disputes[0].createdAt).toBe(true);
      expect(second.body.disputes[0].receiptNo).not.toBe(first.body.disputes[0].receiptNo);
    }
    expect((await platform.request('GET', '/v1/admin/disputes?state=maybe', { token: tokens.operator })).body.code).toBe('VALIDATION_FAILED');
    const report = await auditLedger(platform.deps.db);
    expect(report.findings).toEqual([]);
  });
});
