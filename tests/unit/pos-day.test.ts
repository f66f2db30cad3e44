/** A terminal's day, pure: which entries are its sales, newest first, refunds matched to them, totals by method. */
import { describe, expect, it } from 'vitest';
import { holder, system } from '../../functions/domain/chart';
import type { LedgerEntry, SystemEntry } from '../../functions/domain/ledger';
import { dayTotals, terminalSales } from '../../functions/domain/pos-day';

const purses = { balanceFen: 0, transitionalFen: 0, smallWalletFen: 0 };
let seq = 0;

function purchase(terminalId: string | undefined, amountFen: number, at: string, channel: LedgerEntry['channel'] = 'pos', type: 'purchase' | 'small_wallet_settle' = 'purchase'): LedgerEntry {
  const id = `01J${String(++seq).padStart(23, '0')}`;
  return {
    entryId: id,
    receiptNo: id,
    accountNo: '100000001',
    type,
    amountFen,
    delta: purses,
    after: purses,
    channel,
    merchantId: 'M1',
    ...(terminalId ? { terminalId } : {}),
    externalRef: `txn-${seq}`,
    transfers: [{ debit: holder.balance('100000001'), credit: system.merchantPayable('M1'), amountFen }],
    createdAt: at,
    campusDay: '2026-12-01',
  } as LedgerEntry;
}

function refund(of: LedgerEntry, amountFen: number, terminalId?: string): LedgerEntry {
  return { ...purchase(terminalId, amountFen, of.createdAt), type: 'refund', refundOf: of.receiptNo, transfers: [{ debit: system.merchantPayable('M1'), credit: holder.balance('100000001'), amountFen }] } as LedgerEntry;
}

function codeSale(terminalId: string, channel: 'wechat' | 'alipay', amountFen: number, at: string): SystemEntry {
  return {
    entryId: `01K${String(++seq).padStart(23, '0')}`,
    type: 'payment_code_sale',
    amountFen,
    transfers: [{ debit: system.clearing(channel), credit: system.merchantPayable('M1'), amountFen }],
    externalRef: `pc-${seq}`,
    merchantId: 'M1',
    terminalId,
    createdAt: at,
    campusDay: '2026-12-01',
  };
}

describe('terminalSales', () => {
  it("keeps this terminal's purchases and payment-code sales, newest first, with refunds made anywhere that day", () => {
    const card = purchase('T1', 1_000, '2026-12-01T01:00:00.000Z');
    const qr = purchase('T1', 500, '2026-12-01T03:00:00.000Z', 'qr');
    const offline = purchase('T1', 300, '2026-12-01T02:00:00.000Z', 'offline_pos');
    const alipay = codeSale('T1', 'alipay', 700, '2026-12-01T04:00:00.000Z');
    const otherTill = purchase('T2', 9_000, '2026-12-01T05:00:00.000Z');
    const water = purchase('T1', 50, '2026-12-01T06:00:00.000Z', 'water', 'small_wallet_settle');
    const entries = [card, qr, offline, alipay, otherTill, water, refund(card, 200, 'T1'), refund(card, 100), refund(otherTill, 1_000, 'T2'), codeSale('T2', 'wechat', 100, '2026-12-01T07:00:00.000Z')];
    const sales = terminalSales(entries, 'T1');
    expect(sales.map((s) => [s.receiptNo, s.method, s.amountFen, s.refundedFen, s.offline])).toEqual([
      [alipay.entryId, 'alipay', 700, 0, undefined],
      [qr.receiptNo, 'qr', 500, 0, undefined],
      [offline.receiptNo, 'card', 300, 0, true],
      [card.receiptNo, 'card', 1_000, 300, undefined],
    ]);
    expect(sales[3]).toMatchObject({ posTxnId: card.externalRef, accountNo: '100000001', postedAt: card.createdAt });
    expect(sales[0]!.accountNo).toBeUndefined();
    expect(terminalSales(entries, 'T3')).toEqual([]);
  });

  it('totals the day by method, every method present', () => {
    expect(
      dayTotals([
        { method: 'card', amountFen: 1_000, refundedFen: 300 },
        { method: 'card', amountFen: 500, refundedFen: 0 },
        { method: 'wechat', amountFen: 700, refundedFen: 0 },
      ]),
    ).toEqual({
      count: 3,
      amountFen: 2_200,
      refundedFen: 300,
      byMethod: { card: { count: 2, amountFen: 1_500, refundedFen: 300 }, qr: { count: 0, amountFen: 0, refundedFen: 0 }, wechat: { count: 1, amountFen: 700, refundedFen: 0 }, alipay: { count: 0, amountFen: 0, refundedFen: 0 } },
    });
  });
});
