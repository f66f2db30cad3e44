import { describe, expect, it } from 'vitest';
import { ApiError, type TopupCreated, type TopupOrder } from '../src/lib/api';
import { runTopup, type TopupPhase } from '../src/lib/topup-flow';

const order: TopupOrder = { orderId: 'T01M84AECVKJNR7KZQENXKEXV9Z', channel: 'wechat', amountFen: 5_000, purse: 'balance', status: 'pending', createdAt: '2026-11-23T04:00:00Z', payBy: '2026-11-23T04:15:00Z' };

/** The order's states as the server reports them, poll by poll (the last one repeats). */
function flow(polls: (TopupOrder['status'] | ApiError)[], pay: () => Promise<'paid' | 'cancelled'> = async () => 'paid', created: () => Promise<TopupCreated> = async () => ({ order })) {
  const phases: TopupPhase['kind'][] = [];
  let asked = 0;
  const run = runTopup(
    {
      api: {
        createTopup: created,
        topup: async () => {
          const next = polls[Math.min(asked++, polls.length - 1)]!;
          if (next instanceof ApiError) throw next;
          return { ...order, status: next };
        },
      },
      pay,
      sleep: async () => undefined,
      onPhase: (phase) => phases.push(phase.kind),
      pollAttempts: 5,
    },
    5_000,
    'wechat',
    'o-payer',
  );
  return { run, phases, asked: () => asked };
}

describe('a top-up from the app', () => {
  it('is paid once the server has the platform’s word', async () => {
    const { run, phases } = flow(['pending', 'pending', 'paid']);
    expect((await run).kind).toBe('paid');
    expect(phases).toEqual(['creating', 'paying', 'confirming', 'confirming', 'confirming', 'paid']);
  });

  it('says so when the payment cannot be credited and goes back to the payer', async () => {
    expect((await flow(['pending', 'refund_pending']).run).kind).toBe('refunded');
    expect((await flow(['refunded']).run).kind).toBe('refunded');
  });

  it('keeps polling through a dropped connection', async () => {
    const { run } = flow([new ApiError('NETWORK', 0), 'paid']);
    expect((await run).kind).toBe('paid');
  });

  it('says so when the platform closed the order', async () => {
    expect((await flow(['closed']).run).kind).toBe('closed');
  });

  it('a cancelled sheet still asks once, in case the money went through', async () => {
    const paidAnyway = flow(['paid'], async () => 'cancelled');
    expect((await paidAnyway.run).kind).toBe('paid');
    const cancelled = flow(['pending'], async () => 'cancelled');
    expect((await cancelled.run).kind).toBe('cancelled');
    expect(cancelled.asked()).toBe(1);
  });

  it('gives up waiting without claiming anything when the platform is slow', async () => {
    const slow = flow(['pending']);
    expect((await slow.run).kind).toBe('slow');
    expect(slow.asked()).toBe(5);
  });

  it('a refused order is a failure with the server’s words', async () => {
    const refused = new ApiError('TOPUP_AMOUNT_OUT_OF_RANGE', 400, { zh: '充值金额超出范围', en: 'out of range' });
    const result = await flow(['paid'], undefined, () => Promise.reject(refused)).run;
    expect(result).toEqual({ kind: 'failed', error: refused });
  });
});
