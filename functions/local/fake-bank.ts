/**
 * A fake bank for the kiosk, on 127.0.0.1: debit cards with PINs and balances, idempotent transfers,
 * queries and reversals by transfer id, signed requests. Tests can make it lose its next answer (the
 * work done, the connection dropped, or the answer sent too late) or be down for a call.
 */
import { randomBytes, timingSafeEqual } from 'node:crypto';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { bankRequestSignature, type BankRefusal, type BankTransferRequest, type BankTransferState, type HttpBankConfig } from '../payments/bank';

export interface FakeBankCard {
  pin: string;
  balanceFen: number;
  blocked?: boolean;
}

/** One transfer id as the bank remembers it. */
export interface FakeBankTransfer {
  transferId: string;
  bankCardNo?: string;
  amountFen?: number;
  state: 'debited' | 'reversed' | 'refused';
  bankTxnId?: string;
  reversalId?: string;
  refusal?: BankRefusal;
}

export type FakeBankCall = 'transfer' | 'query' | 'reversal';

/**
 * - `drop`: the bank does the work, then the connection is cut before the answer (a lost answer).
 * - `late`: the bank does the work and answers after `delayMs` (past the adapter's timeout).
 * - `down`: the bank answers 503 without doing anything.
 */
export type FakeBankFault = { kind: 'drop' } | { kind: 'late'; delayMs: number } | { kind: 'down' };

export interface FakeBank {
  config: HttpBankConfig;
  /** Opens (or replaces) a debit card. */
  openCard(cardNo: string, card: FakeBankCard): void;
  balanceOf(cardNo: string): number | undefined;
  /** The next `times` calls of this kind (optionally only for one transfer id) meet the fault. */
  injectFault(call: FakeBankCall, fault: FakeBankFault, options?: { transferId?: string; times?: number }): void;
  /** Every transfer id the bank remembers (copies). */
  transfers(): FakeBankTransfer[];
  close(): Promise<void>;
}

interface Armed {
  call: FakeBankCall;
  fault: FakeBankFault;
  transferId?: string;
  times: number;
}

const PATHS: Record<string, FakeBankCall> = { '/transfers': 'transfer', '/transfers/query': 'query', '/transfers/reversal': 'reversal' };

export async function startFakeBank(): Promise<FakeBank> {
  const apiKey = randomBytes(24).toString('base64url');
  const cards = new Map<string, FakeBankCard>();
  const transfers = new Map<string, FakeBankTransfer>();
  const armed: Armed[] = [];
  let seq = 0;

  const stateOf = (transferId: string): BankTransferState => {
    const t = transfers.get(transferId);
    if (!t) return { state: 'unknown' };
    if (t.state === 'refused') return { state: 'refused', refusal: t.refusal! };
    if (t.state === 'reversed') return { state: 'reversed', bankTxnId: t.bankTxnId!, amountFen: t.amountFen!, reversalId: t.reversalId! };
    return { state: 'debited', bankTxnId: t.bankTxnId!, amountFen: t.amountFen! };
  };

  function transfer(request: BankTransferRequest): { status: number; answer: { bankTxnId?: string; refusal?: BankRefusal } } {
    const previous = transfers.get(request.transferId);
    // Idempotent, as the bank promises: the original answer (a reversed transfer was still debited once).
    if (previous) return previous.state === 'refused' ? { status: 402, answer: { refusal: previous.refusal! } } : { status: 200, answer: { bankTxnId: previous.bankTxnId! } };
    const card = cards.get(request.bankCardNo);
    let refusal: BankRefusal | undefined;
    if (!card) refusal = 'CARD_UNKNOWN';
    else if (card.blocked) refusal = 'CARD_BLOCKED';
    else if (card.pin !== request.pin) refusal = 'PIN_WRONG';
    else if (card.balanceFen < request.amountFen) refusal = 'INSUFFICIENT_FUNDS';
    // A wrong PIN is not remembered against the id: the holder may type it again.
    if (refusal === 'PIN_WRONG') return { status: 402, answer: { refusal } };
    if (refusal) {
      transfers.set(request.transferId, { transferId: request.transferId, bankCardNo: request.bankCardNo, amountFen: request.amountFen, state: 'refused', refusal });
      return { status: 402, answer: { refusal } };
    }
    card!.balanceFen -= request.amountFen;
    const bankTxnId = `BK${Date.now()}${String(++seq).padStart(6, '0')}`;
    transfers.set(request.transferId, { transferId: request.transferId, bankCardNo: request.bankCardNo, amountFen: request.amountFen, state: 'debited', bankTxnId });
    return { status: 200, answer: { bankTxnId } };
  }

  function reverse(transferId: string): BankTransferState {
    const t = transfers.get(transferId);
    if (!t) transfers.set(transferId, { transferId, state: 'refused', refusal: 'CANCELLED' });
    else if (t.state === 'debited') {
      cards.get(t.bankCardNo!)!.balanceFen += t.amountFen!;
      t.state = 'reversed';
      t.reversalId = `RV${Date.now()}${String(++seq).padStart(6, '0')}`;
    }
    return stateOf(transferId);
  }

  function takeFault(call: FakeBankCall, transferId: string): FakeBankFault | undefined {
    const index = armed.findIndex((a) => a.call === call && (a.transferId === undefined || a.transferId === transferId));
    if (index < 0) return undefined;
    const hit = armed[index]!;
    if (--hit.times <= 0) armed.splice(index, 1);
    return hit.fault;
  }

  const server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      const body = Buffer.concat(chunks).toString('utf8');
      const reply = (status: number, answer: object, fault?: FakeBankFault) => {
        if (fault?.kind === 'drop') return response.destroy();
        const send = () => {
          if (response.destroyed) return;
          response.writeHead(status, { 'content-type': 'application/json' });
          response.end(JSON.stringify(answer));
        };
        if (fault?.kind === 'late') setTimeout(send, fault.delayMs);
        else send();
      };
      const call = request.method === 'POST' ? PATHS[request.url ?? ''] : undefined;
      if (!call) return reply(404, { error: 'not found' });
      const given = Buffer.from(String(request.headers['x-signature'] ?? ''));
      const expected = Buffer.from(bankRequestSignature(apiKey, body));
      if (given.length !== expected.length || !timingSafeEqual(given, expected)) return reply(401, { error: 'bad signature' });
      const payload = JSON.parse(body) as BankTransferRequest;
      const fault = takeFault(call, payload.transferId);
      if (fault?.kind === 'down') return reply(503, { error: 'bank unavailable' });
      if (call === 'transfer') {
        const outcome = transfer(payload);
        return reply(outcome.status, outcome.answer, fault);
      }
      reply(200, call === 'query' ? stateOf(payload.transferId) : reverse(payload.transferId), fault);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    config: { baseUrl: `http://127.0.0.1:${port}`, apiKey },
    openCard: (cardNo, card) => cards.set(cardNo, { ...card }),
    balanceOf: (cardNo) => cards.get(cardNo)?.balanceFen,
    injectFault: (call, fault, options = {}) => armed.push({ call, fault, times: options.times ?? 1, ...(options.transferId !== undefined ? { transferId: options.transferId } : {}) }),
    transfers: () => [...transfers.values()].map((t) => ({ ...t })),
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
