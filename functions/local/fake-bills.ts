/**
 * What the fake platforms' daily bills share: the lines of one day (payments by their success
 * time, refunds by their acceptance, Beijing days) and the test hooks that spoil a bill the way
 * real bills go wrong (a row missing, a payment we never ordered, another amount, a row twice).
 */
/** One line of a fake bill before it is written in the platform's format. */
export interface FakeBillLine {
  kind: 'payment' | 'refund';
  /** The payment's platform transaction id (a refund names its payment's). */
  platformTxnId: string;
  outTradeNo: string;
  /** Ordered amount (payment) or refunded amount (refund), fen. */
  amountFen: number;
  /** The payment's amount, on refund lines too. */
  paidFen: number;
  /** 'YYYY-MM-DD HH:mm:ss', Beijing time. */
  at: string;
  description: string;
  payer: string;
  refundId?: string;
  platformRefundId?: string;
}

/** Test hooks: how the next bills are spoiled (until changed). */
export interface FakeBillTamper {
  /** Every row of these orders (out_trade_no) is left out. */
  drop?: string[];
  /** Payments we never ordered, added to every bill (on its day, at noon). */
  add?: { outTradeNo: string; amountFen: number; platformTxnId?: string; description?: string }[];
  /** These orders' payment rows show another amount. */
  amounts?: Record<string, number>;
  /** These orders' rows appear twice. */
  duplicate?: string[];
}

/** RFC 3339 with +08:00 (WeChat) or 'YYYY-MM-DD HH:mm:ss' (Alipay) → 'YYYY-MM-DD HH:mm:ss'. */
export function beijingBillTime(text: string): string {
  return `${text.slice(0, 10)} ${text.slice(11, 19)}`;
}

export function applyBillTamper(day: string, lines: FakeBillLine[], tamper: FakeBillTamper, newTxnId: () => string): FakeBillLine[] {
  const dropped = new Set(tamper.drop ?? []);
  const twice = new Set(tamper.duplicate ?? []);
  const out: FakeBillLine[] = [];
  for (const line of lines) {
    if (dropped.has(line.outTradeNo)) continue;
    const changed = line.kind === 'payment' && tamper.amounts?.[line.outTradeNo] !== undefined ? { ...line, amountFen: tamper.amounts[line.outTradeNo]!, paidFen: tamper.amounts[line.outTradeNo]! } : line;
    out.push(changed);
    if (twice.has(line.outTradeNo)) out.push(changed);
  }
  for (const extra of tamper.add ?? []) {
    out.push({
      kind: 'payment',
      platformTxnId: extra.platformTxnId ?? newTxnId(),
      outTradeNo: extra.outTradeNo,
      amountFen: extra.amountFen,
      paidFen: extra.amountFen,
      at: `${day} 12:00:00`,
      description: extra.description ?? '未知商品',
      payer: 'unknown',
    });
  }
  return out;
}
