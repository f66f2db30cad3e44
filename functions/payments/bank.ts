/**
 * The bank behind the self-service kiosk (圈存机): moves money from the holder's bound debit card to
 * the campus card. One interface, so a campus plugs in its bank's adapter; locally and in tests a
 * fake bank (functions/local/fake-bank.ts) plays it over HTTP. Transfers are idempotent on our
 * transfer id: asking again returns the bank's original answer. A transfer can be queried by that
 * id and reversed by it (the debit given back, or an id the bank never saw barred for good), which
 * is how every debit ends credited or reversed (functions/domain/bank-transfer.ts).
 */
import { createHmac } from 'node:crypto';

/** CANCELLED: the id was reversed before any debit, so the bank refuses it for good. */
export type BankRefusal = 'PIN_WRONG' | 'INSUFFICIENT_FUNDS' | 'CARD_UNKNOWN' | 'CARD_BLOCKED' | 'CANCELLED';

const REFUSALS: readonly BankRefusal[] = ['PIN_WRONG', 'INSUFFICIENT_FUNDS', 'CARD_UNKNOWN', 'CARD_BLOCKED', 'CANCELLED'];

export class BankRefused extends Error {
  constructor(
    readonly refusal: BankRefusal,
    detail: string,
  ) {
    super(`${refusal}: ${detail}`);
    this.name = 'BankRefused';
  }
}

/** The bank could not be reached or answered nonsense: the transfer may or may not have happened (retry with the same id). */
export class BankUnavailable extends Error {
  constructor(detail: string) {
    super(detail);
    this.name = 'BankUnavailable';
  }
}

export interface BankTransferRequest {
  transferId: string;
  bankCardNo: string;
  pin: string;
  amountFen: number;
}

/** What the bank knows about a transfer id. A wrong PIN is not remembered: that id is `unknown`. */
export type BankTransferState =
  | { state: 'debited'; bankTxnId: string; amountFen: number }
  | { state: 'reversed'; bankTxnId: string; amountFen: number; reversalId: string }
  | { state: 'refused'; refusal: BankRefusal }
  | { state: 'unknown' };

export interface BankAdapter {
  /** Debits the bank card; resolves to the bank's transaction id, throws BankRefused or BankUnavailable. */
  transfer(request: BankTransferRequest): Promise<{ bankTxnId: string }>;
  /** What became of a transfer id; throws BankUnavailable. */
  query(transferId: string): Promise<BankTransferState>;
  /**
   * Makes sure the id leaves no debit: a debited transfer is given back (`reversed`); an id the bank
   * never saw is barred (`refused`, CANCELLED), so a request still on its way cannot debit it.
   * Idempotent; resolves to the state after; throws BankUnavailable.
   */
  reverse(transferId: string): Promise<BankTransferState>;
}

export interface HttpBankConfig {
  baseUrl: string;
  /** Shared key: requests carry x-signature = hex(HMAC-SHA256(key, body)). */
  apiKey: string;
  timeoutMs?: number;
}

export function bankRequestSignature(apiKey: string, body: string): string {
  return createHmac('sha256', apiKey).update(body).digest('hex');
}

/** Reads a state answer; anything malformed is BankUnavailable (we know nothing more than before). */
export function parseBankTransferState(answer: unknown): BankTransferState {
  const a = (answer ?? {}) as Record<string, unknown>;
  const amountOk = typeof a.amountFen === 'number' && Number.isSafeInteger(a.amountFen);
  if (a.state === 'debited' && typeof a.bankTxnId === 'string' && amountOk) return { state: 'debited', bankTxnId: a.bankTxnId, amountFen: a.amountFen as number };
  if (a.state === 'reversed' && typeof a.bankTxnId === 'string' && amountOk && typeof a.reversalId === 'string') {
    return { state: 'reversed', bankTxnId: a.bankTxnId, amountFen: a.amountFen as number, reversalId: a.reversalId };
  }
  if (a.state === 'refused' && REFUSALS.includes(a.refusal as BankRefusal)) return { state: 'refused', refusal: a.refusal as BankRefusal };
  if (a.state === 'unknown') return { state: 'unknown' };
  throw new BankUnavailable(`bank answered an unknown state: ${JSON.stringify(answer).slice(0, 200)}`);
}

export function createHttpBankAdapter(config: HttpBankConfig): BankAdapter {
  /** One signed POST; network failures and timeouts are BankUnavailable. */
  async function call(path: string, payload: object): Promise<{ response: Response; answer: Record<string, unknown> }> {
    const body = JSON.stringify(payload);
    let response: Response;
    try {
      response = await fetch(`${config.baseUrl}${path}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-signature': bankRequestSignature(config.apiKey, body) },
        body,
        signal: AbortSignal.timeout(config.timeoutMs ?? 5_000),
      });
      return { response, answer: (await response.json().catch(() => ({}))) as Record<string, unknown> };
    } catch (error) {
      throw new BankUnavailable(`bank unreachable: ${String(error)}`);
    }
  }

  async function state(path: string, transferId: string): Promise<BankTransferState> {
    const { response, answer } = await call(path, { transferId });
    if (!response.ok) throw new BankUnavailable(`bank answered ${response.status}`);
    return parseBankTransferState(answer);
  }

  return {
    async transfer(request) {
      const { response, answer } = await call('/transfers', request);
      if (response.ok && typeof answer.bankTxnId === 'string') return { bankTxnId: answer.bankTxnId };
      if (REFUSALS.includes(answer.refusal as BankRefusal)) throw new BankRefused(answer.refusal as BankRefusal, request.transferId);
      throw new BankUnavailable(`bank answered ${response.status}`);
    },
    query: (transferId) => state('/transfers/query', transferId),
    reverse: (transferId) => state('/transfers/reversal', transferId),
  };
}
