/**
 * The holder API client. Types come from the shared zod contract (type-only: no zod in the bundle);
 * the transport is injected so the same client runs on Taro (app) and on fetch (tests).
 */
import type { z } from 'zod';
import type { getHolderAccount, holderPolicy, ledgerEntryView, getHolderStatement, listHolderLedger, registerDeviceKey } from '@shared/api/holder';
import type { createTopup, topupOrderView } from '@shared/api/topups';
import type { confirmGuardianHolder, createGuardianDeposit, guardianDepositBody, guardianDepositView } from '@shared/api/guardian';
import type { electricityBody, networkFeeBody, payNetworkFee, utilitiesView, utilityPaymentView } from '@shared/api/utilities';
import type { bindingRequest, passwordLogin, replacementRequestView, wechatSignIn } from '@shared/api/lifecycle';
import type { ErrorBody } from '@shared/errors';
import type { holderDisputeView, raiseDisputeBody } from '@shared/api/disputes';
import type { MovementType } from '@shared/vocabulary';
import type { getHolderSpending } from '@shared/api/holder-spending';
import type { notificationSettings, notificationSubscriptionBody, updateNotificationSettingsBody } from '@shared/api/notifications';
import type { foundCardReceived, getLostCardTaps } from '@shared/api/lost-found';
import type { autoReloadView, signAutoReloadRoute } from '@shared/api/auto-reload';

export type HolderAccount = z.infer<typeof getHolderAccount.response>;
/** The campus policy's numbers as the server sends them: the app shows and checks with these, never its own. */
export type HolderPolicy = z.infer<typeof holderPolicy>;
export type LedgerEntry = z.infer<typeof ledgerEntryView>;
export type LedgerPage = z.infer<typeof listHolderLedger.response>;
export type MonthlyStatement = z.infer<typeof getHolderStatement.response>;
export type HolderSpending = z.infer<typeof getHolderSpending.response>;
export type TopupOrder = z.infer<typeof topupOrderView>;
export type TopupCreated = z.infer<typeof createTopup.response>;
export type GuardianHolder = z.infer<typeof confirmGuardianHolder.response>;
export type GuardianDeposit = z.infer<typeof guardianDepositView>;
export type GuardianDepositCreated = z.infer<typeof createGuardianDeposit.response>;
export type GuardianDepositRequest = z.input<typeof guardianDepositBody>;
export type SignedIn = z.infer<typeof passwordLogin.response>;
export type PlatformSignIn = z.infer<typeof wechatSignIn.response>;
export type BindingRequest = z.input<typeof bindingRequest>;
export type DeviceKeyRegistered = z.infer<typeof registerDeviceKey.response>;
export type ReplacementRequest = z.infer<typeof replacementRequestView>;
export type Utilities = z.infer<typeof utilitiesView>;
export type UtilityPayment = z.infer<typeof utilityPaymentView>;
export type UtilityPaymentResult = z.infer<typeof payNetworkFee.response>;
export type NetworkFeeRequest = z.input<typeof networkFeeBody>;
export type ElectricityRequest = z.input<typeof electricityBody>;
export type HolderDispute = z.infer<typeof holderDisputeView>;
export type DisputeRequest = z.input<typeof raiseDisputeBody>;
export type NotificationSettings = z.infer<typeof notificationSettings>;
export type NotificationSettingsChange = z.input<typeof updateNotificationSettingsBody>;
export type NotificationSubscription = z.input<typeof notificationSubscriptionBody>;
export type FoundCardReceived = z.infer<typeof foundCardReceived>;
export type LostCardTaps = z.infer<typeof getLostCardTaps.response>;
/** The automatic reload (issue 18 item 2): agreement status, threshold, amount, today's reloads and the campus's bounds. */
export type AutoReload = z.infer<typeof autoReloadView>;
export type AutoReloadSigning = z.infer<typeof signAutoReloadRoute.response>;

export interface HttpRequest {
  method: 'GET' | 'POST' | 'PUT' | 'DELETE';
  url: string;
  headers: Record<string, string>;
  body?: unknown;
}
export interface HttpResponse {
  status: number;
  headers: Record<string, string>;
  body: unknown;
}
/** Resolves with any HTTP status; rejects only when no answer came (network down, timeout). */
export type Transport = (request: HttpRequest) => Promise<HttpResponse>;

/** Codes the app makes itself, beside the server's (shared/errors.ts). */
export type ClientErrorCode = 'NETWORK' | 'BAD_RESPONSE';

export class ApiError extends Error {
  override name = 'ApiError';
  constructor(
    readonly code: string,
    readonly status: number,
    /** The server's message in both languages, when it sent one (already filled with `params`). */
    readonly messages?: { zh: string; en: string },
    /** The values the server's message names ({minutes}, {max}), for the app's own words. */
    readonly params?: Readonly<Record<string, string | number>>,
  ) {
    super(code);
  }
}

export interface ApiClientOptions {
  baseUrl: string;
  transport: Transport;
  session: () => string | undefined;
  /** Every answer's Date header with the request's send/receive times: keeps the QR clock offset fresh. */
  onServerTime?: (serverTimeMs: number, sentAtMs: number, receivedAtMs: number) => void;
  /** SESSION_EXPIRED / UNAUTHENTICATED on a holder route: sign in again. */
  onSignedOut?: () => void;
  now?: () => number;
}

export interface HistoryFilter {
  from?: string;
  to?: string;
  types?: readonly MovementType[];
  cursor?: string;
  limit?: number;
}

export function createApiClient(options: ApiClientOptions) {
  const now = options.now ?? Date.now;

  async function call<T>(method: HttpRequest['method'], path: string, body?: unknown, auth = true): Promise<T> {
    const headers: Record<string, string> = { accept: 'application/json' };
    if (body !== undefined) headers['content-type'] = 'application/json';
    const session = auth ? options.session() : undefined;
    if (session) headers.authorization = `Bearer ${session}`;
    const sentAt = now();
    let response: HttpResponse;
    try {
      response = await options.transport({ method, url: options.baseUrl + path, headers, ...(body !== undefined ? { body } : {}) });
    } catch {
      throw new ApiError('NETWORK', 0);
    }
    const receivedAt = now();
    const date = response.headers.date; // transports give header names in lower case
    // Date has whole seconds: the server read its clock somewhere in that second, so take its middle.
    if (date && options.onServerTime) {
      const serverMs = Date.parse(date);
      if (Number.isFinite(serverMs)) options.onServerTime(serverMs + 500, sentAt, receivedAt);
    }
    if (response.status >= 200 && response.status < 300) return response.body as T;
    const error = asErrorBody(response.body);
    if (!error) throw new ApiError('BAD_RESPONSE', response.status);
    if (auth && (error.code === 'SESSION_EXPIRED' || error.code === 'UNAUTHENTICATED')) options.onSignedOut?.();
    throw new ApiError(error.code, response.status, error.message, error.params);
  }

  return {
    passwordLogin: (personId: string, queryPassword: string) => call<SignedIn>('POST', '/v1/auth/password', { personId, queryPassword }, false),
    wechatSignIn: (code: string) => call<PlatformSignIn>('POST', '/v1/auth/wechat', { code }, false),
    alipaySignIn: (authCode: string) => call<PlatformSignIn>('POST', '/v1/auth/alipay', { authCode }, false),
    bind: (request: BindingRequest) => call<SignedIn>('POST', '/v1/auth/bindings', request, false),
    account: () => call<HolderAccount>('GET', '/v1/holder/account'),
    history: (filter: HistoryFilter = {}) => call<LedgerPage>('GET', `/v1/holder/ledger${historyQuery(filter)}`),
    receipt: (receiptNo: string) => call<LedgerEntry>('GET', `/v1/holder/ledger/${encodeURIComponent(receiptNo)}`),
    statement: (month: string) => call<MonthlyStatement>('GET', `/v1/holder/statements/${encodeURIComponent(month)}`),
    spending: (months = 6) => call<HolderSpending>('GET', `/v1/holder/spending?months=${months}`),
    registerDeviceKey: (publicKey: string, proof: string) => call<DeviceKeyRegistered>('POST', '/v1/holder/device-keys', { publicKey, proof }),
    /** Only where the phone has no secure random source (lib/key-seed.ts). */
    deviceKeySeed: () => call<{ seed: string }>('POST', '/v1/holder/device-keys/seed', {}),
    createTopup: (amountFen: number, channel: 'wechat' | 'alipay', payerId: string) => call<TopupCreated>('POST', '/v1/holder/topups', { amountFen, channel, payerId }),
    topup: (orderId: string) => call<TopupOrder>('GET', `/v1/holder/topups/${encodeURIComponent(orderId)}`),
    changePassword: (kind: 'query' | 'consumption', oldPassword: string, newPassword: string) =>
      call<{ changed: true }>('POST', `/v1/holder/passwords/${kind}`, { oldPassword, newPassword }),
    setDailyLimit: (dailyLimitFen: number, consumptionPassword: string) => call<{ dailyLimitFen: number }>('PUT', '/v1/holder/daily-limit', { dailyLimitFen, consumptionPassword }),
    reportLoss: (queryPassword: string) => call<{ status: 'lost' }>('POST', '/v1/holder/loss', { queryPassword }),
    unfreeze: (queryPassword: string) => call<{ status: 'active' }>('POST', '/v1/holder/unfreeze', { queryPassword }),
    replacement: () => call<{ request?: ReplacementRequest }>('GET', '/v1/holder/card-replacement'),
    utilities: () => call<Utilities>('GET', '/v1/holder/utilities'),
    payNetworkFee: (request: NetworkFeeRequest) => call<UtilityPaymentResult>('POST', '/v1/holder/utilities/network-fee', request),
    payElectricity: (request: ElectricityRequest) => call<UtilityPaymentResult>('POST', '/v1/holder/utilities/electricity', request),
    utilityPayment: (receiptNo: string) => call<UtilityPayment>('GET', `/v1/holder/utilities/payments/${encodeURIComponent(receiptNo)}`),
    raiseDispute: (request: DisputeRequest) => call<HolderDispute>('POST', '/v1/holder/disputes', request),
    disputes: () => call<{ disputes: HolderDispute[] }>('GET', '/v1/holder/disputes'),
    dispute: (receiptNo: string) => call<HolderDispute>('GET', `/v1/holder/disputes/${encodeURIComponent(receiptNo)}`),
    /** Lost and found (issue 18): a card I found, by its printed number; where my lost card was tapped and where a found one waits. */
    reportFoundCard: (cardNumber: string) => call<FoundCardReceived>('POST', '/v1/holder/found-cards', { cardNumber }),
    lostCardTaps: () => call<LostCardTaps>('GET', '/v1/holder/lost-card-taps'),
    notificationSettings: () => call<NotificationSettings>('GET', '/v1/holder/notifications'),
    updateNotificationSettings: (change: NotificationSettingsChange) => call<NotificationSettings>('PUT', '/v1/holder/notifications', change),
    recordSubscription: (subscription: NotificationSubscription) => call<NotificationSettings>('POST', '/v1/holder/notifications/subscriptions', subscription),
    requestReplacement: (queryPassword: string, kind: 'cpu' | 'm1') => call<ReplacementRequest>('POST', '/v1/holder/card-replacement', { queryPassword, kind }),
    /** Guardian deposits: no session (a parent pays without binding). */
    confirmGuardianHolder: (personId: string, name: string) => call<GuardianHolder>('POST', '/v1/guardian/holders', { personId, name }, false),
    createGuardianDeposit: (request: GuardianDepositRequest) => call<GuardianDepositCreated>('POST', '/v1/guardian/deposits', request, false),
    guardianDeposit: (orderId: string) => call<GuardianDeposit>('GET', `/v1/guardian/deposits/${encodeURIComponent(orderId)}`, undefined, false),
    /** The local stack's fake platform pays an order (H5 demo builds only; no such route in a deployment). */
    localCashierPay: (channel: 'wechat' | 'alipay', orderId: string) => call<{ notified: number }>('POST', `/__fake/${channel}/pay/${encodeURIComponent(orderId)}`, {}, false),
    /** The local stack's fake platform signs an agreement as the payer would (H5 demo builds only, like localCashierPay). */
    localAgreementSign: (channel: 'wechat' | 'alipay', agreementCode: string) =>
      call<{ notified: number }>('POST', `/__fake/${channel}/agreements/sign/${encodeURIComponent(agreementCode)}`, {}, false),
    autoReload: () => call<AutoReload>('GET', '/v1/holder/auto-reload'),
    signAutoReload: (channel: 'wechat' | 'alipay', thresholdFen: number, amountFen: number) => call<AutoReloadSigning>('POST', '/v1/holder/auto-reload', { channel, thresholdFen, amountFen }),
    updateAutoReload: (thresholdFen: number, amountFen: number) => call<AutoReload>('PUT', '/v1/holder/auto-reload', { thresholdFen, amountFen }),
    cancelAutoReload: () => call<AutoReload>('DELETE', '/v1/holder/auto-reload'),
  };
}

export type ApiClient = ReturnType<typeof createApiClient>;

export function historyQuery(filter: HistoryFilter): string {
  const params: string[] = [];
  if (filter.from) params.push(`from=${filter.from}`);
  if (filter.to) params.push(`to=${filter.to}`);
  if (filter.types?.length) params.push(`type=${filter.types.join(',')}`);
  if (filter.cursor) params.push(`cursor=${filter.cursor}`);
  if (filter.limit) params.push(`limit=${filter.limit}`);
  return params.length ? `?${params.join('&')}` : '';
}

function asErrorBody(body: unknown): { code: ErrorBody['code']; message?: ErrorBody['message']; params?: ErrorBody['params'] } | undefined {
  if (typeof body !== 'object' || body === null) return undefined;
  const { code, message, params } = body as { code?: unknown; message?: unknown; params?: unknown };
  if (typeof code !== 'string') return undefined;
  const values = typeof params === 'object' && params !== null && Object.values(params).every((v) => typeof v === 'string' || typeof v === 'number') ? { params: params as NonNullable<ErrorBody['params']> } : {};
  const text = message as { zh?: unknown; en?: unknown } | undefined;
  if (typeof text === 'object' && text !== null && typeof text.zh === 'string' && typeof text.en === 'string') {
    return { code: code as ErrorBody['code'], message: { zh: text.zh, en: text.en }, ...values };
  }
  return { code: code as ErrorBody['code'], ...values };
}
