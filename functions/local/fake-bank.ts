/**
 * A fake bank for the kiosk, on 127.0.0.1: debit cards with PINs and balances, idempotent transfers,
 * queries and reversals by transfer id, signed requests. Tests can make it lose its next answer (the
 * work done, the connection dropped, or the answer sent too late) or be down for a call.
 *
 * It also keeps the campus's settlement account and serves its daily statement as an ISO 20022
 * camt.053 document (BkToCstmrStmt), signed like a request (x-signature over the body): every
 * debit from a holder's card is a credit entry, every reversal a debit entry (RvslInd), booked at
 * the time the bank did it, by Beijing day. Tests can tamper with a day's statement.
 */
import { randomBytes, timingSafeEqual } from 'node:crypto';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { campusDay } from '../../shared/campus-day';
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
  /** When the debit, and the reversal, were booked on the settlement account. */
  bookedAt?: string;
  reversedAt?: string;
}

/** One entry of a statement as the fake writes it (before tampering it is exactly the bank's books). */
export interface FakeStatementEntry {
  bankTxnId: string;
  /** The AcctSvcrRef: the bank txn id for a transfer, the reversal id for a reversal. */
  ref: string;
  transferId: string;
  kind: 'transfer' | 'reversal';
  amountFen: number;
  bookedAt: string;
}

/**
 * What a day's statement says instead of the truth. drop/amounts/add change the entries and the
 * closing balance with them (the bank's file agrees with itself, not with us); `duplicate` repeats
 * an entry (same AcctSvcrRef); `breakTotals` moves the closing balance by a fen, so it no longer adds up.
 */
export interface StatementTamper {
  drop?: string[];
  amounts?: Record<string, number>;
  add?: { bankTxnId: string; transferId: string; amountFen: number; kind?: 'transfer' | 'reversal'; bookedAt?: string }[];
  duplicate?: string[];
  breakTotals?: boolean;
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
  /** From now on, the statement of `day` (YYYY-MM-DD) is served tampered this way (replaces an earlier tamper of that day). */
  tamperStatement(day: string, tamper: StatementTamper): void;
  /** The camt.053 document the bank serves for `day` (tampered if asked). */
  statementXml(day: string): string;
  close(): Promise<void>;
}

interface Armed {
  call: FakeBankCall;
  fault: FakeBankFault;
  transferId?: string;
  times: number;
}

const PATHS: Record<string, FakeBankCall> = { '/transfers': 'transfer', '/transfers/query': 'query', '/transfers/reversal': 'reversal' };

const SETTLEMENT_ACCOUNT = '6222020200000000888';
/** What the settlement account held before the fake's first booking. */
const SETTLEMENT_OPENING_FEN = 5_000_000_00;

const yuan = (fen: number) => `${Math.floor(Math.abs(fen) / 100)}.${String(Math.abs(fen) % 100).padStart(2, '0')}`;
const xmlText = (value: string) => value.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
/** An instant in Beijing time with its offset, as a bank in China writes it. */
const beijing = (iso: string) => `${new Date(Date.parse(iso) + 8 * 3_600_000).toISOString().slice(0, 19)}+08:00`;

function balanceXml(code: 'OPBD' | 'CLBD', fen: number, day: string): string {
  return `<Bal><Tp><CdOrPrtry><Cd>${code}</Cd></CdOrPrtry></Tp><Amt Ccy="CNY">${yuan(fen)}</Amt><CdtDbtInd>${fen < 0 ? 'DBIT' : 'CRDT'}</CdtDbtInd><Dt><Dt>${day}</Dt></Dt></Bal>`;
}

function entryXml(entry: FakeStatementEntry): string {
  const reversal = entry.kind === 'reversal';
  return [
    '<Ntry>',
    `<NtryRef>${xmlText(entry.bankTxnId)}</NtryRef>`,
    `<Amt Ccy="CNY">${yuan(entry.amountFen)}</Amt>`,
    `<CdtDbtInd>${reversal ? 'DBIT' : 'CRDT'}</CdtDbtInd>`,
    reversal ? '<RvslInd>true</RvslInd>' : '',
    '<Sts><Cd>BOOK</Cd></Sts>',
    `<BookgDt><DtTm>${beijing(entry.bookedAt)}</DtTm></BookgDt>`,
    `<ValDt><Dt>${campusDay(new Date(entry.bookedAt))}</Dt></ValDt>`,
    `<AcctSvcrRef>${xmlText(entry.ref)}</AcctSvcrRef>`,
    `<BkTxCd><Domn><Cd>PMNT</Cd><Fmly><Cd>RCDT</Cd><SubFmlyCd>${reversal ? 'RRTN' : 'DMCT'}</SubFmlyCd></Fmly></Domn></BkTxCd>`,
    '<NtryDtls><TxDtls>',
    `<Refs><AcctSvcrRef>${xmlText(entry.ref)}</AcctSvcrRef><EndToEndId>${xmlText(entry.transferId)}</EndToEndId></Refs>`,
    `<Amt Ccy="CNY">${yuan(entry.amountFen)}</Amt>`,
    `<RmtInf><Ustrd>${xmlText(entry.transferId)}</Ustrd></RmtInf>`,
    '</TxDtls></NtryDtls>',
    '</Ntry>',
  ].join('');
}

/**
 * A camt.053.001.08 statement document. `entries` are the statement's entries (its summary counts
 * them); `written` is what is written out (the same, or with repeats), default `entries`.
 */
export function camt053Statement(input: { day: string; account: string; openingFen: number; closingFen: number; entries: FakeStatementEntry[]; written?: FakeStatementEntry[]; messageId?: string }): string {
  const { day, entries } = input;
  const credits = entries.filter((e) => e.kind === 'transfer');
  const debits = entries.filter((e) => e.kind === 'reversal');
  const created = new Date().toISOString();
  return [
    '<?xml version="1.0" encoding="UTF-8"?>',
    '<Document xmlns="urn:iso:std:iso:20022:tech:xsd:camt.053.001.08">',
    '<BkToCstmrStmt>',
    `<GrpHdr><MsgId>${xmlText(input.messageId ?? `STMT-${day}`)}</MsgId><CreDtTm>${beijing(created)}</CreDtTm></GrpHdr>`,
    '<Stmt>',
    `<Id>${xmlText(input.account)}-${day}</Id>`,
    `<ElctrncSeqNb>${day.replace(/-/g, '')}</ElctrncSeqNb>`,
    `<CreDtTm>${beijing(created)}</CreDtTm>`,
    `<FrToDt><FrDtTm>${day}T00:00:00+08:00</FrDtTm><ToDtTm>${day}T23:59:59+08:00</ToDtTm></FrToDt>`,
    `<Acct><Id><Othr><Id>${xmlText(input.account)}</Id></Othr></Id><Ccy>CNY</Ccy><Nm>校园一卡通结算户</Nm></Acct>`,
    balanceXml('OPBD', input.openingFen, day),
    balanceXml('CLBD', input.closingFen, day),
    '<TxsSummry>',
    `<TtlNtries><NbOfNtries>${entries.length}</NbOfNtries></TtlNtries>`,
    `<TtlCdtNtries><NbOfNtries>${credits.length}</NbOfNtries><Sum>${yuan(credits.reduce((s, e) => s + e.amountFen, 0))}</Sum></TtlCdtNtries>`,
    `<TtlDbtNtries><NbOfNtries>${debits.length}</NbOfNtries><Sum>${yuan(debits.reduce((s, e) => s + e.amountFen, 0))}</Sum></TtlDbtNtries>`,
    '</TxsSummry>',
    ...(input.written ?? entries).map(entryXml),
    '</Stmt>',
    '</BkToCstmrStmt>',
    '</Document>',
  ].join('\n');
}

export async function startFakeBank(): Promise<FakeBank> {
  const apiKey = randomBytes(24).toString('base64url');
  const cards = new Map<string, FakeBankCard>();
  const transfers = new Map<string, FakeBankTransfer>();
  const tampers = new Map<string, StatementTamper>();
  const armed: Armed[] = [];
  let seq = 0;

  /** Every booking on the settlement account, in time order. */
  function bookings(): FakeStatementEntry[] {
    const all: FakeStatementEntry[] = [];
    for (const t of transfers.values()) {
      if (!t.bookedAt) continue;
      all.push({ bankTxnId: t.bankTxnId!, ref: t.bankTxnId!, transferId: t.transferId, kind: 'transfer', amountFen: t.amountFen!, bookedAt: t.bookedAt });
      if (t.reversedAt) all.push({ bankTxnId: t.bankTxnId!, ref: t.reversalId!, transferId: t.transferId, kind: 'reversal', amountFen: t.amountFen!, bookedAt: t.reversedAt });
    }
    return all.sort((a, b) => a.bookedAt.localeCompare(b.bookedAt));
  }

  const net = (entries: FakeStatementEntry[]) => entries.reduce((sum, e) => sum + (e.kind === 'transfer' ? e.amountFen : -e.amountFen), 0);

  function statementXml(day: string): string {
    const all = bookings();
    const before = all.filter((e) => campusDay(new Date(e.bookedAt)) < day);
    let entries = all.filter((e) => campusDay(new Date(e.bookedAt)) === day);
    const tamper = tampers.get(day) ?? {};
    const opening = SETTLEMENT_OPENING_FEN + net(before);
    entries = entries.filter((e) => !(tamper.drop ?? []).includes(e.bankTxnId)).map((e) => (tamper.amounts?.[e.bankTxnId] !== undefined ? { ...e, amountFen: tamper.amounts[e.bankTxnId]! } : e));
    for (const added of tamper.add ?? []) {
      const kind = added.kind ?? 'transfer';
      entries.push({ bankTxnId: added.bankTxnId, ref: kind === 'transfer' ? added.bankTxnId : `RV-${added.bankTxnId}`, transferId: added.transferId, kind, amountFen: added.amountFen, bookedAt: added.bookedAt ?? `${day}T04:00:00.000Z` });
    }
    const closing = opening + net(entries) + (tamper.breakTotals ? 1 : 0);
    const written = entries.flatMap((e) => ((tamper.duplicate ?? []).includes(e.bankTxnId) ? [e, e] : [e]));
    return camt053Statement({ day, account: SETTLEMENT_ACCOUNT, openingFen: opening, closingFen: closing, entries, written, messageId: `STMT-${day}-${seq}` });
  }

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
    transfers.set(request.transferId, { transferId: request.transferId, bankCardNo: request.bankCardNo, amountFen: request.amountFen, state: 'debited', bankTxnId, bookedAt: new Date().toISOString() });
    return { status: 200, answer: { bankTxnId } };
  }

  function reverse(transferId: string): BankTransferState {
    const t = transfers.get(transferId);
    if (!t) transfers.set(transferId, { transferId, state: 'refused', refusal: 'CANCELLED' });
    else if (t.state === 'debited') {
      cards.get(t.bankCardNo!)!.balanceFen += t.amountFen!;
      t.state = 'reversed';
      t.reversalId = `RV${Date.now()}${String(++seq).padStart(6, '0')}`;
      t.reversedAt = new Date().toISOString();
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
      const isStatement = request.method === 'POST' && request.url === '/statements';
      const call = request.method === 'POST' ? PATHS[request.url ?? ''] : undefined;
      if (!call && !isStatement) return reply(404, { error: 'not found' });
      const given = Buffer.from(String(request.headers['x-signature'] ?? ''));
      const expected = Buffer.from(bankRequestSignature(apiKey, body));
      if (given.length !== expected.length || !timingSafeEqual(given, expected)) return reply(401, { error: 'bad signature' });
      if (isStatement) {
        const asked = JSON.parse(body) as { day?: string; account?: string };
        if (!asked.day || !/^\d{4}-\d{2}-\d{2}$/.test(asked.day)) return reply(400, { error: 'day must be YYYY-MM-DD' });
        if (asked.account !== undefined && asked.account !== SETTLEMENT_ACCOUNT) return reply(404, { error: 'no such account' });
        const xml = statementXml(asked.day);
        response.writeHead(200, { 'content-type': 'application/xml; charset=utf-8', 'x-signature': bankRequestSignature(apiKey, xml) });
        return response.end(xml);
      }
      const payload = JSON.parse(body) as BankTransferRequest;
      const fault = takeFault(call!, payload.transferId);
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
    config: { baseUrl: `http://127.0.0.1:${port}`, apiKey, settlementAccount: SETTLEMENT_ACCOUNT },
    openCard: (cardNo, card) => cards.set(cardNo, { ...card }),
    balanceOf: (cardNo) => cards.get(cardNo)?.balanceFen,
    injectFault: (call, fault, options = {}) => armed.push({ call, fault, times: options.times ?? 1, ...(options.transferId !== undefined ? { transferId: options.transferId } : {}) }),
    transfers: () => [...transfers.values()].map((t) => ({ ...t })),
    tamperStatement: (day, tamper) => tampers.set(day, tamper),
    statementXml,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
