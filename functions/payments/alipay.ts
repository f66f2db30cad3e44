/**
 * Alipay (open platform v2, RSA2) behind the PaymentChannel interface, on the official alipay-sdk v4.
 * The SDK signs requests and checks signatures; this module closes what it leaves open: every call
 * verifies the answer's signature, errors come back as values and become PlatformCallFailed, the
 * request timestamp is Beijing time whatever the process time zone, and a notification is believed
 * only when it is RSA2-signed by Alipay, names our app and our merchant, and carries an exact amount.
 */
import { createPrivateKey, createPublicKey } from 'node:crypto';
import { AlipaySdk, type AlipaySdkCommonResult } from 'alipay-sdk';
import { formatYuan, parseYuan } from '../../shared/money';
import { parseAlipayTradeBill } from './alipay-bill';
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

export interface AlipayConfig {
  /** Our mini-program's app id (2021…): also op_app_id, since the payment happens in that app. */
  appId: string;
  /** Our merchant PID (2088…): every notification must name it as seller_id. */
  sellerId: string;
  /** The app's RSA2 private key, PKCS8 PEM ("BEGIN PRIVATE KEY"). */
  appPrivateKeyPem: string;
  /** Alipay's public key for this app, PEM ("BEGIN PUBLIC KEY"); checks answers and notifications. */
  alipayPublicKeyPem: string;
  /** https://openapi.alipay.com/gateway.do in production. */
  gatewayUrl: string;
  /** Per call; the SDK's default is 5 s. */
  timeoutMs?: number;
  /**
   * 商户代扣 (automatic reload): the signing scene (sign_scene, e.g. `INDUSTRY|CAMPUS_CARD`) Alipay set in
   * our withholding contract; without it there is no automatic reload (AUTO_RELOAD_CHANNEL_UNSUPPORTED).
   */
  agreementSignScene?: string;
}

/** 商户代扣's personal product code (the holder's side of the agreement) and its sales product code (the deduction). */
export const ALIPAY_AGREEMENT_PRODUCT = 'GENERAL_WITHHOLDING_P';
export const ALIPAY_WITHHOLDING_PRODUCT = 'GENERAL_WITHHOLDING';
/** alipay.user.agreement.query / unsign: there is no such agreement. */
const AGREEMENT_NOT_EXIST = 'USER_AGREEMENT_NOT_EXIST';
/** Our agreement code (external_agreement_no): Alipay takes letters and digits, at most 32. */
const AGREEMENT_CODE = /^[A-Za-z0-9]{1,32}$/;
/** Alipay's agreement number (agreement_no): digits in practice; letters and digits accepted. */
const AGREEMENT_NO = /^[A-Za-z0-9]{1,64}$/;

/** Alipay's success code; anything else is an error returned as a value, not thrown. */
const SUCCESS = '10000';

/** What our orderId promises (channel.ts): letters and digits, at most 32 characters. */
const ORDER_ID = /^[A-Za-z0-9]{1,32}$/;

/** Alipay always writes amounts in yuan with exactly two decimals ("50.00"); anything else is not theirs. */
const YUAN_TWO_DECIMALS = /^\d+\.\d{2}$/;

const BEIJING_OFFSET_MS = 8 * 60 * 60 * 1000; // UTC+8, no daylight saving

/** 'yyyy-MM-dd HH:mm:ss' in Beijing time, the only time format Alipay's gateway speaks. */
export function formatBeijingTime(date: Date): string {
  const beijing = new Date(date.getTime() + BEIJING_OFFSET_MS);
  const pad = (n: number) => n.toString().padStart(2, '0');
  return (
    `${beijing.getUTCFullYear()}-${pad(beijing.getUTCMonth() + 1)}-${pad(beijing.getUTCDate())} ` +
    `${pad(beijing.getUTCHours())}:${pad(beijing.getUTCMinutes())}:${pad(beijing.getUTCSeconds())}`
  );
}

/** Alipay's 'yyyy-MM-dd HH:mm:ss' (Beijing) → ISO 8601 with its +08:00 offset; undefined if it is not that shape. */
export function beijingTimeToIso(text: string | undefined): string | undefined {
  const match = /^(\d{4}-\d{2}-\d{2}) (\d{2}:\d{2}:\d{2})$/.exec(text ?? '');
  return match ? `${match[1]}T${match[2]}+08:00` : undefined;
}

/** Alipay's trade_status → our state; undefined for a status we do not know. */
function stateOf(tradeStatus: string | undefined): PaymentEvent['state'] | undefined {
  switch (tradeStatus) {
    case 'TRADE_SUCCESS':
    case 'TRADE_FINISHED': // paid, and the refund window has ended
      return 'paid';
    case 'WAIT_BUYER_PAY':
      return 'pending';
    case 'TRADE_CLOSED': // unpaid and timed out, or fully refunded
      return 'closed';
    default:
      return undefined;
  }
}

/** Exact fen from Alipay's yuan string, or undefined if it is not a plain two-decimal amount. */
function fenOf(totalAmount: string | undefined): number | undefined {
  if (totalAmount === undefined || !YUAN_TWO_DECIMALS.test(totalAmount)) return undefined;
  try {
    return parseYuan(totalAmount);
  } catch {
    return undefined;
  }
}

export function createAlipayChannel(config: AlipayConfig, clock: () => Date = () => new Date()): PaymentChannel {
  const sdk = new AlipaySdk({
    appId: config.appId,
    // Normalized here so a bad key fails now, not at the first payment; the SDK needs PKCS8 said explicitly.
    privateKey: normalizePrivateKey(config.appPrivateKeyPem),
    keyType: 'PKCS8',
    // Required: with no Alipay public key the SDK skips validateSign with only a console warning.
    alipayPublicKey: normalizePublicKey(config.alipayPublicKeyPem),
    gateway: config.gatewayUrl,
    signType: 'RSA2',
    // Keep Alipay's own snake_case names (sub_code, trade_status), as in its docs and the SDK's result type.
    camelcase: false,
    ...(config.timeoutMs !== undefined ? { timeout: config.timeoutMs } : {}),
  });

  /** One signed call whose answer's signature is checked; any error, returned or thrown, becomes PlatformCallFailed. */
  async function call(method: string, params: Record<string, unknown>): Promise<AlipaySdkCommonResult> {
    try {
      // The SDK stamps requests in the process's local zone; a timestamp among the params overrides it.
      return await sdk.exec(method, { ...params, timestamp: formatBeijingTime(clock()) }, { validateSign: true });
    } catch (error) {
      throw new PlatformCallFailed('alipay', `${method}: ${error instanceof Error ? error.message : String(error)}`);
    }
  }

  function failed(method: string, result: AlipaySdkCommonResult): PlatformCallFailed {
    return new PlatformCallFailed('alipay', `${method}: ${result.code} ${result.msg} ${result.sub_code ?? ''} ${result.sub_msg ?? ''}`.trim());
  }

  /** Where a face-to-face sale stands (alipay.trade.query). */
async function queryCode(orderId: string): Promise<CodePaymentState | { state: 'not_found' }> {
    assertOrderId(orderId);
    const method = 'alipay.trade.query';
    const result = await call(method, { bizContent: { out_trade_no: orderId } });
    if (result.code !== SUCCESS && result.sub_code === 'ACQ.TRADE_NOT_EXIST') return { state: 'not_found' };
    if (result.code !== SUCCESS) throw failed(method, result);
    if (result.out_trade_no !== orderId) throw new PlatformCallFailed('alipay', `${method}: answer is for order ${String(result.out_trade_no)}, not ${orderId}`);
    switch (result.trade_status) {
      case 'TRADE_SUCCESS':
      case 'TRADE_FINISHED':
        return paidState(method, orderId, result);
      case 'WAIT_BUYER_PAY':
        return { state: 'waiting' };
      case 'TRADE_CLOSED':
        return { state: 'closed' };
      default:
        throw new PlatformCallFailed('alipay', `${method}: unknown trade_status ${String(result.trade_status)}`);
    }
  }

  const scene = config.agreementSignScene;
  const agreements: AgreementChannel | undefined = scene ? alipayAgreements(scene) : undefined;

  /** 商户代扣: page signing, query, unsign, deduction (alipay.trade.pay GENERAL_WITHHOLDING) and the dut_user_* notifications. */
  function alipayAgreements(signScene: string): AgreementChannel {
    const assertCode = (code: string) => {
      if (!AGREEMENT_CODE.test(code)) throw new RangeError(`not an agreement code Alipay accepts (letters and digits, at most 32): ${JSON.stringify(code)}`);
    };

    /** A query answer about this agreement of ours (signature checked by the SDK), as a state. */
    const stateOf = (method: string, agreementCode: string, result: AlipaySdkCommonResult): AgreementState => {
      if (result.external_agreement_no !== undefined && result.external_agreement_no !== agreementCode) {
        throw new PlatformCallFailed('alipay', `${method}: answer is for agreement ${String(result.external_agreement_no)}, not ${agreementCode}`);
      }
      if (result.personal_product_code !== undefined && result.personal_product_code !== ALIPAY_AGREEMENT_PRODUCT) throw new PlatformCallFailed('alipay', `${method}: product ${String(result.personal_product_code)}`);
      if (result.sign_scene !== undefined && result.sign_scene !== signScene) throw new PlatformCallFailed('alipay', `${method}: scene ${String(result.sign_scene)}`);
      const id = typeof result.agreement_no === 'string' ? result.agreement_no : undefined;
      const payerId = typeof result.principal_id === 'string' ? result.principal_id : typeof result.alipay_user_id === 'string' ? result.alipay_user_id : undefined;
      switch (result.status) {
        case 'NORMAL': {
          if (!id) throw new PlatformCallFailed('alipay', `${method}: a NORMAL agreement without agreement_no`);
          const at = beijingTimeToIso(typeof result.sign_time === 'string' ? result.sign_time : undefined);
          return { state: 'active', platformAgreementId: id, ...(payerId ? { payerId } : {}), ...(at ? { at } : {}) };
        }
        // Opened the signing page, never confirmed: nothing was signed.
        case 'TEMP':
          return { state: 'not_found' };
        // Paused or ended: no deduction can follow. A cancelled agreement here never comes back (the store's rule).
        case 'STOP':
        case 'UNSIGN': {
          const at = beijingTimeToIso(typeof result.unsign_time === 'string' ? result.unsign_time : undefined);
          return { state: 'cancelled', ...(id ? { platformAgreementId: id } : {}), ...(at ? { at } : {}) };
        }
        default:
          throw new PlatformCallFailed('alipay', `${method}: unknown agreement status ${String(result.status)}`);
      }
    };

    const query = async (agreementCode: string): Promise<AgreementState> => {
      assertCode(agreementCode);
      const method = 'alipay.user.agreement.query';
      const result = await call(method, { bizContent: { personal_product_code: ALIPAY_AGREEMENT_PRODUCT, sign_scene: signScene, external_agreement_no: agreementCode } });
      if (result.code !== SUCCESS && result.sub_code === AGREEMENT_NOT_EXIST) return { state: 'not_found' };
      if (result.code !== SUCCESS) throw failed(method, result);
      return stateOf(method, agreementCode, result);
    };

    return {
      async sign({ agreementCode, displayAccount, notifyUrl }): Promise<AgreementSigning> {
        assertCode(agreementCode);
        // A page request: the SDK signs it into a GET URL on the gateway; Alipay sees it only when the holder opens it
        // (my.ap.navigateToAlipayPage / alipays://), and posts dut_user_sign to notify_url once they confirm.
        let signUrl: string;
        try {
          signUrl = sdk.pageExecute('alipay.user.agreement.page.sign', 'GET', {
            notify_url: notifyUrl,
            timestamp: formatBeijingTime(clock()),
            bizContent: {
              personal_product_code: ALIPAY_AGREEMENT_PRODUCT,
              sign_scene: signScene,
              external_agreement_no: agreementCode,
              external_logon_id: displayAccount,
              access_params: { channel: 'ALIPAYAPP' },
            },
          });
        } catch (error) {
          throw new PlatformCallFailed('alipay', `alipay.user.agreement.page.sign: ${error instanceof Error ? error.message : String(error)}`);
        }
        return { channel: 'alipay', signUrl };
      },

      query,

      async cancel({ agreementCode, platformAgreementId }): Promise<void> {
        assertCode(agreementCode);
        if (!AGREEMENT_NO.test(platformAgreementId)) throw new RangeError(`not an agreement number: ${JSON.stringify(platformAgreementId)}`);
        const method = 'alipay.user.agreement.unsign';
        const result = await call(method, { bizContent: { agreement_no: platformAgreementId, personal_product_code: ALIPAY_AGREEMENT_PRODUCT, sign_scene: signScene } });
        if (result.code === SUCCESS) return;
        // Ended already (by the holder in Alipay, or by an earlier call whose answer was lost): what we wanted.
        if (result.sub_code === AGREEMENT_NOT_EXIST) return;
        if (result.code === '40004') {
          const state = await query(agreementCode);
          if (state.state !== 'active') return;
        }
        throw failed(method, result);
      },

      async deduct({ orderId, platformAgreementId, amountFen, description, notifyUrl }) {
        assertOrderId(orderId);
        if (!Number.isSafeInteger(amountFen) || amountFen <= 0) throw new RangeError(`not a positive amount of fen: ${amountFen}`);
        if (!AGREEMENT_NO.test(platformAgreementId)) throw new RangeError(`not an agreement number: ${JSON.stringify(platformAgreementId)}`);
        const method = 'alipay.trade.pay';
        // 商户代扣: charged under the agreement; the payment is told like any other (trade_status_sync to notify_url, or the query).
        const result = await call(method, {
          notify_url: notifyUrl,
          bizContent: {
            out_trade_no: orderId,
            product_code: ALIPAY_WITHHOLDING_PRODUCT,
            total_amount: formatYuan(amountFen),
            subject: description,
            agreement_params: { agreement_no: platformAgreementId },
          },
        });
        if (result.out_trade_no !== undefined && result.out_trade_no !== orderId) throw new PlatformCallFailed('alipay', `${method}: answer is for order ${String(result.out_trade_no)}, not ${orderId}`);
        // 10000 paid, 10003 taken and being processed; a repeat of an order already paid (its answer lost) was accepted the first time.
        if (result.code === SUCCESS || result.code === '10003' || result.sub_code === 'ACQ.TRADE_HAS_SUCCESS') return { state: 'accepted' as const };
        // 40004: Alipay refused this deduction (balance, agreement ended, risk...): nothing will be taken. ACQ.SYSTEM_ERROR is not an answer.
        if (result.code === '40004' && typeof result.sub_code === 'string' && result.sub_code !== '' && result.sub_code !== 'ACQ.SYSTEM_ERROR') return { state: 'refused' as const, platformCode: result.sub_code };
        throw failed(method, result);
      },

      async verifyNotification(notification: IncomingNotification): Promise<AgreementEvent> {
        const fields = signedForm(notification.rawBody);
        const missing = ['notify_id', 'notify_type', 'app_id', 'external_agreement_no', 'agreement_no', 'status'].filter((name) => !fields[name]);
        if (missing.length > 0) throw new NotificationRejected('MALFORMED', `missing ${missing.join(', ')}`);
        if (fields.app_id !== config.appId) throw new NotificationRejected('NOT_OUR_APP', `app_id ${fields.app_id}`);
        if (fields.partner_id !== undefined && fields.partner_id !== config.sellerId) throw new NotificationRejected('NOT_OUR_MERCHANT', `partner_id ${fields.partner_id}`);
        // Another product or scene of ours is another contract with Alipay, not this agreement.
        if (fields.personal_product_code !== undefined && fields.personal_product_code !== ALIPAY_AGREEMENT_PRODUCT) throw new NotificationRejected('NOT_OUR_APP', `personal_product_code ${fields.personal_product_code}`);
        if (fields.sign_scene !== undefined && fields.sign_scene !== signScene) throw new NotificationRejected('NOT_OUR_APP', `sign_scene ${fields.sign_scene}`);
        const code = fields.external_agreement_no!;
        if (!AGREEMENT_CODE.test(code) || !AGREEMENT_NO.test(fields.agreement_no!)) throw new NotificationRejected('MALFORMED', 'external_agreement_no or agreement_no');
        const base = { channel: 'alipay' as const, agreementCode: code, platformAgreementId: fields.agreement_no!, notificationId: fields.notify_id! };
        if (fields.notify_type === 'dut_user_sign' && fields.status === 'NORMAL') {
          const at = beijingTimeToIso(fields.sign_time);
          return { ...base, state: 'active', ...(fields.alipay_user_id ? { payerId: fields.alipay_user_id } : {}), ...(at ? { at } : {}) };
        }
        if (fields.notify_type === 'dut_user_unsign' && (fields.status === 'UNSIGN' || fields.status === 'STOP')) {
          const at = beijingTimeToIso(fields.unsign_time);
          return { ...base, state: 'cancelled', ...(at ? { at } : {}) };
        }
        throw new NotificationRejected('MALFORMED', `notify_type ${fields.notify_type} with status ${fields.status}`);
      },
    };
  }

  /** A form-encoded notification's fields once its RSA2 signature by Alipay verifies; NotificationRejected otherwise. */
  function signedForm(rawBody: string): Record<string, string> {
    const form = new URLSearchParams(rawBody);
    const fields = Object.fromEntries(form);
    // A repeated key would let what was verified (the last value) differ from what another parser reads.
    if (Object.keys(fields).length !== [...form.keys()].length) throw new NotificationRejected('MALFORMED', 'a field appears twice');
    // Unsigned is unbelieved: treated as a bad signature, not as a formatting slip.
    if (!fields.sign) throw new NotificationRejected('SIGNATURE_INVALID', 'no sign');
    // The SDK takes the algorithm from the message itself: "RSA" would downgrade to SHA-1, others make it throw.
    if (fields.sign_type !== 'RSA2') throw new NotificationRejected('SIGNATURE_INVALID', `sign_type ${JSON.stringify(fields.sign_type)} is not RSA2`);
    // V2 verifies the values as received; the old checkNotifySign URL-decodes them again ('%' breaks it).
    if (!sdk.checkNotifySignV2(fields)) throw new NotificationRejected('SIGNATURE_INVALID', 'not signed by our Alipay public key');
    return fields;
  }

  return {
    name: 'alipay',
    ...(agreements ? { agreements } : {}),

    async createTopup(request: CreateTopupRequest): Promise<CreateTopupResult> {
      assertOrderId(request.orderId);
      if (!Number.isSafeInteger(request.amountFen) || request.amountFen <= 0) throw new RangeError(`not a positive amount of fen: ${request.amountFen}`);
      const method = 'alipay.trade.create';
      const result = await call(method, {
        notify_url: request.notifyUrl,
        bizContent: {
          out_trade_no: request.orderId,
          total_amount: formatYuan(request.amountFen),
          subject: request.description,
          product_code: 'JSAPI_PAY',
          buyer_id: request.payerId,
          op_app_id: config.appId,
          time_expire: formatBeijingTime(request.expiresAt),
        },
      });
      if (result.code !== SUCCESS) throw failed(method, result);
      if (typeof result.trade_no !== 'string' || result.trade_no === '') throw new PlatformCallFailed('alipay', `${method}: no trade_no in the answer`);
      if (result.out_trade_no !== undefined && result.out_trade_no !== request.orderId) {
        throw new PlatformCallFailed('alipay', `${method}: answer is for order ${String(result.out_trade_no)}, not ${request.orderId}`);
      }
      return { channel: 'alipay', tradeNo: result.trade_no };
    },

    async query(orderId: string): Promise<PaymentEvent> {
      assertOrderId(orderId);
      const method = 'alipay.trade.query';
      const result = await call(method, { bizContent: { out_trade_no: orderId } });
      // Alipay has no trade under our number: we never created it, or our create never reached it. Either way
      // nobody can have paid it, but a create may still be in flight, so it is "not (yet) paid", not "closed":
      // the top-up service closes its own order once expiresAt has passed.
      if (result.code !== SUCCESS && result.sub_code === 'ACQ.TRADE_NOT_EXIST') return { channel: 'alipay', orderId, state: 'pending' };
      if (result.code !== SUCCESS) throw failed(method, result);
      if (result.out_trade_no !== orderId) throw new PlatformCallFailed('alipay', `${method}: answer is for order ${String(result.out_trade_no)}, not ${orderId}`);
      const state = stateOf(result.trade_status);
      if (!state) throw new PlatformCallFailed('alipay', `${method}: unknown trade_status ${String(result.trade_status)}`);
      if (state !== 'paid') return { channel: 'alipay', orderId, state };
      const amountFen = fenOf(result.total_amount);
      if (amountFen === undefined || typeof result.trade_no !== 'string') {
        throw new PlatformCallFailed('alipay', `${method}: paid trade without trade_no or a two-decimal total_amount`);
      }
      const paidAt = beijingTimeToIso(result.send_pay_date);
      const payerId = result.buyer_user_id ?? result.buyer_open_id;
      return {
        channel: 'alipay',
        orderId,
        state,
        platformTxnId: result.trade_no,
        amountFen,
        ...(paidAt ? { paidAt } : {}),
        ...(typeof payerId === 'string' ? { payerId } : {}),
      };
    },

    async verifyNotification(notification: IncomingNotification): Promise<PaymentEvent> {
      const fields = signedForm(notification.rawBody);

      const missing = ['notify_id', 'notify_type', 'app_id', 'seller_id', 'out_trade_no', 'trade_no', 'total_amount', 'trade_status'].filter((name) => !fields[name]);
      if (missing.length > 0) throw new NotificationRejected('MALFORMED', `missing ${missing.join(', ')}`);
      if (fields.notify_type !== 'trade_status_sync') throw new NotificationRejected('MALFORMED', `notify_type ${fields.notify_type}`);
      if (fields.app_id !== config.appId) throw new NotificationRejected('NOT_OUR_APP', `app_id ${fields.app_id}`);
      if (fields.seller_id !== config.sellerId) throw new NotificationRejected('NOT_OUR_MERCHANT', `seller_id ${fields.seller_id}`);
      const amountFen = fenOf(fields.total_amount);
      if (amountFen === undefined) throw new NotificationRejected('MALFORMED', `total_amount ${JSON.stringify(fields.total_amount)}`);
      const state = stateOf(fields.trade_status);
      if (!state) throw new NotificationRejected('MALFORMED', `trade_status ${fields.trade_status}`);

      const orderId = fields.out_trade_no!;
      const notificationId = fields.notify_id!;
      if (state !== 'paid') return { channel: 'alipay', orderId, state, notificationId };
      const paidAt = beijingTimeToIso(fields.gmt_payment);
      const payerId = fields.buyer_id ?? fields.buyer_open_id;
      return {
        channel: 'alipay',
        orderId,
        state,
        platformTxnId: fields.trade_no!,
        amountFen,
        notificationId,
        ...(paidAt ? { paidAt } : {}),
        ...(payerId ? { payerId } : {}),
      };
    },

    async refund(request: RefundRequest): Promise<RefundResult> {
      assertOrderId(request.orderId);
      assertOrderId(request.refundId);
      if (!Number.isSafeInteger(request.amountFen) || request.amountFen <= 0 || request.amountFen > request.paidFen) throw new RangeError(`not a refund of ${request.paidFen}: ${request.amountFen}`);
      const method = 'alipay.trade.refund';
      // Synchronous, and idempotent per out_request_no: a repeat answers the same refund with fund_change N.
      const result = await call(method, {
        bizContent: { out_trade_no: request.orderId, trade_no: request.platformTxnId, out_request_no: request.refundId, refund_amount: formatYuan(request.amountFen), refund_reason: request.reason },
      });
      if (result.code !== SUCCESS) throw failed(method, result);
      if (result.out_trade_no !== request.orderId || fenOf(result.refund_fee) === undefined) {
        throw new PlatformCallFailed('alipay', `${method}: answer is for order ${String(result.out_trade_no)} with refund_fee ${String(result.refund_fee)}`);
      }
      if (result.fund_change === 'Y') return { state: 'refunded', ...refundTime(result.gmt_refund_pay) };
      // N: this request moved no money now. Only the refund query says whether our request number was refunded before.
      const queryMethod = 'alipay.trade.fastpay.refund.query';
      const found = await call(queryMethod, { bizContent: { out_trade_no: request.orderId, out_request_no: request.refundId } });
      if (found.code !== SUCCESS) throw failed(queryMethod, found);
      if (found.refund_status === 'REFUND_SUCCESS' && fenOf(found.refund_amount) === request.amountFen) return { state: 'refunded', ...refundTime(found.gmt_refund_pay) };
      return { state: 'processing' };
    },

    async downloadBill(day: string): Promise<BillRow[]> {
      if (!/^\d{4}-\d{2}-\d{2}$/.test(day)) throw new RangeError(`not a bill day: ${JSON.stringify(day)}`);
      const method = 'alipay.data.dataservice.bill.downloadurl.query';
      const result = await call(method, { bizContent: { bill_type: 'trade', bill_date: day } });
      if (result.code !== SUCCESS) throw failed(method, result);
      const url = billUrl(result.bill_download_url, config.gatewayUrl);
      if (!url) throw new PlatformCallFailed('alipay', `${method}: bill_download_url ${String(result.bill_download_url)} is not Alipay's`);
      let zip: Uint8Array;
      try {
        // Valid for 30 s and not signed: it came in a signed answer, from Alipay's own host.
        const response = await fetch(url, { redirect: 'error', signal: AbortSignal.timeout(config.timeoutMs ?? 30_000) });
        if (response.status !== 200) throw new Error(`HTTP ${response.status}`);
        zip = new Uint8Array(await response.arrayBuffer());
      } catch (error) {
        throw new PlatformCallFailed('alipay', `bill ${day} download: ${error instanceof Error ? error.message : String(error)}`);
      }
      try {
        return parseAlipayTradeBill(zip);
      } catch (error) {
        if (error instanceof BillUnreadable) throw new PlatformCallFailed('alipay', `bill ${day}: ${error.message}`);
        throw error;
      }
    },

    async payWithCode(request: CodePaymentRequest): Promise<CodePaymentState> {
      assertOrderId(request.orderId);
      if (!Number.isSafeInteger(request.amountFen) || request.amountFen <= 0) throw new RangeError(`not a positive amount of fen: ${request.amountFen}`);
      const method = 'alipay.trade.pay';
      // 当面付 条码支付: the cashier scanned the payer's code (scene bar_code).
      const result = await call(method, {
        bizContent: {
          out_trade_no: request.orderId,
          scene: 'bar_code',
          auth_code: request.authCode,
          product_code: 'FACE_TO_FACE_PAYMENT',
          subject: request.description,
          total_amount: formatYuan(request.amountFen),
          store_id: request.storeId,
          terminal_id: request.terminalId,
        },
      });
      if (result.code === SUCCESS) return paidState(method, request.orderId, result);
      // 10003: the order is made and waits for the payer (a password): ask with alipay.trade.query.
      if (result.code === '10003') return { state: 'waiting' };
      switch (result.sub_code) {
        case 'ACQ.BUYER_BALANCE_NOT_ENOUGH':
        case 'ACQ.BUYER_BANKCARD_BALANCE_NOT_ENOUGH':
          return { state: 'refused', refusal: 'insufficient_funds', platformCode: result.sub_code };
        case 'ACQ.PAYMENT_AUTH_CODE_INVALID':
        case 'ACQ.AUTH_CODE_INVALID':
          return { state: 'refused', refusal: 'code_invalid', platformCode: result.sub_code };
        case 'ACQ.TRADE_HAS_SUCCESS': {
          // A repeat of a sale already paid (its first answer was lost): the query says how.
          const found = await queryCode(request.orderId);
          if (found.state === 'not_found') throw new PlatformCallFailed('alipay', `${method}: TRADE_HAS_SUCCESS but the trade is not found`);
          return found;
        }
        case 'ACQ.TRADE_HAS_CLOSE':
        case 'ACQ.BUYER_ENABLE_STATUS_FORBID':
        case 'ACQ.BUYER_SELLER_EQUAL':
        case 'ACQ.PAYMENT_FAIL':
        case 'ACQ.ERROR_BUYER_CERTIFY_LEVEL_LIMIT':
          return { state: 'refused', refusal: 'declined', platformCode: result.sub_code };
        default:
          // 20000 (unknown), ACQ.SYSTEM_ERROR, anything else: not an answer about the money. Ask again.
          throw failed(method, result);
      }
    },

    queryCodePayment: queryCode,

    async cancelCodePayment(orderId: string): Promise<void> {
      assertOrderId(orderId);
      const method = 'alipay.trade.cancel';
      // Closes it unpaid, refunds it if paid meanwhile; retry_flag Y means Alipay could not finish: ask again.
      const result = await call(method, { bizContent: { out_trade_no: orderId } });
      if (result.code !== SUCCESS) throw failed(method, result);
      if (result.retry_flag === 'Y') throw new PlatformCallFailed('alipay', `${method}: retry_flag Y (action ${String(result.action)})`);
    },

    answer(ok: boolean): NotificationAnswer {
      // Alipay retries (for about 25 hours) on anything but the exact text "success".
      return ok ? { status: 200, contentType: 'text/plain; charset=utf-8', body: 'success' } : { status: 400, contentType: 'text/plain; charset=utf-8', body: 'fail' }; // refused, not a fault of ours: 4xx
    },
  };
}

/**
 * The bill URL if it is Alipay's: a host under alipay.com (Alipay hands out http:// ones), or, for a
 * gateway on this machine (the fake), this machine.
 */
function billUrl(text: unknown, gatewayUrl: string): URL | undefined {
  if (typeof text !== 'string') return undefined;
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    return undefined;
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') return undefined;
  const loopback = (host: string) => /^(127\.\d+\.\d+\.\d+|localhost|\[::1\])$/i.test(host);
  if (/(^|\.)alipay\.com$/i.test(url.hostname)) return url;
  return loopback(url.hostname) && loopback(new URL(gatewayUrl).hostname) ? url : undefined;
}

/** A paid face-to-face trade (alipay.trade.pay 10000, or a query's TRADE_SUCCESS) as a code payment's state. */
function paidState(method: string, orderId: string, result: AlipaySdkCommonResult): CodePaymentState {
  const amountFen = fenOf(result.total_amount);
  if (result.out_trade_no !== orderId) throw new PlatformCallFailed('alipay', `${method}: answer is for order ${String(result.out_trade_no)}, not ${orderId}`);
  if (amountFen === undefined || typeof result.trade_no !== 'string' || result.trade_no === '') {
    throw new PlatformCallFailed('alipay', `${method}: paid trade without trade_no or a two-decimal total_amount`);
  }
  const paidAt = beijingTimeToIso(result.gmt_payment ?? result.send_pay_date);
  const payerId = result.buyer_user_id ?? result.buyer_open_id;
  return { state: 'paid', platformTxnId: result.trade_no, amountFen, ...(paidAt ? { paidAt } : {}), ...(typeof payerId === 'string' ? { payerId } : {}) };
}

function refundTime(gmt: unknown): { refundedAt?: string } {
  const at = beijingTimeToIso(typeof gmt === 'string' ? gmt : undefined);
  return at ? { refundedAt: at } : {};
}

function assertOrderId(orderId: string): void {
  if (!ORDER_ID.test(orderId)) throw new RangeError(`not an order id (letters and digits, at most 32): ${JSON.stringify(orderId)}`);
}

function normalizePrivateKey(pem: string): string {
  const key = createPrivateKey(pem);
  if (key.asymmetricKeyType !== 'rsa') throw new TypeError(`Alipay app key must be RSA, not ${key.asymmetricKeyType}`);
  return (key.export({ type: 'pkcs8', format: 'pem' }) as string).trim();
}

function normalizePublicKey(pem: string): string {
  if (!pem) throw new TypeError('alipayPublicKeyPem is required: without it no answer or notification can be verified');
  const key = createPublicKey(pem);
  if (key.asymmetricKeyType !== 'rsa') throw new TypeError(`Alipay public key must be RSA, not ${key.asymmetricKeyType}`);
  return (key.export({ type: 'spki', format: 'pem' }) as string).trim();
}
