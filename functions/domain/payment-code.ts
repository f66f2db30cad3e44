/**
 * A holder's own WeChat Pay or Alipay payment code (付款码) scanned at a campus terminal: which
 * platform a code belongs to, and the waiting rule while the payer types a password.
 *
 * The sale is an intent (a pending transfer clearing:<channel> → merchant:<id>:payable) stored
 * before the platform is asked; it ends posted (the platform took the money: a system entry books
 * it to the merchant) or voided (refused, or cancelled at the platform after the wait). Pure: no
 * I/O, the clock comes in as `now`.
 */
import { QR_TOKEN_PREFIX } from '../../shared/qr-token';
import type { Pending } from './pending';

export type PaymentCodeChannel = 'wechat' | 'alipay';

/**
 * What a scanned code is. WeChat Pay: 18 digits, first two 10–15. Alipay: 16–24 digits, first two
 * 25–30. The campus code: the rotating QR token (shared/qr-token.ts), paid through
 * POST /v1/pos/qr-payments instead, so the terminal is told to send it there.
 */
export type CodeKind = PaymentCodeChannel | 'campus' | 'unknown';

const WECHAT_CODE = /^1[0-5]\d{16}$/;
const ALIPAY_CODE = /^(2[5-9]|30)\d{14,22}$/;

export function classifyCode(code: string): CodeKind {
  if (WECHAT_CODE.test(code)) return 'wechat';
  if (ALIPAY_CODE.test(code)) return 'alipay';
  // By its prefix only: whether it is a valid campus code (length, signature, window) is the QR route's business.
  if (code.startsWith(QR_TOKEN_PREFIX)) return 'campus';
  return 'unknown';
}

export const PAYMENT_CODE_POLICY = {
  /** While the payer types a password, the platform is asked this often (both platforms say 3–5 s). */
  queryEverySeconds: 5,
  /**
   * After this long without payment the sale is cancelled at the platform (WeChat reverse, Alipay
   * cancel; either gives back anything taken meanwhile). The pending transfer's timeout.
   */
  cancelAfterSeconds: 45,
} as const;

/** Why a sale did not go through, as the terminal hears it (each an error code with zh/en in shared/errors.ts). */
export const PAYMENT_CODE_REFUSALS = ['PAYMENT_CODE_INSUFFICIENT_FUNDS', 'PAYMENT_CODE_INVALID', 'PAYMENT_CODE_DECLINED', 'PAYMENT_CODE_TIMED_OUT', 'PAYMENT_AMOUNT_MISMATCH'] as const;
export type PaymentCodeRefusal = (typeof PAYMENT_CODE_REFUSALS)[number];

/** The platform's own words for a refusal, as the adapters normalise them. */
export type PlatformRefusal = 'insufficient_funds' | 'code_invalid' | 'declined';

export const REFUSAL_OF: Record<PlatformRefusal, PaymentCodeRefusal> = {
  insufficient_funds: 'PAYMENT_CODE_INSUFFICIENT_FUNDS',
  code_invalid: 'PAYMENT_CODE_INVALID',
  declined: 'PAYMENT_CODE_DECLINED',
};

/** What an open intent needs for the next step to be decided. */
export interface OpenIntentView {
  state: 'pending' | 'posted' | 'voided' | 'expired';
  /** When the wait ends (the pending transfer's timeoutAt). */
  timeoutAt: string;
  /** Set once the sale is being cancelled at the platform: from then on it can only be voided. */
  cancelRequestedAt?: string;
  /** When the platform was last asked about it (the pay call itself counts). */
  lastAskedAt?: string;
}

/**
 * The next thing to do for an intent: `query` the platform (not asked for queryEverySeconds),
 * `cancel` it (the wait is over, or a cancel was started and not confirmed), `wait`, or nothing
 * (`done`: it is posted or voided). A query comes before a cancel even after the wait: a payer who
 * finished at second 46 has paid, and the sale posts.
 */
export function nextStep(intent: OpenIntentView, now: Date): 'query' | 'cancel' | 'wait' | 'done' {
  if (intent.state !== 'pending') return 'done';
  if (intent.cancelRequestedAt !== undefined) return 'cancel';
  const asked = intent.lastAskedAt === undefined ? undefined : Date.parse(intent.lastAskedAt);
  const timedOut = now.getTime() >= Date.parse(intent.timeoutAt);
  const askedRecently = asked !== undefined && now.getTime() - asked < PAYMENT_CODE_POLICY.queryEverySeconds * 1000;
  if (timedOut) return askedRecently ? 'cancel' : 'query';
  return askedRecently ? 'wait' : 'query';
}

/** How long the terminal should wait before asking again (never past the end of the wait by much). */
export function retryAfterSeconds(intent: OpenIntentView, now: Date): number {
  const untilTimeout = Math.ceil((Date.parse(intent.timeoutAt) - now.getTime()) / 1000);
  return Math.max(1, Math.min(PAYMENT_CODE_POLICY.queryEverySeconds, untilTimeout));
}

/** Our order number at the platform (out_trade_no): letters and digits, at most 32 — both platforms accept it. */
export function paymentCodeOrderId(ulid: string): string {
  return `PC${ulid}`;
}

/** What is kept of a code: enough for a person to recognise it, never enough to pay with. */
export function maskCode(code: string): string {
  return `${code.slice(0, 4)}${'*'.repeat(Math.max(0, code.length - 8))}${code.slice(-4)}`;
}

/** How an intent ended: posted as paid; voided as refused by the platform or cancelled after the wait. */
export type PaymentCodeResolution = 'paid' | 'refused' | 'cancelled';

/**
 * A payment-code sale at a terminal (PAYCODE#<terminal>#<posTxnId>), stored before the platform is
 * asked; its pending transfer is clearing:<channel> → merchant:<id>:payable.
 */
export interface PaymentCodeSale extends Pending<PaymentCodeResolution> {
  pendingId: string;
  terminalId: string;
  posTxnId: string;
  merchantId: string;
  channel: PaymentCodeChannel;
  /** Our order number at the platform (out_trade_no). */
  orderId: string;
  amountFen: number;
  /** Of the code and the amount: the same posTxnId with another code or amount is another sale (IDEMPOTENCY_CONFLICT). */
  fingerprint: string;
  codeMasked: string;
  /** When the platform was last asked (pay or query), and how often. */
  lastAskedAt?: string;
  asks: number;
  /** The platform answered the pay call (paid, waiting or refused): a retry then only asks, never pays again. */
  platformAnswered?: boolean;
  cancelRequestedAt?: string;
  /** Posted: the platform's transaction id, when it was paid, and the system entry that booked it. */
  platformTxnId?: string;
  paidAt?: string;
  entryId?: string;
  /** Voided (or being cancelled): why, for the terminal, and the platform's own code. */
  refusal?: PaymentCodeRefusal;
  platformCode?: string;
}
