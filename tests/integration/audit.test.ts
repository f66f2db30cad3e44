/**
 * The ledger audit on real DynamoDB Local: clean after real movements and while they run; every
 * corruption of the table that issue 11's defects made (and the other checks' cases) is reported.
 */
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { DeleteCommand, PutCommand, ScanCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { describe, expect, it } from 'vitest';
import type { Account } from '../../functions/domain/account';
import { fingerprint } from '../../functions/domain/fingerprint';
import { planPurchase, planTopup } from '../../functions/domain/movement-plans';
import type { Terminal } from '../../functions/domain/merchant';
import { PROJECT_ROOT } from '../../functions/local/serverless-config';
import { auditLedger, runNightlyAudit, type AuditReport } from '../../functions/services/audit';
import { chargeAtTerminal } from '../../functions/services/charge';
import { creditTransitional, loadToCard } from '../../functions/services/movements';
import { uploadOfflineRecords } from '../../functions/services/offline';
import { payByQr } from '../../functions/services/qr-payment';
import { getAccount } from '../../functions/store/accounts';
import { issueCard } from '../../functions/store/cards';
import { getAuditReport } from '../../functions/store/audit-reads';
import { keys } from '../../functions/store/keys';
import { newBankTransferIntent } from '../../functions/domain/bank-transfer';
import { cardLoadPending } from '../../functions/domain/card-load';
import { newOrder } from '../../functions/domain/topup';
import { createBankTransferIntent, markBankTransferCreditedItem } from '../../functions/store/bank-transfers';
import { openCardLoad } from '../../functions/store/card-loads';
import { createOrder, markOrderPaidItem, recordRefundIntent } from '../../functions/store/orders';
import { parseQrToken, qrTokenId } from '../../shared/qr-token';
import { createTestAccount, createTestTerminal, ledgerOf, testChipUid } from '../helpers/fixtures';
import { bindPhone } from '../helpers/phone';
import { useTestPlatform } from '../helpers/platform';

const platform = useTestPlatform({ http: true });
const run = promisify(execFile);

async function npmRunAudit(): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await run('npm', ['run', 'audit', '--silent'], { cwd: PROJECT_ROOT, env: { ...process.env, TABLE_NAME: platform.tableName } });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const failed = error as { code: number; stdout: string; stderr: string };
    return { code: failed.code, stdout: failed.stdout, stderr: failed.stderr };
  }
}

const update = (Key: Record<string, string>, UpdateExpression: string, values: Record<string, unknown>) =>
  platform.deps.db.doc.send(new UpdateCommand({ TableName: platform.tableName, Key, UpdateExpression, ExpressionAttributeValues: values }));
const put = (Item: Record<string, unknown>) => platform.deps.db.doc.send(new PutCommand({ TableName: platform.tableName, Item }));
const ago = (minutes: number) => new Date(Date.now() - minutes * 60_000).toISOString();
const of = (report: AuditReport, accountNo: string) => report.findings.filter((f) => f.accountNo === accountNo);

/** A real movement through the movement store, with any channel and external id (a credit under a second key is how a double credit looks). */
async function credit(accountNo: string, key: string, channel: 'wechat' | 'alipay' | 'bank', externalRef: string, amountFen = 1_000) {
  return platform.deps.movements.post({
    accountNo,
    idempotencyKey: key,
    fingerprint: fingerprint({ key }),
    plan: (current, today) => planTopup(current, { amountFen, channel, externalRef }, today),
  });
}

async function cardRecord(terminal: Terminal, account: Account, recordId: string, amountFen: number, occurredAt = ago(2)) {
  const chipUid = await testChipUid(platform.deps, account.accountNo);
  const balance = (await getAccount(platform.deps.db, account.accountNo))!.balanceFen;
  const [result] = await uploadOfflineRecords(platform.deps, terminal, [{ recordId, occurredAt, amountFen, method: 'card', chipUid, chipBalanceAfterFen: balance - amountFen }]);
  expect(result!.outcome).toBe('applied');
  return { chipUid, cardId: `C${chipUid}`, occurredAt };
}

describe('the ledger audit', () => {
  it('is clean after real movements, and `npm run audit` exits 0 with progress on stderr', async () => {
    const before = await auditLedger(platform.deps.db);
    const terminal = await createTestTerminal(platform.deps);
    for (let i = 0; i < 5; i++) {
      const account = await createTestAccount(platform.deps, { balanceFen: 1_000 * (i + 1) });
      await chargeAtTerminal(platform.deps, terminal, { posTxnId: `a${i}`, chipUid: await testChipUid(platform.deps, account.accountNo), amountFen: 500 });
    }
    const report = await auditLedger(platform.deps.db, { segments: 3, concurrency: 2, pageSize: 2 });
    expect(report).toMatchObject({ accountsChecked: before.accountsChecked + 5, entriesChecked: before.entriesChecked + 10, findings: [], complete: true });
    const cli = await npmRunAudit();
    expect(cli.code).toBe(0);
    expect(cli.stdout).toContain(`${report.accountsChecked} accounts, ${report.entriesChecked} ledger entries, 0 differences`);
    expect(cli.stderr).toMatch(/audit: \d+ accounts, \d+ entries, \d+ items scanned, \d+ entries\/s/);
  }, 60_000);

  it('reads its scan segments at the same time, reports progress, and stops at its time budget', async () => {
    const real = platform.deps.db;
    let inFlight = 0;
    let mostAtOnce = 0;
    const counting = {
      tableName: real.tableName,
      doc: {
        send: (async (command: unknown) => {
          const scan = command instanceof ScanCommand;
          if (scan) mostAtOnce = Math.max(mostAtOnce, ++inFlight);
          try {
            return await real.doc.send(command as never);
          } finally {
            if (scan) inFlight--;
          }
        }) as typeof real.doc.send,
      },
    };
    const seen: number[] = [];
    const report = await auditLedger(counting, { segments: 4, pageSize: 2, progressEveryMs: 0, onProgress: (p) => seen.push(p.accountsChecked) });
    expect(mostAtOnce).toBe(4);
    expect(seen.length).toBeGreaterThan(2);
    expect(seen).toEqual([...seen].sort((a, b) => a - b));
    expect(seen.at(-1)).toBe(report.accountsChecked);
    const cut = await auditLedger(real, { segments: 2, pageSize: 1, budgetMs: 0 });
    expect(cut.complete).toBe(false);
    expect(cut.accountsChecked).toBeLessThan(report.accountsChecked);
  }, 60_000);

  it('gives no false difference while payments and top-ups run on many accounts, and still finds a real one', async () => {
    const terminal = await createTestTerminal(platform.deps);
    const accounts = await Promise.all(Array.from({ length: 24 }, () => createTestAccount(platform.deps, { balanceFen: 100_000 })));
    const chips = await Promise.all(accounts.map((a) => testChipUid(platform.deps, a.accountNo)));
    const tampered = await createTestAccount(platform.deps, { balanceFen: 3_000 });
    await update(keys.account(tampered.accountNo), 'SET balanceFen = :b', { ':b': 3_300 });

    let running = true;
    let moved = 0;
    const stream = (async () => {
      for (let round = 0; running; round++) {
        await Promise.all(
          accounts.map((account, i) =>
            round % 3 === 2
              ? credit(account.accountNo, `topup#wechat#live-${account.accountNo}-${round}`, 'wechat', `live-${account.accountNo}-${round}`, 100)
              : chargeAtTerminal(platform.deps, terminal, { posTxnId: `live-${i}-${round}`, chipUid: chips[i]!, amountFen: 10 }),
          ),
        );
        moved += accounts.length;
      }
    })();
    const reports: AuditReport[] = [];
    try {
      while (moved < 24 * 3) await new Promise((resolve) => setTimeout(resolve, 20));
      for (let i = 0; i < 4; i++) reports.push(await auditLedger(platform.deps.db, { segments: 4, concurrency: 4, pageSize: 3 }));
    } finally {
      running = false;
      await stream;
    }
    for (const report of reports) {
      expect(report.findings).toEqual([{ accountNo: tampered.accountNo, check: 'purses', problem: 'balanceFen is 3300, its ledger sums to 3000 (difference 300)' }]);
    }
    // The race the rule is for did happen: accounts moved between the scan and the ledger read.
    expect(reports.reduce((sum, r) => sum + r.movedWhileRead, 0)).toBeGreaterThan(0);
  }, 120_000);

  it('reports a balance changed without a ledger entry, and `npm run audit` exits 1', async () => {
    const account = await createTestAccount(platform.deps, { balanceFen: 2_000 });
    await update(keys.account(account.accountNo), 'SET balanceFen = :tampered', { ':tampered': 2_100 });
    const report = await auditLedger(platform.deps.db);
    expect(of(report, account.accountNo)).toEqual([{ accountNo: account.accountNo, check: 'purses', problem: 'balanceFen is 2100, its ledger sums to 2000 (difference 100)' }]);
    const cli = await npmRunAudit();
    expect(cli.code).toBe(1);
    expect(cli.stdout).toContain(`DIFFERENCE account ${account.accountNo} [purses]: balanceFen is 2100`);
  }, 60_000);

  it('an entry whose change contradicts its kind, and an entry written without the account', async () => {
    const terminal = await createTestTerminal(platform.deps);
    const account = await createTestAccount(platform.deps, { balanceFen: 2_000 });
    await chargeAtTerminal(platform.deps, terminal, { posTxnId: 'kind-1', chipUid: await testChipUid(platform.deps, account.accountNo), amountFen: 500 });
    const purchase = (await ledgerOf(platform.deps, account.accountNo)).find((e) => e.type === 'purchase')!;
    await platform.deps.db.doc.send(
      new UpdateCommand({ TableName: platform.tableName, Key: keys.ledgerEntry(account.accountNo, purchase.entryId), UpdateExpression: 'SET #type = :t', ExpressionAttributeNames: { '#type': 'type' }, ExpressionAttributeValues: { ':t': 'topup' } }),
    );
    const other = await createTestAccount(platform.deps, { balanceFen: 1_000 });
    const [opening] = await ledgerOf(platform.deps, other.accountNo);
    await put({ ...keys.ledgerEntry(other.accountNo, 'ZZZZZZZZZZZZZZZZZZZZZZZZZZ'), ...opening!, entryId: 'ZZZZZZZZZZZZZZZZZZZZZZZZZZ', receiptNo: 'ZZZZZZZZZZZZZZZZZZZZZZZZZZ' });
    const report = await auditLedger(platform.deps.db);
    expect(of(report, account.accountNo)).toEqual([
      { accountNo: account.accountNo, check: 'kind', problem: `entry ${purchase.entryId} (topup): changes balance -500, transitional 0, small wallet 0, a topup of 500 changes balance +500, transitional 0, small wallet 0` },
    ]);
    expect(of(report, other.accountNo)).toEqual([
      { accountNo: other.accountNo, check: 'consistency', problem: `entries ZZZZZZZZZZZZZZZZZZZZZZZZZZ come after the account's last entry ${opening!.entryId}: written without the account` },
    ]);
  }, 60_000);

  it('double entry: an entry missing a leg, a transfer to the wrong kind of account, an entry with no transfers; the trial balance is off by the missing leg', async () => {
    const terminal = await createTestTerminal(platform.deps);
    const corrupted: Record<string, string> = {};
    for (const [name, set] of [
      ['missing', 'REMOVE transfers[0].credit'],
      ['wrongKind', 'SET transfers[0].credit = :fee'],
      ['single', 'REMOVE transfers'],
    ] as const) {
      const account = await createTestAccount(platform.deps, { balanceFen: 2_000 });
      await chargeAtTerminal(platform.deps, terminal, { posTxnId: `de-${name}`, chipUid: await testChipUid(platform.deps, account.accountNo), amountFen: 500 });
      const purchase = (await ledgerOf(platform.deps, account.accountNo)).find((e) => e.type === 'purchase')!;
      await platform.deps.db.doc.send(
        new UpdateCommand({ TableName: platform.tableName, Key: keys.ledgerEntry(account.accountNo, purchase.entryId), UpdateExpression: set, ...(set.includes(':fee') ? { ExpressionAttributeValues: { ':fee': 'fee_income' } } : {}) }),
      );
      corrupted[name] = account.accountNo;
      corrupted[`${name}Entry`] = purchase.entryId;
    }
    const report = await auditLedger(platform.deps.db);
    const seen = (name: string) => of(report, corrupted[name]!).map((f) => [f.check, f.problem]);
    expect(seen('missing')).toEqual([['transfers', `entry ${corrupted.missingEntry} (purchase): transfer 1 has no credit account of the chart (undefined): a leg is missing`]]);
    expect(seen('wrongKind')).toEqual([
      ['transfers', `entry ${corrupted.wrongKindEntry} (purchase): transfer 1 moves holder:${corrupted.wrongKind}:balance → fee_income, which a purchase may not (holder_balance → fee_income)`],
    ]);
    expect(seen('single')).toEqual([['transfers', `entry ${corrupted.singleEntry} (purchase): has no transfers: a single-entry record (from before double entry, or written outside the movement store)`]]);
    // The missing credit leg: debits exceed credits by it, on its day and overall.
    expect(report.trialBalance.debitsFen - report.trialBalance.creditsFen).toBe(500);
    const books = report.findings.filter((f) => f.check === 'trial_balance').map((f) => f.problem);
    expect(books).toEqual(
      expect.arrayContaining([expect.stringMatching(/^campus day \S+: debits \d+ ≠ credits \d+$/), expect.stringMatching(/^overall: debits \d+ ≠ credits \d+$/)]),
    );
  }, 60_000);

  it('judges an account from before `lastEntryId` existed on its whole ledger', async () => {
    const legacy = await createTestAccount(platform.deps, { balanceFen: 1_500 });
    await platform.deps.db.doc.send(new UpdateCommand({ TableName: platform.tableName, Key: keys.account(legacy.accountNo), UpdateExpression: 'REMOVE lastEntryId' }));
    expect(of(await auditLedger(platform.deps.db), legacy.accountNo)).toEqual([]);
    await update(keys.account(legacy.accountNo), 'SET balanceFen = :b', { ':b': 1_400 });
    expect(of(await auditLedger(platform.deps.db), legacy.accountNo).map((f) => f.problem)).toEqual(['balanceFen is 1400, its ledger sums to 1500 (difference -100)']);
  }, 60_000);

  it('an external id credited or charged twice under two keys: a platform transaction, a bank transaction, an offline record', async () => {
    const terminal = await createTestTerminal(platform.deps);
    const a = await createTestAccount(platform.deps, { balanceFen: 5_000 });
    const b = await createTestAccount(platform.deps);
    await credit(a.accountNo, 'topup#wechat#dup-wx', 'wechat', 'dup-wx');
    await credit(b.accountNo, 'topup#wechat#dup-wx-again', 'wechat', 'dup-wx');
    await credit(a.accountNo, 'bank#K1#t1', 'bank', 'BANK-7');
    await credit(a.accountNo, 'bank#K1#t2', 'bank', 'BANK-7');
    await cardRecord(terminal, a, 'rec-1', 300);
    await platform.deps.movements.post({
      accountNo: a.accountNo,
      idempotencyKey: `offline#again#rec-1`,
      fingerprint: 'x',
      plan: (current, today) => planPurchase(current, { amountFen: 300, channel: 'offline_pos', merchantId: terminal.merchantId, terminalId: terminal.terminalId, externalRef: 'rec-1' }, today),
    });
    const report = await auditLedger(platform.deps.db);
    const problems = [...of(report, a.accountNo), ...of(report, b.accountNo)].map((f) => `${f.check}: ${f.problem}`);
    expect(problems).toHaveLength(4);
    expect(problems.filter((p) => p.includes('wechat transaction dup-wx moved money twice'))).toHaveLength(1);
    expect(problems.filter((p) => p.includes('bank transaction BANK-7 moved money twice'))).toHaveLength(1);
    expect(problems.filter((p) => p.includes(`offline record ${terminal.terminalId}/rec-1 moved money twice`))).toHaveLength(1);
    expect(problems.filter((p) => /^external_id: entry \w+ \(offline purchase of record .*\/rec-1\): the record says applied as receipt \w+: charged twice/.test(p))).toHaveLength(1);
  }, 60_000);

  it('issue 11: a card record charged although the card was lost then, and a levelled card’s old record deducted after the levelling', async () => {
    const terminal = await createTestTerminal(platform.deps);
    const lost = await createTestAccount(platform.deps, { balanceFen: 5_000 });
    const used = await cardRecord(terminal, lost, 'lost-1', 200);
    // The defect: the card's own log said lost when the record was made, and it was charged anyway.
    const lostAt = new Date(Date.parse(used.occurredAt) - 60_000).toISOString();
    await update(keys.card(lost.accountNo, used.cardId), 'SET statusLog = :log', { ':log': [{ status: 'lost', at: lostAt }] });

    const levelled = await createTestAccount(platform.deps, { balanceFen: 5_000 });
    const old = await cardRecord(terminal, levelled, 'lev-1', 200, ago(10));
    await update(keys.account(levelled.accountNo), 'SET levelledAt = :at, levelledCardId = :card', { ':at': ago(5), ':card': old.cardId });

    const report = await auditLedger(platform.deps.db);
    expect(of(report, lost.accountNo).map((f) => [f.check, f.problem.replace(/^entry \w+/, 'entry E')])).toEqual([
      ['card', `entry E (offline purchase of record ${terminal.terminalId}/lost-1): made at ${used.occurredAt} with card ${used.cardId}, which was lost then`],
    ]);
    expect(of(report, levelled.accountNo).map((f) => f.check)).toEqual(['levelling']);
  }, 60_000);

  it('issue 11: a QR token that paid twice because its used-token record was gone', async () => {
    const terminal = await createTestTerminal(platform.deps);
    const account = await createTestAccount(platform.deps, { balanceFen: 5_000 });
    const phone = await bindPhone(platform.url, account.accountNo);
    const token = phone.code();
    await payByQr(platform.deps, terminal, { posTxnId: 'qr-1', token, amountFen: 100 });
    const clean = await auditLedger(platform.deps.db);
    expect(of(clean, account.accountNo)).toEqual([]);
    // The defect: the register forgot the token (it expired before the upload window closed), so it paid again.
    await platform.deps.db.doc.send(
      new DeleteCommand({
        TableName: platform.tableName,
        Key: keys.usedQrToken(qrTokenId(parseQrToken(token).payload)),
        ConditionExpression: 'usedFor = :k',
        ExpressionAttributeValues: { ':k': `pos#${terminal.terminalId}#qr-1` },
      }),
    );
    await payByQr(platform.deps, terminal, { posTxnId: 'qr-2', token, amountFen: 100 });
    await new Promise((resolve) => setTimeout(resolve, 5)); // both payments strictly before the audit starts
    const report = await auditLedger(platform.deps.db);
    expect(of(report, account.accountNo).map((f) => f.problem.replace(/^entry \w+/, 'entry E'))).toEqual([
      `entry E (QR payment pos#${terminal.terminalId}#qr-1): its token is not in the used-token register: it could pay again`,
    ]);
  }, 60_000);

  it('issue 11: an offline QR record’s token paying twice is named with the token', async () => {
    const terminal = await createTestTerminal(platform.deps);
    const account = await createTestAccount(platform.deps, { balanceFen: 5_000 });
    const phone = await bindPhone(platform.url, account.accountNo);
    const token = phone.code();
    const occurredAt = new Date(Date.now() - 1_000).toISOString();
    const [first] = await uploadOfflineRecords(platform.deps, terminal, [{ recordId: 'oq-1', occurredAt, amountFen: 100, method: 'qr', token }]);
    expect(first!.outcome).toBe('applied');
    const used = `offline#${terminal.terminalId}#oq-1`;
    // The used-token record, by its key (a filtered Scan sees only its first page of a growing table).
    await platform.deps.db.doc.send(
      new DeleteCommand({ TableName: platform.tableName, Key: keys.usedQrToken(qrTokenId(parseQrToken(token).payload)), ConditionExpression: 'usedFor = :k', ExpressionAttributeValues: { ':k': used } }),
    );
    const [second] = await uploadOfflineRecords(platform.deps, terminal, [{ recordId: 'oq-2', occurredAt, amountFen: 100, method: 'qr', token }]);
    expect(second!.outcome).toBe('applied');
    await new Promise((resolve) => setTimeout(resolve, 5));
    const problems = of(await auditLedger(platform.deps.db), account.accountNo).map((f) => `${f.check}: ${f.problem.replace(/entr(y|ies) [^(]+\(/, 'entry E (')}`);
    expect(problems).toHaveLength(2);
    expect(problems[0]).toMatch(new RegExp(`^qr_token: entry E \\(QR payment ${used}\\): its token is not in the used-token register \\(token \\S+ is recorded as spent by offline#${terminal.terminalId}#oq-2\\): the token paid twice$`));
    expect(problems[1]).toMatch(/^qr_token: QR token \S+ paid 2 times: entries /);
  }, 60_000);

  it('issue 11: a bank debit with neither credit nor reversal, a paid order never credited; stale pending things of every kind', async () => {
    const account = await createTestAccount(platform.deps, { balanceFen: 1_000 });
    const no = account.accountNo;
    // Made through the same constructors and the same store functions as the services, at a time in the past.
    const past = (minutes: number) => new Date(Date.now() - minutes * 60_000);
    const intent = (transferId: string, minutes: number) =>
      newBankTransferIntent({ terminalId: 'K9', transferId, fingerprint: 'f', accountNo: no, chipUid: 'u', bankCardNo: '6222', amountFen: 10_000, purse: 'balance' }, past(minutes));
    await createBankTransferIntent(platform.deps.db, intent('open-1', 60));
    const credited = intent('cred-1', 60);
    await createBankTransferIntent(platform.deps.db, credited);
    await platform.deps.db.doc.send(new UpdateCommand(markBankTransferCreditedItem(platform.deps.db, credited, { bankTxnId: 'B-NONE', receiptNo: 'R', at: ago(59) }).Update!));
    const order = (orderId: string, channel: 'wechat' | 'alipay', minutes: number) => newOrder({ orderId, accountNo: no, channel, amountFen: 5_000, purse: 'balance', payerId: 'p' }, past(minutes));
    const paid = order('OPAID', 'wechat', 60);
    await createOrder(platform.deps.db, paid);
    await platform.deps.db.doc.send(new UpdateCommand(markOrderPaidItem(platform.deps.db, paid, { platformTxnId: 'wx-never', paidAt: ago(50), receiptNo: 'R' }, ago(50)).Update!));
    await createOrder(platform.deps.db, order('OPEND', 'alipay', 60));
    const refunding = order('ORFND', 'wechat', 5_000);
    await createOrder(platform.deps.db, refunding);
    await recordRefundIntent(platform.deps.db, refunding, { platformTxnId: 'wx-r', paidAt: ago(4_990) }, { refundId: 'RORFND', amountFen: 5_000, reason: 'CARD_CANCELLED', requestedAt: ago(4_980) });
    await openCardLoad(platform.deps.db, cardLoadPending({ loadId: 'LOAD1', accountNo: no, chipUid: 'u', terminalId: 'T', amountFen: 100, chipBalanceBeforeFen: 0, cardTxnCounterBefore: 1 }, past(3_000)));
    await put({ ...keys.holdback(no), accountNo: no, cancellationId: 'c', destination: 'cash', heldBackFen: 300, holdbackUntil: ago(600) });
    // Within their timeouts: not findings.
    await createBankTransferIntent(platform.deps.db, intent('fresh', 1));
    await createOrder(platform.deps.db, order('OFRESH', 'wechat', 1));

    const report = await auditLedger(platform.deps.db);
    const problems = of(report, no).map((f) => `${f.check}: ${f.problem}`).sort();
    // Sorted: bank transfers, holdback, the pending transfers past their timeouts (of every kind, one rule), orders.
    expect(problems).toEqual([
      'pending: bank transfer K9/cred-1 (10000 fen): credited (bank transaction B-NONE) but no ledger entry credits it',
      expect.stringMatching(/^pending: closing holdback of 300 fen ended at .* and is still not settled$/),
      expect.stringMatching(/^pending: pending bank_transfer K9-open-1 \(10000 fen, clearing:bank → holder:\d+:balance\) since .*, past its timeout .* by more than 15 minutes: neither posted, voided nor expired$/),
      expect.stringMatching(/^pending: pending card_load LOAD1 \(100 fen, holder:\d+:transitional → holder:\d+:balance\) since .* by more than 1440 minutes/),
      expect.stringMatching(/^pending: pending topup_order OPEND \(5000 fen, clearing:alipay → holder:\d+:balance\) since /),
      'pending: top-up order OPAID (wechat, 5000 fen): paid (wechat transaction wx-never) but neither credited nor refunded',
      expect.stringMatching(/^pending: top-up order ORFND \(wechat, 5000 fen\): refund RORFND asked for at .* is still not answered by the platform$/),
    ]);
  }, 60_000);

  it('outside records against the ledger: an offline record applied with no charge, a card load posted with no load, a voided load that loaded anyway', async () => {
    const account = await createTestAccount(platform.deps, { balanceFen: 1_000 });
    const no = account.accountNo;
    const past = new Date(Date.now() - 60 * 60_000);
    // An offline record the table says was applied, whose charge is not in the ledger.
    await put({ ...keys.offlineRecord('T-AUD', 'rec-1'), terminalId: 'T-AUD', recordId: 'rec-1', fingerprint: 'f', accountNo: no, amountFen: 300, occurredAt: ago(70), receivedAt: ago(65), result: { outcome: 'applied', receiptNo: 'R-NONE', balanceFen: 700, frozen: false } });
    // A card load marked posted with no ledger entry, and one voided although its money was loaded.
    const load = (loadId: string) => cardLoadPending({ loadId, accountNo: no, chipUid: 'u', terminalId: 'T-AUD', amountFen: 200, chipBalanceBeforeFen: 0, cardTxnCounterBefore: 1 }, past);
    await put({ ...keys.cardLoad('LPOSTED'), ...load('LPOSTED'), state: 'posted', resolvedAt: ago(59), resolution: 'confirmed' });
    await issueCard(platform.deps.db, { cardId: `CCPU${no}`, accountNo: no, kind: 'cpu', chipUid: `0D${no}`.padEnd(12, '0'), status: 'active', issuedAt: new Date().toISOString(), issuedOn: '2026-09-01' });
    await creditTransitional(platform.deps, { accountNo: no, amountFen: 200, channel: 'counter', externalRef: 'aud-t' });
    await loadToCard(platform.deps, { terminalId: 'T-AUD' }, { accountNo: no, amountFen: 200, loadId: 'LVOIDED', chipBalanceAfterFen: 200 });
    await put({ ...keys.cardLoad('LVOIDED'), ...load('LVOIDED'), state: 'voided', resolvedAt: ago(59), resolution: 'card_shows_no_load' });

    const problems = of(await auditLedger(platform.deps.db), no).map((f) => `${f.check}: ${f.problem}`).sort();
    expect(problems).toEqual([
      'external_id: offline record T-AUD/rec-1 says applied as receipt R-NONE, but no ledger entry charges it',
      'pending: card load LPOSTED (200 fen) is posted, but no ledger entry loads it',
      'pending: card load LVOIDED (200 fen) is voided, but a ledger entry loaded it',
    ]);
  }, 60_000);

  it('nightly: stores its report under the campus day and logs each finding as an error', async () => {
    const errors: Record<string, unknown>[] = [];
    const logger = { ...platform.deps.logger, error: (_message: string, fields?: Record<string, unknown>) => errors.push(fields ?? {}), info: () => undefined };
    const summary = await runNightlyAudit({ db: platform.deps.db, clock: platform.deps.clock, logger }, '2026-12-01', 60_000);
    expect(summary.complete).toBe(true);
    expect(summary.findingCount).toBeGreaterThan(0); // the corruptions above
    expect(errors).toHaveLength(summary.findingCount);
    const stored = await getAuditReport(platform.deps.db, '2026-12-01');
    expect(stored).toMatchObject({ campusDay: '2026-12-01', accountsChecked: summary.accountsChecked, entriesChecked: summary.entriesChecked, findingCount: summary.findingCount, complete: true, findingsCapped: false });
    expect((stored!.findings as unknown[]).length).toBe(summary.findingCount);
    expect(typeof stored!.durationMs).toBe('number');
  }, 60_000);
});
