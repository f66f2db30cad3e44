/**
 * Double entry on DynamoDB Local (issue 12: 1, 3, 5): a payment still updates only the holder's item
 * in one transaction of the same writes, each entry is indexed by its one system account and campus
 * day, system accounts' balances are derived from that index, and the audit's trial balance agrees.
 */
import { TransactWriteCommand, type TransactWriteCommandInput } from '@aws-sdk/lib-dynamodb';
import { describe, expect, it } from 'vitest';
import { system } from '../../functions/domain/chart';
import { campusDay } from '../../functions/domain/campus-day';
import { auditLedger } from '../../functions/services/audit';
import { chargeAtTerminal } from '../../functions/services/charge';
import { chargeFee, refundPurchase, topUp } from '../../functions/services/movements';
import type { DocSend } from '../../functions/store/db';
import { keys } from '../../functions/store/keys';
import { createMovementStore } from '../../functions/store/movements';
import { systemAccountBalance, systemAccountDay } from '../../functions/store/system-accounts';
import { createTestAccount, createTestTerminal, testChipUid } from '../helpers/fixtures';
import { useTestPlatform } from '../helpers/platform';

const platform = useTestPlatform();

describe('double entry in the store', () => {
  it('a payment updates only the holder’s item, in one transaction of four writes (the last its outbox item), its entry indexed by the merchant’s payable', async () => {
    const terminal = await createTestTerminal(platform.deps);
    const account = await createTestAccount(platform.deps, { balanceFen: 1_000 });
    const chipUid = await testChipUid(platform.deps, account.accountNo);
    const real = platform.deps.db.doc.send.bind(platform.deps.db.doc) as (...args: unknown[]) => Promise<unknown>;
    const transactions: NonNullable<TransactWriteCommandInput['TransactItems']>[] = [];
    const send = ((command: unknown, ...rest: unknown[]) => {
      if (command instanceof TransactWriteCommand) transactions.push(command.input.TransactItems ?? []);
      return real(command, ...rest);
    }) as DocSend['send'];
    const container = { movements: createMovementStore({ doc: { send } as DocSend, tableName: platform.deps.db.tableName }, platform.deps.clock), db: platform.deps.db, clock: platform.deps.clock };
    const paid = await chargeAtTerminal(container, terminal, { posTxnId: 'de-1', chipUid, amountFen: 250 });

    expect(transactions).toHaveLength(1);
    const [items] = transactions;
    expect(items).toHaveLength(4);
    expect(items!.filter((item) => item.Update).map((item) => item.Update!.Key)).toEqual([keys.account(account.accountNo)]);
    // The notifications' outbox item rides in the same transaction (functions/domain/outbox.ts), last.
    expect(items!.at(-1)!.Put!.Item!.sk).toBe('OUTBOX');
    const entry = items![1]!.Put!.Item!;
    const day = campusDay(platform.deps.clock());
    expect(entry).toMatchObject({
      type: 'purchase',
      receiptNo: paid.receiptNo,
      transfers: [{ debit: `holder:${account.accountNo}:balance`, credit: `merchant:${terminal.merchantId}:payable`, amountFen: 250 }],
      ...keys.systemAccountDayIndex(system.merchantPayable(terminal.merchantId), day, paid.receiptNo),
    });
  });

  it('system accounts’ balances are derived per campus day from the index, and the audit’s trial balance agrees', async () => {
    const terminal = await createTestTerminal(platform.deps, { merchantId: 'MBOOKS' });
    const account = await createTestAccount(platform.deps, { balanceFen: 2_000 }); // cash at the counter
    const day = campusDay(platform.deps.clock());
    const { accountNo } = account;
    await topUp(platform.deps, { accountNo, amountFen: 3_000, channel: 'wechat', externalRef: 'de-wx-1' });
    await topUp(platform.deps, { accountNo, amountFen: 500, channel: 'wechat', externalRef: 'de-wx-2' });
    await topUp(platform.deps, { accountNo, amountFen: 800, channel: 'alipay', externalRef: 'de-ali-1' });
    const chipUid = await testChipUid(platform.deps, accountNo);
    const first = await chargeAtTerminal(platform.deps, terminal, { posTxnId: 'de-p1', chipUid, amountFen: 1_200 });
    await chargeAtTerminal(platform.deps, terminal, { posTxnId: 'de-p2', chipUid, amountFen: 300 });
    await refundPurchase(platform.deps, { merchantId: terminal.merchantId, terminalId: terminal.terminalId }, { receiptNo: first.receiptNo, amountFen: 200, refundId: 'de-r1' });
    await chargeFee(platform.deps, { accountNo, amountFen: 2_000, feeId: 'de-fee-1', reason: 'card replacement' });

    const merchant = system.merchantPayable(terminal.merchantId);
    expect(await systemAccountDay(platform.deps.db, merchant, day)).toMatchObject({ changeFen: 1_300, debitsFen: 200, creditsFen: 1_500, entries: 3 });
    expect((await systemAccountDay(platform.deps.db, system.clearing('wechat'), day)).changeFen).toBe(-3_500);
    expect((await systemAccountDay(platform.deps.db, system.feeIncome, day)).changeFen).toBe(2_000);
    expect((await systemAccountDay(platform.deps.db, merchant, '2020-01-01')).entries).toBe(0);
    const week = await systemAccountBalance(platform.deps.db, system.clearing('alipay'), addDays(day, -6), day);
    expect(week.changeFen).toBe(-800);
    expect(week.days).toHaveLength(7);

    const report = await auditLedger(platform.deps.db);
    expect(report.findings).toEqual([]);
    const books = report.trialBalance;
    expect(books.debitsFen).toBe(books.creditsFen);
    expect(books.totalFen).toBe(0);
    expect(books.systemAccounts[merchant]).toBe(1_300);
    expect(books.systemAccounts['clearing:wechat']).toBe(-3_500);
    expect(books.systemAccounts['fee_income']).toBe(2_000);
    expect(books.byDay.find((d) => d.campusDay === day)).toMatchObject({ debitsFen: books.debitsFen, creditsFen: books.creditsFen });
  });
});

function addDays(day: string, days: number): string {
  return new Date(Date.parse(`${day}T00:00:00.000Z`) + days * 86_400_000).toISOString().slice(0, 10);
}
