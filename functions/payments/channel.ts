/**
 * One interface for every online payment platform (WeChat Pay, Alipay). The adapters wrap the
 * official SDKs and close the gaps docs say they leave (strict decryption, timestamp window, no
 * certificate download, identity checks); the top-up service applies what they report, exactly once.
 */
import { parseYuan } from '../../shared/money';

export type PaymentChannelName = 'wechat' | 'alipay';

export interface CreateTopupRequest {
  /** Our order number (out_trade_no): letters and digits, at most 32 characters. */
  orderId: string;
  amountFen: number;
  /** Shown to the payer, e.g. "校园卡充值 50.00 元". */
  description: string;
  /** WeChat: the payer's openid for our mini-program. Alipay: the payer's buyer_id (user id). */
  payerId: string;
  /** Where the platform posts its notification. */
  notifyUrl: string;
  /** After this the platform refuses to take the payment. */
  expiresAt: Date;
}

export type CreateTopupResult =
  | {
      channel: 'wechat';
      /** Exactly what the mini-program passes to wx.requestPayment. */
      requestPayment: { appId: string; timeStamp: string; nonceStr: string; package: string; signType: 'RSA'; paySign: string };
    }
  | { channel: 'alipay'; /** For my.tradePay({ tradeNO }). */ tradeNo: string };

/** Give back (part of) a payment. The platform refunds one refundId at most once, however often it is asked. */
export interface RefundRequest {
  orderId: string;
  /** Our refund number (WeChat out_refund_no, Alipay out_request_no): letters and digits, at most 32. */
  refundId: string;
  /** The payment's transaction id on the platform. */
  platformTxnId: string;
  amountFen: number;
  /** What the payment was for, in fen (WeChat wants amount.total with every refund). */
  paidFen: number;
  /** Shown to the payer. */
  reason: string;
}

/** refunded: the money is on its way back to the payer; processing: accepted, not done yet (ask again later). */
export interface RefundResult {
  state: 'refunded' | 'processing';
  platformRefundId?: string;
  refundedAt?: string;
}

/** What a platform says about one of our orders, after its signature (and decryption) checked out. */
export interface PaymentEvent {
  channel: PaymentChannelName;
  orderId: string;
  /** The platform's own transaction id (WeChat transaction_id, Alipay trade_no); absent before payment. */
  platformTxnId?: string;
  /** What the platform says was paid, in fen (converted from Alipay's yuan string exactly). */
  amountFen?: number;
  /** paid: money received; pending: not (yet) paid; closed: will never be paid. */
  state: 'paid' | 'pending' | 'closed';
  paidAt?: string;
  payerId?: string;
  /** The notification's own id (WeChat `id`, Alipay `notify_id`), for dedupe; absent for query results. */
  notificationId?: string;
}

export interface IncomingNotification {
  /** Lower-case header names. */
  headers: Record<string, string | undefined>;
  /** The body exactly as received: signatures are over these bytes. */
  rawBody: string;
  now: Date;
}

/** How to answer the platform: it retries until it gets the success answer. */
export interface NotificationAnswer {
  status: number;
  contentType: string;
  body: string;
}

/** Why a notification was not believed. Never credited; answered as a failure (the platform retries). */
export type NotificationProblem =
  | 'MALFORMED'
  | 'SIGNATURE_INVALID'
  | 'UNKNOWN_CERTIFICATE'
  | 'TIMESTAMP_OUT_OF_WINDOW'
  | 'DECRYPTION_FAILED'
  | 'NOT_OUR_MERCHANT'
  | 'NOT_OUR_APP';

export class NotificationRejected extends Error {
  constructor(
    readonly problem: NotificationProblem,
    detail: string,
  ) {
    super(`${problem}: ${detail}`);
    this.name = 'NotificationRejected';
  }
}

/** The platform's gateway answered with an error or an answer whose signature does not verify. */
export class PlatformCallFailed extends Error {
  constructor(
    readonly channel: PaymentChannelName,
    detail: string,
  ) {
    super(`${channel}: ${detail}`);
    this.name = 'PlatformCallFailed';
  }
}

/** A bill file that is not what the platform's format says (cut short, a summary that disagrees, a field that is not an amount). */
export class BillUnreadable extends Error {
  constructor(detail: string) {
    super(detail);
    this.name = 'BillUnreadable';
  }
}

/** A bill's time field: both platforms write Beijing time as '2026-12-01 10:00:05' → '2026-12-01T10:00:05+08:00'. */
export function billTime(text: string): string {
  const match = /^(\d{4}-\d{2}-\d{2}) (\d{2}:\d{2}:\d{2})$/.exec(text);
  if (!match) throw new BillUnreadable(`not a bill time: ${JSON.stringify(text)}`);
  return `${match[1]}T${match[2]}+08:00`;
}

/** A bill's amount field (yuan with two decimals) in fen; `what` names the field in the refusal. */
export function billFen(text: string, what: string): number {
  try {
    return parseYuan(text);
  } catch {
    throw new BillUnreadable(`${what} is not an amount: ${JSON.stringify(text)}`);
  }
}

export interface PaymentChannel {
  readonly name: PaymentChannelName;
  createTopup(request: CreateTopupRequest): Promise<CreateTopupResult>;
  /** Verifies and decodes a notification; throws NotificationRejected if it cannot be believed. */
  verifyNotification(notification: IncomingNotification): Promise<PaymentEvent>;
  /** The answer the platform expects for a notification we accepted (ok) or did not (retry later). */
  answer(ok: boolean): NotificationAnswer;
  /** Asks the platform about an order (for polling and reconciliation). */
  query(orderId: string): Promise<PaymentEvent>;
  /**
   * Makes sure this refund exists on the platform and says where it stands; idempotent on refundId
   * (a retry after a lost answer never refunds twice). Throws PlatformCallFailed if it cannot say.
   */
  refund(request: RefundRequest): Promise<RefundResult>;
  /**
   * The platform's trade bill of one Beijing day (YYYY-MM-DD), as normalised rows: every payment
   * that succeeded that day and every refund accepted that day. Throws PlatformCallFailed if the
   * bill cannot be had or cannot be believed (e.g. WeChat's hash does not match the file).
   */
  downloadBill(day: string): Promise<BillRow[]>;
  /**
   * Face-to-face: charges the payer's payment code (WeChat 付款码支付, Alipay alipay.trade.pay with
   * scene bar_code) under our order number; asking again with the same orderId is the same sale
   * (the platform charges it once). Throws PlatformCallFailed when the answer cannot be had (lost,
   * outage): the sale may or may not have been taken, so the caller asks with queryCodePayment.
   */
  payWithCode(request: CodePaymentRequest): Promise<CodePaymentState>;
  /** Where a face-to-face sale stands; not_found when the platform never saw the order. */
  queryCodePayment(orderId: string): Promise<CodePaymentState | { state: 'not_found' }>;
  /**
   * Cancels a face-to-face sale (WeChat reverse, Alipay alipay.trade.cancel): unpaid, it is closed;
   * paid meanwhile, the money goes back to the payer; unknown to the platform, nothing was taken.
   * Resolves once the platform confirms; throws PlatformCallFailed otherwise (ask again later).
   */
  cancelCodePayment(orderId: string): Promise<void>;
  /** Recurring debit (automatic reload); absent where this channel does not offer it yet. */
  readonly agreements?: AgreementChannel;
}

/**
 * Recurring-debit agreements (WeChat Pay 委托代扣 / papay, Alipay 商户代扣): the holder signs on the
 * platform's own page, the platform notifies us of signing and cancelling, and we deduct under the
 * agreement; a deduction's result is an ordinary payment notification (verifyNotification) or query.
 */
export interface AgreementChannel {
  /** What the app needs to open the platform's signing page for our agreement code. */
  sign(request: { agreementCode: string; accountNo: string; displayAccount: string; notifyUrl: string }): Promise<AgreementSigning>;
  /** Where the agreement stands on the platform; not_found when it was never signed. */
  query(agreementCode: string): Promise<AgreementState>;
  /** Ends the agreement at the platform (idempotent: an agreement already ended is fine). */
  cancel(request: { agreementCode: string; platformAgreementId: string; reason: string }): Promise<void>;
  /**
   * Asks the platform to charge the agreement under our order number. accepted: the result arrives
   * as a payment notification (or a query); refused: nothing will be taken. Throws PlatformCallFailed
   * when the answer cannot be had (the order stays pending for the reconciler to ask about).
   */
  deduct(request: { orderId: string; platformAgreementId: string; amountFen: number; description: string; notifyUrl: string }): Promise<{ state: 'accepted' } | { state: 'refused'; platformCode: string }>;
  /** Verifies and decodes an agreement notification (signed, cancelled); throws NotificationRejected otherwise. */
  verifyNotification(notification: IncomingNotification): Promise<AgreementEvent>;
}

export type AgreementSigning =
  | { channel: 'wechat'; /** wx.navigateToMiniProgram into WeChat Pay's signing mini-program. */ navigateToMiniProgram: { appId: string; path: string; extraData: Record<string, string> } }
  | { channel: 'alipay'; /** my.ap.navigateToAlipayPage / a redirect to the signing page. */ signUrl: string };

export type AgreementState =
  | { state: 'active'; platformAgreementId: string; payerId?: string; at?: string }
  | { state: 'cancelled'; platformAgreementId?: string; at?: string }
  | { state: 'not_found' };

export interface AgreementEvent {
  channel: PaymentChannelName;
  agreementCode: string;
  state: 'active' | 'cancelled';
  platformAgreementId: string;
  payerId?: string;
  at?: string;
  notificationId?: string;
}

export interface CodePaymentRequest {
  /** Our order number (out_trade_no): letters and digits, at most 32. */
  orderId: string;
  /** The payment code as scanned (WeChat auth_code, Alipay auth_code). */
  authCode: string;
  amountFen: number;
  /** Shown to the payer, e.g. "一食堂 消费". */
  description: string;
  /** The store (our merchant id) and the device (our terminal id), as the platforms ask for them. */
  storeId: string;
  terminalId: string;
}

/** paid: taken; waiting: the payer is entering a password (ask again); refused: nothing taken; closed: cancelled (nothing taken, or given back). */
export type CodePaymentState =
  | { state: 'paid'; platformTxnId: string; amountFen: number; paidAt?: string; payerId?: string }
  | { state: 'waiting' }
  | { state: 'refused'; refusal: 'insufficient_funds' | 'code_invalid' | 'declined'; platformCode: string }
  | { state: 'closed' };

/** One line of a platform's daily bill, whatever the platform's own format. */
export interface BillRow {
  channel: PaymentChannelName;
  /** The payment's transaction id on the platform (WeChat 微信订单号, Alipay 支付宝交易号); a refund row names its payment's. */
  platformTxnId: string;
  /** Our order number (商户订单号). */
  outTradeNo: string;
  kind: 'payment' | 'refund';
  /** What the order was for (payment) or what was refunded (refund), in fen. */
  amountFen: number;
  /** When it succeeded (payment) or was accepted (refund), ISO 8601 with +08:00. */
  at: string;
  /** Our refund number (WeChat 商户退款单号, Alipay 退款批次号/请求号), on refund rows. */
  refundId?: string;
  /** 商品名称 as the bill has it (kept to show GBK decoding is right). */
  description?: string;
}
