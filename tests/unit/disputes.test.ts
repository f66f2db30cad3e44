/** Online disputes, pure (issue 18): what may be disputed, the contract's input rules, decisions asked again, and an upheld dispute on the merchant's statement. */
import { describe, expect, it } from 'vitest';
import { raiseDisputeBody, refundDisputeRoute } from '../../shared/api/disputes';
import { AppError } from '../../functions/app-error';
import { holder, system } from '../../functions/domain/chart';
import { assertDisputable, assertOpen, disputeState, isSameDecision, isSameRaise, newDispute, type Dispute } from '../../functions/domain/disputes';
import { statementTotals, type PayableEntry } from '../../functions/domain/settlement';

const RECEIPT = '01KBD0000000000000000000AA';
const payment = { receiptNo: RECEIPT, accountNo: '10000001', type: 'purchase' as const, campusDay: '2026-11-01', merchantId: 'M1' };
const context = { accountNo: '10000001', today: '2026-11-20', windowDays: 30, refundedFen: 0 };

function refusal(run: () => void): string {
  try {
    run();
    return 'OK';
  } catch (error) {
    if (error instanceof AppError) return error.code;
    throw error;
  }
}

describe('what may be disputed', () => {
  it.each([
    ['a payment of their own, inside the window', payment, context, 'OK'],
    ['the window’s last day', payment, { ...context, today: '2026-12-01' }, 'OK'],
    ['the day after the window', payment, { ...context, today: '2026-12-02' }, 'DISPUTE_WINDOW_PASSED'],
    ['a window of 60 days', payment, { ...context, today: '2026-12-20', windowDays: 60 }, 'OK'],
    ["someone else's payment: not found, never 'not yours'", payment, { ...context, accountNo: '10000002' }, 'RECEIPT_NOT_FOUND'],
    ['a top-up', { ...payment, type: 'topup' as const }, context, 'DISPUTE_NOT_A_PAYMENT'],
    ['a refund', { ...payment, type: 'refund' as const }, context, 'DISPUTE_NOT_A_PAYMENT'],
    ['a payment with no merchant', { ...payment, merchantId: undefined }, context, 'DISPUTE_NOT_A_PAYMENT'],
    ['a payment refunded in part', payment, { ...context, refundedFen: 1 }, 'DISPUTE_ENTRY_REFUNDED'],
  ])('%s', (_what, entry, ctx, expected) => {
    expect(refusal(() => assertDisputable(entry, ctx))).toBe(expected);
  });

  it('the window refusal names the policy’s days', () => {
    try {
      assertDisputable(payment, { ...context, today: '2027-01-01', windowDays: 45 });
      expect.unreachable();
    } catch (error) {
      expect((error as AppError).params).toEqual({ days: 45 });
    }
  });
});

describe('the holder’s input (the contract the app checks forms with)', () => {
  const base = { receiptNo: RECEIPT, reason: 'wrong_amount', description: '金额不对' };
  it('trims the description and keeps it short', () => {
    expect(raiseDisputeBody.parse({ ...base, description: '  扣了两次  ' }).description).toBe('扣了两次');
    expect(raiseDisputeBody.safeParse({ ...base, description: '长'.repeat(200) }).success).toBe(true);
    expect(raiseDisputeBody.safeParse({ ...base, description: '长'.repeat(201) }).success).toBe(false);
    expect(raiseDisputeBody.safeParse({ ...base, description: ' 啊 ' }).success).toBe(false);
  });
  it('takes only the fixed reasons', () => {
    for (const reason of ['charged_twice', 'wrong_amount', 'not_received', 'not_me', 'other']) expect(raiseDisputeBody.safeParse({ ...base, reason }).success).toBe(true);
    expect(raiseDisputeBody.safeParse({ ...base, reason: 'angry' }).success).toBe(false);
  });
  it('a refund amount is optional, and whole positive fen', () => {
    const body = refundDisputeRoute.body!;
    expect(body.safeParse({ reason: '同意退款' }).success).toBe(true);
    expect(body.safeParse({ reason: '同意退款', amountFen: 0 }).success).toBe(false);
    expect(body.safeParse({ reason: '同意退款', amountFen: 1.5 }).success).toBe(false);
  });
});

describe('a dispute and its decisions', () => {
  const raised: Dispute = newDispute(
    { receiptNo: RECEIPT, accountNo: '10000001', amountFen: 1_200, merchantId: 'M1', terminalId: 'POS-1', createdAt: '2026-11-01T04:00:00.000Z' },
    { reason: 'not_received', description: '没拿到' },
    { merchantName: '一食堂', terminalPlace: '二楼 3 号窗口' },
    new Date('2026-11-02T01:00:00.000Z'),
  );

  it('starts submitted (open), with the payment as it was charged', () => {
    expect(raised).toMatchObject({ status: 'submitted', amountFen: 1_200, merchantName: '一食堂', terminalPlace: '二楼 3 号窗口', chargedAt: '2026-11-01T04:00:00.000Z' });
    expect(disputeState(raised.status)).toBe('open');
    expect(disputeState('refunded')).toBe('resolved');
    expect(disputeState('refused')).toBe('resolved');
    expect(refusal(() => assertOpen(raised))).toBe('OK');
  });

  it('the same raise again is a retry; another is a second dispute', () => {
    expect(isSameRaise(raised, '10000001', { reason: 'not_received', description: '没拿到' })).toBe(true);
    expect(isSameRaise(raised, '10000001', { reason: 'other', description: '没拿到' })).toBe(false);
    expect(isSameRaise(raised, '10000002', { reason: 'not_received', description: '没拿到' })).toBe(false);
  });

  it('a decision asked again is the same decision only when it asks for the same', () => {
    const refunded: Dispute = { ...raised, status: 'refunded', refundFen: 1_200, resolution: '同意' };
    const refused: Dispute = { ...raised, status: 'refused', resolution: '已取餐' };
    expect(isSameDecision(refunded, { kind: 'refund' })).toBe(true);
    expect(isSameDecision(refunded, { kind: 'refund', refundFen: 1_200 })).toBe(true);
    expect(isSameDecision(refunded, { kind: 'refund', refundFen: 100 })).toBe(false);
    expect(isSameDecision(refunded, { kind: 'refuse', resolution: '同意' })).toBe(false);
    expect(isSameDecision(refused, { kind: 'refuse', resolution: '已取餐' })).toBe(true);
    expect(isSameDecision(refused, { kind: 'refuse', resolution: '别的理由' })).toBe(false);
    expect(isSameDecision(refused, { kind: 'refund' })).toBe(false);
    expect(refusal(() => assertOpen(refused))).toBe('DISPUTE_ALREADY_RESOLVED');
  });
});

describe('an upheld dispute on the merchant’s statement', () => {
  it('is an adjustment, like a duplicate charge, not an ordinary refund', () => {
    const day = '2026-12-02';
    const entries: PayableEntry[] = [
      { entryId: '01KBD00000000000000000000A', type: 'purchase', campusDay: day, createdAt: `${day}T04:00:00.000Z`, transfers: [{ debit: holder.balance('10000001'), credit: system.merchantPayable('M1'), amountFen: 10_000 }] },
      {
        entryId: '01KBD00000000000000000000B',
        type: 'refund',
        campusDay: day,
        createdAt: `${day}T05:00:00.000Z`,
        refundCause: 'dispute',
        reason: '商户确认未出餐',
        transfers: [{ debit: system.merchantPayable('M1'), credit: holder.balance('10000001'), amountFen: 1_200 }],
      },
      {
        entryId: '01KBD00000000000000000000C',
        type: 'refund',
        campusDay: day,
        createdAt: `${day}T06:00:00.000Z`,
        refundCause: 'terminal',
        transfers: [{ debit: system.merchantPayable('M1'), credit: holder.balance('10000001'), amountFen: 300 }],
      },
    ];
    const totals = statementTotals('M1', { from: '2026-11-30', to: '2026-12-06' }, entries, 50);
    expect(totals).toMatchObject({ turnoverFen: 10_000, refundsFen: 300, adjustmentsFen: 1_200, netTurnoverFen: 8_500 });
    expect(totals.adjustments).toEqual([{ entryId: '01KBD00000000000000000000B', amountFen: 1_200, reason: '商户确认未出餐' }]);
  });
});
