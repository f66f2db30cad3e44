import { describe, expect, it } from 'vitest';
import { autoReloadBounds, decideReload, newAgreementCode, reloadOrderId, settingsWithinBounds, type AutoReloadAgreement } from '../../functions/domain/auto-reload';
import { DEFAULT_POLICY } from '../../functions/domain/policy';

const agreement = (status: AutoReloadAgreement['status']): AutoReloadAgreement => ({
  accountNo: '20260001',
  channel: 'wechat',
  agreementCode: 'A20260001x',
  platformAgreementId: '2026000',
  status,
  amountFen: 2_000,
  payerId: 'o-1',
  createdAt: '2026-12-01T00:00:00.000Z',
  updatedAt: '2026-12-01T00:00:00.000Z',
});

describe('automatic reload rules', () => {
  const bounds = autoReloadBounds(DEFAULT_POLICY);

  it('takes its bounds and daily cap from the campus policy', () => {
    expect(bounds).toEqual({ minAmountFen: 1_000, maxAmountFen: 50_000, minThresholdFen: 1, maxThresholdFen: 20_000, dailyMax: 2 });
    expect(autoReloadBounds({ ...DEFAULT_POLICY, autoReloadDailyMax: 5 }).dailyMax).toBe(5);
  });

  it('accepts a threshold and an amount within the bounds only (integers, a threshold above 0)', () => {
    expect(settingsWithinBounds({ thresholdFen: 5_000, amountFen: 2_000 }, bounds)).toBe(true);
    expect(settingsWithinBounds({ thresholdFen: 20_000, amountFen: 50_000 }, bounds)).toBe(true);
    expect(settingsWithinBounds({ thresholdFen: 0, amountFen: 2_000 }, bounds)).toBe(false);
    expect(settingsWithinBounds({ thresholdFen: 20_001, amountFen: 2_000 }, bounds)).toBe(false);
    expect(settingsWithinBounds({ thresholdFen: 5_000, amountFen: 999 }, bounds)).toBe(false);
    expect(settingsWithinBounds({ thresholdFen: 5_000, amountFen: 50_001 }, bounds)).toBe(false);
    expect(settingsWithinBounds({ thresholdFen: 5_000.5, amountFen: 2_000 }, bounds)).toBe(false);
  });

  it('reloads only under an active agreement, and not when the campus allows none a day', () => {
    expect(decideReload(undefined, bounds)).toEqual({ reload: false, why: 'no_agreement' });
    expect(decideReload(agreement('signing'), bounds)).toEqual({ reload: false, why: 'not_active' });
    expect(decideReload(agreement('cancelled'), bounds)).toEqual({ reload: false, why: 'not_active' });
    expect(decideReload(agreement('active'), bounds)).toEqual({ reload: true, amountFen: 2_000 });
    expect(decideReload(agreement('active'), { dailyMax: 0 })).toEqual({ reload: false, why: 'daily_cap_zero' });
  });

  it('one order id per low-balance event: stable, distinct, within the platforms’ 32 characters', () => {
    const id = reloadOrderId('E#20260001#01J000#low_balance');
    expect(id).toBe(reloadOrderId('E#20260001#01J000#low_balance'));
    expect(id).not.toBe(reloadOrderId('E#20260001#01J001#low_balance'));
    expect(id).toMatch(/^R[0-9a-f]{31}$/);
    expect(newAgreementCode('20260001', new Date('2026-12-01T00:00:00Z'))).toMatch(/^A20260001[0-9a-z]+$/);
    expect(newAgreementCode('2'.repeat(40), new Date()).length).toBeLessThanOrEqual(32);
  });
});
