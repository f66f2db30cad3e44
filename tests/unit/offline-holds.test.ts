import { describe, expect, it } from 'vitest';
import { DEFAULT_DAILY_LIMIT_FEN, type Account } from '../../functions/domain/account';
import { planHeldOfflineApproval } from '../../functions/domain/offline-holds';

const account = { accountNo: '10002', status: 'frozen', balanceFen: 1_000, transitionalFen: 50, smallWalletFen: 20, dailyLimitFen: DEFAULT_DAILY_LIMIT_FEN, dailySpentFen: 300, dailySpentDay: '2026-12-01' } as Account;
const record = { amountFen: 600, merchantId: 'M1', terminalId: 'T1', recordId: 'r1', operator: 'op.li', reason: '持卡人确认消费' };

describe('approving a held offline record', () => {
  it('is the offline purchase, charged now: balance to the merchant’s payable, other purses untouched, today’s spending not counted, the status kept', () => {
    const plan = planHeldOfflineApproval(account, record, '2026-12-01');
    expect(plan.after).toEqual({ balanceFen: 400, transitionalFen: 50, smallWalletFen: 20 });
    expect(plan).toMatchObject({ dailySpentFen: 300, dailySpentDay: '2026-12-01' });
    expect(plan.statusAfter).toBeUndefined();
    expect(plan.entry).toMatchObject({
      type: 'purchase',
      channel: 'offline_pos',
      amountFen: 600,
      transfers: [{ debit: 'holder:10002:balance', credit: 'merchant:M1:payable', amountFen: 600 }],
      terminalId: 'T1',
      externalRef: 'r1',
      operator: 'op.li',
    });
    // Another day: yesterday's spending is not today's.
    expect(planHeldOfflineApproval(account, record, '2026-12-02')).toMatchObject({ dailySpentFen: 0, dailySpentDay: '2026-12-02' });
  });

  it('never overdraws: more than the balance is INSUFFICIENT_BALANCE (the transitional purse does not count)', () => {
    expect(() => planHeldOfflineApproval(account, { ...record, amountFen: 1_001 }, '2026-12-01')).toThrow(expect.objectContaining({ code: 'INSUFFICIENT_BALANCE' }));
    expect(planHeldOfflineApproval(account, { ...record, amountFen: 1_000 }, '2026-12-01').after.balanceFen).toBe(0);
  });
});
