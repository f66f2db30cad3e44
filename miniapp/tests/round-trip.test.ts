/** The round trip every payment flow of the app shares (create → open the platform's page → poll the server), its rules once. */
import { describe, expect, it } from 'vitest';
import { ApiError } from '../src/lib/api';
import { POLL_ATTEMPTS, POLL_INTERVAL_MS, pollUntilSettled, roundTrip, worthAnotherLook } from '../src/lib/round-trip';

type State = { id: string; status: 'pending' | 'done' };
type Phase =
  | { kind: 'creating' }
  | { kind: 'opened'; id: string }
  | { kind: 'confirming'; latest?: State }
  | { kind: 'settled'; latest: State }
  | { kind: 'unsettled'; latest?: State; cancelled: boolean }
  | { kind: 'failed'; error: unknown };

const CREATED: State = { id: 'o1', status: 'pending' };

/** A server whose answers come poll by poll (the last one repeats), and what the flow did with them. */
function trip(
  answers: Array<State['status'] | Error>,
  options: { open?: () => Promise<'done' | 'cancelled'>; create?: () => Promise<State>; initial?: State; pollAttempts?: number; defaultAttempts?: number; pollIntervalMs?: number } = {},
) {
  const phases: Phase[] = [];
  const slept: number[] = [];
  const calls: string[] = [];
  let asked = 0;
  const deps = {
    sleep: async (ms: number) => void slept.push(ms),
    onPhase: (phase: Phase) => phases.push(phase),
    ...(options.pollAttempts !== undefined ? { pollAttempts: options.pollAttempts } : {}),
    ...(options.pollIntervalMs !== undefined ? { pollIntervalMs: options.pollIntervalMs } : {}),
  };
  const run = roundTrip<State, 'done' | 'cancelled', Phase>(deps, {
    creating: { kind: 'creating' },
    create: options.create ?? (async () => (calls.push('create'), CREATED)),
    opened: (created) => ({ kind: 'opened', id: created.id }),
    open: async () => (calls.push('open'), options.open ? options.open() : 'done'),
    ifOpenThrows: 'done',
    confirm: (created, outcome) =>
      pollUntilSettled<State, State | undefined, Phase>(
        deps,
        {
          initial: 'initial' in options ? options.initial : created,
          read: async () => {
            calls.push('read');
            const next = answers[Math.min(asked++, answers.length - 1)]!;
            if (next instanceof Error) throw next;
            return { id: created.id, status: next };
          },
          settled: (latest) => (latest.status === 'done' ? { kind: 'settled', latest } : undefined),
          confirming: (latest) => ({ kind: 'confirming', ...(latest ? { latest } : {}) }),
          unsettled: (latest, cancelled) => ({ kind: 'unsettled', ...(latest ? { latest } : {}), cancelled }),
          failed: (error) => ({ kind: 'failed', error }),
          ...(options.defaultAttempts !== undefined ? { defaultAttempts: options.defaultAttempts } : {}),
        },
        outcome === 'cancelled',
      ),
    failed: (error) => ({ kind: 'failed', error }),
  });
  return { run, phases, slept, calls, asked: () => asked };
}

describe('a round trip', () => {
  it('reports creating, opened, a confirming before each look, and the settled phase last; it returns what it reported', async () => {
    const { run, phases, slept, calls } = trip(['pending', 'pending', 'done']);
    const final = await run;
    expect(final).toEqual({ kind: 'settled', latest: { id: 'o1', status: 'done' } });
    expect(phases.map((p) => p.kind)).toEqual(['creating', 'opened', 'confirming', 'confirming', 'confirming', 'settled']);
    expect(phases.at(-1)).toBe(final);
    // The first look shows what the create returned, the later ones the server's last answer.
    expect(phases[2]).toEqual({ kind: 'confirming', latest: CREATED });
    expect(calls).toEqual(['create', 'open', 'read', 'read', 'read']);
    expect(slept).toEqual([POLL_INTERVAL_MS, POLL_INTERVAL_MS]);
  });

  it('a refused create is the failure, reported, and nothing is opened or read', async () => {
    const refused = new ApiError('TOPUP_AMOUNT_OUT_OF_RANGE', 400);
    const { run, phases, calls } = trip(['done'], { create: () => Promise.reject(refused) });
    expect(await run).toEqual({ kind: 'failed', error: refused });
    expect(phases.map((p) => p.kind)).toEqual(['creating', 'failed']);
    expect(calls).toEqual([]);
  });

  it('a page that throws counts as maybe done: the server is asked as long as after an answered page', async () => {
    const paidAnyway = trip(['pending', 'done'], { open: () => Promise.reject(new Error('sheet gone')) });
    expect((await paidAnyway.run).kind).toBe('settled');
    const slow = trip(['pending'], { open: () => Promise.reject(new Error('sheet gone')), pollAttempts: 3 });
    expect(await slow.run).toEqual({ kind: 'unsettled', latest: CREATED, cancelled: false });
    expect(slow.asked()).toBe(3);
  });

  it('a cancelled page gets exactly one look, with no confirming phase and no sleep', async () => {
    const paidAnyway = trip(['done'], { open: async () => 'cancelled' });
    expect((await paidAnyway.run).kind).toBe('settled');
    const cancelled = trip(['pending'], { open: async () => 'cancelled', pollAttempts: 5 });
    expect(await cancelled.run).toEqual({ kind: 'unsettled', latest: CREATED, cancelled: true });
    expect(cancelled.asked()).toBe(1);
    expect(cancelled.slept).toEqual([]);
    expect(cancelled.phases.map((p) => p.kind)).toEqual(['creating', 'opened', 'unsettled']);
  });

  it('keeps looking through a dropped connection and a server error (≥ 500)', async () => {
    const { run, asked } = trip([new ApiError('NETWORK', 0), new ApiError('INTERNAL', 500), new ApiError('UNAVAILABLE', 503), 'done']);
    expect((await run).kind).toBe('settled');
    expect(asked()).toBe(4);
  });

  it('any other error ends it as a failure at once', async () => {
    for (const error of [new ApiError('NOT_FOUND', 404), new ApiError('FORBIDDEN', 403), new Error('bug')]) {
      const { run, asked } = trip(['pending', error, 'done']);
      expect(await run).toEqual({ kind: 'failed', error });
      expect(asked()).toBe(2);
    }
  });

  it('gives up after pollAttempts looks with the last known state, never claiming it settled', async () => {
    const { run, asked, slept } = trip(['pending', new ApiError('NETWORK', 0)], { pollAttempts: 4, pollIntervalMs: 10 });
    expect(await run).toEqual({ kind: 'unsettled', latest: CREATED, cancelled: false });
    expect(asked()).toBe(4);
    // No sleep after the last look.
    expect(slept).toEqual([10, 10, 10]);
  });

  it('looks POLL_ATTEMPTS times by default, or the flow’s own default; the caller’s number wins over both', async () => {
    const byDefault = trip(['pending']);
    await byDefault.run;
    expect(byDefault.asked()).toBe(POLL_ATTEMPTS);
    const flows = trip(['pending'], { defaultAttempts: 7 });
    await flows.run;
    expect(flows.asked()).toBe(7);
    const callers = trip(['pending'], { defaultAttempts: 7, pollAttempts: 2 });
    await callers.run;
    expect(callers.asked()).toBe(2);
  });

  it('with nothing known before the first look, only an answer is ever judged, and running out says nothing is known', async () => {
    const { run, phases } = trip([new ApiError('NETWORK', 0)], { initial: undefined, pollAttempts: 2 });
    expect(await run).toEqual({ kind: 'unsettled', cancelled: false });
    expect(phases.filter((p) => p.kind === 'confirming')).toEqual([{ kind: 'confirming' }, { kind: 'confirming' }]);
  });
});

describe('which errors are worth another look', () => {
  it('a dropped connection or a server error; not a refusal or a bug', () => {
    expect(worthAnotherLook(new ApiError('NETWORK', 0))).toBe(true);
    expect(worthAnotherLook(new ApiError('INTERNAL', 500))).toBe(true);
    expect(worthAnotherLook(new ApiError('CONFLICT', 409))).toBe(false);
    expect(worthAnotherLook(new ApiError('NOT_FOUND', 499))).toBe(false);
    expect(worthAnotherLook(new TypeError('x'))).toBe(false);
  });
});
