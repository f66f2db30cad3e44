/** The bank's daily statement against our kiosk bank transfers (pure), and reading camt.053 statements. */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { compareStatement, expectation, needsPreviousDay, statementDayFor, type StatementComparison } from '../../functions/domain/bank-statement';
import type { BankTransferIntent } from '../../functions/domain/bank-transfer';
import { camt053Statement, type FakeStatementEntry } from '../../functions/local/fake-bank';
import { loadServerlessConfig, PROJECT_ROOT } from '../../functions/local/serverless-config';
import { BankStatementRefused, parseCamt053, type StatementLine } from '../../functions/payments/bank';

const DAY = '2026-11-30';
/** 2026-11-30 in Beijing runs from 2026-11-29T16:00Z to 2026-11-30T16:00Z. */
const NOON = '2026-11-30T04:00:00.000Z';

const intent = (id: string, fields: Partial<BankTransferIntent> = {}): BankTransferIntent => ({
  terminalId: 'KIOSK-01',
  transferId: id,
  bankTransferId: `KIOSK-01-${id}`,
  fingerprint: 'f',
  accountNo: '100001',
  chipUid: '0C0C00000001',
  bankCardNo: '6223000000000001',
  amountFen: 2_000,
  purse: 'balance',
  status: 'credited',
  pendingKind: 'bank_transfer',
  state: 'posted',
  transfer: { debit: 'clearing:bank', credit: 'holder:100001:balance', amountFen: 2_000 },
  timeoutAt: '2026-11-30T04:10:00.000Z',
  createdAt: NOON,
  updatedAt: NOON,
  bankTxnId: `BK${id}`,
  receiptNo: '01JZZZZZZZZZZZZZZZZZZZZZZZ',
  ...fields,
});
const transfer = (id: string, fields: Partial<StatementLine> = {}): StatementLine => ({ bankTxnId: `BK${id}`, transferId: `KIOSK-01-${id}`, kind: 'transfer', amountFen: 2_000, bookedAt: '2026-11-30T12:00:01+08:00', ...fields });
const reversal = (id: string, fields: Partial<StatementLine> = {}): StatementLine => transfer(id, { kind: 'reversal', ...fields });

function compare(lines: StatementLine[], intents: BankTransferIntent[], previousLines?: StatementLine[]): StatementComparison {
  return compareStatement({ day: DAY, lines, intents: new Map(intents.map((i) => [i.bankTransferId, i])), ...(previousLines ? { previousLines } : {}) });
}
const kinds = (c: StatementComparison) => c.findings.map((f) => f.kind);
const handed = (c: StatementComparison) => c.handOver.map((i) => i.transferId);

describe('compareStatement', () => {
  it.each<[string, StatementLine[], BankTransferIntent[], Partial<{ matched: number; handOver: string[]; findings: string[]; duplicates: number; deferred: number }>]>([
    ['a credited transfer on the statement matches', [transfer('a')], [intent('a')], { matched: 1, handOver: [], findings: [] }],
    ['a debit we never credited (pending) goes to the bank reconciler', [transfer('a')], [intent('a', { status: 'pending', bankTxnId: undefined })], { matched: 0, handOver: ['a'], findings: [] }],
    ['a reversal of a transfer we are reversing goes to the bank reconciler', [transfer('a'), reversal('a')], [intent('a', { status: 'reversing', bankTxnId: undefined })], { handOver: ['a'], findings: [] }],
    ['credited but absent from the statement', [], [intent('a')], { findings: ['missing_from_statement'] }],
    ['the statement says another amount', [transfer('a', { amountFen: 2_001 })], [intent('a')], { matched: 0, findings: ['amount_mismatch'] }],
    ['a pending transfer with another amount is not handed over', [transfer('a', { amountFen: 1 })], [intent('a', { status: 'pending', bankTxnId: undefined })], { handOver: [], findings: ['amount_mismatch'] }],
    ['a line for no transfer of ours', [transfer('zz')], [], { findings: ['unknown_bank_line'] }],
    ['a line naming no transfer at all', [transfer('zz', { transferId: '' })], [], { findings: ['unknown_bank_line'] }],
    ['a line repeated is counted once', [transfer('a'), transfer('a'), transfer('a')], [intent('a')], { matched: 1, duplicates: 2, findings: [] }],
    ['a repeated debit of a pending transfer is handed over once', [transfer('a'), transfer('a')], [intent('a', { status: 'pending', bankTxnId: undefined })], { handOver: ['a'], duplicates: 1 }],
    ['the bank gives back a transfer we credited', [transfer('a'), reversal('a')], [intent('a')], { matched: 1, findings: ['reversal_of_credited'] }],
    ['the bank debits a transfer we recorded as refused', [transfer('a')], [intent('a', { status: 'refused', refusal: 'INSUFFICIENT_FUNDS', bankTxnId: undefined })], { findings: ['debit_without_transfer'] }],
    ['a reversed transfer with its debit and its reversal matches twice', [transfer('a'), reversal('a')], [intent('a', { status: 'reversed', reversalId: 'RV1' })], { matched: 2, findings: [] }],
    ['a transfer reversed that day without its reversal on the statement', [transfer('a')], [intent('a', { status: 'reversed', updatedAt: NOON })], { findings: ['missing_from_statement'] }],
    ['a transfer reversed the next day: its reversal is on that day’s statement', [transfer('a')], [intent('a', { status: 'reversed', updatedAt: '2026-11-30T16:05:00.000Z' })], { matched: 1, findings: [] }],
    ['a reversal of a transfer we never saw debited', [reversal('a')], [intent('a', { status: 'expired', bankTxnId: undefined })], { findings: ['unknown_bank_line'] }],
    ['a second debit under a credited transfer', [transfer('a', { bankTxnId: 'BKother' })], [intent('a')], { findings: ['unknown_bank_line', 'missing_from_statement'] }],
    ['credited in the day’s last minutes and not on it: the next day decides', [], [intent('a', { createdAt: '2026-11-30T15:55:00.000Z' })], { findings: [], deferred: 1 }],
    ['credited on the day before (not in its last minutes): not this statement’s', [], [intent('a', { createdAt: '2026-11-29T04:00:00.000Z' })], { findings: [] }],
    ['a transfer of the day before booked on this day matches', [transfer('a')], [intent('a', { createdAt: '2026-11-29T15:58:00.000Z' })], { matched: 1, findings: [] }],
  ])('%s', (_name, lines, intents, expected) => {
    const result = compare(lines, intents);
    if (expected.matched !== undefined) expect(result.matched).toBe(expected.matched);
    if (expected.handOver) expect(handed(result)).toEqual(expected.handOver);
    if (expected.findings) expect(kinds(result).sort()).toEqual([...expected.findings].sort());
    if (expected.duplicates !== undefined) expect(result.duplicates).toBe(expected.duplicates);
    if (expected.deferred !== undefined) expect(result.deferred).toBe(expected.deferred);
  });

  it('a finding carries what the statement and we say, and the account', () => {
    const [finding] = compare([transfer('a', { amountFen: 2_500 })], [intent('a')]).findings;
    expect(finding).toMatchObject({ kind: 'amount_mismatch', ref: 'BKa', accountNo: '100001', statementFen: 2_500, oursFen: 2_000 });
  });

  describe('a credited transfer made in the last minutes of the day before', () => {
    const late = intent('a', { createdAt: '2026-11-29T15:55:00.000Z' });
    it('asks for the statement of the day before when it is not on this one', () => {
      expect(needsPreviousDay({ day: DAY, lines: [], intents: new Map([[late.bankTransferId, late]]) })).toBe(true);
      expect(needsPreviousDay({ day: DAY, lines: [transfer('a')], intents: new Map([[late.bankTransferId, late]]) })).toBe(false);
      expect(needsPreviousDay({ day: DAY, lines: [], intents: new Map([['x', intent('x')]]) })).toBe(false);
    });
    it('is fine on the statement of the day before', () => {
      expect(kinds(compare([], [late], [transfer('a')]))).toEqual([]);
    });
    it('is missing when on neither', () => {
      expect(kinds(compare([], [late], [transfer('other')]))).toEqual(['missing_from_statement']);
    });
  });

  it.each([
    ['2026-11-30T04:00:00.000Z', 'this_day'],
    ['2026-11-29T16:00:00.000Z', 'this_day'],
    ['2026-11-30T15:49:59.999Z', 'this_day'],
    ['2026-11-30T15:50:00.000Z', 'next_day_decides'],
    ['2026-11-29T15:50:00.000Z', 'this_or_previous'],
    ['2026-11-29T15:49:00.000Z', 'not_this_day'],
    ['2026-11-30T16:00:00.000Z', 'not_this_day'],
  ])('an intent made at %s is expected on the statement of 2026-11-30: %s', (createdAt, expected) => {
    expect(expectation(createdAt, DAY)).toBe(expected);
  });
});

const ACCOUNT = '6222020200000000888';
const entry = (id: string, fields: Partial<FakeStatementEntry> = {}): FakeStatementEntry => ({ bankTxnId: `BK${id}`, ref: `BK${id}`, transferId: `KIOSK-01-${id}`, kind: 'transfer', amountFen: 2_000, bookedAt: NOON, ...fields });
const statement = (entries: FakeStatementEntry[], options: { opening?: number; closing?: number; written?: FakeStatementEntry[]; day?: string; account?: string } = {}) => {
  const opening = options.opening ?? 100_00;
  const net = entries.reduce((s, e) => s + (e.kind === 'transfer' ? e.amountFen : -e.amountFen), 0);
  return camt053Statement({ day: options.day ?? DAY, account: options.account ?? ACCOUNT, openingFen: opening, closingFen: options.closing ?? opening + net, entries, ...(options.written ? { written: options.written } : {}) });
};

describe('parseCamt053', () => {
  it('reads booked entries: credits are transfers, debits their reversals, amounts in fen', () => {
    const xml = statement([entry('a', { amountFen: 2_050 }), entry('b', { amountFen: 1 }), entry('a', { kind: 'reversal', ref: 'RVa', amountFen: 2_050 })]);
    expect(parseCamt053(xml, { day: DAY, account: ACCOUNT })).toEqual([
      { bankTxnId: 'BKa', transferId: 'KIOSK-01-a', kind: 'transfer', amountFen: 2_050, bookedAt: '2026-11-30T12:00:00+08:00' },
      { bankTxnId: 'BKb', transferId: 'KIOSK-01-b', kind: 'transfer', amountFen: 1, bookedAt: '2026-11-30T12:00:00+08:00' },
      { bankTxnId: 'BKa', transferId: 'KIOSK-01-a', kind: 'reversal', amountFen: 2_050, bookedAt: '2026-11-30T12:00:00+08:00' },
    ]);
  });

  it('an entry repeated under the same AcctSvcrRef counts once in the totals, and is returned as repeated', () => {
    const a = entry('a');
    const lines = parseCamt053(statement([a], { written: [a, a] }), { day: DAY });
    expect(lines).toHaveLength(2);
    expect(compareStatement({ day: DAY, lines, intents: new Map() })).toMatchObject({ lines: 1, duplicates: 1 });
  });

  it('reads an empty day', () => {
    expect(parseCamt053(statement([]), { day: DAY })).toEqual([]);
  });

  it.each<[string, string]>([
    ['totals that do not add up', statement([entry('a')], { closing: 100_00 + 2_000 + 1 })],
    ['an entry the totals do not have (repeated with another amount)', statement([entry('a')], { written: [entry('a'), entry('a', { amountFen: 3_000 })] })],
    ['a summary that disagrees with the entries', statement([entry('a')]).replace('<TtlCdtNtries><NbOfNtries>1<', '<TtlCdtNtries><NbOfNtries>2<')],
    ['an entry not booked yet that the balance counts', statement([entry('a')]).replace('<Cd>BOOK</Cd>', '<Cd>PDNG</Cd>')],
    ['another day', statement([entry('a')], { day: '2026-11-29' })],
    ['another account', statement([entry('a')], { account: '6222000000000000001' })],
    ['another currency', statement([entry('a')]).replace('<Amt Ccy="CNY">20.00</Amt>', '<Amt Ccy="USD">20.00</Amt>')],
    ['an amount with three decimals', statement([entry('a')]).replace(/20\.00/g, '20.001')],
    ['not camt.053', statement([entry('a')]).replace('camt.053.001.08', 'camt.052.001.08')],
    ['not XML', '<Document><BkToCstmrStmt>'],
    ['no closing balance', statement([]).replace(/<Bal><Tp><CdOrPrtry><Cd>CLBD[\s\S]*?<\/Bal>/, '')],
  ])('refuses %s', (_name, xml) => {
    expect(() => parseCamt053(xml, { day: DAY, account: ACCOUNT })).toThrow(BankStatementRefused);
  });
});

describe('the scheduled statement run', () => {
  it.each([
    ['10:00 Beijing, as scheduled', '2026-12-01T02:00:00Z', '2026-11-30'],
    ['just after midnight Beijing', '2026-11-30T16:05:00Z', '2026-11-30'],
    ['just before midnight Beijing', '2026-11-30T15:55:00Z', '2026-11-29'],
  ])('reconciles the campus day before its own: %s', (_name, now, day) => {
    expect(statementDayFor(new Date(now))).toBe(day);
  });

  it('is in serverless.yml daily at 10:00 Beijing, with an npm script to run it by hand', () => {
    const functions = loadServerlessConfig({ stage: 'dev', env: {} }).raw.functions as Record<string, { handler: string; events: unknown[] }>;
    expect(functions.reconcileBankStatement).toMatchObject({ handler: 'functions/handlers/reconcile-bank-statement.handler', events: [{ schedule: 'cron(0 2 * * ? *)' }] });
    const scripts = (JSON.parse(readFileSync(join(PROJECT_ROOT, 'package.json'), 'utf8')) as { scripts: Record<string, string> }).scripts;
    expect(scripts['reconcile:bank-statement']).toContain('scripts/reconcile-bank-statement.ts');
  });
});
