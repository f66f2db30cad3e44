/**
 * Kiosk bank transfers under faults: the intent is stored before the bank is asked, and every debit
 * the bank makes ends credited or reversed — when the credit fails after the debit (account closed,
 * a DynamoDB error, a lost or late answer), on retries, under concurrency, and for random mixes of
 * all of these (property). Against the fake bank over HTTP and DynamoDB Local.
 */
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { UpdateCommand } from '@aws-sdk/lib-dynamodb';
import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import type { Deps } from '../../functions/deps';
import { campusDay } from '../../functions/domain/campus-day';
import type { Terminal } from '../../functions/domain/merchant';
import { hashPassword } from '../../functions/domain/passwords';
import { startFakeBank, type FakeBank } from '../../functions/local/fake-bank';
import { PROJECT_ROOT } from '../../functions/local/serverless-config';
import { createHttpBankAdapter, type BankAdapter } from '../../functions/payments/bank';
import { reconcileBankTransfers, transferFromBank } from '../../functions/services/bank-transfers';
import { getAccount } from '../../functions/store/accounts';
import { getBankTransferIntent, listOpenBankTransfers } from '../../functions/store/bank-transfers';
import { issueCard } from '../../functions/store/cards';
import { keys } from '../../functions/store/keys';
import type { MovementStore } from '../../functions/store/movements';
import { savePasswordRecord } from '../../functions/store/passwords';
import { createTestAccount, createTestTerminal, ledgerOf, setAccountStatus, terminalFetch } from '../helpers/fixtures';
import { useTestPlatform } from '../helpers/platform';
import { useFake } from '../helpers/fakes';

let bank: FakeBank;
useFake('BANK_CONFIG', startFakeBank, (started) => (bank = started));
const platform = useTestPlatform({ http: true });
const run = promisify(execFile);

const OPENING_FEN = 100_000;
let seq = 0;
/** Every holder made here: the final test proves the bank and the ledgers agree for all of them. */
const holders: { accountNo: string; bankCardNo: string; openingFen: number }[] = [];

async function kioskHolder(options: { kind?: 'cpu' | 'm1'; bankBalanceFen?: number } = {}) {
  const account = await createTestAccount(platform.deps);
  const chipUid = `0C0C${String(++seq).padStart(8, '0')}`;
  const bankCardNo = `62230000${String(seq).padStart(8, '0')}`;
  await issueCard(platform.deps.db, { cardId: `C${chipUid}`, accountNo: account.accountNo, kind: options.kind ?? 'm1', chipUid, status: 'active', issuedAt: new Date().toISOString(), issuedOn: campusDay(new Date()) });
  await platform.deps.db.doc.send(
    new UpdateCommand({ TableName: platform.tableName, Key: keys.account(account.accountNo), UpdateExpression: 'SET boundBankCardNo = :c, version = version + :one', ExpressionAttributeValues: { ':c': bankCardNo, ':one': 1 } }),
  );
  bank.openCard(bankCardNo, { pin: '888888', balanceFen: options.bankBalanceFen ?? OPENING_FEN });
  await savePasswordRecord(platform.deps.db, account.accountNo, 'query', await hashPassword('246810', { now: new Date(), params: { N: 1024, r: 8, p: 1, keyLength: 32 } }), undefined);
  const holder = { accountNo: account.accountNo, chipUid, bankCardNo, openingFen: options.bankBalanceFen ?? OPENING_FEN };
  holders.push(holder);
  return holder;
}

const body = (chipUid: string, transferId: string, amountFen = 2_000, bankPin = '888888') => ({ transferId, chipUid, amountFen, queryPassword: '246810', bankPin });

/** The platform's deps with a clock moved on (the reconciler's view some time later), and optionally another bank or movement store. */
function depsWith(overrides: { laterSeconds?: number; bank?: BankAdapter; movements?: MovementStore } = {}): Deps {
  const base = platform.deps;
  return {
    ...base,
    clock: () => new Date(Date.now() + (overrides.laterSeconds ?? 0) * 1000),
    ...(overrides.bank ? { bank: async () => overrides.bank } : {}),
    ...(overrides.movements ? { movements: overrides.movements } : {}),
  };
}

const realBank = () => createHttpBankAdapter(bank.config);

/** A bank whose debit succeeds, after which something happens to us (the account is closed, say). */
function bankThen(after: () => Promise<void>): BankAdapter {
  const real = realBank();
  return { ...real, transfer: async (request) => real.transfer(request).then(async (answer) => (await after(), answer)) };
}

/** A movement store whose next `times` posts fail as DynamoDB being unreachable. */
function failingMovements(times = 1): MovementStore {
  let left = times;
  return {
    post: (command) => {
      if (left-- > 0) return Promise.reject(Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' }));
      return platform.deps.movements.post(command);
    },
  };
}

async function bankCreditsOf(accountNo: string): Promise<number> {
  const entries = await ledgerOf(platform.deps, accountNo);
  return entries.filter((e) => e.channel === 'bank').reduce((sum, e) => sum + e.delta.balanceFen + e.delta.transitionalFen, 0);
}

/** Every debit ends credited or reversed: what left the bank card is exactly what the account was credited. */
async function expectBankAndLedgerAgree(holder: { accountNo: string; bankCardNo: string; openingFen?: number }) {
  const takenFen = (holder.openingFen ?? OPENING_FEN) - bank.balanceOf(holder.bankCardNo)!;
  expect(takenFen, `bank card ${holder.bankCardNo}`).toBe(await bankCreditsOf(holder.accountNo));
}

const reconcileLater = (seconds: number, overrides: { bank?: BankAdapter } = {}) => reconcileBankTransfers(depsWith({ laterSeconds: seconds, ...overrides }));

describe('the credit fails after the bank debited', () => {
  let kiosk: Terminal;
  beforeAll(async () => {
    kiosk = await createTestTerminal(platform.deps, { kind: 'kiosk' });
  });

  it('the intent is stored, pending, before the bank is asked', async () => {
    const holder = await kioskHolder();
    const real = realBank();
    let seenByBank: unknown;
    const watching: BankAdapter = { ...real, transfer: async (request) => ((seenByBank = await getBankTransferIntent(platform.deps.db, kiosk.terminalId, 'first-1')), real.transfer(request)) };
    await transferFromBank(depsWith({ bank: watching }), kiosk, body(holder.chipUid, 'first-1', 1_000));
    expect(seenByBank).toMatchObject({ status: 'pending', accountNo: holder.accountNo, amountFen: 1_000, bankCardNo: holder.bankCardNo, purse: 'balance' });
    expect(await getBankTransferIntent(platform.deps.db, kiosk.terminalId, 'first-1')).toMatchObject({ status: 'credited', bankTxnId: expect.any(String), receiptNo: expect.any(String) });
  });

  it('the account was closed between the intent and the credit: the debit is reversed at the bank and the kiosk is told', async () => {
    const holder = await kioskHolder();
    const closing = depsWith({ bank: bankThen(() => setAccountStatus(platform.deps, holder.accountNo, 'cancelled')) });
    await expect(transferFromBank(closing, kiosk, body(holder.chipUid, 'closed-1'))).rejects.toMatchObject({ code: 'BANK_TRANSFER_REVERSED' });
    expect(bank.balanceOf(holder.bankCardNo)).toBe(OPENING_FEN);
    expect(await getBankTransferIntent(platform.deps.db, kiosk.terminalId, 'closed-1')).toMatchObject({ status: 'reversed', voidReason: 'CARD_CANCELLED' });
    expect(bank.transfers().find((t) => t.transferId === `${kiosk.terminalId}-closed-1`)).toMatchObject({ state: 'reversed' });
    // A retry with the same id answers the same, and moves nothing.
    await expect(transferFromBank(depsWith(), kiosk, body(holder.chipUid, 'closed-1'))).rejects.toMatchObject({ code: 'BANK_TRANSFER_REVERSED' });
    await expectBankAndLedgerAgree(holder);
  });

  it('a DynamoDB error on the credit: the intent stays pending and the reconciler credits it, once', async () => {
    const holder = await kioskHolder();
    await expect(transferFromBank(depsWith({ movements: failingMovements() }), kiosk, body(holder.chipUid, 'db-1', 3_000))).rejects.toThrow('socket hang up');
    expect(bank.balanceOf(holder.bankCardNo)).toBe(OPENING_FEN - 3_000);
    expect(await getBankTransferIntent(platform.deps.db, kiosk.terminalId, 'db-1')).toMatchObject({ status: 'pending', amountFen: 3_000 });
    // Too fresh for the reconciler (the kiosk may still be retrying).
    expect((await reconcileLater(0)).checked).toBe(0);
    const report = await reconcileLater(120);
    expect(report.failures).toEqual([]);
    expect(report.credited).toBeGreaterThanOrEqual(1);
    expect((await getAccount(platform.deps.db, holder.accountNo))?.balanceFen).toBe(3_000);
    expect(await getBankTransferIntent(platform.deps.db, kiosk.terminalId, 'db-1')).toMatchObject({ status: 'credited' });
    await reconcileLater(600); // again: nothing more moves
    expect((await getAccount(platform.deps.db, holder.accountNo))?.balanceFen).toBe(3_000);
    await expectBankAndLedgerAgree(holder);
  });

  it('a DynamoDB error, and the account closed before the reconciler runs: the reconciler reverses at the bank', async () => {
    const holder = await kioskHolder();
    await expect(transferFromBank(depsWith({ movements: failingMovements() }), kiosk, body(holder.chipUid, 'db-2'))).rejects.toThrow('socket hang up');
    await setAccountStatus(platform.deps, holder.accountNo, 'cancelled');
    const report = await reconcileLater(120);
    expect(report.failures).toEqual([]);
    expect(await getBankTransferIntent(platform.deps.db, kiosk.terminalId, 'db-2')).toMatchObject({ status: 'reversed' });
    expect(bank.balanceOf(holder.bankCardNo)).toBe(OPENING_FEN);
    await expectBankAndLedgerAgree(holder);
  });

  it('the bank answered after the adapter gave up (a timeout): the reconciler finds the debit and credits it', async () => {
    const holder = await kioskHolder({ kind: 'cpu' });
    bank.injectFault('transfer', { kind: 'late', delayMs: 800 }, { transferId: `${kiosk.terminalId}-late-1` });
    const impatient = depsWith({ bank: createHttpBankAdapter({ ...bank.config, timeoutMs: 200 }) });
    await expect(transferFromBank(impatient, kiosk, body(holder.chipUid, 'late-1', 1_500))).rejects.toMatchObject({ code: 'BANK_UNAVAILABLE' });
    expect(bank.balanceOf(holder.bankCardNo)).toBe(OPENING_FEN - 1_500);
    await reconcileLater(120);
    expect(await getBankTransferIntent(platform.deps.db, kiosk.terminalId, 'late-1')).toMatchObject({ status: 'credited', purse: 'transitional' });
    expect((await getAccount(platform.deps.db, holder.accountNo))?.transitionalFen).toBe(1_500);
    await expectBankAndLedgerAgree(holder);
  });
});

describe('retries and concurrency (over HTTP)', () => {
  it('a lost answer after the debit, then a retry with the same transferId: it reaches the bank and credits once', async () => {
    const holder = await kioskHolder();
    const kiosk = await createTestTerminal(platform.deps, { kind: 'kiosk' });
    bank.injectFault('transfer', { kind: 'drop' }, { transferId: `${kiosk.terminalId}-lost-1` });
    const first = await terminalFetch(platform.url, kiosk, 'POST', '/v1/pos/bank-transfers', body(holder.chipUid, 'lost-1', 4_000));
    expect(first.body.code).toBe('BANK_UNAVAILABLE');
    expect(bank.balanceOf(holder.bankCardNo)).toBe(OPENING_FEN - 4_000);
    const retry = await terminalFetch(platform.url, kiosk, 'POST', '/v1/pos/bank-transfers', body(holder.chipUid, 'lost-1', 4_000));
    expect(retry.status).toBe(200);
    expect(retry.body).toMatchObject({ amountFen: 4_000, balanceFen: 4_000, replayed: false });
    const again = await terminalFetch(platform.url, kiosk, 'POST', '/v1/pos/bank-transfers', body(holder.chipUid, 'lost-1', 4_000));
    expect(again.body).toMatchObject({ receiptNo: retry.body.receiptNo, replayed: true });
    expect(bank.balanceOf(holder.bankCardNo)).toBe(OPENING_FEN - 4_000);
    await expectBankAndLedgerAgree(holder);
  });

  it('a retry after the account was closed is not refused before the bank: the debit made by the first try is reversed', async () => {
    const holder = await kioskHolder();
    const kiosk = await createTestTerminal(platform.deps, { kind: 'kiosk' });
    bank.injectFault('transfer', { kind: 'drop' }, { transferId: `${kiosk.terminalId}-lost-2` });
    expect((await terminalFetch(platform.url, kiosk, 'POST', '/v1/pos/bank-transfers', body(holder.chipUid, 'lost-2'))).body.code).toBe('BANK_UNAVAILABLE');
    await setAccountStatus(platform.deps, holder.accountNo, 'cancelled');
    const retry = await terminalFetch(platform.url, kiosk, 'POST', '/v1/pos/bank-transfers', body(holder.chipUid, 'lost-2'));
    expect(retry.body.code).toBe('BANK_TRANSFER_REVERSED');
    expect(bank.balanceOf(holder.bankCardNo)).toBe(OPENING_FEN);
    await expectBankAndLedgerAgree(holder);
  });

  it('the same transferId sent 12 times at once moves the money once', async () => {
    const holder = await kioskHolder();
    const kiosk = await createTestTerminal(platform.deps, { kind: 'kiosk' });
    const answers = await Promise.all(Array.from({ length: 12 }, () => terminalFetch(platform.url, kiosk, 'POST', '/v1/pos/bank-transfers', body(holder.chipUid, 'race-1', 2_500))));
    const ok = answers.filter((a) => a.status === 200);
    // Every answer is the credit or a "retry" (the movement busy): never a second debit or credit.
    expect(ok.length).toBeGreaterThanOrEqual(1);
    expect(new Set(ok.map((a) => a.body.receiptNo)).size).toBe(1);
    expect(ok.filter((a) => a.body.replayed === false).length).toBeLessThanOrEqual(1);
    // PASSWORD_LOCKED too: the query password's counter counts every try before checking it, so
    // more concurrent tries than the lockout allows are refused while they are in flight, right or
    // wrong (docs/lockouts.md); the lock is lifted by the try that set it once it proves right.
    for (const refused of answers.filter((a) => a.status !== 200)) expect(['BUSY_RETRY', 'BANK_UNAVAILABLE', 'PASSWORD_LOCKED']).toContain(refused.body.code);
    expect(bank.balanceOf(holder.bankCardNo)).toBe(OPENING_FEN - 2_500);
    expect((await getAccount(platform.deps.db, holder.accountNo))?.balanceFen).toBe(2_500);
    await expectBankAndLedgerAgree(holder);
  });

  it('the same transferId with another amount is IDEMPOTENCY_CONFLICT, and the bank is not asked', async () => {
    const holder = await kioskHolder();
    const kiosk = await createTestTerminal(platform.deps, { kind: 'kiosk' });
    expect((await terminalFetch(platform.url, kiosk, 'POST', '/v1/pos/bank-transfers', body(holder.chipUid, 'fp-1', 1_000))).status).toBe(200);
    const other = await terminalFetch(platform.url, kiosk, 'POST', '/v1/pos/bank-transfers', body(holder.chipUid, 'fp-1', 9_000));
    expect(other.body.code).toBe('IDEMPOTENCY_CONFLICT');
    expect(bank.balanceOf(holder.bankCardNo)).toBe(OPENING_FEN - 1_000);
  });

  it('a wrong bank PIN leaves the transfer open: the same transferId with the right PIN goes through', async () => {
    const holder = await kioskHolder();
    const kiosk = await createTestTerminal(platform.deps, { kind: 'kiosk' });
    expect((await terminalFetch(platform.url, kiosk, 'POST', '/v1/pos/bank-transfers', body(holder.chipUid, 'pin-1', 1_000, '111111'))).body.code).toBe('BANK_PIN_WRONG');
    const right = await terminalFetch(platform.url, kiosk, 'POST', '/v1/pos/bank-transfers', body(holder.chipUid, 'pin-1', 1_000));
    expect(right.body).toMatchObject({ amountFen: 1_000, replayed: false });
    await expectBankAndLedgerAgree(holder);
  });
});

describe('the reconciler', () => {
  it('gives up a transfer the bank never saw after the bank’s timeout, and bars its id so a late request cannot debit it', async () => {
    const holder = await kioskHolder();
    const kiosk = await createTestTerminal(platform.deps, { kind: 'kiosk' });
    bank.injectFault('transfer', { kind: 'down' }, { transferId: `${kiosk.terminalId}-down-1` });
    await expect(transferFromBank(depsWith(), kiosk, body(holder.chipUid, 'down-1'))).rejects.toMatchObject({ code: 'BANK_UNAVAILABLE' });
    expect(await getBankTransferIntent(platform.deps.db, kiosk.terminalId, 'down-1')).toMatchObject({ status: 'pending' });
    await reconcileLater(120); // the bank says unknown: too early to give up
    expect(await getBankTransferIntent(platform.deps.db, kiosk.terminalId, 'down-1')).toMatchObject({ status: 'pending' });
    await reconcileLater(11 * 60);
    expect(await getBankTransferIntent(platform.deps.db, kiosk.terminalId, 'down-1')).toMatchObject({ status: 'expired', voidReason: 'abandoned' });
    // The request that was lost on its way arrives at the bank now: refused.
    await expect(realBank().transfer({ transferId: `${kiosk.terminalId}-down-1`, bankCardNo: holder.bankCardNo, pin: '888888', amountFen: 2_000 })).rejects.toMatchObject({ refusal: 'CANCELLED' });
    await expect(transferFromBank(depsWith(), kiosk, body(holder.chipUid, 'down-1'))).rejects.toMatchObject({ code: 'BANK_TRANSFER_EXPIRED' });
    expect(bank.balanceOf(holder.bankCardNo)).toBe(OPENING_FEN);
    await expectBankAndLedgerAgree(holder);
  });

  it('a kiosk retry that debits and credits while the reconciler is giving the transfer up: credited, never also reversed', async () => {
    const holder = await kioskHolder();
    const kiosk = await createTestTerminal(platform.deps, { kind: 'kiosk' });
    bank.injectFault('transfer', { kind: 'down' }, { transferId: `${kiosk.terminalId}-race-2` });
    await expect(transferFromBank(depsWith(), kiosk, body(holder.chipUid, 'race-2'))).rejects.toMatchObject({ code: 'BANK_UNAVAILABLE' });
    const real = realBank();
    // The reconciler hears "unknown"; before it acts, the holder's retry goes through.
    const slowReconciler: BankAdapter = {
      ...real,
      query: async (transferId) => {
        const state = await real.query(transferId);
        if (transferId === `${kiosk.terminalId}-race-2`) await transferFromBank(depsWith(), kiosk, body(holder.chipUid, 'race-2'));
        return state;
      },
    };
    await reconcileLater(11 * 60, { bank: slowReconciler });
    expect(await getBankTransferIntent(platform.deps.db, kiosk.terminalId, 'race-2')).toMatchObject({ status: 'credited' });
    expect(bank.transfers().find((t) => t.transferId === `${kiosk.terminalId}-race-2`)).toMatchObject({ state: 'debited' });
    expect((await getAccount(platform.deps.db, holder.accountNo))?.balanceFen).toBe(2_000);
    await expectBankAndLedgerAgree(holder);
  });

  it('the reconciler gives the transfer up between a kiosk retry’s debit and its credit: reversed, never also credited', async () => {
    const holder = await kioskHolder();
    const kiosk = await createTestTerminal(platform.deps, { kind: 'kiosk' });
    const id = `${kiosk.terminalId}-race-3`;
    bank.injectFault('transfer', { kind: 'down' }, { transferId: id });
    await expect(transferFromBank(depsWith(), kiosk, body(holder.chipUid, 'race-3'))).rejects.toMatchObject({ code: 'BANK_UNAVAILABLE' });
    const real = realBank();
    // The reconciler asked the bank just before the retry's debit reached it (so it heard "unknown").
    const staleReconciler: BankAdapter = { ...real, query: async () => ({ state: 'unknown' }) };
    const retryingKiosk: BankAdapter = {
      ...real,
      transfer: async (request) => {
        const answer = await real.transfer(request);
        await reconcileLater(11 * 60, { bank: staleReconciler });
        return answer;
      },
    };
    await expect(transferFromBank(depsWith({ bank: retryingKiosk }), kiosk, body(holder.chipUid, 'race-3'))).rejects.toMatchObject({ code: 'BANK_TRANSFER_REVERSED' });
    expect(await getBankTransferIntent(platform.deps.db, kiosk.terminalId, 'race-3')).toMatchObject({ status: 'reversed', voidReason: 'abandoned' });
    expect(bank.transfers().find((t) => t.transferId === id)).toMatchObject({ state: 'reversed' });
    expect((await getAccount(platform.deps.db, holder.accountNo))?.balanceFen).toBe(0);
    await expectBankAndLedgerAgree(holder);
  });

  it('the reconciler bars the id just before a kiosk retry reaches the bank: expired, nothing debited', async () => {
    const holder = await kioskHolder();
    const kiosk = await createTestTerminal(platform.deps, { kind: 'kiosk' });
    bank.injectFault('transfer', { kind: 'down' }, { transferId: `${kiosk.terminalId}-race-4` });
    await expect(transferFromBank(depsWith(), kiosk, body(holder.chipUid, 'race-4'))).rejects.toMatchObject({ code: 'BANK_UNAVAILABLE' });
    const real = realBank();
    const lateKiosk: BankAdapter = { ...real, transfer: async (request) => (await reconcileLater(11 * 60), real.transfer(request)) };
    await expect(transferFromBank(depsWith({ bank: lateKiosk }), kiosk, body(holder.chipUid, 'race-4'))).rejects.toMatchObject({ code: 'BANK_TRANSFER_EXPIRED' });
    expect(await getBankTransferIntent(platform.deps.db, kiosk.terminalId, 'race-4')).toMatchObject({ status: 'expired' });
    expect(bank.balanceOf(holder.bankCardNo)).toBe(OPENING_FEN);
    await expectBankAndLedgerAgree(holder);
  });

  it('a reversal whose answer is lost stays reversing, and is finished by the next run', async () => {
    const holder = await kioskHolder();
    const kiosk = await createTestTerminal(platform.deps, { kind: 'kiosk' });
    await expect(transferFromBank(depsWith({ movements: failingMovements() }), kiosk, body(holder.chipUid, 'rv-1'))).rejects.toThrow('socket hang up');
    await setAccountStatus(platform.deps, holder.accountNo, 'cancelled');
    bank.injectFault('reversal', { kind: 'drop' }, { transferId: `${kiosk.terminalId}-rv-1` });
    const first = await reconcileLater(120);
    expect(first.open).toBeGreaterThanOrEqual(1);
    expect(await getBankTransferIntent(platform.deps.db, kiosk.terminalId, 'rv-1')).toMatchObject({ status: 'reversing' });
    await reconcileLater(180);
    expect(await getBankTransferIntent(platform.deps.db, kiosk.terminalId, 'rv-1')).toMatchObject({ status: 'reversed' });
    await expectBankAndLedgerAgree(holder);
  });

  it('each intent answers for itself: a bank failure on one is reported, the others are settled', async () => {
    const kiosk = await createTestTerminal(platform.deps, { kind: 'kiosk' });
    const a = await kioskHolder();
    const b = await kioskHolder();
    for (const [holder, id] of [[a, 'each-a'], [b, 'each-b']] as const) {
      await expect(transferFromBank(depsWith({ movements: failingMovements() }), kiosk, body(holder.chipUid, id))).rejects.toThrow('socket hang up');
    }
    bank.injectFault('query', { kind: 'down' }, { transferId: `${kiosk.terminalId}-each-a` });
    const report = await reconcileLater(120);
    expect(report.failures).toEqual([expect.objectContaining({ transfer: `${kiosk.terminalId}-each-a` })]);
    expect(await getBankTransferIntent(platform.deps.db, kiosk.terminalId, 'each-a')).toMatchObject({ status: 'pending' });
    expect(await getBankTransferIntent(platform.deps.db, kiosk.terminalId, 'each-b')).toMatchObject({ status: 'credited' });
    await reconcileLater(180);
    expect(await getBankTransferIntent(platform.deps.db, kiosk.terminalId, 'each-a')).toMatchObject({ status: 'credited' });
    await expectBankAndLedgerAgree(a);
    await expectBankAndLedgerAgree(b);
  });
});

type Fault = 'none' | 'drop' | 'down' | 'db_error' | 'close_account' | 'wrong_pin' | 'poor';

describe('property: every bank debit ends credited or reversed', () => {
  it('for random mixes of faults, retries and concurrent sends, once the reconciler has run', async () => {
    const scenario = fc.array(
      fc.record({
        amountFen: fc.integer({ min: 100, max: 50_000 }),
        fault: fc.constantFrom<Fault>('none', 'drop', 'down', 'db_error', 'close_account', 'wrong_pin', 'poor'),
        sends: fc.integer({ min: 1, max: 3 }),
        concurrent: fc.boolean(),
      }),
      { minLength: 1, maxLength: 4 },
    );
    let run = 0;
    await fc.assert(
      fc.asyncProperty(scenario, fc.boolean(), async (transfers, reconcileDuring) => {
        run++;
        const kiosk = await createTestTerminal(platform.deps, { kind: 'kiosk' });
        const holder = await kioskHolder({ bankBalanceFen: 60_000 });
        // The reconciler may run while the kiosk is still sending (it then sees every intent as overdue).
        const during = reconcileDuring ? reconcileLater(11 * 60) : Promise.resolve();
        await Promise.all([
          during,
          ...transfers.map(async (t, i) => {
            const id = `p${run}-${i}`;
            const bankId = `${kiosk.terminalId}-${id}`;
            if (t.fault === 'drop') bank.injectFault('transfer', { kind: 'drop' }, { transferId: bankId });
            if (t.fault === 'down') bank.injectFault('transfer', { kind: 'down' }, { transferId: bankId });
            const deps =
              t.fault === 'db_error'
                ? depsWith({ movements: failingMovements() })
                : t.fault === 'close_account'
                  ? depsWith({ bank: bankThen(() => setAccountStatus(platform.deps, holder.accountNo, 'cancelled').catch(() => undefined)) })
                  : depsWith();
            const send = () =>
              transferFromBank(deps, kiosk, body(holder.chipUid, id, t.fault === 'poor' ? 50_000 : t.amountFen, t.fault === 'wrong_pin' ? '000000' : '888888')).catch(() => undefined);
            if (t.concurrent) await Promise.all(Array.from({ length: t.sends }, send));
            else for (let n = 0; n < t.sends; n++) await send();
          }),
        ]);
        // Twice: a run may leave a reversal to finish; past the bank's timeout, nothing may stay open.
        await reconcileLater(11 * 60);
        await reconcileLater(12 * 60);
        const open = (await listOpenBankTransfers(platform.deps.db, new Date(Date.now() + 3600_000).toISOString())).filter((i) => i.terminalId === kiosk.terminalId);
        expect(open).toEqual([]);
        await expectBankAndLedgerAgree(holder);
        // Each intent agrees with the bank's own record of its id.
        for (let i = 0; i < transfers.length; i++) {
          const intent = (await getBankTransferIntent(platform.deps.db, kiosk.terminalId, `p${run}-${i}`))!;
          if (!intent) continue; // refused before any intent (e.g. the account already closed)
          const atBank = bank.transfers().find((t) => t.transferId === intent.bankTransferId);
          const expected = { credited: 'debited', reversed: 'reversed', refused: 'refused', expired: 'refused' } as const;
          if (intent.status === 'expired' && !atBank) throw new Error(`expired ${intent.bankTransferId} was not barred at the bank`);
          expect(atBank?.state, `${intent.bankTransferId} is ${intent.status}`).toBe(expected[intent.status as keyof typeof expected]);
        }
      }),
      { numRuns: 15 },
    );
  }, 120_000);
});

describe('npm run reconcile:bank', () => {
  it('settles what is open and prints its counts', async () => {
    const holder = await kioskHolder();
    const kiosk = await createTestTerminal(platform.deps, { kind: 'kiosk' });
    // Made two minutes ago (an injected clock), so the script's real clock finds it due.
    await expect(transferFromBank(depsWith({ laterSeconds: -120, movements: failingMovements() }), kiosk, body(holder.chipUid, 'cli-1', 1_200))).rejects.toThrow('socket hang up');
    const { stdout } = await run('npm', ['run', 'reconcile:bank', '--silent'], { cwd: PROJECT_ROOT, env: { ...process.env, TABLE_NAME: platform.tableName } });
    expect(stdout).toMatch(/1 checked, 1 credited, 0 reversed, 0 refused, 0 expired, 0 still open, 0 failures/);
    expect(await getBankTransferIntent(platform.deps.db, kiosk.terminalId, 'cli-1')).toMatchObject({ status: 'credited' });
    await expectBankAndLedgerAgree(holder);
  }, 60_000);
});

describe('at the end', () => {
  it('the fake bank’s debits minus its reversals equal the credits, for every test account', async () => {
    for (const holder of holders) await expectBankAndLedgerAgree(holder);
    const open = await listOpenBankTransfers(platform.deps.db, new Date(Date.now() - 3600_000).toISOString());
    expect(open).toEqual([]);
  });
});
