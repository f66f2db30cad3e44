/**
 * WeChat Pay API v3 as a PaymentChannel (mini-program JSAPI payments).
 *
 * wechatpay-node-v3 builds and signs the requests and the wx.requestPayment parameters. What it
 * leaves open (see /work/shared/PAYMENTS.md) is closed here: its HTTP goes only to the configured
 * gateway, gateway answers must carry a valid platform signature, HTTP errors become exceptions,
 * platform keys come only from configuration (never downloaded), notifications must be fresh,
 * decrypt with the GCM tag checked, and be about our merchant and our app.
 */
import { createDecipheriv, createPrivateKey, randomBytes, createPublicKey, verify as rsaVerify, X509Certificate, type KeyObject } from 'node:crypto';
import Pay from 'wechatpay-node-v3';
import * as z from 'zod';
import { amountFen as amountFenSchema } from '../../shared/money';
import {
  BillUnreadable,
  NotificationRejected,
  PlatformCallFailed,
  type BillRow,
  type CodePaymentRequest,
  type CodePaymentState,
  type CreateTopupRequest,
  type CreateTopupResult,
  type IncomingNotification,
  type NotificationAnswer,
  type PaymentChannel,
  type PaymentEvent,
  type RefundRequest,
  type RefundResult,
  type AgreementChannel,
  type AgreementEvent,
  type AgreementSigning,
  type AgreementState,
} from './channel';
import { parseWechatTradeBill, wechatBillHash } from './wechat-bill';

export interface WechatPayConfig {
  /** The mini-program's appid (wx…), which payers pay through. */
  appId: string;
  /** Our merchant number (mchid). */
  mchId: string;
  /** The merchant API private key (apiclient_key.pem): signs every request and wx.requestPayment. */
  merchantPrivateKeyPem: string;
  /** The merchant's own API certificate (apiclient_cert.pem); the SDK calls it publicKey. */
  merchantCertificatePem: string;
  /** The serial number of that certificate, as WeChat shows it (hex). */
  merchantCertSerial: string;
  /** The APIv3 key (32 characters): decrypts notification resources. */
  apiV3Key: string;
  /**
   * The WeChat Pay platform keys we trust, by serial: platform certificate serials (hex) or public
   * key ids (PUB_KEY_ID_…), each a PEM certificate or PEM public key. Nothing else is ever trusted.
   */
  platformCertificates: Record<string, string>;
  /** https://api.mch.weixin.qq.com in production; a fake on 127.0.0.1 locally and in tests. */
  gatewayBaseUrl: string;
  /** Per gateway call; default 10 s. */
  timeoutMs?: number;
  /** 委托代扣 (papay): the deduction plan's id (plan_id) in the merchant platform; without it there is no automatic reload. */
  papayPlanId?: string;
}

/** WeChat Pay's own signing mini-program, which wx.navigateToMiniProgram opens with the pre-sign id. */
export const PAPAY_MINI_PROGRAM_APPID = 'wxbd687630cd02ce1d';

/** The origin the SDK writes into every URL; rewritten to gatewayBaseUrl. */
export const WECHAT_PAY_ORIGIN = 'https://api.mch.weixin.qq.com';
const SIGNATURE_TYPE = 'WECHATPAY2-SHA256-RSA2048';
/** WeChat's own rule for signed messages: older or newer than 5 minutes is not believed. */
const TIMESTAMP_WINDOW_SECONDS = 300;
const DEFAULT_TIMEOUT_MS = 10_000;
/** WeChat's out_trade_no: 6–32 characters. We use letters, digits, _ and - only, so URLs need no escaping. */
const ORDER_ID = /^[0-9A-Za-z_-]{6,32}$/;

type TradeState = 'SUCCESS' | 'REFUND' | 'NOTPAY' | 'USERPAYING' | 'ACCEPT' | 'CLOSED' | 'REVOKED' | 'PAYERROR';

/**
 * What each trade_state means for a top-up. REFUND ("转入退款") only follows a successful payment
 * and only we can start a refund, so the money was received.
 */
const STATE_OF: Record<TradeState, PaymentEvent['state']> = {
  SUCCESS: 'paid',
  REFUND: 'paid',
  NOTPAY: 'pending',
  USERPAYING: 'pending',
  ACCEPT: 'pending',
  CLOSED: 'closed',
  REVOKED: 'closed',
  PAYERROR: 'closed',
};

/** A transaction as WeChat describes it, in query answers and in decrypted notification resources. */
const transactionSchema = z.object({
  appid: z.string(),
  mchid: z.string(),
  out_trade_no: z.string().min(1),
  transaction_id: z.string().min(1).optional(),
  trade_state: z.string(),
  success_time: z.string().optional(),
  payer: z.object({ openid: z.string().optional() }).optional(),
  amount: z.object({ total: z.number().int().nonnegative().optional(), currency: z.string().optional() }).optional(),
});
type WechatTransaction = z.infer<typeof transactionSchema>;

const notificationSchema = z.object({
  id: z.string().min(1),
  event_type: z.string().startsWith('TRANSACTION.'),
  resource: z.object({
    algorithm: z.literal('AEAD_AES_256_GCM'),
    ciphertext: z.string().min(1),
    nonce: z.string().min(1),
    associated_data: z.string().optional(),
  }),
});

/** A refund as WeChat describes it (POST /v3/refund/domestic/refunds and GET …/refunds/{out_refund_no}). */
const refundSchema = z.object({
  refund_id: z.string().min(1),
  out_refund_no: z.string().min(1),
  out_trade_no: z.string().optional(),
  status: z.string(),
  success_time: z.string().optional(),
  amount: z.object({ refund: z.number().int().positive(), total: z.number().int().positive().optional() }),
});

/** The signed answer of GET /v3/bill/tradebill. */
const tradebillSchema = z.object({
  download_url: z.string().startsWith(`${WECHAT_PAY_ORIGIN}/v3/billdownload/`),
  hash_type: z.literal('SHA1'),
  hash_value: z.string().regex(/^[0-9A-Fa-f]{40}$/),
});

/** A papay contract as WeChat describes it (contract notifications' resource, contract queries). */
const contractSchema = z.object({
  mchid: z.string(),
  appid: z.string(),
  plan_id: z.string(),
  out_contract_code: z.string().min(1),
  contract_id: z.string().min(1),
  contract_state: z.enum(['ADDED', 'TERMINATED']),
  openid: z.string().optional(),
  operate_time: z.string().optional(),
});
type WechatContract = z.infer<typeof contractSchema>;

const contractNotificationSchema = z.object({
  id: z.string().min(1),
  event_type: z.enum(['PAPAY.SIGN', 'PAPAY.TERMINATE']),
  resource: notificationSchema.shape.resource,
});

type PayRequestHooks = Parameters<Pay['createHttp']>[0];
type SdkOutput = Awaited<ReturnType<PayRequestHooks['get']>>;

/**
 * The SDK keeps platform keys in one static map shared by every Pay in the process (and replaces the
 * object when it downloads certificates), so it is read through the class each time.
 */
function sdkPlatformKeys(): Record<string, string> {
  return (Pay as unknown as { certificates: Record<string, string> }).certificates;
}

export function createWechatPayChannel(config: WechatPayConfig, clock: () => Date = () => new Date()): PaymentChannel {
  const platformKeys = readPlatformKeys(config);
  checkMerchantIdentity(config);
  const gateway = gatewayOrigin(config.gatewayBaseUrl);

  const pay = new Pay({
    appid: config.appId,
    mchid: config.mchId,
    // Given explicitly, so the SDK never parses the certificate to find it.
    serial_no: config.merchantCertSerial,
    publicKey: Buffer.from(config.merchantCertificatePem),
    privateKey: Buffer.from(config.merchantPrivateKeyPem),
    key: config.apiV3Key,
  });
  const http = gatewayHttp({ gateway, timeoutMs: config.timeoutMs ?? DEFAULT_TIMEOUT_MS, platformKeys, clock });
  pay.createHttp(http);

  /**
   * A signed POST the SDK has no method for (付款码支付 and its reverse): the SDK's own request
   * signing (getSignature over `POST\npath\ntimestamp\nnonce\nbody\n`, getAuthorization), sent
   * through the same gateway-only, answer-verifying HTTP layer as every other call.
   */
  const signedPost = (path: string, body: Record<string, unknown>): Promise<SdkOutput> => {
    const nonce = randomBytes(16).toString('hex');
    const timestamp = String(Math.floor(clock().getTime() / 1000));
    const authorization = pay.getAuthorization(nonce, timestamp, pay.getSignature('POST', nonce, timestamp, path, body));
    return http.post(`${WECHAT_PAY_ORIGIN}${path}`, body, { Accept: 'application/json', 'Content-Type': 'application/json', 'User-Agent': 'campus-ecard', Authorization: authorization });
  };

  /** A transaction answer about our order, as a code payment's state. */
  const codeStateOf = (what: string, orderId: string, data: unknown): CodePaymentState => {
    const parsed = transactionSchema.safeParse(data);
    if (!parsed.success) throw new PlatformCallFailed('wechat', `${what}: the answer is not a transaction`);
    const transaction = parsed.data;
    if (transaction.mchid !== config.mchId || transaction.appid !== config.appId || transaction.out_trade_no !== orderId) {
      throw new PlatformCallFailed('wechat', `${what}: the answer is about ${transaction.mchid}/${transaction.appid}/${transaction.out_trade_no}`);
    }
    switch (transaction.trade_state) {
      case 'SUCCESS':
      case 'REFUND': {
        const event = toPaymentEvent(transaction);
        if (typeof event === 'string') throw new PlatformCallFailed('wechat', `${what}: ${event}`);
        return { state: 'paid', platformTxnId: event.platformTxnId!, amountFen: event.amountFen!, ...(event.paidAt ? { paidAt: event.paidAt } : {}), ...(event.payerId ? { payerId: event.payerId } : {}) };
      }
      case 'USERPAYING':
      case 'NOTPAY':
      case 'ACCEPT':
        return { state: 'waiting' };
      case 'REVOKED':
      case 'CLOSED':
        return { state: 'closed' };
      case 'PAYERROR':
        return { state: 'refused', refusal: 'declined', platformCode: 'PAYERROR' };
      default:
        throw new PlatformCallFailed('wechat', `${what}: unknown trade_state ${transaction.trade_state}`);
    }
  };

  const queryCode = async (orderId: string): Promise<CodePaymentState | { state: 'not_found' }> => {
    if (!ORDER_ID.test(orderId)) throw new RangeError(`not an order id WeChat accepts: ${JSON.stringify(orderId)}`);
    const result = await pay.query({ out_trade_no: orderId });
    if (result.status === 404 && errorCodeOf(result) === 'ORDER_NOT_EXIST') return { state: 'not_found' };
    if (result.status !== 200) throw callFailed(`query ${orderId}`, result);
    return codeStateOf(`query ${orderId}`, orderId, result.data);
  };
  // Seeded up front so verifySign finds every serial we trust and never goes looking for one.
  for (const [serial, key] of platformKeys) sdkPlatformKeys()[serial] = key.pem;

  /** A signed GET the SDK has no method for (papay contract queries), through the same HTTP layer. */
  const signedGet = (pathAndQuery: string): Promise<SdkOutput> => {
    const nonce = randomBytes(16).toString('hex');
    const timestamp = String(Math.floor(clock().getTime() / 1000));
    const authorization = pay.getAuthorization(nonce, timestamp, pay.getSignature('GET', nonce, timestamp, pathAndQuery, ''));
    return http.get(`${WECHAT_PAY_ORIGIN}${pathAndQuery}`, { Accept: 'application/json', 'User-Agent': 'campus-ecard', Authorization: authorization });
  };

  /** A contract about our merchant, app and plan, or why not. */
  const ourContract = (contract: WechatContract): string | undefined => {
    if (contract.mchid !== config.mchId) return `mchid ${contract.mchid}`;
    if (contract.appid !== config.appId) return `appid ${contract.appid}`;
    if (contract.plan_id !== config.papayPlanId) return `plan_id ${contract.plan_id}`;
    return undefined;
  };

  const planId = config.papayPlanId;
  const agreements: AgreementChannel | undefined = planId
    ? {
        async sign({ agreementCode, displayAccount, notifyUrl }): Promise<AgreementSigning> {
          if (!ORDER_ID.test(agreementCode)) throw new RangeError(`not a contract code WeChat accepts: ${JSON.stringify(agreementCode)}`);
          // 小程序预签约: WeChat answers a pre-sign id; the app opens WeChat Pay's signing mini-program with it.
          const result = await signedPost('/v3/papay/sign/contracts/pre-entrust-sign/mini-program', {
            appid: config.appId,
            mchid: config.mchId,
            plan_id: planId,
            out_contract_code: agreementCode,
            contract_display_account: displayAccount,
            notify_url: notifyUrl,
          });
          if (result.status !== 200) throw callFailed(`pre-sign ${agreementCode}`, result);
          const id = (result.data as { pre_entrustweb_id?: unknown } | undefined)?.pre_entrustweb_id;
          if (typeof id !== 'string' || id === '') throw new PlatformCallFailed('wechat', `pre-sign ${agreementCode}: no pre_entrustweb_id`);
          return { channel: 'wechat', navigateToMiniProgram: { appId: PAPAY_MINI_PROGRAM_APPID, path: 'pages/index/index', extraData: { pre_entrustweb_id: id } } };
        },

        async query(agreementCode): Promise<AgreementState> {
          if (!ORDER_ID.test(agreementCode)) throw new RangeError(`not a contract code WeChat accepts: ${JSON.stringify(agreementCode)}`);
          const result = await signedGet(`/v3/papay/sign/contracts/plan-id/${planId}/out-contract-code/${agreementCode}?appid=${config.appId}`);
          if (result.status === 404) return { state: 'not_found' };
          if (result.status !== 200) throw callFailed(`contract ${agreementCode}`, result);
          const parsed = contractSchema.safeParse(result.data);
          if (!parsed.success || parsed.data.out_contract_code !== agreementCode) throw new PlatformCallFailed('wechat', `contract ${agreementCode}: the answer is not this contract`);
          const problem = ourContract(parsed.data);
          if (problem) throw new PlatformCallFailed('wechat', `contract ${agreementCode}: ${problem}`);
          const { contract_id: id, openid, operate_time: at } = parsed.data;
          return parsed.data.contract_state === 'ADDED'
            ? { state: 'active', platformAgreementId: id, ...(openid ? { payerId: openid } : {}), ...(at ? { at } : {}) }
            : { state: 'cancelled', platformAgreementId: id, ...(at ? { at } : {}) };
        },

        async cancel({ agreementCode, platformAgreementId, reason }): Promise<void> {
          if (!/^[0-9A-Za-z_-]{1,64}$/.test(platformAgreementId)) throw new RangeError(`not a contract id: ${JSON.stringify(platformAgreementId)}`);
          const result = await signedPost(`/v3/papay/sign/contracts/${platformAgreementId}/terminate`, { appid: config.appId, plan_id: planId, out_contract_code: agreementCode, contract_termination_remark: reason });
          if (result.status >= 200 && result.status <= 299) return;
          // Already ended (by the payer in WeChat, or by an earlier call whose answer was lost): what we wanted.
          if (errorCodeOf(result) === 'CONTRACT_NOT_EXIST' || errorCodeOf(result) === 'CONTRACT_TERMINATED') return;
          throw callFailed(`terminate ${platformAgreementId}`, result);
        },

        async deduct({ orderId, platformAgreementId, amountFen, description, notifyUrl }) {
          if (!ORDER_ID.test(orderId)) throw new RangeError(`not an order id WeChat accepts: ${JSON.stringify(orderId)}`);
          if (!amountFenSchema.safeParse(amountFen).success) throw new RangeError(`not an amount in fen: ${amountFen}`);
          // 申请扣款: accepted (the result follows as a TRANSACTION.* notification), or refused now.
          const result = await signedPost('/v3/papay/pay/transactions/apply', {
            appid: config.appId,
            mchid: config.mchId,
            description,
            out_trade_no: orderId,
            notify_url: notifyUrl,
            contract_id: platformAgreementId,
            amount: { total: amountFen, currency: 'CNY' },
          });
          if (result.status >= 200 && result.status <= 299) return { state: 'accepted' as const };
          const code = errorCodeOf(result);
          // The same order number again (a retry after a lost answer): it was accepted the first time.
          if (code === 'ORDERPAID' || code === 'ORDER_EXIST') return { state: 'accepted' as const };
          if (result.status >= 400 && result.status < 500 && code && code !== 'SYSTEM_ERROR' && code !== 'FREQUENCY_LIMITED') return { state: 'refused' as const, platformCode: code };
          throw callFailed(`deduct ${orderId}`, result);
        },

        async verifyNotification({ headers, rawBody, now }): Promise<AgreementEvent> {
          const timestamp = headers['wechatpay-timestamp'];
          const nonce = headers['wechatpay-nonce'];
          const signature = headers['wechatpay-signature'];
          const serial = headers['wechatpay-serial'];
          if (!timestamp || !nonce || !signature || !serial || !/^\d{1,12}$/.test(timestamp)) reject('MALFORMED', 'missing or bad Wechatpay-* headers');
          const key = platformKeys.get(serial);
          if (!key) reject('UNKNOWN_CERTIFICATE', `no platform key with serial ${serial} is configured`);
          if (!withinWindow(Number(timestamp), now)) reject('TIMESTAMP_OUT_OF_WINDOW', `Wechatpay-Timestamp ${timestamp}`);
          const genuine = rsaVerify('RSA-SHA256', Buffer.from(`${timestamp}\n${nonce}\n${rawBody}\n`, 'utf8'), key.key, Buffer.from(signature, 'base64'));
          if (!genuine) reject('SIGNATURE_INVALID', 'Wechatpay-Signature does not verify over the body');
          const envelope = contractNotificationSchema.safeParse(parseJson(rawBody));
          if (!envelope.success) reject('MALFORMED', 'not a papay contract notification');
          let plaintext: string;
          try {
            plaintext = decryptResource(config.apiV3Key, envelope.data.resource.ciphertext, envelope.data.resource.nonce, envelope.data.resource.associated_data ?? '');
          } catch {
            reject('DECRYPTION_FAILED', 'the resource does not decrypt and authenticate with our APIv3 key');
          }
          const parsed = contractSchema.safeParse(parseJson(plaintext));
          if (!parsed.success) reject('MALFORMED', 'the resource is not a contract');
          const contract = parsed.data;
          if (contract.mchid !== config.mchId) reject('NOT_OUR_MERCHANT', `mchid ${contract.mchid}`);
          const problem = ourContract(contract);
          if (problem) reject('NOT_OUR_APP', problem);
          return {
            channel: 'wechat',
            agreementCode: contract.out_contract_code,
            state: contract.contract_state === 'ADDED' ? 'active' : 'cancelled',
            platformAgreementId: contract.contract_id,
            ...(contract.openid ? { payerId: contract.openid } : {}),
            ...(contract.operate_time ? { at: contract.operate_time } : {}),
            notificationId: envelope.data.id,
          };
        },
      }
    : undefined;

  return {
    name: 'wechat',
    ...(agreements ? { agreements } : {}),

    async createTopup(request: CreateTopupRequest): Promise<CreateTopupResult> {
      checkTopupRequest(request);
      const result = await pay.transactions_jsapi({
        description: request.description,
        out_trade_no: request.orderId,
        notify_url: request.notifyUrl,
        time_expire: beijingRfc3339(request.expiresAt),
        amount: { total: request.amountFen, currency: 'CNY' },
        payer: { openid: request.payerId },
      });
      if (result.status !== 200) throw callFailed(`create order ${request.orderId}`, result);
      // On success the SDK has replaced the answer ({prepay_id}) with the signed wx.requestPayment parameters.
      const params = result.data as Partial<Record<'appId' | 'timeStamp' | 'nonceStr' | 'package' | 'paySign', unknown>> | undefined;
      const { appId, timeStamp, nonceStr, package: prepay, paySign } = params ?? {};
      if (typeof appId !== 'string' || typeof timeStamp !== 'string' || typeof nonceStr !== 'string' || typeof paySign !== 'string' || typeof prepay !== 'string' || !prepay.startsWith('prepay_id=')) {
        throw new PlatformCallFailed('wechat', `create order ${request.orderId}: the answer has no prepay_id`);
      }
      return { channel: 'wechat', requestPayment: { appId, timeStamp, nonceStr, package: prepay, signType: 'RSA', paySign } };
    },

    async verifyNotification({ headers, rawBody, now }: IncomingNotification): Promise<PaymentEvent> {
      const timestamp = headers['wechatpay-timestamp'];
      const nonce = headers['wechatpay-nonce'];
      const signature = headers['wechatpay-signature'];
      const serial = headers['wechatpay-serial'];
      const signatureType = headers['wechatpay-signature-type'];
      if (!timestamp || !nonce || !signature || !serial) reject('MALFORMED', 'missing Wechatpay-Timestamp, -Nonce, -Signature or -Serial');
      if (signatureType !== undefined && signatureType !== SIGNATURE_TYPE) reject('MALFORMED', `unsupported signature type ${signatureType}`);
      if (!/^\d{1,12}$/.test(timestamp)) reject('MALFORMED', 'Wechatpay-Timestamp is not a number of seconds');

      // Checked before the SDK sees the serial: for one it does not know, it would download certificates.
      const key = platformKeys.get(serial);
      if (!key) reject('UNKNOWN_CERTIFICATE', `no platform key with serial ${serial} is configured`);
      if (!withinWindow(Number(timestamp), now)) reject('TIMESTAMP_OUT_OF_WINDOW', `Wechatpay-Timestamp ${timestamp} is more than ${TIMESTAMP_WINDOW_SECONDS} s from now`);

      // verifySign reads the static map synchronously on entry: writing our key just before the call
      // means another channel in this process that trusts a different key under this serial cannot interfere.
      sdkPlatformKeys()[serial] = key.pem;
      const genuine = await pay.verifySign({ timestamp, nonce, body: rawBody, serial, signature }).catch(() => false);
      if (!genuine) reject('SIGNATURE_INVALID', 'Wechatpay-Signature does not verify over the body');

      const envelope = notificationSchema.safeParse(parseJson(rawBody));
      if (!envelope.success) reject('MALFORMED', `not a transaction notification: ${envelope.error.issues[0]?.message ?? ''}`);
      const { id, resource } = envelope.data;
      let plaintext: string;
      try {
        plaintext = decryptResource(config.apiV3Key, resource.ciphertext, resource.nonce, resource.associated_data ?? '');
      } catch {
        reject('DECRYPTION_FAILED', 'the resource does not decrypt and authenticate with our APIv3 key');
      }
      const parsed = transactionSchema.safeParse(parseJson(plaintext));
      if (!parsed.success) reject('MALFORMED', 'the resource is not a transaction');
      const transaction = parsed.data;
      if (transaction.mchid !== config.mchId) reject('NOT_OUR_MERCHANT', `mchid ${transaction.mchid}`);
      if (transaction.appid !== config.appId) reject('NOT_OUR_APP', `appid ${transaction.appid}`);
      const event = toPaymentEvent(transaction, id);
      if (typeof event === 'string') reject('MALFORMED', event);
      return event;
    },

    answer(ok: boolean): NotificationAnswer {
      return ok
        ? { status: 200, contentType: 'application/json', body: JSON.stringify({ code: 'SUCCESS', message: '成功' }) }
        : // Refused, not a fault of ours: 4xx (WeChat retries on any non-2xx), so a forged one does not alarm as a 500.
          { status: 400, contentType: 'application/json', body: JSON.stringify({ code: 'FAIL', message: '失败' }) };
    },

    async query(orderId: string): Promise<PaymentEvent> {
      if (!ORDER_ID.test(orderId)) throw new RangeError(`not an order id WeChat accepts: ${JSON.stringify(orderId)}`);
      const result = await pay.query({ out_trade_no: orderId });
      // An order stored here whose create call never reached WeChat: not paid (and never will be once
      // its pay-by time has passed, when the reconciler closes it), like Alipay's ACQ.TRADE_NOT_EXIST.
      if (result.status === 404 && errorCodeOf(result) === 'ORDER_NOT_EXIST') return { channel: 'wechat', orderId, state: 'pending' };
      if (result.status !== 200) throw callFailed(`query ${orderId}`, result);
      const parsed = transactionSchema.safeParse(result.data);
      if (!parsed.success) throw new PlatformCallFailed('wechat', `query ${orderId}: the answer is not a transaction`);
      const transaction = parsed.data;
      if (transaction.mchid !== config.mchId || transaction.appid !== config.appId || transaction.out_trade_no !== orderId) {
        throw new PlatformCallFailed('wechat', `query ${orderId}: the answer is about ${transaction.mchid}/${transaction.appid}/${transaction.out_trade_no}`);
      }
      const event = toPaymentEvent(transaction);
      if (typeof event === 'string') throw new PlatformCallFailed('wechat', `query ${orderId}: ${event}`);
      return event;
    },

    async refund(request: RefundRequest): Promise<RefundResult> {
      if (!ORDER_ID.test(request.orderId) || !ORDER_ID.test(request.refundId)) throw new RangeError(`not an order or refund id WeChat accepts: ${request.orderId} ${request.refundId}`);
      if (!amountFenSchema.safeParse(request.amountFen).success || request.amountFen > request.paidFen) throw new RangeError(`not a refund of ${request.paidFen}: ${request.amountFen}`);
      // Asked first: a refund already made (a retry after a lost answer, or one still processing) is only looked at.
      const found = await pay.find_refunds(request.refundId);
      if (found.status === 200) return refundResultOf(request, found.data);
      if (found.status !== 404) throw callFailed(`refund ${request.refundId} (look-up)`, found);
      const made = await pay.refunds({
        transaction_id: request.platformTxnId, // WeChat takes this or out_trade_no, not both
        out_refund_no: request.refundId,
        reason: request.reason,
        amount: { refund: request.amountFen, total: request.paidFen, currency: 'CNY' },
      });
      if (made.status !== 200) throw callFailed(`refund ${request.refundId}`, made);
      return refundResultOf(request, made.data);
    },

    async payWithCode(request: CodePaymentRequest): Promise<CodePaymentState> {
      if (!ORDER_ID.test(request.orderId)) throw new RangeError(`not an order id WeChat accepts: ${JSON.stringify(request.orderId)}`);
      if (!amountFenSchema.safeParse(request.amountFen).success) throw new RangeError(`not an amount in fen: ${request.amountFen}`);
      const what = `code payment ${request.orderId}`;
      // POST /v3/pay/transactions/codepay (付款码支付, direct merchants): 200 paid, 202 USERPAYING, or an error code.
      const result = await signedPost('/v3/pay/transactions/codepay', {
        appid: config.appId,
        mchid: config.mchId,
        description: request.description,
        out_trade_no: request.orderId,
        payer: { auth_code: request.authCode },
        amount: { total: request.amountFen, currency: 'CNY' },
        scene_info: { device_id: request.terminalId, store_info: { out_id: request.storeId } },
      });
      if (result.status === 200) return codeStateOf(what, request.orderId, result.data);
      const answered = result.status === 202 ? (result.data as { code?: unknown } | undefined)?.code : errorCodeOf(result);
      const code = typeof answered === 'string' ? answered : result.status === 202 ? 'USERPAYING' : '';
      switch (code) {
        case 'USERPAYING':
          return { state: 'waiting' };
        // The same order number already paid (a repeat of a call whose answer was lost): its state is what the query says.
        case 'ORDERPAID': {
          const found = await queryCode(request.orderId);
          if (found.state === 'not_found') throw new PlatformCallFailed('wechat', `${what}: ORDERPAID but the order is not found`);
          return found;
        }
        case 'NOTENOUGH':
          return { state: 'refused', refusal: 'insufficient_funds', platformCode: code };
        case 'AUTH_CODE_INVALID':
        case 'AUTH_CODE_EXPIRE':
        case 'AUTHCODEEXPIRE':
        case 'AUTH_CODE_ERROR':
          return { state: 'refused', refusal: 'code_invalid', platformCode: code };
        case 'TRADE_ERROR':
        case 'BUYER_MISMATCH':
        case 'ORDER_CLOSED':
        case 'ORDERREVERSED':
        case 'ORDER_REVERSED':
          return { state: 'refused', refusal: 'declined', platformCode: code };
        default:
          // SYSTEM_ERROR, BANKERROR, a 5xx, anything unknown: not an answer about the money. Ask again.
          throw callFailed(what, result);
      }
    },

    queryCodePayment: queryCode,

    async cancelCodePayment(orderId: string): Promise<void> {
      if (!ORDER_ID.test(orderId)) throw new RangeError(`not an order id WeChat accepts: ${JSON.stringify(orderId)}`);
      // POST /v3/pay/transactions/out-trade-no/{out_trade_no}/reverse: closes it unpaid, gives the money back if paid.
      const result = await signedPost(`/v3/pay/transactions/out-trade-no/${orderId}/reverse`, { appid: config.appId, mchid: config.mchId });
      if (result.status >= 200 && result.status <= 299) return;
      // Never seen by WeChat: nothing was taken (and the reverse bars the number, so a late request cannot pay it).
      if (result.status === 404 && errorCodeOf(result) === 'ORDER_NOT_EXIST') return;
      throw callFailed(`reverse ${orderId}`, result);
    },

    async downloadBill(day: string): Promise<BillRow[]> {
      if (!/^\d{4}-\d{2}-\d{2}$/.test(day)) throw new RangeError(`not a bill day: ${JSON.stringify(day)}`);
      const what = `trade bill ${day}`;
      const asked = await pay.tradebill({ bill_date: day, bill_type: 'ALL' });
      if (asked.status !== 200) throw callFailed(what, asked);
      const answer = tradebillSchema.safeParse(asked.data);
      if (!answer.success) throw new PlatformCallFailed('wechat', `${what}: the answer has no download_url and SHA1 hash_value`);
      // Only WeChat's own origin: the HTTP layer sends it to the configured gateway, and nowhere else.
      const downloaded = await pay.downloadBill(answer.data.download_url);
      if (downloaded.status !== 200 || !(downloaded.data instanceof Uint8Array)) throw callFailed(`${what} (download)`, downloaded);
      // The file is not signed: its hash in the signed tradebill answer is what vouches for it (the SDK never checks it).
      if (wechatBillHash(downloaded.data) !== answer.data.hash_value.toLowerCase()) throw new PlatformCallFailed('wechat', `${what}: the file does not match hash_value`);
      try {
        return parseWechatTradeBill(downloaded.data);
      } catch (error) {
        if (error instanceof BillUnreadable) throw new PlatformCallFailed('wechat', `${what}: ${error.message}`);
        throw error;
      }
    },
  };
}

/** SUCCESS is refunded, PROCESSING is not yet; CLOSED and ABNORMAL need an operator (WeChat cannot pay it back by itself). */
function refundResultOf(request: RefundRequest, data: unknown): RefundResult {
  const parsed = refundSchema.safeParse(data);
  if (!parsed.success) throw new PlatformCallFailed('wechat', `refund ${request.refundId}: the answer is not a refund`);
  const refund = parsed.data;
  if (refund.out_refund_no !== request.refundId || (refund.out_trade_no !== undefined && refund.out_trade_no !== request.orderId) || refund.amount.refund !== request.amountFen) {
    throw new PlatformCallFailed('wechat', `refund ${request.refundId}: the answer is about ${refund.out_trade_no}/${refund.out_refund_no} for ${refund.amount.refund}`);
  }
  if (refund.status === 'SUCCESS') return { state: 'refunded', platformRefundId: refund.refund_id, ...(refund.success_time ? { refundedAt: refund.success_time } : {}) };
  if (refund.status === 'PROCESSING') return { state: 'processing', platformRefundId: refund.refund_id };
  throw new PlatformCallFailed('wechat', `refund ${request.refundId}: status ${refund.status}`);
}

/** The event for a transaction, or why it cannot be one. A paid one must say what was paid and under which transaction. */
function toPaymentEvent(transaction: WechatTransaction, notificationId?: string): PaymentEvent | string {
  const state = STATE_OF[transaction.trade_state as TradeState] as PaymentEvent['state'] | undefined;
  if (!state) return `unknown trade_state ${transaction.trade_state}`;
  const total = transaction.amount?.total;
  if (transaction.amount?.currency !== undefined && transaction.amount.currency !== 'CNY') return `currency ${transaction.amount.currency}`;
  if (state === 'paid' && (!transaction.transaction_id || total === undefined || total <= 0)) return 'a paid transaction without transaction_id or amount.total';
  return {
    channel: 'wechat',
    orderId: transaction.out_trade_no,
    state,
    ...(transaction.transaction_id !== undefined ? { platformTxnId: transaction.transaction_id } : {}),
    // amount.total: what the order was for (fen). payer_total can be less when a coupon paid part of it.
    ...(total !== undefined ? { amountFen: total } : {}),
    ...(transaction.success_time !== undefined ? { paidAt: transaction.success_time } : {}),
    ...(transaction.payer?.openid !== undefined ? { payerId: transaction.payer.openid } : {}),
    ...(notificationId !== undefined ? { notificationId } : {}),
  };
}

/**
 * AEAD_AES_256_GCM as WeChat uses it: key = the APIv3 key's bytes, IV = the nonce's bytes, the last
 * 16 bytes of the ciphertext are the tag. final() is what checks the tag; the SDK's decipher_gcm skips it.
 */
function decryptResource(apiV3Key: string, ciphertext: string, nonce: string, associatedData: string): string {
  if (!/^[A-Za-z0-9+/]+={0,2}$/.test(ciphertext)) throw new Error('ciphertext is not base64');
  const sealed = Buffer.from(ciphertext, 'base64');
  if (sealed.length <= 16) throw new Error('ciphertext shorter than its tag');
  const decipher = createDecipheriv('aes-256-gcm', Buffer.from(apiV3Key, 'utf8'), Buffer.from(nonce, 'utf8'), { authTagLength: 16 });
  decipher.setAuthTag(sealed.subarray(sealed.length - 16));
  decipher.setAAD(Buffer.from(associatedData, 'utf8'));
  return Buffer.concat([decipher.update(sealed.subarray(0, sealed.length - 16)), decipher.final()]).toString('utf8');
}

interface PlatformKey {
  key: KeyObject;
  /** SPKI PEM: the form the SDK's map holds. */
  pem: string;
}

/** Every configured platform key, parsed now so a bad one fails at start-up rather than at the first notification. */
function readPlatformKeys(config: WechatPayConfig): Map<string, PlatformKey> {
  const keys = new Map<string, PlatformKey>();
  for (const [serial, pem] of Object.entries(config.platformCertificates)) {
    const key = createPublicKey(pem); // accepts a PEM public key or a PEM certificate
    if (key.asymmetricKeyType !== 'rsa') throw new Error(`WeChat Pay platform key ${serial} is not an RSA key`);
    keys.set(serial, { key, pem: key.export({ type: 'spki', format: 'pem' }).toString() });
  }
  if (keys.size === 0) throw new Error('WeChat Pay: no platform certificate or public key configured');
  return keys;
}

/** A merchant key that does not belong to the certificate (or serial) would only show up as 401s from WeChat. */
function checkMerchantIdentity(config: WechatPayConfig): void {
  if (Buffer.byteLength(config.apiV3Key, 'utf8') !== 32) throw new Error('WeChat Pay: the APIv3 key must be 32 bytes');
  const certificate = new X509Certificate(config.merchantCertificatePem);
  if (!certificate.checkPrivateKey(createPrivateKey(config.merchantPrivateKeyPem))) {
    throw new Error('WeChat Pay: the merchant private key does not belong to the merchant certificate');
  }
  const normal = (serial: string) => serial.toUpperCase().replace(/^0+/, '');
  if (normal(certificate.serialNumber) !== normal(config.merchantCertSerial)) {
    throw new Error(`WeChat Pay: merchantCertSerial ${config.merchantCertSerial} is not the certificate's serial ${certificate.serialNumber}`);
  }
}

/** The gateway's origin; plain http only to this machine (a fake), since requests carry payer ids. */
function gatewayOrigin(baseUrl: string): string {
  const url = new URL(baseUrl);
  const loopback = /^(127\.\d+\.\d+\.\d+|\[::1\]|localhost)$/i.test(url.hostname);
  if (url.protocol !== 'https:' && !(url.protocol === 'http:' && loopback)) throw new Error(`WeChat Pay gateway must be https: ${baseUrl}`);
  return url.origin;
}

/**
 * The SDK's HTTP, replaced: fetch with a timeout to the configured gateway only, and an answer is
 * handed back only if the platform signed it with a key we trust, recently. Errors keep the SDK's
 * {status, error} shape so its own logic still works; the channel turns them into PlatformCallFailed.
 */
function gatewayHttp(options: { gateway: string; timeoutMs: number; platformKeys: Map<string, PlatformKey>; clock: () => Date }): PayRequestHooks {
  const send = async (method: 'GET' | 'POST', sdkUrl: string, headers: Record<string, string>, body?: string): Promise<SdkOutput> => {
    if (!sdkUrl.startsWith(`${WECHAT_PAY_ORIGIN}/`)) throw new PlatformCallFailed('wechat', `refusing to call ${sdkUrl}`);
    const path = sdkUrl.slice(WECHAT_PAY_ORIGIN.length);
    let status: number;
    let answerHeaders: Headers;
    let text: string;
    try {
      const response = await fetch(`${options.gateway}${path}`, { method, headers, body, redirect: 'error', signal: AbortSignal.timeout(options.timeoutMs) });
      status = response.status;
      answerHeaders = response.headers;
      // A bill file is bytes, not a signed JSON answer: the caller checks it against the signed hash_value.
      if (method === 'GET' && path.startsWith('/v3/billdownload/') && status === 200) return { status, data: new Uint8Array(await response.arrayBuffer()) };
      text = await response.text();
    } catch (error) {
      throw new PlatformCallFailed('wechat', `${method} ${path}: gateway unreachable (${error instanceof Error ? error.message : String(error)})`);
    }
    if (status < 200 || status > 299) return { status, error: text };
    const problem = answerSignatureProblem(answerHeaders, text, options.platformKeys, options.clock());
    if (problem) throw new PlatformCallFailed('wechat', `${method} ${path}: ${problem}`);
    if (text === '') return { status };
    try {
      return { status, data: JSON.parse(text) as unknown };
    } catch {
      throw new PlatformCallFailed('wechat', `${method} ${path}: the answer is not JSON`);
    }
  };
  return {
    get: (url, headers) => send('GET', url, headers as Record<string, string>),
    post: (url, params, headers) => send('POST', url, headers as Record<string, string>, JSON.stringify(params)), // the exact string the SDK signed
    upload: () => Promise.reject(new PlatformCallFailed('wechat', 'uploads are not used')),
  };
}

/** Why a gateway answer cannot be believed, if it cannot: WeChat signs `timestamp\nnonce\nbody\n` like notifications. */
function answerSignatureProblem(headers: Headers, body: string, platformKeys: Map<string, PlatformKey>, now: Date): string | undefined {
  const timestamp = headers.get('wechatpay-timestamp');
  const nonce = headers.get('wechatpay-nonce');
  const signature = headers.get('wechatpay-signature');
  const serial = headers.get('wechatpay-serial');
  if (!timestamp || !nonce || !signature || !serial) return 'the answer is not signed';
  const platform = platformKeys.get(serial);
  if (!platform) return `the answer is signed with unknown platform serial ${serial}`;
  if (!/^\d{1,12}$/.test(timestamp) || !withinWindow(Number(timestamp), now)) return `the answer's timestamp ${timestamp} is out of window`;
  const genuine = rsaVerify('RSA-SHA256', Buffer.from(`${timestamp}\n${nonce}\n${body}\n`, 'utf8'), platform.key, Buffer.from(signature, 'base64'));
  return genuine ? undefined : 'the answer signature does not verify';
}

/** Compared in whole seconds, the timestamp's own resolution. */
function withinWindow(timestampSeconds: number, now: Date): boolean {
  return Math.abs(Math.floor(now.getTime() / 1000) - timestampSeconds) <= TIMESTAMP_WINDOW_SECONDS;
}

/** WeChat's error code in an error answer ({code, message}), if it has one. */
function errorCodeOf(result: SdkOutput): string | undefined {
  const answer = parseJson(typeof result.error === 'string' ? result.error : '') as { code?: unknown } | undefined;
  return answer && typeof answer.code === 'string' ? answer.code : undefined;
}

function callFailed(what: string, result: SdkOutput): PlatformCallFailed {
  const answer = parseJson(typeof result.error === 'string' ? result.error : '') as { code?: unknown; message?: unknown } | undefined;
  const reason = answer && typeof answer.code === 'string' ? `${answer.code} ${String(answer.message ?? '')}`.trim() : 'no details';
  return new PlatformCallFailed('wechat', `${what}: HTTP ${result.status} ${reason}`);
}

function checkTopupRequest(request: CreateTopupRequest): void {
  if (!ORDER_ID.test(request.orderId)) throw new RangeError(`not an order id WeChat accepts: ${JSON.stringify(request.orderId)}`);
  if (!amountFenSchema.safeParse(request.amountFen).success) throw new RangeError(`not an amount in fen: ${request.amountFen}`);
  if (!request.payerId) throw new RangeError('a WeChat top-up needs the payer openid');
  if (Number.isNaN(request.expiresAt.getTime())) throw new RangeError('expiresAt is not a date');
}

/** WeChat wants time_expire as RFC 3339 in Beijing time, e.g. 2026-11-23T12:30:00+08:00. */
export function beijingRfc3339(at: Date): string {
  return `${new Date(at.getTime() + 8 * 3_600_000).toISOString().slice(0, 19)}+08:00`;
}

export function parseJson(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}

function reject(problem: NotificationRejected['problem'], detail: string): never {
  throw new NotificationRejected(problem, detail);
}
