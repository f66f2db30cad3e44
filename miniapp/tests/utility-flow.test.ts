import { describe, expect, it } from 'vitest';
import { ApiError, type UtilityPayment, type UtilityPaymentResult } from '../src/lib/api';
import { isRoomId, networkPlan, newRequestId, outcomeUnknown, parseElectricityAmount, runUtilityPayment, weekChoices, type UtilityPhase } from '../src/lib/utility-flow';

const payment: UtilityPayment = { receiptNo: '01KBA7Z3Q4V5W6X7Y8Z9ABCDEF', system: 'electricity', amountFen: 2_000, roomId: '3-512', delivery: 'pending', createdAt: '2026-12-01T04:00:00.000Z' };
const result = (delivery: UtilityPayment['delivery']): UtilityPaymentResult => ({ payment: { ...payment, delivery }, balanceFen: 8_000, replayed: false });

function run(tries: (UtilityPaymentResult | ApiError)[], options: { password?: string; polls?: UtilityPayment['delivery'][] } = {}) {
  const phases: UtilityPhase['kind'][] = [];
  const passwords: (string | undefined)[] = [];
  let polled = 0;
  const done = runUtilityPayment(
    {
      pay: async (password) => {
        passwords.push(password);
        const next = tries.shift()!;
        if (next instanceof ApiError) throw next;
        return next;
      },
      askPassword: async () => options.password,
      poll: async () => ({ ...payment, delivery: options.polls?.[Math.min(polled++, options.polls.length - 1)] ?? 'pending' }),
      sleep: async () => undefined,
      onPhase: (phase) => phases.push(phase.kind),
    },
    { polls: 3 },
  );
  return { done, phases, passwords, polled: () => polled };
}

describe('the 缴费 page logic', () => {
  it('a network payment covers weeks from the first unpaid one, across the year end, at the server\'s weekly fee', () => {
    expect(networkPlan({ nextWeek: '2026-W52', weeklyFeeFen: 1_000 }, 3)).toEqual({ weeks: ['2026-W52', '2026-W53', '2027-W01'], fromDay: '2026-12-21', toDay: '2027-01-10', totalFen: 3_000 });
    expect(weekChoices({ maxWeeks: 4 })).toEqual([1, 2, 3, 4]);
  });

  it.each([
    ['3-512', true],
    [' 12-0305 ', true],
    ['3/512', false],
    ['512', false],
  ])('room %j is a room: %s', (text, ok) => {
    expect(isRoomId(text)).toBe(ok);
  });

  it.each([
    ['20', 2_000],
    ['1', 100],
    ['500', 50_000],
    ['0.99', undefined],
    ['500.01', undefined],
    ['12.345', undefined],
    ['abc', undefined],
  ])('%j yuan of electricity: %s fen', (text, fen) => {
    expect(parseElectricityAmount(text, { minFen: 100, maxFen: 50_000 })).toBe(fen);
  });

  it('pays once and follows a pending delivery until it is delivered', async () => {
    const flow = run([result('pending')], { polls: ['pending', 'delivered'] });
    const final = await flow.done;
    expect(final).toMatchObject({ kind: 'done', result: { payment: { delivery: 'delivered' } } });
    expect(flow.passwords).toEqual([undefined]);
    expect(flow.polled()).toBe(2);
  });

  it('asks for the consumption password only when the server says so, and pays again with it', async () => {
    const flow = run([new ApiError('PASSWORD_REQUIRED', 409), result('delivered')], { password: '135790' });
    expect(await flow.done).toMatchObject({ kind: 'done' });
    expect(flow.passwords).toEqual([undefined, '135790']);
    expect(flow.phases).toEqual(['paying', 'password', 'paying', 'done']);
  });

  it('a cancelled password prompt pays nothing more; a refusal is shown as a failure', async () => {
    const cancelled = run([new ApiError('PASSWORD_REQUIRED', 409)]);
    expect((await cancelled.done).kind).toBe('cancelled');
    expect(cancelled.passwords).toEqual([undefined]);
    const refused = run([new ApiError('NETWORK_WEEK_ALREADY_PAID', 409)]);
    expect(await refused.done).toMatchObject({ kind: 'failed' });
  });

  it('keeps the request id only when the outcome is unknown', () => {
    expect(outcomeUnknown(new ApiError('NETWORK', 0))).toBe(true);
    expect(outcomeUnknown(new ApiError('BUSY_RETRY', 503))).toBe(true);
    expect(outcomeUnknown(new ApiError('PASSWORD_WRONG', 401))).toBe(false);
    expect(newRequestId(() => 1, () => 0.5)).toMatch(/^u1[0-9a-z]{8}$/);
  });
});
