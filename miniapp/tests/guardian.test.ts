/** The guardian page's logic (issue 18): what the payer may type, the deposit flow, and how the holder's history names a deposit. */
import { describe, expect, it } from 'vitest';
import { ApiError, type GuardianDeposit } from '../src/lib/api';
import { entryTitle } from '../src/lib/i18n';
import { runDeposit, validLabel, validPersonId, type DepositPhase } from '../src/pages/guardian/flow';

const deposit: GuardianDeposit = {
  orderId: 'T01M84AECVKJNR7KZQENXKEXV9Z',
  channel: 'wechat',
  amountFen: 5_000,
  maskedName: '张*明',
  payerLabel: '妈妈',
  status: 'pending',
  createdAt: '2026-11-23T04:00:00Z',
  payBy: '2026-11-23T04:15:00Z',
};
const request = { personId: '2024001', name: '张三明', amountFen: 5_000, channel: 'wechat' as const, payerLabel: '妈妈' };

function flow(polls: (GuardianDeposit['status'] | ApiError)[], options: { pay?: () => Promise<'paid' | 'cancelled'>; create?: () => Promise<{ deposit: GuardianDeposit }> } = {}) {
  const phases: DepositPhase['kind'][] = [];
  let asked = 0;
  const run = runDeposit(
    {
      api: {
        createGuardianDeposit: options.create ?? (async () => ({ deposit })),
        guardianDeposit: async () => {
          const next = polls[Math.min(asked++, polls.length - 1)]!;
          if (next instanceof ApiError) throw next;
          return { ...deposit, status: next };
        },
      },
      pay: options.pay ?? (async () => 'paid'),
      sleep: async () => undefined,
      onPhase: (phase) => phases.push(phase.kind),
      pollAttempts: 4,
    },
    request,
  );
  return { run, phases, asked: () => asked };
}

describe('what the payer types', () => {
  it('a label of 1 to 8 characters on one line', () => {
    expect(validLabel('妈妈')).toBe(true);
    expect(validLabel(' Dad ')).toBe(true);
    expect(validLabel('一二三四五六七八')).toBe(true);
    expect(validLabel('一二三四五六七八九')).toBe(false);
    expect(validLabel('  ')).toBe(false);
    expect(validLabel('妈\n妈')).toBe(false);
    expect(validLabel('<b>')).toBe(false);
  });
  it('a student/staff id of letters and digits', () => {
    expect(validPersonId('2024001')).toBe(true);
    expect(validPersonId('T2024001')).toBe(true);
    expect(validPersonId('2024-001')).toBe(false);
    expect(validPersonId('')).toBe(false);
  });
});

describe('a deposit from the guardian page', () => {
  it('is done once the server says paid, never before', async () => {
    const { run, phases } = flow(['pending', 'paid']);
    const final = await run;
    expect(final).toMatchObject({ kind: 'done', deposit: { status: 'paid', maskedName: '张*明' } });
    expect(phases).toEqual(['creating', 'paying', 'confirming', 'confirming', 'done']);
  });

  it('a refusal (the cap, the name) is shown and nothing is paid', async () => {
    let paid = false;
    const { run } = flow(['paid'], {
      create: async () => {
        throw new ApiError('GUARDIAN_DAILY_CAP_REACHED', 409, { zh: '每位付款人每天最多为他人充值 2000 元，今天还可充值 0 元', en: '' });
      },
      pay: async () => {
        paid = true;
        return 'paid';
      },
    });
    expect(await run).toMatchObject({ kind: 'failed', error: { code: 'GUARDIAN_DAILY_CAP_REACHED' } });
    expect(paid).toBe(false);
  });

  it('a cancelled sheet gets one look; a slow platform leaves the receipt pending', async () => {
    expect((await flow(['pending'], { pay: async () => 'cancelled' }).run).kind).toBe('cancelled');
    const slow = flow(['pending', new ApiError('NETWORK', 0)]);
    expect(await slow.run).toMatchObject({ kind: 'slow', deposit: { status: 'pending' } });
    expect(slow.asked()).toBe(4);
  });
});

describe('the holder’s history names who paid', () => {
  it('a guardian deposit and its refund, in both languages; other entries by their type', () => {
    expect(entryTitle('zh', { type: 'topup', channel: 'wechat', guardianLabel: '妈妈' })).toBe('家长 妈妈 充值 (微信支付)');
    expect(entryTitle('zh', { type: 'transitional_credit', channel: 'alipay', guardianLabel: '爸爸' })).toBe('家长 爸爸 充值 (支付宝)');
    expect(entryTitle('en', { type: 'topup', channel: 'alipay', guardianLabel: 'Dad' })).toBe('Deposit by Dad (Alipay)');
    expect(entryTitle('zh', { type: 'deposit_refund', channel: 'wechat', guardianLabel: '妈妈' })).toBe('退回家长 妈妈 (微信支付)');
    expect(entryTitle('zh', { type: 'topup', channel: 'wechat' })).toBe('充值');
  });
});
