/**
 * The 缴费 page's logic, pure and injected (like topup-flow.ts): what a network payment covers and
 * costs (numbers from the server's utilities view), the electricity form checked with the server's
 * own schema, and one payment run: pay, ask for the consumption password when the server says the
 * daily limit needs it (same request id: the same payment), then follow a pending delivery a while.
 */
import { roomId } from '@shared/api/utilities';
import { addWeeks, weekDays } from '@shared/iso-week';
import { parseYuan } from '@shared/money';
import { ApiError, type Utilities, type UtilityPayment, type UtilityPaymentResult } from './api';

export interface NetworkPlan {
  weeks: string[];
  fromDay: string;
  toDay: string;
  totalFen: number;
}

/** `count` weeks from the first unpaid one, their days and the total, as the holder confirms them. */
export function networkPlan(network: Pick<Utilities['network'], 'nextWeek' | 'weeklyFeeFen'>, count: number): NetworkPlan {
  const weeks = Array.from({ length: count }, (_, i) => addWeeks(network.nextWeek, i));
  return { weeks, fromDay: weekDays(weeks[0]!).from, toDay: weekDays(weeks[weeks.length - 1]!).to, totalFen: count * network.weeklyFeeFen };
}

/** 1 … the most weeks one payment may buy. */
export function weekChoices(network: Pick<Utilities['network'], 'maxWeeks'>): number[] {
  return Array.from({ length: network.maxWeeks }, (_, i) => i + 1);
}

export function isRoomId(text: string): boolean {
  return roomId.safeParse(text.trim()).success;
}

/** Yuan as typed (up to 2 decimals) to fen within the range the view gives; undefined if not. */
export function parseElectricityAmount(text: string, range: Utilities['electricity']): number | undefined {
  let fen: number;
  try {
    fen = parseYuan(text.trim());
  } catch {
    return undefined;
  }
  return fen >= range.minFen && fen <= range.maxFen ? fen : undefined;
}

/** A fresh id for one payment the holder confirms; kept for its retries. */
export function newRequestId(now: () => number = Date.now, random: () => number = Math.random): string {
  return `u${now().toString(36)}${Math.floor(random() * 36 ** 8).toString(36).padStart(8, '0')}`;
}

export type UtilityPhase =
  | { kind: 'paying' }
  | { kind: 'password' }
  | { kind: 'done'; result: UtilityPaymentResult }
  | { kind: 'cancelled' }
  | { kind: 'failed'; error: unknown };

export interface UtilityRunDeps {
  /** One try of the payment under the same request id (with the consumption password once asked). */
  pay: (consumptionPassword?: string) => Promise<UtilityPaymentResult>;
  /** Shows the password field; resolves with what was typed, or undefined if the holder cancelled. */
  askPassword: () => Promise<string | undefined>;
  poll: (receiptNo: string) => Promise<UtilityPayment>;
  sleep: (ms: number) => Promise<void>;
  onPhase: (phase: UtilityPhase) => void;
}

/** Runs one payment to its answer; a pending delivery is asked about `polls` times before the page leaves it to the server's retrier. */
export async function runUtilityPayment(deps: UtilityRunDeps, options: { polls?: number; pollMs?: number } = {}): Promise<UtilityPhase> {
  const finish = (phase: UtilityPhase) => (deps.onPhase(phase), phase);
  deps.onPhase({ kind: 'paying' });
  let result: UtilityPaymentResult;
  try {
    try {
      result = await deps.pay();
    } catch (error) {
      if (!(error instanceof ApiError) || error.code !== 'PASSWORD_REQUIRED') throw error;
      deps.onPhase({ kind: 'password' });
      const password = await deps.askPassword();
      if (password === undefined) return finish({ kind: 'cancelled' });
      deps.onPhase({ kind: 'paying' });
      result = await deps.pay(password);
    }
  } catch (error) {
    return finish({ kind: 'failed', error });
  }
  deps.onPhase({ kind: 'done', result });
  for (let i = 0; i < (options.polls ?? 5) && result.payment.delivery === 'pending'; i++) {
    await deps.sleep(options.pollMs ?? 2_000);
    const payment = await deps.poll(result.payment.receiptNo).catch(() => undefined);
    if (payment) result = { ...result, payment };
    deps.onPhase({ kind: 'done', result });
  }
  return { kind: 'done', result };
}

/** A failure whose outcome is unknown (no answer): the retry must be the same payment (same request id). */
export function outcomeUnknown(error: unknown): boolean {
  return error instanceof ApiError && (error.code === 'NETWORK' || error.code === 'BAD_RESPONSE' || error.status >= 500);
}
