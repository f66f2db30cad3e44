/**
 * Utility payments (DOMAIN.md, "Utility payments"), pure: the network fee bought by the ISO week
 * (Asia/Shanghai), at most a few weeks at a time, only by a student whose campus network account is
 * registered and active, never twice for the same week; and electricity for a dormitory room, any
 * payer, an amount in range. Both are paid from the balance to the utility's merchant payable and
 * then delivered to the outside system by an outbox (a pending `utility_delivery`), retried with
 * backoff until the system accepts it, or refunded when it finally refuses (docs/utilities.md).
 */
import { AppError } from '../app-error';
import { addWeeks, isIsoWeek, weeksFrom, type IsoWeek } from '../../shared/iso-week';
import type { CardType } from '../../shared/vocabulary';

/** Every utility number, in one place; the app shows what the utilities view sends. */
export const UTILITY_POLICY = {
  /** The merchants the money goes to (configuration: the campus's network centre and dormitory power office). */
  networkMerchantId: 'M006',
  electricityMerchantId: 'M007',
  /** The network fee for one ISO week. */
  networkWeeklyFeeFen: 1_000,
  /** At most this many weeks in one payment (DOMAIN.md: 4). */
  networkMaxWeeks: 4,
  /** An electricity payment's range. */
  electricityMinFen: 100,
  electricityMaxFen: 50_000,
  /** A failed delivery is tried again after this, doubling per attempt up to the cap. */
  deliveryRetryFirstSeconds: 60,
  deliveryRetryMaxSeconds: 60 * 60,
} as const;

export const UTILITY_SYSTEMS = ['network', 'electricity'] as const;
export type UtilitySystem = (typeof UTILITY_SYSTEMS)[number];

/** What the network system says of a student's account. */
export type NetworkAccountStatus = 'registered' | 'suspended' | 'unknown';

export { addWeeks, isIsoWeek, isoWeekOf, weekDays, weekMonday, weeksFrom, type IsoWeek } from '../../shared/iso-week';

/** The first week from the current one on that is not paid: where the next payment starts. */
export function firstUnpaidWeek(currentWeek: IsoWeek, paid: readonly IsoWeek[]): IsoWeek {
  const taken = new Set(paid);
  let week = currentWeek;
  while (taken.has(week)) week = addWeeks(week, 1);
  return week;
}

/** Who may buy network time: a student (DOMAIN.md) whose network account is registered and not suspended. */
export function assertNetworkEligible(cardType: CardType, status: NetworkAccountStatus): void {
  if (cardType !== 'student') throw new AppError('NETWORK_FEE_STUDENTS_ONLY', cardType);
  if (status === 'unknown') throw new AppError('NETWORK_ACCOUNT_NOT_REGISTERED', 'no campus network account');
  if (status === 'suspended') throw new AppError('NETWORK_ACCOUNT_SUSPENDED', 'network account suspended');
}

export interface NetworkFeeQuote {
  weeks: IsoWeek[];
  amountFen: number;
}

/**
 * The weeks a payment buys and what they cost. It starts at the first unpaid week (the one the
 * holder confirmed, `fromWeek`), covers 1 to the policy's most weeks, and never a week already
 * paid. Concurrency is not decided here: each week is one conditional item written with the money.
 */
export function quoteNetworkFee(input: { currentWeek: IsoWeek; paid: readonly IsoWeek[]; fromWeek: IsoWeek; weeks: number }): NetworkFeeQuote {
  assertNetworkRequest(input.fromWeek, input.weeks);
  const weeks = weeksFrom(input.fromWeek, input.weeks);
  const paid = new Set(input.paid);
  const twice = weeks.find((week) => paid.has(week));
  if (twice) throw new AppError('NETWORK_WEEK_ALREADY_PAID', `${twice} is paid`, { week: twice });
  const next = firstUnpaidWeek(input.currentWeek, input.paid);
  if (input.fromWeek !== next) throw new AppError('NETWORK_WEEK_NOT_NEXT', `${input.fromWeek} asked, ${next} is next`, { week: next });
  return { weeks, amountFen: input.weeks * UTILITY_POLICY.networkWeeklyFeeFen };
}

/** What a request can be refused for before anything is read: 1 to the most weeks, from a real week. */
export function assertNetworkRequest(fromWeek: string, weeks: number): void {
  const max = UTILITY_POLICY.networkMaxWeeks;
  if (!Number.isSafeInteger(weeks) || weeks < 1 || weeks > max) throw new AppError('NETWORK_WEEKS_OUT_OF_RANGE', String(weeks), { max });
  if (!isIsoWeek(fromWeek)) throw new AppError('VALIDATION_FAILED', `not an ISO week: ${fromWeek}`);
}

export function assertElectricityAmount(amountFen: number): void {
  const { electricityMinFen: min, electricityMaxFen: max } = UTILITY_POLICY;
  if (!Number.isSafeInteger(amountFen) || amountFen < min || amountFen > max) {
    throw new AppError('ELECTRICITY_AMOUNT_OUT_OF_RANGE', String(amountFen), { min: min / 100, max: max / 100 });
  }
}

/** After `attempts` failed deliveries, how long to wait before the next (doubling, capped). */
export function deliveryRetryDelaySeconds(attempts: number): number {
  const { deliveryRetryFirstSeconds: first, deliveryRetryMaxSeconds: cap } = UTILITY_POLICY;
  return Math.min(cap, first * 2 ** Math.max(0, Math.min(attempts - 1, 20)));
}

/** What the holder sees of a delivery: on its way, delivered, or refunded (rejected or timed out). */
export type UtilityDeliveryView = 'pending' | 'delivered' | 'refunded';
