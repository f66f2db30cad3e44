/**
 * The bank's daily statement of the settlement account (camt.053 from the fake bank over HTTP)
 * against our kiosk bank transfers on DynamoDB Local: a debit we never credited is credited by the
 * run, once; every other difference is a finding in the reconciliation queue, once; a statement
 * that does not add up is refused whole.
 */
import { execFile } from 'node:child_process';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { promisify } from 'node:util';
import { UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { beforeAll, describe, expect, it } from 'vitest';
import type { FindingKind } from '../../shared/vocabulary';
import { campusDay } from '../../functions/domain/campus-day';
import type { Terminal } from '../../functions/domain/merchant';
import { hashPassword } from '../../functions/domain/passwords';
import { camt053Statement, startFakeBank, type FakeBank } from '../../functions/local/fake-bank';
import { PROJECT_ROOT } from '../../functions/local/serverless-config';
import { bankRequestSignature, BankStatementRefused, createHttpBankAdapter } from '../../functions/payments/bank';
import { reconcileBankStatement } from '../../functions/services/bank-statement';
import { topUp } from '../../functions/services/movements';
import { expectation } from '../../functions/domain/bank-statement';
import { transferFromBank } from '../../functions/services/bank-transfers';
import { getAccount } from '../../functions/store/accounts';
import { getBankTransferIntent } from '../../functions/store/bank-transfers';
import { issueCard } from '../../functions/store/cards';
import { keys } from '../../functions/store/keys';
import { findingIdOf, getFinding } from '../../functions/store/reconciliation-findings';
import { savePasswordRecord } from '../../functions/store/passwords';
import { createTestAccount, createTestTerminal, ledgerOf } from '../helpers/fixtures';
import { useTestPlatform } from '../helpers/platform';
import { useFake } from '../helpers/fakes';

let bank: FakeBank;
useFake('BANK_CONFIG', startFakeBank, (started) => (bank = started));
const platform = useTestPlatform();
const run = promisify(execFile);

/** The fake bank books by Beijing day, as the statement run reads it. */
const today = () => campusDay(new Date());
let seq = 0;
let kiosk: Terminal;
beforeAll(async () => {
  kiosk = await createTestTerminal(platform.deps);
});

async function kioskHolder() {
  const account = await createTestAccount(platform.deps);
  const chipUid = `0D0D${String(++seq).padStart(8, '0')}`;
  const bankCardNo = `62240000${String(seq).padStart(8, '0')}`;
  await issueCard(platform.deps.db, { cardId: `C${chipUid}`, accountNo: account.accountNo, kind: 'm1', chipUid, status: 'active', issuedAt: new Date().toISOString(), issuedOn: today() });
  await platform.deps.db.doc.send(
    new UpdateCommand({ TableName: platform.tableName, Key: keys.account(account.accountNo), UpdateExpression: 'SET boundBankCardNo = :c, version = version + :one', ExpressionAttributeValues: { ':c': bankCardNo, ':one': 1 } }),
  );
  bank.openCard(bankCardNo, { pin: '888888', balanceFen: 100_000 });
  await savePasswordRecord(platform.deps.db, account.accountNo, 'query', await hashPassword('246810', { now: new Date(), params: { N: 1024, r: 8, p: 1, keyLength: 32 } }), undefined);
  return { accountNo: account.accountNo, chipUid, bankCardNo };
}

const transfer = (chipUid: string, transferId: string, amountFen = 2_000) => transferFromBank(platform.deps, kiosk, { transferId, chipUid, amountFen, queryPassword: '246810', bankPin: '888888' });

/** A kiosk transfer the bank debited and we credited; its bank transaction id. */
async function creditedTransfer(transferId: string, amountFen = 2_000) {
  const holder = await kioskHolder();
  await transfer(holder.chipUid, transferId, amountFen);
  const intent = await getBankTransferIntent(platform.deps.db, kiosk.terminalId, transferId);
  expect(intent).toMatchObject({ status: 'credited' });
  return { holder, bankTxnId: intent!.bankTxnId!, bankTransferId: intent!.bankTransferId };
}

const findingOf = (kind: FindingKind, ref: string) => getFinding(platform.deps.db, findingIdOf({ source: 'bank_statement', day: today(), channel: 'bank', ref, kind }));

async function bankCreditsOf(accountNo: string) {
  return (await ledgerOf(platform.deps, accountNo)).filter((e) => e.channel === 'bank');
}

describe('the bank statement run', () => {
  it('a transfer the bank debited but we never credited (its answer lost, no retry) is credited by the run, once', async () => {
    const holder = await kioskHolder();
    bank.injectFault('transfer', { kind: 'drop' }, { transferId: `${kiosk.terminalId}-lost-1` });
    await expect(transfer(holder.chipUid, 'lost-1', 3_300)).rejects.toMatchObject({ code: 'BANK_UNAVAILABLE' });
    expect(bank.balanceOf(holder.bankCardNo)).toBe(100_000 - 3_300);
    expect(await getBankTransferIntent(platform.deps.db, kiosk.terminalId, 'lost-1')).toMatchObject({ status: 'pending' });

    const first = await reconcileBankStatement(platform.deps, today());
    expect(first).toMatchObject({ reconciled: true, handedOver: 1, credited: 1, stillOpen: 0, failures: [] });
    expect(await getBankTransferIntent(platform.deps.db, kiosk.terminalId, 'lost-1')).toMatchObject({ status: 'credited', bankTxnId: expect.stringMatching(/^BK/) });
    expect((await getAccount(platform.deps.db, holder.accountNo))?.balanceFen).toBe(3_300);

    const second = await reconcileBankStatement(platform.deps, today());
    expect(second).toMatchObject({ reconciled: true, handedOver: 0, credited: 0, findings: 0, failures: [] });
    expect(second.matched).toBeGreaterThanOrEqual(1);
    expect((await getAccount(platform.deps.db, holder.accountNo))?.balanceFen).toBe(3_300);
    expect(await bankCreditsOf(holder.accountNo)).toHaveLength(1);
  });

  it('credited but missing from the statement: a finding, recorded once however often the day is run', async () => {
    const { holder, bankTxnId } = await creditedTransfer('miss-1');
    bank.tamperStatement(today(), { drop: [bankTxnId] });
    const report = await reconcileBankStatement(platform.deps, today());
    expect(report).toMatchObject({ reconciled: true, findings: 1, failures: [] });
    expect(await findingOf('missing_from_statement', bankTxnId)).toMatchObject({ status: 'open', source: 'bank_statement', channel: 'bank', accountNo: holder.accountNo, oursFen: 2_000 });
    const again = await reconcileBankStatement(platform.deps, today());
    expect(again).toMatchObject({ findings: 0, knownFindings: 1 });
  });

  it('the books, not only the intents: a credit from clearing:bank with no kiosk transfer behind it, absent from the statement, is missing_from_statement', async () => {
    const account = await createTestAccount(platform.deps);
    const bankTxnId = `BKHAND${Date.now()}`;
    const { entry } = await topUp(platform.deps, { accountNo: account.accountNo, amountFen: 4_321, channel: 'bank', externalRef: bankTxnId });
    const report = await reconcileBankStatement(platform.deps, today());
    expect(report.failures).toEqual([]);
    // One made in the day's last ten minutes may be booked tomorrow: that day's run judges it.
    if (expectation(entry.createdAt, today()) === 'this_day') {
      expect(await findingOf('missing_from_statement', bankTxnId)).toMatchObject({ status: 'open', source: 'bank_statement', accountNo: account.accountNo, oursFen: 4_321 });
    } else expect(await findingOf('missing_from_statement', bankTxnId)).toBeUndefined();
  });

  it('the statement says another amount: amount_mismatch, with both amounts', async () => {
    const { holder, bankTxnId } = await creditedTransfer('amount-1', 4_000);
    bank.tamperStatement(today(), { amounts: { [bankTxnId]: 4_100 } });
    const report = await reconcileBankStatement(platform.deps, today());
    expect(report).toMatchObject({ reconciled: true, findings: 1, failures: [] });
    expect(await findingOf('amount_mismatch', bankTxnId)).toMatchObject({ accountNo: holder.accountNo, outsideFen: 4_100, oursFen: 4_000 });
    // Nothing moved because of it.
    expect((await getAccount(platform.deps.db, holder.accountNo))?.balanceFen).toBe(4_000);
  });

  it('a line for no transfer of ours: unknown_bank_line', async () => {
    bank.tamperStatement(today(), { add: [{ bankTxnId: 'BKSTRANGER0001', transferId: 'KIOSK-ELSEWHERE-9', amountFen: 999 }] });
    const report = await reconcileBankStatement(platform.deps, today());
    expect(report).toMatchObject({ reconciled: true, findings: 1, handedOver: 0, failures: [] });
    expect(await findingOf('unknown_bank_line', 'BKSTRANGER0001')).toMatchObject({ outsideFen: 999, status: 'open' });
  });

  it('a line the statement repeats is counted once', async () => {
    const { bankTxnId } = await creditedTransfer('dup-1');
    bank.tamperStatement(today(), { duplicate: [bankTxnId] });
    const report = await reconcileBankStatement(platform.deps, today());
    expect(report).toMatchObject({ reconciled: true, duplicates: 1, findings: 0, failures: [] });
    expect(bank.statementXml(today()).split(`<NtryRef>${bankTxnId}</NtryRef>`)).toHaveLength(3);
  });

  it('the bank gives back a transfer we credited: reversal_of_credited', async () => {
    const { holder, bankTxnId, bankTransferId } = await creditedTransfer('rev-1');
    bank.tamperStatement(today(), {});
    await createHttpBankAdapter(bank.config).reverse(bankTransferId);
    const report = await reconcileBankStatement(platform.deps, today());
    expect(report).toMatchObject({ reconciled: true, findings: 1, failures: [] });
    expect(await findingOf('reversal_of_credited', bankTxnId)).toMatchObject({ accountNo: holder.accountNo, outsideFen: 2_000 });
  });

  it('a statement whose totals do not add up is refused: nothing is credited or found from it', async () => {
    const holder = await kioskHolder();
    bank.injectFault('transfer', { kind: 'drop' }, { transferId: `${kiosk.terminalId}-refused-1` });
    await expect(transfer(holder.chipUid, 'refused-1', 1_500)).rejects.toMatchObject({ code: 'BANK_UNAVAILABLE' });
    bank.tamperStatement(today(), { breakTotals: true });
    await expect(createHttpBankAdapter(bank.config).statement(today())).rejects.toThrow(BankStatementRefused);
    const report = await reconcileBankStatement(platform.deps, today());
    expect(report).toMatchObject({ reconciled: false, handedOver: 0, findings: 0, failures: [{ code: 'BANK_STATEMENT_REFUSED' }] });
    expect(await getBankTransferIntent(platform.deps.db, kiosk.terminalId, 'refused-1')).toMatchObject({ status: 'pending' });
    // The bank's next, correct statement settles it.
    bank.tamperStatement(today(), {});
    expect(await reconcileBankStatement(platform.deps, today())).toMatchObject({ reconciled: true, credited: 1 });
  });

  it('a statement answer not signed with the bank’s key is refused', async () => {
    const xml = camt053Statement({ day: today(), account: bank.config.settlementAccount!, openingFen: 0, closingFen: 0, entries: [] });
    const answer = { key: 'not-the-bank' };
    const server = createServer((_request, response) => {
      response.writeHead(200, { 'content-type': 'application/xml', 'x-signature': bankRequestSignature(answer.key, xml) });
      response.end(xml);
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    try {
      const adapter = createHttpBankAdapter({ ...bank.config, baseUrl: `http://127.0.0.1:${(server.address() as AddressInfo).port}` });
      await expect(adapter.statement(today())).rejects.toThrow(BankStatementRefused);
      answer.key = bank.config.apiKey;
      await expect(adapter.statement(today())).resolves.toEqual([]);
    } finally {
      server.close();
    }
  });

  it('npm run reconcile:bank-statement -- --day runs it by hand and prints the counts', async () => {
    bank.tamperStatement(today(), {});
    const { stdout } = await run('npm', ['run', 'reconcile:bank-statement', '--silent', '--', '--day', today()], { cwd: PROJECT_ROOT, env: { ...process.env, TABLE_NAME: platform.tableName } });
    expect(stdout).toMatch(new RegExp(`bank statement of ${today()}: \\d+ lines \\(0 repeated\\), \\d+ matched, 0 handed to the bank reconciler`));
  }, 60_000);
});
