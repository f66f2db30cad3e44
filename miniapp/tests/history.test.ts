import { describe, expect, it } from 'vitest';
import { beijingTime, monthRange, recentMonths, signedAmountText } from '../src/lib/history';

const purses = (balanceFen: number, transitionalFen = 0, smallWalletFen = 0) => ({ balanceFen, transitionalFen, smallWalletFen });

describe('history screen logic', () => {
  it('gives a month’s first and last campus day, leap years included', () => {
    expect(monthRange('2026-11')).toEqual({ from: '2026-11-01', to: '2026-11-30' });
    expect(monthRange('2028-02')).toEqual({ from: '2028-02-01', to: '2028-02-29' });
  });

  it('lists recent months newest first, across the year boundary', () => {
    expect(recentMonths('2027-01-15', 3)).toEqual(['2027-01', '2026-12', '2026-11']);
  });

  it('signs amounts by what the entry did to all purses', () => {
    expect(signedAmountText({ amountFen: 1_250, delta: purses(-1_250) })).toBe('-12.50');
    expect(signedAmountText({ amountFen: 5_000, delta: purses(0, 5_000) })).toBe('+50.00');
    // A card load moves money between purses: shown unsigned.
    expect(signedAmountText({ amountFen: 2_000, delta: purses(2_000, -2_000) })).toBe('20.00');
  });

  it('shows times in Beijing', () => {
    expect(beijingTime('2026-11-23T16:05:09Z')).toEqual({ date: '11-24', time: '00:05', full: '2026-11-24 00:05:09' });
  });
});

describe('an automatic reload in the history (issue 18 item 2)', () => {
  it('reads as a reload, with its platform, in both languages; a top-up by hand and a guardian deposit as before', async () => {
    const { entryTitle } = await import('../src/lib/i18n');
    expect(entryTitle('zh', { type: 'topup', channel: 'wechat', trigger: 'auto_reload' })).toBe('自动充值 (微信支付)');
    expect(entryTitle('en', { type: 'topup', channel: 'wechat', trigger: 'auto_reload' })).toBe('Auto reload (WeChat Pay)');
    // A CPU-card holder's reload waits for the card like any online top-up: still a reload.
    expect(entryTitle('zh', { type: 'transitional_credit', channel: 'alipay', trigger: 'auto_reload' })).toBe('自动充值 (支付宝)');
    expect(entryTitle('zh', { type: 'topup', channel: 'wechat' })).toBe('充值');
    expect(entryTitle('zh', { type: 'topup', channel: 'wechat', guardianLabel: '妈妈' })).toBe('家长 妈妈 充值 (微信支付)');
  });

  it('the refused reload’s message has its words in settings', async () => {
    const { t } = await import('../src/lib/i18n');
    expect(t('zh', 'notify.kind.auto_reload_refused')).toBe('自动充值失败');
    expect(t('en', 'notify.kind.auto_reload_refused')).toBe('Auto reload failed');
  });
});
