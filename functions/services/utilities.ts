/**
 * Utility payments from the app (docs/utilities.md): the network fee by the week and electricity
 * for a dormitory room. The money (balance → the utility's payable) and the delivery intent (a
 * pending `utility_delivery`, and for the network fee one item per paid week) commit in one
 * movement; the system is then told right away, best-effort, and again by the scheduled retrier
 * while it is down. A delivery the system finally refuses, or one that never got through before its
 * timeout (cancelled at the system first, so it cannot land later), is refunded in the transaction
 * that settles it. Deliveries are idempotent on the payment's receipt number at the system.
 */
import { AppError } from '../app-error';
import type { Deps } from '../deps';
import { campusDay } from '../domain/campus-day';
import { holder, system } from '../domain/chart';
import { fingerprint } from '../domain/fingerprint';
import type { LedgerEntry } from '../domain/ledger';
import { planUtilityPayment, planUtilityRefund } from '../domain/movement-plans';
import { isDue, pendingOf } from '../domain/pending';
import {
  addWeeks,
  assertElectricityAmount,
  assertNetworkRequest,
  assertNetworkEligible,
  deliveryRetryDelaySeconds,
  firstUnpaidWeek,
  isoWeekOf,
  quoteNetworkFee,
  UTILITY_POLICY,
  weekDays,
  type IsoWeek,
  type NetworkAccountStatus,
  type NetworkFeeQuote,
  type UtilityDeliveryView,
  type UtilitySystem,
} from '../domain/utilities';
import { UtilitySystemUnavailable, type DeliveryState } from '../payments/utility-system';
import { getAccount } from '../store/accounts';
import { getLedgerEntry } from '../store/ledger';
import { getMerchant } from '../store/terminals';
import { answerAsOriginal, type MovementResult } from '../store/movements';
import {
  getUtilityDelivery,
  listAccountDeliveries,
  listOpenDeliveries,
  listPaidNetworkWeeks,
  networkWeekDelete,
  networkWeekPut,
  noteDeliveryAttempt,
  resolveDelivery,
  resolveDeliveryItem,
  utilityDeliveryPut,
  type UtilityDelivery,
} from '../store/utilities';
import { verifyHolderPassword } from './passwords';

type UtilityDeps = Pick<Deps, 'db' | 'clock' | 'movements' | 'network' | 'electricity' | 'logger'>;

/** How far back the app is shown paid weeks. */
const PAID_WEEKS_SHOWN_BACK = 8;
/** How many recent payments the app is shown. */
const RECENT_PAYMENTS = 20;
/** The delivery tried inside the holder's request waits at most this long for the system. */
const IN_REQUEST_DELIVERY_TIMEOUT_MS = 3_000;

export interface UtilityPaymentView {
  receiptNo: string;
  system: UtilitySystem;
  amountFen: number;
  weeks?: IsoWeek[];
  roomId?: string;
  delivery: UtilityDeliveryView;
  createdAt: string;
  refundReceiptNo?: string;
}

export interface UtilityPaymentResult {
  payment: UtilityPaymentView;
  balanceFen: number;
  replayed: boolean;
}

export function paymentView(delivery: UtilityDelivery): UtilityPaymentView {
  return {
    receiptNo: delivery.deliveryId,
    system: delivery.system,
    amountFen: delivery.amountFen,
    ...(delivery.weeks ? { weeks: delivery.weeks } : {}),
    ...(delivery.roomId ? { roomId: delivery.roomId } : {}),
    delivery: delivery.state === 'pending' ? 'pending' : delivery.state === 'posted' ? 'delivered' : 'refunded',
    createdAt: delivery.createdAt,
    ...(delivery.refundReceiptNo ? { refundReceiptNo: delivery.refundReceiptNo } : {}),
  };
}

async function readAccount(deps: UtilityDeps, accountNo: string) {
  const account = await getAccount(deps.db, accountNo);
  if (!account) throw new AppError('ACCOUNT_NOT_FOUND', accountNo);
  return account;
}

/** The money goes to the utility's merchant: one the card centre has and has not suspended (a deployment without it takes nothing). */
async function assertMerchantOpen(deps: UtilityDeps, merchantId: string): Promise<void> {
  const merchant = await getMerchant(deps.db, merchantId);
  if (!merchant || merchant.status !== 'active') throw new AppError('UTILITY_MERCHANT_UNAVAILABLE', `merchant ${merchantId} is ${merchant?.status ?? 'missing'}`);
}

async function networkStatus(deps: UtilityDeps, studentId: string): Promise<NetworkAccountStatus> {
  const network = await deps.network();
  if (!network) throw new AppError('NETWORK_SYSTEM_UNAVAILABLE', 'no network system configured');
  try {
    return await network.accountStatus(studentId);
  } catch (error) {
    if (error instanceof UtilitySystemUnavailable) throw new AppError('NETWORK_SYSTEM_UNAVAILABLE', error.message);
    throw error;
  }
}

/** What the 缴费 page shows: the network account and its paid weeks, the next week and the price; electricity's range; recent payments. */
export async function utilitiesView(deps: UtilityDeps, accountNo: string) {
  const account = await readAccount(deps, accountNo);
  const currentWeek = isoWeekOf(campusDay(deps.clock()));
  let status: NetworkAccountStatus | 'not_student' | 'unavailable' = 'not_student';
  if (account.cardType === 'student') status = await networkStatus(deps, account.personId).catch((error: unknown) => (error instanceof AppError ? 'unavailable' : Promise.reject(error)));
  const [paid, deliveries] = await Promise.all([listPaidNetworkWeeks(deps.db, accountNo), listAccountDeliveries(deps.db, accountNo, RECENT_PAYMENTS)]);
  const shownFrom = addWeeks(currentWeek, -PAID_WEEKS_SHOWN_BACK);
  return {
    network: {
      status,
      eligible: status === 'registered',
      currentWeek,
      nextWeek: firstUnpaidWeek(currentWeek, paid.map((p) => p.week)),
      weeklyFeeFen: UTILITY_POLICY.networkWeeklyFeeFen,
      maxWeeks: UTILITY_POLICY.networkMaxWeeks,
      paidWeeks: paid
        .filter((p) => p.week >= shownFrom)
        .sort((a, b) => a.week.localeCompare(b.week))
        .map((p) => ({ week: p.week, ...weekDays(p.week), receiptNo: p.receiptNo })),
    },
    electricity: { minFen: UTILITY_POLICY.electricityMinFen, maxFen: UTILITY_POLICY.electricityMaxFen },
    payments: deliveries.map(paymentView),
  };
}

export interface NetworkFeeRequest {
  requestId: string;
  fromWeek: IsoWeek;
  weeks: number;
  consumptionPassword?: string;
}

/** Pays `weeks` network weeks from `fromWeek` (the first unpaid one, as the holder confirmed it). */
export async function payNetworkFee(deps: UtilityDeps, accountNo: string, request: NetworkFeeRequest): Promise<UtilityPaymentResult> {
  assertNetworkRequest(request.fromWeek, request.weeks);
  const account = await readAccount(deps, accountNo);
  const idempotencyKey = `utility#${accountNo}#${request.requestId}`;
  // Never the password: a retry that adds it after PASSWORD_REQUIRED is the same payment.
  const print = fingerprint({ type: 'utility_payment', system: 'network', accountNo, fromWeek: request.fromWeek, weeks: request.weeks });
  const merchantId = UTILITY_POLICY.networkMerchantId;
  let verified = false;
  try {
    await assertMerchantOpen(deps, merchantId);
    assertNetworkEligible(account.cardType, account.cardType === 'student' ? await networkStatus(deps, account.personId) : 'unknown');
    if (request.consumptionPassword !== undefined) verified = !!(await verifyHolderPassword(deps, accountNo, 'consumption', request.consumptionPassword));
  } catch (error) {
    // A retry of a payment already made answers as it did, whatever the network system says now.
    return resultOf(deps, await answerAsOriginal(deps.db, idempotencyKey, print, error));
  }
  let quote: NetworkFeeQuote | undefined;
  const posted = await deps.movements.post({
    accountNo,
    idempotencyKey,
    fingerprint: print,
    plan: async (current, today) => {
      const paid = (await listPaidNetworkWeeks(deps.db, accountNo)).map((p) => p.week);
      quote = quoteNetworkFee({ currentWeek: isoWeekOf(today), paid, fromWeek: request.fromWeek, weeks: request.weeks });
      const last = quote.weeks[quote.weeks.length - 1]!;
      return planUtilityPayment(
        current,
        {
          amountFen: quote.amountFen,
          channel: 'app',
          externalRef: request.requestId,
          merchantId,
          reason: `网费 ${quote.weeks[0]}${last !== quote.weeks[0] ? ` – ${last}` : ''}`,
          consumptionPasswordVerified: verified,
        },
        today,
      );
    },
    // Each week is one conditional item with the money: a concurrent payment of the same week loses here.
    alsoWrite: (entry) => [
      ...quote!.weeks.map((week) => ({
        item: { Put: networkWeekPut(deps.db, { accountNo, week, receiptNo: entry.receiptNo, paidAt: entry.createdAt }) },
        onConflict: () => new AppError('NETWORK_WEEK_ALREADY_PAID', `${week} was paid meanwhile`, { week }),
      })),
      { item: { Put: utilityDeliveryPut(deps.db, deliveryOf(entry, 'network', { studentId: account.personId, weeks: quote!.weeks })) }, onConflict: () => 'retry' as const },
    ],
  });
  return afterPayment(deps, posted);
}

export interface ElectricityRequest {
  requestId: string;
  roomId: string;
  amountFen: number;
  consumptionPassword?: string;
}

/**
 * Pays electricity into a room. The room is checked with the power system when it answers (unknown
 * or closed is refused); while the system is down the payment is taken and delivered later, and a
 * room the system then refuses is refunded.
 */
export async function payElectricity(deps: UtilityDeps, accountNo: string, request: ElectricityRequest): Promise<UtilityPaymentResult> {
  assertElectricityAmount(request.amountFen);
  await readAccount(deps, accountNo);
  const idempotencyKey = `utility#${accountNo}#${request.requestId}`;
  const print = fingerprint({ type: 'utility_payment', system: 'electricity', accountNo, roomId: request.roomId, amountFen: request.amountFen });
  const electricity = await deps.electricity();
  const merchantId = UTILITY_POLICY.electricityMerchantId;
  let verified = false;
  try {
    await assertMerchantOpen(deps, merchantId);
    if (!electricity) throw new AppError('ELECTRICITY_SYSTEM_UNAVAILABLE', 'no electricity system configured');
    const room = await electricity.roomStatus(request.roomId).catch((error: unknown) => (error instanceof UtilitySystemUnavailable ? undefined : Promise.reject(error)));
    if (room === 'unknown') throw new AppError('ELECTRICITY_ROOM_UNKNOWN', request.roomId);
    if (room === 'closed') throw new AppError('ELECTRICITY_ROOM_CLOSED', request.roomId);
    if (request.consumptionPassword !== undefined) verified = !!(await verifyHolderPassword(deps, accountNo, 'consumption', request.consumptionPassword));
  } catch (error) {
    return resultOf(deps, await answerAsOriginal(deps.db, idempotencyKey, print, error));
  }
  const posted = await deps.movements.post({
    accountNo,
    idempotencyKey,
    fingerprint: print,
    plan: (current, today) =>
      planUtilityPayment(
        current,
        { amountFen: request.amountFen, channel: 'app', externalRef: request.requestId, merchantId, reason: `电费 ${request.roomId}`, consumptionPasswordVerified: verified },
        today,
      ),
    alsoWrite: (entry) => [{ item: { Put: utilityDeliveryPut(deps.db, deliveryOf(entry, 'electricity', { roomId: request.roomId })) }, onConflict: () => 'retry' as const }],
  });
  return afterPayment(deps, posted);
}

/** The outbox record a payment writes with its money: pending until the system has it. */
function deliveryOf(entry: LedgerEntry, utility: UtilitySystem, what: Pick<UtilityDelivery, 'studentId' | 'weeks' | 'roomId'>): UtilityDelivery {
  const merchantId = entry.merchantId!;
  const pending = pendingOf('utility_delivery', { debit: holder.balance(entry.accountNo), credit: system.merchantPayable(merchantId), amountFen: entry.amountFen }, new Date(entry.createdAt));
  return {
    ...pending,
    deliveryId: entry.receiptNo,
    system: utility,
    accountNo: entry.accountNo,
    merchantId,
    amountFen: entry.amountFen,
    ...what,
    attempts: 0,
    nextAttemptAt: entry.createdAt,
  };
}

/** The first delivery try happens in the request (best-effort, short): the answer says delivered or pending. */
async function afterPayment(deps: UtilityDeps, posted: MovementResult): Promise<UtilityPaymentResult> {
  const delivery = await getUtilityDelivery(deps.db, posted.entry.receiptNo);
  if (!delivery) throw new Error(`payment ${posted.entry.receiptNo} has no delivery record`);
  if (delivery.state === 'pending' && delivery.nextAttemptAt <= deps.clock().toISOString()) {
    await deliverUtility(deps, delivery, IN_REQUEST_DELIVERY_TIMEOUT_MS).catch((error: unknown) =>
      deps.logger.warn('utility delivery in the request failed; the retrier will try again', { delivery: delivery.deliveryId, error: String(error) }),
    );
  }
  return resultOf(deps, posted);
}

async function resultOf(deps: UtilityDeps, posted: MovementResult): Promise<UtilityPaymentResult> {
  const delivery = await getUtilityDelivery(deps.db, posted.entry.receiptNo);
  if (!delivery) throw new Error(`payment ${posted.entry.receiptNo} has no delivery record`);
  return { payment: paymentView(delivery), balanceFen: posted.entry.after.balanceFen, replayed: posted.replayed };
}

/** One of the holder's own payments (poll this while its delivery is pending). */
export async function holderUtilityPayment(deps: UtilityDeps, accountNo: string, receiptNo: string): Promise<UtilityPaymentView> {
  const delivery = await getUtilityDelivery(deps.db, receiptNo);
  if (!delivery || delivery.accountNo !== accountNo) throw new AppError('UTILITY_PAYMENT_NOT_FOUND', receiptNo);
  return paymentView(delivery);
}

export type DeliveryOutcome = 'delivered' | 'refunded' | 'retrying' | 'settled';

/**
 * One try at a pending delivery. Before its timeout: deliver (idempotent at the system). After it:
 * cancel at the system first, which either bars the id (then refund: it can never land later) or
 * says it landed after all (then it is delivered). A refusal is refunded; no answer is retried later.
 */
export async function deliverUtility(deps: UtilityDeps, delivery: UtilityDelivery, timeoutMs?: number): Promise<DeliveryOutcome> {
  const now = deps.clock();
  let state: DeliveryState;
  try {
    const adapter = await deliveryAdapter(deps, delivery);
    state = isDue(delivery, now) ? await adapter.cancel(delivery.deliveryId) : await withTimeout(adapter.deliver(), timeoutMs);
  } catch (error) {
    if (!(error instanceof UtilitySystemUnavailable)) throw error;
    const attempts = delivery.attempts + 1;
    const nextAttemptAt = new Date(now.getTime() + deliveryRetryDelaySeconds(attempts) * 1000).toISOString();
    return (await noteDeliveryAttempt(deps.db, delivery.deliveryId, { attempts, nextAttemptAt, lastError: error.message })) ? 'retrying' : 'settled';
  }
  const at = now.toISOString();
  if (state.state === 'delivered') {
    return (await resolveDelivery(deps.db, delivery.deliveryId, 'posted', at, { resolution: 'delivered', set: { systemRef: state.systemRef } })) ? 'delivered' : 'settled';
  }
  return refundDelivery(deps, delivery, state.state === 'rejected' ? { to: 'voided', resolution: state.reason } : { to: 'expired', resolution: 'timeout' });
}

/** The system a delivery goes to, with the delivery's own payload bound. */
async function deliveryAdapter(deps: UtilityDeps, delivery: UtilityDelivery): Promise<{ deliver(): Promise<DeliveryState>; cancel(id: string): Promise<DeliveryState> }> {
  const { deliveryId, amountFen } = delivery;
  if (delivery.system === 'network') {
    const network = await deps.network();
    if (!network) throw new UtilitySystemUnavailable('no network system configured');
    return { deliver: () => network.deliver({ deliveryId, amountFen, studentId: delivery.studentId!, weeks: delivery.weeks! }), cancel: (id) => network.cancel(id) };
  }
  const electricity = await deps.electricity();
  if (!electricity) throw new UtilitySystemUnavailable('no electricity system configured');
  return { deliver: () => electricity.deliver({ deliveryId, amountFen, roomId: delivery.roomId! }), cancel: (id) => electricity.cancel(id) };
}

/** The whole payment back to the balance, committed with the delivery's settlement (and, for the network fee, its weeks freed). */
async function refundDelivery(deps: UtilityDeps, delivery: UtilityDelivery, how: { to: 'voided' | 'expired'; resolution: string }): Promise<DeliveryOutcome> {
  const payment = await getLedgerEntry(deps.db, delivery.accountNo, delivery.deliveryId);
  if (!payment) throw new Error(`delivery ${delivery.deliveryId} has no payment entry`);
  try {
    await deps.movements.post({
      accountNo: delivery.accountNo,
      idempotencyKey: `utilityrefund#${delivery.deliveryId}`,
      fingerprint: fingerprint({ type: 'refund', of: delivery.deliveryId, amountFen: delivery.amountFen }),
      plan: (account, today) =>
        planUtilityRefund(
          account,
          {
            amountFen: delivery.amountFen,
            channel: 'app',
            externalRef: delivery.deliveryId,
            merchantId: delivery.merchantId,
            reason: `${delivery.system === 'network' ? '网费' : '电费'}未能送达，已退款（${how.resolution}）`,
            payment,
          },
          today,
        ),
      alsoWrite: (entry) => [
        {
          item: resolveDeliveryItem(deps.db, delivery.deliveryId, how.to, entry.createdAt, { resolution: how.resolution, set: { refundReceiptNo: entry.receiptNo } }),
          onConflict: () => new AppError('UTILITY_DELIVERY_SETTLED', delivery.deliveryId),
        },
        ...(delivery.weeks ?? []).map((week) => ({ item: { Delete: networkWeekDelete(deps.db, delivery.accountNo, week, delivery.deliveryId) }, onConflict: () => 'retry' as const })),
      ],
    });
  } catch (error) {
    if (error instanceof AppError && error.code === 'UTILITY_DELIVERY_SETTLED') return 'settled';
    throw error;
  }
  return 'refunded';
}

function withTimeout<T>(promise: Promise<T>, ms: number | undefined): Promise<T> {
  if (ms === undefined) return promise;
  return new Promise<T>((resolve, reject) => {
    const timer = setTimeout(() => reject(new UtilitySystemUnavailable(`no answer within ${ms} ms`)), ms);
    promise.then(
      (value) => (clearTimeout(timer), resolve(value)),
      (error: unknown) => (clearTimeout(timer), reject(error)),
    );
  });
}

export interface DeliveryRunReport {
  checked: number;
  delivered: number;
  refunded: number;
  retrying: number;
  /** Open, but their next try is not due yet (backoff). */
  waiting: number;
  failures: { delivery: string; error: string }[];
}

/** The scheduled retrier: every pending delivery whose next try (or timeout) has come, once each. */
export async function deliverPendingUtilities(deps: UtilityDeps): Promise<DeliveryRunReport> {
  const now = deps.clock();
  const report: DeliveryRunReport = { checked: 0, delivered: 0, refunded: 0, retrying: 0, waiting: 0, failures: [] };
  for (const delivery of await listOpenDeliveries(deps.db)) {
    report.checked++;
    if (delivery.nextAttemptAt > now.toISOString() && !isDue(delivery, now)) {
      report.waiting++;
      continue;
    }
    try {
      const outcome = await deliverUtility(deps, delivery);
      if (outcome !== 'settled') report[outcome]++;
    } catch (error) {
      report.failures.push({ delivery: delivery.deliveryId, error: error instanceof Error ? error.message : String(error) });
    }
  }
  return report;
}
