/**
 * Automatic reload (issue 18 item 2; docs/auto-reload.md): the holder signs a recurring-debit
 * agreement at the platform and sets a threshold (the account's low-balance threshold, the one the
 * outbox already crosses) and an amount. The `auto_reload` outbox subscriber acts on `low_balance`
 * events: under an active agreement it records a top-up order (the intent, with the day's count,
 * in one transaction) and then asks the platform to deduct; the platform's payment notification (or
 * the reconciler's query) credits it through the top-up path (services/topups.ts), exactly once.
 * Nothing here is on the money path: the payment that crossed the threshold has long committed.
 */
import { formatYuan } from '../../shared/money';
import { yuanParam } from '../../shared/errors';
import { AppError } from '../app-error';
import type { Deps } from '../deps';
import { autoReloadBounds, decideReload, newAgreementCode, reloadOrderId, settingsWithinBounds, type AgreementCanceller, type AutoReloadAgreement, type AutoReloadBounds } from '../domain/auto-reload';
import type { Actor } from '../domain/staff';
import { campusDay } from '../domain/campus-day';
import type { DeliveryOutcome, OutboxEvent, OutboxSubscriber } from '../domain/outbox';
import { newOrder, topupPurse } from '../domain/topup';
import { NotificationRejected, PlatformCallFailed, type AgreementChannel, type AgreementSigning, type IncomingNotification, type NotificationAnswer, type PaymentChannel, type PaymentChannelName } from '../payments/channel';
import { getAccount } from '../store/accounts';
import { accountOfAgreementCode, getAgreement, moveAgreement, putSigningAgreement, reloadDayItem, reloadsOn, setAgreementAmount } from '../store/agreements';
import { conditionFailedAt } from '../store/conditions';
import { setLowBalanceAlert } from '../store/notification-prefs';
import { closeOrder, createOrder } from '../store/orders';
import { reloadRefusalOutbox } from '../store/outbox';
import { getPolicy } from '../store/policy';
import { withVersionRetry } from '../store/version-retry';
import { actionLogPut } from './admin/action-log';

type AutoReloadDeps = Pick<Deps, 'db' | 'clock' | 'logger' | 'payments' | 'config'>;

export const AUTO_RELOAD_SUBSCRIBER = 'auto_reload';

export interface AutoReloadView {
  status: 'none' | AutoReloadAgreement['status'];
  channel: PaymentChannelName | null;
  thresholdFen: number | null;
  amountFen: number | null;
  reloadsToday: number;
  dailyMax: number;
  bounds: { minAmountFen: number; maxAmountFen: number; minThresholdFen: number; maxThresholdFen: number };
}

export interface AdminAutoReloadView extends AutoReloadView {
  agreementCode: string | null;
  createdAt: string | null;
  signedAt: string | null;
  cancelledAt: string | null;
  cancelledBy: AgreementCanceller | null;
}

async function agreementChannel(deps: AutoReloadDeps, name: PaymentChannelName): Promise<{ channel: PaymentChannel; agreements: AgreementChannel }> {
  const channel = (await deps.payments())[name];
  if (!channel) throw new AppError('PAYMENT_CHANNEL_UNAVAILABLE', `${name} is not configured`);
  if (!channel.agreements) throw new AppError('AUTO_RELOAD_CHANNEL_UNSUPPORTED', `${name} has no recurring debit configured`);
  return { channel, agreements: channel.agreements };
}

function checkSettings(settings: { thresholdFen: number; amountFen: number }, bounds: AutoReloadBounds): void {
  if (!settingsWithinBounds(settings, bounds)) {
    throw new AppError('AUTO_RELOAD_OUT_OF_RANGE', `${settings.thresholdFen}/${settings.amountFen}`, {
      minThreshold: yuanParam(bounds.minThresholdFen),
      maxThreshold: yuanParam(bounds.maxThresholdFen),
      minAmount: yuanParam(bounds.minAmountFen),
      maxAmount: yuanParam(bounds.maxAmountFen),
    });
  }
}

/** The account's low-balance threshold: the one rule for the alert and the reload. */
async function setThreshold(deps: AutoReloadDeps, accountNo: string, thresholdFen: number): Promise<void> {
  await withVersionRetry(
    async () => {
      const account = await getAccount(deps.db, accountNo);
      if (!account) throw new AppError('ACCOUNT_NOT_FOUND', accountNo);
      return account;
    },
    async (account) => (account.lowBalanceAlertFen === thresholdFen ? true : setLowBalanceAlert(deps.db, account, thresholdFen)),
    { what: `account ${accountNo}` },
  );
}

/** The view and the agreement it was made from: one read of each item, all at once. */
async function readAutoReload(deps: AutoReloadDeps, accountNo: string): Promise<{ view: AutoReloadView; agreement: AutoReloadAgreement | undefined }> {
  const [agreement, account, policy, reloadsToday] = await Promise.all([
    getAgreement(deps.db, accountNo),
    getAccount(deps.db, accountNo),
    getPolicy(deps.db),
    reloadsOn(deps.db, accountNo, campusDay(deps.clock())),
  ]);
  if (!account) throw new AppError('ACCOUNT_NOT_FOUND', accountNo);
  const bounds = autoReloadBounds(policy);
  const view: AutoReloadView = {
    status: agreement?.status ?? 'none',
    channel: agreement?.channel ?? null,
    thresholdFen: account.lowBalanceAlertFen ?? null,
    amountFen: agreement?.amountFen ?? null,
    reloadsToday,
    dailyMax: bounds.dailyMax,
    bounds: { minAmountFen: bounds.minAmountFen, maxAmountFen: bounds.maxAmountFen, minThresholdFen: bounds.minThresholdFen, maxThresholdFen: bounds.maxThresholdFen },
  };
  return { view, agreement };
}

export async function getAutoReload(deps: AutoReloadDeps, accountNo: string): Promise<AutoReloadView> {
  return (await readAutoReload(deps, accountNo)).view;
}

/**
 * Starts a signing: the agreement is recorded (signing) before the platform is asked, so its
 * notification always finds it; then the threshold is set. Bad input, or an agreement already
 * active, changes nothing.
 */
export async function signAutoReload(
  deps: AutoReloadDeps,
  accountNo: string,
  request: { channel: PaymentChannelName; thresholdFen: number; amountFen: number },
): Promise<{ agreementCode: string; signing: AgreementSigning }> {
  const bounds = autoReloadBounds(await getPolicy(deps.db));
  checkSettings(request, bounds);
  const account = await getAccount(deps.db, accountNo);
  if (!account) throw new AppError('ACCOUNT_NOT_FOUND', accountNo);
  if (account.status === 'cancelled') throw new AppError('CARD_CANCELLED', accountNo);
  const { agreements } = await agreementChannel(deps, request.channel);
  const existing = await getAgreement(deps.db, accountNo);
  if (existing?.status === 'active') throw new AppError('AUTO_RELOAD_ALREADY_ACTIVE', accountNo);
  const now = deps.clock();
  const agreement: AutoReloadAgreement = {
    accountNo,
    channel: request.channel,
    agreementCode: newAgreementCode(accountNo, now),
    status: 'signing',
    amountFen: request.amountFen,
    payerId: '',
    createdAt: now.toISOString(),
    updatedAt: now.toISOString(),
  };
  if (!(await putSigningAgreement(deps.db, agreement, existing))) throw new AppError('BUSY_RETRY', `agreement of ${accountNo} changed meanwhile`);
  let signing: AgreementSigning;
  try {
    signing = await agreements.sign({
      agreementCode: agreement.agreementCode,
      accountNo,
      displayAccount: `校园卡 ${accountNo.slice(-4)}`,
      notifyUrl: `${deps.config.publicBaseUrl}/v1/payments/${request.channel}/agreements/notify`,
    });
  } catch (error) {
    // The signing record stays (status signing, never signed): the next request replaces it.
    if (error instanceof PlatformCallFailed) throw new AppError('PAYMENT_CHANNEL_UNAVAILABLE', error.message);
    throw error;
  }
  await setThreshold(deps, accountNo, request.thresholdFen);
  return { agreementCode: agreement.agreementCode, signing };
}

export async function updateAutoReload(deps: AutoReloadDeps, accountNo: string, settings: { thresholdFen: number; amountFen: number }): Promise<AutoReloadView> {
  checkSettings(settings, autoReloadBounds(await getPolicy(deps.db)));
  if (!(await setAgreementAmount(deps.db, accountNo, settings.amountFen, deps.clock()))) throw new AppError('AUTO_RELOAD_NOT_SIGNED', accountNo);
  await setThreshold(deps, accountNo, settings.thresholdFen);
  return getAutoReload(deps, accountNo);
}

/**
 * Who ends the agreement: the holder in the app, or card-centre staff on the holder's call (with the
 * staff member and why, logged in the cancellation's own transaction).
 */
export type AutoReloadCanceller = { by: 'holder' } | { by: 'card_centre'; actor: Actor; reason: string };

const PLATFORM_REMARK: Record<AutoReloadCanceller['by'], string> = {
  holder: '持卡人在校园卡小程序中关闭自动充值',
  card_centre: '持卡人致电校园卡中心解除自动充值',
};

/**
 * Cancels at the platform first (so no deduction can follow), then here. A signing never finished is
 * only asked about. The holder's cancel and the card centre's take this one path; when both run at
 * once the agreement is ended once (the platform treats a second terminate as done, the store's
 * condition lets one move win) and the loser answers the cancelled agreement, logging nothing.
 */
export async function cancelAutoReload(deps: AutoReloadDeps, accountNo: string, canceller: AutoReloadCanceller = { by: 'holder' }): Promise<AutoReloadView> {
  const agreement = await getAgreement(deps.db, accountNo);
  if (!agreement || agreement.status === 'cancelled') throw new AppError('AUTO_RELOAD_NOT_SIGNED', accountNo);
  const { agreements } = await agreementChannel(deps, agreement.channel);
  try {
    // Signed at the platform while we still say signing (its notification not here yet): ended there too.
    const platformId = agreement.platformAgreementId ?? (await agreements.query(agreement.agreementCode).then((state) => (state.state === 'active' ? state.platformAgreementId : undefined)));
    if (platformId) await agreements.cancel({ agreementCode: agreement.agreementCode, platformAgreementId: platformId, reason: PLATFORM_REMARK[canceller.by] });
  } catch (error) {
    if (error instanceof PlatformCallFailed) throw new AppError('PAYMENT_CHANNEL_UNAVAILABLE', error.message);
    throw error;
  }
  const now = deps.clock();
  const alsoWrite =
    canceller.by === 'card_centre'
      ? [{ Put: actionLogPut(deps, canceller.actor, { action: 'auto_reload.cancel', target: `account:${accountNo}`, reason: canceller.reason, details: { channel: agreement.channel, agreementCode: agreement.agreementCode, was: agreement.status } }) }]
      : [];
  await moveAgreement(deps.db, accountNo, agreement.agreementCode, ['signing', 'active'], 'cancelled', { cancelledAt: now.toISOString(), cancelledBy: canceller.by }, now, alsoWrite);
  return getAutoReload(deps, accountNo);
}

/** The card centre's view: the holder's, plus when it was signed and when and by whom it ended. */
export async function getAdminAutoReload(deps: AutoReloadDeps, accountNo: string): Promise<AdminAutoReloadView> {
  const { view, agreement } = await readAutoReload(deps, accountNo);
  return {
    ...view,
    agreementCode: agreement?.agreementCode ?? null,
    createdAt: agreement?.createdAt ?? null,
    signedAt: agreement?.signedAt ?? null,
    cancelledAt: agreement?.cancelledAt ?? null,
    cancelledBy: agreement?.cancelledBy ?? null,
  };
}

/** Staff end a holder's agreement (the holder called the card centre): the holder's path, logged. */
export async function cancelAutoReloadAtCardCentre(deps: AutoReloadDeps, actor: Actor, accountNo: string, reason: string): Promise<AdminAutoReloadView> {
  await cancelAutoReload(deps, accountNo, { by: 'card_centre', actor, reason });
  return getAdminAutoReload(deps, accountNo);
}

/** The platform's notice of a signing or a cancellation: believed only if it verifies; a cancelled agreement never comes back. */
export async function handleAgreementNotification(deps: AutoReloadDeps, channelName: PaymentChannelName, notification: IncomingNotification): Promise<NotificationAnswer> {
  const channel = (await deps.payments())[channelName];
  const agreements = channel?.agreements;
  if (!channel || !agreements) throw new AppError('PAYMENT_CHANNEL_UNAVAILABLE', `${channelName} has no recurring debit configured`);
  try {
    const event = await agreements.verifyNotification(notification);
    const accountNo = await accountOfAgreementCode(deps.db, channelName, event.agreementCode);
    if (!accountNo) {
      // Not ours to apply (a code we never made): answered, so the platform stops; logged for a person.
      deps.logger.warn('agreement notification for an unknown code', { channel: channelName, agreementCode: event.agreementCode });
      return channel.answer(true);
    }
    const now = deps.clock();
    const at = event.at ?? now.toISOString();
    const moved =
      event.state === 'active'
        ? await moveAgreement(deps.db, accountNo, event.agreementCode, ['signing'], 'active', { platformAgreementId: event.platformAgreementId, ...(event.payerId ? { payerId: event.payerId } : {}), signedAt: at }, now)
        : await moveAgreement(deps.db, accountNo, event.agreementCode, ['signing', 'active'], 'cancelled', { platformAgreementId: event.platformAgreementId, cancelledAt: at, cancelledBy: 'platform' }, now);
    deps.logger.info('agreement notification applied', { channel: channelName, accountNo, state: event.state, moved });
    return channel.answer(true);
  } catch (error) {
    if (error instanceof NotificationRejected) {
      deps.logger.warn('agreement notification rejected', { channel: channelName, problem: error.problem });
      return channel.answer(false);
    }
    throw error;
  }
}

/**
 * One low-balance crossing → at most one reload: the order id comes from the event id, and the order
 * is written with the day's count in one transaction (refused as a whole at the cap), before the
 * platform is asked. A refusal closes the order: nothing was taken, nothing is credited.
 */
export async function reloadOnLowBalance(deps: AutoReloadDeps, event: OutboxEvent): Promise<DeliveryOutcome> {
  const [agreement, policy] = await Promise.all([getAgreement(deps.db, event.accountNo), getPolicy(deps.db)]);
  const bounds = autoReloadBounds(policy);
  const decision = decideReload(agreement, bounds);
  if (!decision.reload || !agreement?.platformAgreementId) return { status: 'skipped', detail: decision.reload ? 'no_contract_id' : decision.why };
  const account = await getAccount(deps.db, event.accountNo);
  if (!account || account.status === 'cancelled') return { status: 'skipped', detail: 'account_closed' };
  const { agreements } = await agreementChannel(deps, agreement.channel);
  const now = deps.clock();
  const orderId = reloadOrderId(event.eventId);
  const order = newOrder({ orderId, accountNo: account.accountNo, channel: agreement.channel, amountFen: decision.amountFen, purse: topupPurse(account), payerId: agreement.payerId, trigger: 'auto_reload' }, now);
  try {
    await createOrder(deps.db, order, [reloadDayItem(deps.db, account.accountNo, campusDay(now), bounds.dailyMax, now)]);
  } catch (error) {
    // The order is there already (the same event again): the transaction wrote nothing, the day's count included.
    if (conditionFailedAt(error, 0)) return { status: 'skipped', detail: 'already_ordered' };
    if (conditionFailedAt(error, 1)) return { status: 'skipped', detail: 'daily_cap' };
    throw error;
  }
  let answer: Awaited<ReturnType<AgreementChannel['deduct']>>;
  try {
    answer = await agreements.deduct({
      orderId,
      platformAgreementId: agreement.platformAgreementId,
      amountFen: order.amountFen,
      description: `校园卡自动充值 ${formatYuan(order.amountFen)} 元`,
      notifyUrl: `${deps.config.publicBaseUrl}/v1/payments/${agreement.channel}/notify`,
    });
  } catch (error) {
    // Unknown whether the platform took it: the order stays pending and the reconciler asks about it.
    if (error instanceof PlatformCallFailed) return { status: 'failed', detail: `deduct unanswered (${orderId}): ${error.message}`, attempts: 1 };
    throw error;
  }
  if (answer.state === 'refused') {
    // The holder is told with the close (one transaction, an id from the order's): once per refused reload, whoever retries.
    const at = deps.clock().toISOString();
    await closeOrder(deps.db, orderId, 'voided', `platform_refused:${answer.platformCode}`, at, reloadRefusalOutbox(deps.db, order, answer.platformCode, at));
    deps.logger.warn('automatic reload refused by the platform', { accountNo: account.accountNo, orderId, code: answer.platformCode });
    return { status: 'refused', detail: answer.platformCode, attempts: 1 };
  }
  return { status: 'sent', detail: orderId, attempts: 1 };
}

export function autoReloadSubscriber(deps: AutoReloadDeps): OutboxSubscriber {
  return { name: AUTO_RELOAD_SUBSCRIBER, kinds: ['low_balance'], deliver: (event) => reloadOnLowBalance(deps, event) };
}
