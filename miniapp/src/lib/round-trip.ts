/**
 * One round trip through a payment platform, as every flow of the app makes it: the server creates
 * something (an order, a deposit, a signing), the platform's page takes it, then the app polls the
 * server until it has the platform's word. The outcome is only ever what the server reads back; what
 * the platform's page says only decides how long to wait. Each flow keeps its own phase names and
 * says what settles it; the rules they share live here once.
 */
import { ApiError } from './api';

/** About a minute of looks before the app stops waiting (the server keeps reconciling on its own). */
export const POLL_ATTEMPTS = 40;
export const POLL_INTERVAL_MS = 1_500;

/** The pages' `sleep`: a real wait (tests pass their own). */
export const waitMs = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

export interface PollDeps<P> {
  sleep: (ms: number) => Promise<void>;
  onPhase: (phase: P) => void;
  pollIntervalMs?: number;
  pollAttempts?: number;
}

/** A dropped connection or a stumbling server is worth another look; any other answer is final. */
export function worthAnotherLook(error: unknown): boolean {
  return error instanceof ApiError && (error.code === 'NETWORK' || error.status >= 500);
}

/** `L` is what is known before the first look: the created order, or undefined when there is none. */
export interface PollSpec<T, L extends T | undefined, P> {
  initial: L;
  read: () => Promise<T>;
  /** The final phase once the server's answer settles it; undefined to keep waiting. */
  settled: (latest: T) => P | undefined;
  /** Reported before each look while the holder is believed to have finished on the platform's page. */
  confirming: (latest: T | L) => P;
  /** The looks ran out: what was last known, and whether the holder had cancelled. */
  unsettled: (latest: T | L, cancelled: boolean) => P;
  failed: (error: unknown) => P;
  /** This flow's number of looks when the caller sets none. */
  defaultAttempts?: number;
}

/**
 * Polls until settled. A cancelled page still gets one look (the money may have gone through anyway);
 * otherwise `pollAttempts` looks `pollIntervalMs` apart. The final phase is returned, not reported.
 */
export async function pollUntilSettled<T, L extends T | undefined, P>(deps: PollDeps<P>, spec: PollSpec<T, L, P>, cancelled: boolean): Promise<P> {
  const attempts = cancelled ? 1 : (deps.pollAttempts ?? spec.defaultAttempts ?? POLL_ATTEMPTS);
  let latest: T | L = spec.initial;
  for (let attempt = 0; attempt < attempts; attempt++) {
    if (!cancelled) deps.onPhase(spec.confirming(latest));
    try {
      latest = await spec.read();
    } catch (error) {
      if (!worthAnotherLook(error)) return spec.failed(error);
    }
    const settled = latest === undefined ? undefined : spec.settled(latest as T);
    if (settled !== undefined) return settled;
    if (attempt + 1 < attempts) await deps.sleep(deps.pollIntervalMs ?? POLL_INTERVAL_MS);
  }
  return spec.unsettled(latest, cancelled);
}

/** `O` is what the platform's page says the holder did; its 'cancelled' means they backed out. */
export interface RoundTripSpec<C, O extends string, P> {
  creating: P;
  create: () => Promise<C>;
  /** Reported as the platform's page opens. */
  opened: (created: C) => P;
  open: (created: C) => Promise<O>;
  /** What a page that threw counts as: it may still have done its work, so the server is asked. */
  ifOpenThrows: Exclude<O, 'cancelled'>;
  /** Asks the server (usually `pollUntilSettled`). */
  confirm: (created: C, outcome: O) => Promise<P>;
  failed: (error: unknown) => P;
}

/** Create → open → confirm, reporting each phase and the final one. A refused create opens nothing. */
export async function roundTrip<C, O extends string, P>(deps: Pick<PollDeps<P>, 'onPhase'>, spec: RoundTripSpec<C, O, P>): Promise<P> {
  const finish = (phase: P) => {
    deps.onPhase(phase);
    return phase;
  };
  deps.onPhase(spec.creating);
  let created: C;
  try {
    created = await spec.create();
  } catch (error) {
    return finish(spec.failed(error));
  }
  deps.onPhase(spec.opened(created));
  let outcome: O;
  try {
    outcome = await spec.open(created);
  } catch {
    outcome = spec.ifOpenThrows;
  }
  return finish(await spec.confirm(created, outcome));
}
