/**
 * What the campus's utility systems (the network centre's accounting, the dormitory power system)
 * share as outside systems we deliver payments to: signed JSON over HTTP and one delivery protocol.
 *
 * Requests and answers carry `x-timestamp` (ms) and `x-signature` = hex(HMAC-SHA256(key,
 * `<timestamp>\n<body>`)); an answer that is not signed by the system is not believed (we know
 * nothing more than before: UtilitySystemUnavailable). A delivery is idempotent on our delivery id:
 * asking again returns the system's original answer, so a retry after a lost answer never credits
 * twice. `cancel` bars an id the system never accepted (so a request still on its way cannot credit
 * it afterwards) and says what became of one it did: how a timed-out delivery is settled exactly once.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';

export interface UtilitySystemConfig {
  baseUrl: string;
  /** Shared key for the request and answer signatures. */
  apiKey: string;
  timeoutMs?: number;
}

/** What the system says of a delivery id. */
export type DeliveryState =
  | { state: 'delivered'; systemRef: string }
  /** The system refused it for good (room closed, account gone); `reason` is its code. */
  | { state: 'rejected'; reason: string }
  /** Barred before it was ever accepted (our cancel). */
  | { state: 'cancelled' };

/** The system could not be reached, or answered something we cannot believe: the delivery may or may not have happened (retry with the same id). */
export class UtilitySystemUnavailable extends Error {
  constructor(detail: string) {
    super(detail);
    this.name = 'UtilitySystemUnavailable';
  }
}

export function utilitySignature(apiKey: string, timestamp: string, body: string): string {
  return createHmac('sha256', apiKey).update(`${timestamp}\n${body}`).digest('hex');
}

export function signatureMatches(apiKey: string, timestamp: string, body: string, given: string): boolean {
  const expected = Buffer.from(utilitySignature(apiKey, timestamp, body));
  const got = Buffer.from(given);
  return got.length === expected.length && timingSafeEqual(got, expected);
}

/** Reads a delivery answer; anything else is UtilitySystemUnavailable. */
export function parseDeliveryState(answer: unknown): DeliveryState {
  const a = (answer ?? {}) as Record<string, unknown>;
  if (a.state === 'delivered' && typeof a.systemRef === 'string' && a.systemRef) return { state: 'delivered', systemRef: a.systemRef };
  if (a.state === 'rejected' && typeof a.reason === 'string' && a.reason) return { state: 'rejected', reason: a.reason };
  if (a.state === 'cancelled') return { state: 'cancelled' };
  throw new UtilitySystemUnavailable(`the system answered an unknown state: ${JSON.stringify(answer).slice(0, 200)}`);
}

/** One signed POST and its signed JSON answer (any status the system gives); unreachable, unsigned or unreadable is UtilitySystemUnavailable. */
export function createSignedCaller(config: UtilitySystemConfig, what: string) {
  return async function call(path: string, payload: object, timeoutMs = config.timeoutMs ?? 5_000): Promise<{ status: number; answer: Record<string, unknown> }> {
    const body = JSON.stringify(payload);
    const timestamp = String(Date.now());
    let response: Response;
    let text: string;
    try {
      response = await fetch(`${config.baseUrl}${path}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-timestamp': timestamp, 'x-signature': utilitySignature(config.apiKey, timestamp, body) },
        body,
        signal: AbortSignal.timeout(timeoutMs),
      });
      text = await response.text();
    } catch (error) {
      throw new UtilitySystemUnavailable(`${what} unreachable: ${String(error)}`);
    }
    if (response.status >= 500) throw new UtilitySystemUnavailable(`${what} answered ${response.status}`);
    const answeredAt = response.headers.get('x-timestamp') ?? '';
    if (!signatureMatches(config.apiKey, answeredAt, text, response.headers.get('x-signature') ?? '')) {
      throw new UtilitySystemUnavailable(`${what} answered ${response.status} without its signature`);
    }
    try {
      return { status: response.status, answer: JSON.parse(text) as Record<string, unknown> };
    } catch {
      throw new UtilitySystemUnavailable(`${what} answered ${response.status} with no JSON`);
    }
  };
}

/** The delivery side every utility system adapter has. */
export interface UtilityDeliveryAdapter<Delivery> {
  /** Credits the delivery once (idempotent on `deliveryId`): delivered or rejected (cancelled if a cancel barred the id first); throws UtilitySystemUnavailable. */
  deliver(delivery: Delivery & { deliveryId: string; amountFen: number }): Promise<DeliveryState>;
  /** Makes sure the id credits nothing from now on unless it already did: delivered, rejected or cancelled; throws UtilitySystemUnavailable. */
  cancel(deliveryId: string): Promise<DeliveryState>;
}

export function createDeliveryCalls<Delivery>(call: ReturnType<typeof createSignedCaller>, paths: { deliver: string; cancel: string }): UtilityDeliveryAdapter<Delivery> {
  return {
    async deliver(delivery) {
      const { answer } = await call(paths.deliver, delivery);
      return parseDeliveryState(answer);
    },
    async cancel(deliveryId) {
      const { answer } = await call(paths.cancel, { deliveryId });
      return parseDeliveryState(answer);
    },
  };
}
