/**
 * GET /v1/pos/day over HTTP on DynamoDB Local: the sales a terminal took today, newest first, with
 * the refunds made of them and the day's totals; another terminal's sales (same merchant or not) and
 * another day's are not in it.
 */
import { describe, expect, it } from 'vitest';
import { system } from '../../functions/domain/chart';
import { fingerprint } from '../../functions/domain/fingerprint';
import { chargeAtTerminal } from '../../functions/services/charge';
import { terminalDay } from '../../functions/services/pos-day';
import { createMovementStore } from '../../functions/store/movements';
import { postSystemEntry } from '../../functions/store/system-entries';
import { createTestAccount, createTestTerminal, terminalFetch, testChipUid } from '../helpers/fixtures';
import { bindPhone } from '../helpers/phone';
import { useTestPlatform } from '../helpers/platform';

const platform = useTestPlatform({ http: true });

const charge = async (terminal: Awaited<ReturnType<typeof createTestTerminal>>, accountNo: string, posTxnId: string, amountFen: number) => {
  const res = await terminalFetch(platform.url, terminal, 'POST', '/v1/pos/charges', { posTxnId, chipUid: await testChipUid(platform.deps, accountNo), amountFen });
  expect(res.status, JSON.stringify(res.body)).toBe(200);
  return res.body as { receiptNo: string; postedAt: string };
};

describe('the terminal’s day', () => {
  it('lists only this terminal’s sales of today, newest first, with refunds and totals', async () => {
    const merchantId = `MDAY${process.pid}`;
    const [till1, till2, elsewhere] = await Promise.all([createTestTerminal(platform.deps, { merchantId }), createTestTerminal(platform.deps, { merchantId }), createTestTerminal(platform.deps, { merchantId: `${merchantId}B` })]);
    const zhang = await createTestAccount(platform.deps, { balanceFen: 50_000, holderName: '张三明' });
    const li = await createTestAccount(platform.deps, { balanceFen: 50_000, holderName: '李四' });

    // Yesterday, at till 1: a sale of another day (posted with yesterday's clock).
    const yesterday = () => new Date(Date.now() - 24 * 3600_000);
    const past = { db: platform.deps.db, clock: yesterday, movements: createMovementStore(platform.deps.db, yesterday) };
    await chargeAtTerminal(past, till1, { posTxnId: 'y-1', chipUid: await testChipUid(platform.deps, zhang.accountNo), amountFen: 999 });

    const first = await charge(till1, zhang.accountNo, 't1-1', 1_250);
    const second = await charge(till1, li.accountNo, 't1-2', 800);
    await charge(till2, zhang.accountNo, 't2-1', 3_000);
    await charge(elsewhere, li.accountNo, 'e-1', 4_000);
    // A WeChat Pay payment-code sale booked to till 1 (the clearing → payable entry the payment-code service posts).
    const wechat = await postSystemEntry(platform.deps, {
      idempotencyKey: `paycode#${till1.terminalId}#pc-1`,
      fingerprint: fingerprint({ type: 'payment_code_sale', pc: 'pc-1' }),
      entry: {
        type: 'payment_code_sale',
        transfers: [{ debit: system.clearing('wechat'), credit: system.merchantPayable(merchantId), amountFen: 1_500 }],
        externalRef: 'pc-1',
        merchantId,
        terminalId: till1.terminalId,
        platformTxnId: 'wx-1',
        paidAt: new Date().toISOString(),
        orderId: 'order-pc-1',
      },
    });
    // Two partial refunds of the first sale at its own till.
    for (const [refundId, amountFen] of [['r-1', 250], ['r-2', 100]] as const) {
      const refund = await terminalFetch(platform.url, till1, 'POST', '/v1/pos/refunds', { refundId, receiptNo: first.receiptNo, amountFen });
      expect(refund.status, JSON.stringify(refund.body)).toBe(200);
    }

    const day = await terminalFetch(platform.url, till1, 'GET', '/v1/pos/day', undefined);
    expect(day.status, JSON.stringify(day.body)).toBe(200);
    expect(day.body.terminalId).toBe(till1.terminalId);
    expect(day.body.truncated).toBe(false);
    expect(day.body.sales).toEqual([
      { receiptNo: wechat.entry.entryId, posTxnId: 'pc-1', postedAt: wechat.entry.createdAt, amountFen: 1_500, method: 'wechat', refundedFen: 0 },
      { receiptNo: second.receiptNo, posTxnId: 't1-2', postedAt: second.postedAt, amountFen: 800, method: 'card', holderDisplayName: '*四', refundedFen: 0 },
      { receiptNo: first.receiptNo, posTxnId: 't1-1', postedAt: first.postedAt, amountFen: 1_250, method: 'card', holderDisplayName: '张*明', refundedFen: 350 },
    ]);
    const none = { count: 0, amountFen: 0, refundedFen: 0 };
    expect(day.body.totals).toEqual({
      count: 3,
      amountFen: 3_550,
      refundedFen: 350,
      byMethod: { card: { count: 2, amountFen: 2_050, refundedFen: 350 }, qr: none, wechat: { count: 1, amountFen: 1_500, refundedFen: 0 }, alipay: none },
    });

    // Till 2 of the same merchant sees its own sale only; the other merchant's till its own.
    const other = await terminalFetch(platform.url, till2, 'GET', '/v1/pos/day', undefined);
    expect(other.body.sales.map((s: { posTxnId: string }) => s.posTxnId)).toEqual(['t2-1']);
    expect(other.body.totals).toMatchObject({ count: 1, amountFen: 3_000, refundedFen: 0 });
    expect((await terminalFetch(platform.url, elsewhere, 'GET', '/v1/pos/day', undefined)).body.sales.map((s: { posTxnId: string }) => s.posTxnId)).toEqual(['e-1']);

    // Yesterday's day holds yesterday's sale only; tomorrow's holds nothing yet.
    const before = await terminalDay({ db: platform.deps.db, clock: yesterday }, till1);
    expect(before.sales.map((s) => [s.posTxnId, s.amountFen])).toEqual([['y-1', 999]]);
    const tomorrow = await terminalDay({ db: platform.deps.db, clock: () => new Date(Date.now() + 24 * 3600_000) }, till1);
    expect(tomorrow).toMatchObject({ sales: [], totals: { count: 0, amountFen: 0, refundedFen: 0 } });
  });

  it('shows QR payments, online and uploaded from offline, by their method', async () => {
    const till = await createTestTerminal(platform.deps, { merchantId: `MQR${process.pid}` });
    const account = await createTestAccount(platform.deps, { balanceFen: 10_000, holderName: '王小二' });
    const phone = await bindPhone(platform.url, account.accountNo);
    const online = await terminalFetch(platform.url, till, 'POST', '/v1/pos/qr-payments', { posTxnId: 'qr-1', token: phone.code(), amountFen: 600 });
    expect(online.status, JSON.stringify(online.body)).toBe(200);
    const at = new Date(Date.now() - 5 * 60_000);
    const upload = await terminalFetch(platform.url, till, 'POST', '/v1/pos/offline-uploads', { records: [{ recordId: 'off-1', occurredAt: at.toISOString(), amountFen: 400, method: 'qr', token: phone.code({ at }) }] });
    expect(upload.body.results[0].outcome, JSON.stringify(upload.body)).toBe('applied');
    const day = await terminalFetch(platform.url, till, 'GET', '/v1/pos/day', undefined);
    expect(day.body.sales.map((s: any) => [s.posTxnId, s.method, s.offline, s.holderDisplayName])).toEqual([
      ['off-1', 'qr', true, '王*二'],
      ['qr-1', 'qr', undefined, '王*二'],
    ]);
    expect(day.body.totals.byMethod.qr).toEqual({ count: 2, amountFen: 1_000, refundedFen: 0 });
  });

  it('answers an empty day for a terminal that sold nothing', async () => {
    const idle = await createTestTerminal(platform.deps, { merchantId: `MIDLE${process.pid}` });
    const day = await terminalFetch(platform.url, idle, 'GET', '/v1/pos/day', undefined);
    expect(day.status).toBe(200);
    expect(day.body).toMatchObject({ sales: [], truncated: false, totals: { count: 0, amountFen: 0, refundedFen: 0 } });
  });
});
