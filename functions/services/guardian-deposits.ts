/**
 * Guardian deposits (issue 18): a parent pays into a holder's account from their own WeChat Pay or
 * Alipay, with the holder's id and name and no binding. The deposit is a top-up order (topups.ts)
 * that carries its payer, so it is paid, credited, reconciled and given back exactly as a top-up
 * is; what is its own: the find-and-confirm look-up (counted per caller, one refusal for every
 * mismatch), the payer's identity, and the daily cap per payer, counted in the order's transaction.
 */
import { createHash } from 'node:crypto';
import type { z } from 'zod';
import type { guardianDepositView } from '../../shared/api/guardian';
import { formatYuan } from '../../shared/money';
import { AppError } from '../app-error';
import { alipayOauthToken, wechatCode2Session, type WechatLoginConfig } from '../auth/platform-login';
import type { Deps } from '../deps';
import type { Account } from '../domain/account';
import { campusDay } from '../domain/campus-day';
import {
  assertWithinGuardianCap,
  canReceiveDeposit,
  guardianCapReached,
  GUARDIAN_LOOKUP_LIMIT,
  maskedNameOf,
  nameMatches,
  roomBeforeFen,
  type GuardianPayer,
} from '../domain/guardian';
import { fingerprint } from '../domain/fingerprint';
import type { LedgerEntry } from '../domain/ledger';
import { planDepositRefund } from '../domain/movement-plans';
import type { Actor } from '../domain/staff';
import { assertTopupAmount, type TopupOrder } from '../domain/topup';
import type { AlipayConfig } from '../payments/alipay';
import { PlatformCallFailed, type CreateTopupResult, type PaymentChannelName } from '../payments/channel';
import { readConfigJson } from '../payments/channels';
import { findAccountByPersonId, getAccount } from '../store/accounts';
import {
  countGuardianLookup,
  depositedToday,
  depositRefundOnOrderItem,
  getGuardianRefund,
  guardianCapItem,
  guardianRefundPut,
  isGuardianCapRefusal,
  listOpenGuardianRefunds,
  markGuardianRefunded,
  releaseGuardianCap,
} from '../store/guardian-deposits';
import type { MovementResult } from '../store/movements';
import { yuanParam } from '../../shared/errors';
import { loggedMovements } from './admin/action-log';
import { getOrder } from '../store/orders';
import { getPolicy } from '../store/policy';
import { createTopupOrder, refreshOrder } from './topups';

type GuardianDeps = Pick<Deps, 'db' | 'clock' | 'movements' | 'logger' | 'payments' | 'config'>;

export type GuardianDepositView = z.infer<typeof guardianDepositView>;

/** Who is asking, for the look-up counter: the caller's address (no session, no payer yet). */
export function lookupSubject(sourceIp: string): string {
  return `ip:${sourceIp || 'unknown'}`;
}

const lookupLocked = (subject: string) => new AppError('GUARDIAN_LOOKUP_LOCKED', subject, { minutes: GUARDIAN_LOOKUP_LIMIT.lockMinutes });

/**
 * The account the payer named, or the one refusal: the try is counted first, then every check runs
 * (an unknown id, another name, a closed or expired account look the same), and the answer is the
 * same whichever failed.
 */
async function confirmedAccount(deps: Pick<Deps, 'db' | 'clock'>, subject: string, personId: string, name: string): Promise<Account> {
  const attempt = await countGuardianLookup(deps.db, subject, deps.clock());
  if (attempt.outcome !== 'counted') throw lookupLocked(subject);
  const account = await findAccountByPersonId(deps.db, personId);
  const matches = account !== undefined && nameMatches(name, account.holderName);
  if (account && matches && canReceiveDeposit(account)) return account;
  // The try that set the lock is refused as locked: the next ones will be.
  if (attempt.setLock) throw lookupLocked(subject);
  throw new AppError('GUARDIAN_HOLDER_NOT_FOUND', `${subject} asked for ${personId}`);
}

export async function confirmGuardianHolder(deps: Pick<Deps, 'db' | 'clock'>, subject: string, request: { personId: string; name: string }): Promise<{ maskedName: string }> {
  const account = await confirmedAccount(deps, subject, request.personId, request.name);
  return { maskedName: maskedNameOf(account) };
}

/**
 * Who pays: the platform's own user from a login code (wx.login / my.getAuthCode); without one (H5
 * in a browser) a stand-in made from the caller's address, so the cap still counts per payer, and
 * the payment's own payer is recorded when the platform reports it.
 */
async function payerOf(deps: GuardianDeps, channel: PaymentChannelName, loginCode: string | undefined, subject: string, label: string): Promise<GuardianPayer> {
  if (!loginCode) {
    const standIn = `ip-${createHash('sha256').update(subject).digest('hex').slice(0, 24)}`;
    return { platform: channel, payerId: standIn, identifiedBy: 'address', label };
  }
  const payerId =
    channel === 'wechat'
      ? await wechatCode2Session(await requiredConfig<WechatLoginConfig>(deps, 'WECHAT_LOGIN_CONFIG'), loginCode)
      : await alipayOauthToken(await requiredConfig<AlipayConfig>(deps, 'ALIPAY_CONFIG'), deps.clock, loginCode);
  return { platform: channel, payerId, identifiedBy: 'login', label };
}

async function requiredConfig<T>(deps: GuardianDeps, name: string): Promise<T> {
  const value = await readConfigJson<T>(deps.config, name);
  if (!value) throw new AppError('LOGIN_PLATFORM_UNAVAILABLE', `${name} is not configured`);
  return value;
}

export async function createGuardianDeposit(
  deps: GuardianDeps,
  subject: string,
  request: { personId: string; name: string; amountFen: number; channel: PaymentChannelName; payerLabel: string; loginCode?: string | undefined },
): Promise<{ deposit: GuardianDepositView; payment: CreateTopupResult }> {
  // The account's own top-up limits, before anything is counted: a bad amount is no look-up.
  assertTopupAmount(request.amountFen, request.channel);
  const account = await confirmedAccount(deps, subject, request.personId, request.name);
  const payer = await payerOf(deps, request.channel, request.loginCode, subject, request.payerLabel);
  const now = deps.clock();
  const day = campusDay(now);
  const { guardianDailyCapFen: capFen } = await getPolicy(deps.db);
  const counted = { channel: request.channel, payerId: payer.payerId, campusDay: day, amountFen: request.amountFen };
  // Never fits, whatever was ordered today: refused without a write (saying what is left today).
  if (roomBeforeFen(request.amountFen, capFen) < 0) assertWithinGuardianCap(await depositedToday(deps.db, counted.channel, counted.payerId, day), request.amountFen, capFen);
  let created: Awaited<ReturnType<typeof createTopupOrder>>;
  try {
    created = await createTopupOrder(
      deps,
      account.accountNo,
      { amountFen: request.amountFen, channel: request.channel, payerId: payer.payerId, guardian: payer },
      {
        alsoWrite: [guardianCapItem(deps.db, { ...counted, roomBeforeFen: roomBeforeFen(request.amountFen, capFen), now })],
        description: `校园卡充值（${payer.label}代充） ${formatYuan(request.amountFen)} 元`,
      },
    );
  } catch (error) {
    // The order is item 0 of its transaction, the cap item 1.
    if (isGuardianCapRefusal(error, 1)) throw guardianCapReached(await depositedToday(deps.db, counted.channel, counted.payerId, day), capFen);
    // The platform could not be asked: the order was voided before anyone could pay it, so it takes no room.
    if (error instanceof AppError && error.code === 'PAYMENT_CHANNEL_UNAVAILABLE' && (await deps.payments())[request.channel]) await releaseGuardianCap(deps.db, counted);
    throw error;
  }
  deps.logger.info('guardian deposit ordered', { orderId: created.order.orderId, accountNo: account.accountNo, channel: request.channel, amountFen: request.amountFen, identifiedBy: payer.identifiedBy });
  return { deposit: await depositView(deps, created.order, account), payment: created.payment };
}

/** The payer's receipt: masked name and where the deposit stands (the platform is asked while it is pending). */
export async function guardianDeposit(deps: GuardianDeps, orderId: string): Promise<GuardianDepositView> {
  const order = await getOrder(deps.db, orderId);
  if (!order?.guardian) throw new AppError('GUARDIAN_DEPOSIT_NOT_FOUND', orderId);
  const fresh = await refreshOrder(deps, order);
  return depositView(deps, fresh, await getAccount(deps.db, fresh.accountNo));
}

async function depositView(deps: Pick<Deps, 'db'>, order: TopupOrder, account: Pick<Account, 'holderName'> | undefined): Promise<GuardianDepositView> {
  if (order.channel === 'bank' || !order.guardian) throw new Error(`order ${order.orderId} is not a guardian deposit`);
  const refunded = order.status === 'paid' ? await getGuardianRefund(deps.db, order.orderId) : undefined;
  // The card centre's refund of a credited deposit, else the order's own (a payment that could not be credited).
  const given = refunded ?? order.refund;
  const refund = given ? { amountFen: given.amountFen, requestedAt: given.requestedAt, ...(given.refundedAt ? { refundedAt: given.refundedAt } : {}) } : undefined;
  const status = refunded ? (refunded.state === 'refunded' ? 'refunded' : 'refund_pending') : order.status;
  return {
    orderId: order.orderId,
    channel: order.channel,
    amountFen: order.amountFen,
    maskedName: account ? maskedNameOf(account) : '*',
    payerLabel: order.guardian.label,
    status,
    createdAt: order.createdAt,
    payBy: order.payBy,
    ...(order.paidAt ? { paidAt: order.paidAt } : {}),
    ...(refund ? { refund } : {}),
  };
}

/** A ledger entry that credited a guardian deposit: the card centre's refund of it goes to the payer (refunds.ts). */
export function isGuardianDepositEntry(entry: LedgerEntry): boolean {
  return (entry.type === 'topup' || entry.type === 'transitional_credit') && entry.guardianLabel !== undefined && entry.orderId !== undefined;
}

/** The deposit's one refund number on the platform (WeChat out_refund_no, Alipay out_request_no): every retry is the same refund. */
export function guardianRefundIdOf(orderId: string): string {
  return `G${orderId}`;
}

type DepositRefundDeps = Pick<Deps, 'db' | 'clock' | 'movements' | 'payments' | 'logger'>;

/**
 * The card centre gives a guardian deposit back to its payer, never to the holder: the whole deposit
 * leaves the holder's balance (a deposit_refund entry, back through the platform's clearing) in one
 * transaction with the refund's record and its mark on the order (the intent, at most one per
 * deposit), then the platform is asked to refund the payment it took. A platform that cannot answer
 * now leaves the refund requested: the reconciler asks again with the same refund number.
 */
export async function refundGuardianDeposit(
  deps: DepositRefundDeps,
  actor: Actor,
  body: { refundId: string; receiptNo: string; amountFen: number; reason: string },
  deposit: LedgerEntry,
): Promise<MovementResult> {
  const order = deposit.orderId ? await getOrder(deps.db, deposit.orderId) : undefined;
  const guardian = order?.guardian;
  if (!order || !guardian || order.channel === 'bank' || order.status !== 'paid' || !order.platformTxnId || order.receiptNo !== deposit.receiptNo) {
    throw new AppError('REFUND_NOT_ALLOWED', `${deposit.receiptNo} is not a paid guardian deposit`);
  }
  if (body.amountFen !== deposit.amountFen) throw new AppError('GUARDIAN_REFUND_WHOLE_DEPOSIT', `${body.amountFen} of ${deposit.amountFen}`, { amount: yuanParam(deposit.amountFen) });
  const channel = order.channel;
  const platformTxnId = order.platformTxnId;
  const refundId = guardianRefundIdOf(order.orderId);
  const logged = loggedMovements(deps, actor, (entry) => ({
    action: 'refund.guardian_deposit',
    target: `account:${entry.accountNo}`,
    reason: body.reason,
    details: { receiptNo: body.receiptNo, refundReceiptNo: entry.receiptNo, amountFen: entry.amountFen, orderId: order.orderId, payer: guardian.label, channel },
  }));
  const result = await logged.movements.post({
    accountNo: order.accountNo,
    idempotencyKey: `refund#card_centre#${body.refundId}`,
    fingerprint: fingerprint({ type: 'deposit_refund', receiptNo: body.receiptNo, amountFen: body.amountFen }),
    plan: async (account, today) => {
      // Given back already: said as such, not as the empty balance it left (a re-plan reads it again).
      if (await getGuardianRefund(deps.db, order.orderId)) throw new AppError('REFUND_EXCEEDS_PURCHASE', `${order.orderId} was given back already`);
      return planDepositRefund(
        account,
        { amountFen: deposit.amountFen, channel, externalRef: refundId, orderId: order.orderId, refundOf: deposit.receiptNo, guardianLabel: guardian.label, reason: body.reason, operator: actor.username },
        today,
      );
    },
    alsoWrite: (entry) => [
      {
        item: {
          Put: guardianRefundPut(deps.db, {
            orderId: order.orderId,
            accountNo: order.accountNo,
            refundId,
            amountFen: deposit.amountFen,
            channel,
            platformTxnId,
            reason: body.reason,
            operator: actor.username,
            state: 'requested',
            receiptNo: entry.receiptNo,
            requestedAt: entry.createdAt,
          }),
        },
        // Given back already (under another card-centre refund id): a deposit goes back once.
        onConflict: () => new AppError('REFUND_EXCEEDS_PURCHASE', `${order.orderId} was given back already`),
      },
      { item: depositRefundOnOrderItem(deps.db, order.orderId, { refundId, amountFen: deposit.amountFen }), onConflict: () => new AppError('REFUND_NOT_ALLOWED', order.orderId) },
    ],
  });
  await finishGuardianRefund(deps, order.orderId).catch((error: unknown) => {
    if (!(error instanceof PlatformCallFailed)) throw error;
    deps.logger.warn('guardian refund not made yet: the reconciler asks again', { orderId: order.orderId, error: error.message });
  });
  return result;
}

/**
 * Asks the platform for a requested refund (again: the same refund number, so at most one) and
 * marks it refunded once the platform says so. Throws PlatformCallFailed when it cannot say.
 */
export async function finishGuardianRefund(deps: Pick<Deps, 'db' | 'clock' | 'payments' | 'logger'>, orderId: string): Promise<'requested' | 'refunded'> {
  const refund = await getGuardianRefund(deps.db, orderId);
  if (!refund) throw new Error(`no guardian refund for ${orderId}`);
  if (refund.state === 'refunded') return 'refunded';
  const channel = (await deps.payments())[refund.channel];
  if (!channel) throw new PlatformCallFailed(refund.channel, 'not configured');
  const answer = await channel.refund({
    orderId,
    refundId: refund.refundId,
    platformTxnId: refund.platformTxnId,
    amountFen: refund.amountFen,
    paidFen: refund.amountFen,
    reason: '校园卡家长充值原路退回',
  });
  if (answer.state === 'processing') return 'requested';
  await markGuardianRefunded(deps.db, orderId, { refundedAt: answer.refundedAt ?? deps.clock().toISOString(), ...(answer.platformRefundId ? { platformRefundId: answer.platformRefundId } : {}) });
  deps.logger.info('guardian deposit refunded to its payer', { orderId, refundId: refund.refundId, amountFen: refund.amountFen });
  return 'refunded';
}

/** The reconciler's share: every requested guardian refund asked for again. */
export async function finishOpenGuardianRefunds(deps: Pick<Deps, 'db' | 'clock' | 'payments' | 'logger'>): Promise<{ refunded: number; pending: number; failed: { orderId: string; code: string }[] }> {
  const report = { refunded: 0, pending: 0, failed: [] as { orderId: string; code: string }[] };
  for (const refund of await listOpenGuardianRefunds(deps.db)) {
    try {
      if ((await finishGuardianRefund(deps, refund.orderId)) === 'refunded') report.refunded++;
      else report.pending++;
    } catch (error) {
      if (!(error instanceof PlatformCallFailed)) throw error;
      deps.logger.warn('guardian refund not made yet', { orderId: refund.orderId, error: error.message });
      report.failed.push({ orderId: refund.orderId, code: 'PAYMENT_CHANNEL_UNAVAILABLE' });
    }
  }
  return report;
}
