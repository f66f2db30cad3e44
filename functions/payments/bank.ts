/**
 * The bank behind the self-service kiosk (圈存机): moves money from the holder's bound debit card to
 * the campus card. One interface, so a campus plugs in its bank's adapter; locally and in tests a
 * fake bank (functions/local/fake-bank.ts) plays it over HTTP. Transfers are idempotent on our
 * transfer id: asking again returns the bank's original answer. A transfer can be queried by that
 * id and reversed by it (the debit given back, or an id the bank never saw barred for good), which
 * is how every debit ends credited or reversed (functions/domain/bank-transfer.ts). The bank also
 * serves the settlement account's daily statement (ISO 20022 camt.053), checked against itself
 * here and against our transfers in functions/domain/bank-statement.ts.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';
import { XMLParser, XMLValidator } from 'fast-xml-parser';

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
  /**
   * The settlement account's statement of one campus day (YYYY-MM-DD), normalised: its booked
   * entries as the statement has them (a repeated entry repeated: the comparison counts it once). Throws BankStatementRefused when the statement is not the bank's, not for that
   * day and account, or does not add up; BankUnavailable when it cannot be had.
   */
  statement(day: string): Promise<StatementLine[]>;
}

/**
 * One entry of the settlement account's statement. On that account every credit is a kiosk
 * transfer from a holder's debit card and every debit the reversal of one.
 */
export interface StatementLine {
  /** The bank's transaction id of the transfer (for a reversal: of the transfer it gives back). */
  bankTxnId: string;
  /** The transfer id we gave the bank (`<terminal>-<transferId>`); '' if the entry names none. */
  transferId: string;
  kind: 'transfer' | 'reversal';
  amountFen: number;
  bookedAt: string;
}

/** The bank's statement cannot be trusted as it is (bad signature, wrong day or account, totals that do not add up): nothing is reconciled from it. */
export class BankStatementRefused extends Error {
  constructor(detail: string) {
    super(detail);
    this.name = 'BankStatementRefused';
  }
}

export interface HttpBankConfig {
  baseUrl: string;
  /** Shared key: requests carry x-signature = hex(HMAC-SHA256(key, body)). */
  apiKey: string;
  timeoutMs?: number;
  /** The campus's settlement account at the bank; when given, a statement of another account is refused. */
  settlementAccount?: string;
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
    async statement(day) {
      const body = JSON.stringify({ day, ...(config.settlementAccount ? { account: config.settlementAccount } : {}) });
      let response: Response;
      let xml: string;
      try {
        response = await fetch(`${config.baseUrl}/statements`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', 'x-signature': bankRequestSignature(config.apiKey, body) },
          body,
          signal: AbortSignal.timeout(config.timeoutMs ?? 30_000),
        });
        xml = await response.text();
      } catch (error) {
        throw new BankUnavailable(`bank unreachable: ${String(error)}`);
      }
      if (!response.ok) throw new BankUnavailable(`bank answered ${response.status} for the statement of ${day}`);
      // The answer is signed like a request: a statement that is not the bank's word reconciles nothing.
      const given = Buffer.from(response.headers.get('x-signature') ?? '');
      const expected = Buffer.from(bankRequestSignature(config.apiKey, xml));
      if (given.length !== expected.length || !timingSafeEqual(given, expected)) throw new BankStatementRefused(`the statement of ${day} does not carry the bank's signature`);
      return parseCamt053(xml, { day, ...(config.settlementAccount ? { account: config.settlementAccount } : {}) });
    },
  };
}

const CAMT053 = /xmlns="urn:iso:std:iso:20022:tech:xsd:camt\.053\.001\.\d{2}"/;
const camtParser = new XMLParser({
  ignoreAttributes: false,
  attributeNamePrefix: '@_',
  // Strings, never numbers: amounts are decimal yuan and ids may have leading zeros.
  parseTagValue: false,
  parseAttributeValue: false,
  removeNSPrefix: true,
  isArray: (name) => ['Stmt', 'Bal', 'Ntry', 'TxDtls', 'Ustrd'].includes(name),
});

type Node = Record<string, unknown>;
const node = (value: unknown): Node => (value && typeof value === 'object' ? (value as Node) : {});
const text = (value: unknown): string | undefined => (typeof value === 'string' ? value : typeof node(value)['#text'] === 'string' ? (node(value)['#text'] as string) : undefined);

/** "1234.56" yuan (at most two decimals, CNY) to integer fen, without floating point. */
function amountFen(amt: unknown, where: string): number {
  const value = text(amt)?.trim() ?? '';
  const currency = node(amt)['@_Ccy'];
  if (currency !== 'CNY') throw new BankStatementRefused(`${where}: currency ${String(currency)}, not CNY`);
  const match = /^(\d{1,13})(?:\.(\d{1,2}))?$/.exec(value);
  if (!match) throw new BankStatementRefused(`${where}: amount "${value}" is not a CNY amount`);
  return Number(match[1]) * 100 + Number((match[2] ?? '').padEnd(2, '0'));
}

function signed(fen: number, indicator: unknown, where: string): number {
  if (indicator === 'CRDT') return fen;
  if (indicator === 'DBIT') return -fen;
  throw new BankStatementRefused(`${where}: CdtDbtInd "${String(indicator)}"`);
}

/**
 * Reads an ISO 20022 camt.053 (BkToCstmrStmt) statement of the settlement account and checks it
 * against itself: one statement, of `day` (and of `account` when given), in CNY, and opening
 * balance + booked entries = closing balance (and = the summary's totals when it has them). An
 * entry repeated under the same AcctSvcrRef is one entry in those totals (a transmission repeat)
 * and is returned as often as it appears, so the run can say so; the same ref with other content
 * contradicts itself and refuses the statement.
 */
export function parseCamt053(xml: string, expect: { day: string; account?: string }): StatementLine[] {
  if (XMLValidator.validate(xml) !== true) throw new BankStatementRefused(`the statement of ${expect.day} is not well-formed XML`);
  if (!CAMT053.test(xml)) throw new BankStatementRefused(`the statement of ${expect.day} is not a camt.053 document`);
  const statements = node(node(node(camtParser.parse(xml)).Document).BkToCstmrStmt).Stmt;
  if (!Array.isArray(statements) || statements.length !== 1) throw new BankStatementRefused(`expected one Stmt, found ${Array.isArray(statements) ? statements.length : 0}`);
  const stmt = node(statements[0]);
  const account = text(node(node(node(stmt.Acct).Id).Othr).Id);
  if (expect.account !== undefined && account !== expect.account) throw new BankStatementRefused(`the statement is of account ${String(account)}, not ${expect.account}`);

  const balances = new Map<string, { fen: number; day?: string }>();
  for (const bal of (stmt.Bal as unknown[] | undefined) ?? []) {
    const b = node(bal);
    const code = text(node(node(b.Tp).CdOrPrtry).Cd) ?? '';
    const balDay = text(node(b.Dt).Dt);
    balances.set(code, { fen: signed(amountFen(b.Amt, `balance ${code}`), b.CdtDbtInd, `balance ${code}`), ...(balDay ? { day: balDay } : {}) });
  }
  const opening = balances.get('OPBD') ?? balances.get('PRCD');
  const closing = balances.get('CLBD');
  if (!opening || !closing) throw new BankStatementRefused('the statement has no opening (OPBD) or closing (CLBD) balance');
  if (closing.day !== undefined && closing.day !== expect.day) throw new BankStatementRefused(`the statement closes on ${closing.day}, not ${expect.day}`);

  const byRef = new Map<string, { line: StatementLine; signedFen: number; print: string }>();
  const lines: StatementLine[] = [];
  for (const [index, raw] of ((stmt.Ntry as unknown[] | undefined) ?? []).entries()) {
    const entry = node(raw);
    const where = `entry ${index + 1}`;
    // Only booked entries are on the books (camt.053 may also carry pending or information entries).
    const status = text(node(entry.Sts).Cd) ?? text(entry.Sts);
    if (status !== 'BOOK') continue;
    const fen = amountFen(entry.Amt, where);
    const signedFen = signed(fen, entry.CdtDbtInd, where);
    const details = node(((node(entry.NtryDtls).TxDtls as unknown[] | undefined) ?? [])[0]);
    const bankTxnId = text(entry.NtryRef) ?? '';
    const ref = text(entry.AcctSvcrRef) ?? bankTxnId;
    if (!ref) throw new BankStatementRefused(`${where} has neither AcctSvcrRef nor NtryRef`);
    const transferId = text(node(details.Refs).EndToEndId) ?? text(((node(details.RmtInf).Ustrd as unknown[] | undefined) ?? [])[0]) ?? '';
    const booking = node(entry.BookgDt);
    const line: StatementLine = { bankTxnId, transferId, kind: signedFen >= 0 ? 'transfer' : 'reversal', amountFen: fen, bookedAt: text(booking.DtTm) ?? text(booking.Dt) ?? '' };
    const print = JSON.stringify(line);
    const seen = byRef.get(ref);
    if (seen && seen.print !== print) throw new BankStatementRefused(`${where}: entry ${ref} appears twice with different content`);
    if (!seen) byRef.set(ref, { line, signedFen, print });
    lines.push(line);
  }
  const entries = [...byRef.values()];
  const net = entries.reduce((sum, e) => sum + e.signedFen, 0);
  if (opening.fen + net !== closing.fen) {
    throw new BankStatementRefused(`the statement of ${expect.day} does not add up: opening ${opening.fen} + entries ${net} ≠ closing ${closing.fen} fen`);
  }
  const summary = node(stmt.TxsSummry);
  for (const [name, sign] of [['TtlCdtNtries', 1], ['TtlDbtNtries', -1]] as const) {
    const total = node(summary[name]);
    if (Object.keys(total).length === 0) continue;
    const mine = entries.filter((e) => Math.sign(e.signedFen) === sign || (sign === 1 && e.signedFen === 0));
    const count = Number(text(total.NbOfNtries));
    const sum = amountFen({ '#text': text(total.Sum), '@_Ccy': 'CNY' }, name);
    if (count !== mine.length || sum !== mine.reduce((s, e) => s + Math.abs(e.signedFen), 0)) {
      throw new BankStatementRefused(`the statement of ${expect.day}: ${name} says ${count} entries, ${sum} fen; the entries are ${mine.length}, ${mine.reduce((s, e) => s + Math.abs(e.signedFen), 0)} fen`);
    }
  }
  return lines;
}
