/** The daily bill against our orders (pure), and reading the platforms' bill files with their quirks. */
import { zipSync } from 'fflate';
import iconv from 'iconv-lite';
import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { billDayFor, compareBill, creditsOfDay, type BillRecords, type LedgerCredit } from '../../functions/domain/bill-reconciliation';
import { loadServerlessConfig, PROJECT_ROOT } from '../../functions/local/serverless-config';
import type { TopupOrder } from '../../functions/domain/topup';
import type { LedgerEntry } from '../../functions/domain/ledger';
import { ALIPAY_BILL_DETAIL_HEADER, ALIPAY_BILL_DETAIL_TITLE, parseAlipayTradeBill } from '../../functions/payments/alipay-bill';
import { BillUnreadable, type BillRow } from '../../functions/payments/channel';
import { parseWechatTradeBill, WECHAT_BILL_DETAIL_HEADER, WECHAT_BILL_SUMMARY_HEADER } from '../../functions/payments/wechat-bill';

const order = (orderId: string, fields: Partial<TopupOrder> = {}): TopupOrder => ({
  orderId,
  accountNo: '100001',
  channel: 'wechat',
  amountFen: 5_000,
  purse: 'balance',
  status: 'paid',
  pendingKind: 'topup_order',
  state: 'posted',
  transfer: { debit: 'clearing:wechat', credit: 'holder:100001:balance', amountFen: 5_000 },
  payerId: 'o1',
  createdAt: '2026-11-30T02:00:00.000Z',
  payBy: '2026-11-30T02:15:00.000Z',
  timeoutAt: '2026-11-30T02:15:00.000Z',
  platformTxnId: `TX${orderId}`,
  paidAt: '2026-11-30T10:00:05+08:00',
  receiptNo: '01JZZZZZZZZZZZZZZZZZZZZZZZ',
  ...fields,
});
const payment = (outTradeNo: string, fields: Partial<BillRow> = {}): BillRow => ({
  channel: 'wechat',
  platformTxnId: `TX${outTradeNo}`,
  outTradeNo,
  kind: 'payment',
  amountFen: 5_000,
  at: '2026-11-30T10:00:05+08:00',
  ...fields,
});

/** What the ledger credited from the clearing account for the bill's day: by default, every paid order's credit. */
const creditOf = (o: TopupOrder): LedgerCredit => ({ platformTxnId: o.platformTxnId!, orderId: o.orderId, amountFen: o.amountFen, accountNo: o.accountNo, receiptNo: o.receiptNo ?? '?' });
function compare(rows: BillRow[], orders: TopupOrder[], creditedThatDay = orders.filter((o) => o.status === 'paid').map(creditOf)) {
  const records: BillRecords = { channel: 'wechat', rows, orders: new Map(orders.map((o) => [o.orderId, o])), creditedThatDay };
  return compareBill(records);
}

describe('creditsOfDay', () => {
  it('takes the clearing account’s credits of payments made that day, by the payer’s time, whatever day they were credited', () => {
    const entry = (id: string, fields: Partial<LedgerEntry>) => ({ type: 'topup' as const, externalRef: `TX${id}`, amountFen: 100, accountNo: '1', receiptNo: id, createdAt: '2026-11-30T04:00:00.000Z', ...fields });
    const credits = creditsOfDay(
      [
        entry('a', {}),
        // Paid at 23:59:59 Beijing, credited after midnight: the bill of the 30th has it.
        entry('b', { paidAt: '2026-11-30T23:59:59+08:00', createdAt: '2026-11-30T16:00:02.000Z' }),
        entry('c', { paidAt: '2026-12-01T00:00:01+08:00', createdAt: '2026-11-30T16:00:02.000Z' }),
        entry('d', { type: 'transitional_credit' }),
        entry('e', { type: 'purchase' }),
      ] as Parameters<typeof creditsOfDay>[0],
      '2026-11-30',
    );
    expect(credits.map((c) => c.receiptNo)).toEqual(['a', 'b', 'd']);
  });
});

describe('compareBill', () => {
  it.each([
    { name: 'a credited payment in the bill matches', rows: [payment('A')], orders: [order('A')], matched: 1, credits: [], findings: [] },
    {
      name: 'a paid order we never credited is credited, with the bill’s time',
      rows: [payment('A')],
      orders: [order('A', { status: 'pending', platformTxnId: undefined, paidAt: undefined })],
      matched: 0,
      credits: [{ orderId: 'A', platformTxnId: 'TXA', amountFen: 5_000, paidAt: '2026-11-30T10:00:05+08:00' }],
      findings: [],
    },
    { name: 'a closed order the bill says was paid is credited too', rows: [payment('A')], orders: [order('A', { status: 'closed', platformTxnId: undefined })], matched: 0, credits: [expect.objectContaining({ orderId: 'A' })], findings: [] },
    { name: 'credited but absent from the bill', rows: [], orders: [order('A')], matched: 0, credits: [], findings: [{ kind: 'missing_from_bill', ref: 'TXA', orderId: 'A', oursFen: 5_000 }] },
    {
      name: 'the ledger credited another amount than the bill paid (the order agrees with the bill)',
      rows: [payment('A')],
      orders: [order('A')],
      creditedThatDay: [{ platformTxnId: 'TXA', amountFen: 4_000, accountNo: '100001', receiptNo: 'R1' }],
      matched: 1,
      credits: [],
      findings: [{ kind: 'amount_mismatch', ref: 'TXA', billFen: 5_000, oursFen: 4_000 }],
    },
    { name: 'a payment with no order of ours', rows: [payment('X')], orders: [], matched: 0, credits: [], findings: [{ kind: 'unknown_payment', ref: 'TXX', billFen: 5_000 }] },
    { name: 'an order of the other channel is not ours here', rows: [payment('A')], orders: [order('A', { channel: 'alipay' })], creditedThatDay: [], matched: 0, credits: [], findings: [{ kind: 'unknown_payment', ref: 'TXA' }] },
    { name: 'a second payment under a paid order', rows: [payment('A'), payment('A', { platformTxnId: 'TXOTHER' })], orders: [order('A')], matched: 1, credits: [], findings: [{ kind: 'unknown_payment', ref: 'TXOTHER', orderId: 'A' }] },
    { name: 'amounts differ on a credited order', rows: [payment('A', { amountFen: 4_999 })], orders: [order('A')], matched: 0, credits: [], findings: [{ kind: 'amount_mismatch', ref: 'TXA', billFen: 4_999, oursFen: 5_000 }] },
    {
      name: 'amounts differ on an order never credited: a finding, not a credit',
      rows: [payment('A', { amountFen: 4_999 })],
      orders: [order('A', { status: 'pending', platformTxnId: undefined })],
      matched: 0,
      credits: [],
      findings: [{ kind: 'amount_mismatch', billFen: 4_999, oursFen: 5_000 }],
    },
    {
      name: 'a payment being given back matches on what was paid',
      rows: [payment('A', { amountFen: 2_999 })],
      orders: [order('A', { amountFen: 3_000, status: 'refund_pending', refund: { refundId: 'RA', amountFen: 2_999, reason: 'PAYMENT_AMOUNT_MISMATCH', requestedAt: '2026-11-30T02:00:09.000Z' } })],
      matched: 1,
      credits: [],
      findings: [],
    },
    {
      name: 'our refund in the bill matches',
      rows: [payment('A', { kind: 'refund', refundId: 'RA' })],
      orders: [order('A', { status: 'refunded', refund: { refundId: 'RA', amountFen: 5_000, reason: 'CARD_CANCELLED', requestedAt: '2026-11-30T02:00:09.000Z' } })],
      matched: 1,
      credits: [],
      findings: [],
    },
    { name: 'a refund we never asked for', rows: [payment('A', { kind: 'refund', refundId: 'R9' })], orders: [order('A')], creditedThatDay: [], matched: 0, credits: [], findings: [{ kind: 'unknown_refund', ref: 'TXA/R9', orderId: 'A' }] },
    { name: 'a row the bill repeats is counted once', rows: [payment('A'), payment('A'), payment('A')], orders: [order('A')], matched: 1, credits: [], findings: [], duplicates: 2 },
    {
      name: 'a repeated uncredited payment is credited once',
      rows: [payment('A'), payment('A')],
      orders: [order('A', { status: 'pending', platformTxnId: undefined })],
      matched: 0,
      credits: [expect.objectContaining({ orderId: 'A' })],
      findings: [],
      duplicates: 1,
    },
  ])('$name', ({ rows, orders, creditedThatDay, matched, credits, findings, duplicates }) => {
    const result = compare(rows, orders, creditedThatDay);
    expect(result.matched).toBe(matched);
    expect(result.credits).toEqual(credits);
    expect(result.findings).toEqual(findings.map((f) => expect.objectContaining({ channel: 'wechat', ...f })));
    expect(result.duplicates).toBe(duplicates ?? 0);
  });
});

const backquoted = (fields: string[]) => fields.map((field) => `\`${field}`).join(',');
function wechatFile(rows: string[][], summaryCount = rows.length): Uint8Array {
  return new TextEncoder().encode(
    [WECHAT_BILL_DETAIL_HEADER.join(','), ...rows.map(backquoted), WECHAT_BILL_SUMMARY_HEADER.join(','), backquoted([String(summaryCount), '50.00', '0.00', '0.00', '0.30', '50.00', '0.00'])].join('\r\n'),
  );
}
function wechatRow(state: 'SUCCESS' | 'REFUND', fields: { txn: string; order: string; paid: string; refund?: string; refundNo?: string; name?: string }): string[] {
  const refund = state === 'REFUND';
  return [
    '2026-11-30 10:00:05', 'wx1', '1900000001', '0', '', fields.txn, fields.order, 'o1', 'JSAPI', state, 'OTHERS', 'CNY', fields.paid, '0.00',
    refund ? '50300000001' : '0', refund ? fields.refundNo ?? '' : '0', refund ? fields.refund ?? '' : '0.00', '0.00', refund ? 'ORIGINAL' : '', refund ? 'SUCCESS' : '',
    fields.name ?? '校园卡充值 50.00 元', '', '0.30', '0.60%', fields.paid, refund ? fields.refund ?? '' : '0.00', '',
  ];
}

describe('WeChat trade bill', () => {
  it('strips the backquote of every field and reads payments and refunds', () => {
    const rows = parseWechatTradeBill(
      wechatFile([
        wechatRow('SUCCESS', { txn: '4200000001', order: 'T01', paid: '50.00' }),
        wechatRow('REFUND', { txn: '4200000002', order: 'T02', paid: '12.00', refund: '12.00', refundNo: 'RT02' }),
      ]),
    );
    expect(rows).toEqual([
      { channel: 'wechat', platformTxnId: '4200000001', outTradeNo: 'T01', kind: 'payment', amountFen: 5_000, at: '2026-11-30T10:00:05+08:00', description: '校园卡充值 50.00 元' },
      { channel: 'wechat', platformTxnId: '4200000002', outTradeNo: 'T02', kind: 'refund', amountFen: 1_200, refundId: 'RT02', at: '2026-11-30T10:00:05+08:00', description: '校园卡充值 50.00 元' },
    ]);
  });

  it.each([
    ['a file cut short (no summary)', new TextEncoder().encode([WECHAT_BILL_DETAIL_HEADER.join(','), backquoted(wechatRow('SUCCESS', { txn: '1', order: 'T1', paid: '1.00' }))].join('\r\n'))],
    ['a summary that counts other rows', wechatFile([wechatRow('SUCCESS', { txn: '1', order: 'T1', paid: '1.00' })], 2)],
    ['an amount that is not one', wechatFile([wechatRow('SUCCESS', { txn: '1', order: 'T1', paid: '1,00' })])],
    ['not a bill at all', new TextEncoder().encode('<html>error</html>')],
  ])('refuses %s', (_name, file) => {
    expect(() => parseWechatTradeBill(file)).toThrow(BillUnreadable);
  });
});

function alipayZip(lines: string[], counts = { payments: 1, refunds: 1 }): Uint8Array {
  const detail = [
    ALIPAY_BILL_DETAIL_TITLE,
    '#账号：[20880000000000010156]',
    '#起始日期：[2026年11月30日 00:00:00]   终止日期：[2026年12月01日 00:00:00]',
    '#-----------------------------------------业务明细列表----------------------------------------',
    ALIPAY_BILL_DETAIL_HEADER.join(','),
    ...lines,
    '#-----------------------------------------业务明细列表结束------------------------------------',
    `#交易合计：${counts.payments}笔，商家实收共50.00元，商家优惠共0.00元`,
    `#退款合计：${counts.refunds}笔，商家实收退款共-12.00元，商家优惠退款共0.00元`,
    '#导出时间：[2026年12月01日 09:00:00]',
  ].join('\r\n');
  const summary = ['#支付宝业务汇总查询', '门店编号,门店名称,交易订单总笔数', '合计,,2', '#导出时间：[2026年12月01日 09:00:00]'].join('\r\n');
  return zipSync({ 'a_业务明细(汇总).csv': new Uint8Array(iconv.encode(summary, 'gbk')), 'a_业务明细.csv': new Uint8Array(iconv.encode(detail, 'gbk')) });
}
const alipayLine = (fields: string[]) => fields.map((field) => `${field}\t`).join(',');
const PAYMENT = alipayLine(['2026113022001400001', 'T01', '交易', '校园卡充值 50.00 元（张三）', '2026-11-30 10:00:00', '2026-11-30 10:00:05', '', '', '', '', '159****5620', '50.00', '50.00', ...Array(8).fill('0.00'), '', '-0.30', '0.00', '']);
const REFUND = alipayLine(['2026113022001400002', 'T02', '退款', '校园卡充值 12.00 元', '2026-11-30 11:00:00', '2026-11-30 11:00:00', '', '', '', '', '159****5620', '-12.00', '-12.00', ...Array(8).fill('0.00'), 'RT02', '0.07', '0.00', '']);

describe('Alipay trade bill', () => {
  it('decodes the GBK file in the zip, skips the # lines and the summary file, trims the tab padding', () => {
    expect(parseAlipayTradeBill(alipayZip([PAYMENT, REFUND]))).toEqual([
      { channel: 'alipay', platformTxnId: '2026113022001400001', outTradeNo: 'T01', kind: 'payment', amountFen: 5_000, at: '2026-11-30T10:00:05+08:00', description: '校园卡充值 50.00 元（张三）' },
      { channel: 'alipay', platformTxnId: '2026113022001400002', outTradeNo: 'T02', kind: 'refund', amountFen: 1_200, refundId: 'RT02', at: '2026-11-30T11:00:00+08:00', description: '校园卡充值 12.00 元' },
    ]);
  });

  it.each([
    ['summary lines that count other rows', alipayZip([PAYMENT], { payments: 1, refunds: 1 })],
    ['no end-of-list line (cut short)', zipSync({ 'a.csv': new Uint8Array(iconv.encode([ALIPAY_BILL_DETAIL_TITLE, ALIPAY_BILL_DETAIL_HEADER.join(','), PAYMENT].join('\r\n'), 'gbk')) })],
    ['a zip without the 业务明细 file', zipSync({ 'a.csv': new Uint8Array(iconv.encode('#支付宝业务汇总查询\r\n', 'gbk')) })],
    ['not a zip', new TextEncoder().encode('<html>error</html>')],
  ])('refuses %s', (_name, zip) => {
    expect(() => parseAlipayTradeBill(zip)).toThrow(BillUnreadable);
  });
});

describe('the scheduled bill run', () => {
  it.each([
    ['10:30 Beijing, as scheduled', '2026-12-01T02:30:00Z', '2026-11-30'],
    ['just after midnight Beijing (still the evening before in UTC)', '2026-11-30T16:05:00Z', '2026-11-30'],
    ['just before midnight Beijing', '2026-11-30T15:55:00Z', '2026-11-29'],
  ])('reconciles the campus day before its own: %s', (_name, now, day) => {
    expect(billDayFor(new Date(now))).toBe(day);
  });

  it('is in serverless.yml daily at 10:30 Beijing, with an npm script to run it by hand', () => {
    const functions = loadServerlessConfig({ stage: 'dev', env: {} }).raw.functions as Record<string, { handler: string; events: unknown[] }>;
    expect(functions.reconcileBills).toMatchObject({ handler: 'functions/handlers/reconcile-bills.handler', events: [{ schedule: 'cron(30 2 * * ? *)' }] });
    const scripts = (JSON.parse(readFileSync(join(PROJECT_ROOT, 'package.json'), 'utf8')) as { scripts: Record<string, string> }).scripts;
    expect(scripts['reconcile:bills']).toContain('scripts/reconcile-bills.ts');
  });
});
