/** A fake bank for the kiosk, on 127.0.0.1: debit cards with PINs and balances, idempotent transfers, signed requests. */
import { randomBytes, timingSafeEqual } from 'node:crypto';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { bankRequestSignature, type BankRefusal, type BankTransferRequest, type HttpBankConfig } from '../payments/bank';

export interface FakeBankCard {
  pin: string;
  balanceFen: number;
  blocked?: boolean;
}

export interface FakeBank {
  config: HttpBankConfig;
  /** Opens (or replaces) a debit card. */
  openCard(cardNo: string, card: FakeBankCard): void;
  balanceOf(cardNo: string): number | undefined;
  close(): Promise<void>;
}

export async function startFakeBank(): Promise<FakeBank> {
  const apiKey = randomBytes(24).toString('base64url');
  const cards = new Map<string, FakeBankCard>();
  const done = new Map<string, { status: number; answer: { bankTxnId?: string; refusal?: BankRefusal } }>();
  let seq = 0;

  const server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      const body = Buffer.concat(chunks).toString('utf8');
      const reply = (status: number, answer: object) => {
        response.writeHead(status, { 'content-type': 'application/json' });
        response.end(JSON.stringify(answer));
      };
      if (request.method !== 'POST' || request.url !== '/transfers') return reply(404, { error: 'not found' });
      const given = Buffer.from(String(request.headers['x-signature'] ?? ''));
      const expected = Buffer.from(bankRequestSignature(apiKey, body));
      if (given.length !== expected.length || !timingSafeEqual(given, expected)) return reply(401, { error: 'bad signature' });
      const transfer = JSON.parse(body) as BankTransferRequest;
      const previous = done.get(transfer.transferId);
      if (previous) return reply(previous.status, previous.answer); // idempotent, as the bank promises
      const card = cards.get(transfer.bankCardNo);
      let outcome: { status: number; answer: { bankTxnId?: string; refusal?: BankRefusal } };
      if (!card) outcome = { status: 402, answer: { refusal: 'CARD_UNKNOWN' } };
      else if (card.blocked) outcome = { status: 402, answer: { refusal: 'CARD_BLOCKED' } };
      else if (card.pin !== transfer.pin) outcome = { status: 402, answer: { refusal: 'PIN_WRONG' } };
      else if (card.balanceFen < transfer.amountFen) outcome = { status: 402, answer: { refusal: 'INSUFFICIENT_FUNDS' } };
      else {
        card.balanceFen -= transfer.amountFen;
        outcome = { status: 200, answer: { bankTxnId: `BK${Date.now()}${String(++seq).padStart(6, '0')}` } };
      }
      // A wrong PIN is not remembered against the id: the holder may type it again.
      if (outcome.answer.refusal !== 'PIN_WRONG') done.set(transfer.transferId, outcome);
      reply(outcome.status, outcome.answer);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    config: { baseUrl: `http://127.0.0.1:${port}`, apiKey },
    openCard: (cardNo, card) => cards.set(cardNo, { ...card }),
    balanceOf: (cardNo) => cards.get(cardNo)?.balanceFen,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
