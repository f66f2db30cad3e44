/**
 * The first money path under pressure: concurrency, retries and injected faults, on DynamoDB Local.
 */
import { randomBytes } from 'node:crypto';
import { TransactWriteCommand } from '@aws-sdk/lib-dynamodb';
import { TransactionCanceledException } from '@aws-sdk/client-dynamodb';
import { beforeAll, describe, expect, it } from 'vitest';
import type { Deps } from '../../functions/deps';
import { MAX_DAILY_LIMIT_FEN } from '../../functions/domain/account';
import type { Terminal } from '../../functions/domain/merchant';
import { chargeAtTerminal } from '../../functions/services/charge';
import { getAccount } from '../../functions/store/accounts';
import type { DocSend } from '../../functions/store/db';
import { createMovementStore } from '../../functions/store/movements';
import { createTestAccount, createTestTerminal, ledgerOf, terminalFetch, testChipUid } from '../helpers/fixtures';
import { useTestPlatform } from '../helpers/platform';

const platform = useTestPlatform({ http: true });

function purchasesOf(entries: Awaited<ReturnType<typeof ledgerOf>>) {
  return entries.filter((entry) => entry.type === 'purchase');
}

/** A fresh movement store over a wrapped client: what a second Lambda container would be. */
function containerWith(send: DocSend['send']): Pick<Deps, 'movements' | 'db' | 'clock'> {
  return { movements: createMovementStore({ doc: { send } as DocSend, tableName: platform.deps.db.tableName }, platform.deps.clock), db: platform.deps.db, clock: platform.deps.clock };
}

async function expectLedgerExplainsBalance(accountNo: string) {
  const account = await getAccount(platform.deps.db, accountNo);
  const entries = await ledgerOf(platform.deps, accountNo);
  const sum = entries.reduce((total, entry) => total + entry.delta.balanceFen, 0);
  expect(account?.balanceFen).toBe(sum);
  // Every entry's balance after is consistent with the entries before it.
  const sorted = [...entries].sort((a, b) => (a.entryId < b.entryId ? -1 : 1));
  let running = 0;
  for (const entry of sorted) {
    running += entry.delta.balanceFen;
    expect(entry.after.balanceFen).toBe(running);
    expect(entry.after.balanceFen).toBeGreaterThanOrEqual(0);
  }
}

describe('money under concurrency', () => {
  it('200 concurrent 1-yuan POS charges on 100 yuan: exactly 100 succeed, balance 0, 100 ledger entries', async () => {
    const account = await createTestAccount(platform.deps, { balanceFen: 10_000, dailyLimitFen: MAX_DAILY_LIMIT_FEN });
    const terminal = await createTestTerminal(platform.deps);
    const chipUid = await testChipUid(platform.deps, account.accountNo);
    const results = await Promise.all(
      Array.from({ length: 200 }, (_, i) =>
        terminalFetch(platform.url, terminal, 'POST', '/v1/pos/charges', { posTxnId: `c${i}`, chipUid, amountFen: 100 }),
      ),
    );
    const ok = results.filter((r) => r.status === 200);
    const refused = results.filter((r) => r.status !== 200);
    expect(ok).toHaveLength(100);
    expect(refused.every((r) => r.body.code === 'INSUFFICIENT_BALANCE')).toBe(true);
    expect(new Set(ok.map((r) => r.body.balanceFen)).size).toBe(100); // each success saw a distinct balance
    expect((await getAccount(platform.deps.db, account.accountNo))?.balanceFen).toBe(0);
    expect(purchasesOf(await ledgerOf(platform.deps, account.accountNo))).toHaveLength(100);
    await expectLedgerExplainsBalance(account.accountNo);
  });

  it('8 independent containers racing on one account never overdraw (optimistic lock in DynamoDB, not in-process)', async () => {
    const account = await createTestAccount(platform.deps, { balanceFen: 3_000 });
    const terminal = await createTestTerminal(platform.deps);
    const send = platform.deps.db.doc.send.bind(platform.deps.db.doc) as DocSend['send'];
    const containers = Array.from({ length: 8 }, () => containerWith(send));
    const chipUid = await testChipUid(platform.deps, account.accountNo);
    const outcomes = await Promise.allSettled(
      Array.from({ length: 48 }, (_, i) =>
        chargeAtTerminal(containers[i % 8]!, terminal, { posTxnId: `k${i}`, chipUid, amountFen: 100 }),
      ),
    );
    const ok = outcomes.filter((o) => o.status === 'fulfilled');
    expect(ok).toHaveLength(30);
    for (const o of outcomes) if (o.status === 'rejected') expect((o.reason as { code: string }).code).toBe('INSUFFICIENT_BALANCE');
    expect((await getAccount(platform.deps.db, account.accountNo))?.balanceFen).toBe(0);
    await expectLedgerExplainsBalance(account.accountNo);
  });

  it('the same request retried 50 times concurrently (across containers) charges once', async () => {
    const account = await createTestAccount(platform.deps, { balanceFen: 5_000 });
    const terminal = await createTestTerminal(platform.deps);
    const send = platform.deps.db.doc.send.bind(platform.deps.db.doc) as DocSend['send'];
    const containers = Array.from({ length: 5 }, () => containerWith(send));
    const chipUid = await testChipUid(platform.deps, account.accountNo);
    const results = await Promise.all(
      Array.from({ length: 50 }, (_, i) => chargeAtTerminal(containers[i % 5]!, terminal, { posTxnId: 'once', chipUid, amountFen: 300 })),
    );
    expect(new Set(results.map((r) => r.receiptNo)).size).toBe(1);
    expect(results.filter((r) => !r.replayed)).toHaveLength(1);
    expect((await getAccount(platform.deps.db, account.accountNo))?.balanceFen).toBe(4_700);
    expect(purchasesOf(await ledgerOf(platform.deps, account.accountNo))).toHaveLength(1);
  });
});

describe('fault injection', () => {
  const request = async (accountNo: string, posTxnId = `f-${randomBytes(4).toString('hex')}`) => ({ posTxnId, chipUid: await testChipUid(platform.deps, accountNo), amountFen: 250 });
  let terminal: Terminal;
  beforeAll(async () => {
    terminal = await createTestTerminal(platform.deps);
  });

  it('a failure after the transaction committed but before the answer, then a retry: one entry, original receipt', async () => {
    const account = await createTestAccount(platform.deps, { balanceFen: 1_000 });
    const real = platform.deps.db.doc.send.bind(platform.deps.db.doc) as DocSend['send'];
    let committedReceipt: string | undefined;
    let failNext = true;
    const flaky = (async (command: unknown, ...rest: unknown[]) => {
      const output = await (real as (...args: unknown[]) => Promise<unknown>)(command, ...rest);
      if (failNext && command instanceof TransactWriteCommand) {
        failNext = false;
        const item = command.input.TransactItems?.[1]?.Put?.Item as { receiptNo?: string } | undefined;
        committedReceipt = item?.receiptNo;
        throw Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' });
      }
      return output;
    }) as DocSend['send'];
    const body = await request(account.accountNo);
    await expect(chargeAtTerminal(containerWith(flaky), terminal, body)).rejects.toThrow('socket hang up');
    const retry = await chargeAtTerminal(containerWith(flaky), terminal, body);
    expect(retry.replayed).toBe(true);
    expect(retry.receiptNo).toBe(committedReceipt);
    expect(retry.balanceFen).toBe(750);
    expect(purchasesOf(await ledgerOf(platform.deps, account.accountNo))).toHaveLength(1);
    await expectLedgerExplainsBalance(account.accountNo);
  });

  it('a failure before the transaction reached DynamoDB, then a retry: exactly one entry', async () => {
    const account = await createTestAccount(platform.deps, { balanceFen: 1_000 });
    const real = platform.deps.db.doc.send.bind(platform.deps.db.doc) as DocSend['send'];
    let failNext = true;
    const flaky = (async (command: unknown, ...rest: unknown[]) => {
      if (failNext && command instanceof TransactWriteCommand) {
        failNext = false;
        throw Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' });
      }
      return (real as (...args: unknown[]) => Promise<unknown>)(command, ...rest);
    }) as DocSend['send'];
    const body = await request(account.accountNo);
    await expect(chargeAtTerminal(containerWith(flaky), terminal, body)).rejects.toThrow('ECONNREFUSED');
    expect(purchasesOf(await ledgerOf(platform.deps, account.accountNo))).toHaveLength(0);
    const retry = await chargeAtTerminal(containerWith(flaky), terminal, body);
    expect(retry.replayed).toBe(false);
    expect(retry.balanceFen).toBe(750);
    expect(purchasesOf(await ledgerOf(platform.deps, account.accountNo))).toHaveLength(1);
  });

  it('TransactionConflict (which DynamoDB Local never produces) is retried and posts once', async () => {
    const account = await createTestAccount(platform.deps, { balanceFen: 1_000 });
    const real = platform.deps.db.doc.send.bind(platform.deps.db.doc) as DocSend['send'];
    let conflicts = 3;
    const conflicting = (async (command: unknown, ...rest: unknown[]) => {
      if (conflicts > 0 && command instanceof TransactWriteCommand) {
        conflicts--;
        throw new TransactionCanceledException({
          message: 'Transaction cancelled, please refer cancellation reasons for specific reasons [None, TransactionConflict, None]',
          $metadata: {},
          CancellationReasons: [{ Code: 'None' }, { Code: 'TransactionConflict' }, { Code: 'None' }],
        });
      }
      return (real as (...args: unknown[]) => Promise<unknown>)(command, ...rest);
    }) as DocSend['send'];
    const result = await chargeAtTerminal(containerWith(conflicting), terminal, await request(account.accountNo));
    expect(conflicts).toBe(0);
    expect(result.balanceFen).toBe(750);
    expect(purchasesOf(await ledgerOf(platform.deps, account.accountNo))).toHaveLength(1);
  });
});
