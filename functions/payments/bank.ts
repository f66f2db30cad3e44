/**
 * The bank behind the self-service kiosk (圈存机): moves money from the holder's bound debit card to
 * the campus card. One interface, so a campus plugs in its bank's adapter; locally and in tests a
 * fake bank (functions/local/fake-bank.ts) plays it over HTTP. Transfers are idempotent on our
 * transfer id: asking again returns the bank's original answer.
 */
import { createHmac } from 'node:crypto';

export type BankRefusal = 'PIN_WRONG' | 'INSUFFICIENT_FUNDS' | 'CARD_UNKNOWN' | 'CARD_BLOCKED';

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

export interface BankAdapter {
  /** Debits the bank card; resolves to the bank's transaction id, throws BankRefused or BankUnavailable. */
  transfer(request: BankTransferRequest): Promise<{ bankTxnId: string }>;
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

export function createHttpBankAdapter(config: HttpBankConfig): BankAdapter {
  return {
    async transfer(request) {
      const body = JSON.stringify(request);
      let response: Response;
      try {
        response = await fetch(`${config.baseUrl}/transfers`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', 'x-signature': bankRequestSignature(config.apiKey, body) },
          body,
          signal: AbortSignal.timeout(config.timeoutMs ?? 5_000),
        });
      } catch (error) {
        throw new BankUnavailable(`bank unreachable: ${String(error)}`);
      }
      const answer = (await response.json().catch(() => ({}))) as { bankTxnId?: string; refusal?: BankRefusal };
      if (response.ok && answer.bankTxnId) return { bankTxnId: answer.bankTxnId };
      if (answer.refusal) throw new BankRefused(answer.refusal, request.transferId);
      throw new BankUnavailable(`bank answered ${response.status}`);
    },
  };
}
